"""The experiment interface: one file per paper with its config sizes, training, analyses, claims and
figures (DESIGN section 2)."""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar

import optax

from .._errors import ConfigError
from .._recording import Recording
from .._registry import Registry

__all__ = ["Claim", "Evaluation", "Experiment", "register", "get", "names", "at_least", "at_most", "above", "below", "between",
           "holds", "SIZES"]

SIZES = ("smoke", "quick", "paper")


@dataclasses.dataclass(frozen=True)
class Claim:
    """A result of the paper as a check: the measured ``value`` against ``threshold``."""

    name: str
    value: float | bool
    threshold: str
    passed: bool
    description: str = ""
    seed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def at_least(name: str, value: float, bound: float, description: str = "") -> Claim:
    return Claim(name, float(value), f">= {bound:g}", bool(value >= bound), description)


def at_most(name: str, value: float, bound: float, description: str = "") -> Claim:
    return Claim(name, float(value), f"<= {bound:g}", bool(value <= bound), description)


def between(name: str, value: float, low: float, high: float, description: str = "") -> Claim:
    return Claim(name, float(value), f"in [{low:g}, {high:g}]", bool(low <= value <= high), description)


def above(name: str, value: float, bound: float, description: str = "") -> Claim:
    return Claim(name, float(value), f"> {bound:g}", bool(value > bound), description)


def below(name: str, value: float, bound: float, description: str = "") -> Claim:
    return Claim(name, float(value), f"< {bound:g}", bool(value < bound), description)


def holds(name: str, value: bool, description: str = "") -> Claim:
    return Claim(name, bool(value), "true", bool(value), description)


@dataclasses.dataclass
class Evaluation:
    """What ``evaluate`` returns for one trained seed: JSON-able ``results``, the ``claims``, the
    ``recordings`` to store, and anything the figures need (``artifacts``, not stored)."""

    results: dict[str, Any]
    claims: list[Claim]
    recordings: dict[str, Recording] = dataclasses.field(default_factory=dict)
    artifacts: dict[str, Any] = dataclasses.field(default_factory=dict)


class Experiment(abc.ABC):
    """A paper, re-made. Subclasses set the class attributes and implement the five methods.

    ``init`` and ``step`` are pure JAX, so the runner vmaps them over seeds and jits whole chunks of
    training; ``evaluate`` and ``figures`` run the paper's analyses and re-make its figures.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    paper: ClassVar[str]
    Config: ClassVar[type]
    #: Real data files the experiment reads, relative to the data directory ($BRAINLIKE_DATA).
    data: ClassVar[tuple[str, ...]] = ()

    def config(self, size: str = "quick"):
        if size not in SIZES:
            raise ConfigError(f"unknown size {size!r}; sizes: {', '.join(SIZES)}")
        return getattr(self.Config, size)()

    @abc.abstractmethod
    def init(self, config, key) -> Any:
        """The untrained model(s) (a pytree of Equinox modules)."""

    @abc.abstractmethod
    def optimizer(self, config) -> optax.GradientTransformation:
        """The optimiser applied to the model's inexact arrays."""

    @abc.abstractmethod
    def step(self, config, optimizer) -> Callable:
        """The update ``(model, opt_state, key) -> (model, opt_state, metrics)``; metrics has ``loss``."""

    @abc.abstractmethod
    def evaluate(self, config, model, key) -> Evaluation:
        """The paper's analyses on the trained model, and its claims."""

    @abc.abstractmethod
    def figures(self, config, evaluation: Evaluation, metrics: list[dict]) -> dict[str, Any]:
        """Matplotlib figures by name, re-made from ``evaluation``."""

    def init_optimizer(self, config, optimizer, model) -> Any:
        """The optimiser state for ``model`` (override when parts of the model have their own)."""
        import equinox as eqx

        return optimizer.init(eqx.filter(model, eqx.is_inexact_array))

    def n_steps(self, config) -> int:
        return int(config.n_steps)

    def make_train(self, config) -> Callable:
        """``train(key) -> (model, losses)``: the whole of training as one pure function (PureJaxRL's
        ``make_train``), so ``jax.jit(jax.vmap(train))(keys)`` trains many seeds in one program.

        It uses keys exactly as :func:`brainlike.runs.run_experiment` does (init from ``fold_in(key, 0)``,
        step ``s`` from ``fold_in(fold_in(key, 1), s)``), so both give the same networks."""
        import equinox as eqx
        import jax
        import jax.numpy as jnp

        optimizer = self.optimizer(config)
        step = self.step(config, optimizer)
        n = self.n_steps(config)

        def train(key):
            model = self.init(config, jax.random.fold_in(key, 0))
            opt_state = self.init_optimizer(config, optimizer, model)
            k_train = jax.random.fold_in(key, 1)
            params, static = eqx.partition(model, eqx.is_array)

            def body(carry, s):
                p, o = carry
                m, o, metrics = step(eqx.combine(p, static), o, jax.random.fold_in(k_train, s))
                return (eqx.filter(m, eqx.is_array), o), metrics["loss"]

            (params, _), losses = jax.lax.scan(body, (params, opt_state), jnp.arange(n))
            return eqx.combine(params, static), losses

        return train


_REGISTRY: Registry[Experiment] = Registry("experiment")


def register(cls: type[Experiment]) -> type[Experiment]:
    """Class decorator: make an experiment available to ``brainlike run``."""
    _REGISTRY.add(cls.name, cls())
    return cls


def names() -> list[str]:
    return _REGISTRY.names()


def get(name: str) -> Experiment:
    return _REGISTRY.get(name)


def member(stack, i: int):
    """Network ``i`` of a stack of networks built by ``filter_vmap`` (its arrays sliced, the rest kept)."""
    import equinox as eqx
    import jax

    return jax.tree_util.tree_map(lambda x: x[i] if eqx.is_array(x) else x, stack)
