"""Representational dissimilarity matrices and their comparison (Kriegeskorte et al. 2008; Nili et al.
2014; Walther et al. 2016; Diedrichsen et al. 2021 for the whitened cosine).

RDMs are condensed vectors (the upper triangle, row by row, as ``scipy.spatial.distance.squareform``
and rsatoolbox store them), ``[pairs]`` or ``[rdms pairs]`` for several subjects.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import stats
from scipy.spatial.distance import squareform

from .._errors import ConfigError
from ._checks import patterns

__all__ = ["rsa", "rdm", "crossnobis_rdm", "square", "compare_rdms", "noise_ceiling", "bootstrap_rdm_comparison",
           "category_separation", "Separation", "RDM_METHODS", "RDM_COMPARISONS"]

RDM_METHODS = ("correlation", "euclidean")
RDM_COMPARISONS = ("spearman", "pearson", "kendall_tau_a", "rho_a", "cosine", "whitened_cosine")


def rdm(x, method: str = "correlation") -> np.ndarray:
    """The RDM of ``x`` ``[stimuli units]``: ``"correlation"`` (1 - Pearson r between two stimuli's
    patterns) or ``"euclidean"`` (squared Euclidean distance / units, as rsatoolbox). Only this function
    makes a stimuli^2 object; the kernel methods (CKA) never do."""
    x = patterns(x, "x")
    if method == "correlation":
        z = x - x.mean(axis=1, keepdims=True)
        norm = np.linalg.norm(z, axis=1, keepdims=True)
        if np.any(norm == 0):
            raise ConfigError("correlation RDM: a stimulus has the same response in every unit (zero variance)")
        z /= norm
        d = 1.0 - z @ z.T
    elif method == "euclidean":
        sq = np.sum(x**2, axis=1)
        d = (sq[:, None] + sq[None] - 2 * x @ x.T) / x.shape[1]
    else:
        raise ConfigError(f"unknown RDM method {method!r}; methods: {', '.join(RDM_METHODS)}")
    np.fill_diagonal(d, 0.0)
    return squareform(d, checks=False)


def crossnobis_rdm(x, noise_precision=None) -> np.ndarray:
    """Cross-validated Mahalanobis ("crossnobis") RDM from ``x`` ``[folds stimuli units]`` (independent
    measurements, e.g. runs): for each fold, the difference vectors of that fold against the mean of the
    others, through ``noise_precision`` ``[units units]`` (identity: cross-validated Euclidean); averaged
    over folds and divided by units (Walther et al. 2016; rsatoolbox ``calc_rdm_crossnobis``). Unbiased:
    0 on average where two stimuli do not differ."""
    x = np.asarray(x, float)
    if x.ndim != 3 or x.shape[0] < 2:
        raise ConfigError(f"crossnobis_rdm needs x as [folds stimuli units] with >= 2 folds, got shape {x.shape}")
    n_units = x.shape[2]
    prec = np.eye(n_units) if noise_precision is None else np.asarray(noise_precision, float)
    if prec.shape != (n_units, n_units):
        raise ConfigError(f"noise_precision has shape {prec.shape}, expected ({n_units}, {n_units})")
    out = []
    total = x.sum(axis=0)
    for f in range(x.shape[0]):
        train = (total - x[f]) / (x.shape[0] - 1)
        k = train @ prec @ x[f].T
        d = np.diag(k)[None] + np.diag(k)[:, None] - k - k.T
        np.fill_diagonal(d, 0.0)
        out.append(squareform((d + d.T) / 2, checks=False) / n_units)
    return np.mean(out, axis=0)


def square(vector) -> np.ndarray:
    """Condensed RDM -> square matrix."""
    return squareform(np.asarray(vector, float), checks=False)


def _vectors(a) -> np.ndarray:
    v = np.asarray(a, float)
    return v[None] if v.ndim == 1 else v


def _whiten(v: np.ndarray) -> np.ndarray:
    """RDM vectors -> double-centred second-moment matrices G = -1/2 H D H, flattened."""
    n = square(v[0]).shape[0]
    h = np.eye(n) - 1.0 / n
    return np.stack([(-0.5 * h @ square(x) @ h).ravel() for x in v])


def _tied_pairs(x: np.ndarray) -> int:
    _, counts = np.unique(x, return_counts=True)
    return int(np.sum(counts * (counts - 1) // 2))


def _tau_a(a: np.ndarray, b: np.ndarray) -> float:
    """Kendall's tau-a: (concordant - discordant) / all pairs, ties counted in neither. In O(n log n):
    scipy's tau-b is (C - D) / sqrt((P - T_a)(P - T_b)) with T the pairs tied in each variable, so its
    numerator is recovered from the tie counts (the direct sum over pairs is O(n^2): 0.25 s per RDM
    pair of 92 stimuli)."""
    n = a.size
    pairs = n * (n - 1) // 2
    norm = np.sqrt(float(pairs - _tied_pairs(a)) * float(pairs - _tied_pairs(b)))
    if norm == 0:
        return 0.0
    tau_b = stats.kendalltau(a, b, variant="b").statistic
    return float(tau_b * norm / pairs)


def compare_rdms(a, b, method: str = "spearman") -> np.ndarray:
    """Similarity of every RDM in ``a`` with every RDM in ``b`` (``[len(a) len(b)]``; a float when both
    are single RDMs): ``spearman``, ``pearson``, ``kendall_tau_a`` (Nili et al. 2014: for models that
    predict ties), ``rho_a`` (Spearman without tie correction), ``cosine``, ``whitened_cosine`` (cosine
    of the double-centred second-moment matrices: rsatoolbox's ``cosine_cov`` without a noise model)."""
    va, vb = _vectors(a), _vectors(b)
    if va.shape[1] != vb.shape[1]:
        raise ConfigError(f"RDMs have {va.shape[1]} and {vb.shape[1]} pairs (different numbers of stimuli)")
    if method not in RDM_COMPARISONS:
        raise ConfigError(f"unknown RDM comparison {method!r}; methods: {', '.join(RDM_COMPARISONS)}")
    if method in ("spearman", "rho_a"):
        va, vb = (np.apply_along_axis(stats.rankdata, 1, v) for v in (va, vb))
    if method == "kendall_tau_a":
        out = np.array([[_tau_a(x, y) for y in vb] for x in va])
    elif method == "rho_a":
        n = va.shape[1]
        ca, cb = va - va.mean(1, keepdims=True), vb - vb.mean(1, keepdims=True)
        out = 12 * ca @ cb.T / (n**3 - n)
    else:
        if method == "whitened_cosine":
            va, vb = _whiten(va), _whiten(vb)
        elif method in ("spearman", "pearson"):
            va, vb = va - va.mean(1, keepdims=True), vb - vb.mean(1, keepdims=True)
        na, nb = np.linalg.norm(va, axis=1), np.linalg.norm(vb, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = (va @ vb.T) / np.outer(na, nb)
    return float(out[0, 0]) if np.ndim(a) == 1 and np.ndim(b) == 1 else out


def _pool(v: np.ndarray, method: str) -> np.ndarray:
    """The group RDM the ceiling compares against, pooled as rsatoolbox's ``pool_rdm`` does."""
    if method in ("spearman", "rho_a", "kendall_tau_a"):
        return np.apply_along_axis(stats.rankdata, 1, v).mean(0)
    if method == "pearson":
        z = (v - v.mean(1, keepdims=True)) / v.std(1, keepdims=True)
        m = z.mean(0)
        return m - m.min()
    if method == "cosine":
        return (v / np.linalg.norm(v, axis=1, keepdims=True)).mean(0)
    return (v / np.sqrt(np.mean(v**2, axis=1, keepdims=True))).mean(0)  # whitened_cosine


@dataclasses.dataclass(frozen=True)
class NoiseCeiling:
    """How well the best possible model could do given subject variability (Nili et al. 2014): the
    ``lower`` bound compares each subject with the others' pooled RDM, the ``upper`` with all
    subjects' (including itself)."""

    lower: float
    upper: float


def noise_ceiling(subject_rdms, method: str = "spearman") -> NoiseCeiling:
    """Lower and upper noise ceiling from ``subject_rdms`` ``[subjects pairs]`` (>= 2 subjects)."""
    v = _vectors(subject_rdms)
    if v.shape[0] < 2:
        raise ConfigError(f"noise_ceiling needs >= 2 subjects' RDMs, got {v.shape[0]}")
    everyone = _pool(v, method)
    lo, hi = [], []
    for s in range(v.shape[0]):
        others = _pool(np.delete(v, s, axis=0), method)
        lo.append(compare_rdms(others, v[s], method))
        hi.append(compare_rdms(everyone, v[s], method))
    return NoiseCeiling(float(np.mean(lo)), float(np.mean(hi)))


def bootstrap_rdm_comparison(model_rdm, data_rdm, method: str = "spearman", *, n_boot: int = 1000,
                             seed: int = 0) -> np.ndarray:
    """The comparison over ``n_boot`` bootstrap resamples, ``[n_boot]`` — for a confidence interval, or
    a paired test between models (same ``seed``: the same resamples).

    Stimuli are resampled with replacement (rows and columns of both RDMs together; pairs of a stimulus
    with its own copy left out). When ``data_rdm`` is ``[subjects pairs]``, subjects are resampled too
    and the model is compared with the mean of the drawn subjects' RDMs (Nili et al. 2014)."""
    if method == "whitened_cosine":
        raise ConfigError("bootstrap_rdm_comparison: whitened_cosine needs whole RDMs; use another method")
    data = _vectors(data_rdm)
    a = square(model_rdm)
    subjects = np.stack([square(d) for d in data])
    if subjects.shape[1:] != a.shape:
        raise ConfigError(f"model RDM is {a.shape}, data RDMs {subjects.shape[1:]}")
    rng = np.random.default_rng(seed)
    n = a.shape[0]
    out = np.empty(n_boot)
    i, j = np.triu_indices(n, 1)
    for k in range(n_boot):
        idx = rng.integers(0, n, n)
        who = rng.integers(0, len(subjects), len(subjects)) if len(subjects) > 1 else np.zeros(1, int)
        b = subjects[who].mean(0)
        keep = idx[i] != idx[j]
        out[k] = compare_rdms(a[idx[i], idx[j]][keep], b[idx[i], idx[j]][keep], method)
    return out


@dataclasses.dataclass(frozen=True)
class Separation:
    """How far an RDM separates two categories: ``index`` and its label-permutation ``p`` value."""

    index: float
    p: float


def category_separation(rdm_vector, labels, *, n_permutations: int = 1000, seed: int = 0) -> Separation:
    """Category separation index of an RDM: twice the difference between the mean rank of the
    dissimilarities between stimuli of different categories and that of pairs within a category, ranks
    as fractions of all pairs. 0: no separation; 1: every between-category pair more dissimilar than
    every within-category one (whatever the category sizes); negative: categories mixed more than by
    chance. Ranks make RDMs of different measures comparable, as in Kriegeskorte et al. 2008's
    rank-transformed RDMs. ``p``: the fraction of ``n_permutations`` shuffles of ``labels`` with an
    index at least as large (one-sided, with the +1 correction)."""
    v = _vectors(rdm_vector)
    if v.shape[0] != 1:
        raise ConfigError("category_separation takes one RDM")
    labels = np.asarray(labels)
    n = square(v[0]).shape[0]
    if labels.shape != (n,):
        raise ConfigError(f"category_separation: {labels.shape[0] if labels.ndim else 0} labels for an RDM of {n} stimuli")
    if np.unique(labels).size < 2:
        raise ConfigError("category_separation: labels name only one category")
    r = (stats.rankdata(v[0]) - 0.5) / v.shape[1]
    i, j = np.triu_indices(n, 1)

    def index(lab):
        between = lab[i] != lab[j]
        return 2.0 * (r[between].mean() - r[~between].mean())

    observed = index(labels)
    rng = np.random.default_rng(seed)
    null = np.array([index(rng.permutation(labels)) for _ in range(n_permutations)])
    return Separation(float(observed), float((1 + np.sum(null >= observed)) / (1 + n_permutations)))


def _distance_form(x: np.ndarray, method: str):
    """Write the RDM of ``x`` as d_ij = u_i + u_j + c f_i . f_j: returns (u, c, f)."""
    if method == "correlation":
        z = x - x.mean(axis=1, keepdims=True)
        z /= np.linalg.norm(z, axis=1, keepdims=True)
        return np.full(x.shape[0], 0.5), -1.0, z
    return np.sum(x**2, axis=1) / x.shape[1], -2.0 / x.shape[1], x


def _pair_sums(a, b):
    """Sum over pairs i < j of d_a d_b, from the distance forms, in O(stimuli units^2)."""
    (u, c, f), (v, e, g) = a, b
    n = u.size
    fs, gs = f.sum(0), g.sum(0)
    total = (2 * n * (u @ v) + 2 * u.sum() * v.sum() + 2 * e * (u @ (g @ gs)) + 2 * c * (v @ (f @ fs))
             + c * e * np.linalg.norm(f.T @ g) ** 2)
    diag_a = 2 * u + c * np.sum(f * f, 1)  # d_ii (0 up to rounding)
    diag_b = 2 * v + e * np.sum(g * g, 1)
    return (total - diag_a @ diag_b) / 2


def _pair_sum(a):
    u, c, f = a
    n = u.size
    return (2 * n * u.sum() + c * np.linalg.norm(f.sum(0)) ** 2 - np.sum(2 * u + c * np.sum(f * f, 1))) / 2


def _rsa_feature_space(x, y, rdm_method, comparison) -> float:
    """Pearson or cosine between two correlation/Euclidean RDMs without forming them: every sum over
    pairs is a sum of feature-space products (e.g. sum_ij K_ij L_ij = ||F'G||_F^2)."""
    a, b = _distance_form(x, rdm_method), _distance_form(y, rdm_method)
    sab, saa, sbb = _pair_sums(a, b), _pair_sums(a, a), _pair_sums(b, b)
    if comparison == "cosine":
        return float(sab / np.sqrt(saa * sbb))
    n = x.shape[0]
    p = n * (n - 1) / 2
    ma, mb = _pair_sum(a) / p, _pair_sum(b) / p
    return float((sab / p - ma * mb) / np.sqrt((saa / p - ma**2) * (sbb / p - mb**2)))


def rsa(x, y, rdm_method: str = "correlation", comparison: str = "spearman") -> float:
    """RSA between two representations ``[stimuli units]``: their RDMs (``rdm_method``) compared by
    ``comparison``.

    Without forming an RDM (memory and time linear in stimuli): correlation or Euclidean RDMs compared
    by ``pearson`` or ``cosine`` (sums over pairs written as feature-space products), and Euclidean RDMs
    by ``whitened_cosine`` (equal to linear CKA, since -1/2 H D H = H X X' H / units). Rank-based
    comparisons (``spearman``, ``kendall_tau_a``, ``rho_a``) and the whitened cosine of correlation RDMs
    build both RDMs (stimuli^2 memory; ranking 5e7 pairs takes ~20 s on a 2-core CPU)."""
    from ._checks import same_stimuli
    from ._cka import cka

    x, y = patterns(x, "x"), patterns(y, "y")
    same_stimuli(x, y)
    if rdm_method not in RDM_METHODS:
        raise ConfigError(f"unknown RDM method {rdm_method!r}; methods: {', '.join(RDM_METHODS)}")
    if comparison not in RDM_COMPARISONS:
        raise ConfigError(f"unknown RDM comparison {comparison!r}; methods: {', '.join(RDM_COMPARISONS)}")
    if rdm_method == "euclidean" and comparison == "whitened_cosine":
        return cka(x, y)
    if comparison in ("pearson", "cosine"):
        if rdm_method == "correlation" and np.any(np.ptp(x, axis=1) == 0) | np.any(np.ptp(y, axis=1) == 0):
            raise ConfigError("correlation RDM: a stimulus has the same response in every unit (zero variance)")
        return _rsa_feature_space(x, y, rdm_method, comparison)
    return compare_rdms(rdm(x, rdm_method), rdm(y, rdm_method), comparison)
