"""Linear predictivity of neurons from model features, with a noise ceiling (Yamins et al. 2014 PNAS;
Schrimpf et al. 2020 Brain-Score): cross-validated ridge regression, Pearson r per neuron on held-out
stimuli, divided by the neuron's split-half reliability (Spearman-Brown corrected)."""

from __future__ import annotations

import dataclasses

import numpy as np

from .._errors import ConfigError
from ._checks import patterns, same_stimuli

__all__ = ["ridge_predictivity", "split_half_ceiling", "Predictivity"]


def _pearson_columns(a, b) -> np.ndarray:
    a, b = a - a.mean(0), b - b.mean(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sum(a * b, 0) / np.sqrt(np.sum(a * a, 0) * np.sum(b * b, 0))


def split_half_ceiling(repeats, *, n_splits: int = 20, seed: int = 0) -> np.ndarray:
    """Per-neuron reliability from ``repeats`` ``[repetitions stimuli neurons]``: Pearson r between the
    means of two random halves of the repetitions, Spearman-Brown corrected to the full count
    (2r / (1 + r)), averaged over ``n_splits`` splits."""
    r = np.asarray(repeats, float)
    if r.ndim != 3 or r.shape[0] < 2:
        raise ConfigError(f"repeats must be [repetitions stimuli neurons] with >= 2 repetitions, got shape {r.shape}")
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n_splits):
        perm = rng.permutation(r.shape[0])
        h = r.shape[0] // 2
        c = _pearson_columns(r[perm[:h]].mean(0), r[perm[h:2 * h]].mean(0))
        out.append(2 * c / (1 + c))
    return np.mean(out, axis=0)


@dataclasses.dataclass(frozen=True)
class Predictivity:
    """``r`` per neuron (held-out Pearson r), ``ceiling`` per neuron, ``normalised`` = r / ceiling, and
    ``score`` the median of ``normalised`` over neurons."""

    r: np.ndarray
    ceiling: np.ndarray | None
    normalised: np.ndarray | None

    @property
    def score(self) -> float:
        v = self.normalised if self.normalised is not None else self.r
        return float(np.nanmedian(v))


def ridge_predictivity(features, responses, repeats=None, *, n_folds: int = 5, alphas=(0.01, 0.1, 1, 10, 100, 1000),
                       seed: int = 0) -> Predictivity:
    """Predict ``responses`` ``[stimuli neurons]`` (mean over repetitions) from ``features`` ``[stimuli
    units]`` by ridge regression with the penalty chosen by inner cross-validation (scikit-learn
    ``RidgeCV``), ``n_folds``-fold over stimuli. ``repeats`` ``[repetitions stimuli neurons]`` gives the
    ceiling."""
    from sklearn.linear_model import RidgeCV
    from sklearn.model_selection import KFold

    x, y = patterns(features, "features"), patterns(responses, "responses")
    same_stimuli(x, y, ("features", "responses"))
    pred = np.zeros_like(y)
    for train, test in KFold(n_folds, shuffle=True, random_state=seed).split(x):
        mu, sd = x[train].mean(0), x[train].std(0) + 1e-12
        model = RidgeCV(alphas=alphas).fit((x[train] - mu) / sd, y[train])
        pred[test] = model.predict((x[test] - mu) / sd)
    r = _pearson_columns(pred, y)
    if repeats is None:
        return Predictivity(r, None, None)
    ceiling = split_half_ceiling(repeats, seed=seed)
    if ceiling.shape != r.shape:
        raise ConfigError(f"repeats have {ceiling.size} neurons, responses {r.size}")
    with np.errstate(invalid="ignore", divide="ignore"):
        return Predictivity(r, ceiling, r / ceiling)
