"""Known answers for the distributional-code analyses (Dabney et al. 2020) on planted units."""

import numpy as np
import pytest

from brainlike import DataError, Recording
from brainlike.analysis import (asymmetries, asymmetry_reversal_correlation, expectiles, impute_distribution,
                                reversal_points, reward_responses, split_half_reliability)

SIZES = np.array([0.1, 0.3, 1.2, 2.5, 5.0, 10.0, 20.0])


def planted(kinks, taus, noise=0.05, repeats=40, seed=0):
    rng = np.random.default_rng(seed)
    reward = np.repeat(SIZES, repeats)
    d = reward[:, None] - np.asarray(kinks)[None]
    resp = np.where(d > 0, np.asarray(taus), 1 - np.asarray(taus)) * d
    return resp + noise * rng.normal(size=resp.shape), reward


def test_reversal_points_and_asymmetries_of_planted_units():
    kinks, taus = np.array([0.5, 2.0, 4.0, 7.0, 12.0]), np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    resp, reward = planted(kinks, taus)
    np.testing.assert_allclose(reversal_points(resp, reward), kinks, rtol=0.05)
    np.testing.assert_allclose(asymmetries(resp, reward), taus, atol=0.03)
    # interpolating the mean is biased when the slopes differ, and the docstring says so
    assert abs(reversal_points(resp, reward, method="interpolate")[4] - 12.0) > 1.0


def test_expectiles_satisfy_their_defining_equation_and_the_median_expectile_is_the_mean():
    probs = np.array([0.1, 0.1, 0.15, 0.15, 0.3, 0.15, 0.05])
    taus = np.linspace(0.05, 0.95, 7)
    e = expectiles(SIZES, probs, taus)
    for t, x in zip(taus, e):
        assert t * np.sum(probs * np.maximum(SIZES - x, 0)) == pytest.approx((1 - t) * np.sum(probs * np.maximum(x - SIZES, 0)))
    assert expectiles(SIZES, probs, [0.5])[0] == pytest.approx(np.sum(SIZES * probs))
    assert np.all(np.diff(e) > 0)


def test_imputation_recovers_a_bimodal_distribution():
    taus = np.linspace(0.05, 0.95, 30)
    e = expectiles(np.array([2.0, 18.0]), np.array([0.5, 0.5]), taus)
    z = impute_distribution(e, taus, bounds=(0, 25), n_restarts=3)
    assert np.mean((z > 6) & (z < 14)) < 0.1
    assert np.mean(z < 6) == pytest.approx(0.5, abs=0.1)


def test_split_half_is_high_for_a_spread_population_and_low_for_identical_units():
    spread = planted(np.linspace(1, 12, 30), np.linspace(0.1, 0.9, 30), noise=0.3)
    same = planted(np.full(30, 5.0), np.full(30, 0.5), noise=0.3)
    assert split_half_reliability(*spread, n_splits=5).r > 0.9
    assert abs(split_half_reliability(*same, n_splits=5).r) < 0.4
    assert asymmetry_reversal_correlation(*spread, n_splits=5).r > 0.8
    assert abs(asymmetry_reversal_correlation(*same, n_splits=5).r) < 0.4


def test_reward_responses_need_the_reward_epoch_and_condition():
    rec = Recording(activity=np.zeros((4, 3, 2)), dt=10.0, conditions={"reward": np.ones(4)})
    with pytest.raises(DataError, match=r"epochs\['reward'\]"):
        reward_responses(rec)
    rec = Recording(activity=np.arange(24.0).reshape(4, 3, 2), dt=10.0, epochs={"reward": np.tile([1, 3], (4, 1))})
    with pytest.raises(DataError, match=r"conditions\['reward'\]"):
        reward_responses(rec)
    rec = Recording(activity=np.arange(24.0).reshape(4, 3, 2), dt=10.0, conditions={"reward": np.ones(4)},
                    epochs={"reward": np.tile([1, 3], (4, 1))})
    np.testing.assert_allclose(reward_responses(rec), rec.activity[:, 1:3].mean(axis=1))
