"""The ``Circuit`` interface, activation functions and the circuit registry (DESIGN section 2)."""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray, PyTree

from .._errors import ConfigError
from .._registry import Registry

__all__ = ["Circuit", "activation", "ACTIVATIONS", "register", "make", "names"]

ACTIVATIONS: dict[str, Callable[[Array], Array]] = {
    "relu": jax.nn.relu,
    "tanh": jnp.tanh,
    "softplus": jax.nn.softplus,
    "sigmoid": jax.nn.sigmoid,
    "linear": lambda x: x,
    # rectified tanh, tanh(max(x, 0)): non-negative and saturating (Yang et al. 2019 compare it with softplus,
    # ReLU and tanh units, their Fig. 3)
    "retanh": lambda x: jnp.tanh(jax.nn.relu(x)),
}


def activation(name: str) -> Callable[[Array], Array]:
    """The rate function ``f`` called ``name``."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ConfigError(f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}") from None


class Circuit(eqx.Module):
    """A recurrent circuit, written for ONE trial; the runner vmaps over trials and scans over time.

    ``init_state()`` gives the state at trial start, ``step(state, x, *, key)`` advances one step of
    ``dt`` ms and returns ``(state, rate)`` where ``rate`` ``[units]`` is what an electrode would see.
    """

    n_in: eqx.AbstractVar[int]
    n_units: eqx.AbstractVar[int]
    dt: eqx.AbstractVar[float]

    @abc.abstractmethod
    def init_state(self) -> PyTree[Array]:
        """State at the start of a trial."""

    @abc.abstractmethod
    def step(self, state: PyTree[Array], x: Float[Array, " n_in"], *, key: PRNGKeyArray
             ) -> tuple[PyTree[Array], Float[Array, " units"]]:
        """Advance one time step."""


_REGISTRY: Registry[Callable[..., Circuit]] = Registry("circuit")


def register(name: str):
    """Class decorator: make a circuit available as ``brainlike.circuits.make(name, ...)``."""

    def deco(cls):
        cls.registry_name = name
        return _REGISTRY.add(name, cls)

    return deco


def names() -> list[str]:
    return _REGISTRY.names()


def make(name: str, n_in: int, n_units: int, *, key: PRNGKeyArray, **params: Any) -> Circuit:
    """Construct a registered circuit: ``make("ctrnn", 3, 128, key=key, tau=100.0)``."""
    cls = _REGISTRY.get(name)
    try:
        return cls(n_in, n_units, key=key, **params)
    except TypeError as e:
        raise ConfigError(f"circuit {name!r}: {e}") from None
