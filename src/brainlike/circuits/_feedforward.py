"""Feed-forward circuits: dense and convolutional layers, multilayer perceptrons and small convnets.

These take a *batch* (``[batch features]`` or ``[batch channels *space]``), unlike the recurrent circuits
that are written for one trial: a layer's weight update is one matrix product over the batch, which
is what a custom backward pass (``brainlike.plasticity.with_feedback``) needs to stay as cheap as
backpropagation. The stage-by-stage structure (``hidden``) is what direct feedback alignment taps.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, PRNGKeyArray

from .._errors import ConfigError
from ._base import activation

__all__ = ["Dense", "Conv", "FeedForward", "mlp", "convnet", "dense", "conv", "add_bias"]


def dense(x: Array, weight: Array) -> Array:
    """``x @ W.T``: inputs ``[batch in]``, weight ``[out in]``."""
    return x @ weight.T


def add_bias(y: Array, bias: Array) -> Array:
    """``y + b`` with ``b`` along the channel axis (axis 1)."""
    return y + bias.reshape((1, -1) + (1,) * (y.ndim - 2))


def conv(x: Array, weight: Array, stride: int, padding: int) -> Array:
    """N-d convolution (cross-correlation), inputs ``[batch in *space]``, weight ``[out in *kernel]``.

    Written as patches times a matrix (im2col): strided slices of the padded input, one per kernel
    offset, then one matrix product. Its gradients are slices, pads and matrix products too. XLA's own
    convolution is as fast outside a loop but 10-50x slower inside ``lax.scan`` on CPU (channels-first
    layouts and the weight-gradient convolution fall off its fast path, jax-ml/jax#12868), and training
    runs as a scan over steps."""
    nd = weight.ndim - 2
    kernel = weight.shape[2:]
    x = jnp.moveaxis(x, 1, -1)  # [batch *space in]
    x = jnp.pad(x, [(0, 0)] + [(padding, padding)] * nd + [(0, 0)])
    out = [(s - k) // stride + 1 for s, k in zip(x.shape[1:-1], kernel)]
    cols = [x[(slice(None), *(slice(o, o + stride * (n - 1) + 1, stride) for o, n in zip(offset, out)), slice(None))]
            for offset in itertools.product(*(range(k) for k in kernel))]
    patches = jnp.stack(cols, axis=-2).reshape(x.shape[0], *out, -1)  # [batch *out kernel*in]
    w = jnp.moveaxis(weight, 1, -1).reshape(weight.shape[0], -1)  # [out kernel*in], the same order
    return jnp.moveaxis(patches @ w.T, -1, 1)


class Dense(eqx.Module):
    """Fully connected layer ``y = x W^T + b`` on a batch."""

    weight: Array
    bias: Array

    def __init__(self, n_in: int, n_out: int, *, key: PRNGKeyArray):
        self.weight = jax.random.normal(key, (n_out, n_in)) * math.sqrt(2.0 / n_in)  # He et al. 2015
        self.bias = jnp.zeros(n_out)

    @property
    def linear_map(self):
        """The layer's map ``(x, weight) -> y`` without bias: what a feedback rule transposes with its
        own matrix in place of ``weight``."""
        return dense

    def __call__(self, x: Array) -> Array:
        return dense(x, self.weight) + self.bias


class Conv(eqx.Module):
    """Convolutional layer on a batch ``[batch channels *space]``; 1-d or 2-d from ``kernel``'s length."""

    weight: Array
    bias: Array
    stride: int = eqx.field(static=True)
    padding: int = eqx.field(static=True)

    def __init__(self, c_in: int, c_out: int, kernel: Sequence[int], *, key: PRNGKeyArray, stride: int = 1,
                 padding: int = 0):
        fan_in = c_in * math.prod(kernel)
        self.weight = jax.random.normal(key, (c_out, c_in, *kernel)) * math.sqrt(2.0 / fan_in)
        self.bias = jnp.zeros(c_out)
        self.stride, self.padding = int(stride), int(padding)

    @property
    def linear_map(self):
        return functools.partial(conv, stride=self.stride, padding=self.padding)

    def __call__(self, x: Array) -> Array:
        return add_bias(conv(x, self.weight, self.stride, self.padding), self.bias)


class FeedForward(eqx.Module):
    """A stack of layers with a rate function after each but the last; convolutional stages come first
    and are flattened before the dense ones. ``hidden`` gives every stage's output (the population
    activity of each "area"), ``__call__`` the readout (logits)."""

    layers: tuple
    rate_fn: str = eqx.field(static=True)
    input_shape: tuple[int, ...] = eqx.field(static=True)

    def __call__(self, x: Array, *, key: PRNGKeyArray | None = None) -> Array:
        return self.hidden(x, key=key)[-1]

    def hidden_shapes(self) -> list[tuple[int, ...]]:
        """Shape of one example's output of every layer (no computation, ``jax.eval_shape``)."""
        return [h.shape[1:] for h in jax.eval_shape(lambda n: n.hidden(jnp.zeros((1, *n.input_shape))), self)]

    def hidden(self, x: Array, *, key: PRNGKeyArray | None = None, detach: bool = False) -> list[Array]:
        """Outputs of every layer for a batch ``x`` (rates after the nonlinearity; logits last).
        With ``detach`` no gradient flows from a layer into the one below (direct feedback alignment
        sends the error to each layer itself). ``key`` feeds layers whose backward pass is random."""
        if x.shape[1:] != self.input_shape:
            raise ConfigError(f"FeedForward: inputs have shape {x.shape}; expected [batch, {', '.join(map(str, self.input_shape))}]")
        f = activation(self.rate_fn)
        keys = jax.random.split(key, len(self.layers)) if key is not None else [None] * len(self.layers)
        out = []
        for i, (layer, k) in enumerate(zip(self.layers, keys)):
            if x.ndim > 2 and _is_dense(layer):
                x = x.reshape(x.shape[0], -1)
            x = layer(x, key=k) if _takes_key(layer) else layer(x)
            if i < len(self.layers) - 1:
                x = f(x)
            out.append(x)
            if detach:
                x = jax.lax.stop_gradient(x)
        return out


def _base(layer):
    return getattr(layer, "layer", layer)


def _is_dense(layer) -> bool:
    return isinstance(_base(layer), Dense)


def _takes_key(layer) -> bool:
    return layer is not _base(layer)


def mlp(n_in: int, hidden: Sequence[int], n_out: int, *, key: PRNGKeyArray, rate_fn: str = "relu") -> FeedForward:
    """Multilayer perceptron ``n_in -> hidden... -> n_out``."""
    activation(rate_fn)
    sizes = [n_in, *hidden, n_out]
    keys = jax.random.split(key, len(sizes) - 1)
    layers = tuple(Dense(a, b, key=k) for a, b, k in zip(sizes[:-1], sizes[1:], keys))
    return FeedForward(layers, rate_fn, (n_in,))


def convnet(input_shape: Sequence[int], channels: Sequence[int], n_out: int, *, key: PRNGKeyArray,
            kernel: int | Sequence[int] = 3, stride: int = 1, padding: int = 1, hidden: Sequence[int] = (),
            rate_fn: str = "relu") -> FeedForward:
    """Convolutional stages (``channels``, each ``kernel`` wide with ``stride`` and ``padding``) then
    dense ``hidden`` layers and a readout. ``input_shape`` is ``(channels, *space)`` of one example;
    ``kernel`` is one width for all stages or one per stage."""
    activation(rate_fn)
    input_shape = tuple(int(s) for s in input_shape)
    if len(input_shape) not in (2, 3):
        raise ConfigError(f"convnet: input_shape must be (channels, length) or (channels, height, width), got {input_shape}")
    nd = len(input_shape) - 1
    keys = list(jax.random.split(key, len(channels) + len(hidden) + 1))
    kernels = [int(kernel)] * len(channels) if isinstance(kernel, int) else [int(k) for k in kernel]
    if len(kernels) != len(channels):
        raise ConfigError(f"convnet: {len(kernels)} kernel widths for {len(channels)} convolutional stages")
    layers, c, space = [], input_shape[0], list(input_shape[1:])
    for ch, k in zip(channels, kernels):
        layers.append(Conv(c, ch, (k,) * nd, key=keys.pop(0), stride=stride, padding=padding))
        space = [(s + 2 * padding - k) // stride + 1 for s in space]
        if min(space) < 1:
            raise ConfigError(f"convnet: the input {input_shape} shrinks to nothing after {len(layers)} stages")
        c = ch
    n = c * math.prod(space)
    for h in hidden:
        layers.append(Dense(n, h, key=keys.pop(0)))
        n = h
    layers.append(Dense(n, n_out, key=keys.pop(0)))
    return FeedForward(tuple(layers), rate_fn, input_shape)
