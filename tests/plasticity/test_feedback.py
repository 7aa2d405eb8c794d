"""Credit-assignment rules: each backward pass against its equation, written out by hand."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from brainlike import ConfigError
from brainlike.circuits import convnet, mlp
from brainlike.plasticity import (
    FEEDBACK_RULES,
    Feedback,
    feedback_angles,
    feedback_optimizer,
    update_angles,
    with_feedback,
    without_feedback,
)

KEY = jax.random.PRNGKey(0)


def loss(net, x, y, *, key=None):
    return optax.softmax_cross_entropy_with_integer_labels(net(x, key=key), y).mean()


def data(shape, n=16):
    kx, ky = jax.random.split(jax.random.PRNGKey(1))
    return jax.random.normal(kx, (n, *shape)), jax.random.randint(ky, (n,), 0, 3)


def grads(net, x, y, key=None):
    return jax.grad(lambda n: loss(n, x, y, key=key))(net)


def test_bp_is_the_network_itself():
    net = mlp(5, (7,), 3, key=KEY)
    assert with_feedback(net, "bp", key=KEY) is net


@pytest.mark.parametrize("make,shape", [(lambda k: mlp(5, (7, 6), 3, key=k), (5,)),
                                        (lambda k: convnet((2, 9), (4, 3), 3, key=k, kernel=3, stride=2), (2, 9)),
                                        (lambda k: convnet((1, 6, 6), (3,), 3, key=k, hidden=(5,)), (1, 6, 6))])
@pytest.mark.parametrize("rule", ["fa", "frsf", "kp", "wm"])
def test_feedback_equal_to_the_forward_weights_is_backpropagation(make, shape, rule):
    """With B = W (or |B| = |W| for sign-concordant feedback) every rule's update is the gradient."""
    net = make(KEY)
    x, y = data(shape)
    fb = with_feedback(net, rule, key=jax.random.PRNGKey(2), mirror_init=0)
    fb = eqx.tree_at(lambda n: [l.feedback for l in n.layers[1:]], fb, [l.weight for l in net.layers[1:]])
    g_rule, g_true = grads(fb, x, y, key=KEY), grads(net, x, y)
    for a, b in zip(g_rule.layers, g_true.layers):
        a = a.layer if isinstance(a, Feedback) else a
        np.testing.assert_allclose(a.weight, b.weight, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(a.bias, b.bias, rtol=1e-5, atol=1e-6)


def test_feedback_alignment_sends_the_error_through_b():
    """Two-layer MLP by hand: delta_1 = (e B_2) * f'(a_1), dW_1 = delta_1^T x (Lillicrap et al. 2016)."""
    net = mlp(4, (6,), 3, key=KEY)
    x, y = data((4,), n=10)
    fb = with_feedback(net, "fa", key=jax.random.PRNGKey(3))
    g = grads(fb, x, y)
    w1, b1 = net.layers[0].weight, net.layers[0].bias
    a1 = x @ w1.T + b1
    h1 = jax.nn.relu(a1)
    logits = h1 @ net.layers[1].weight.T + net.layers[1].bias
    e = (jax.nn.softmax(logits) - jax.nn.one_hot(y, 3)) / x.shape[0]
    delta1 = (e @ fb.layers[1].feedback) * (a1 > 0)
    np.testing.assert_allclose(g.layers[0].weight, delta1.T @ x, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(g.layers[1].layer.weight, e.T @ h1, rtol=1e-5, atol=1e-7)
    assert not np.allclose(g.layers[0].weight, grads(net, x, y).layers[0].weight, atol=1e-4)
    np.testing.assert_array_equal(g.layers[1].feedback, 0.0)  # fixed feedback gets no update


def test_direct_feedback_alignment_by_hand():
    """Nokland 2016 eq. 3: every hidden layer gets the output error through its own B_l."""
    net = mlp(4, (6, 5), 3, key=KEY)
    x, y = data((4,), n=10)
    fb = with_feedback(net, "dfa", key=jax.random.PRNGKey(4))
    g = grads(fb, x, y).network
    (l1, l2, l3), (b1, b2) = net.layers, fb.feedbacks
    a1 = x @ l1.weight.T + l1.bias
    h1 = jax.nn.relu(a1)
    a2 = h1 @ l2.weight.T + l2.bias
    h2 = jax.nn.relu(a2)
    logits = h2 @ l3.weight.T + l3.bias
    e = (jax.nn.softmax(logits) - jax.nn.one_hot(y, 3)) / x.shape[0]
    np.testing.assert_allclose(g.layers[2].weight, e.T @ h2, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(g.layers[1].weight, ((e @ b2) * (a2 > 0)).T @ h1, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(g.layers[0].weight, ((e @ b1) * (a1 > 0)).T @ x, rtol=1e-5, atol=1e-7)


def test_kolen_pollack_feedback_gets_the_forward_update_and_converges():
    net = with_feedback(mlp(4, (6,), 3, key=KEY), "kp", key=jax.random.PRNGKey(5))
    x, y = data((4,))
    g = grads(net, x, y)
    np.testing.assert_array_equal(g.layers[1].feedback, g.layers[1].layer.weight)
    decay = 0.05
    opt = feedback_optimizer("kp", optax.sgd(0.1), decay=decay)
    params = eqx.filter(net, eqx.is_inexact_array)
    state = opt.init(params)
    gap0 = jnp.linalg.norm(net.layers[1].feedback - net.layers[1].layer.weight)
    for _ in range(10):
        g = grads(net, x, y)
        u, state = opt.update(eqx.filter(g, eqx.is_inexact_array), state, eqx.filter(net, eqx.is_inexact_array))
        net = eqx.apply_updates(net, u)
    gap = jnp.linalg.norm(net.layers[1].feedback - net.layers[1].layer.weight)
    np.testing.assert_allclose(gap, (1 - decay) ** 10 * gap0, rtol=1e-4)  # W - B shrinks geometrically


def test_mirror_noise_is_white_unit_variance_and_keyed():
    from brainlike.plasticity._feedback import mirror_noise

    xi = np.asarray(mirror_noise(jax.random.PRNGKey(3), (4000, 37)))  # 37: not a multiple of 32 bits
    assert set(np.unique(xi)) == {-1.0, 1.0}
    cov = xi.T @ xi / xi.shape[0]
    np.testing.assert_array_equal(np.diag(cov), 1.0)  # exactly, for signs
    assert np.abs(cov - np.eye(37)).max() < 5 / np.sqrt(xi.shape[0])  # off-diagonal ~ N(0, 1/n)
    assert np.abs(xi.mean(axis=0)).max() < 5 / np.sqrt(xi.shape[0])
    np.testing.assert_array_equal(xi, np.asarray(mirror_noise(jax.random.PRNGKey(3), (4000, 37))))
    assert not np.array_equal(xi, np.asarray(mirror_noise(jax.random.PRNGKey(4), (4000, 37))))


@pytest.mark.parametrize("conv", [False, True])
def test_weight_mirror_estimates_the_forward_weights(conv):
    """Akrout et al. eq. 6: E[xi^T (xi W^T)] = W for unit white noise; the initial mirror phase sets B ~ W."""
    # the convolution is strided and zero-padded, as in akrout2019's CNN: its border taps meet the padding
    net = convnet((2, 19), (4, 5), 3, key=KEY, kernel=3, stride=2, padding=1) if conv else mlp(20, (30,), 3, key=KEY)
    fb = with_feedback(net, "wm", key=jax.random.PRNGKey(6), mirror_init=20000)
    w, b = fb.layers[1].layer.weight, fb.layers[1].feedback
    cos = jnp.vdot(w, b) / (jnp.linalg.norm(w) * jnp.linalg.norm(b))
    assert cos > 0.99
    np.testing.assert_allclose(jnp.linalg.norm(b) / jnp.linalg.norm(w), 1.0, atol=0.05)
    if conv:  # every kernel tap, border ones included, is estimated at its own scale
        for k in range(w.shape[-1]):
            np.testing.assert_allclose(jnp.vdot(b[..., k], w[..., k]) / jnp.vdot(w[..., k], w[..., k]), 1.0, atol=0.05)
    # the per-step update, as a gradient, points at -W
    x, y = data(net.input_shape)
    g = grads(with_feedback(net, "wm", key=KEY, mirror_batch=4000, mirror_init=0), x, y, key=KEY)
    gb = g.layers[1].feedback
    assert jnp.vdot(-gb, w) / (jnp.linalg.norm(gb) * jnp.linalg.norm(w)) > 0.95


def test_weight_mirror_optimizer_relaxes_feedback_to_the_weights():
    net = with_feedback(mlp(10, (12,), 3, key=KEY), "wm", key=jax.random.PRNGKey(7), mirror_init=0, mirror_batch=256)
    x, y = data((10,))
    opt = feedback_optimizer("wm", optax.set_to_zero(), mirror_lr=0.2)
    state = opt.init(eqx.filter(net, eqx.is_inexact_array))
    before = feedback_angles(net)[1]
    for i in range(40):
        g = eqx.filter(grads(net, x, y, key=jax.random.PRNGKey(i)), eqx.is_inexact_array)
        u, state = opt.update(g, state, eqx.filter(net, eqx.is_inexact_array))
        net = eqx.apply_updates(net, u)
    assert before > 60 and feedback_angles(net)[1] < 10


@pytest.mark.parametrize("rule", ["fa", "dfa", "frsf", "brsf"])
def test_fixed_feedback_rules_leave_feedback_unchanged(rule):
    net = with_feedback(mlp(4, (6,), 3, key=KEY), rule, key=KEY)
    x, y = data((4,))
    opt = feedback_optimizer(rule, optax.adam(0.1))
    params = eqx.filter(net, eqx.is_inexact_array)
    g = eqx.filter(grads(net, x, y, key=KEY), eqx.is_inexact_array)
    u, _ = opt.update(g, opt.init(params), params)
    new = eqx.apply_updates(net, u)
    old_fb, new_fb = (n.feedbacks if rule == "dfa" else (n.layers[1].feedback,) for n in (net, new))
    for a, b in zip(old_fb, new_fb):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(without_feedback(new).layers[0].weight, without_feedback(net).layers[0].weight)


def test_brsf_is_random_per_batch_and_sign_concordant():
    net = with_feedback(mlp(4, (6,), 3, key=KEY), "brsf", key=KEY)
    x, y = data((4,))
    g1, g2 = grads(net, x, y, key=jax.random.PRNGKey(1)), grads(net, x, y, key=jax.random.PRNGKey(2))
    assert not np.allclose(g1.layers[0].weight, g2.layers[0].weight)
    np.testing.assert_array_equal(g1.layers[0].weight, grads(net, x, y, key=jax.random.PRNGKey(1)).layers[0].weight)
    with pytest.raises(ConfigError, match="pass key"):
        net(x)


def test_update_angles():
    net = mlp(8, (16, 16), 3, key=KEY)
    x, y = data((8,), n=64)
    np.testing.assert_allclose(update_angles(with_feedback(net, "kp", key=KEY), loss, x, y)[-1], 0.0, atol=0.1)
    fa = update_angles(with_feedback(net, "fa", key=KEY), loss, x, y)
    assert fa.shape == (3,) and float(fa[:-1].min()) > 20  # random feedback: far from the gradient
    assert np.isnan(feedback_angles(with_feedback(net, "dfa", key=KEY))).all()


def test_bad_input_is_named():
    net = mlp(4, (6,), 3, key=KEY)
    with pytest.raises(ConfigError, match="unknown learning rule 'backprop'.*known: bp, fa"):
        with_feedback(net, "backprop", key=KEY)
    with pytest.raises(ConfigError, match="FeedForward"):
        with_feedback(object(), "fa", key=KEY)
    with pytest.raises(ConfigError, match=r"inputs have shape \(2, 5\); expected \[batch, 4\]"):
        net(jnp.zeros((2, 5)))
    with pytest.raises(ConfigError, match="kernel widths"):
        convnet((1, 20), (3, 3), 2, key=KEY, kernel=(3,))
    assert set(FEEDBACK_RULES) == {"bp", "fa", "dfa", "brsf", "frsf", "wm", "kp"}


def test_random_magnitudes_are_uniform_in_the_unit_interval():
    from brainlike.plasticity._feedback import random_magnitudes

    m = np.asarray(random_magnitudes(KEY, (301, 7)))  # odd size: the last 32-bit word is half used
    assert m.shape == (301, 7) and m.min() > 0 and m.max() < 1
    assert abs(m.mean() - 0.5) < 0.02 and abs(m.var() - 1 / 12) < 0.01
    assert not np.array_equal(m, np.asarray(random_magnitudes(jax.random.PRNGKey(1), (301, 7))))
