"""Dale's law and connectivity masks hold at initialisation and after training."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from brainlike import ConfigError, plasticity, tasks
from brainlike.circuits import CTRNN, Dale, EIRNN, Masked, Network, block_mask, forward, sparse_mask


def _signs_hold(d: Dale):
    w = np.asarray(d.effective().w_rec)
    sign = np.asarray(d.sign)
    assert np.all(w[:, sign > 0] >= 0) and np.all(w[:, sign < 0] <= 0)
    assert np.all(np.asarray(d.effective().w_in) >= 0)
    assert np.all(np.diag(w) == 0)


def test_balanced_initialisation():
    d = EIRNN(3, 50, key=jax.random.PRNGKey(0), radius=1.2)
    assert d.n_exc == 40
    w = np.asarray(d.effective().w_rec)
    np.testing.assert_allclose(w[:, :40].sum(1), -w[:, 40:].sum(1), rtol=1e-4)  # E and I balance per unit
    np.testing.assert_allclose(np.max(np.abs(np.linalg.eigvals(w))), 1.2, rtol=1e-3)
    _signs_hold(d)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_signs_still_hold_after_training(seed):
    task = tasks.make("perceptual_decision", dt=20.0, stimulus=200.0)
    opt = plasticity.adam(5e-2)
    step = eqx.filter_jit(plasticity.make_step(task, opt, batch_size=8))
    k1, k2 = jax.random.split(jax.random.PRNGKey(seed))
    net = Network(EIRNN(3, 20, key=k1, dt=20.0), 3, key=k2)
    state = plasticity.init_optimizer(opt, net)
    before = np.asarray(net.circuit.circuit.w_rec)
    for i in range(30):
        net, state, _ = step(net, state, jax.random.PRNGKey(100 + i))
    assert not np.allclose(before, np.asarray(net.circuit.circuit.w_rec))  # it did learn
    _signs_hold(net.circuit)
    np.testing.assert_array_equal(np.asarray(net.circuit.sign), np.where(np.arange(20) < 16, 1, -1))


def test_readout_sees_only_excitatory_units():
    net = Network(EIRNN(3, 10, key=jax.random.PRNGKey(0), dt=20.0), 2, key=jax.random.PRNGKey(1))
    x = jax.random.normal(jax.random.PRNGKey(2), (2, 5, 3))
    g = eqx.filter_grad(lambda n: jnp.sum(forward(n, x, key=jax.random.PRNGKey(0))[1]))(net)
    assert np.all(np.asarray(g.readout.weight)[:, 8:] == 0)


def test_masks():
    m = sparse_mask(200, 0.1, key=jax.random.PRNGKey(0))
    assert abs(float(m.mean()) - 0.1) < 0.01 and not np.any(np.diag(np.asarray(m)))
    b = np.asarray(block_mask((2, 3), [[1, 0], [1, 1]]))
    assert b.shape == (5, 5) and b[:2, 2:].sum() == 0 and b[2:, :2].all()
    c = Masked(CTRNN(2, 5, key=jax.random.PRNGKey(0)), b)
    assert np.all(np.asarray(c.effective().w_rec)[:2, 2:] == 0)
    d = Dale(CTRNN(2, 5, key=jax.random.PRNGKey(0)), key=jax.random.PRNGKey(1), mask=b)
    assert np.all(np.asarray(d.effective().w_rec)[:2, 2:] == 0)


@pytest.mark.parametrize("kwargs, msg", [
    ({"rate_fn": "tanh"}, "non-negative rates"),
    ({"frac_exc": 1.0}, "frac_exc"),
])
def test_bad_dale_settings(kwargs, msg):
    with pytest.raises(ConfigError, match=msg):
        EIRNN(2, 10, key=jax.random.PRNGKey(0), **kwargs)
    with pytest.raises(ConfigError, match="mask has shape"):
        Masked(CTRNN(2, 4, key=jax.random.PRNGKey(0)), np.ones((3, 3)))
