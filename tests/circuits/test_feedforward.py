"""Feed-forward circuits: the im2col convolution against XLA's convolution (values and gradients)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from brainlike.circuits import convnet
from brainlike.circuits._feedforward import conv


@pytest.mark.parametrize("x_shape,w_shape,stride,padding", [
    ((3, 4, 40), (6, 4, 5), 2, 1),  # 1-d, strided
    ((2, 3, 17, 13), (5, 3, 3, 3), 2, 1),  # 2-d, odd sizes
    ((2, 3, 9, 9), (4, 3, 3, 2), 1, 0),  # rectangular kernel, no padding
    ((2, 2, 8, 8), (3, 2, 5, 5), 3, 2),
])
def test_conv_matches_xla_convolution_and_its_gradients(x_shape, w_shape, stride, padding):
    x = jax.random.normal(jax.random.PRNGKey(0), x_shape)
    w = jax.random.normal(jax.random.PRNGKey(1), w_shape)
    nd = len(w_shape) - 2

    def ref(x, w):
        return jax.lax.conv_general_dilated(x, w, (stride,) * nd, [(padding, padding)] * nd)

    np.testing.assert_allclose(conv(x, w, stride, padding), ref(x, w), atol=1e-4)
    ours = jax.grad(lambda x, w: jnp.sum(jnp.sin(conv(x, w, stride, padding))), (0, 1))(x, w)
    theirs = jax.grad(lambda x, w: jnp.sum(jnp.sin(ref(x, w))), (0, 1))(x, w)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, atol=1e-4, rtol=1e-4)


def test_convnet_hidden_shapes_follow_the_strides():
    net = convnet((3, 32, 32), (4, 8, 8), 10, key=jax.random.PRNGKey(0), kernel=(5, 3, 3), stride=2, padding=1,
                  hidden=(16,))
    assert net.hidden_shapes() == [(4, 15, 15), (8, 8, 8), (8, 4, 4), (16,), (10,)]
