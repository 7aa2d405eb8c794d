"""Masked losses and regularisers for supervised training of circuits.

Song, Yang & Wang (2016) eq. 5 (mean-squared error over the scored time steps, with L2 penalties on
rates and weights); cross-entropy over output classes as in NeuroGym and Yang et al. (2019).
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

__all__ = ["cross_entropy", "mse", "sigmoid_mse", "rate_l2", "rate_l1_penalty", "rate_deviation", "weight_l2",
           "weight_l1_penalty", "LOSSES"]


def _masked_mean(per_step: Array, mask: Array) -> Array:
    return jnp.sum(per_step * mask) / jnp.maximum(jnp.sum(mask), 1.0)


def cross_entropy(outputs: Float[Array, "trials time out"], targets: Float[Array, "trials time out"],
                  mask: Float[Array, "trials time"]) -> Array:
    """Mean cross-entropy between softmax(outputs) and (one-hot or soft) targets where ``mask`` is 1."""
    per_step = -jnp.sum(targets * jax.nn.log_softmax(outputs, axis=-1), axis=-1)
    return _masked_mean(per_step, mask)


def mse(outputs: Float[Array, "trials time out"], targets: Float[Array, "trials time out"],
        mask: Float[Array, "trials time"]) -> Array:
    """Mean squared error per output channel where ``mask`` is 1."""
    per_step = jnp.mean((outputs - targets) ** 2, axis=-1)
    return _masked_mean(per_step, mask)


def sigmoid_mse(outputs: Float[Array, "trials time out"], targets: Float[Array, "trials time out"],
                mask: Float[Array, "trials time"], channel_weights=None) -> Array:
    """Squared error of ``sigmoid(outputs)`` (targets in (0, 1)), weighted per time step by ``mask`` and per
    output channel by ``channel_weights`` (Yang et al. 2019: the fixation output counts twice); the mean over
    output channels of the masked mean over steps."""
    w = jnp.ones(outputs.shape[-1]) if channel_weights is None else jnp.asarray(channel_weights, outputs.dtype)
    per_step = jnp.mean(w * (jax.nn.sigmoid(outputs) - targets) ** 2, axis=-1)
    return _masked_mean(per_step, mask)


LOSSES = {"cross_entropy": cross_entropy, "mse": mse, "sigmoid_mse": sigmoid_mse}


def rate_l2(rates: Float[Array, "trials time units"]) -> Array:
    """Mean squared firing rate (Song et al. 2016: keeps activity low and solutions biological)."""
    return jnp.mean(rates**2)


def rate_l1_penalty(rates: Float[Array, "trials time units"]) -> Array:
    """Mean absolute firing rate: an L1 activity penalty, which drives a unit's rate to zero in the tasks
    it is not needed for (Yang et al. 2019's ``l1_h``)."""
    return jnp.mean(jnp.abs(rates))


def rate_deviation(rates: Float[Array, "trials time units"], target: float) -> Array:
    """Mean over units of the squared gap between each unit's mean rate and ``target`` (Bellec et al. 2018,
    the firing-rate regulariser of their spiking networks)."""
    return jnp.mean((jnp.mean(rates, axis=(0, 1)) - target) ** 2)


def _mean_over_matrices(model: eqx.Module, f) -> Array:
    """Mean of ``f(weight)`` over every entry of the connection matrices of ``model`` (its floating-point
    arrays of two or more dimensions: biases and states excluded)."""
    leaves = [x for x in jax.tree_util.tree_leaves(eqx.filter(model, eqx.is_inexact_array)) if x.ndim >= 2]
    if not leaves:
        return jnp.zeros(())
    return sum(jnp.sum(f(x)) for x in leaves) / sum(x.size for x in leaves)


def weight_l2(model: eqx.Module) -> Array:
    """Mean squared connection weight over all matrices of ``model`` (biases and states excluded)."""
    return _mean_over_matrices(model, jnp.square)


def weight_l1_penalty(model: eqx.Module) -> Array:
    """Mean absolute connection weight over all matrices of ``model``: an L1 penalty, which drives the
    connections the task does not need to zero (sparser connectivity; Yang et al. 2019's ``l1_weight``)."""
    return _mean_over_matrices(model, jnp.abs)
