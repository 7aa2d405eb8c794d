"""Plots of sequential choice: cumulative regret curves (Wang et al. 2018 Fig. 2) and two-step stay
probabilities (Daw et al. 2011 Fig. 2; Wang et al. 2018 Fig. 5)."""

from __future__ import annotations

import numpy as np

from ._common import axes

__all__ = ["regret_curves", "stay_bars"]


def regret_curves(curves: dict[str, dict], ax=None, *, title: str | None = None):
    """Mean cumulative regret (and its standard error) of each agent, from
    :func:`brainlike.analysis.cumulative_regret`."""
    fig, ax = axes(ax, figsize=(4.4, 3.2))
    for name, c in curves.items():
        line, = ax.plot(c["pull"], c["mean"], lw=1.5 if name.startswith("network") else 1, label=name)
        ax.fill_between(c["pull"], c["mean"] - c["sem"], c["mean"] + c["sem"], color=line.get_color(), alpha=0.2,
                        lw=0)
    ax.set_xlabel("pull")
    ax.set_ylabel("cumulative regret")
    ax.legend(fontsize=7, frameon=False)
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig, ax


def stay_bars(stay: dict[str, float], ax=None, *, title: str | None = None):
    """Stay probability after rewarded and unrewarded trials, common and rare transitions side by side
    (from :func:`brainlike.analysis.stay_probabilities`)."""
    fig, ax = axes(ax, figsize=(3.0, 3.0))
    x = np.arange(2)
    ax.bar(x - 0.18, [stay["common_rewarded"], stay["common_unrewarded"]], 0.36, color="tab:blue", label="common")
    ax.bar(x + 0.18, [stay["rare_rewarded"], stay["rare_unrewarded"]], 0.36, color="tab:red", label="rare")
    ax.set_xticks(x, ["rewarded", "unrewarded"])
    ax.set_ylabel("stay probability")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, frameon=False)
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig, ax
