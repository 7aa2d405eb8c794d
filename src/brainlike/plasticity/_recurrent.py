"""Feedback rules on recurrent networks: the error sent back through time without weight transport.

BPTT sends the error of a CTRNN's units back one step through ``W_rec^T`` (and from the output through
``W_out^T``). Here, as for the feed-forward layers of :mod:`._feedback`, the backward pass of the
recurrent scan and of the readout sends it through the rule's matrix ``B`` instead, while each weight's
update is still ``a sum_t lambda_t^T r_{t-1}`` of the errors so propagated (Lillicrap et al. 2016 applied FA
to recurrent networks; Murray 2019 eLife, RFLO, is its online relative):

- ``fa``, ``frsf``, ``brsf``, ``wm``, ``kp``: ``B_rec`` for the recurrent step, ``B_out`` for the readout,
  with the same meaning as for a dense layer (``wm`` mirrors with noise through ``W_rec`` and ``W_out``);
- ``dfa``: the output error reaches every unit through a fixed random ``B_out`` and is not passed between
  units (only along each unit's own leak).

The recurrent part is one ``jax.custom_vjp`` around the whole scan, built on the CTRNN's hand-written
BPTT (:func:`brainlike.circuits._ctrnn.leaky_backward`), so a rule costs what BPTT costs.
"""

from __future__ import annotations

import dataclasses
import functools
import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, PRNGKeyArray

from .._errors import ConfigError
from ..circuits import CTRNN, Network
from ..circuits._ctrnn import _leaky_forward, leaky_backward
from ._feedback import _feedback_matrix, _mirror, _transported, mirror_noise, random_magnitudes

__all__ = ["FeedbackCTRNN", "FeedbackReadout", "recurrent_with_feedback", "recurrent_without_feedback"]


def _dense(x, w):
    return x @ w.T


@functools.partial(jax.custom_vjp, nondiff_argnums=(6, 7, 8))
def _feedback_scan(w_rec, feedback, aux, drive, x0, noise, alpha, rate_fn, rule):
    return _leaky_forward(w_rec, drive, x0, noise, alpha, rate_fn)


def _feedback_scan_fwd(w_rec, feedback, aux, drive, x0, noise, alpha, rate_fn, rule):
    xs = _leaky_forward(w_rec, drive, x0, noise, alpha, rate_fn)
    return xs, (w_rec, feedback, aux, x0, xs)


def _feedback_scan_bwd(alpha, rate_fn, rule, res, g):
    w_rec, feedback, aux, x0, xs = res
    back = None if rule == "dfa" else _feedback_matrix(rule, w_rec, feedback, aux)
    g_w, g_drive, g_x0, g_noise = leaky_backward(back, alpha, rate_fn, x0, xs, g)
    if rule == "kp":
        g_b = g_w
    elif rule == "wm":
        g_b = -_mirror(_dense, aux, w_rec)  # descent moves B towards the noise estimate of W
    else:
        g_b = jnp.zeros_like(feedback)
    return g_w, g_b, jnp.zeros_like(aux), g_drive, g_x0, g_noise


_feedback_scan.defvjp(_feedback_scan_fwd, _feedback_scan_bwd)


def _aux(rule: str, shape: tuple[int, ...], mirror_batch: int, key: PRNGKeyArray) -> Array:
    """The per-batch random numbers of a rule: magnitudes (brsf) or mirror noise (wm)."""
    if rule == "brsf":
        return random_magnitudes(key, shape)
    if rule == "wm":
        return mirror_noise(key, (mirror_batch, shape[1]))
    return jnp.zeros(())


class FeedbackCTRNN(CTRNN):
    """A :class:`~brainlike.circuits.CTRNN` whose error goes back through time via ``feedback`` (``B_rec``)
    by ``rule``; the forward dynamics are the CTRNN's."""

    feedback: Array
    rule: str = eqx.field(static=True)
    mirror_batch: int = eqx.field(static=True)

    def __init__(self, circuit: CTRNN, rule: str, *, key: PRNGKeyArray, mirror_batch: int = 32):
        for f in dataclasses.fields(CTRNN):
            setattr(self, f.name, getattr(circuit, f.name))
        n = circuit.n_units
        # random, at the scale of the forward weights
        self.feedback = jax.random.normal(key, (n, n)) * jnp.std(circuit.w_rec)
        self.rule = rule
        self.mirror_batch = int(mirror_batch)

    def integrate(self, drive, x0, noise, *, key):
        aux = _aux(self.rule, self.w_rec.shape, self.mirror_batch, jax.random.fold_in(key, 0xFEED))
        return _feedback_scan(self.w_rec, self.feedback, aux, drive, x0, noise, self.alpha, self.rate_fn, self.rule)

    def plain(self) -> CTRNN:
        """The same CTRNN without the feedback pathway (BPTT)."""
        c = CTRNN(self.n_in, self.n_units, key=jax.random.key(0), tau=self.tau, dt=self.dt, rate_fn=self.rate_fn,
                  sigma_rec=self.sigma_rec, sigma_in=self.sigma_in)
        return eqx.tree_at(lambda m: (m.w_in, m.w_rec, m.bias, m.x0), c, (self.w_in, self.w_rec, self.bias, self.x0))

    def effective_feedback(self) -> Array | None:
        if self.rule == "dfa":
            return None
        if self.rule == "brsf":
            return jnp.sign(self.w_rec)
        return _feedback_matrix(self.rule, self.w_rec, self.feedback, None)


class FeedbackReadout(eqx.Module):
    """A linear readout whose error reaches the units through ``feedback`` (``B_out``) by ``rule``."""

    weight: Array
    bias: Array
    feedback: Array
    rule: str = eqx.field(static=True)
    mirror_batch: int = eqx.field(static=True)

    def __init__(self, readout: eqx.nn.Linear, rule: str, *, key: PRNGKeyArray, mirror_batch: int = 32):
        self.weight, self.bias = readout.weight, readout.bias
        self.feedback = jax.random.normal(key, readout.weight.shape) * jnp.std(readout.weight)
        self.rule = "fa" if rule == "dfa" else rule
        self.mirror_batch = int(mirror_batch)

    @property
    def out_features(self) -> int:
        return self.weight.shape[0]

    @property
    def in_features(self) -> int:
        return self.weight.shape[1]

    def read(self, rates: Array, *, key: PRNGKeyArray | None = None) -> Array:
        if self.rule in ("brsf", "wm") and key is None:
            raise ConfigError(f"readout feedback rule {self.rule!r} draws random numbers: pass key=")
        flat = rates.reshape(-1, rates.shape[-1])
        aux = _aux(self.rule, self.weight.shape, self.mirror_batch, key) if key is not None else jnp.zeros(())
        y = _transported(_dense, self.rule, flat, self.weight, self.feedback, aux) + self.bias
        return y.reshape(*rates.shape[:-1], self.out_features)

    def plain(self) -> eqx.nn.Linear:
        lin = eqx.nn.Linear(self.in_features, self.out_features, key=jax.random.key(0))
        return eqx.tree_at(lambda m: (m.weight, m.bias), lin, (self.weight, self.bias))

    def effective_feedback(self) -> Array:
        if self.rule == "brsf":
            return jnp.sign(self.weight)
        return _feedback_matrix(self.rule, self.weight, self.feedback, None)


def recurrent_with_feedback(network: Network, rule: str, *, key: PRNGKeyArray, mirror_batch: int = 32,
                            mirror_init: int = 1024) -> Network:
    """``network`` (a CTRNN with its readout) learning by ``rule``: feedback on the recurrent step and on
    the readout. ``wm`` starts from the mirror estimate of ``mirror_init`` noise samples."""
    if type(network.circuit) is not CTRNN:
        raise ConfigError(f"feedback rules on recurrent networks need a plain CTRNN circuit, got "
                          f"{type(network.circuit).__name__} (Dale's law and gated units are not supported)")
    k_rec, k_out = jax.random.split(jax.random.fold_in(key, 0xFEED))
    circuit = FeedbackCTRNN(network.circuit, rule, key=k_rec, mirror_batch=mirror_batch)
    readout = FeedbackReadout(network.readout, rule, key=k_out, mirror_batch=mirror_batch)
    if rule == "wm" and mirror_init:
        n = circuit.n_units
        xi = mirror_noise(jax.random.fold_in(k_rec, 1), (mirror_init, n))
        circuit = eqx.tree_at(lambda c: c.feedback, circuit, _mirror(_dense, xi, circuit.w_rec))
        readout = eqx.tree_at(lambda r: r.feedback, readout, _mirror(_dense, xi, readout.weight))
    return eqx.tree_at(lambda m: (m.circuit, m.readout), network, (circuit, readout))


def recurrent_without_feedback(network: Network) -> Network:
    circuit = network.circuit.plain() if isinstance(network.circuit, FeedbackCTRNN) else network.circuit
    readout = network.readout.plain() if isinstance(network.readout, FeedbackReadout) else network.readout
    return eqx.tree_at(lambda m: (m.circuit, m.readout), network, (circuit, readout))
