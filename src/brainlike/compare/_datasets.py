"""Score a Recording against a shipped data set with the metric the data set calls for."""

from __future__ import annotations

import numpy as np

from .._errors import ConfigError, DataError
from .._recording import Recording

__all__ = ["score_against", "SCORERS"]


def _stimulus_patterns(rec: Recording, n: int) -> np.ndarray:
    """Mean activity per stimulus, ``[stimuli units]``, from ``conditions['stimulus']`` (0..n-1)."""
    if "stimulus" not in rec.conditions:
        raise DataError("recording has no conditions['stimulus'] (the image shown on each trial)")
    stim = rec.conditions["stimulus"].astype(int)
    if set(np.unique(stim)) != set(range(n)):
        raise DataError(f"conditions['stimulus'] must cover the {n} images 0..{n - 1}; got {np.unique(stim).size} values")
    act = np.nanmean(rec.activity, axis=1)
    return np.stack([act[stim == k].mean(0) for k in range(n)])


def _kriegeskorte(rec: Recording) -> list[dict]:
    from ..data import load_kriegeskorte2008
    from ._rdm import compare_rdms, noise_ceiling, rdm

    data = load_kriegeskorte2008()
    model = rdm(_stimulus_patterns(rec, data.images.shape[0]))
    subjects = data.subjects()[1]
    ceiling = noise_ceiling(subjects, "kendall_tau_a")
    rows = []
    for name, target in data.rdms.items():
        for method in ("spearman", "kendall_tau_a"):
            rows.append({"target": name, "metric": f"RSA, correlation RDM, {method}",
                         "value": compare_rdms(model, target, method)})
    rows.append({"target": "human_it subjects", "metric": "RSA, kendall_tau_a, mean over subjects",
                 "value": float(np.mean(compare_rdms(model, subjects, "kendall_tau_a")))})
    rows.append({"target": "human_it subjects", "metric": "noise ceiling (kendall_tau_a, sessions averaged per subject), lower / upper",
                 "value": f"{ceiling.lower:.3f} / {ceiling.upper:.3f}"})
    return rows


def _dabney(rec: Recording) -> list[dict]:
    from .. import analysis as A
    from ..data import load_dabney2020

    rows = []
    for who, r in (("recording", rec), ("dabney2020 data", load_dabney2020())):
        resp, reward = A.reward_responses(r), r.conditions["reward"]
        rev = A.reversal_points(resp, reward)
        split = A.split_half_reliability(resp, reward)
        corr = A.asymmetry_reversal_correlation(resp, reward)
        lo, hi = np.nanpercentile(rev, [10, 90])
        rows += [{"target": who, "metric": "reversal points, 10th-90th percentile", "value": f"{lo:.2f}-{hi:.2f}"},
                 {"target": who, "metric": "split-half reliability r (p)", "value": f"{split.r:.3f} ({split.p:.2g})"},
                 {"target": who, "metric": "asymmetry-reversal r (p)", "value": f"{corr.r:.3f} ({corr.p:.2g})"}]
    return rows


SCORERS = {"kriegeskorte2008_92images": _kriegeskorte, "dabney2020_dopamine": _dabney}


def score_against(rec: Recording, dataset: str) -> list[dict]:
    """Rows ``{target, metric, value}`` comparing ``rec`` with ``dataset``: RSA against the IT RDMs
    with the human noise ceiling (92 images), or the distributional-code analyses side by side
    (dopamine neurons)."""
    if dataset not in SCORERS:
        raise ConfigError(f"unknown data set {dataset!r} for comparison; data sets: {', '.join(SCORERS)}")
    return SCORERS[dataset](rec)
