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
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax
from jaxtyping import Array

from .._errors import ConfigError

__all__ = ["IntelligentSynapsesState", "intelligent_synapses", "surrogate_loss", "training_phase"]


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
    ends = tuple(int(e) for e in phase_ends)
    if not ends or ends[0] < 1 or any(b <= a for a, b in itertools.pairwise(ends)):
        raise ConfigError(f"intelligent_synapses: phase_ends must be increasing update counts >= 1, got {phase_ends}")
    if not strength >= 0:
        raise ConfigError(f"intelligent_synapses: strength must be >= 0, got {strength}")
    if not damping > 0:
        raise ConfigError(f"intelligent_synapses: damping must be > 0, got {damping}")
    boundaries = jnp.asarray(ends, jnp.int32)

    def init(params):
        zeros = jax.tree.map(jnp.zeros_like, params)
        return IntelligentSynapsesState(count=jnp.zeros((), jnp.int32), inner=inner.init(params), path=zeros,
                                        importance=zeros, anchor=jax.tree.map(jnp.asarray, params))

    def update(grads, state, params=None):
        if params is None:
            raise ValueError("intelligent_synapses needs the parameters: optimizer.update(grads, state, params)")
        pull = jax.tree.map(lambda o, p, a: 2.0 * strength * o * (p - a), state.importance, params, state.anchor)
        total = jax.tree.map(jnp.add, grads, pull)
        updates, inner_state = inner.update(total, state.inner, params)
        path = jax.tree.map(lambda w, g, u: w - g * u, state.path, grads, updates)
        new_params = optax.apply_updates(params, updates)
        count = state.count + 1
        end = jnp.any(count == boundaries)

        def consolidate(o, w, p, a):
            return jnp.where(end, jnp.maximum(o + w / ((p - a) ** 2 + damping), 0.0), o)

        importance = jax.tree.map(consolidate, state.importance, path, new_params, state.anchor)
        path = jax.tree.map(lambda w: jnp.where(end, jnp.zeros_like(w), w), path)
        anchor = jax.tree.map(lambda p, a: jnp.where(end, p, a), new_params, state.anchor)
        if reset_inner:
            inner_state = jax.tree.map(lambda fresh, s: jnp.where(end, fresh, s), inner.init(new_params), inner_state)
        return updates, IntelligentSynapsesState(count, inner_state, path, importance, anchor)

    return optax.GradientTransformation(init, update)


def surrogate_loss(state: IntelligentSynapsesState, params, strength: float) -> Array:
    """``c * sum_k Omega_k (theta_k - theta*_k)^2`` at ``params`` (Zenke et al. eq. 4), for reporting."""
    terms = jax.tree.map(lambda o, p, a: jnp.sum(o * (p - a) ** 2), state.importance, params, state.anchor)
    return strength * sum(jax.tree.leaves(terms), jnp.zeros(()))


def training_phase(count: Array, phase_ends: Sequence[int]) -> Array:
    """The phase (0, 1, ...) that update number ``count`` (counting from 0) belongs to."""
    return jnp.searchsorted(jnp.asarray(tuple(phase_ends), jnp.int32), count, side="right")
