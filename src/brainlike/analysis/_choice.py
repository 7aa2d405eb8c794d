"""Analyses of sequential choice: regret in bandits, and the two-step task's stay probabilities and
lagged logistic regression (the same functions read an agent's trials and a person's).

- Regret (Lai & Robbins 1985): the expected reward lost to not pulling the best arm, summed over pulls.
- Stay probabilities (Daw et al. 2011 Neuron 69:1204, Fig. 2): the probability of repeating the previous
  first-stage choice, by the previous trial's reward and transition (common or rare). A model-free
  learner repeats what was rewarded (main effect of reward); a model-based learner repeats a rewarded
  choice after a common transition but switches after a rare one (reward x transition interaction).
- Lagged logistic regression (Miller, Botvinick & Brody 2017 Nat Neurosci 20:1269, Fig. 2; Akam et al. 2015):
  the choice on trial ``t`` regressed on the four outcome types of trials ``t-1..t-L`` (common-rewarded,
  common-unrewarded, rare-rewarded, rare-unrewarded), each coded +1 or -1 by the choice made then. The
  model-based index is ``sum_k (b_CR - b_CO - b_RR + b_RO)``, the model-free index
  ``sum_k (b_CR - b_CO + b_RR - b_RO)``; with ``L = 1`` the model-based index is twice the reward x
  transition interaction of the stay regression.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .._errors import ConfigError

__all__ = ["cumulative_regret", "stay_probabilities", "two_step_regression", "TwoStepRegression",
           "OUTCOME_TYPES"]

OUTCOME_TYPES = ("common_rewarded", "common_unrewarded", "rare_rewarded", "rare_unrewarded")


def cumulative_regret(regret) -> dict[str, np.ndarray]:
    """Mean cumulative regret over episodes and its standard error: ``regret [episodes pulls]``."""
    regret = np.asarray(regret, float)
    if regret.ndim != 2:
        raise ConfigError(f"regret must be [episodes pulls], got shape {regret.shape}")
    cum = np.cumsum(regret, axis=1)
    return {"pull": np.arange(1, regret.shape[1] + 1), "mean": cum.mean(0),
            "sem": cum.std(0, ddof=1) / np.sqrt(max(cum.shape[0], 1)) if cum.shape[0] > 1 else np.zeros(cum.shape[1])}


def _as_trials(choice, common, reward, session):
    choice, common, reward = (np.asarray(a) for a in (choice, common, reward))
    session = np.zeros(choice.shape, int) if session is None else np.asarray(session)
    if not (choice.shape == common.shape == reward.shape == session.shape) or choice.ndim != 1:
        raise ConfigError(f"choice, common, reward and session must be 1-d of one length, got {choice.shape}, "
                          f"{common.shape}, {reward.shape}, {session.shape}")
    if not np.isin(choice, (0, 1)).all():
        raise ConfigError("choice must be 0 or 1 (drop missed trials first)")
    return choice.astype(int), common.astype(bool), (reward > 0), session


def stay_probabilities(choice, common, reward, session=None) -> dict[str, float]:
    """P(repeat the first-stage choice) after each (reward, transition) of the previous trial, over
    consecutive trials of the same ``session`` (an episode, a subject's block); plus the counts."""
    choice, common, reward, session = _as_trials(choice, common, reward, session)
    same = session[1:] == session[:-1]
    stay = (choice[1:] == choice[:-1])[same]
    prev_c, prev_r = common[:-1][same], reward[:-1][same]
    out = {}
    for name, r, c in (("common_rewarded", True, True), ("rare_rewarded", True, False),
                       ("common_unrewarded", False, True), ("rare_unrewarded", False, False)):
        sel = (prev_r == r) & (prev_c == c)
        out[name] = float(stay[sel].mean()) if sel.any() else float("nan")
        out[f"n_{name}"] = int(sel.sum())
    return out


@dataclasses.dataclass(frozen=True)
class TwoStepRegression:
    """Coefficients of the lagged regression: ``coef[type][k-1]`` for lag ``k``, the intercept (a bias to
    choice 0), and the model-based and model-free indices."""

    coef: dict[str, np.ndarray]
    intercept: float
    model_based: float
    model_free: float
    lags: int
    n_trials: int

    def to_dict(self) -> dict:
        return {"coef": {k: v.tolist() for k, v in self.coef.items()}, "intercept": self.intercept,
                "model_based": self.model_based, "model_free": self.model_free, "lags": self.lags,
                "n_trials": self.n_trials}


def two_step_regression(choice, common, reward, session=None, *, lags: int = 1, l2: float = 1e-2
                        ) -> TwoStepRegression:
    """Logistic regression of each first-stage choice on the outcome types of the ``lags`` trials before it
    (same ``session``; trials with fewer predecessors are left out). A weak L2 penalty (``l2``, on the
    coefficients, not the intercept) keeps the fit finite for a perfectly consistent agent."""
    from sklearn.linear_model import LogisticRegression

    if lags < 1:
        raise ConfigError(f"lags must be >= 1, got {lags}")
    choice, common, reward, session = _as_trials(choice, common, reward, session)
    n = choice.size
    sign = np.where(choice == 0, 1.0, -1.0)
    types = np.stack([common & reward, common & ~reward, ~common & reward, ~common & ~reward], axis=1)
    rows = [t for t in range(lags, n) if session[t - lags] == session[t]]
    if len(rows) < 4 * lags + 2:
        raise ConfigError(f"too few trials for a {lags}-lag regression: {len(rows)} usable")
    rows = np.asarray(rows)
    X = np.concatenate([types[rows - k] * sign[rows - k][:, None] for k in range(1, lags + 1)], axis=1)
    y = choice[rows] == 0
    if np.unique(y).size < 2:
        raise ConfigError("every choice is the same: the regression is undefined")
    fit = LogisticRegression(C=1.0 / (l2 * len(rows)), max_iter=2000).fit(X, y)
    b = fit.coef_[0].reshape(lags, 4)
    coef = {name: b[:, i] for i, name in enumerate(OUTCOME_TYPES)}
    cr, co, rr, ro = (coef[k] for k in OUTCOME_TYPES)
    return TwoStepRegression(coef=coef, intercept=float(fit.intercept_[0]),
                             model_based=float(np.sum(cr - co - rr + ro)), model_free=float(np.sum(cr - co + rr - ro)),
                             lags=lags, n_trials=int(len(rows)))
