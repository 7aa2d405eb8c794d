"""Biological constraints as wrappers (DESIGN section 2): Dale's law and connectivity masks.

``Dale(CTRNN(...), frac_exc=0.8)`` keeps every unit's outgoing recurrent weights of one sign (excitatory
or inhibitory) and its inputs excitatory by a parametrisation, so the constraint holds throughout
training: ``W_rec = [W+]_+ * mask * sign`` with ``sign_j = +1`` for excitatory and ``-1`` for inhibitory
presynaptic unit ``j``, ``W_in = [W_in+]_+`` (Song, Yang & Wang 2016, eqs. 8-10). Downstream readouts
see only the excitatory units. ``Masked(circuit, mask)`` restricts which connections exist (sparse
connectivity, or area-to-area block masks) without sign constraints.

Both wrap spiking circuits too (:class:`~brainlike.circuits.LIF`, ALIF): spikes are non-negative, so
``Dale(LIF(...))`` is a network of excitatory and inhibitory spiking neurons (Bellec et al. 2018's LSNNs
obey Dale's law in this way), and ``Masked(LIF(...), sparse_mask(...))`` a sparsely connected one.
"""

from __future__ import annotations

import abc

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, PRNGKeyArray

from .._errors import ConfigError
from ._base import Circuit, register
from ._ctrnn import CTRNN
from ._spiking import LIF

__all__ = ["Dale", "Masked", "EIRNN", "sparse_mask", "block_mask", "balanced_weights"]


def sparse_mask(n: int, p: float, *, key: PRNGKeyArray, self_connections: bool = False) -> Array:
    """Random connectivity: each connection exists with probability ``p`` (int8 ``[n n]``)."""
    if not 0 < p <= 1:
        raise ConfigError(f"connection probability must be in (0, 1], got {p}")
    m = jax.random.bernoulli(key, p, (n, n))
    if not self_connections:
        m = m & ~jnp.eye(n, dtype=bool)
    return m.astype(jnp.int8)


def block_mask(sizes: tuple[int, ...], allowed) -> Array:
    """Area-to-area connectivity: ``allowed[a, b]`` says whether area ``b`` projects to area ``a``.

    ``sizes`` are the numbers of units of each area, in order; returns int8 ``[n n]`` (post x pre).
    """
    allowed = np.asarray(allowed, bool)
    if allowed.shape != (len(sizes), len(sizes)):
        raise ConfigError(f"block mask: allowed has shape {allowed.shape}, expected ({len(sizes)}, {len(sizes)})")
    area = np.repeat(np.arange(len(sizes)), sizes)
    return jnp.asarray(allowed[area[:, None], area[None, :]], jnp.int8)


def balanced_weights(n: int, n_exc: int, *, key: PRNGKeyArray, radius: float = 1.0) -> Array:
    """Non-negative magnitudes with balanced excitation and inhibition onto every unit, then scaled so
    that the signed matrix has spectral radius ``radius`` (Song, Yang & Wang 2016, Methods)."""
    w = jax.random.gamma(key, 2.0, (n, n)) * (1 - jnp.eye(n))
    exc = w[:, :n_exc].sum(1, keepdims=True)
    inh = w[:, n_exc:].sum(1, keepdims=True)
    w = w.at[:, n_exc:].multiply(exc / jnp.maximum(inh, 1e-9))
    sign = jnp.where(jnp.arange(n) < n_exc, 1.0, -1.0)
    rho = jax.pure_callback(_spectral_radius, jax.ShapeDtypeStruct((), w.dtype), w * sign,
                            vmap_method="sequential")
    return w * radius / rho


def _check_recurrent(circuit) -> None:
    if isinstance(circuit, LIF) and not circuit.recurrent:
        raise ConfigError("Dale and Masked constrain recurrent weights; this LIF layer has none (recurrent=False)")


def _spectral_radius(w) -> np.ndarray:
    return np.asarray(np.max(np.abs(np.linalg.eigvals(np.asarray(w, np.float64)))), np.float32)


class _Reparametrised(Circuit):
    """A CTRNN or spiking circuit seen through a parametrisation: the dynamics are those of ``effective()``."""

    circuit: eqx.AbstractVar[CTRNN | LIF]

    n_in = property(lambda self: self.circuit.n_in)
    n_units = property(lambda self: self.circuit.n_units)
    dt = property(lambda self: self.circuit.dt)
    tau = property(lambda self: self.circuit.tau)

    @abc.abstractmethod
    def effective(self) -> CTRNN:
        """The plain CTRNN with the weights the dynamics use."""

    def init_state(self):
        return self.circuit.init_state()

    def step(self, state, x, *, key):
        return self.effective().step(state, x, key=key)

    def simulate_batch(self, inputs, *, key):
        return self.effective().simulate_batch(inputs, key=key)


class Masked(_Reparametrised):
    """A CTRNN or spiking circuit whose recurrent connections exist only where ``mask`` is 1."""

    circuit: CTRNN | LIF
    mask: Array  # int8, not trained

    def __init__(self, circuit: CTRNN | LIF, mask):
        _check_recurrent(circuit)
        mask = jnp.asarray(mask, jnp.int8)
        if mask.shape != (circuit.n_units,) * 2:
            raise ConfigError(f"mask has shape {mask.shape}, expected ({circuit.n_units}, {circuit.n_units})")
        self.circuit, self.mask = circuit, mask

    def effective(self) -> CTRNN | LIF:
        """The plain circuit with the masked weights (what the dynamics use)."""
        return eqx.tree_at(lambda c: c.w_rec, self.circuit, self.circuit.w_rec * self.mask)



@register("eirnn")
class Dale(_Reparametrised):
    """Dale's law on a CTRNN or a spiking circuit: the first ``frac_exc`` of the units excitatory, the rest
    inhibitory."""

    circuit: CTRNN | LIF
    sign: Array  # int8 [units]: +1 excitatory, -1 inhibitory; not trained
    mask: Array  # int8 [units units]; not trained

    def __init__(self, circuit: CTRNN | LIF | int, n_units: int | None = None, *, key: PRNGKeyArray | None = None,
                 frac_exc: float = 0.8, mask=None, balanced: bool = True, radius: float = 1.0, **ctrnn_params):
        if not isinstance(circuit, (CTRNN, LIF)):  # registry form: Dale(n_in, n_units, key=..., **ctrnn_params)
            if key is None or n_units is None:
                raise ConfigError("Dale(n_in, n_units, key=...) needs n_units and a key")
            k1, k2 = jax.random.split(key)
            circuit = CTRNN(circuit, n_units, key=k1, **ctrnn_params)
            key = k2
        elif ctrnn_params:
            raise ConfigError(f"Dale(circuit): unexpected parameters {sorted(ctrnn_params)}")
        _check_recurrent(circuit)
        if isinstance(circuit, CTRNN) and circuit.rate_fn not in ("relu", "softplus", "sigmoid", "retanh"):
            raise ConfigError(f"Dale's law needs non-negative rates (relu, softplus, sigmoid, retanh), got {circuit.rate_fn!r}")
        if not 0 < frac_exc < 1:
            raise ConfigError(f"frac_exc must be in (0, 1), got {frac_exc}")
        n = circuit.n_units
        n_exc = int(round(frac_exc * n))
        if not 0 < n_exc < n:
            raise ConfigError(f"{n} units with frac_exc={frac_exc} leave no excitatory or no inhibitory unit")
        self.sign = jnp.where(jnp.arange(n) < n_exc, 1, -1).astype(jnp.int8)
        self.mask = (jnp.ones((n, n), jnp.int8) - jnp.eye(n, dtype=jnp.int8)) if mask is None else jnp.asarray(mask, jnp.int8)
        if self.mask.shape != (n, n):
            raise ConfigError(f"mask has shape {self.mask.shape}, expected ({n}, {n})")
        if balanced:
            if key is None:
                raise ConfigError("Dale(..., balanced=True) needs a key for the initial weights")
            k_rec = key
            circuit = eqx.tree_at(lambda c: (c.w_rec, c.w_in), circuit,
                                  (balanced_weights(n, n_exc, key=k_rec, radius=radius) * self.mask,
                                   jnp.abs(circuit.w_in)))
        else:
            circuit = eqx.tree_at(lambda c: (c.w_rec, c.w_in), circuit, (jnp.abs(circuit.w_rec), jnp.abs(circuit.w_in)))
        self.circuit = circuit

    @property
    def n_exc(self) -> int:
        return int(np.sum(np.asarray(self.sign) > 0))

    @property
    def readout_units(self) -> Array:
        """Units that project out of the circuit: the excitatory ones."""
        return (self.sign > 0).astype(jnp.float32)

    def effective(self) -> CTRNN | LIF:
        """The plain circuit with the signed weights the dynamics use."""
        w_rec = jax.nn.relu(self.circuit.w_rec) * self.mask * self.sign[None, :]
        w_in = jax.nn.relu(self.circuit.w_in)
        return eqx.tree_at(lambda c: (c.w_rec, c.w_in), self.circuit, (w_rec, w_in))



def EIRNN(n_in: int, n_units: int, *, key: PRNGKeyArray, frac_exc: float = 0.8, **ctrnn_params) -> Dale:
    """An excitatory-inhibitory CTRNN with balanced initial weights (Song, Yang & Wang 2016)."""
    return Dale(n_in, n_units, key=key, frac_exc=frac_exc, **ctrnn_params)
