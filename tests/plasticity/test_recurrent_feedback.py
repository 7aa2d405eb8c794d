"""Feedback rules on a CTRNN: the backward pass through time with B in place of W, against autodiff."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from brainlike import ConfigError
from brainlike.circuits import CTRNN, EIRNN, Network, forward, simulate
from brainlike.plasticity import (FEEDBACK_RULES, feedback_angles, feedback_labels, feedback_optimizer, update_angles,
                                  with_feedback, without_feedback)
from brainlike.plasticity._recurrent import FeedbackCTRNN, FeedbackReadout

KEY = jax.random.PRNGKey(0)
RULES = [r for r in FEEDBACK_RULES if r != "bp"]


def network(n=12, n_in=3, n_out=2):
    return Network(CTRNN(n_in, n, key=KEY, rate_fn="tanh", sigma_rec=0.0), n_out, key=jax.random.PRNGKey(1))


def data():
    x = jax.random.normal(jax.random.PRNGKey(2), (4, 9, 3))
    y = jax.random.normal(jax.random.PRNGKey(3), (4, 9, 2))
    return x, y


def loss(net, x, y, *, key):
    return jnp.mean((forward(net, x, key=key)[1] - y) ** 2)


def step_loss(net, x, y, *, key):
    """The same loss through the single-trial ``step`` path: plain autodiff, no custom backward pass."""
    out = jax.vmap(lambda u: simulate(net, u, key=key)[1])(x)
    return jnp.mean((out - y) ** 2)


@pytest.mark.parametrize("rule", RULES)
def test_forward_is_unchanged(rule):
    net, (x, _) = network(), data()
    fb = with_feedback(net, rule, key=KEY)
    assert isinstance(fb.circuit, FeedbackCTRNN) and isinstance(fb.readout, FeedbackReadout)
    np.testing.assert_allclose(forward(fb, x, key=KEY)[1], forward(net, x, key=KEY)[1], rtol=1e-6, atol=1e-6)


def test_feedback_equal_to_forward_weights_is_bptt():
    """With B = W (rule fa, feedback set to the forward weights) every gradient is BPTT's, as autodiff of the
    step-by-step simulation computes it."""
    net, (x, y) = network(), data()
    fb = with_feedback(net, "fa", key=KEY)
    fb = eqx.tree_at(lambda n: (n.circuit.feedback, n.readout.feedback), fb, (net.circuit.w_rec, net.readout.weight))
    g_rule = jax.grad(lambda n: loss(n, x, y, key=KEY))(fb)
    g_true = jax.grad(lambda n: step_loss(n, x, y, key=KEY))(net)
    for a, b in ((g_rule.circuit.w_rec, g_true.circuit.w_rec), (g_rule.circuit.w_in, g_true.circuit.w_in),
                 (g_rule.readout.weight, g_true.readout.weight), (g_rule.circuit.bias, g_true.circuit.bias)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_fa_error_goes_through_random_feedback():
    """FA's recurrent update is the BPTT formula with lambda propagated by B (written out here)."""
    net, (x, y) = network(), data()
    fb = with_feedback(net, "fa", key=KEY)
    c = fb.circuit
    g = jax.grad(lambda n: loss(n, x, y, key=KEY))(fb).circuit.w_rec
    # hand-written: output error through B_out, then back through time through B_rec
    rates, out = forward(net, x, key=KEY)
    e = 2 * (out - y) / out.size  # dL/doutput
    g_r = e @ fb.readout.feedback  # [trials time units]
    xs = jnp.arctanh(jnp.clip(rates, -1 + 1e-7, 1 - 1e-7))
    a = c.alpha
    lam = jnp.zeros_like(xs[:, 0])
    lams = []
    for t in reversed(range(xs.shape[1])):
        lam = g_r[:, t] * (1 - rates[:, t] ** 2) + lam
        lams.append(lam)
        lam = (1 - a) * lam + a * (lam @ c.feedback) * (1 - rates[:, t - 1] ** 2 if t > 0 else 1 - jnp.tanh(c.x0) ** 2)
    lams = jnp.stack(lams[::-1], axis=1)
    r_prev = jnp.concatenate([jnp.broadcast_to(jnp.tanh(c.x0), rates[:, :1].shape), rates[:, :-1]], axis=1)
    expected = a * jnp.einsum("bti,btj->ij", lams, r_prev)
    np.testing.assert_allclose(g, expected, rtol=2e-3, atol=1e-6)


def test_angles_follow_the_rule():
    net, (x, y) = network(n=24), data()
    fa = with_feedback(net, "fa", key=KEY)
    wm = with_feedback(net, "wm", key=KEY, mirror_init=4096)
    ang_fa = np.asarray(update_angles(fa, loss, x, y, key=KEY))
    ang_wm = np.asarray(update_angles(wm, loss, x, y, key=KEY))
    assert ang_fa[1] > 45 and ang_wm[1] < 15  # recurrent weights
    assert ang_fa[2] == pytest.approx(0, abs=1e-3)  # the readout's own update is exact under every rule
    fb_fa, fb_wm = np.asarray(feedback_angles(fa)), np.asarray(feedback_angles(wm))
    assert np.isnan(fb_fa[0]) and fb_fa[1] > 60 and fb_wm[1] < 15
    assert np.isnan(np.asarray(feedback_angles(with_feedback(net, "dfa", key=KEY)))[1])  # dfa: no B_rec


def test_kolen_pollack_feedback_gets_the_forward_update():
    net, (x, y) = network(), data()
    kp = with_feedback(net, "kp", key=KEY)
    g = jax.grad(lambda n: loss(n, x, y, key=KEY))(kp)
    np.testing.assert_array_equal(g.circuit.feedback, g.circuit.w_rec)
    np.testing.assert_array_equal(g.readout.feedback, g.readout.weight)
    opt = feedback_optimizer("kp", __import__("optax").sgd(0.1), decay=0.5)
    params = eqx.filter(kp, eqx.is_inexact_array)
    updates, _ = opt.update(eqx.filter(g, eqx.is_inexact_array), opt.init(params), params)
    new = eqx.apply_updates(kp, updates)
    # W - B shrinks by (1 - decay)
    np.testing.assert_allclose(new.circuit.w_rec - new.circuit.feedback,
                               0.5 * (kp.circuit.w_rec - kp.circuit.feedback), rtol=1e-5, atol=1e-7)


def test_fixed_feedback_is_not_trained_and_labels():
    net, (x, y) = network(), data()
    fa = with_feedback(net, "fa", key=KEY)
    labels = feedback_labels(fa)
    assert labels.circuit.feedback == "feedback" and labels.circuit.w_rec == "forward"
    assert labels.readout.feedback == "feedback" and labels.readout.weight == "forward"
    g = jax.grad(lambda n: loss(n, x, y, key=KEY))(fa)
    assert not np.any(np.asarray(g.circuit.feedback))


def test_without_feedback_round_trip_and_errors():
    net = network()
    back = without_feedback(with_feedback(net, "wm", key=KEY))
    assert type(back.circuit) is CTRNN and not hasattr(back.readout, "feedback")
    np.testing.assert_array_equal(back.circuit.w_rec, net.circuit.w_rec)
    ei = Network(EIRNN(3, 10, key=KEY), 2, key=KEY)
    with pytest.raises(ConfigError, match="plain CTRNN"):
        with_feedback(ei, "fa", key=KEY)
    assert with_feedback(net, "bp", key=KEY) is net
