"""Figures of a network trained on many tasks (Yang et al. 2019 Nat Neurosci, Figs. 1-4 and 7)."""

from __future__ import annotations

import numpy as np

from ._common import axes

__all__ = ["task_performance", "task_variance_map", "fractional_variance", "lesion_effects", "silhouette",
           "sequential_performance"]


def task_performance(performance, labels, ax=None, *, criterion: float | None = None, color="k"):
    """Performance per task as horizontal bars, with an optional criterion line."""
    fig, ax = axes(ax, figsize=(4.0, 0.22 * len(labels) + 1.0))
    y = np.arange(len(labels))
    ax.barh(y, performance, color=color, height=0.7)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("performance")
    if criterion is not None:
        ax.axvline(criterion, color="r", lw=1, ls="--")
    return fig, ax


def task_variance_map(normalized, labels, ax=None, *, clusters=None):
    """Normalised task variance, tasks x units, units ordered by cluster (Fig. 2b)."""
    normalized = np.asarray(normalized)
    fig, ax = axes(ax, figsize=(7.0, 0.22 * len(labels) + 1.2))
    order = clusters.order(normalized) if clusters is not None else np.arange(normalized.shape[0])
    im = ax.imshow(normalized[order].T, aspect="auto", cmap="hot", vmin=0, vmax=1, interpolation="nearest")
    ax.set_yticks(np.arange(len(labels)), labels)
    ax.set_xlabel("units (sorted by cluster)" if clusters is not None else "units")
    if clusters is not None:
        sorted_labels = clusters.labels[order]
        edges = np.flatnonzero(np.diff(sorted_labels)) + 0.5
        for e in edges:
            ax.axvline(e, color="c", lw=0.8)
        centres = [np.mean(np.flatnonzero(sorted_labels == k)) for k in range(clusters.n_clusters)]
        ax.set_xticks(centres, [str(k + 1) for k in range(clusters.n_clusters)])
    fig.colorbar(im, ax=ax, label="normalised task variance", shrink=0.8)
    return fig, ax


def fractional_variance(ftv, ax=None, *, label: str = "", bins: int = 20, color="k", control=None):
    """Histogram of fractional task variance in [-1, 1] (Fig. 3); ``control`` (the FTV of randomly rotated
    activity) is drawn as a grey outline."""
    fig, ax = axes(ax)
    edges = np.linspace(-1, 1, bins + 1)
    f = np.asarray(ftv, float)
    ax.hist(f[np.isfinite(f)], bins=edges, color=color, label="units")
    if control is not None:
        g = np.asarray(control, float)
        ax.hist(g[np.isfinite(g)], bins=edges, histtype="step", color="0.6", lw=1.5, label="rotated control")
        ax.legend(frameon=False, fontsize="small")
    ax.set_xlim(-1, 1)
    ax.set_xlabel(f"FTV ({label})" if label else "fractional task variance")
    ax.set_ylabel("units")
    return fig, ax


def lesion_effects(change, labels, ax=None):
    """Change of performance of every task (columns) after lesioning each cluster (rows) (Fig. 4)."""
    change = np.asarray(change)
    fig, ax = axes(ax, figsize=(7.0, 0.3 * change.shape[0] + 2.0))
    im = ax.imshow(change, aspect="auto", cmap="coolwarm_r", vmin=-1, vmax=1, interpolation="nearest")
    ax.set_xticks(np.arange(len(labels)), labels, rotation=90)
    ax.set_yticks(np.arange(change.shape[0]), [str(k + 1) for k in range(change.shape[0])])
    ax.set_ylabel("lesioned cluster")
    fig.colorbar(im, ax=ax, label="change in performance", shrink=0.8)
    return fig, ax


def silhouette(n_clusters, scores, ax=None, *, chosen: int | None = None):
    """Silhouette score against the number of clusters."""
    fig, ax = axes(ax)
    ax.plot(n_clusters, scores, "o-", color="k", ms=3)
    if chosen is not None:
        ax.axvline(chosen, color="r", lw=1, ls="--")
    ax.set_xlabel("number of clusters")
    ax.set_ylabel("silhouette score")
    return fig, ax


def sequential_performance(performance, labels, phase_labels, ax=None, *, style="-", legend: bool = True):
    """Performance of each task (``labels``, rows of ``performance``) after each phase of sequential training
    (``phase_labels``, its columns), one line per task (Yang et al. 2019 Fig. 7). Call once per condition on
    the same axes with another ``style`` (``"--"``) to compare, e.g., training with and without consolidation."""
    performance = np.asarray(performance)
    fig, ax = axes(ax, figsize=(6.0, 3.2))
    x = np.arange(len(phase_labels))
    colors = [f"C{i}" for i in range(len(labels))]
    for row, label, color in zip(performance, labels, colors):
        ax.plot(x, row, style, marker="o", ms=3, color=color, label=label if legend else None)
    ax.set_xticks(x, phase_labels, rotation=20, ha="right")
    ax.set_xlabel("after training on")
    ax.set_ylabel("performance")
    ax.set_ylim(-0.02, 1.02)
    if legend:
        ax.legend(fontsize=7, frameon=False, loc="lower left")
    return fig, ax
