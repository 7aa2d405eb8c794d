"""RateCTRNN (Yang et al. 2019 eq. 1) against closed forms, a NumPy Euler integration and the CTRNN's fixed points."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from brainlike.circuits import CTRNN, Network, RateCTRNN, forward, simulate

K = jax.random.PRNGKey


def _numpy_rates(c, u):
    W, Win, b = (np.asarray(a, np.float64) for a in (c.w_rec, c.w_in, c.bias))
    softplus = lambda z: np.logaddexp(0.0, z)
    r, a, out = np.zeros(c.n_units), c.dt / c.tau, []
    for t in range(u.shape[0]):
        r = (1 - a) * r + a * softplus(W @ r + Win @ u[t] + b)
        out.append(r)
    return np.array(out)


def test_step_and_batch_match_numpy_euler_integration_without_noise():
    c = RateCTRNN(3, 6, key=K(0), tau=100.0, dt=20.0, rate_fn="softplus", sigma_rec=0.0, w_rec_init="normal",
                  w_rec_gain=1.5)
    net = Network(c, 2, key=K(1))
    u = np.asarray(jax.random.normal(K(2), (2, 40, 3)))
    ref = np.stack([_numpy_rates(c, trial) for trial in u])
    one, _ = simulate(net, jnp.asarray(u[1]), key=K(3))  # a scan of ``step``
    batch, _ = forward(net, jnp.asarray(u), key=K(3))  # ``simulate_batch``
    np.testing.assert_allclose(one, ref[1], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(batch, ref, rtol=1e-4, atol=1e-6)
    assert np.all(np.asarray(batch) >= 0)  # convex combinations of softplus rates starting at 0


def test_rates_relax_to_f_of_the_input_with_time_constant_tau():
    # no recurrence, step input I: r(t) = f(I) (1 - (1 - dt/tau)^t), from r(0) = 0
    c = RateCTRNN(1, 1, key=K(0), tau=100.0, dt=1.0, rate_fn="tanh", sigma_rec=0.0)
    c = eqx.tree_at(lambda m: (m.w_rec, m.w_in), c, (jnp.zeros((1, 1)), jnp.full((1, 1), 0.7)))
    rates, _ = simulate(Network(c, 1, key=K(0)), jnp.ones((100, 1)), key=K(0))
    assert abs(float(rates[99, 0]) - np.tanh(0.7) * (1 - 0.99**100)) < 1e-5


def test_recurrent_noise_inside_f_has_the_stationary_variance_of_the_discrete_ou_process():
    # r' = (1 - a) r + a sqrt(2/a) sigma z  =>  Var = 2 a sigma^2 / (1 - (1 - a)^2) = 2 sigma^2 / (2 - a)
    sigma, dt, tau = 0.3, 20.0, 100.0
    c = RateCTRNN(1, 200, key=K(0), tau=tau, dt=dt, rate_fn="linear", sigma_rec=sigma)
    c = eqx.tree_at(lambda m: m.w_rec, c, jnp.zeros((200, 200)))
    rates, _ = forward(Network(c, 1, key=K(0)), jnp.zeros((1, 2000, 1)), key=K(7))
    np.testing.assert_allclose(np.var(np.asarray(rates[0, 200:])), 2 * sigma**2 / (2 - dt / tau), rtol=0.03)


def test_fixed_points_are_the_ctrnns():
    # x* = W f(x*) + W_in u + b for the CTRNN  <=>  r* = f(x*) solves r = f(W r + W_in u + b)
    ct = CTRNN(2, 5, key=K(4), rate_fn="tanh", sigma_rec=0.0, w_rec_gain=0.5)
    u = jnp.array([0.3, -0.8])
    x = jnp.zeros(5)
    for _ in range(2000):
        x = x + 0.1 * ct.velocity(x, u)
    assert float(jnp.abs(ct.velocity(x, u)).max()) < 1e-6
    rc = RateCTRNN(2, 5, key=K(5), rate_fn="tanh", sigma_rec=0.0)
    rc = eqx.tree_at(lambda m: (m.w_rec, m.w_in, m.bias), rc, (ct.w_rec, ct.w_in, ct.bias))
    assert float(jnp.abs(rc.velocity(ct.rate(x), u)).max()) < 1e-5


def test_the_batched_backward_pass_is_the_autodiff_gradient_of_step():
    # simulate_batch runs rate_leaky_scan, whose BPTT is written by hand; simulate scans ``step`` under autodiff
    u = jax.random.normal(K(2), (3, 25, 4))
    target = jax.random.normal(K(3), (3, 25, 2))
    for rate_fn in ("softplus", "tanh", "relu"):
        c = RateCTRNN(4, 7, key=K(0), tau=100.0, dt=20.0, rate_fn=rate_fn, sigma_rec=0.0, w_rec_init="normal",
                      w_rec_gain=1.2)
        net = Network(c, 2, key=K(1))

        def batched(m):
            return jnp.sum((forward(m, u, key=K(4))[1] - target) ** 2)

        def stepped(m):
            outs = jax.vmap(lambda x: simulate(m, x, key=K(4))[1])(u)
            return jnp.sum((outs - target) ** 2)

        g1, g2 = eqx.filter_grad(batched)(net), eqx.filter_grad(stepped)(net)
        for a, b in zip(jax.tree.leaves(g1), jax.tree.leaves(g2)):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5, err_msg=rate_fn)
