"""Targeted dimensionality reduction (Mante, Sussillo, Shenoy & Newsome 2013, Methods).

1. z-score each unit over all trials and times;
2. regress each unit's activity at each time on the task variables (plus a constant), over trials:
   ``r_{i,t}(k) = sum_v beta_{v,i,t} F_v(k) + beta_{0,i,t}``;
3. denoise the coefficients with the top principal components of the condition-averaged population
   responses (``beta <- D beta``, ``D = sum_a v_a v_a^T``);
4. take, for each variable, the coefficient vector at the time where its norm is largest;
5. orthogonalise these vectors (QR, in the order given) into the task axes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from .._errors import ConfigError
from .._recording import Recording
from ._population import condition_average

__all__ = ["TDR", "targeted_dimensionality_reduction"]


@dataclasses.dataclass(frozen=True)
class TDR:
    """Task axes ``[variables units]`` (orthonormal, in the order of ``variables``), the raw denoised
    coefficient vectors at their peak time ``beta_max [variables units]``, the full coefficients
    ``beta [variables units time]``, the peak step of each variable, the z-scoring ``mean``/``std`` and the
    denoising principal axes ``pcs [k units]`` (z-scored space)."""

    variables: tuple[str, ...]
    axes: np.ndarray
    beta_max: np.ndarray
    beta: np.ndarray
    t_max: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    pcs: np.ndarray

    def project(self, activity: np.ndarray) -> np.ndarray:
        """Z-score ``[... units]`` activity as the fit did and project it on the axes: ``[... variables]``."""
        return ((np.asarray(activity) - self.mean) / self.std) @ self.axes.T

    def denoise(self, activity: np.ndarray) -> np.ndarray:
        """Z-score ``[... units]`` activity and keep its part in the denoising subspace (coordinates on ``pcs``)."""
        return ((np.asarray(activity) - self.mean) / self.std) @ self.pcs.T

    def axis(self, name: str) -> np.ndarray:
        return self.axes[self.variables.index(name)]


def targeted_dimensionality_reduction(recording: Recording, variables: Sequence[str], *, n_pcs: int = 12,
                                      average_by: Sequence[str] | None = None, normalise: bool = True) -> TDR:
    """Regression axes of ``variables`` (condition names of ``recording``), denoised and orthogonalised.

    ``average_by`` (default: ``variables``) sets the condition averages whose PCs denoise the coefficients;
    ``normalise`` scales each variable to unit maximum absolute value, as in the paper.
    """
    variables = tuple(variables)
    missing = [v for v in variables if v not in recording.conditions]
    if missing:
        raise ConfigError(f"targeted dimensionality reduction: recording has no condition {missing[0]!r}; "
                          f"it has {sorted(recording.conditions)}")
    act = recording.activity.astype(np.float64)
    n_trials, n_time, n_units = act.shape
    mean = act.reshape(-1, n_units).mean(0)
    std = act.reshape(-1, n_units).std(0)
    std = np.where(std > 0, std, 1.0)
    z = (act - mean) / std
    F = np.stack([np.asarray(recording.conditions[v], np.float64) for v in variables], axis=1)
    if normalise:
        scale = np.abs(F).max(0)
        F = F / np.where(scale > 0, scale, 1.0)
    design = np.column_stack([F, np.ones(n_trials)])
    if np.linalg.matrix_rank(design) < design.shape[1]:
        raise ConfigError(f"targeted dimensionality reduction: the variables {variables} are collinear over "
                          "trials (every combination must vary independently)")
    coef, *_ = np.linalg.lstsq(design, z.reshape(n_trials, -1), rcond=None)
    beta = coef[:-1].reshape(len(variables), n_time, n_units).transpose(0, 2, 1)  # [v units time]

    avg = condition_average(dataclasses.replace(recording, activity=z), list(average_by or variables))
    x = avg.values.reshape(-1, n_units)
    x = x - x.mean(0)
    k = min(n_pcs, min(x.shape))
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    D = vt[:k].T @ vt[:k]
    beta = np.einsum("ij,vjt->vit", D, beta)

    norms = np.linalg.norm(beta, axis=1)  # [v time]
    t_max = norms.argmax(1)
    beta_max = np.stack([beta[v, :, t_max[v]] for v in range(len(variables))])
    q, r = np.linalg.qr(beta_max.T)
    axes = (q * np.sign(np.diag(r))).T  # keep each axis pointing along its own coefficient vector
    return TDR(variables=variables, axes=axes, beta_max=beta_max, beta=beta, t_max=t_max, mean=mean, std=std,
               pcs=vt[:k])
