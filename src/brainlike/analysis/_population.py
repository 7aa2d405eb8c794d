"""Population analyses: condition averages (PSTHs) and principal components of population activity."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from .._recording import Recording

__all__ = ["condition_average", "PCA", "pca"]


def condition_average(recording: Recording, by: Sequence[str]):
    """Trial-averaged activity for every combination of the conditions ``by`` (the PSTH).

    Returns an ``xarray.DataArray`` with dims ``(condition, time, unit)``; the ``condition`` axis carries
    one coordinate per name in ``by`` and ``n_trials``.
    """
    import xarray as xr

    by = list(by)
    missing = [b for b in by if b not in recording.conditions]
    if missing:
        raise KeyError(f"condition(s) {missing} not in recording; it has {sorted(recording.conditions)}")
    keys = np.stack([recording.conditions[b] for b in by], axis=1) if by else np.zeros((recording.n_trials, 0))
    combos, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    means = np.stack([recording.activity[inverse == i].mean(0) for i in range(len(combos))])
    counts = np.bincount(inverse, minlength=len(combos))
    coords = {b: ("condition", combos[:, j].astype(recording.conditions[b].dtype)) for j, b in enumerate(by)}
    coords.update(n_trials=("condition", counts), time=("time", recording.t))
    return xr.DataArray(means, dims=("condition", "time", "unit"), coords=coords, name="firing_rate")


@dataclasses.dataclass(frozen=True)
class PCA:
    """Principal axes of population activity: ``components [k units]``, ``mean [units]``,
    ``explained_variance_ratio [k]``."""

    components: np.ndarray
    mean: np.ndarray
    explained_variance_ratio: np.ndarray

    def project(self, activity: np.ndarray) -> np.ndarray:
        """Project ``[... units]`` activity onto the components: ``[... k]``."""
        return (np.asarray(activity) - self.mean) @ self.components.T


def pca(activity, n_components: int = 3) -> PCA:
    """PCA over all time points and conditions of ``activity`` (``[... units]`` array, DataArray or
    Recording), by singular value decomposition of the mean-centred data."""
    if isinstance(activity, Recording):
        activity = activity.activity
    x = np.asarray(activity, float).reshape(-1, np.shape(activity)[-1])
    if n_components < 1 or n_components > min(x.shape):
        raise ValueError(f"n_components must be in [1, {min(x.shape)}], got {n_components}")
    mean = x.mean(0)
    _, s, vt = np.linalg.svd(x - mean, full_matrices=False)
    var = s**2
    return PCA(components=vt[:n_components], mean=mean,
               explained_variance_ratio=var[:n_components] / var.sum() if var.sum() > 0 else np.zeros(n_components))
