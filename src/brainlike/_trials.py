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

    def epoch_mask(self, name: str) -> Float[Array, "trials time"]:
        """1 where each trial is inside epoch ``name``."""
        if name not in self.epochs:
            raise KeyError(f"no epoch {name!r}; this task has {sorted(self.epochs)}")
        steps = jnp.arange(self.n_time)
        start, stop = self.epochs[name][:, :1], self.epochs[name][:, 1:]
        return ((steps >= start) & (steps < stop)).astype(self.inputs.dtype)
