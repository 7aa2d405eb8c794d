"""Task variance, clustering of units by task selectivity, and fractional task variance (Yang,
Joglekar, Song, Newsome & Wang 2019 Nat Neurosci 22:297, Figs. 2-3 and Methods).

The task variance of unit ``i`` in task ``a`` is the variance of its activity across the stimulus
conditions of the task, averaged over time from ``t_start`` on: ``TV_i(a) = < Var_conditions r_i(t) >_t``.
Yang et al. start each task's window at its own stimulus onset, the end of its first fixation epoch
(gyyang/multitask ``variance.py``: ``h[trial.epochs['fix1'][1]:]``), so ``t_start`` may differ by task.
Normalised by each unit's largest task variance, the vector ``TV_i / max_a TV_i(a)`` says which tasks the
unit is selective in; units with similar vectors are clustered (k-means, the number of clusters chosen by
the silhouette score). The fractional task variance between tasks ``a`` and ``b``,
``FTV_i = (TV_i(a) - TV_i(b)) / (TV_i(a) + TV_i(b))``, is 1 or -1 for a unit engaged in one task only and 0
for one engaged equally in both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np

from .._errors import ConfigError
from .._recording import Recording

__all__ = ["task_variance", "random_rotation", "normalized_task_variance", "active_units", "cluster_units", "UnitClusters",
           "fractional_task_variance", "exclusive_fractions", "exclusive_units_test"]


def task_variance(recordings: Mapping[str, Recording] | Mapping[str, np.ndarray], *,
                  t_start: float | Mapping[str, float] = 500.0, dt: float | None = None,
                  rotation: np.ndarray | None = None) -> tuple[np.ndarray, list[str]]:
    """``[units tasks]`` task variance and the task names, from one recording per task (trials: the
    task's stimulus conditions, all of the same length) or ``[trials time units]`` arrays with ``dt``.
    Time before ``t_start`` ms is left out: one time for every task, or a mapping with one per task (each
    task's stimulus onset, as Yang et al.).

    ``rotation`` (``[units units]``, orthogonal) turns the activity first, ``r @ rotation``: the same
    population code in axes that are not its units. This is Yang et al.'s control for fractional task
    variance (their Fig. 3, grey): a rotation keeps each task's total variance over units and mixes
    what single units do (:func:`random_rotation`)."""
    if not recordings:
        raise ConfigError("task_variance: no recordings given")
    if rotation is not None:
        rotation = np.asarray(rotation, np.float64)
        if rotation.ndim != 2 or rotation.shape[0] != rotation.shape[1]:
            raise ConfigError(f"task_variance: rotation has shape {rotation.shape}, expected [units units]")
    if isinstance(t_start, Mapping):
        missing = [name for name in recordings if name not in t_start]
        if missing:
            raise ConfigError(f"task_variance: t_start has no time for {', '.join(map(repr, missing))}")
    names, columns, n_units = [], [], None
    for name, rec in recordings.items():
        act = rec.activity if isinstance(rec, Recording) else np.asarray(rec)
        step = rec.dt if isinstance(rec, Recording) else dt
        if step is None:
            raise ConfigError("task_variance: arrays need dt (ms)")
        if act.ndim != 3:
            raise ConfigError(f"task_variance: activity of {name!r} has shape {act.shape}, expected [trials time units]")
        if n_units is not None and act.shape[2] != n_units:
            raise ConfigError(f"task_variance: {name!r} has {act.shape[2]} units, the others {n_units}")
        n_units = act.shape[2]
        if rotation is not None and rotation.shape[0] != n_units:
            raise ConfigError(f"task_variance: rotation is {rotation.shape[0]} x {rotation.shape[0]}, "
                              f"{name!r} has {n_units} units")
        start = float(t_start[name] if isinstance(t_start, Mapping) else t_start)
        first = int(round(start / step))
        if not 0 <= first < act.shape[1]:
            raise ConfigError(f"task_variance: {name!r} lasts {act.shape[1] * step:g} ms; t_start={start:g} ms is "
                              "not inside it")
        kept = act[:, first:].astype(np.float64)
        if rotation is not None:
            kept = kept @ rotation
        columns.append(kept.var(axis=0).mean(axis=0))
        names.append(name)
    return np.stack(columns, axis=1), names


def random_rotation(n_units: int, seed: int = 0) -> np.ndarray:
    """A random ``[n_units n_units]`` orthogonal matrix, uniform (Haar) over rotations and reflections,
    from ``seed``: the control of :func:`task_variance`."""
    from scipy.stats import ortho_group

    if n_units < 2:
        raise ConfigError(f"random_rotation: need >= 2 units, got {n_units}")
    return ortho_group.rvs(n_units, random_state=np.random.default_rng(seed))


def active_units(tv: np.ndarray, threshold: float = 1e-3) -> np.ndarray:
    """Boolean ``[units]``: units whose task variance summed over tasks exceeds ``threshold`` (Yang et al.
    leave the others out of the clustering)."""
    return np.asarray(tv).sum(axis=1) > threshold


def normalized_task_variance(tv: np.ndarray) -> np.ndarray:
    """Each unit's task variances divided by its largest one (rows of zeros stay zero)."""
    tv = np.asarray(tv, float)
    peak = tv.max(axis=1, keepdims=True)
    return np.divide(tv, peak, out=np.zeros_like(tv), where=peak > 0)


@dataclasses.dataclass(frozen=True)
class UnitClusters:
    """Clusters of units: ``labels [units]`` (0..n_clusters-1, ordered so that cluster 0 is the one whose
    mean task profile peaks at the earliest task), the ``silhouette`` of the chosen clustering, and the
    silhouette for every number of clusters tried (``n_tried``, ``scores``)."""

    labels: np.ndarray
    n_clusters: int
    silhouette: float
    n_tried: np.ndarray
    scores: np.ndarray

    def members(self, k: int) -> np.ndarray:
        return np.flatnonzero(self.labels == k)

    def order(self, features: np.ndarray) -> np.ndarray:
        """Unit order for a figure: by cluster, then by each unit's preferred task."""
        return np.lexsort((np.argmax(features, axis=1), self.labels))


def cluster_units(features: np.ndarray, *, n_clusters: Sequence[int] = range(3, 41), method: str = "kmeans",
                  seed: int = 0) -> UnitClusters:
    """Cluster the rows of ``features`` (units x tasks, e.g. normalised task variance) for every number of
    clusters in ``n_clusters`` (k-means with 20 restarts, or Ward's hierarchical clustering) and keep
    the one with the highest silhouette score (Yang et al. 2019, Methods)."""
    from sklearn.cluster import AgglomerativeClustering, KMeans
    from sklearn.metrics import silhouette_score

    x = np.asarray(features, float)
    if x.ndim != 2:
        raise ConfigError(f"cluster_units: features have shape {x.shape}, expected [units tasks]")
    tried = np.array([k for k in n_clusters if 2 <= k < x.shape[0]])
    if tried.size == 0:
        raise ConfigError(f"cluster_units: {x.shape[0]} units are too few for {list(n_clusters)} clusters")
    if method not in ("kmeans", "hierarchical"):
        raise ConfigError(f"cluster_units: unknown method {method!r}; known: kmeans, hierarchical")
    scores, labelings = [], []
    for k in tried:
        if method == "kmeans":
            labels = KMeans(int(k), n_init=20, random_state=seed).fit_predict(x)
        else:
            labels = AgglomerativeClustering(int(k), linkage="ward").fit_predict(x)
        scores.append(silhouette_score(x, labels) if len(np.unique(labels)) > 1 else -1.0)
        labelings.append(labels)
    best = int(np.argmax(scores))
    labels = labelings[best]
    # order clusters by the task at which their mean profile peaks, then by its height
    ids = np.unique(labels)
    peak = [(int(np.argmax(x[labels == c].mean(0))), -float(x[labels == c].mean(0).max())) for c in ids]
    rank = {c: r for r, c in enumerate(ids[np.lexsort(np.array(peak).T[::-1])])}
    labels = np.array([rank[c] for c in labels])
    return UnitClusters(labels=labels, n_clusters=len(ids), silhouette=float(scores[best]), n_tried=tried,
                        scores=np.asarray(scores))


def fractional_task_variance(tv_a: np.ndarray, tv_b: np.ndarray) -> np.ndarray:
    """``(TV(a) - TV(b)) / (TV(a) + TV(b))`` per unit, in [-1, 1] (NaN where both are 0)."""
    a, b = np.asarray(tv_a, float), np.asarray(tv_b, float)
    total = a + b
    return np.divide(a - b, total, out=np.full_like(total, np.nan), where=total > 0)


def exclusive_fractions(ftv: np.ndarray, edge: float = 0.8) -> tuple[float, float]:
    """Fractions of units with ``FTV < -edge`` and ``FTV > edge`` (engaged almost only in the second
    or only in the first task), NaNs ignored."""
    f = np.asarray(ftv, float)
    f = f[np.isfinite(f)]
    if f.size == 0:
        return float("nan"), float("nan")
    return float(np.mean(f < -edge)), float(np.mean(f > edge))


def exclusive_units_test(ftv: np.ndarray, control: np.ndarray, edge: float = 0.8) -> tuple[float, float]:
    """One-sided p-values that more units lie beyond each end of the fractional task variance histogram,
    ``FTV < -edge`` and ``FTV > edge``, than in ``control``: the FTV of the same activity in randomly rotated
    axes, Yang et al.'s control for their Fig. 3 (:func:`random_rotation`). Each end is Fisher's exact test
    of the 2 x 2 table (units beyond the end or not, network or control), ``alternative="greater"``: the
    chance that the units beyond that end fall at least this unevenly towards the network if units of the
    network and of the control were alike. NaNs (units engaged in neither task) are ignored; NaN p-values
    when the network or the control has no unit left."""
    from scipy.stats import fisher_exact

    f, g = (np.asarray(x, float) for x in (ftv, control))
    f, g = f[np.isfinite(f)], g[np.isfinite(g)]
    if f.size == 0 or g.size == 0:  # no unit engaged in either task (an untrained network): no test
        return float("nan"), float("nan")
    p = []
    for beyond in (lambda x: x < -edge, lambda x: x > edge):
        k, k0 = int(beyond(f).sum()), int(beyond(g).sum())
        p.append(float(fisher_exact([[k, f.size - k], [k0, g.size - k0]], alternative="greater")[1]))
    return p[0], p[1]
