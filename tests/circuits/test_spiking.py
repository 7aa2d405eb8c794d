"""LIF and ALIF neurons against closed forms: first-spike time, refractory period, adaptation, the
surrogate derivatives, the leaky readout, and the batched fast path against the per-trial step."""

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from brainlike import ConfigError
from brainlike.circuits import ALIF, LIF, SURROGATES, Network, forward, leaky_filter, log_uniform, simulate, spike

KEY = jax.random.PRNGKey(0)


def lone_neuron(current: float, n_steps: int, **kw):
    """One neuron without recurrence, driven by a constant input of ``current`` (in units of v_th)."""
    lif = eqx.tree_at(lambda c: c.w_in, LIF(1, 1, key=KEY, **kw), jnp.ones((1, 1)))
    x = jnp.full((1, n_steps, 1), current)
    return np.asarray(lif.simulate_batch(x, key=KEY))[0, :, 0], lif


def test_first_spike_at_the_closed_form_time():
    # v_n = I (1 - alpha^n) from rest: the first step with v_n > v_th is ceil(log(1 - v_th / I) / log alpha)
    for current in (1.2, 2.0, 5.0):
        z, lif = lone_neuron(current, 200, dt=1.0, tau_m=20.0)
        expected = math.ceil(math.log(1 - 1.0 / current) / math.log(lif.alpha))
        assert int(np.flatnonzero(z)[0]) + 1 == expected  # step index t holds v_{t+1}


def test_refractory_period_sets_the_shortest_interval():
    z, _ = lone_neuron(1000.0, 100, dt=1.0, refractory=3.0)
    np.testing.assert_array_equal(np.diff(np.flatnonzero(z)), 4)  # 3 dead steps after each spike
    z0, _ = lone_neuron(1000.0, 100, dt=1.0, refractory=0.0)
    assert z0[1:].all()  # no refractory period: a spike every step


def test_adaptive_threshold_lengthens_the_intervals():
    z, _ = lone_neuron(3.0, 2000, dt=1.0, beta=50.0, tau_adapt=500.0, refractory=0.0)
    isi = np.diff(np.flatnonzero(z))
    assert isi[-5:].mean() > 2 * isi[:3].mean()  # spike-frequency adaptation
    zl, _ = lone_neuron(3.0, 2000, dt=1.0, refractory=0.0)
    assert np.ptp(np.diff(np.flatnonzero(zl))[1:]) <= 1  # a LIF neuron fires regularly


def test_each_neuron_integrates_with_its_own_time_constant():
    """Per-neuron ``tau_m``: every neuron's first spike comes at the closed-form time of its own ``alpha``,
    and one time constant shared by all is the scalar circuit exactly."""
    taus = np.array([5.0, 10.0, 20.0, 40.0], np.float32)
    lif = LIF(1, 4, key=KEY, dt=1.0, tau_m=taus, refractory=0.0, recurrent=False)
    assert lif.tau_m is None and np.allclose(lif.alpha, np.exp(-1.0 / taus))
    lif = eqx.tree_at(lambda c: c.w_in, lif, jnp.ones((4, 1)))
    z = np.asarray(lif.simulate_batch(jnp.full((1, 300, 1), 1.5), key=KEY))[0]
    first = [int(np.flatnonzero(z[:, j])[0]) + 1 for j in range(4)]
    assert first == [math.ceil(math.log(1 - 1 / 1.5) / math.log(math.exp(-1 / t))) for t in taus]
    shared = LIF(3, 6, key=KEY, dt=1.0, tau_m=np.full(6, 15.0), tau_adapt=np.full(6, 300.0), beta=2.0)
    scalar = LIF(3, 6, key=KEY, dt=1.0, tau_m=15.0, tau_adapt=300.0, beta=2.0)
    x = (jax.random.uniform(KEY, (2, 100, 3)) < 0.4) * 4.0
    np.testing.assert_array_equal(shared.simulate_batch(x, key=KEY), scalar.simulate_batch(x, key=KEY))


def test_each_adaptive_threshold_relaxes_with_its_own_time_constant():
    taus = np.array([50.0, 500.0], np.float32)
    lif = eqx.tree_at(lambda c: c.w_in, LIF(1, 2, key=KEY, dt=1.0, tau_adapt=taus, beta=1.0, refractory=0.0,
                                           recurrent=False), jnp.ones((2, 1)))
    x = jnp.concatenate([jnp.full((1, 20, 1), 10.0), jnp.zeros((1, 300, 1))], axis=1)  # fire, then silence
    traj = lif.trajectory(x, key=KEY)
    a, z = np.asarray(traj["a"])[0], np.asarray(traj["z"])[0]
    assert z[:20].sum(axis=0).min() > 0 and z[-150:].sum() == 0
    np.testing.assert_allclose(a[-1] / a[-101], np.exp(-100.0 / taus), rtol=1e-3)  # a decays by rho per step


def test_time_constants_are_fixed_and_drawn_log_uniformly():
    taus = np.asarray(log_uniform(KEY, 4000, 10.0, 40.0))
    assert taus.min() >= 10.0 and taus.max() <= 40.0
    assert abs(np.median(taus) - 20.0) < 0.6  # the geometric mean of the bounds
    assert abs(np.mean(taus < 20.0) - 0.5) < 0.03
    circuit = LIF(4, 12, key=KEY, dt=1.0, tau_m=log_uniform(KEY, 12, 5.0, 40.0),
                  tau_adapt=log_uniform(jax.random.PRNGKey(1), 12, 50.0, 500.0), beta=2.0, w_in_gain=8.0)
    net = Network(circuit, 2, key=KEY, readout_tau=10.0)
    x = (jax.random.uniform(KEY, (3, 80, 4)) < 0.5).astype(jnp.float32)
    grads = eqx.filter_grad(lambda n: jnp.sum(forward(n, x, key=KEY)[1] ** 2))(net)
    np.testing.assert_array_equal(grads.circuit.log_tau_m, 0.0)  # fixed properties of the neurons
    np.testing.assert_array_equal(grads.circuit.log_tau_adapt, 0.0)
    assert float(jnp.abs(grads.circuit.w_in).sum()) > 0
    stack = eqx.filter_vmap(lambda k: LIF(2, 5, key=k, tau_m=log_uniform(k, 5, 5.0, 40.0)))(jax.random.split(KEY, 3))
    assert stack.log_tau_m.shape == (3, 5)  # drawn inside vmap, one set per network
    with pytest.raises(ConfigError, match=r"tau_m must be a number or one per neuron \(5,\)"):
        LIF(2, 5, key=KEY, tau_m=np.ones(4))
    with pytest.raises(ConfigError, match="every tau_adapt must be > 0"):
        LIF(2, 2, key=KEY, tau_adapt=np.array([1.0, 0.0]))
    with pytest.raises(ConfigError, match="need 0 < low <= high"):
        log_uniform(KEY, 3, 10.0, 5.0)
    with pytest.raises(ConfigError, match="learn_tau needs tau_m or tau_adapt given per neuron"):
        LIF(2, 2, key=KEY, learn_tau=True)


def test_learned_time_constants_get_the_closed_form_gradient():
    """With ``learn_tau`` the membrane time constants learn, in log space: far below threshold a neuron driven
    by a constant ``I`` from rest has ``v_n = I (1 - alpha^n)``, ``alpha = exp(-dt e^{-l})``, so
    ``dv_n / dl = -I n alpha^n dt e^{-l}``."""
    taus = np.array([5.0, 20.0], np.float32)
    lif = LIF(1, 2, key=KEY, dt=1.0, tau_m=taus, learn_tau=True, recurrent=False)
    lif = eqx.tree_at(lambda c: c.w_in, lif, jnp.ones((2, 1)))
    n, current = 30, -0.8  # hyperpolarised: never near threshold, where the surrogate would add a gradient
    x = jnp.full((1, n, 1), current)
    grad = eqx.filter_grad(lambda c: jnp.sum(c.trajectory(x, key=KEY)["v"][0, -1]))(lif)
    alpha = np.exp(-1.0 / taus)
    np.testing.assert_allclose(grad.log_tau_m, -current * n * alpha ** n / taus, rtol=1e-4)
    assert lif.log_tau_adapt is None and grad.log_tau_adapt is None  # one shared tau_adapt: nothing to learn


@pytest.mark.parametrize("name", sorted(SURROGATES))
def test_spike_is_a_step_with_the_surrogate_derivative(name):
    x = jnp.linspace(-2, 2, 41)
    np.testing.assert_array_equal(spike(x, name, 0.3), (x > 0).astype(jnp.float32))
    grad = jax.vmap(jax.grad(lambda v: spike(v, name, 0.3)))(x)
    np.testing.assert_allclose(grad, 0.3 * SURROGATES[name](x), rtol=1e-6)
    assert float(jax.grad(lambda v: spike(v, name, 0.3))(jnp.float32(0.0))) == pytest.approx(0.3)  # peak at threshold


def test_leaky_filter_impulse_response():
    z = jnp.zeros((1, 10, 2)).at[0, 0, 0].set(1.0)
    y = leaky_filter(z, 0.8)
    np.testing.assert_allclose(y[0, :, 0], 0.2 * 0.8 ** np.arange(10), rtol=1e-6)
    np.testing.assert_array_equal(y[0, :, 1], 0.0)


def test_batched_path_matches_the_per_trial_step():
    net = Network(ALIF(4, 12, key=KEY, frac_adaptive=0.5, dt=1.0, w_in_gain=8.0), 2, key=KEY, readout_tau=10.0)
    x = (jax.random.uniform(KEY, (3, 80, 4)) < 0.5).astype(jnp.float32)
    z, y = forward(net, x, key=KEY)
    assert float(z.mean()) > 0.01  # the neurons do fire
    for i in range(3):
        zi, yi = simulate(net, x[i], key=KEY)
        np.testing.assert_array_equal(z[i], zi)
        np.testing.assert_allclose(y[i], yi, rtol=1e-5, atol=1e-6)


def test_alif_makes_an_lsnn_and_bad_parameters_are_named():
    lsnn = ALIF(2, 10, key=KEY, frac_adaptive=0.4, beta=20.0)
    np.testing.assert_array_equal(np.asarray(lsnn.beta), [20.0] * 4 + [0.0] * 6)
    with pytest.raises(ConfigError, match="surrogate"):
        LIF(2, 3, key=KEY, surrogate="sigmoid2")
    with pytest.raises(ConfigError, match="tau_m"):
        LIF(2, 3, key=KEY, tau_m=0.0)
    with pytest.raises(ConfigError, match="frac_adaptive"):
        ALIF(2, 3, key=KEY, frac_adaptive=1.5)
    with pytest.raises(ConfigError, match="readout_tau"):
        Network(LIF(2, 3, key=KEY), 2, key=KEY, readout_tau=-1.0)


def test_a_feed_forward_layer_is_a_recurrent_one_without_recurrent_weights():
    ff = LIF(4, 6, key=KEY, recurrent=False, w_in_gain=8.0)
    rec = eqx.tree_at(lambda c: c.w_rec, LIF(4, 6, key=KEY, w_in_gain=8.0), jnp.zeros((6, 6)))
    x = (jax.random.uniform(KEY, (2, 50, 4)) < 0.5).astype(jnp.float32)
    z = ff.simulate_batch(x, key=KEY)
    assert ff.w_rec.size == 0 and float(z.mean()) > 0.01
    np.testing.assert_array_equal(z, rec.simulate_batch(x, key=KEY))


def test_training_never_changes_a_neurons_adaptation():
    """``beta`` says which neurons adapt: a LIF network must not learn adaptation (or facilitation, a
    negative beta) by gradient descent, so its gradient is exactly zero while the weights' is not."""
    net = Network(ALIF(4, 12, key=KEY, frac_adaptive=0.5, dt=1.0, w_in_gain=8.0), 2, key=KEY, readout_tau=10.0)
    x = (jax.random.uniform(KEY, (3, 80, 4)) < 0.5).astype(jnp.float32)
    grads = eqx.filter_grad(lambda n: jnp.sum(forward(n, x, key=KEY)[1] ** 2))(net)
    np.testing.assert_array_equal(grads.circuit.beta, 0.0)
    assert float(jnp.abs(grads.circuit.w_in).sum()) > 0


def test_dale_and_masks_constrain_spiking_networks():
    """Dale's law and connectivity masks wrap LIF/ALIF circuits as they wrap CTRNNs: the signs and the
    missing connections hold through training, and the wrapped dynamics are the plain circuit's with the
    effective weights."""
    from brainlike.circuits import Dale, Masked, sparse_mask
    from brainlike.plasticity import adam, make_step
    from brainlike.tasks import Encoded, StoreRecall

    task = Encoded(StoreRecall(dt=5.0, period=25.0, n_periods=4, min_delay=1, max_delay=2), n_per_channel=3)
    lif = ALIF(task.n_inputs, 20, key=KEY, frac_adaptive=0.5, dt=5.0, w_in_gain=6.0)
    mask = sparse_mask(20, 0.3, key=jax.random.PRNGKey(2))
    for circuit in (Dale(lif, key=jax.random.PRNGKey(1), frac_exc=0.8, mask=mask), Masked(lif, mask)):
        net = Network(circuit, 2, key=KEY, readout_tau=20.0)
        opt = adam(1e-2)
        step = eqx.filter_jit(make_step(task, opt, batch_size=8))
        state = opt.init(eqx.filter(net, eqx.is_inexact_array))
        for i in range(5):
            net, state, m = step(net, state, jax.random.PRNGKey(i))
        w = np.asarray(net.circuit.effective().w_rec)
        np.testing.assert_array_equal(w[np.asarray(mask) == 0], 0.0)
        x = task.sample(KEY, 3).inputs
        z, _ = forward(net, x, key=KEY)
        assert float(z.mean()) > 0.005
        np.testing.assert_array_equal(z, net.circuit.effective().simulate_batch(x, key=KEY))
        if isinstance(net.circuit, Dale):
            assert np.all(w[:, :16] >= 0) and np.all(w[:, 16:] <= 0) and np.all(np.asarray(net.circuit.effective().w_in) >= 0)
            np.testing.assert_array_equal(np.asarray(net.circuit.readout_units), [1.0] * 16 + [0.0] * 4)
    with pytest.raises(ConfigError, match="recurrent=False"):
        Masked(LIF(2, 4, key=KEY, recurrent=False), np.ones((4, 4)))
