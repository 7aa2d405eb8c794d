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


def _pair_and_alone(opt, step, init, key, n_steps, chunk):
    """Train two seeds in one program and the second seed alone: it must come out the same in both."""
    keys = jax.random.split(key, 2)
    nets = eqx.filter_vmap(init)(keys)
    opts = eqx.filter_vmap(lambda n: plasticity.init_optimizer(opt, n))(nets)
    both, _ = plasticity.fit(nets, opts, keys, step=step, n_steps=n_steps, chunk=chunk, progress=False)
    one = jax.tree_util.tree_map(lambda x: x[1:] if eqx.is_array(x) else x, (nets, opts, keys))
    alone, _ = plasticity.fit(*one, step=step, n_steps=n_steps, chunk=chunk, progress=False)
    np.testing.assert_allclose(both.circuit.w_rec[1], alone.circuit.w_rec[0], rtol=1e-4, atol=1e-6)
    return nets, opts, keys, both


def test_seeds_in_one_program_equal_seeds_trained_alone_and_resume_is_exact():
    task, opt, step, init = _setup(8)
    nets, opts, keys, both = _pair_and_alone(opt, step, init, jax.random.PRNGKey(1), 20, 10)
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


def test_scored_length_and_truncate_on_a_hand_made_batch():
    from brainlike import Trials

    mask = jnp.zeros((2, 6)).at[0, 1:3].set(1.0).at[1, 2:4].set(1.0)  # last scored step: 3 (trial 1)
    trials = Trials(inputs=jnp.ones((2, 6, 3)), targets=jnp.zeros((2, 6, 2)), mask=mask, conditions={},
                    epochs={"response": jnp.array([[1, 3], [2, 6]])}, dt=10.0)
    assert int(trials.scored_length()) == 4
    short = trials.truncate(4)
    assert short.inputs.shape == (2, 4, 3) and short.targets.shape == (2, 4, 2) and short.mask.shape == (2, 4)
    np.testing.assert_array_equal(short.epochs["response"], [[1, 3], [2, 4]])
    unscored = Trials(inputs=jnp.ones((1, 5, 1)), targets=jnp.zeros((1, 5, 1)), mask=jnp.zeros((1, 5)),
                      conditions={}, epochs={}, dt=10.0)
    assert int(unscored.scored_length()) == 0
    with pytest.raises(ValueError, match="n_time=7"):
        trials.truncate(7)


def _yang_step(buckets, rate_reg=0.0):
    task = tasks.make("yang2019", dt=100.0, tasks=("dm1", "dly_dm1"), one_task_per_batch=True, n_ring=8)
    opt = plasticity.adam(1e-2)
    step = plasticity.make_step(task, opt, batch_size=8, loss="sigmoid_mse", rate_reg=rate_reg,
                                time_buckets=buckets)

    def init(k):
        k1, k2 = jax.random.split(k)
        return Network(CTRNN(task.n_inputs, 12, key=k1, dt=100.0, rate_fn="softplus"), task.n_outputs, key=k2)

    return task, opt, step, init


def test_time_buckets_run_fewer_steps_and_leave_the_task_gradient_unchanged():
    # no rate penalty: the loss is a masked mean, and steps after the last scored one cannot change it, so a
    # batch run to its bucket gives the same update as the batch run over every padded step
    task, opt, full, init = _yang_step(None)
    _, _, trimmed, _ = _yang_step([10, 20, 30])
    assert trimmed.branches_on_data and not getattr(full, "branches_on_data", False)
    net = init(jax.random.PRNGKey(0))
    state = plasticity.init_optimizer(opt, net)
    lengths = set()
    for s in range(6):  # both tasks come up: DM 1 (<= 2.5 s, bucket 30) and Dly DM 1 (up to 4.2 s, bucket 42)
        key = jax.random.PRNGKey(s)
        a, _, m_full = jax.jit(full)(net, state, key)
        b, _, m_trim = jax.jit(trimmed)(net, state, key)
        np.testing.assert_allclose(b.circuit.w_rec, a.circuit.w_rec, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(m_trim["loss"], m_full["loss"], rtol=1e-5)
        scored = int(task.sample(jax.random.split(key)[0], 8).scored_length())
        n = int(m_trim["n_time"])
        assert n >= scored and (n == task.n_steps or n - scored < 10)
        lengths.add(n)
    assert lengths == {30, task.n_steps}


def test_time_buckets_train_one_seed_alone_as_in_a_stack_of_seeds():
    # make_chunk runs a single seed of a branching step without vmap; the same seed in a stack of two is vmapped
    _, opt, step, init = _yang_step([20, 30], rate_reg=1e-3)
    _pair_and_alone(opt, step, init, jax.random.PRNGKey(2), 6, 3)


def test_bad_time_buckets():
    task, opt, _, _ = _yang_step(None)
    for bad in ([0, 10], [10, task.n_steps + 1], [2.5]):
        with pytest.raises(ConfigError, match="time_buckets"):
            plasticity.make_step(task, opt, batch_size=4, time_buckets=bad)
