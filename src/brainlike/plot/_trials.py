"""Plot a few trials of a task: inputs, targets and epochs."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .._trials import Trials

__all__ = ["trials"]

_MAX_LINES = 12


def trials(batch: Trials, n: int = 3, *, input_names=None, output_names=None, title: str = ""):
    """Inputs (top) and target classes (bottom) of the first ``n`` trials; shaded scored steps. Tasks with
    many channels (ring codes) are drawn as channel x time images instead of lines."""
    n = min(n, batch.n_trials)
    fig, axs = plt.subplots(2, n, figsize=(3.2 * n, 4.2), sharex=True, squeeze=False, constrained_layout=True)
    t = np.asarray(batch.t)
    many = batch.inputs.shape[-1] > _MAX_LINES
    for i in range(n):
        x, y, m = (np.asarray(a[i]) for a in (batch.inputs, batch.targets, batch.mask))
        if many:
            span = (t[0], t[-1] + batch.dt)
            axs[0, i].imshow(x.T, aspect="auto", extent=(*span, x.shape[1] - 0.5, -0.5), interpolation="nearest")
            axs[1, i].imshow(y.T, aspect="auto", extent=(*span, y.shape[1] - 0.5, -0.5), interpolation="nearest")
            axs[1, i].plot(t, m / max(m.max(), 1e-9) * (y.shape[1] - 1), color="w", lw=0.8)
        else:
            for j in range(x.shape[1]):
                axs[0, i].plot(t, x[:, j], lw=0.8, label=(input_names[j] if input_names else f"in {j}"))
            for j in range(y.shape[1]):
                axs[1, i].plot(t, y[:, j], lw=1.2, label=(output_names[j] if output_names else f"out {j}"))
            axs[1, i].fill_between(t, 0, m, color="0.9", step="mid", label="scored", zorder=0)
        for name, ep in batch.epochs.items():
            start = float(np.asarray(ep[i, 0])) * batch.dt
            axs[0, i].axvline(start, color="0.7", lw=0.6)
            axs[0, i].text(start, 1.02, name, transform=axs[0, i].get_xaxis_transform(), fontsize=6, rotation=30)
        cond = ", ".join(f"{k}={float(np.asarray(v[i])):.3g}" for k, v in batch.conditions.items())
        axs[1, i].set_title(cond, fontsize=7)
        axs[1, i].set_xlabel("time (ms)")
    axs[0, 0].set_ylabel("inputs")
    axs[1, 0].set_ylabel("targets")
    if not many:
        axs[0, -1].legend(fontsize=6, loc="upper right")
        axs[1, -1].legend(fontsize=6, loc="center right")
    else:
        axs[0, 0].set_ylabel("input channel")
        axs[1, 0].set_ylabel("target channel (white: loss weight)")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig, axs
