"""Value-based choice: choice curves, the indifference point, and the tuning classes of orbitofrontal
neurons (Padoa-Schioppa & Assad 2006 Nature 441:223).

Choices: ``P(choose B)`` against the log quantity ratio ``log(qB / qA)`` is fitted by a probit (or
logistic) function, ``P(B) = Phi(a0 + a1 log(qB/qA))``; the subject is indifferent where the argument is
zero, so its relative value is ``rho = exp(-a0 / a1)`` (1A = rho B). Forced choices (``qA = 0`` or
``qB = 0``) have no finite ratio and are left out of the fit.

Tuning: the firing rate of each cell in a time window (for the paper's main result, 100-600 ms after the
offer) is averaged per trial type (offer type x chosen juice). A cell is task-related when a one-way
ANOVA across trial types has ``p < anova_alpha``. Each candidate variable (offer value A, offer value B,
chosen value, chosen juice, and others, values in units of juice B) is regressed on the trial-type means;
a variable explains the cell when its slope differs from zero (``p < alpha``), and the cell is assigned the
explaining variable of highest R^2. The variables fall into the paper's classes: *offer value*, *chosen
value* and *chosen juice* (the others are reported but form no class).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import optimize, stats

from .._errors import ConfigError

__all__ = ["IndifferenceFit", "fit_indifference", "choice_curve", "economic_variables", "ValueTuning",
           "value_tuning", "VALUE_CLASSES", "trial_types"]

#: Which tuning variable belongs to which class of Padoa-Schioppa & Assad (2006).
VALUE_CLASSES = {"offer_value_a": "offer value", "offer_value_b": "offer value", "chosen_value": "chosen value",
                 "chosen_juice": "chosen juice"}


@dataclasses.dataclass(frozen=True)
class IndifferenceFit:
    """``P(B) = link(a0 + a1 log(qB/qA))``; ``relative_value = exp(-a0/a1)``."""

    a0: float
    a1: float
    link: str
    n_trials: int

    @property
    def relative_value(self) -> float:
        return float(np.exp(-self.a0 / self.a1)) if self.a1 != 0 else float("nan")

    def p_b(self, log_ratio):
        z = self.a0 + self.a1 * np.asarray(log_ratio, float)
        return stats.norm.cdf(z) if self.link == "probit" else 1.0 / (1.0 + np.exp(-z))

    def to_dict(self) -> dict:
        return {"a0": self.a0, "a1": self.a1, "link": self.link, "n_trials": self.n_trials,
                "relative_value": self.relative_value}


def _check_choices(offer_a, offer_b, chose_b):
    qa, qb, y = (np.asarray(v, float).ravel() for v in (offer_a, offer_b, chose_b))
    if not (qa.shape == qb.shape == y.shape):
        raise ConfigError(f"offer_a, offer_b and chose_b must have one value per trial, got shapes "
                          f"{qa.shape}, {qb.shape}, {y.shape}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ConfigError("chose_b must be 0/1 per trial")
    if (qa < 0).any() or (qb < 0).any():
        raise ConfigError("offer quantities must be non-negative")
    return qa, qb, y


def fit_indifference(offer_a, offer_b, chose_b, *, link: str = "probit") -> IndifferenceFit:
    """Maximum-likelihood probit (or ``link="logistic"``) fit of single-trial choices of juice B against
    ``log(qB/qA)`` over the trials where both quantities are non-zero."""
    if link not in ("probit", "logistic"):
        raise ConfigError(f"unknown link {link!r}; known: probit, logistic")
    qa, qb, y = _check_choices(offer_a, offer_b, chose_b)
    both = (qa > 0) & (qb > 0)
    x, y = np.log(qb[both] / qa[both]), y[both]
    if np.unique(x).size < 2:
        raise ConfigError("the indifference point needs at least two offer ratios with both juices offered")

    def nll(beta):
        z = beta[0] + beta[1] * x
        if link == "probit":
            return -np.sum(stats.norm.logcdf(np.where(y == 1, z, -z)))
        return np.sum(np.logaddexp(0.0, np.where(y == 1, -z, z)))

    start = np.array([-np.mean(x), 1.0])
    res = optimize.minimize(nll, start, method="BFGS")
    if not np.all(np.isfinite(res.x)):
        raise ConfigError("the choice curve could not be fitted (no finite maximum-likelihood estimate)")
    # Perfectly separated choices have no finite maximum: BFGS stops on a steep curve whose midpoint still
    # lies between the two offer ratios that separate the choices, which is all the indifference point says.
    return IndifferenceFit(float(res.x[0]), float(res.x[1]), link, int(both.sum()))


def choice_curve(offer_a, offer_b, chose_b) -> dict[str, np.ndarray]:
    """``P(choose B)`` and the trial count per offer type ``(qA, qB)``, ordered by ``qB/qA`` (forced choices
    of B-only offers last): the x axis of Padoa-Schioppa & Assad's Fig. 1."""
    qa, qb, y = _check_choices(offer_a, offer_b, chose_b)
    pairs = np.unique(np.stack([qa, qb], 1), axis=0)
    ratio = np.where(pairs[:, 0] > 0, pairs[:, 1] / np.maximum(pairs[:, 0], 1e-12), np.inf)
    order = np.argsort(ratio, kind="stable")
    pairs, ratio = pairs[order], ratio[order]
    p, n = [], []
    for a, b in pairs:
        sel = (qa == a) & (qb == b)
        p.append(y[sel].mean())
        n.append(sel.sum())
    return {"offer_a": pairs[:, 0], "offer_b": pairs[:, 1], "ratio": ratio, "p_b": np.array(p), "n": np.array(n)}


def economic_variables(offer_a, offer_b, chose_a, relative_value: float) -> dict[str, np.ndarray]:
    """The per-trial variables of Padoa-Schioppa & Assad (2006), values in units of juice B: offer value A
    (``rho qA``), offer value B (``qB``), chosen value, other (unchosen) value, total value, and chosen
    juice (1 for A)."""
    qa, qb = np.asarray(offer_a, float), np.asarray(offer_b, float)
    a = np.asarray(chose_a).astype(bool)
    va, vb = relative_value * qa, qb
    chosen, other = np.where(a, va, vb), np.where(a, vb, va)
    return {"offer_value_a": va, "offer_value_b": vb, "chosen_value": chosen, "other_value": other,
            "total_value": va + vb, "chosen_juice": a.astype(float)}


def trial_types(offer_a, offer_b, chose_a) -> np.ndarray:
    """An integer per trial naming its trial type: offer type ``(qA, qB)`` x chosen juice."""
    key = np.stack([np.asarray(offer_a, float), np.asarray(offer_b, float), np.asarray(chose_a, float)], 1)
    return np.unique(key, axis=0, return_inverse=True)[1].ravel()


@dataclasses.dataclass(frozen=True)
class ValueTuning:
    """Per unit: ``selected`` (task-related: the ANOVA passes in some window), ``r2``/``slope``/``p`` per window
    and variable ``[units windows vars]``, ``score`` (R^2 summed over the windows where the slope is
    significant, ``[units vars]``), ``best`` (the explaining variable of highest score, ``"untuned"`` when none
    explains a selected unit, ``"not selected"``) and ``label`` (its class, or ``"other"``/``"untuned"``/``"not
    selected"``); ``type_means`` is ``[types windows units]``."""

    variables: tuple[str, ...]
    selected: np.ndarray
    anova_p: np.ndarray  # [windows units]
    r2: np.ndarray
    slope: np.ndarray
    p: np.ndarray
    score: np.ndarray
    best: np.ndarray
    label: np.ndarray
    type_means: np.ndarray
    type_values: dict[str, np.ndarray]  # each [types]

    def counts(self) -> dict[str, int]:
        names = ["offer value", "chosen value", "chosen juice", "other", "untuned", "not selected"]
        return {n: int(np.sum(self.label == n)) for n in names}

    def fractions(self) -> dict[str, float]:
        """Each class as a fraction of the task-related (ANOVA-selected) units."""
        n = max(int(self.selected.sum()), 1)
        c = self.counts()
        return {k: c[k] / n for k in ("offer value", "chosen value", "chosen juice", "other", "untuned")}


def value_tuning(rates, variables: dict[str, np.ndarray], trial_type, *, alpha: float = 0.05,
                 anova_alpha: float = 0.01, classes: dict[str, str] | None = None) -> ValueTuning:
    """Classify units by the variable that best explains their trial-type mean rates (module docstring).

    Args:
        rates: ``[trials units]`` firing rate of each unit in the analysis window, or ``[trials windows units]``
            for several windows: a unit is task-related when the ANOVA passes in any window, and each variable
            scores the sum of its R^2 over the windows where its slope is significant (the authors' cell list,
            ``make_cellist_TT.m``, without its same-sign rule).
        variables: per-trial candidate variables (e.g. :func:`economic_variables`); each must be constant
            within a trial type.
        trial_type: integer trial type per trial (e.g. :func:`trial_types`).
    """
    rates = np.asarray(rates, float)
    if rates.ndim == 2:
        rates = rates[:, None, :]
    if rates.ndim != 3:
        raise ConfigError(f"rates must be [trials units] or [trials windows units], got shape {rates.shape}")
    tt = np.asarray(trial_type).ravel()
    if tt.shape[0] != rates.shape[0]:
        raise ConfigError(f"trial_type has {tt.shape[0]} entries for {rates.shape[0]} trials")
    classes = VALUE_CLASSES if classes is None else classes
    types = np.unique(tt)
    if types.size < 3:
        raise ConfigError(f"tuning needs at least 3 trial types, got {types.size}")
    names = tuple(variables)
    values = {}
    for name in names:
        v = np.asarray(variables[name], float).ravel()
        if v.shape[0] != rates.shape[0]:
            raise ConfigError(f"variable {name!r} has {v.shape[0]} entries for {rates.shape[0]} trials")
        per_type = [v[tt == k] for k in types]
        if any(np.ptp(x) > 1e-9 for x in per_type):
            raise ConfigError(f"variable {name!r} varies within a trial type")
        values[name] = np.array([x[0] for x in per_type])
    means = np.stack([rates[tt == k].mean(axis=0) for k in types])  # [types windows units]
    _, n_windows, n_units = rates.shape

    anova_p = np.ones((n_windows, n_units))
    groups = [rates[tt == k] for k in types if np.sum(tt == k) >= 2]
    for w in range(n_windows):
        for u in range(n_units):
            samples = [g[:, w, u] for g in groups]
            if len(samples) >= 2 and np.ptp(np.concatenate(samples)) > 0:
                p = stats.f_oneway(*samples).pvalue
                anova_p[w, u] = p if np.isfinite(p) else 1.0
    selected = (anova_p < anova_alpha).any(axis=0)

    r2 = np.zeros((n_units, n_windows, len(names)))
    slope = np.zeros_like(r2)
    pval = np.ones_like(r2)
    for j, name in enumerate(names):
        x = values[name]
        if np.ptp(x) == 0:
            continue
        for w in range(n_windows):
            for u in range(n_units):
                y = means[:, w, u]
                if np.ptp(y) == 0:
                    continue
                fit = stats.linregress(x, y)
                r2[u, w, j], slope[u, w, j], pval[u, w, j] = fit.rvalue ** 2, fit.slope, fit.pvalue

    significant = pval < alpha
    score = np.sum(r2 * significant, axis=1)  # [units vars]
    explains = significant.any(axis=1) & selected[:, None]
    best = np.full(n_units, "not selected", dtype=object)
    label = np.full(n_units, "not selected", dtype=object)
    for u in np.flatnonzero(selected):
        if not explains[u].any():
            best[u] = label[u] = "untuned"
            continue
        j = int(np.argmax(np.where(explains[u], score[u], -1.0)))
        best[u] = names[j]
        label[u] = classes.get(names[j], "other")
    return ValueTuning(variables=names, selected=selected, anova_p=anova_p, r2=r2, slope=slope, p=pval, score=score,
                       best=best.astype(str), label=label.astype(str), type_means=means, type_values=values)
