"""Gated recurrent circuits: GRU (Cho et al. 2014) and LSTM (Hochreiter & Schmidhuber 1997).

Both run in discrete steps of ``dt`` ms (the gates learn their own time scales) and take the same
private recurrent noise as the CTRNN, added to the hidden state.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import PRNGKeyArray

from .._errors import ConfigError
from ._base import Circuit, register

__all__ = ["GRU", "LSTM"]


def _check(kind: str, dt: float, sigma_rec: float) -> None:
    if dt <= 0 or sigma_rec < 0:
        raise ConfigError(f"{kind}: need dt > 0 and sigma_rec >= 0, got dt={dt}, sigma_rec={sigma_rec}")


@register("gru")
class GRU(Circuit):
    """Gated recurrent unit; ``rate`` is the hidden state."""

    cell: eqx.nn.GRUCell
    h0: jax.Array
    n_in: int = eqx.field(static=True)
    n_units: int = eqx.field(static=True)
    dt: float = eqx.field(static=True)
    sigma_rec: float = eqx.field(static=True)

    def __init__(self, n_in: int, n_units: int, *, key: PRNGKeyArray, dt: float = 20.0, sigma_rec: float = 0.0):
        _check("GRU", dt, sigma_rec)
        self.cell = eqx.nn.GRUCell(n_in, n_units, key=key)
        self.h0 = jnp.zeros(n_units)
        self.n_in, self.n_units, self.dt, self.sigma_rec = n_in, n_units, float(dt), float(sigma_rec)

    def init_state(self):
        return self.h0

    def step(self, state, x, *, key):
        h = self.cell(x, state)
        if self.sigma_rec > 0:  # static: a noiseless unit draws no random numbers
            h = h + self.sigma_rec * jax.random.normal(key, state.shape)
        return h, h


@register("lstm")
class LSTM(Circuit):
    """Long short-term memory; the state is ``(h, c)`` and ``rate`` is ``h``."""

    cell: eqx.nn.LSTMCell
    h0: jax.Array
    c0: jax.Array
    n_in: int = eqx.field(static=True)
    n_units: int = eqx.field(static=True)
    dt: float = eqx.field(static=True)
    sigma_rec: float = eqx.field(static=True)

    def __init__(self, n_in: int, n_units: int, *, key: PRNGKeyArray, dt: float = 20.0, sigma_rec: float = 0.0):
        _check("LSTM", dt, sigma_rec)
        self.cell = eqx.nn.LSTMCell(n_in, n_units, key=key)
        self.h0 = jnp.zeros(n_units)
        self.c0 = jnp.zeros(n_units)
        self.n_in, self.n_units, self.dt, self.sigma_rec = n_in, n_units, float(dt), float(sigma_rec)

    def init_state(self):
        return (self.h0, self.c0)

    def step(self, state, x, *, key):
        h, c = self.cell(x, state)
        if self.sigma_rec > 0:
            h = h + self.sigma_rec * jax.random.normal(key, h.shape)
        return (h, c), h
