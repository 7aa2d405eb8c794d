"""The batch of trials a task produces (the supervised, open-loop interface of DESIGN section 2)."""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
from jaxtyping import Array, Float, Int, Shaped

__all__ = ["Trials"]


class Trials(eqx.Module):
    """A batch of trials with a fixed maximum length.

    Attributes:
        inputs: ``[trials time in]`` what the network sees.
        targets: ``[trials time out]`` the desired output (one-hot classes for cross-entropy,
            or target values for a mean-squared error).
        mask: ``[trials time]`` where the loss counts (0 outside the scored periods).
        conditions: per-trial task variables (``coherence``, ``choice``, ...), each ``[trials]``.
        epochs: start and stop step (stop exclusive) of each period, each ``[trials 2]``.
        dt: integration step in ms.
    """

    inputs: Float[Array, "trials time n_in"]
    targets: Float[Array, "trials time n_out"]
    mask: Float[Array, "trials time"]
    conditions: dict[str, Shaped[Array, " trials"]]
    epochs: dict[str, Int[Array, "trials 2"]]
    dt: float = eqx.field(static=True)

    @property
    def n_trials(self) -> int:
        return self.inputs.shape[0]

    @property
    def n_time(self) -> int:
        return self.inputs.shape[1]

    @property
    def t(self) -> Float[Array, " time"]:
        """Time of each step in ms, from the start of the trial."""
        return jnp.arange(self.n_time) * self.dt

    def scored_length(self) -> Array:
        """Steps up to and including the last one that any trial scores (``mask > 0``): the steps after it
        change no trial's task loss. A traced integer (0 when nothing is scored)."""
        scored = jnp.any(self.mask > 0, axis=0)
        return jnp.where(scored.any(), self.n_time - jnp.argmax(scored[::-1]), 0)

    def truncate(self, n_time: int) -> Trials:
        """The first ``n_time`` steps of every trial (epochs clipped to them)."""
        if not 1 <= n_time <= self.n_time:
            raise ValueError(f"Trials.truncate: n_time={n_time} is not in 1..{self.n_time}")
        return Trials(inputs=self.inputs[:, :n_time], targets=self.targets[:, :n_time], mask=self.mask[:, :n_time],
                      conditions=self.conditions, epochs={k: jnp.minimum(v, n_time) for k, v in self.epochs.items()},
                      dt=self.dt)

    def epoch_mask(self, name: str) -> Float[Array, "trials time"]:
        """1 where each trial is inside epoch ``name``."""
        if name not in self.epochs:
            raise KeyError(f"no epoch {name!r}; this task has {sorted(self.epochs)}")
        steps = jnp.arange(self.n_time)
        start, stop = self.epochs[name][:, :1], self.epochs[name][:, 1:]
        return ((steps >= start) & (steps < stop)).astype(self.inputs.dtype)
