"""Masked losses and regularisers for supervised training of circuits.

Song, Yang & Wang (2016) eq. 5 (mean-squared error over the scored time steps, with L2 penalties on
rates and weights); cross-entropy over output classes as in NeuroGym and Yang et al. (2019).
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float

__all__ = ["cross_entropy", "mse", "rate_l2", "weight_l2", "LOSSES"]


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


LOSSES = {"cross_entropy": cross_entropy, "mse": mse}


def rate_l2(rates: Float[Array, "trials time units"]) -> Array:
    """Mean squared firing rate (Song et al. 2016: keeps activity low and solutions biological)."""
    return jnp.mean(rates**2)


def weight_l2(model: eqx.Module) -> Array:
    """Mean squared connection weight over all matrices of ``model`` (biases and states excluded)."""
    leaves = [x for x in jax.tree_util.tree_leaves(eqx.filter(model, eqx.is_inexact_array)) if x.ndim >= 2]
    if not leaves:
        return jnp.zeros(())
    return sum(jnp.sum(x**2) for x in leaves) / sum(x.size for x in leaves)
