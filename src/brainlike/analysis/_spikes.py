"""Spike-train statistics, for model spiking units and recorded neurons alike.

The activity of a :class:`~brainlike.Recording` of a spiking circuit is its spike trains (0/1 per bin of
``dt`` ms); the same functions read binned spike counts of recorded neurons. Everything else in
:mod:`brainlike.analysis` runs on such a recording through binned rates (:func:`bin_spikes`).

- firing rate per unit, in Hz (spike count / time);
- CV of the inter-spike intervals (Softky & Koch 1993): 1 for a Poisson process, 0 for a clock;
- Fano factor of the spike count across trials in windows (Teich 1989): 1 for a Poisson process.
"""

from __future__ import annotations

import numpy as np

from .._errors import ConfigError
from .._recording import Recording

__all__ = ["firing_rates", "isi_cv", "fano_factor", "bin_spikes"]


def _spikes(recording: Recording) -> np.ndarray:
    s = np.asarray(recording.activity)
    if np.any(s < 0):
        raise ConfigError("spike statistics need spike counts (non-negative activity), got negative values")
    return s


def firing_rates(recording: Recording, epoch: str | None = None) -> np.ndarray:
    """Mean firing rate of each unit in Hz ``[units]``, over every trial and step (or only the steps of
    ``epoch``)."""
    s = _spikes(recording)
    if epoch is None:
        return s.sum((0, 1)) / (s.shape[0] * s.shape[1] * recording.dt / 1000.0)
    if epoch not in recording.epochs:
        raise ConfigError(f"firing_rates: no epoch {epoch!r}; known: {', '.join(recording.epochs)}")
    ep = np.asarray(recording.epochs[epoch])
    t = np.arange(s.shape[1])
    inside = (t[None] >= ep[:, :1]) & (t[None] < ep[:, 1:])  # [trials time]
    return (s * inside[..., None]).sum((0, 1)) / (inside.sum() * recording.dt / 1000.0)


def isi_cv(recording: Recording, min_spikes: int = 3) -> np.ndarray:
    """Coefficient of variation (sd / mean) of each unit's inter-spike intervals, pooled over trials
    (intervals within a trial only); NaN for a unit with fewer than ``min_spikes`` spikes in every trial."""
    s = _spikes(recording) > 0
    out = np.full(s.shape[2], np.nan)
    for u in range(s.shape[2]):
        intervals = [np.diff(np.flatnonzero(tr)) for tr in s[:, :, u] if tr.sum() >= min_spikes]
        if intervals:
            isi = np.concatenate(intervals).astype(float)
            out[u] = isi.std() / isi.mean()
    return out


def fano_factor(recording: Recording, window: float) -> np.ndarray:
    """Fano factor (variance / mean of the spike count across trials) of each unit in consecutive windows
    of ``window`` ms, averaged over the windows where the unit fired; NaN where it never did."""
    s = _spikes(recording)
    w = int(round(window / recording.dt))
    if w < 1 or w > s.shape[1]:
        raise ConfigError(f"fano_factor: window of {window} ms is not between one bin ({recording.dt} ms) and "
                          f"the trial ({s.shape[1] * recording.dt} ms)")
    n = s.shape[1] // w
    counts = s[:, : n * w].reshape(s.shape[0], n, w, s.shape[2]).sum(2)  # [trials windows units]
    mean, var = counts.mean(0), counts.var(0, ddof=1) if s.shape[0] > 1 else np.zeros_like(counts[0])
    with np.errstate(invalid="ignore", divide="ignore"):
        ff = np.where(mean > 0, var / mean, np.nan)
    return np.array([np.nanmean(col) if np.any(np.isfinite(col)) else np.nan for col in ff.T])


def bin_spikes(recording: Recording, width: float) -> Recording:
    """The same recording with spikes summed in bins of ``width`` ms and given as rates in Hz (epochs in
    the new bins), ready for every rate-based analysis."""
    s = np.asarray(recording.activity)
    w = int(round(width / recording.dt))
    if w < 1:
        raise ConfigError(f"bin_spikes: width {width} ms is under one bin of {recording.dt} ms")
    n = s.shape[1] // w
    rates = s[:, : n * w].reshape(s.shape[0], n, w, s.shape[2]).sum(2) / (w * recording.dt / 1000.0)

    def down(a):
        return None if a is None else np.asarray(a)[:, : n * w].reshape(a.shape[0], n, w, *a.shape[2:]).mean(2)

    return Recording(activity=rates, dt=w * recording.dt, conditions=dict(recording.conditions),
                     epochs={k: np.asarray(v) // w for k, v in recording.epochs.items()},
                     inputs=down(recording.inputs), outputs=down(recording.outputs), targets=down(recording.targets),
                     mask=down(recording.mask), units=dict(recording.units))
