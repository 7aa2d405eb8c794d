"""Behaviour read from a network's (or animal's) output: choices, accuracy, decision times."""

from __future__ import annotations

import numpy as np
from scipy.special import softmax

from .._recording import Recording

__all__ = ["choices", "accuracy", "by_condition", "decision_times"]


def choices(recording: Recording, *, epoch: str = "decision", choice_channels: slice = slice(1, None)) -> np.ndarray:
    """The option chosen on each trial: argmax of the mean choice outputs over ``epoch``.

    Returns ``[trials]`` integer indices into the choice channels (channel 0 being "fixate").
    """
    if recording.outputs is None:
        raise ValueError("choices need a recording with outputs")
    m = recording.epoch_mask(epoch).astype(float)
    mean_out = np.einsum("nto,nt->no", recording.outputs, m) / np.maximum(m.sum(1), 1)[:, None]
    return np.argmax(mean_out[:, choice_channels], axis=1)


def accuracy(chosen: np.ndarray, correct_choice: np.ndarray) -> float:
    """Fraction of trials where ``chosen == correct_choice``."""
    return float(np.mean(np.asarray(chosen) == np.asarray(correct_choice)))


def by_condition(values: np.ndarray, condition: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mean, standard error and count of ``values`` at each level of ``condition`` (NaNs ignored).

    Returns ``(levels, mean, sem, n)``.
    """
    values, condition = np.asarray(values, float), np.asarray(condition)
    levels = np.unique(condition)
    mean, sem, n = [], [], []
    for lv in levels:
        v = values[(condition == lv) & np.isfinite(values)]
        n.append(v.size)
        mean.append(v.mean() if v.size else np.nan)
        sem.append(v.std(ddof=1) / np.sqrt(v.size) if v.size > 1 else np.nan)
    return levels, np.array(mean), np.array(sem), np.array(n)


def decision_times(recording: Recording, *, threshold: float = 0.8, onset_epoch: str = "stimulus",
                   choice_channels: slice = slice(1, None), undecided: str = "nan") -> tuple[np.ndarray, np.ndarray]:
    """Reaction times: the first time after ``onset_epoch`` starts that the probability of one choice
    (softmax over all outputs) reaches ``threshold`` — a bound on the readout (Roitman & Shadlen 2002;
    Song et al. 2016 Fig. 2).

    Returns ``(decision_time_ms, choice)``; trials that never reach the bound get choice -1 and, with
    ``undecided="nan"``, a NaN time, or with ``undecided="censor"`` the whole viewing time (the epoch's
    length), as for a subject that answers at the deadline.
    """
    if undecided not in ("nan", "censor"):
        raise ValueError(f"undecided must be 'nan' or 'censor', got {undecided!r}")
    if recording.outputs is None:
        raise ValueError("decision_times need a recording with outputs")
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be a probability in (0, 1), got {threshold}")
    p = softmax(recording.outputs, axis=-1)[..., choice_channels]
    onset = recording.epochs[onset_epoch][:, 0]
    steps = np.arange(recording.n_time)
    valid = steps[None, :] >= onset[:, None]
    if recording.mask is not None:
        valid &= steps[None, :] < recording.epochs[onset_epoch][:, 1][:, None]
    crossed = (p.max(-1) >= threshold) & valid
    any_cross = crossed.any(1)
    first = np.argmax(crossed, axis=1)
    window = (recording.epochs[onset_epoch][:, 1] - onset) * recording.dt
    dt_ms = np.where(any_cross, (first - onset) * recording.dt, np.nan if undecided == "nan" else window)
    choice = np.where(any_cross, p[np.arange(len(first)), first].argmax(-1), -1)
    return dt_ms, choice
