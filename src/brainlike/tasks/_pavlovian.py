"""Classical (Pavlovian) conditioning: cues, rewards and the protocols of animal learning theory.

A trial is ``n_steps`` bins of ``dt`` ms; each cue (conditioned stimulus, CS) has an onset step or is
absent, and a reward (unconditioned stimulus) of some size arrives at one step. A protocol is a list of
phases (acquisition, extinction, blocking's pre-training and compound training, second-order pairing),
laid out trial by trial as arrays so a learner can ``lax.scan`` through it. The time since each cue's
onset is represented as a tapped delay line (the complete serial compound of Sutton & Barto 1990;
Schultz, Dayan & Montague 1997) or as microstimuli (Ludvig, Sutton & Kehoe 2008).
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, PRNGKeyArray

from .._errors import ConfigError

__all__ = ["Phase", "Protocol", "tapped_delay_line", "microstimulus", "REPRESENTATIONS"]


@dataclasses.dataclass(frozen=True)
class Phase:
    """``n_trials`` identical trials: ``cues`` maps cue name to onset step; ``reward`` (size) arrives at
    ``reward_step``, or at a step drawn uniformly from ``reward_step = (first, last)`` on each trial
    (variable reward timing). ``reward=0`` is a trial without reward (extinction, second-order pairing)."""

    name: str
    n_trials: int
    cues: dict[str, int]
    reward: float = 0.0
    reward_step: int | tuple[int, int] = 0


@dataclasses.dataclass(frozen=True)
class Protocol:
    """A sequence of phases over a fixed set of cue channels, trials of ``n_steps`` bins."""

    phases: tuple[Phase, ...]
    cue_names: tuple[str, ...]
    n_steps: int
    dt: float = 100.0  # ms

    def __post_init__(self):
        for p in self.phases:
            unknown = set(p.cues) - set(self.cue_names)
            if unknown:
                raise ConfigError(f"phase {p.name!r}: unknown cue(s) {sorted(unknown)}; cues: {list(self.cue_names)}")
            steps = list(p.cues.values()) + (list(p.reward_step) if isinstance(p.reward_step, tuple)
                                             else [p.reward_step])
            if min(steps) < 0 or max(steps) >= self.n_steps:
                raise ConfigError(f"phase {p.name!r}: onset or reward step outside the trial (0..{self.n_steps - 1})")
            if p.n_trials < 0:
                raise ConfigError(f"phase {p.name!r}: n_trials must be >= 0, got {p.n_trials}")

    @property
    def n_trials(self) -> int:
        return sum(p.n_trials for p in self.phases)

    def phase_index(self, n_trials: int | None = None) -> np.ndarray:
        """The phase of each trial, ``[trials]`` (-1 for padding up to ``n_trials``)."""
        idx = np.concatenate([np.full(p.n_trials, i) for i, p in enumerate(self.phases)] or [np.zeros(0, int)])
        n = self.n_trials if n_trials is None else n_trials
        return np.concatenate([idx, np.full(n - idx.size, -1)]).astype(np.int32)

    def schedule(self, key: PRNGKeyArray, n_trials: int | None = None) -> tuple[
            Float[Array, "trials time cues"], Float[Array, "trials time"]]:
        """Cue onsets (1 at each cue's onset step) and rewards of every trial, padded with empty trials
        up to ``n_trials`` (empty trials change nothing in a TD learner)."""
        n = self.n_trials if n_trials is None else n_trials
        if n < self.n_trials:
            raise ConfigError(f"protocol has {self.n_trials} trials, cannot pad it to {n}")
        onsets = np.zeros((n, self.n_steps, len(self.cue_names)), np.float32)
        first, last = np.zeros(n, np.int32), np.zeros(n, np.int32)
        size = np.zeros(n, np.float32)
        i = 0
        for p in self.phases:
            for name, step in p.cues.items():
                onsets[i:i + p.n_trials, step, self.cue_names.index(name)] = 1.0
            lo, hi = p.reward_step if isinstance(p.reward_step, tuple) else (p.reward_step, p.reward_step)
            first[i:i + p.n_trials], last[i:i + p.n_trials] = lo, hi
            size[i:i + p.n_trials] = p.reward
            i += p.n_trials
        when = jax.random.randint(key, (n,), jnp.asarray(first), jnp.asarray(last) + 1)
        reward = jax.nn.one_hot(when, self.n_steps) * jnp.asarray(size)[:, None]
        return jnp.asarray(onsets), reward


def tapped_delay_line(onsets: Float[Array, "time cues"], n_taps: int) -> Float[Array, "time features"]:
    """Complete serial compound: feature (cue c, tap k) is 1 exactly k steps after c's onset,
    ``[time cues * n_taps]`` (cue-major)."""
    t = onsets.shape[0]
    shifted = [jnp.concatenate([jnp.zeros((k, onsets.shape[1]), onsets.dtype), onsets[: t - k]]) if k else onsets
               for k in range(n_taps)]
    return jnp.stack(shifted, axis=-1).reshape(t, -1)


def microstimulus(onsets: Float[Array, "time cues"], n_micro: int = 10, decay: float = 0.85,
                  sigma: float = 0.08) -> Float[Array, "time features"]:
    """Microstimuli (Ludvig, Sutton & Kehoe 2008, Eq. 1-2): a memory trace y that jumps to 1 at a cue's
    onset and decays by ``decay`` per step, read out by ``n_micro`` Gaussian basis functions of height
    centred at 1/n_micro ... 1 and scaled by y, ``[time cues * n_micro]``."""

    def trace(carry, x):
        y = jnp.where(x > 0, 1.0, carry * decay)
        return y, y

    _, y = jax.lax.scan(trace, jnp.zeros(onsets.shape[1], onsets.dtype), onsets)  # [time cues]
    centres = jnp.arange(1, n_micro + 1) / n_micro
    basis = jnp.exp(-((y[..., None] - centres) ** 2) / (2 * sigma**2)) * y[..., None]
    return basis.reshape(onsets.shape[0], -1)


REPRESENTATIONS = {"csc": tapped_delay_line, "microstimulus": microstimulus}
