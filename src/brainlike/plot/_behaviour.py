"""Plots of behaviour: psychometric and chronometric curves."""

from __future__ import annotations

import numpy as np

from ..analysis import Chronometric, PsychometricFit
from ._common import axes

__all__ = ["psychometric", "chronometric"]


def psychometric(fit: PsychometricFit, ax=None, *, label: str | None = None, color="k"):
    """Observed proportions per level with the fitted curve (Britten et al. 1992 Fig. 1 style)."""
    fig, ax = axes(ax)
    lo, hi = fit.levels.min(), fit.levels.max()
    xs = np.linspace(lo, hi, 300)
    ax.plot(xs, fit(xs), color=color, lw=1.5, label=label)
    err = np.sqrt(fit.proportion * (1 - fit.proportion) / np.maximum(fit.n, 1))
    ax.errorbar(fit.levels, fit.proportion, yerr=err, fmt="o", color=color, ms=4)
    if fit.kind == "logistic":
        ax.set_xlabel("signed coherence (%)")
        ax.set_ylabel("P(choose option 1)")
        ax.axhline(0.5, color="0.8", lw=0.8, zorder=0)
        ax.axvline(0.0, color="0.8", lw=0.8, zorder=0)
    else:
        ax.set_xlabel("coherence (%)")
        ax.set_ylabel("P(correct)")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"psychometric ({fit.kind}), R$^2$={fit.r2:.3f}", fontsize=9)
    return fig, ax


def chronometric(result: Chronometric, ax=None, *, color="k"):
    """Mean decision time against unsigned coherence (Roitman & Shadlen 2002 Fig. 3 style)."""
    fig, ax = axes(ax)
    ax.errorbar(result.levels, result.mean, yerr=result.sem, fmt="o-", color=color, ms=4)
    ax.set_xlabel("coherence (%)")
    ax.set_ylabel("decision time (ms)")
    ax.set_title("chronometric curve", fontsize=9)
    return fig, ax
