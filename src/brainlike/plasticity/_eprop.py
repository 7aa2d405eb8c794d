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

Because eq. 1 is a sum over time of products that are linear in the learning signal, it can also be summed
the other way round: reverse-mode differentiation of the network with the cross-neuron spike paths cut and
the readout's error sent back through ``B`` gives the same numbers at the cost of one BPTT pass instead of a
state per synapse and trial at every step (``method="autodiff"``; the traces are ``method="traces"``).
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
from ..circuits import LIF, SURROGATES, Network, leaky_filter
from ..tasks import Task
from ._bptt import _loss_fn, make_update, rate_penalty, supervised_metrics

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
    if network.circuit.learn_tau:
        raise ConfigError("e-prop has no eligibility traces for time constants; build the circuit with "
                          "learn_tau=False (per-neuron time constants, fixed)")


METHODS = ("traces", "autodiff")


@jax.custom_vjp
def _broadcast(rates, weight, feedback):
    """``rates @ weight.T``, whose gradient reaches ``rates`` through ``feedback`` (e-prop's broadcast
    weights ``B``) instead of ``weight``; ``weight``'s own gradient is exact."""
    return rates @ weight.T


def _broadcast_fwd(rates, weight, feedback):
    return rates @ weight.T, (rates, feedback)


def _broadcast_bwd(residuals, g):
    rates, feedback = residuals
    d_weight = g.reshape(-1, g.shape[-1]).T @ rates.reshape(-1, rates.shape[-1])
    return g @ feedback, d_weight, jnp.zeros_like(feedback)


_broadcast.defvjp(_broadcast_fwd, _broadcast_bwd)


def eprop_gradients(network: Network, trials, key: PRNGKeyArray, *, feedback: Array | None = None,
                    loss: str | Callable = "cross_entropy", rate_reg: float = 0.0, rate_target: float | None = None,
                    method: str = "traces") -> tuple[Network, Metrics]:
    """e-prop's estimate of the gradient of ``loss + rate_reg * rate penalty`` on ``trials`` for every
    parameter of ``network`` (a spiking circuit with a linear readout), as a pytree shaped like it.

    ``feedback``: ``None`` for symmetric e-prop (``B`` = the readout weights) or a ``[n_out, units]``
    matrix (:func:`random_feedback`). The readout's own gradient is exact (it is local). Without
    ``rate_target`` the rate penalty is the mean squared rate, as in :func:`supervised_loss`.

    ``method``: ``"traces"`` runs the eligibility traces forward in time, what synapses could compute
    online (memory and time ~ trials x synapses per step); ``"autodiff"`` gives the same numbers by
    reverse-mode differentiation of the network in which spikes carry no gradient from one neuron to
    another and the readout's error reaches the neurons through ``B`` (eq. 1 summed in the other order;
    the cost of one BPTT pass). The tests hold the two equal."""
    _check(network)
    if method not in METHODS:
        raise ConfigError(f"unknown e-prop method {method!r}; known: {', '.join(METHODS)}")
    circuit, readout = network.circuit, network.readout
    loss_fn = _loss_fn(loss)
    b = jax.lax.stop_gradient(readout.weight) if feedback is None else jnp.asarray(feedback)
    if b.shape != readout.weight.shape:
        raise ConfigError(f"feedback has shape {tuple(b.shape)}, expected (n_out, units) = {tuple(readout.weight.shape)}")
    if method == "autodiff":
        grads, (task_loss, penalty, outputs, z) = _by_autodiff(network, trials, key, b, loss_fn, rate_reg,
                                                              rate_target)
        return grads, supervised_metrics(outputs, trials, z, task_loss, task_loss + rate_reg * penalty)

    traj = circuit.trajectory(trials.inputs, key=key)
    z = traj["z"]  # [trials time units]
    outputs = network.read(z)

    # learning signals from the output errors at each time step (dE/dy[t] is a function of y[t] alone)
    task_loss, d_out = jax.value_and_grad(loss_fn)(outputs, trials.targets, trials.mask)
    readout_grad = jax.grad(lambda ro: loss_fn(eqx.tree_at(lambda n: n.readout, network, ro).read(z),
                                               trials.targets, trials.mask))(readout)
    signal = d_out @ b  # [trials time units]

    # the rate regulariser's gradient d/dz, spread over every step
    penalty, reg_signal = jax.value_and_grad(rate_penalty)(z, rate_target)
    reg_signal = rate_reg * reg_signal

    # eligibility traces, forward in time
    alpha, rho, v_th = circuit.alpha, circuit.rho, circuit.v_th  # numbers, or one per neuron
    leak = jnp.reshape(1.0 - jnp.asarray(alpha), (-1, 1))  # the input's share, per postsynaptic neuron
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
        eps_v, eps_a = dvv * eps_v + dva * eps_a + leak * pre_t[:, None, :], dav * eps_v + daa * eps_a
        e = psi_t[..., None] * (eps_v - beta[:, None] * eps_a)  # eligibility trace [trials post pre]
        e_bar = kappa * e_bar + (1.0 - kappa) * e
        grad = grad + jnp.einsum("bj,bjp->jp", l_t, e_bar) + jnp.einsum("bj,bjp->jp", r_t, e)
        return (eps_v, eps_a, e_bar, grad), None

    n_trials, _, n_units = z.shape
    shape = (n_trials, n_units, pre.shape[-1])
    zeros = jnp.zeros(shape, z.dtype)
    xs = tuple(jnp.moveaxis(x, 1, 0) for x in (pre, psi, psi_prev, threshold_prev, signal, reg_signal))
    (_, _, _, grad), _ = jax.lax.scan(body, (zeros, zeros, zeros, jnp.zeros(shape[1:], z.dtype)), xs)

    n_in = circuit.n_in
    w_rec_grad = (grad[:, n_in:n_in + n_units] * (1.0 - jnp.eye(n_units))) if circuit.recurrent \
        else jnp.zeros_like(circuit.w_rec)
    grads = _place(network, grad[:, :n_in], w_rec_grad, grad[:, -1], readout_grad)
    return grads, supervised_metrics(outputs, trials, z, task_loss, task_loss + rate_reg * penalty)


def _place(network, w_in, w_rec, bias, readout):
    """A gradient pytree shaped like ``network``: the given synapses, zero for every other array."""
    grads = jax.tree.map(jnp.zeros_like, eqx.filter(network, eqx.is_inexact_array))
    return eqx.tree_at(lambda g: (g.circuit.w_in, g.circuit.w_rec, g.circuit.bias, g.readout),
                       grads, (w_in, w_rec, bias, readout))


def _by_autodiff(network, trials, key, b, loss_fn, rate_reg, rate_target):
    params, static = eqx.partition(network, eqx.is_inexact_array)

    def objective(p):
        net = eqx.combine(p, static)
        z = net.circuit.trajectory(trials.inputs, key=key, local=True)["z"]
        rates = z if net.readout_tau is None else leaky_filter(z, math.exp(-net.circuit.dt / net.readout_tau))
        outputs = _broadcast(rates, net.readout.weight, b) + net.readout.bias
        task_loss = loss_fn(outputs, trials.targets, trials.mask)
        penalty = rate_penalty(z, rate_target)
        return task_loss + rate_reg * penalty, (task_loss, penalty, outputs, z)

    (_, aux), g = jax.value_and_grad(objective, has_aux=True)(params)
    return _place(network, g.circuit.w_in, g.circuit.w_rec, g.circuit.bias, g.readout), aux


def make_eprop_step(task: Task, optimizer: optax.GradientTransformation, *, batch_size: int = 64,
                    feedback: Array | None = None, loss: str | Callable = "cross_entropy", rate_reg: float = 0.0,
                    rate_target: float | None = None, method: str = "traces"):
    """One e-prop update on a fresh batch of ``batch_size`` trials of ``task``: the same signature and
    metrics as :func:`make_step` (BPTT), so the two rules train side by side. ``feedback`` and ``method``
    as in :func:`eprop_gradients` (``None``: symmetric)."""
    if method not in METHODS:
        raise ConfigError(f"unknown e-prop method {method!r}; known: {', '.join(METHODS)}")
    _loss_fn(loss)

    def gradients(network: Network, trials, key):
        return eprop_gradients(network, trials, key, feedback=feedback, loss=loss, rate_reg=rate_reg,
                               rate_target=rate_target, method=method)

    return make_update(task, optimizer, gradients, batch_size=batch_size)
