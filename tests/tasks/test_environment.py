"""The closed-loop environment interface: a task played for reward, auto-reset, vmap, Gymnasium."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from brainlike import ConfigError, tasks


def _env(**kw):
    task = tasks.PerceptualDecision(dt=20.0, fixation=100.0, stimulus=200.0, decision=100.0, go_cue=True)
    return task, tasks.TaskEnvironment(task, **kw)


def _play(env, state, actions, key=jax.random.PRNGKey(1)):
    out = []
    for a in actions:
        key, k = jax.random.split(key)
        obs, state, reward, done, info = env.step_env(k, state, jnp.int32(a), None)
        out.append((float(reward), bool(done), {n: bool(v) for n, v in info.items()}))
    return out


def test_a_trial_played_by_the_rules():
    task, env = _env(timeout_reward=-0.5)
    obs, state = env.reset(jax.random.PRNGKey(0))
    right = int(state["conditions"]["choice"]) + 1
    wrong = 3 - right
    # fixation (5 steps) and stimulus (10 steps) must be held; the decision window is the last 5 steps
    assert env.max_steps == 20 and int(state["end"]) == 20
    np.testing.assert_array_equal(np.flatnonzero(np.asarray(state["respond"])), np.arange(15, 20))
    assert float(obs[0]) == 1.0  # fixation cue on until the go signal
    out = _play(env, state, [0] * 15 + [right])
    assert all(r == 0 and not d for r, d, _ in out[:15])
    assert out[-1][:2] == (1.0, True) and out[-1][2]["correct"] and out[-1][2]["responded"]
    assert _play(env, state, [0] * 16 + [wrong])[-1][:2] == (0.0, True)
    early = _play(env, state, [0] * 3 + [right])[-1]
    assert early[:2] == (-1.0, True) and early[2]["aborted"] and not early[2]["responded"]
    missed = _play(env, state, [0] * 20)
    assert [d for _, d, _ in missed].index(True) == 19 and missed[-1][0] == -0.5 and missed[-1][2]["timeout"]


def test_step_starts_a_new_episode_where_one_ended_and_vmaps():
    _, env = _env()
    keys = jax.random.split(jax.random.PRNGKey(0), 16)
    obs, state = jax.vmap(env.reset)(keys)
    step = jax.jit(jax.vmap(env.step))
    obs2, state2, reward, done, info = step(keys, state, jnp.full(16, 1, jnp.int32))
    assert bool(done.all()) and np.allclose(reward, -1.0)  # a choice at step 0 breaks fixation
    assert (np.asarray(state2["t"]) == 0).all()  # ... and the next trial starts at once
    assert obs2.shape == (16, env.observation_size)
    assert np.unique(np.asarray(state2["conditions"]["coherence"])).size > 1
    again = step(keys, state, jnp.full(16, 1, jnp.int32))
    np.testing.assert_array_equal(np.asarray(again[0]), np.asarray(obs2))  # same keys, same result


def test_a_task_without_a_fixate_output_is_refused():
    with pytest.raises(ConfigError, match="output 0 is 'fixate'"):
        tasks.TaskEnvironment(tasks.EvidenceAccumulation())


def test_economic_choice_rewards_the_chosen_juice_value():
    task = tasks.EconomicChoice(dt=20.0, fixation=100.0, offer=200.0, decision=100.0, relative_value=2.5,
                                offers=((1, 2), (1, 3)), reward_scale=0.1)
    cond = task.condition_grid(1)  # (1A:2B, 1A:3B) x (A right, A left)
    np.testing.assert_array_equal(np.asarray(cond["a_left"]), [0, 1, 0, 1])
    left, right = jnp.full(4, 1), jnp.full(4, 2)
    np.testing.assert_allclose(task.choice_reward(cond, left), [0.2, 0.25, 0.3, 0.25], rtol=1e-6)
    np.testing.assert_allclose(task.choice_reward(cond, right), [0.25, 0.2, 0.25, 0.3], rtol=1e-6)
    # the better option: A (2.5) against 2B, B (3) against 1A
    np.testing.assert_array_equal(np.asarray(cond["choice"]), [1, 0, 0, 1])
    trials = task.build(cond, key=jax.random.PRNGKey(0))
    on = np.asarray(trials.inputs[1, 6])  # offer period, A on the left: left_A, right_B, quantities 1 and 2
    np.testing.assert_allclose(on, [1, 1, 0, 0, 1, 0.1, 0.2])
    assert float(trials.inputs[1, -1, 0]) == 0.0  # fixation cue off in the decision period
    env = tasks.TaskEnvironment(task)
    obs, state = env.reset_to(jax.random.PRNGKey(0), jax.tree_util.tree_map(lambda x: x[1], cond))
    assert _play(env, state, [0] * 15 + [1])[-1][0] == pytest.approx(0.25)


@pytest.mark.parametrize("bad", [dict(offers=((1, 2, 3),)), dict(offers=((0, 0),)), dict(relative_value=0.0),
                                 dict(offers=((-1, 2),))])
def test_economic_choice_refuses_bad_offers(bad):
    with pytest.raises(ConfigError):
        tasks.EconomicChoice(**bad)


def test_gymnasium_adapter_passes_gymnasiums_checker_and_is_seeded():
    gymnasium = pytest.importorskip("gymnasium")
    from gymnasium.utils.env_checker import check_env

    _, env = _env()
    g = tasks.to_gymnasium(env, max_episode_steps=50)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unbounded Box warnings
        check_env(g, skip_render_check=True)
    assert isinstance(g.action_space, gymnasium.spaces.Discrete) and g.action_space.n == 3
    first, _ = g.reset(seed=3)
    total, steps, done = 0.0, 0, False
    while not done:
        obs, reward, terminated, truncated, info = g.step(0 if steps < 15 else 1)
        total, steps, done = total + reward, steps + 1, terminated or truncated
    assert steps == 16 and info["responded"] and total in (0.0, 1.0)
    again, _ = g.reset(seed=3)
    np.testing.assert_array_equal(first, again)
    with pytest.raises(ValueError, match="not in"):
        g.step(7)
