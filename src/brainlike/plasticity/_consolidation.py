"""Synaptic consolidation for continual learning: intelligent synapses (Zenke, Poole & Ganguli 2017 ICML).

Trained on one task after another, a network overwrites the weights that earlier tasks relied on
(catastrophic forgetting). Intelligent synapses give each parameter ``k`` an importance ``Omega_k`` and pull
it back towards its value at the end of the previous phase of training, ``theta*_k``, with the surrogate loss
(Zenke et al. eq. 4)

    ``L_SI = c * sum_k Omega_k (theta_k - theta*_k)^2``.

During a phase each parameter accumulates its share of the decrease of the task loss along the path of
training, ``omega_k = - sum_t g_k(t) Delta theta_k(t)`` (``g``: the gradient of the task loss alone before the
update, ``Delta theta``: the update applied). At the end of the phase (eq. 5)

    ``Omega_k <- max(0, Omega_k + omega_k / (Delta_k^2 + xi))``,

with ``Delta_k`` the parameter's total change over the phase and ``xi`` a damping that keeps the ratio finite;
``omega`` restarts at zero and ``theta*`` becomes the parameter's present value. The clip at zero is that of
Yang et al. 2019's code (gyyang/multitask ``train.train_sequential``), which applied intelligent synapses to
twenty cognitive tasks (their Fig. 7; ``c = 1``, ``xi = 0.01``).

:func:`intelligent_synapses` is an Optax wrapper: it adds the surrogate loss's gradient to the task gradient
it is given, lets ``inner`` (Adam, say) turn the sum into an update, and keeps ``omega``, ``Omega``,
``theta*`` and the update count in its state, so consolidation happens inside the jitted update (at the counts
``phase_ends``) and the state is checkpointed and vmapped with the rest.

Elastic weight consolidation (Kirkpatrick et al. 2017 PNAS, eq. 3) pulls with the diagonal of the Fisher
information of the tasks learned so far instead, ``L_EWC = lambda/2 sum_k F_k (theta_k - theta*_k)^2``.
:func:`elastic_weight_consolidation` keeps one anchor, the parameters at the end of the last phase, and adds each
phase's Fisher to ``F``: the penalty of Huszar 2018 (PNAS 115:E2496) and Schwarz et al. 2018 (ICML, "online
EWC"). Huszar shows that this, rather than one penalty per task anchored where that task ended, is the Laplace
approximation of the posterior after several tasks. The Fisher needs trials
of the task just learned, so the caller estimates it (:func:`fisher_information`) and hands it to the update
that ends a phase.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import optax
from jaxtyping import Array

from .._errors import ConfigError
from .._trials import Trials
from ..circuits import forward
from ._bptt import _loss_fn

__all__ = ["IntelligentSynapsesState", "intelligent_synapses", "surrogate_loss", "training_phase",
           "ElasticWeightConsolidationState", "elastic_weight_consolidation", "fisher_information"]


class IntelligentSynapsesState(NamedTuple):
    """``count``: updates applied so far; ``inner``: the wrapped optimiser's state; ``path``: ``omega`` of
    the current phase; ``importance``: ``Omega``; ``anchor``: ``theta*``, the parameters at the start of the
    current phase (the end of the previous one)."""

    count: Array
    inner: optax.OptState
    path: optax.Updates
    importance: optax.Updates
    anchor: optax.Params


def intelligent_synapses(inner: optax.GradientTransformation, *, strength: float, phase_ends: Sequence[int],
                         damping: float = 0.01, reset_inner: bool = False) -> optax.GradientTransformation:
    """Wrap ``inner`` with intelligent synapses (module docstring). ``strength`` is ``c`` (0: plain training
    that still records the importances), ``damping`` is ``xi``, and ``phase_ends`` are the update counts at
    which a phase ends and the importances are consolidated (increasing; the last may be the end of training).
    With ``reset_inner`` the wrapped optimiser starts afresh at each phase end (Adam's moments and count), as
    a new optimiser for each task would.

    ``update(grads, state, params)`` needs ``params``; ``grads`` must be the gradient of the task loss alone
    (the surrogate loss is added here)."""
    boundaries = _check("intelligent_synapses", strength, phase_ends)
    if not damping > 0:
        raise ConfigError(f"intelligent_synapses: damping must be > 0, got {damping}")

    def init(params):
        zeros = jax.tree.map(jnp.zeros_like, params)
        return IntelligentSynapsesState(count=jnp.zeros((), jnp.int32), inner=inner.init(params), path=zeros,
                                        importance=zeros, anchor=jax.tree.map(jnp.asarray, params))

    def update(grads, state, params=None):
        if params is None:
            raise ValueError("intelligent_synapses needs the parameters: optimizer.update(grads, state, params)")
        updates, inner_state = _pulled_update(inner, grads, state, params, 2.0 * strength)
        path = jax.tree.map(lambda w, g, u: w - g * u, state.path, grads, updates)
        new_params = optax.apply_updates(params, updates)
        count = state.count + 1
        end = jnp.any(count == boundaries)

        def consolidate(o, w, p, a):
            return jnp.where(end, jnp.maximum(o + w / ((p - a) ** 2 + damping), 0.0), o)

        importance = jax.tree.map(consolidate, state.importance, path, new_params, state.anchor)
        path = jax.tree.map(lambda w: jnp.where(end, jnp.zeros_like(w), w), path)
        anchor, inner_state = _end_phase(inner, end, new_params, state.anchor, inner_state, reset_inner)
        return updates, IntelligentSynapsesState(count, inner_state, path, importance, anchor)

    return optax.GradientTransformation(init, update)


class ElasticWeightConsolidationState(NamedTuple):
    """``count``: updates applied so far; ``inner``: the wrapped optimiser's state; ``importance``: ``F``, the
    summed Fisher information of the phases that have ended; ``anchor``: ``theta*``, the parameters at the end of
    the last of them."""

    count: Array
    inner: optax.OptState
    importance: optax.Updates
    anchor: optax.Params


def elastic_weight_consolidation(inner: optax.GradientTransformation, *, strength: float,
                                 phase_ends: Sequence[int], reset_inner: bool = False
                                 ) -> optax.GradientTransformationExtraArgs:
    """Wrap ``inner`` with elastic weight consolidation (module docstring): ``strength`` is ``lambda``,
    ``phase_ends`` and ``reset_inner`` as in :func:`intelligent_synapses`.

    ``update(grads, state, params, fisher=...)`` needs ``params`` and the Fisher information ``fisher`` (a tree
    like ``params``, e.g. :func:`fisher_information` of the phase's tasks) on every update; it is added to ``F`` only
    by the update that ends a phase, so the caller may pass zeros on the others. ``grads`` must be the gradient of
    the task loss alone (the penalty's, ``lambda F (theta - theta*)``, is added here)."""
    boundaries = _check("elastic_weight_consolidation", strength, phase_ends)

    def init(params):
        return ElasticWeightConsolidationState(count=jnp.zeros((), jnp.int32), inner=inner.init(params),
                                               importance=jax.tree.map(jnp.zeros_like, params),
                                               anchor=jax.tree.map(jnp.asarray, params))

    def update(grads, state, params=None, *, fisher=None, **extra_args):
        del extra_args
        if params is None or fisher is None:
            raise ValueError("elastic_weight_consolidation needs the parameters and the Fisher information: "
                             "optimizer.update(grads, state, params, fisher=fisher)")
        updates, inner_state = _pulled_update(inner, grads, state, params, strength)
        new_params = optax.apply_updates(params, updates)
        count = state.count + 1
        end = jnp.any(count == boundaries)
        importance = jax.tree.map(lambda f, new: jnp.where(end, f + new, f), state.importance, fisher)
        anchor, inner_state = _end_phase(inner, end, new_params, state.anchor, inner_state, reset_inner)
        return updates, ElasticWeightConsolidationState(count, inner_state, importance, anchor)

    return optax.GradientTransformationExtraArgs(init, update)


def fisher_information(network, trials: Trials, key, *, loss: str | Callable = "sigmoid_mse") -> optax.Updates:
    """The diagonal of the Fisher information of ``network`` on ``trials`` (Kirkpatrick et al. 2017, the ``F`` of
    their eq. 3), with the loss read as the negative log-likelihood of a Gaussian observation model.

    ``loss`` (a name of :data:`LOSSES` or a function ``(outputs, targets, mask) -> scalar``) must be quadratic in
    its targets, ``sum_j h_j/2 (y_j - t_j)^2`` (``mse``, ``sigmoid_mse``: ``h_j`` folds in the mask and the output
    weights, ``y`` is the output, after the sigmoid for ``sigmoid_mse``). The observations are then Gaussian about
    ``y`` with precision ``h`` and ``F_k = < sum_j h_j (dy_j / dtheta_k)^2 >_trials``, the Gauss-Newton diagonal.
    It is estimated with one target drawn from the network's own output distribution per trial,
    ``t_j = y_j + eps_j / sqrt(h_j)``, as the squared gradient of the loss at that target: unbiased, and unlike
    the squared gradients of the task's own targets (the "empirical Fisher") it does not vanish where the network
    fits them. Each trial is run on its own with its own key (the circuit's noise); ``h`` is read off the loss
    (its second derivative in the targets), so the mask and weights need not be known here."""
    if loss == "cross_entropy":
        raise ConfigError("fisher_information: the loss must be quadratic in its targets (mse, sigmoid_mse), "
                          "not cross_entropy")
    loss_fn = _loss_fn(loss)
    params, static = eqx.partition(network, eqx.is_inexact_array)

    def one(trial: Trials, k):
        k_run, k_draw = jax.random.split(k)
        inputs, targets, mask = trial.inputs[None], trial.targets[None], trial.mask[None]
        outputs, pullback = jax.vjp(lambda p: forward(eqx.combine(p, static), inputs, key=k_run)[1], params)
        slope = jax.grad(lambda t: loss_fn(outputs, t, mask))
        dl_dt, h = jax.jvp(slope, (targets,), (jnp.ones_like(targets),))  # h: the loss's curvature in each target
        scored = h > 0
        h_safe = jnp.where(scored, h, 1.0)
        mean = targets - dl_dt / h_safe  # the target the loss is smallest at: the network's output y
        drawn = jnp.where(scored, mean + jax.random.normal(k_draw, targets.shape) / jnp.sqrt(h_safe), targets)
        (grads,) = pullback(jax.grad(lambda o: loss_fn(o, drawn, mask))(outputs))
        return jax.tree.map(jnp.square, grads)

    squares = eqx.filter_vmap(one)(trials, jax.random.split(key, trials.n_trials))
    return jax.tree.map(lambda x: jnp.mean(x, axis=0), squares)


def surrogate_loss(state: IntelligentSynapsesState | ElasticWeightConsolidationState, params,
                   strength: float) -> Array:
    """The consolidation penalty at ``params``, for reporting: ``c * sum_k Omega_k (theta_k - theta*_k)^2``
    (Zenke et al. eq. 4) for intelligent synapses, ``lambda/2 * sum_k F_k (theta_k - theta*_k)^2`` (Kirkpatrick
    et al. eq. 3) for elastic weight consolidation."""
    terms = jax.tree.map(lambda o, p, a: jnp.sum(o * (p - a) ** 2), state.importance, params, state.anchor)
    scale = strength / 2 if isinstance(state, ElasticWeightConsolidationState) else strength
    return scale * sum(jax.tree.leaves(terms), jnp.zeros(()))


def training_phase(count: Array, phase_ends: Sequence[int]) -> Array:
    """The phase (0, 1, ...) that update number ``count`` (counting from 0) belongs to."""
    return jnp.searchsorted(jnp.asarray(tuple(phase_ends), jnp.int32), count, side="right")


def _check(name: str, strength: float, phase_ends: Sequence[int]) -> Array:
    ends = tuple(int(e) for e in phase_ends)
    if not ends or ends[0] < 1 or any(b <= a for a, b in itertools.pairwise(ends)):
        raise ConfigError(f"{name}: phase_ends must be increasing update counts >= 1, got {phase_ends}")
    if not strength >= 0:
        raise ConfigError(f"{name}: strength must be >= 0, got {strength}")
    return jnp.asarray(ends, jnp.int32)


def _pulled_update(inner, grads, state, params, scale):
    """``inner``'s update of the task gradient plus the penalty's, ``scale * importance * (theta - theta*)``."""
    pull = jax.tree.map(lambda o, p, a: scale * o * (p - a), state.importance, params, state.anchor)
    return inner.update(jax.tree.map(jnp.add, grads, pull), state.inner, params)


def _end_phase(inner, end, new_params, anchor, inner_state, reset_inner):
    """At a phase end the anchor moves to the new parameters and, with ``reset_inner``, ``inner`` starts afresh."""
    anchor = jax.tree.map(lambda p, a: jnp.where(end, p, a), new_params, anchor)
    if reset_inner:
        inner_state = jax.tree.map(lambda fresh, s: jnp.where(end, fresh, s), inner.init(new_params), inner_state)
    return anchor, inner_state
