"""Distributional reward codes in a population of dopamine neurons (Dabney et al. 2020 Nature).

Each unit's response to a reward of size r changes sign at its *reversal point*; the slopes below and
above it give its *asymmetry* tau = a+ / (a+ + a-). Under distributional TD with an expectile code, the
reversal point of a unit is the tau-expectile of the reward distribution (Dabney et al. 2020, Eq. 2 and
Methods), so reversal points and asymmetries are correlated and the reward distribution can be decoded
from them ("expectile imputation"). Every function here takes responses as ``[trials units]`` (NaN
where a unit has no trial) with the reward of each trial, so it runs alike on a model and on the data.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import optimize, stats

from .._errors import DataError
from .._recording import Recording

__all__ = ["reward_responses", "reversal_points", "asymmetries", "split_half_reliability", "SplitHalf",
           "asymmetry_reversal_correlation", "expectiles", "impute_distribution"]


def reward_responses(rec: Recording, epoch: str = "reward") -> np.ndarray:
    """Mean activity of each unit in the ``epoch`` window of each trial, ``[trials units]``."""
    if epoch not in rec.epochs:
        raise DataError(f"recording has no epochs[{epoch!r}] (epochs: {', '.join(rec.epochs) or 'none'})")
    if "reward" not in rec.conditions:
        raise DataError("recording has no conditions['reward'] (the reward size of each trial)")
    ep = rec.epochs[epoch]
    t = np.arange(rec.n_time)
    window = (t[None, :] >= ep[:, :1]) & (t[None, :] < ep[:, 1:])  # [trials time]
    if not window.any(axis=1).all():
        raise DataError(f"epochs[{epoch!r}] is empty on some trials")
    act = np.where(window[:, :, None], rec.activity, np.nan)
    with np.errstate(invalid="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmean(act, axis=1)


def _level_means(responses: np.ndarray, reward: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    responses, reward = np.asarray(responses, float), np.asarray(reward, float)
    if responses.ndim != 2 or reward.shape != (responses.shape[0],):
        raise ValueError(f"responses must be [trials units] with reward [trials]; got {responses.shape} and "
                         f"{reward.shape}")
    levels = np.unique(reward)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.stack([np.nanmean(responses[reward == v], axis=0) for v in levels])  # [levels units]
    return levels, means


def _kink_fit(responses: np.ndarray, reward: np.ndarray, n_grid: int = 400):
    """Least-squares fit of ``a+ (r - k)+ - a- (k - r)+`` to each unit's single-trial responses, the
    kink ``k`` searched on a grid of reward sizes strictly inside the tested range: ``(k, a+, a-)``."""
    responses, reward = np.asarray(responses, float), np.asarray(reward, float)
    levels = np.unique(reward)
    lo, hi = levels[0], levels[-1]
    grid = np.geomspace(lo, hi, n_grid + 2)[1:-1] if lo > 0 else np.linspace(lo, hi, n_grid + 2)[1:-1]
    kink, a_pos, a_neg = (np.full(responses.shape[1], np.nan) for _ in range(3))
    for u in range(responses.shape[1]):
        y = responses[:, u]
        ok = np.isfinite(y)
        x, y = reward[ok], y[ok]
        if np.unique(x).size < 3:
            continue
        dx = x[None, :] - grid[:, None]  # [grid trials]
        up, down = np.maximum(dx, 0), np.minimum(dx, 0)
        # Normal equations of the two-column least squares, for every kink at once.
        suu, sdd, sud = (up * up).sum(1), (down * down).sum(1), (up * down).sum(1)
        suy, sdy = (up * y).sum(1), (down * y).sum(1)
        det = suu * sdd - sud**2
        with np.errstate(invalid="ignore", divide="ignore"):
            ap = (sdd * suy - sud * sdy) / det
            an = (suu * sdy - sud * suy) / det
            sse = ((y[None, :] - ap[:, None] * up - an[:, None] * down) ** 2).sum(1)
        sse = np.where(det > 0, sse, np.inf)
        if np.isfinite(sse).any():
            i = int(np.argmin(sse))
            kink[u], a_pos[u], a_neg[u] = grid[i], ap[i], an[i]
    return kink, a_pos, a_neg


def reversal_points(responses: np.ndarray, reward: np.ndarray, method: str = "fit") -> np.ndarray:
    """The reward size at which each unit's response changes sign, ``[units]`` (Dabney et al. 2020,
    Fig. 2b-c).

    ``method="fit"`` (default): the zero crossing of a piecewise-linear fit with different slopes below
    and above it (the unit's response function under distributional TD), fitted to single trials.
    ``method="interpolate"``: linear interpolation of the mean response between the reward sizes around
    its last negative-to-positive crossing; it is biased when the slopes differ (the crossing is pulled
    towards the midpoint of the two sizes). Units with no crossing in the tested range get NaN from
    "fit"; from "interpolate" the smallest size (all responses positive) or the largest (all negative).
    """
    if method == "fit":
        kink, a_pos, a_neg = _kink_fit(responses, reward)
        return np.where((a_pos > 0) & (a_neg > 0), kink, np.nan)
    if method != "interpolate":
        raise ValueError(f"method must be 'fit' or 'interpolate', got {method!r}")
    levels, means = _level_means(responses, reward)
    out = np.full(means.shape[1], np.nan)
    for u in range(means.shape[1]):
        y = means[:, u]
        ok = np.isfinite(y)
        if ok.sum() < 2:
            continue
        x, y = levels[ok], y[ok]
        up = np.nonzero((y[:-1] < 0) & (y[1:] >= 0))[0]
        if up.size:
            i = up[-1]
            out[u] = x[i] + (0.0 - y[i]) * (x[i + 1] - x[i]) / (y[i + 1] - y[i])
        else:
            out[u] = x[0] if np.all(y >= 0) else x[-1] if np.all(y < 0) else np.nan
    return out


def asymmetries(responses: np.ndarray, reward: np.ndarray) -> np.ndarray:
    """``a+ / (a+ + a-)`` per unit (Dabney et al. 2020, Fig. 2e): the slopes above and below the kink of
    the piecewise-linear fit of :func:`reversal_points`.

    The slopes are measured around the fitted kink, not around a reversal point estimated separately:
    slopes around a misplaced reversal point are biased towards an asymmetry that grows with the error,
    which makes reversal points and asymmetries correlate even in a population without any (the
    classical-TD null). NaN where a slope is not positive.
    """
    _, a_pos, a_neg = _kink_fit(responses, reward)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((a_pos > 0) & (a_neg > 0), a_pos / (a_pos + a_neg), np.nan)


@dataclasses.dataclass(frozen=True)
class SplitHalf:
    """Correlation across units between two disjoint halves of the trials, over ``n_splits`` random
    partitions: ``r`` the mean Pearson r, ``p`` the median p-value, ``first`` the two halves' values of
    the first partition (for a scatter plot)."""

    r: float
    p: float
    r_splits: np.ndarray
    first: tuple[np.ndarray, np.ndarray]

    def to_dict(self) -> dict:
        return {"r": self.r, "p": self.p, "r_splits_sd": float(np.std(self.r_splits)), "n_splits": len(self.r_splits)}


def _halves(reward: np.ndarray, responses: np.ndarray, rng: np.random.Generator):
    """Two disjoint trial masks, half of each unit's trials of each reward size in each (NaN-aware)."""
    a = np.zeros(responses.shape, bool)
    for v in np.unique(reward):
        idx = np.nonzero(reward == v)[0]
        for u in range(responses.shape[1]):
            have = idx[np.isfinite(responses[idx, u])]
            pick = rng.permutation(have)[: have.size // 2]
            a[pick, u] = True
    b = np.isfinite(responses) & ~a
    return np.where(a, responses, np.nan), np.where(b, responses, np.nan)


def _pearson(x, y) -> tuple[float, float]:
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 3 or np.ptp(x[ok]) == 0 or np.ptp(y[ok]) == 0:
        return float("nan"), float("nan")
    res = stats.pearsonr(x[ok], y[ok])
    return float(res.statistic), float(res.pvalue)


def split_half_reliability(responses: np.ndarray, reward: np.ndarray, *, seed: int = 0,
                           n_splits: int = 50) -> SplitHalf:
    """Reliability of reversal points: reversal points from one random half of each unit's trials
    against the other half, correlated across units (Dabney et al. 2020, Fig. 2c)."""
    rng = np.random.default_rng(seed)
    rs, ps, first = [], [], None
    for _ in range(n_splits):
        a, b = _halves(np.asarray(reward, float), np.asarray(responses, float), rng)
        ra, rb = reversal_points(a, reward), reversal_points(b, reward)
        r, p = _pearson(ra, rb)
        rs.append(r), ps.append(p)
        first = first or (ra, rb)
    return SplitHalf(float(np.nanmean(rs)), float(np.nanmedian(ps)), np.asarray(rs), first)


def asymmetry_reversal_correlation(responses: np.ndarray, reward: np.ndarray, *, seed: int = 0,
                                   n_splits: int = 50) -> SplitHalf:
    """Correlation across units of asymmetry with reversal point, each estimated on a different half
    of the trials so that shared noise cannot make the correlation (Dabney et al. 2020, Fig. 2f):
    reversal points from half A, asymmetries from half B."""
    rng = np.random.default_rng(seed)
    rs, ps, first = [], [], None
    for _ in range(n_splits):
        a, b = _halves(np.asarray(reward, float), np.asarray(responses, float), rng)
        rev = reversal_points(a, reward)
        tau = asymmetries(b, reward)
        r, p = _pearson(rev, tau)
        rs.append(r), ps.append(p)
        first = first or (rev, tau)
    return SplitHalf(float(np.nanmean(rs)), float(np.nanmedian(ps)), np.asarray(rs), first)


def expectiles(values: np.ndarray, probabilities: np.ndarray, taus: np.ndarray) -> np.ndarray:
    """The tau-expectiles of a discrete distribution: the e with tau E[(X-e)+] = (1-tau) E[(e-X)+]."""
    values, probabilities = np.asarray(values, float), np.asarray(probabilities, float)

    def g(e, tau):
        return tau * np.sum(probabilities * np.maximum(values - e, 0)) - (1 - tau) * np.sum(
            probabilities * np.maximum(e - values, 0))

    lo, hi = values.min(), values.max()
    return np.array([lo if t <= 0 else hi if t >= 1 else optimize.brentq(g, lo, hi, args=(t,))
                     for t in np.asarray(taus, float)])


def impute_distribution(reversal: np.ndarray, taus: np.ndarray, *, n_samples: int = 100,
                        n_restarts: int = 10, bounds: tuple[float, float] | None = None,
                        seed: int = 0) -> np.ndarray:
    """Decode a reward distribution from expectiles (Dabney et al. 2020, Methods, "imputation").

    Finds ``n_samples`` values whose tau_i-expectiles match the reversal points: minimises the sum over
    units of the squared expectile condition ``mean_j |tau_i - 1[z_j < e_i]| (z_j - e_i)``, from
    ``n_restarts`` random starts, and returns every restart's samples pooled, ``[n_restarts *
    n_samples]``. Units with a NaN reversal point or asymmetry are left out.
    """
    e, tau = np.asarray(reversal, float), np.asarray(taus, float)
    ok = np.isfinite(e) & np.isfinite(tau)
    if ok.sum() < 2:
        raise ValueError(f"impute_distribution needs at least 2 units with a reversal point and asymmetry, got {ok.sum()}")
    e, tau = e[ok], np.clip(tau[ok], 1e-3, 1 - 1e-3)
    lo, hi = bounds if bounds is not None else (float(e.min()), float(e.max()))
    rng = np.random.default_rng(seed)

    def loss(z):
        d = z[None, :] - e[:, None]  # [units samples]
        w = np.where(d < 0, 1 - tau[:, None], tau[:, None])
        cond = np.mean(w * d, axis=1)
        grad = 2 * (cond[:, None] * w).sum(axis=0) / z.size
        return float(np.sum(cond**2)), grad

    out = []
    for _ in range(n_restarts):
        z0 = rng.uniform(lo, hi, n_samples)
        res = optimize.minimize(loss, z0, jac=True, method="L-BFGS-B", bounds=[(lo, hi)] * n_samples)
        out.append(res.x)
    return np.concatenate(out)
