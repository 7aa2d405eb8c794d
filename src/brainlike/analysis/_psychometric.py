"""Psychometric and chronometric functions (Britten et al. 1992; Roitman & Shadlen 2002).

``fit_psychometric`` fits by maximum likelihood on single-trial binary choices:

* ``logistic`` (signed evidence ``x``, choices of option 1):
  ``P(x) = lapse + (1 - 2 lapse) / (1 + exp(-(x - bias) / scale))``;
* ``weibull`` (unsigned evidence ``c``, correct responses; Quick 1974, Britten et al. 1992 eq. 1):
  ``P(c) = 1 - (1 - guess) exp(-(c / threshold) ** slope)`` with ``guess = 0.5`` for two choices.

Confidence intervals come from a percentile bootstrap over trials, resampled within each level.
Goodness of fit is R^2 of the fitted curve against the observed proportions per level.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import optimize, special

from .._errors import ConfigError

__all__ = ["PsychometricFit", "fit_psychometric", "logistic", "weibull", "chronometric", "Chronometric"]


def logistic(x, bias, scale, lapse=0.0):
    return lapse + (1 - 2 * lapse) * special.expit((np.asarray(x, float) - bias) / scale)


def weibull(c, threshold, slope, guess=0.5):
    return 1 - (1 - guess) * np.exp(-((np.asarray(c, float) / threshold) ** slope))


@dataclasses.dataclass(frozen=True)
class PsychometricFit:
    """A fitted psychometric function.

    ``params`` maps parameter names to values (logistic: bias, scale, lapse; weibull: threshold, slope),
    ``ci`` to (low, high) 95 % bootstrap intervals; ``levels``, ``proportion`` and ``n`` are the data.
    """

    kind: str
    params: dict[str, float]
    ci: dict[str, tuple[float, float]]
    levels: np.ndarray
    proportion: np.ndarray
    n: np.ndarray
    r2: float

    def __call__(self, x):
        return (logistic if self.kind == "logistic" else weibull)(x, **self.params)

    @property
    def monotone(self) -> bool:
        """True if the observed proportions never decrease as the evidence grows."""
        return bool(np.all(np.diff(self.proportion) >= 0))

    def to_dict(self) -> dict:
        return {"kind": self.kind, "params": self.params, "ci": {k: list(v) for k, v in self.ci.items()},
                "levels": self.levels.tolist(), "proportion": self.proportion.tolist(),
                "n": self.n.tolist(), "r2": self.r2}


def _nll(theta, x, y, kind, fit_lapse):
    with np.errstate(over="ignore"):  # the optimiser may try extreme parameters; p is clipped below
        return _nll_unsafe(theta, x, y, kind, fit_lapse)


def _nll_unsafe(theta, x, y, kind, fit_lapse):
    if kind == "logistic":
        bias, log_scale = theta[0], theta[1]
        lapse = special.expit(theta[2]) * 0.5 if fit_lapse else 0.0
        p = logistic(x, bias, np.exp(log_scale), lapse)
    else:
        p = weibull(x, np.exp(theta[0]), np.exp(theta[1]))
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))


def _fit_once(x, y, kind, fit_lapse) -> dict[str, float]:
    if kind == "logistic":
        spread = np.std(x) if np.std(x) > 0 else 1.0
        theta0 = [0.0, np.log(spread / 4)] + ([-4.0] if fit_lapse else [])
    else:
        pos = x[x > 0]
        theta0 = [np.log(np.median(pos) if pos.size else 1.0), np.log(1.5)]
    res = optimize.minimize(_nll, theta0, args=(x, y, kind, fit_lapse), method="Nelder-Mead",
                            options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 4000})
    th = res.x
    if kind == "logistic":
        return {"bias": float(th[0]), "scale": float(np.exp(th[1])),
                "lapse": float(special.expit(th[2]) * 0.5) if fit_lapse else 0.0}
    return {"threshold": float(np.exp(th[0])), "slope": float(np.exp(th[1]))}


def fit_psychometric(x, y, *, kind: str = "logistic", lapse: bool = False, n_boot: int = 200,
                     seed: int = 0) -> PsychometricFit:
    """Fit a psychometric function to single trials.

    Args:
        x: evidence on each trial (signed coherence for ``logistic``, unsigned for ``weibull``).
        y: 1 if the trial's response was option 1 (``logistic``) or correct (``weibull``), else 0.
        kind: ``logistic`` or ``weibull``.  lapse: also fit a symmetric lapse rate (logistic).
        n_boot: bootstrap resamples for the 95 % intervals (0 to skip).  seed: bootstrap seed.
    """
    if kind not in ("logistic", "weibull"):
        raise ConfigError(f"unknown psychometric function {kind!r}; known: logistic, weibull")
    x, y = np.asarray(x, float).ravel(), np.asarray(y, float).ravel()
    if x.shape != y.shape:
        raise ConfigError(f"psychometric fit: x has shape {x.shape} but y has shape {y.shape}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ConfigError("psychometric fit: y must be binary (0/1) responses")
    if kind == "weibull" and np.any(x < 0):
        raise ConfigError("weibull fit needs unsigned evidence (x >= 0)")
    levels = np.unique(x)
    if levels.size < 2:
        raise ConfigError(f"psychometric fit needs at least two evidence levels, got {levels.size}")
    prop = np.array([y[x == lv].mean() for lv in levels])
    n = np.array([np.sum(x == lv) for lv in levels])
    params = _fit_once(x, y, kind, lapse)
    f = logistic if kind == "logistic" else weibull
    pred = f(levels, **params)
    ss_tot = np.sum((prop - prop.mean()) ** 2)
    r2 = float(1 - np.sum((prop - pred) ** 2) / ss_tot) if ss_tot > 0 else float("nan")

    ci: dict[str, tuple[float, float]] = {}
    if n_boot:
        rng = np.random.default_rng(seed)
        groups = [np.flatnonzero(x == lv) for lv in levels]
        samples = []
        for _ in range(n_boot):
            idx = np.concatenate([rng.choice(g, g.size, replace=True) for g in groups])
            samples.append(_fit_once(x[idx], y[idx], kind, lapse))
        for k in params:
            vals = np.array([s[k] for s in samples])
            ci[k] = (float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5)))
    return PsychometricFit(kind=kind, params=params, ci=ci, levels=levels, proportion=prop, n=n, r2=r2)


@dataclasses.dataclass(frozen=True)
class Chronometric:
    """Mean decision time (ms) at each evidence level, with its standard error and trial count."""

    levels: np.ndarray
    mean: np.ndarray
    sem: np.ndarray
    n: np.ndarray

    @property
    def decreasing(self) -> bool:
        """True if mean decision time falls strictly at every step up in evidence."""
        return bool(np.all(np.diff(self.mean) < 0))

    def to_dict(self) -> dict:
        return {k: getattr(self, k).tolist() for k in ("levels", "mean", "sem", "n")}


def chronometric(decision_time, evidence) -> Chronometric:
    """Mean decision time per level of unsigned ``evidence``; undecided trials (NaN) are left out."""
    from ._behaviour import by_condition

    levels, mean, sem, n = by_condition(decision_time, np.abs(np.asarray(evidence)))
    return Chronometric(levels=levels, mean=mean, sem=sem, n=n)
