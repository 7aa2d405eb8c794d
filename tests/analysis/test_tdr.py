"""Targeted dimensionality reduction recovers planted regression axes (Mante et al. 2013)."""

import itertools

import numpy as np
import pytest

from brainlike import ConfigError, Recording
from brainlike.analysis import targeted_dimensionality_reduction

VARS = ("choice", "motion", "colour", "context")


def _planted(seed=0, n_units=60, n_time=15, repeats=4, noise=0.5):
    rng = np.random.default_rng(seed)
    levels = [(-1, 1), (-0.5, -0.15, -0.05, 0.05, 0.15, 0.5), (-0.5, -0.15, -0.05, 0.05, 0.15, 0.5), (-1, 1)]
    grid = np.array(list(itertools.product(*levels)) * repeats, float)
    coef = rng.normal(size=(4, n_units))
    time_course = np.stack([np.linspace(0, 1, n_time) ** p for p in (1.0, 0.5, 0.5, 0.0)])  # [v time]
    act = np.einsum("kv,vi,vt->kti", grid, coef, time_course) + noise * rng.normal(size=(len(grid), n_time, n_units))
    rec = Recording(activity=act, dt=10.0, conditions=dict(zip(VARS, grid.T)))
    return rec, coef


def test_planted_axes_are_recovered():
    rec, coef = _planted()
    tdr = targeted_dimensionality_reduction(rec, VARS)
    # compare in the z-scored space the regression was done in
    for v in range(4):
        planted = coef[v] / tdr.std
        cos = abs(tdr.beta_max[v] @ planted) / np.linalg.norm(tdr.beta_max[v]) / np.linalg.norm(planted)
        assert cos >= 0.95, (VARS[v], cos)
    np.testing.assert_allclose(tdr.axes @ tdr.axes.T, np.eye(4), atol=1e-10)
    assert tdr.axis("choice") @ tdr.beta_max[0] > 0
    assert tdr.project(rec.activity).shape == (rec.n_trials, rec.n_time, 4)
    # the denoising subspace: orthonormal principal axes that contain the task axes
    np.testing.assert_allclose(tdr.pcs @ tdr.pcs.T, np.eye(len(tdr.pcs)), atol=1e-10)
    np.testing.assert_allclose(np.linalg.norm(tdr.axes @ tdr.pcs.T, axis=1), 1.0, atol=1e-10)
    z = tdr.denoise(rec.activity)
    assert z.shape == (rec.n_trials, rec.n_time, len(tdr.pcs))
    np.testing.assert_allclose(z @ tdr.pcs @ tdr.axes.T, tdr.project(rec.activity), atol=1e-8)


def test_missing_condition_is_named():
    rec, _ = _planted(n_units=5, repeats=1)
    with pytest.raises(ConfigError, match="no condition 'color'"):
        targeted_dimensionality_reduction(rec, ("choice", "color"))


def test_collinear_variables_are_refused():
    rec, _ = _planted(n_units=5, repeats=1)
    rec = Recording(activity=rec.activity, dt=10.0,
                    conditions={**rec.conditions, "choice_copy": 2 * rec.conditions["choice"]})
    with pytest.raises(ConfigError, match="collinear"):
        targeted_dimensionality_reduction(rec, ("choice", "choice_copy"))
