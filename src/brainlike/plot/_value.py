"""Plots of value-based choice: choice curves, tuning of one unit across trial types, class fractions
(Padoa-Schioppa & Assad 2006 Figs. 1-3)."""

from __future__ import annotations

import numpy as np

from ._common import axes

__all__ = ["choice_curve", "value_tuning_curve", "class_fractions"]


def _offer_labels(curve) -> list[str]:
    return [f"{int(b)}B:{int(a)}A" for a, b in zip(curve["offer_a"], curve["offer_b"])]


def choice_curve(curve: dict, fit=None, ax=None, *, title: str | None = None, color="k"):
    """``P(choose B)`` per offer type (ordered by ``qB/qA``) from :func:`brainlike.analysis.choice_curve`, with
    the fitted probit where both juices were offered and the relative value in the title."""
    fig, ax = axes(ax, figsize=(4.6, 3.2))
    x = np.arange(len(curve["p_b"]))
    ax.plot(x, 100 * curve["p_b"], "o", color=color, ms=4)
    if fit is not None:
        finite = np.isfinite(curve["ratio"]) & (curve["ratio"] > 0)
        if finite.sum() >= 2:
            ax.plot(x[finite], 100 * fit.p_b(np.log(curve["ratio"][finite])), "-", color=color, lw=1)
        title = (title + ": " if title else "") + f"1A = {fit.relative_value:.2f}B"
    ax.set_xticks(x, _offer_labels(curve), rotation=60, fontsize=6)
    ax.set_ylabel("B choices (%)")
    ax.set_ylim(-5, 105)
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig, ax


def value_tuning_curve(tuning, unit: int, ax=None, *, window: int = 0, relative_value: float = 1.0,
                       title: str | None = None):
    """One unit's mean rate per trial type (``ValueTuning.type_means``), offer types ordered by ``qB/qA`` and
    labelled ``qB:qA`` (``relative_value`` converts the value of A back to drops); diamonds where juice A
    was chosen, circles where B was (the paper's Fig. 2 style)."""
    fig, ax = axes(ax, figsize=(4.2, 3.0))
    va, vb = tuning.type_values["offer_value_a"], tuning.type_values["offer_value_b"]
    chose_a = tuning.type_values["chosen_juice"] == 1
    ratio = np.where(va > 0, vb / np.maximum(va, 1e-12), np.inf)
    order = np.argsort(ratio + 1e-9 * chose_a, kind="stable")
    offers = sorted({(a, b) for a, b in zip(va, vb)}, key=lambda p: p[1] / p[0] if p[0] > 0 else np.inf)
    pos = {p: i for i, p in enumerate(offers)}
    for i in order:
        ax.plot(pos[(va[i], vb[i])], tuning.type_means[i, window, unit], "D" if chose_a[i] else "o",
                color="tab:red" if chose_a[i] else "tab:blue", ms=4)
    ax.set_xticks(range(len(offers)), [f"{b:g}B:{a / relative_value:.3g}A" for a, b in offers],
                  rotation=60, fontsize=6)
    ax.set_ylabel("rate")
    best = tuning.best[unit].replace("_", " ")
    label = tuning.label[unit] + (f" ({best})" if best != tuning.label[unit] else "")
    ax.set_title((title + ": " if title else "") + label, fontsize=8)
    fig.tight_layout()
    return fig, ax


def class_fractions(fractions: dict[str, dict[str, float]], ax=None, *,
                    classes=("offer value", "chosen value", "chosen juice", "untuned")):
    """Grouped bars: for each source (``{"model": {...}, "OFC (1,526 cells)": {...}}``), the fraction of
    task-related units in each class."""
    fig, ax = axes(ax, figsize=(4.6, 3.0))
    width = 0.8 / max(len(fractions), 1)
    x = np.arange(len(classes))
    for i, (name, frac) in enumerate(fractions.items()):
        ax.bar(x + (i - (len(fractions) - 1) / 2) * width, [100 * frac.get(k, 0.0) for k in classes], width,
               label=name)
    ax.set_xticks(x, classes, fontsize=7)
    ax.set_ylabel("% of task-related units")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig, ax
