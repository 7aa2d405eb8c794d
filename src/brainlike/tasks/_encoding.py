"""Input encodings for spiking circuits: any task's inputs as spike trains of input neurons.

- ``poisson``: each input channel drives ``n_per_channel`` neurons that fire independently with
  probability ``max_rate * dt * clip(u, 0, 1)`` per step (rate coding; Bellec et al. 2018 feed their
  store-recall commands this way). ``signed=True`` gives every channel an ON and an OFF population
  driven by ``[u]_+`` and ``[-u]_+`` (the ON/OFF split of retinal ganglion cells).
- ``latency``: one spike per neuron, earlier for a stronger input (time-to-first-spike coding;
  Thorpe et al. 2001): a value ``u`` in ``[0, 1]`` fires at ``round((1 - u) * (window - 1))`` steps,
  none for ``u <= 0``; :func:`latency_spikes` for static stimuli.
- ``current``: the values themselves, injected as currents (no encoding); the identity.
"""

from __future__ import annotations

from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from .._errors import ConfigError
from .._trials import Trials
from ._base import Task

__all__ = ["Encoded", "poisson_spikes", "latency_spikes", "ENCODINGS"]

ENCODINGS = ("poisson", "current")


def poisson_spikes(key: PRNGKeyArray, rate: Float[Array, "..."], dt: float) -> Float[Array, "..."]:
    """Bernoulli spikes (0/1) with probability ``rate * dt`` per step; ``rate`` in Hz, ``dt`` in ms."""
    p = jnp.clip(rate * dt / 1000.0, 0.0, 1.0)
    return jax.random.bernoulli(key, p).astype(jnp.float32)


def latency_spikes(values: Float[Array, "... channels"], window: int) -> Float[Array, "... window channels"]:
    """Time-to-first-spike code of static ``values`` in ``[0, 1]``: one spike per channel at step
    ``round((1 - u) (window - 1))`` of a ``window``-step train (the strongest first), none for ``u <= 0``."""
    if window < 1:
        raise ConfigError(f"latency_spikes: window must be >= 1 step, got {window}")
    u = jnp.clip(values, 0.0, 1.0)
    when = jnp.round((1.0 - u) * (window - 1)).astype(jnp.int32)
    steps = jnp.arange(window)[:, None]
    return ((steps == when[..., None, :]) & (u[..., None, :] > 0)).astype(jnp.float32)


class Encoded(Task):
    """``task`` with its inputs turned into spike trains of input neurons (see the module docstring);
    targets, masks, conditions and epochs are the task's own. Inputs are named ``<channel>/<i>``
    (``<channel>+/<i>`` and ``<channel>-/<i>`` when ``signed``)."""

    metadata: ClassVar[dict] = {"paper": "rate coding of inputs for spiking networks (Bellec et al. 2018)",
                                "tags": ("encoding", "spiking")}

    task: Task
    dt: float = eqx.field(static=True)
    encoding: str = eqx.field(static=True)
    n_per_channel: int = eqx.field(static=True)
    max_rate: float = eqx.field(static=True)  # Hz, for an input of 1
    signed: bool = eqx.field(static=True)

    def __init__(self, task: Task, encoding: str = "poisson", *, n_per_channel: int = 10, max_rate: float = 200.0,
                 signed: bool = False):
        self.task, self.dt, self.encoding = task, task.dt, encoding
        self.n_per_channel, self.max_rate, self.signed = int(n_per_channel), float(max_rate), bool(signed)

    def __check_init__(self):
        if self.encoding not in ENCODINGS:
            raise ConfigError(f"Encoded: unknown encoding {self.encoding!r}; known: {', '.join(ENCODINGS)}")
        if self.n_per_channel < 1 or self.max_rate <= 0:
            raise ConfigError(f"Encoded: need n_per_channel >= 1 and max_rate > 0 Hz, got {self.n_per_channel}, "
                              f"{self.max_rate}")

    @property
    def input_names(self) -> tuple[str, ...]:  # type: ignore[override]
        if self.encoding == "current":
            return self.task.input_names
        sides = ("+", "-") if self.signed else ("",)
        return tuple(f"{name}{s}/{i}" for name in self.task.input_names for s in sides
                     for i in range(self.n_per_channel))

    @property
    def output_names(self) -> tuple[str, ...]:  # type: ignore[override]
        return self.task.output_names

    @property
    def n_steps(self) -> int:
        return self.task.n_steps

    def sample_conditions(self, key, n):
        return self.task.sample_conditions(key, n)

    def build_trial(self, conditions, *, key) -> Trials:
        k_task, k_spikes = jax.random.split(key)
        trials = self.task.build_trial(conditions, key=k_task)
        if self.encoding == "current":
            return trials
        u = trials.inputs  # [time channels]
        drive = jnp.stack([u, -u], axis=-1) if self.signed else u[..., None]  # [time channels sides]
        rate = self.max_rate * jnp.clip(drive, 0.0, 1.0)[..., None]  # [time channels sides 1]
        rate = jnp.broadcast_to(rate, (*rate.shape[:-1], self.n_per_channel))
        spikes = poisson_spikes(k_spikes, rate, self.dt).reshape(u.shape[0], -1)
        return eqx.tree_at(lambda t: t.inputs, trials, spikes)
