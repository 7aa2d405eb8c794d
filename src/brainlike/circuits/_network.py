"""A circuit with a linear readout, and the runner that vmaps over trials and scans over time."""

from __future__ import annotations

import math

import equinox as eqx
import jax
import numpy as np
from jax.flatten_util import ravel_pytree
from jaxtyping import Array, Float, PRNGKeyArray

from .._errors import ConfigError
from .._recording import Recording
from .._trials import Trials
from ._base import Circuit
from ._spiking import leaky_filter

__all__ = ["Network", "simulate", "forward", "run", "hidden_states"]


class Network(eqx.Module):
    """``circuit`` read out linearly: ``output_t = W_out rate_t + b_out`` (a downstream area).

    With ``readout_tau`` (ms) the readout neurons are leaky integrators of their input (Bellec et al.
    2020 eq. 6): the rates are filtered with ``exp(-dt / readout_tau)`` along time before the linear map,
    which is how a spiking circuit's 0/1 spike trains are read out."""

    circuit: Circuit
    readout: eqx.nn.Linear
    readout_tau: float | None = eqx.field(static=True)

    def __init__(self, circuit: Circuit, n_out: int, *, key: PRNGKeyArray, readout_tau: float | None = None):
        if readout_tau is not None and readout_tau <= 0:
            raise ConfigError(f"readout_tau must be positive (ms) or None, got {readout_tau}")
        self.circuit = circuit
        self.readout = eqx.nn.Linear(circuit.n_units, n_out, key=key)
        self.readout_tau = None if readout_tau is None else float(readout_tau)

    def read(self, rates: Float[Array, "... units"], *, key: PRNGKeyArray | None = None) -> Float[Array, "... n_out"]:
        """The readout of ``rates``; only the circuit's ``readout_units`` project out when it has them
        (e.g. the excitatory units under Dale's law). A readout with its own ``read`` (a feedback pathway
        of :mod:`brainlike.plasticity`) is called with ``key``. With ``readout_tau``, ``rates`` are
        ``[... time units]`` and are filtered along time first."""
        if self.readout_tau is not None:
            rates = leaky_filter(rates, math.exp(-self.circuit.dt / self.readout_tau))
        source = getattr(self.circuit, "readout_units", None)
        if source is not None:
            rates = rates * source
        if hasattr(self.readout, "read"):
            return self.readout.read(rates, key=key)
        return rates @ self.readout.weight.T + self.readout.bias

    @property
    def n_in(self) -> int:
        return self.circuit.n_in

    @property
    def n_out(self) -> int:
        return self.readout.out_features

    @property
    def dt(self) -> float:
        return self.circuit.dt


def simulate(network: Network, inputs: Float[Array, "time n_in"], *, key: PRNGKeyArray
             ) -> tuple[Float[Array, "time units"], Float[Array, "time n_out"]]:
    """Run ONE trial: ``lax.scan`` of ``circuit.step`` over time, then the readout at every step."""
    circuit = network.circuit

    def body(state, xs):
        x, k = xs
        state, rate = circuit.step(state, x, key=k)
        return state, rate

    keys = jax.random.split(key, inputs.shape[0])
    _, rates = jax.lax.scan(body, circuit.init_state(), (inputs, keys))
    return rates, network.read(rates, key=jax.random.fold_in(key, 0xFEED))


def forward(network: Network, inputs: Float[Array, "trials time n_in"], *, key: PRNGKeyArray
            ) -> tuple[Float[Array, "trials time units"], Float[Array, "trials time n_out"]]:
    """Run a batch of trials, each with its own noise: a vmap of :func:`simulate`, or the circuit's
    ``simulate_batch`` where it has one (same dynamics, noise drawn in bulk)."""
    if inputs.ndim != 3 or inputs.shape[-1] != network.n_in:
        raise ConfigError(f"inputs have shape {tuple(inputs.shape)}, expected (trials, time, {network.n_in})")
    circuit = network.circuit
    if hasattr(circuit, "simulate_batch"):  # a circuit with a batched fast path (e.g. CTRNN)
        rates = circuit.simulate_batch(inputs, key=key)
        return rates, network.read(rates, key=jax.random.fold_in(key, 0xFEED))
    keys = jax.random.split(key, inputs.shape[0])
    return jax.vmap(lambda x, k: simulate(network, x, key=k))(inputs, keys)


_forward_jit = eqx.filter_jit(forward)


@eqx.filter_jit
def hidden_states(network: Network | Circuit, inputs: Float[Array, "trials time n_in"], *, key: PRNGKeyArray
                  ) -> Float[Array, "trials time state"]:
    """The circuit's full state (flattened: ``x`` of a CTRNN, ``(h, c)`` of an LSTM...) after each step of
    each trial, with the circuit's own noise: the states visited on trials, where a fixed-point search
    starts (:func:`brainlike.analysis.find_fixed_points`). Rates are what :func:`run` records; this is
    the variable the dynamics act on."""
    circuit = getattr(network, "circuit", network)
    if inputs.ndim != 3 or inputs.shape[-1] != circuit.n_in:
        raise ConfigError(f"inputs have shape {tuple(inputs.shape)}, expected (trials, time, {circuit.n_in})")

    def one(x, k):
        def body(state, xs):
            state, _ = circuit.step(state, xs[0], key=xs[1])
            return state, ravel_pytree(state)[0]

        return jax.lax.scan(body, circuit.init_state(), (x, jax.random.split(k, x.shape[0])))[1]

    return jax.vmap(one)(inputs, jax.random.split(key, inputs.shape[0]))


def run(network: Network, trials: Trials, *, key: PRNGKeyArray) -> Recording:
    """Run ``trials`` through ``network`` and record every unit: a :class:`~brainlike.Recording`."""
    if trials.dt != network.dt:
        raise ConfigError(f"trials have dt={trials.dt} ms but the circuit steps dt={network.dt} ms")
    rates, outputs = _forward_jit(network, trials.inputs, key=key)
    return Recording(
        activity=np.asarray(rates), dt=trials.dt,
        conditions={k: np.asarray(v) for k, v in trials.conditions.items()},
        epochs={k: np.asarray(v) for k, v in trials.epochs.items()},
        inputs=np.asarray(trials.inputs), outputs=np.asarray(outputs),
        targets=np.asarray(trials.targets), mask=np.asarray(trials.mask),
    )
