"""The ``Task`` interface and the task registry (DESIGN section 2)."""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, PRNGKeyArray

from .._errors import ConfigError
from .._registry import Registry
from .._trials import Trials

__all__ = ["Task", "register", "make", "names", "get", "duration_steps", "period_edges", "inside", "check_timing",
           "materialize"]


class Task(eqx.Module):
    """A supervised, open-loop task: conditions, then trials built from them.

    Subclasses set ``metadata`` (paper, DOI, tags), ``input_names`` and ``output_names``, and implement
    ``n_steps``, ``sample_conditions`` and ``build_trial`` (ONE trial; ``build`` vmaps it).
    Shape-setting fields (dt, durations, channels) are static; sweepable numbers (noise, coherence
    set) are arrays so a task can be vmapped over them.
    """

    metadata: ClassVar[dict[str, Any]] = {}
    input_names: ClassVar[tuple[str, ...]] = ()
    output_names: ClassVar[tuple[str, ...]] = ()

    dt: eqx.AbstractVar[float]

    @property
    def n_inputs(self) -> int:
        return len(self.input_names)

    @property
    def n_outputs(self) -> int:
        return len(self.output_names)

    @property
    @abc.abstractmethod
    def n_steps(self) -> int:
        """Maximum trial length in steps (all trials are padded to it)."""

    @abc.abstractmethod
    def sample_conditions(self, key: PRNGKeyArray, n: int) -> dict[str, Array]:
        """Draw the task variables of ``n`` trials."""

    @abc.abstractmethod
    def build_trial(self, conditions: dict[str, Array], *, key: PRNGKeyArray) -> Trials:
        """Build ONE trial (unbatched arrays) from its conditions, drawing noise and timing from ``key``."""

    def build(self, conditions: dict[str, Array], *, key: PRNGKeyArray) -> Trials:
        """Build a batch of trials, one per entry of ``conditions``, with fresh noise."""
        n = _batch_size(conditions)
        keys = jax.random.split(key, n)
        return jax.vmap(lambda c, k: self.build_trial(c, key=k))(conditions, keys)

    def sample(self, key: PRNGKeyArray, n: int) -> Trials:
        """``sample_conditions`` then ``build``."""
        k_cond, k_build = jax.random.split(key)
        return self.build(self.sample_conditions(k_cond, n), key=k_build)


def materialize(conditions: dict[str, Array]) -> dict[str, Array]:
    """The same per-trial ``conditions``, computed once and held in memory before trials are built from them.

    XLA's fusion on a CPU counts the integer operations of JAX's threefry random numbers as cheap, so it fuses
    a trial's random draws (its timing, stimulus, sign...) into the build of every ``[time, channel]`` element
    of that trial and computes them again for each, and it removes ``jax.lax.optimization_barrier`` before it
    fuses (its ``cse_barrier_expander`` pass), so a barrier does not stop it. A sort of each array by the
    trial index leaves it unchanged and is never fused, which keeps the draws to one per trial. For Yang et
    al. 2019's twenty tasks (about fifteen draws per trial) an update of the then quick network (a 128-unit
    CTRNN, batches of 64) took 34.4 ms and takes 19.5 ms (``python benchmarks/yang2019_training.py --sizes
    quick`` on a 2-core CPU, stop 40); for tasks that
    draw only a few numbers a trial it made no gain (perceptual_dm, mante2013), so a task opts in by calling
    it on its conditions.
    """

    def one(x):
        x = jnp.asarray(x)
        if x.ndim == 0:
            return x
        trial = jax.lax.broadcasted_iota(jnp.int32, x.shape, 0)
        return jax.lax.sort((trial, x), dimension=0, num_keys=1)[1]

    return {k: one(v) for k, v in conditions.items()}


def _batch_size(conditions: dict[str, Array]) -> int:
    sizes = {k: jnp.shape(v)[0] if jnp.ndim(v) else None for k, v in conditions.items()}
    distinct = set(sizes.values())
    if len(distinct) != 1 or None in distinct:
        raise ConfigError(f"conditions must all be 1-d arrays of one length, got lengths {sizes}")
    return distinct.pop()


Duration = float | tuple[float, float]
"""A period's duration in ms: fixed, or a ``(low, high)`` range drawn uniformly per trial."""


def as_float_array(x) -> Array:
    """Converter for sweepable task numbers (coherence sets, noise): float32 arrays."""
    return jnp.asarray(x, dtype=jnp.float32)


def duration_steps(name: str, duration: float | tuple[float, float], dt: float) -> tuple[int, int]:
    """A period's duration (ms, fixed or a ``(low, high)`` range) as a range of whole steps."""
    lo, hi = (duration, duration) if np.isscalar(duration) else tuple(duration)
    if lo < 0 or hi < lo:
        raise ConfigError(f"impossible timing: period {name!r} has duration {duration} ms")
    return int(round(lo / dt)), int(round(hi / dt))


def check_timing(task: str, dt: float, periods, nonempty=()) -> None:
    """Validate a task's timing: ``dt > 0``, every ``(name, duration)`` of ``periods`` a possible duration,
    and the ``(name, duration)`` pairs of ``nonempty`` at least one step long."""
    if not dt > 0:
        raise ConfigError(f"{task}: dt must be positive, got {dt} ms")
    for name, d in periods:
        duration_steps(name, d, dt)
    for name, d in nonempty:
        if duration_steps(name, d, dt)[0] < 1:
            raise ConfigError(f"impossible timing: {name} of {d} ms lasts 0 steps at dt={dt} ms")


def period_edges(periods, dt: float, key: PRNGKeyArray) -> dict[str, Array]:
    """Start and stop step of consecutive ``periods`` (``(name, duration)`` pairs, durations fixed or
    ``(low, high)`` ranges drawn uniformly in whole steps): ``{name: [start, stop]}``."""
    keys = jax.random.split(key, len(periods))
    edges, start = {}, jnp.zeros((), jnp.int32)
    for (name, duration), k in zip(periods, keys):
        lo, hi = duration_steps(name, duration, dt)
        length = jax.random.randint(k, (), lo, hi + 1) if hi > lo else jnp.asarray(lo, jnp.int32)
        edges[name] = jnp.stack([start, start + length])
        start = start + length
    return edges


def inside(edges: Array, n_steps: int) -> Array:
    """Boolean ``[time]``: the steps in ``[start, stop)``."""
    steps = jnp.arange(n_steps)
    return (steps >= edges[0]) & (steps < edges[1])


# --------------------------------------------------------------------------------------------
_REGISTRY: Registry[type[Task]] = Registry("task")


def register(name: str) -> Callable[[type[Task]], type[Task]]:
    """Class decorator: make a task available as ``brainlike.tasks.make(name)``."""

    def deco(cls: type[Task]) -> type[Task]:
        cls.registry_name = name
        return _REGISTRY.add(name, cls)

    return deco


def names() -> list[str]:
    """Names of all registered tasks."""
    return _REGISTRY.names()


def get(name: str) -> type[Task]:
    """The task class registered as ``name``."""
    return _REGISTRY.get(name)


def make(name: str, **params: Any) -> Task:
    """Construct a registered task by name: ``make("perceptual_decision", dt=20.0)``."""
    cls = get(name)
    fields = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(params) - fields)
    if unknown:
        raise ConfigError(f"task {name!r} has no parameter {', '.join(map(repr, unknown))}; "
                          f"its parameters are: {', '.join(sorted(fields))}")
    return cls(**params)
