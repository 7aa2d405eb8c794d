"""Reward-based training: GAE against a reference loop, episode resets, no value gradient into the policy,
and learning from reward alone on environments with known answers."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from brainlike import ConfigError, circuits, plasticity, tasks
from brainlike.tasks import Environment


def _gae_reference(r, v, d, last, gamma, lam):
    adv = np.zeros_like(r)
    nxt_adv, nxt_v = np.zeros_like(last), last
    for t in reversed(range(len(r))):
        live = 1.0 - d[t]
        delta = r[t] + gamma * nxt_v * live - v[t]
        adv[t] = delta + gamma * lam * live * nxt_adv
        nxt_adv, nxt_v = adv[t], v[t]
    return adv


@pytest.mark.parametrize("gamma,lam", [(1.0, 1.0), (0.9, 0.8), (0.99, 0.0)])
def test_gae_matches_a_reference_loop(gamma, lam):
    rng = np.random.default_rng(0)
    r, v = rng.normal(size=(12, 3)), rng.normal(size=(12, 3))
    d = (rng.random((12, 3)) < 0.3).astype(float)
    last = rng.normal(size=3)
    adv, ret = plasticity.gae(jnp.asarray(r), jnp.asarray(v), jnp.asarray(d), jnp.asarray(last), gamma=gamma, lam=lam)
    np.testing.assert_allclose(adv, _gae_reference(r, v, d, last, gamma, lam), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ret, np.asarray(adv) + v, rtol=1e-6)


def test_gae_with_no_discount_is_the_rest_of_the_episodes_reward_minus_the_baseline():
    r = jnp.array([0.0, 0.0, 1.0, 0.0, -1.0])
    d = jnp.array([0, 0, 1, 0, 1])
    v = jnp.array([0.1, 0.2, 0.3, 0.4, 0.5])
    adv, _ = plasticity.gae(r, v, d, jnp.asarray(7.0))  # the bootstrap is cut by the episode's end
    np.testing.assert_allclose(adv, [0.9, 0.8, 0.7, -1.4, -1.5], rtol=1e-6)


class Bandit(Environment):
    """One-step episodes: arm k pays 1 with probability p[k]; the observation is a constant."""

    p: jax.Array

    @property
    def observation_size(self):
        return 2

    @property
    def n_actions(self):
        return self.p.shape[0]

    def reset_env(self, key, params):
        return jnp.ones(2), jnp.zeros((), jnp.int32)

    def step_env(self, key, state, action, params):
        reward = jax.random.bernoulli(key, self.p[action]).astype(jnp.float32)
        return jnp.ones(2), state + 1, reward, jnp.asarray(True), {}


class Clock(Environment):
    """Episodes of exactly ``length`` steps with the same observation at every step (tests resets)."""

    length: int = eqx.field(static=True)

    @property
    def observation_size(self):
        return 3

    @property
    def n_actions(self):
        return 2

    def reset_env(self, key, params):
        return jnp.array([1.0, -0.5, 0.25]), jnp.zeros((), jnp.int32)

    def step_env(self, key, state, action, params):
        t = state + 1
        return jnp.array([1.0, -0.5, 0.25]), t, jnp.zeros(()), t >= self.length, {}


def _agent(n_in, n_actions, critic="gru", n=8):
    k = jax.random.PRNGKey(0)
    net = circuits.Network(circuits.GRU(n_in, n, key=k), n_actions, key=jax.random.PRNGKey(1))
    return plasticity.ActorCritic(net, key=jax.random.PRNGKey(2), critic=critic)


def test_recurrent_states_reset_at_episode_ends():
    agent = _agent(3, 2)
    ro = plasticity.rollout(agent, Clock(length=3), jax.random.PRNGKey(0), n_envs=2, n_steps=9)
    rates = np.asarray(ro.rates)
    assert np.asarray(ro.done)[:, 0].tolist() == [False, False, True] * 3
    np.testing.assert_allclose(rates[3:6], rates[:3], rtol=1e-6)  # every episode starts from scratch
    np.testing.assert_allclose(rates[6:9], rates[:3], rtol=1e-6)
    assert not np.allclose(rates[1], rates[0])  # within an episode the state does carry over


def test_the_value_loss_of_a_separate_value_network_leaves_the_policy_untouched():
    agent = _agent(2, 3)
    env = Bandit(p=jnp.array([0.2, 0.5, 0.8]))
    params, static = eqx.partition(agent, eqx.is_inexact_array)

    def value_only(p):
        return plasticity.actor_critic_loss(eqx.combine(p, static), env, jax.random.PRNGKey(0), n_envs=4, n_steps=3,
                                            value_coef=1.0)[1]["value_loss"]

    g = jax.grad(value_only)(params)
    assert all(float(jnp.abs(x).max()) == 0 for x in jax.tree_util.tree_leaves(g.policy))
    assert any(float(jnp.abs(x).max()) > 0 for x in jax.tree_util.tree_leaves(g.critic))
    shared = _agent(2, 3, critic="linear")
    p2, s2 = eqx.partition(shared, eqx.is_inexact_array)
    g2 = jax.grad(lambda p: plasticity.actor_critic_loss(eqx.combine(p, s2), env, jax.random.PRNGKey(0), n_envs=4,
                                                         n_steps=3)[1]["value_loss"])(p2)
    assert float(jnp.abs(g2.policy.circuit.cell.weight_ih).max()) > 0  # a value head shapes the shared circuit


def test_a_bandit_is_learned_from_reward_alone():
    env = Bandit(p=jnp.array([0.2, 0.5, 0.8]))
    agent = _agent(2, 3)
    opt = plasticity.adam(5e-2)
    state = opt.init(eqx.filter(agent, eqx.is_inexact_array))
    step = eqx.filter_jit(plasticity.make_actor_critic_step(env, opt, n_envs=32, n_steps=1))
    for i in range(150):
        agent, state, m = step(agent, state, jax.random.PRNGKey(i))
    _, rate, logits, value = agent.act(agent.init_state(), jnp.ones(2), key=jax.random.PRNGKey(0))
    probs = np.asarray(jax.nn.softmax(logits))
    assert probs[2] > 0.9 and float(m["reward_per_episode"]) > 0.7
    assert abs(float(value) - 0.8) < 0.15  # the value network predicts the best arm's payoff


def test_rollout_checks_sizes_and_play_records_the_trials():
    task = tasks.PerceptualDecision(dt=20.0, fixation=100.0, stimulus=200.0, decision=100.0, go_cue=True)
    env = tasks.TaskEnvironment(task)
    with pytest.raises(ConfigError, match="inputs and 2 actions"):
        plasticity.rollout(_agent(3, 2), env, jax.random.PRNGKey(0), n_envs=2, n_steps=3)
    agent = _agent(3, 3)
    rec = plasticity.play(agent, env, task.condition_grid(2), key=jax.random.PRNGKey(0))
    assert rec.activity.shape == (2 * 5 * 2, env.max_steps, 8)
    c = rec.conditions
    assert set(c) >= {"action", "reward", "aborted", "completed", "correct", "response_step", "coherence"}
    assert np.all(c["aborted"] + c["completed"] <= 1) and np.all((c["correct"] == 0) | (c["completed"] == 1))
    greedy = plasticity.play(agent, env, task.condition_grid(2), key=jax.random.PRNGKey(0), greedy=True)
    assert greedy.activity.shape == rec.activity.shape
    with pytest.raises(ConfigError, match="critic"):
        plasticity.ActorCritic(agent.policy, key=jax.random.PRNGKey(0), critic="tabular")


def test_an_entropy_schedule_follows_the_optimisers_update_count():
    import optax

    env = Bandit(p=jnp.array([0.2, 0.8]))
    agent = _agent(2, 2)
    opt = optax.chain(optax.clip_by_global_norm(1.0), optax.adam(optax.cosine_decay_schedule(1e-2, 10, 0.1)))
    state = opt.init(eqx.filter(agent, eqx.is_inexact_array))
    step = eqx.filter_jit(plasticity.make_actor_critic_step(env, opt, n_envs=4, n_steps=1,
                                                            entropy_coef=optax.linear_schedule(0.1, 0.0, 4)))
    seen = []
    for i in range(5):
        agent, state, m = step(agent, state, jax.random.PRNGKey(i))
        seen.append(float(m["entropy_coef"]))
    np.testing.assert_allclose(seen, [0.1, 0.075, 0.05, 0.025, 0.0], atol=1e-7)
    with pytest.raises(ConfigError, match="counts updates"):
        sgd = optax.sgd(0.1)
        plasticity.make_actor_critic_step(env, sgd, n_envs=2, n_steps=1, entropy_coef=lambda n: 0.1)(
            agent, sgd.init(eqx.filter(agent, eqx.is_inexact_array)), jax.random.PRNGKey(0))
