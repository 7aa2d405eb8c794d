"""CTRNN against closed forms and an independent NumPy implementation."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from brainlike import ConfigError
from brainlike.circuits import CTRNN, Network, RateCTRNN, simulate


def test_matches_numpy_euler_integration_without_noise():
    net = Network(CTRNN(2, 5, key=jax.random.PRNGKey(0), tau=100.0, dt=10.0, rate_fn="tanh", sigma_rec=0.0),
                  1, key=jax.random.PRNGKey(1))
    c = net.circuit
    u = np.asarray(jax.random.normal(jax.random.PRNGKey(2), (30, 2)))
    rates, out = simulate(net, jnp.asarray(u), key=jax.random.PRNGKey(3))
    W, Win, b = (np.asarray(a, np.float64) for a in (c.w_rec, c.w_in, c.bias))
    x, alpha, ref = np.zeros(5), 0.1, []
    for t in range(30):
        x = (1 - alpha) * x + alpha * (W @ np.tanh(x) + Win @ u[t] + b)
        ref.append(np.tanh(x))
    np.testing.assert_allclose(rates, np.array(ref), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out, np.array(ref) @ np.asarray(net.readout.weight).T + np.asarray(net.readout.bias),
                               rtol=1e-4, atol=1e-5)


def test_leaky_integration_has_time_constant_tau():
    # with no recurrence, a step input u gives x(t) = u (1 - (1 - dt/tau)^t): 63 % at t = tau for small dt
    c = CTRNN(1, 1, key=jax.random.PRNGKey(0), tau=100.0, dt=1.0, rate_fn="linear", sigma_rec=0.0)
    c = jax.tree_util.tree_map(lambda a: a, c)
    import equinox as eqx

    c = eqx.tree_at(lambda m: (m.w_rec, m.w_in), c, (jnp.zeros((1, 1)), jnp.ones((1, 1))))
    net = Network(c, 1, key=jax.random.PRNGKey(0))
    rates, _ = simulate(net, jnp.ones((100, 1)), key=jax.random.PRNGKey(0))
    assert abs(float(rates[99, 0]) - (1 - 0.99**100)) < 1e-5
    assert abs(float(rates[99, 0]) - (1 - np.exp(-1))) < 0.01


def test_recurrent_noise_has_the_stationary_variance_of_the_discrete_ou_process():
    # x' = (1 - a) x + sqrt(2a) sigma z  =>  Var = 2 a sigma^2 / (1 - (1 - a)^2) = 2 sigma^2 / (2 - a)
    import equinox as eqx

    sigma, dt, tau = 0.3, 20.0, 100.0
    c = CTRNN(1, 200, key=jax.random.PRNGKey(0), tau=tau, dt=dt, rate_fn="linear", sigma_rec=sigma)
    c = eqx.tree_at(lambda m: m.w_rec, c, jnp.zeros((200, 200)))
    net = Network(c, 1, key=jax.random.PRNGKey(0))
    rates, _ = simulate(net, jnp.zeros((2000, 1)), key=jax.random.PRNGKey(7))
    a = dt / tau
    np.testing.assert_allclose(np.var(np.asarray(rates[200:])), 2 * sigma**2 / (2 - a), rtol=0.03)


@pytest.mark.parametrize("kwargs, msg", [
    ({"dt": 200.0, "tau": 100.0}, "dt <= tau"),
    ({"rate_fn": "elu"}, "unknown activation 'elu'"),
    ({"sigma_rec": -1.0}, "noise must be >= 0"),
    ({"w_rec_init": "xavier"}, "unknown recurrent initialisation"),
])
@pytest.mark.parametrize("cls", [CTRNN, RateCTRNN])
def test_bad_parameters_raise(kwargs, msg, cls):
    with pytest.raises(ConfigError, match=msg):
        cls(2, 4, key=jax.random.PRNGKey(0), **kwargs)


@pytest.mark.parametrize("rate_fn", ["relu", "tanh", "softplus"])
def test_batched_fast_path_matches_step_and_its_gradient_matches_autodiff(rate_fn):
    import equinox as eqx

    from brainlike.circuits import forward

    net = Network(CTRNN(3, 6, key=jax.random.PRNGKey(0), tau=100.0, dt=20.0, rate_fn=rate_fn, sigma_rec=0.0),
                  2, key=jax.random.PRNGKey(1))
    net = eqx.tree_at(lambda n: n.circuit.x0, net, 0.3 * jnp.ones(6))
    x = jax.random.normal(jax.random.PRNGKey(2), (4, 12, 3))

    def via_step(n):  # the generic runner: vmap over trials of a scan of step()
        return jax.vmap(lambda xi: simulate(n, xi, key=jax.random.PRNGKey(0)))(x)

    def loss(fn, n):
        rates, out = fn(n)
        return jnp.sum(out**2) + jnp.sum(jnp.sin(rates))

    fast = forward(net, x, key=jax.random.PRNGKey(0))
    slow = via_step(net)
    np.testing.assert_allclose(fast[0], slow[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(fast[1], slow[1], rtol=1e-5, atol=1e-6)
    g_fast = eqx.filter_grad(lambda n: loss(lambda m: forward(m, x, key=jax.random.PRNGKey(0)), n))(net)
    g_slow = eqx.filter_grad(lambda n: loss(via_step, n))(net)
    for a, b in zip(jax.tree_util.tree_leaves(g_fast), jax.tree_util.tree_leaves(g_slow)):
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=1e-5)


def test_fast_path_noise_has_the_same_statistics_as_step_noise():
    import equinox as eqx

    c = CTRNN(1, 300, key=jax.random.PRNGKey(0), tau=100.0, dt=20.0, rate_fn="linear", sigma_rec=0.3)
    c = eqx.tree_at(lambda m: m.w_rec, c, jnp.zeros((300, 300)))
    rates = c.simulate_batch(jnp.zeros((4, 1000, 1)), key=jax.random.PRNGKey(3))
    np.testing.assert_allclose(np.var(np.asarray(rates[:, 200:])), 2 * 0.3**2 / (2 - 0.2), rtol=0.03)
