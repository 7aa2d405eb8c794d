"""Meta-RL environments: what each step pays and reports, checked against the task's definition."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from brainlike import ConfigError
from brainlike.tasks import Bandit, Harlow, TwoStep, make_environment


def _run(env, policy, n_envs=256, n_steps=None, seed=0):
    """Scripted policy ``(obs) -> action`` on ``n_envs`` environments with auto-reset."""
    n_steps = n_steps or env.max_steps
    keys = jax.random.split(jax.random.PRNGKey(seed), n_envs)
    obs, state = jax.vmap(env.reset)(keys)

    def body(carry, k):
        obs, state = carry
        action = jax.vmap(policy)(obs)
        obs, state, reward, done, info = jax.vmap(env.step)(jax.random.split(k, n_envs), state, action)
        return (obs, state), (action, reward, done, info)

    return jax.lax.scan(body, (obs, state), jax.random.split(jax.random.PRNGKey(seed + 1), n_steps))[1]


def test_bandit_random_policy_regret_matches_closed_form():
    # independent uniform arms, random pulls: E[max(p1, p2) - p_a] = 2/3 - 1/2 per pull
    env = Bandit(horizon=50)
    n = 4000
    _, reward, done, info = _run(env, lambda o: jnp.int32(0), n_envs=n)  # arm 0: a random arm (iid arms)
    regret = np.asarray(info["regret"]).sum(0)
    assert regret.mean() == pytest.approx(50 / 6, rel=0.05)
    assert np.asarray(done)[-1].all() and not np.asarray(done)[:-1].any()
    assert np.asarray(reward).mean() == pytest.approx(0.5, abs=0.02)


def test_bandit_observation_carries_previous_action_and_reward():
    env = Bandit(horizon=5)
    obs, state = env.reset_to(jnp.array([1.0, 0.0]))
    assert np.all(np.asarray(obs) == 0)
    obs, state, reward, done, info = env.step_env(jax.random.PRNGKey(0), state, jnp.int32(0), None)
    np.testing.assert_allclose(obs, [1.0, 0.0, 1.0, 0.2])
    assert float(reward) == 1.0 and float(info["regret"]) == 0.0
    obs, state, reward, done, info = env.step_env(jax.random.PRNGKey(1), state, jnp.int32(1), None)
    np.testing.assert_allclose(obs, [0.0, 1.0, 0.0, 0.4])
    assert float(info["regret"]) == 1.0 and not bool(info["optimal"])


def test_correlated_and_restless_arms():
    env = Bandit(structure="correlated", drift=0.2, horizon=30)
    keys = jax.random.split(jax.random.PRNGKey(3), 500)
    _, state = jax.vmap(env.reset)(keys)
    np.testing.assert_allclose(np.asarray(state["p"]).sum(1), 1.0, atol=1e-6)
    for i in range(30):
        _, state, *_ = jax.vmap(env.step_env, (0, 0, None, None))(
            jax.random.split(jax.random.PRNGKey(i), 500), state, jnp.int32(0), None)
    p = np.asarray(state["p"])
    assert (p >= 0).all() and (p <= 1).all()
    np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-5)
    assert np.std(p[:, 0]) > 0.2  # still spread over [0, 1] after the walk


def test_two_step_transitions_rewards_and_trial_info():
    env = TwoStep(n_trials=40, common=0.8)
    _, reward, done, info = _run(env, lambda o: jnp.int32(0), n_envs=500)
    end = np.asarray(info["trial_end"])
    assert end[1::2].all() and not end[0::2].any()  # stage 1, then stage 2, every trial
    assert (np.asarray(reward)[0::2] == 0).all()  # nothing is paid at the first stage
    common = np.asarray(info["common"])[1::2]
    assert common.mean() == pytest.approx(0.8, abs=0.01)
    # always choosing ship 0: the planet is 0 exactly on common transitions
    state2 = np.asarray(info["state2"])[1::2]
    assert ((state2 == 0) == common).all()
    assert np.asarray(done)[-1].all()


def test_two_step_switch_schedule_swaps_rarely():
    env = TwoStep(n_trials=200, switch_prob=0.025)
    obs, state = env.reset(jax.random.PRNGKey(0))
    highs, key = [], jax.random.PRNGKey(1)
    for _ in range(400):
        key, k = jax.random.split(key)
        obs, state, *_ = env.step_env(k, state, jnp.int32(0), None)
        highs.append(int(np.argmax(state["p"])))
    swaps = np.sum(np.diff(highs) != 0)
    assert 0 < swaps < 15  # ~5 expected in 200 trials
    np.testing.assert_allclose(np.sort(np.asarray(state["p"])), [0.1, 0.9], atol=1e-6)


def test_harlow_rewards_the_same_object_whatever_its_side():
    env = Harlow(n_trials=6, object_size=4)

    def oracle(obs, state):  # knows which object is the target: picks its side
        return jnp.where(state["target_left"], 0, 1).astype(jnp.int32)

    keys = jax.random.split(jax.random.PRNGKey(0), 100)
    obs, state = jax.vmap(env.reset)(keys)
    target = state["objects"][:, 0]
    for i in range(6):
        shown_left = obs[:, :4]
        np.testing.assert_allclose(np.where(state["target_left"][:, None], shown_left, obs[:, 4:8]), target)
        action = jax.vmap(oracle)(obs, state)
        obs, state, reward, done, info = jax.vmap(env.step_env, (0, 0, 0, None))(
            jax.random.split(jax.random.PRNGKey(i + 1), 100), state, action, None)
        assert (np.asarray(reward) == 1).all()
    assert np.asarray(done).all()


def test_registry_and_bad_configs():
    assert isinstance(make_environment("two_step", n_trials=3), TwoStep)
    with pytest.raises(ConfigError, match="unknown environment"):
        make_environment("three_step")
    with pytest.raises(ConfigError, match="structure"):
        Bandit(structure="anti")
    with pytest.raises(ConfigError, match="n_arms = 2"):
        Bandit(n_arms=3, structure="correlated")
    with pytest.raises(ConfigError, match="schedule"):
        TwoStep(schedule="sometimes")


def test_bandit_is_a_gymnasium_env():
    pytest.importorskip("gymnasium")
    from gymnasium.utils.env_checker import check_env

    from brainlike.tasks import to_gymnasium

    env = to_gymnasium(Bandit(horizon=10))
    check_env(env, skip_render_check=True)
    obs, _ = env.reset(seed=1)
    ends = [env.step(0)[2] for _ in range(10)]
    assert ends == [False] * 9 + [True]
