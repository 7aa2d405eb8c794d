"""Figures of spiking activity: rasters and spike-statistics histograms."""

from __future__ import annotations

import numpy as np

from ._common import axes

__all__ = ["raster", "spike_statistics", "accuracy_by_delay"]


def raster(spikes, dt: float, ax=None, *, epochs: dict | None = None, title: str = "", color="k"):
    """Spike raster of one trial ``[time units]`` (a dot per spike), with labelled epochs shaded."""
    spikes = np.asarray(spikes)
    fig, ax = axes(ax, figsize=(6.0, 3.2))
    t, unit = np.nonzero(spikes > 0)
    ax.scatter(t * dt, unit, s=1.5, c=color, marker="|", linewidths=0.6)
    for i, (name, (start, stop)) in enumerate((epochs or {}).items()):
        ax.axvspan(start * dt, stop * dt, color=f"C{i}", alpha=0.15, lw=0)
        ax.text(start * dt, spikes.shape[1] + 0.5, name, color=f"C{i}", fontsize=7, va="bottom")
    ax.set_xlim(0, spikes.shape[0] * dt)
    ax.set_ylim(-0.5, spikes.shape[1] + 3)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("neuron")
    ax.set_title(title, fontsize=9)
    return fig, ax


def spike_statistics(rates, cv, ax=None, *, label: str = ""):
    """Histograms of firing rates (Hz) and ISI CVs, side by side on one figure (``ax``: two axes)."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(1, 2, figsize=(7.0, 2.8), constrained_layout=True)
    else:
        fig = ax[0].figure
    ax[0].hist(np.asarray(rates), bins=20, color="k", alpha=0.7, label=label)
    ax[0].set_xlabel("firing rate (Hz)")
    ax[0].set_ylabel("neurons")
    cv = np.asarray(cv)
    ax[1].hist(cv[np.isfinite(cv)], bins=20, color="k", alpha=0.7)
    ax[1].axvline(1.0, color="r", ls="--", lw=1)
    ax[1].set_xlabel("CV of inter-spike intervals")
    return fig, ax


def accuracy_by_delay(delays, accuracy: dict, ax=None, *, chance: float = 0.5):
    """Accuracy against the memory delay, one line per network kind (``accuracy[name] = [per delay]``)."""
    fig, ax = axes(ax)
    for name, acc in accuracy.items():
        ax.plot(delays, acc, "o-", label=name)
    ax.axhline(chance, color="0.6", ls=":", lw=1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("store-recall delay (ms)")
    ax.set_ylabel("accuracy")
    ax.legend(frameon=False, fontsize=8)
    return fig, ax
