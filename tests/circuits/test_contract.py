"""Contract over every registered circuit: step shapes, jit/vmap/grad, keys, and the runner."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.flatten_util import ravel_pytree

from brainlike import Recording, circuits, tasks

CIRCUITS = circuits.names()


def network(name, key=0, **kw):
    k1, k2 = jax.random.split(jax.random.PRNGKey(key))
    noisy = {"sigma_rec": 0.1}
    return circuits.Network(circuits.make(name, 3, 8, key=k1, dt=20.0, **noisy, **kw), 3, key=k2)


@pytest.mark.parametrize("name", CIRCUITS)
def test_step_shapes(name):
    net = network(name)
    state = net.circuit.init_state()
    new, rate = net.circuit.step(state, jnp.ones(3), key=jax.random.PRNGKey(0))
    assert rate.shape == (8,)
    assert jax.tree_util.tree_structure(new) == jax.tree_util.tree_structure(state)


@pytest.mark.parametrize("name", CIRCUITS)
def test_run_returns_recording_and_keys_behave(name):
    net = network(name)
    trials = tasks.make("perceptual_decision", dt=20.0, stimulus=200.0).sample(jax.random.PRNGKey(0), 4)
    a = circuits.run(net, trials, key=jax.random.PRNGKey(1))
    b = circuits.run(net, trials, key=jax.random.PRNGKey(1))
    c = circuits.run(net, trials, key=jax.random.PRNGKey(2))
    assert isinstance(a, Recording)
    assert a.activity.shape == (4, trials.n_time, 8) and a.outputs.shape == (4, trials.n_time, 3)
    np.testing.assert_array_equal(a.activity, b.activity)
    assert not np.array_equal(a.activity, c.activity)
    assert a.conditions.keys() == trials.conditions.keys()


@pytest.mark.parametrize("name", CIRCUITS)
def test_jit_vmap_grad(name):
    net = network(name)
    x = jax.random.normal(jax.random.PRNGKey(0), (2, 6, 3))

    def loss(n):
        rates, out = circuits.forward(n, x, key=jax.random.PRNGKey(0))
        return jnp.mean(out**2) + jnp.mean(rates**2)

    eager = loss(net)
    assert np.isclose(eqx.filter_jit(loss)(net), eager, rtol=1e-5)
    grads = eqx.filter_grad(loss)(net)
    leaves = jax.tree_util.tree_leaves(eqx.filter(grads, eqx.is_array))
    assert leaves and all(jnp.isfinite(g).all() for g in leaves)
    assert any(jnp.abs(g).sum() > 0 for g in leaves)
    # vmap over seeds: a batch of independently initialised networks
    nets = eqx.filter_vmap(lambda k: circuits.Network(circuits.make(name, 3, 8, key=k, dt=20.0), 3, key=k))(
        jax.random.split(jax.random.PRNGKey(0), 3))
    out = eqx.filter_vmap(lambda n: circuits.forward(n, x, key=jax.random.PRNGKey(0))[1])(nets)
    assert out.shape == (3, 2, 6, 3)


def test_unknown_circuit_and_bad_inputs():
    with pytest.raises(ValueError, match="known circuits: alif, ctrnn, eirnn, gru, lif, lstm, rate_ctrnn$"):
        circuits.make("transformer", 3, 8, key=jax.random.PRNGKey(0))
    net = network("ctrnn")
    with pytest.raises(ValueError, match=r"inputs have shape \(2, 5, 4\), expected \(trials, time, 3\)"):
        circuits.forward(net, jnp.zeros((2, 5, 4)), key=jax.random.PRNGKey(0))


def test_dt_mismatch_is_an_error():
    net = network("ctrnn")
    trials = tasks.make("perceptual_decision").sample(jax.random.PRNGKey(0), 2)  # dt = 100
    with pytest.raises(ValueError, match="dt=100.0 ms but the circuit steps dt=20.0 ms"):
        circuits.run(net, trials, key=jax.random.PRNGKey(0))


@pytest.mark.parametrize("name", CIRCUITS)
def test_hidden_states_are_the_states_the_step_visits(name):
    net = network(name)
    circuit = net.circuit
    inputs = jnp.asarray(np.random.default_rng(0).normal(size=(2, 5, 3)), jnp.float32)
    states = circuits.hidden_states(net, inputs, key=jax.random.PRNGKey(0))
    n_state = ravel_pytree(circuit.init_state())[0].size
    assert states.shape == (2, 5, n_state)
    # replay trial 1 by hand with the same keys: same states
    k = jax.random.split(jax.random.PRNGKey(0), 2)[1]
    state = circuit.init_state()
    for t, kt in enumerate(jax.random.split(k, 5)):
        state, _ = circuit.step(state, inputs[1, t], key=kt)
        np.testing.assert_allclose(states[1, t], ravel_pytree(state)[0], rtol=1e-5, atol=1e-6)


def test_feedforward_shapes_and_errors():
    import jax.numpy as jnp

    from brainlike import ConfigError
    from brainlike.circuits import convnet, mlp

    key = jax.random.PRNGKey(0)
    net = convnet((1, 40), (25, 25, 25), 10, key=key, kernel=(5, 3, 3), stride=2, padding=1)
    hs = net.hidden(jnp.zeros((3, 1, 40)))
    assert [h.shape for h in hs] == [(3, 25, 19), (3, 25, 10), (3, 25, 5), (3, 10)]  # MNIST-1D reference CNN
    img = convnet((1, 8, 8), (4,), 3, key=key, hidden=(6,))
    assert img(jnp.zeros((2, 1, 8, 8))).shape == (2, 3)
    assert mlp(4, (5, 6), 2, key=key)(jnp.ones((7, 4))).shape == (7, 2)
    with pytest.raises(ConfigError, match="shrinks to nothing"):
        convnet((1, 4), (2, 2, 2, 2), 2, key=key, kernel=3, stride=2, padding=0)
