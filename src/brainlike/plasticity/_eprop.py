"""e-prop: online learning in recurrent spiking networks with eligibility traces and a broadcast learning
signal (Bellec, Scherr, Subramoney, Hajek, Salaj, Legenstein & Maass 2020, Nat Commun 11:3625).

The gradient of a loss ``E`` with respect to a synapse ``W_ji`` of a recurrent network is factorised as

    dE/dW_ji ~= sum_t L_j[t] e_ji[t]                                                  (eq. 1)

- ``e_ji[t] = dz_j[t]/dh_j[t] . eps_ji[t]`` is the synapse's *eligibility trace*: the eligibility vector
  ``eps_ji[t] = dh_j[t]/dh_j[t-1] eps_ji[t-1] + dh_j[t]/dW_ji`` follows how the weight has moved the
  neuron's own hidden state ``h_j = (v_j, a_j)`` (membrane and adaptation), forward in time, with
  information local to the synapse (eqs. 13-14; for ALIF neurons eqs. 25-27, the adaptation component);
- ``L_j[t] = sum_k B_jk dE/dy_k[t]`` is a *learning signal* broadcast from the output errors at time ``t``
  through feedback weights ``B``: the readout weights themselves (*symmetric e-prop*, ``B = W_out^T``) or
  a fixed random matrix (*random e-prop*, no weight transport, as in feedback alignment).

With a leaky-integrator readout (decay ``kappa``) the eligibility traces are low-pass filtered by the same
filter before they meet the learning signal (eq. 28), so nothing in the update looks into the future.

With symmetric feedback this is the exact gradient of a network in which the spikes a neuron sends to the
others carry no gradient (the paper's approximation: only ``dE/dz`` through the readout counts, not its
effect on the other neurons' future); it is exactly BPTT's gradient for a layer without recurrent
synapses. Here the neuron's own reset and refractoriness are kept in ``dh_j[t]/dh_j[t-1]``, so the traces
match the dynamics of :class:`~brainlike.circuits.LIF` step for step; the tests check both identities
against automatic differentiation. The firing-rate regulariser's gradient is local too (the paper's
Methods, "Firing rate regularization") and is added to the learning signal unfiltered.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import optax
from jaxtyping import Array, Float, PRNGKeyArray

from .._errors import ConfigError
from ..circuits import LIF, SURROGATES, Network
from ..tasks import Task
from ._bptt import _loss_fn

__all__ = ["eprop_gradients", "make_eprop_step", "random_feedback"]

Metrics = dict[str, Array]


def random_feedback(network: Network, key: PRNGKeyArray) -> Float[Array, "n_out units"]:
    """Fixed random broadcast weights ``B`` (``[n_out, units]``, entries N(0, 1/units)) for random e-prop,
    scaled like the readout weights they stand in for."""
    return jax.random.normal(key, (network.n_out, network.circuit.n_units)) / math.sqrt(network.circuit.n_units)


def _check(network: Network):
    if not isinstance(network.circuit, LIF):
        raise ConfigError(f"e-prop needs a spiking circuit (circuits.LIF or ALIF), got {type(network.circuit).__name__}")
    if not isinstance(network.readout, eqx.nn.Linear) or getattr(network.circuit, "readout_units", None) is not None:
        raise ConfigError("e-prop needs a plain linear readout (Network's own), not a feedback pathway")


def eprop_gradients(network: Network, trials, key: PRNGKeyArray, *, feedback: Array | None = None,
                    loss: str | Callable = "cross_entropy", rate_reg: float = 0.0, rate_target: float | None = None
                    ) -> tuple[Network, Metrics]:
    """e-prop's estimate of the gradient of ``loss + rate_reg * rate penalty`` on ``trials`` for every
    parameter of ``network`` (a spiking circuit with a linear readout), as a pytree shaped like it.

    ``feedback``: ``None`` for symmetric e-prop (``B`` = the readout weights) or a ``[n_out, units]``
    matrix (:func:`random_feedback`). The readout's own gradient is exact (it is local). Without
    ``rate_target`` the rate penalty is the mean squared rate, as in :func:`supervised_loss`."""
    _check(network)
    circuit = network.circuit
    loss_fn = _loss_fn(loss)
    traj = circuit.trajectory(trials.inputs, key=key)
    z = traj["z"]  # [trials time units]
    outputs = network.read(z)

    # learning signals from the output errors at each time step (dE/dy[t] is a function of y[t] alone)
    readout = network.readout
    task_loss, d_out = jax.value_and_grad(loss_fn)(outputs, trials.targets, trials.mask)
    readout_grad = jax.grad(lambda ro: loss_fn(eqx.tree_at(lambda n: n.readout, network, ro).read(z),
                                               trials.targets, trials.mask))(readout)
    b = readout.weight if feedback is None else jnp.asarray(feedback)
    if b.shape != readout.weight.shape:
        raise ConfigError(f"feedback has shape {tuple(b.shape)}, expected (n_out, units) = {tuple(readout.weight.shape)}")
    signal = d_out @ b  # [trials time units]

    # the rate regulariser: d/dz of mean_j (f_j - target)^2 (or of mean z^2), spread over every step
    n_trials, n_steps, n_units = z.shape
    if rate_target is None:
        rate_penalty = jnp.mean(z**2)
        reg_signal = 2.0 * z / z.size
    else:
        f = jnp.mean(z, axis=(0, 1))
        rate_penalty = jnp.mean((f - rate_target) ** 2)
        reg_signal = jnp.broadcast_to(2.0 * (f - rate_target) / (n_units * n_trials * n_steps), z.shape)
    reg_signal = rate_reg * reg_signal

    # eligibility traces, forward in time
    alpha, rho, v_th = circuit.alpha, circuit.rho, circuit.v_th
    beta = jax.lax.stop_gradient(circuit.beta)
    kappa = 0.0 if network.readout_tau is None else math.exp(-circuit.dt / network.readout_tau)
    surrogate = SURROGATES[circuit.surrogate]
    threshold = v_th + beta * traj["a"]
    psi = circuit.dampening * surrogate((traj["v"] - threshold) / v_th) / v_th * traj["free"]  # dz/dv
    z_prev = jnp.concatenate([jnp.zeros_like(z[:, :1]), z[:, :-1]], axis=1)
    parts = [trials.inputs] + ([z_prev] if circuit.recurrent else []) + [jnp.ones_like(z[..., :1])]
    pre = jnp.concatenate(parts, axis=-1)  # [trials time presynaptic (+1: the bias)]
    psi_prev = jnp.concatenate([jnp.zeros_like(psi[:, :1]), psi[:, :-1]], axis=1)
    threshold_prev = jnp.concatenate([jnp.full_like(threshold[:, :1], v_th), threshold[:, :-1]], axis=1)

    def body(carry, xs):
        eps_v, eps_a, e_bar, grad = carry
        pre_t, psi_t, psi_p, th_p, l_t, r_t = xs
        # d(v, a)[t] / d(v, a)[t-1] of each neuron: leak, reset by subtraction and adaptation (through z[t-1])
        dvv = (alpha - th_p * psi_p)[..., None]
        dva = (th_p * beta * psi_p)[..., None]
        dav = ((1.0 - rho) * psi_p)[..., None]
        daa = (rho - (1.0 - rho) * beta * psi_p)[..., None]
        eps_v, eps_a = dvv * eps_v + dva * eps_a + (1.0 - alpha) * pre_t[:, None, :], dav * eps_v + daa * eps_a
        e = psi_t[..., None] * (eps_v - beta[:, None] * eps_a)  # eligibility trace [trials post pre]
        e_bar = kappa * e_bar + (1.0 - kappa) * e
        grad = grad + jnp.einsum("bj,bjp->jp", l_t, e_bar) + jnp.einsum("bj,bjp->jp", r_t, e)
        return (eps_v, eps_a, e_bar, grad), None

    shape = (n_trials, n_units, pre.shape[-1])
    zeros = jnp.zeros(shape, z.dtype)
    xs = tuple(jnp.moveaxis(x, 1, 0) for x in (pre, psi, psi_prev, threshold_prev, signal, reg_signal))
    (_, _, _, grad), _ = jax.lax.scan(body, (zeros, zeros, zeros, jnp.zeros(shape[1:], z.dtype)), xs)

    n_in = circuit.n_in
    w_rec_grad = (grad[:, n_in:n_in + n_units] * (1.0 - jnp.eye(n_units))) if circuit.recurrent \
        else jnp.zeros_like(circuit.w_rec)
    grads = jax.tree.map(jnp.zeros_like, eqx.filter(network, eqx.is_inexact_array))
    grads = eqx.tree_at(lambda g: (g.circuit.w_in, g.circuit.w_rec, g.circuit.bias, g.readout),
                        grads, (grad[:, :n_in], w_rec_grad, grad[:, -1], readout_grad))
    hit = (jnp.argmax(outputs, -1) == jnp.argmax(trials.targets, -1)).astype(jnp.float32)
    step_accuracy = jnp.sum(hit * trials.mask) / jnp.maximum(jnp.sum(trials.mask), 1.0)
    return grads, {"loss": task_loss, "total_loss": task_loss + rate_reg * rate_penalty,
                   "step_accuracy": step_accuracy, "mean_rate": jnp.mean(z)}


def make_eprop_step(task: Task, optimizer: optax.GradientTransformation, *, batch_size: int = 64,
                    feedback: Array | None = None, loss: str | Callable = "cross_entropy", rate_reg: float = 0.0,
                    rate_target: float | None = None):
    """One e-prop update on a fresh batch of ``batch_size`` trials of ``task``: the same signature and
    metrics as :func:`make_step` (BPTT), so the two rules train side by side. ``feedback`` as in
    :func:`eprop_gradients` (``None``: symmetric)."""
    if batch_size < 1:
        raise ConfigError(f"batch_size must be >= 1, got {batch_size}")
    _loss_fn(loss)

    def step(network: Network, opt_state, key):
        k_trials, k_noise = jax.random.split(key)
        trials = task.sample(k_trials, batch_size)
        grads, metrics = eprop_gradients(network, trials, k_noise, feedback=feedback, loss=loss, rate_reg=rate_reg,
                                         rate_target=rate_target)
        params = eqx.filter(network, eqx.is_inexact_array)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        network = eqx.apply_updates(network, updates)
        metrics["grad_norm"] = optax.tree.norm(grads)
        return network, opt_state, metrics

    return step
