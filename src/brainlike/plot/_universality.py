"""Figures comparing a population of networks (Maheswaranathan et al. 2019 NeurIPS, Figs. 2-4)."""

from __future__ import annotations

import numpy as np

from ._common import axes, plt

__all__ = ["network_embedding", "distance_matrices", "fixed_point_portraits"]


def network_embedding(distance, labels, ax=None, *, title: str = ""):
    """Networks placed in 2-d by classical (Torgerson) MDS of a network x network distance matrix: the top
    two eigenvectors of the double-centred squared distances, scaled by the root of their eigenvalues;
    coloured by label."""
    distance, labels = np.asarray(distance, float), np.asarray(labels)
    n = distance.shape[0]
    centring = np.eye(n) - 1.0 / n
    w, v = np.linalg.eigh(-0.5 * centring @ distance**2 @ centring)
    top = np.argsort(w)[::-1][:2]
    xy = v[:, top] * np.sqrt(np.clip(w[top], 0, None))
    fig, ax = axes(ax, figsize=(4.2, 3.6))
    for lab in dict.fromkeys(labels):
        sel = labels == lab
        ax.scatter(xy[sel, 0], xy[sel, 1], s=28, label=str(lab))
    ax.set_xticks([]), ax.set_yticks([])
    ax.set_xlabel("MDS 1"), ax.set_ylabel("MDS 2")
    ax.legend(fontsize=7)
    if title:
        ax.set_title(title, fontsize=9)
    return fig, ax


def distance_matrices(matrices: dict, names, *, cmap="viridis"):
    """Side-by-side heatmaps of network x network matrices (e.g. SVCCA distance, topology difference)."""
    fig, axs = plt.subplots(1, len(matrices), figsize=(4.2 * len(matrices), 3.8), constrained_layout=True,
                            squeeze=False)
    for ax, (title, m) in zip(axs[0], matrices.items()):
        im = ax.imshow(np.asarray(m, float), cmap=cmap)
        ax.set_xticks(range(len(names)), names, rotation=90, fontsize=6)
        ax.set_yticks(range(len(names)), names, fontsize=6)
        ax.set_title(title, fontsize=9)
        fig.colorbar(im, ax=ax, shrink=0.8)
    return fig, axs[0]


def fixed_point_portraits(portraits: dict):
    """For each network, its fixed points (filled: stable; crosses: saddles; dots: other) and a few trial
    trajectories in the top three principal components of its rates. ``portraits`` maps a title to
    ``(FixedPoints, rates [trials time units])``."""
    fig = plt.figure(figsize=(3.4 * len(portraits), 3.4), constrained_layout=True)
    for i, (title, (fps, rates)) in enumerate(portraits.items()):
        ax = fig.add_subplot(1, len(portraits), i + 1, projection="3d")
        r = np.asarray(rates, float)
        flat = r.reshape(-1, r.shape[-1])
        mean = flat.mean(0)
        _, _, vt = np.linalg.svd(flat - mean, full_matrices=False)
        basis = vt[:3].T

        def project(x):
            return (np.asarray(x, float) - mean) @ basis

        for trial in r:
            p = project(trial)
            ax.plot(p[:, 0], p[:, 1], p[:, 2], lw=0.5, color="0.6")
        if len(fps):
            p = project(fps.rates)
            kinds = ((fps.stable, dict(marker="o", color="k", s=24, label="stable")),
                     (fps.n_unstable == 1, dict(marker="x", color="r", s=20, label="saddle")),
                     (fps.n_unstable > 1, dict(marker=".", color="b", s=8, label="unstable")))
            for sel, style in kinds:
                if np.any(sel):
                    ax.scatter(p[sel, 0], p[sel, 1], p[sel, 2], **style)
        ax.set_title(title, fontsize=9)
        ax.set_xticks([]), ax.set_yticks([]), ax.set_zticks([])
        if i == 0:
            ax.legend(fontsize=6, loc="upper left")
    return fig, fig.axes
