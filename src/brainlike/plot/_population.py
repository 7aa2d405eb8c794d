"""Plots of population activity and training."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..analysis import PCA
from ._common import axes

__all__ = ["pca_trajectories", "training_curve"]


def pca_trajectories(average, components: PCA, ax=None, *, color_by: str | None = None, dims=(0, 1)):
    """Condition-averaged trajectories (``average`` from ``condition_average``) in PC space."""
    fig, ax = axes(ax)
    proj = components.project(average.values)  # [condition time k]
    values = average[color_by].values if color_by else np.arange(proj.shape[0])
    vmax = np.max(np.abs(values)) or 1
    cmap = plt.get_cmap("coolwarm")
    for i in range(proj.shape[0]):
        c = cmap(0.5 + 0.5 * values[i] / vmax)
        ax.plot(proj[i, :, dims[0]], proj[i, :, dims[1]], color=c, lw=1.2)
        ax.plot(proj[i, -1, dims[0]], proj[i, -1, dims[1]], "o", color=c, ms=3)
    ev = components.explained_variance_ratio
    ax.set_xlabel(f"PC{dims[0] + 1} ({100 * ev[dims[0]]:.0f}%)")
    ax.set_ylabel(f"PC{dims[1] + 1} ({100 * ev[dims[1]]:.0f}%)")
    ax.set_title(f"population trajectories{' by ' + color_by if color_by else ''}", fontsize=9)
    return fig, ax


def training_curve(steps, loss, ax=None, *, label: str | None = None):
    """Loss against training step (log scale)."""
    fig, ax = axes(ax)
    ax.plot(steps, loss, lw=1, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("loss")
    if label:
        ax.legend(fontsize=7)
    return fig, ax
