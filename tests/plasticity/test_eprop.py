"""e-prop (Bellec et al. 2020) against automatic differentiation: exact for a layer without recurrent
synapses, and for a recurrent network exact for the graph e-prop assumes (recurrent spikes carry no
gradient), computed here by an independent simulation written with ``stop_gradient``."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from brainlike import ConfigError
from brainlike._trials import Trials
from brainlike.circuits import ALIF, GRU, SURROGATES, Network
from brainlike.plasticity import adam, eprop_gradients, make_eprop_step, random_feedback, supervised_loss
from brainlike.plasticity._losses import cross_entropy, rate_deviation
from brainlike.tasks import Encoded, StoreRecall

KEY = jax.random.PRNGKey(3)


def trials(n_in=5, n_out=3, batch=4, steps=60, key=KEY):
    k1, k2, k3 = jax.random.split(key, 3)
    x = (jax.random.uniform(k1, (batch, steps, n_in)) < 0.3).astype(jnp.float32)
    labels = jax.random.randint(k2, (batch,), 0, n_out)
    mask = (jnp.arange(steps) >= steps // 2).astype(jnp.float32)
    return Trials(inputs=x, targets=jnp.broadcast_to(jax.nn.one_hot(labels, n_out)[:, None], (batch, steps, n_out)),
                  mask=jnp.broadcast_to(mask, (batch, steps)), conditions={}, epochs={}, dt=1.0)


def network(recurrent=True, **kw):
    kw = {"tau_adapt": 200.0} | kw
    circuit = ALIF(5, 10, key=KEY, frac_adaptive=0.5, beta=1.5, dt=1.0, refractory=2.0,
                   w_in_gain=6.0, w_rec_gain=2.0, recurrent=recurrent, **kw)
    return Network(circuit, 3, key=jax.random.PRNGKey(1), readout_tau=5.0)


def assert_close(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert np.abs(b).max() > 0
    np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-5 * np.abs(b).max())


def truncated_reference(net, tr, rate_reg, target):
    """The loss of ``net`` simulated step by step in plain jnp, with the spikes that reach OTHER neurons
    through ``w_rec`` wrapped in ``stop_gradient``: the graph whose exact gradient symmetric e-prop is."""
    c = net.circuit
    # the decays from the time constants themselves (one number, or one per neuron), not the circuit's alpha/rho
    alpha, rho = (jnp.exp(-c.dt / (jnp.asarray(tau) if log_tau is None else jnp.exp(log_tau)))
                  for tau, log_tau in ((c.tau_m, c.log_tau_m), (c.tau_adapt, c.log_tau_adapt)))
    n_ref = int(round(c.refractory / c.dt))

    @jax.custom_jvp
    def heaviside(x):
        return (x > 0).astype(x.dtype)

    heaviside.defjvp(lambda p, t: (heaviside(p[0]), c.dampening * SURROGATES[c.surrogate](p[0]) * t[0]))

    def loss(w_in, w_rec, bias, ro):
        b = tr.inputs.shape[0]
        v = a = z = ref = jnp.zeros((b, c.n_units))
        zs = []
        for t in range(tr.inputs.shape[1]):
            th_old = c.v_th + c.beta * a
            rec = jax.lax.stop_gradient(z) @ (w_rec * (1 - jnp.eye(c.n_units))).T
            v = alpha * v + (1 - alpha) * (tr.inputs[:, t] @ w_in.T + bias + rec) - jax.lax.stop_gradient(th_old) * z
            a = rho * a + (1 - rho) * z
            ref = jnp.maximum(ref - 1, 0)
            z = heaviside((v - c.v_th - c.beta * a) / c.v_th) * (ref == 0)
            ref = jnp.where(z > 0, n_ref + 1.0, ref)
            zs.append(z)
        z_all = jnp.stack(zs, 1)
        y = eqx.tree_at(lambda n: n.readout, net, ro).read(z_all)
        return cross_entropy(y, tr.targets, tr.mask) + rate_reg * rate_deviation(z_all, target)

    return jax.grad(loss, argnums=(0, 1, 2, 3))(c.w_in, c.w_rec, c.bias, net.readout)


def test_symmetric_eprop_is_the_gradient_with_recurrent_spikes_detached():
    net, tr = network(), trials()
    grads, metrics = eprop_gradients(net, tr, KEY, rate_reg=0.5, rate_target=0.05)
    assert 0.02 < float(metrics["mean_rate"]) < 0.5  # the neurons fire, adapt and reset
    ref = truncated_reference(net, tr, 0.5, 0.05)
    for got, want in zip((grads.circuit.w_in, grads.circuit.w_rec, grads.circuit.bias,
                          grads.readout.weight, grads.readout.bias),
                         (ref[0], ref[1], ref[2], ref[3].weight, ref[3].bias)):
        assert_close(got, want)
    np.testing.assert_array_equal(np.diag(grads.circuit.w_rec), 0.0)
    np.testing.assert_array_equal(grads.circuit.beta, 0.0)


def test_eprop_traces_follow_each_neurons_own_time_constants():
    """Per-neuron ``tau_m`` and ``tau_adapt`` (each neuron's own ``alpha`` and ``rho`` in its traces)."""
    n = 10
    net = network(tau_m=np.linspace(5.0, 40.0, n), tau_adapt=np.geomspace(20.0, 400.0, n))
    tr = trials()
    grads, _ = eprop_gradients(net, tr, KEY, rate_reg=0.5, rate_target=0.05)
    ref = truncated_reference(net, tr, 0.5, 0.05)
    for got, want in zip((grads.circuit.w_in, grads.circuit.w_rec, grads.circuit.bias), ref[:3]):
        assert_close(got, want)
    auto, _ = eprop_gradients(net, tr, KEY, rate_reg=0.5, rate_target=0.05, method="autodiff")
    assert_close(auto.circuit.w_in, grads.circuit.w_in)
    np.testing.assert_array_equal(grads.circuit.log_tau_m, 0.0)
    with pytest.raises(ConfigError, match="e-prop has no eligibility traces for time constants"):
        eprop_gradients(network(tau_m=np.full(10, 20.0), learn_tau=True), tr, KEY)


def test_eprop_equals_bptt_without_recurrent_synapses():
    """No recurrent synapses, nothing is truncated: e-prop is BPTT (surrogate gradients) exactly."""
    net, tr = network(recurrent=False), trials()
    grads, _ = eprop_gradients(net, tr, KEY, rate_reg=0.0)
    params, static = eqx.partition(net, eqx.is_inexact_array)
    bptt = jax.grad(lambda p: supervised_loss(eqx.combine(p, static), tr, KEY)[0])(params)
    for got, want in ((grads.circuit.w_in, bptt.circuit.w_in), (grads.circuit.bias, bptt.circuit.bias),
                      (grads.readout.weight, bptt.readout.weight)):
        assert_close(got, want)


def test_random_eprop_broadcasts_through_fixed_random_weights():
    net, tr = network(), trials()
    b = random_feedback(net, jax.random.PRNGKey(9))
    sym, _ = eprop_gradients(net, tr, KEY)
    rnd, _ = eprop_gradients(net, tr, KEY, feedback=b)
    assert_close(rnd.readout.weight, sym.readout.weight)  # the readout learns from its own error either way
    assert not np.allclose(rnd.circuit.w_in, sym.circuit.w_in)
    # the learning signal is linear in B: B = W_out reproduces symmetric e-prop
    same, _ = eprop_gradients(net, tr, KEY, feedback=net.readout.weight)
    assert_close(same.circuit.w_in, sym.circuit.w_in)
    with pytest.raises(ConfigError, match=r"feedback has shape \(2, 10\)"):
        eprop_gradients(net, tr, KEY, feedback=jnp.zeros((2, 10)))


@pytest.mark.parametrize("recurrent", [True, False])
@pytest.mark.parametrize("feedback", [None, "random"])
@pytest.mark.parametrize("rate_target", [None, 0.05])
def test_autodiff_method_gives_the_traces_numbers(recurrent, feedback, rate_target):
    """The reverse-mode route (eq. 1 summed the other way round) and the forward eligibility traces agree
    for every parameter, with and without recurrent synapses, symmetric or random broadcast."""
    net, tr = network(recurrent=recurrent, sigma_rec=0.2), trials()
    b = None if feedback is None else random_feedback(net, jax.random.PRNGKey(9))
    kw = dict(feedback=b, rate_reg=0.5, rate_target=rate_target)
    traces, m_traces = eprop_gradients(net, tr, KEY, **kw)
    auto, m_auto = eprop_gradients(net, tr, KEY, method="autodiff", **kw)
    for got, want in zip(jax.tree.leaves(auto), jax.tree.leaves(traces)):
        if np.size(want) and np.abs(np.asarray(want)).max() > 0:
            assert_close(got, want)
        else:
            np.testing.assert_array_equal(got, want)
    for name in m_traces:
        np.testing.assert_allclose(m_auto[name], m_traces[name], rtol=1e-5)
    with pytest.raises(ConfigError, match="unknown e-prop method 'adjoint'"):
        eprop_gradients(net, tr, KEY, method="adjoint")


def test_eprop_needs_a_spiking_circuit():
    with pytest.raises(ConfigError, match="e-prop needs a spiking circuit"):
        eprop_gradients(Network(GRU(5, 4, key=KEY), 3, key=KEY), trials(), KEY)


def test_eprop_steps_learn_store_recall_bits():
    """A few e-prop updates lower the loss of an LSNN on a short store-recall (a training sanity check)."""
    task = Encoded(StoreRecall(dt=5.0, period=50.0, n_periods=4, min_delay=1, max_delay=2), n_per_channel=4,
                   max_rate=100.0)
    net = Network(ALIF(task.n_inputs, 20, key=KEY, frac_adaptive=0.5, dt=5.0, beta=2.0, refractory=5.0), 2,
                  key=KEY, readout_tau=20.0)
    opt = adam(1e-2)
    step = eqx.filter_jit(make_eprop_step(task, opt, batch_size=32, rate_reg=1.0, rate_target=0.05))
    state = opt.init(eqx.filter(net, eqx.is_inexact_array))
    losses = []
    for i in range(40):
        net, state, m = step(net, state, jax.random.PRNGKey(i))
        losses.append(float(m["loss"]))
    assert np.mean(losses[-10:]) < np.mean(losses[:10]) - 0.05
