import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from brainlike import ConfigError, TrainingDiverged, plasticity, tasks
from brainlike.circuits import CTRNN, Network, forward


def test_losses_known_values():
    out = jnp.zeros((2, 4, 3))
    tgt = jax.nn.one_hot(jnp.zeros((2, 4), int), 3)
    mask = jnp.ones((2, 4))
    assert np.isclose(plasticity.cross_entropy(out, tgt, mask), np.log(3))
    # masked steps do not count
    out2 = out.at[:, 0].set(100.0)
    m2 = mask.at[:, 0].set(0.0)
    assert np.isclose(plasticity.cross_entropy(out2, tgt, m2), np.log(3))
    assert np.isclose(plasticity.mse(jnp.ones((1, 2, 2)), jnp.zeros((1, 2, 2)), jnp.ones((1, 2))), 1.0)
    assert np.isclose(plasticity.rate_l2(2 * jnp.ones((1, 2, 3))), 4.0)
    assert np.isclose(plasticity.rate_l1_penalty(jnp.array([[[2.0, -1.0], [0.0, 3.0]]])), 1.5)


def test_the_l1_rate_penalty_adds_its_strength_times_the_mean_rate():
    task = tasks.make("perceptual_decision", dt=20.0, stimulus=300.0, coherences=(25.6,))
    net = Network(CTRNN(3, 8, key=jax.random.PRNGKey(1), dt=20.0, rate_fn="softplus"), 3, key=jax.random.PRNGKey(2))
    trials = task.sample(jax.random.PRNGKey(3), 4)
    key = jax.random.PRNGKey(4)
    plain, _ = plasticity.supervised_loss(net, trials, key)
    penalised, _ = plasticity.supervised_loss(net, trials, key, rate_l1=0.5)
    rates, _ = forward(net, trials.inputs, key=key)  # softplus rates are positive: mean |r| = mean r
    assert np.isclose(penalised - plain, 0.5 * np.mean(np.asarray(rates)), rtol=1e-5)


def test_the_l1_weight_penalty_is_the_mean_absolute_weight_of_every_matrix():
    net = Network(CTRNN(3, 8, key=jax.random.PRNGKey(1), dt=20.0), 3, key=jax.random.PRNGKey(2))
    # the matrices by hand: input 8x3, recurrent 8x8, readout 3x8 (biases are not connections)
    mats = [np.asarray(net.circuit.w_in), np.asarray(net.circuit.w_rec), np.asarray(net.readout.weight)]
    expected = sum(np.abs(m).sum() for m in mats) / sum(m.size for m in mats)
    assert np.isclose(plasticity.weight_l1_penalty(net), expected, rtol=1e-6)
    task = tasks.make("perceptual_decision", dt=20.0, stimulus=300.0, coherences=(25.6,))
    trials, key = task.sample(jax.random.PRNGKey(3), 4), jax.random.PRNGKey(4)
    plain, _ = plasticity.supervised_loss(net, trials, key)
    penalised, _ = plasticity.supervised_loss(net, trials, key, weight_l1=0.5)
    assert np.isclose(penalised - plain, 0.5 * expected, rtol=1e-5)


def _setup(n_units=16):
    task = tasks.make("perceptual_decision", dt=20.0, stimulus=300.0, coherences=(25.6, 51.2))
    opt = plasticity.adam(1e-2)
    step = plasticity.make_step(task, opt, batch_size=16)

    def init(k):
        k1, k2 = jax.random.split(k)
        return Network(CTRNN(3, n_units, key=k1, dt=20.0), 3, key=k2)

    return task, opt, step, init


def test_training_reduces_the_loss():
    task, opt, step, init = _setup()
    keys = jax.random.split(jax.random.PRNGKey(0), 1)
    nets = eqx.filter_vmap(init)(keys)
    opts = eqx.filter_vmap(lambda n: plasticity.init_optimizer(opt, n))(nets)
    losses = []
    plasticity.fit(nets, opts, keys, step=step, n_steps=150, chunk=50, progress=False,
                   on_chunk=lambda s, m, o, met: losses.append(float(met["loss"].mean())))
    assert losses[-1] < 0.5 * losses[0]


def test_seeds_in_one_program_equal_seeds_trained_alone_and_resume_is_exact():
    task, opt, step, init = _setup(8)
    keys = jax.random.split(jax.random.PRNGKey(1), 2)
    nets = eqx.filter_vmap(init)(keys)
    opts = eqx.filter_vmap(lambda n: plasticity.init_optimizer(opt, n))(nets)
    both, _ = plasticity.fit(nets, opts, keys, step=step, n_steps=20, chunk=10, progress=False)
    # seed 1 alone
    one = jax.tree_util.tree_map(lambda x: x[1:] if eqx.is_array(x) else x, (nets, opts, keys))
    alone, _ = plasticity.fit(*one, step=step, n_steps=20, chunk=10, progress=False)
    np.testing.assert_allclose(both.circuit.w_rec[1], alone.circuit.w_rec[0], rtol=1e-4, atol=1e-6)
    # stopping after 10 steps and continuing gives the same network as 20 steps in one go
    half_n, half_o = plasticity.fit(nets, opts, keys, step=step, n_steps=10, chunk=10, progress=False)
    resumed, _ = plasticity.fit(half_n, half_o, keys, step=step, n_steps=20, start=10, chunk=10, progress=False)
    np.testing.assert_array_equal(resumed.circuit.w_rec, both.circuit.w_rec)


def test_divergence_names_the_step():
    task, _, _, init = _setup(8)
    opt = plasticity.adam(1e6, grad_clip=None)
    step = plasticity.make_step(task, opt, batch_size=8)
    keys = jax.random.split(jax.random.PRNGKey(0), 1)
    nets = eqx.filter_vmap(init)(keys)
    opts = eqx.filter_vmap(lambda n: plasticity.init_optimizer(opt, n))(nets)
    seen = []
    with pytest.raises(TrainingDiverged, match=r"non-finite loss at step \d+"):
        plasticity.fit(nets, opts, keys, step=step, n_steps=200, chunk=5, progress=False,
                       on_chunk=lambda s, *a: seen.append(s))
    assert all(s % 5 == 0 for s in seen)


def test_bad_training_settings():
    task, opt, _, _ = _setup()
    with pytest.raises(ConfigError, match="batch_size"):
        plasticity.make_step(task, opt, batch_size=0)
    with pytest.raises(ConfigError, match="learning_rate"):
        plasticity.adam(-1.0)


def test_stacked_optimizer_state_is_each_networks_own():
    keys = jax.random.split(jax.random.PRNGKey(0), 3)
    stack = eqx.filter_vmap(lambda k: Network(CTRNN(2, 5, key=k), 1, key=k))(keys)
    opt = plasticity.adam(1e-3)
    stacked = plasticity.init_optimizer(opt, stack, stacked=True)
    alone = [plasticity.init_optimizer(opt, jax.tree_util.tree_map(lambda x, i=i: x[i] if eqx.is_array(x) else x, stack))
             for i in range(3)]
    for i, state in enumerate(alone):
        leaves = jax.tree_util.tree_leaves(state)
        stacked_leaves = jax.tree_util.tree_leaves(stacked)
        assert len(leaves) == len(stacked_leaves)
        for a, b in zip(leaves, stacked_leaves):
            assert b.shape == (3, *a.shape)  # the step count too: one per network
            np.testing.assert_array_equal(b[i], a)
