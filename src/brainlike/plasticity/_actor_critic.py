"""Reward-based training of recurrent policies: REINFORCE with a value baseline (Song, Yang & Wang 2017)
and advantage actor-critic with generalised advantage estimation (Mnih et al. 2016; Schulman et al. 2016).

Song, Yang & Wang (2017) eLife 6:e21492 train a recurrent *policy network* ``pi(a_t | u_1..t)`` from
reward alone. A second recurrent *value network* reads the policy network's firing rates and predicts
the reward still to come, ``V_t``; it is the baseline that makes the policy gradient usable (their eqs.
2-9). Here both are one :class:`ActorCritic`, and the update is the advantage actor-critic loss

    L = -mean_t log pi(a_t) A_t  +  c_V mean_t (V_t - R_t)^2  -  c_H mean_t H[pi_t]  (+ rate penalty)

with the advantages of generalised advantage estimation (Schulman et al. 2016 eq. 16),
``A_t = sum_k (gamma lambda)^k delta_{t+k}``, ``delta_t = r_t + gamma V_{t+1} - V_t``, cut at episode ends,
and returns ``R_t = A_t + V_t``. With ``gamma = lambda = 1`` (the defaults) ``A_t`` is the rest of the
episode's reward minus the baseline: Song et al.'s REINFORCE with baseline. The gradient of ``log pi``
flows back through time through the policy network (BPTT on the log-likelihood of the actions taken);
with the ``"gru"`` critic (Song et al.) the value loss trains only the value network, which sees the
policy's rates through ``stop_gradient``; with the ``"linear"`` critic (a value head on the policy's
rates, the usual A2C) the value loss also shapes the shared circuit.

Nothing in the update reads a supervised target: the environment says only reward, ``done`` and what the
agent observes. Environments run batched (``vmap``) inside one ``lax.scan`` over time; where an episode
ends, the environment starts the next one and both networks' recurrent states return to their initial
states at that step, so no memory leaks from one episode into the next.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jaxtyping import Array, PRNGKeyArray

from .._errors import ConfigError
from .._recording import Recording
from ..circuits import GRU, Network
from ..tasks import Environment, TaskEnvironment

__all__ = ["ActorCritic", "Rollout", "rollout", "gae", "actor_critic_loss", "make_actor_critic_step", "play",
           "CRITICS"]

CRITICS = ("gru", "linear")


class ActorCritic(eqx.Module):
    """A recurrent policy network (``policy``: any circuit, read out to one logit per action) and its value
    network (``critic``: a :class:`~brainlike.circuits.Network` whose GRU reads the policy's rates, Song et
    al. 2017; or a linear head on those rates)."""

    policy: Network
    critic: Network | eqx.nn.Linear

    def __init__(self, policy: Network, *, key: PRNGKeyArray, critic: str = "gru", critic_units: int | None = None):
        if critic not in CRITICS:
            raise ConfigError(f"unknown critic {critic!r}; known: {', '.join(CRITICS)}")
        if policy.readout_tau is not None:
            raise ConfigError("an actor-critic policy acts at every step: its readout cannot be a leaky "
                              "integrator (readout_tau must be None)")
        n = policy.circuit.n_units
        self.policy = policy
        if critic == "gru":
            k1, k2 = jax.random.split(key)
            self.critic = Network(GRU(n, critic_units or n, dt=policy.dt, key=k1), 1, key=k2)
        else:
            self.critic = eqx.nn.Linear(n, 1, key=key)

    @property
    def n_actions(self) -> int:
        return self.policy.n_out

    def init_state(self):
        critic = self.critic.circuit.init_state() if isinstance(self.critic, Network) else ()
        return self.policy.circuit.init_state(), critic

    def act(self, state, obs: Array, *, key: PRNGKeyArray):
        """One step for ONE environment: ``(state, rate, logits, value)``."""
        h, hv = state
        k_pol, k_val = jax.random.split(key)
        h, rate = self.policy.circuit.step(h, obs, key=k_pol)
        logits = self.policy.read(rate)
        if isinstance(self.critic, Network):
            hv, v_rate = self.critic.circuit.step(hv, jax.lax.stop_gradient(rate), key=k_val)
            value = self.critic.read(v_rate)[0]
        else:
            value = self.critic(rate)[0]
        return (h, hv), rate, logits, value


class Rollout(NamedTuple):
    """What ``n_envs`` environments did over ``n_steps``: arrays ``[time envs ...]``."""

    obs: Array
    rates: Array
    action: Array
    logp: Array
    entropy: Array
    value: Array
    reward: Array
    done: Array
    info: dict[str, Array]
    last_value: Array  # [envs], the value of the state after the last step (bootstrap)


def _reset_where(done, fresh, state):
    """``fresh`` where ``done`` (one flag per environment), else ``state``, leaf by leaf."""

    def pick(a, b):
        return jnp.where(jnp.reshape(done, done.shape + (1,) * (b.ndim - done.ndim)), a, b)

    return jax.tree_util.tree_map(pick, fresh, state)


def rollout(agent: ActorCritic, env: Environment, key: PRNGKeyArray, *, n_envs: int, n_steps: int,
            params: Any = None) -> Rollout:
    """Run ``n_envs`` fresh environments for ``n_steps`` steps, sampling actions from the policy.

    Differentiable in ``agent`` (log-probabilities, entropies and values carry gradients); actions are
    samples and carry none. Episodes restart as in :meth:`Environment.step` (same keys, same trials), and
    recurrent states reset to their initial values where an episode ends."""
    if n_envs < 1 or n_steps < 1:
        raise ConfigError(f"rollout needs n_envs >= 1 and n_steps >= 1, got {n_envs} and {n_steps}")
    if agent.n_actions != env.n_actions or agent.policy.n_in != env.observation_size:
        raise ConfigError(f"agent has {agent.policy.n_in} inputs and {agent.n_actions} actions; the environment "
                          f"gives {env.observation_size} observations and takes {env.n_actions} actions")
    params = env.default_params if params is None else params
    k_reset, k_run, k_last = jax.random.split(key, 3)
    obs, env_state = jax.vmap(env.reset, (0, None))(jax.random.split(k_reset, n_envs), params)
    fresh = jax.vmap(lambda _: agent.init_state())(jnp.arange(n_envs))

    def one_env(state, o, env_s, k):
        k_act, k_sample, k_env = jax.random.split(k, 3)
        k_step, k_reset = jax.random.split(k_env)  # the keys Environment.step would use
        state, rate, logits, value = agent.act(state, o, key=k_act)
        action = jax.random.categorical(k_sample, jax.lax.stop_gradient(logits))
        logp_all = jax.nn.log_softmax(logits)
        entropy = -jnp.sum(jnp.exp(logp_all) * logp_all)
        o2, env_s, reward, done, info = env.step_env(k_step, env_s, action, params)
        return state, rate, action, logp_all[action], entropy, value, o2, env_s, reward, done, info, k_reset

    def new_episodes(done, k_reset, o, env_s):
        o_new, s_new = jax.vmap(env.reset_env, (0, None))(k_reset, params)
        return jnp.where(done[:, None], o_new, o), _reset_where(done, s_new, env_s)

    def body(carry, k):
        state, o, env_s = carry
        state, rate, action, logp, ent, value, o2, env_s, reward, done, info, k_reset = jax.vmap(one_env)(
            state, o, env_s, jax.random.split(k, n_envs))
        # Environment.step's auto-reset, built only at the steps where some episode ended (a trial is costly)
        o2, env_s = jax.lax.cond(done.any(), new_episodes, lambda d, kr, a, b: (a, b), done, k_reset, o2, env_s)
        state = _reset_where(done, fresh, state)
        return (state, o2, env_s), (o, rate, action, logp, ent, value, reward, done, info)

    (state, o, _), out = jax.lax.scan(body, (fresh, obs, env_state), jax.random.split(k_run, n_steps))
    # bootstrap: the value of what comes after the last step (its action and noise are discarded)
    _, _, _, last_value = jax.vmap(lambda s, x, k: agent.act(s, x, key=k))(state, o, jax.random.split(k_last, n_envs))
    return Rollout(*out, last_value=jax.lax.stop_gradient(last_value))


def gae(rewards: Array, values: Array, dones: Array, last_value: Array, *, gamma: float = 1.0,
        lam: float = 1.0) -> tuple[Array, Array]:
    """Generalised advantage estimates and returns (Schulman et al. 2016 eq. 16), along axis 0 (time).

    ``dones[t]`` marks that the episode ended with step ``t`` (no value flows back across it);
    ``last_value`` bootstraps the step after the last. Returns ``(advantages, returns)``."""
    dones = dones.astype(values.dtype)

    def body(carry, x):
        adv_next, v_next = carry
        r, v, d = x
        live = 1.0 - d
        delta = r + gamma * v_next * live - v
        adv = delta + gamma * lam * live * adv_next
        return (adv, v), adv

    _, adv = jax.lax.scan(body, (jnp.zeros_like(last_value), last_value), (rewards, values, dones), reverse=True)
    return adv, adv + values


def actor_critic_loss(agent: ActorCritic, env: Environment, key: PRNGKeyArray, *, n_envs: int, n_steps: int,
                      gamma: float = 1.0, lam: float = 1.0, value_coef: float = 0.5, entropy_coef: float = 0.0,
                      rate_reg: float = 0.0, params: Any = None) -> tuple[Array, dict[str, Array]]:
    """The advantage actor-critic loss on a fresh rollout, and what happened in it."""
    ro = rollout(agent, env, key, n_envs=n_envs, n_steps=n_steps, params=params)
    adv, returns = gae(ro.reward, jax.lax.stop_gradient(ro.value), ro.done, ro.last_value, gamma=gamma, lam=lam)
    policy_loss = -jnp.mean(ro.logp * jax.lax.stop_gradient(adv))
    value_loss = jnp.mean((ro.value - jax.lax.stop_gradient(returns)) ** 2)
    entropy = jnp.mean(ro.entropy)
    rate_penalty = jnp.mean(ro.rates ** 2)
    total = policy_loss + value_coef * value_loss - entropy_coef * entropy + rate_reg * rate_penalty
    return total, {"loss": total, "policy_loss": policy_loss, "value_loss": value_loss, "entropy": entropy,
                   "mean_rate": jnp.mean(ro.rates), **episode_stats(ro)}


def episode_stats(ro: Rollout) -> dict[str, Array]:
    """Per-episode figures of a rollout: episodes ended, reward per episode, and for a
    :class:`~brainlike.tasks.TaskEnvironment` the fractions aborted (fixation broken), completed (a
    choice in the response window) and correct among completed."""
    n = jnp.maximum(jnp.sum(ro.done), 1)
    stats = {"episodes": jnp.sum(ro.done), "reward_per_episode": jnp.sum(ro.reward) / n}
    if {"aborted", "responded", "correct"} <= set(ro.info):
        responded = jnp.sum(ro.info["responded"])
        stats.update(aborted=jnp.sum(ro.info["aborted"]) / n, completed=responded / n,
                     accuracy=jnp.sum(ro.info["correct"]) / jnp.maximum(responded, 1))
    return stats


def make_actor_critic_step(env: Environment, optimizer: optax.GradientTransformation, *, n_envs: int = 64,
                           n_steps: int | None = None, gamma: float = 1.0, lam: float = 1.0,
                           value_coef: float = 0.5, entropy_coef: float | Callable = 0.0, rate_reg: float = 0.0,
                           params: Any = None):
    """``step(agent, opt_state, key) -> (agent, opt_state, metrics)``: one actor-critic update on ``n_envs``
    environments run for ``n_steps`` steps (default: the environment's ``max_steps``, one trial each for a
    :class:`~brainlike.tasks.TaskEnvironment`, as Song et al. trained on batches of trials).

    ``entropy_coef`` is a number or an Optax schedule of the update count (e.g.
    ``optax.linear_schedule(0.05, 0.005, n)``: explore while fixation is being learned, commit later); the
    count is the optimiser's own (the first ``count`` in its state, e.g. Adam's)."""
    if n_steps is None:
        if not hasattr(env, "max_steps"):
            raise ConfigError(f"{type(env).__name__} has no max_steps: give n_steps")
        n_steps = int(env.max_steps)
    if not (0 <= gamma <= 1 and 0 <= lam <= 1):
        raise ConfigError(f"gamma and lam must lie in [0, 1], got {gamma} and {lam}")

    def step(agent: ActorCritic, opt_state, key):
        params_, static = eqx.partition(agent, eqx.is_inexact_array)
        entropy = entropy_coef
        if callable(entropy_coef):
            counts = optax.tree.get_all_with_path(opt_state, "count")
            if not counts:
                raise ConfigError("an entropy schedule needs an optimiser whose state counts updates (e.g. Adam)")
            entropy = entropy_coef(counts[0][1])

        def objective(p):
            return actor_critic_loss(eqx.combine(p, static), env, key, n_envs=n_envs, n_steps=n_steps, gamma=gamma,
                                     lam=lam, value_coef=value_coef, entropy_coef=entropy,
                                     rate_reg=rate_reg, params=params)

        (_, metrics), grads = jax.value_and_grad(objective, has_aux=True)(params_)
        updates, opt_state = optimizer.update(grads, opt_state, params_)
        agent = eqx.apply_updates(agent, updates)
        metrics["grad_norm"] = optax.tree.norm(grads)
        metrics["entropy_coef"] = jnp.asarray(entropy, jnp.float32)
        return agent, opt_state, metrics

    return step


@eqx.filter_jit
def _play(agent: ActorCritic, env: TaskEnvironment, conditions, key, greedy: bool):
    n = jax.tree_util.tree_leaves(conditions)[0].shape[0]
    k_reset, k_run = jax.random.split(key)
    obs, env_state = jax.vmap(env.reset_to)(jax.random.split(k_reset, n), conditions)
    state = jax.vmap(lambda _: agent.init_state())(jnp.arange(n))
    live = jnp.ones(n, bool)

    def one(s, o, es, alive, k):
        k_act, k_sample, k_env = jax.random.split(k, 3)
        s, rate, logits, _ = agent.act(s, o, key=k_act)
        action = jnp.argmax(logits) if greedy else jax.random.categorical(k_sample, logits)
        action = jnp.where(alive, action, 0)
        # no auto-reset: after its episode ends the trial's inputs keep coming (the recording spans the trial)
        o2, es2, reward, done, info = env.step_env(k_env, es, action, None)
        out = dict(rate=rate, action=action, reward=jnp.where(alive, reward, 0.0),
                   done=alive & done, **{k_: alive & v for k_, v in info.items()})
        return s, o2, es2, alive & ~done, out

    def body(carry, k):
        s, o, es, alive = carry
        s, o, es, alive, out = jax.vmap(one)(s, o, es, alive, jax.random.split(k, n))
        return (s, o, es, alive), out

    _, out = jax.lax.scan(body, (state, obs, env_state, live), jax.random.split(k_run, env.max_steps))
    return jax.tree_util.tree_map(lambda x: jnp.swapaxes(x, 0, 1), out), env_state


def play(agent: ActorCritic, env: TaskEnvironment, conditions: dict[str, Array], *, key: PRNGKeyArray,
         greedy: bool = False) -> Recording:
    """Play one trial per entry of ``conditions`` (e.g. ``task.condition_grid(n)``) and record the policy
    network: a :class:`~brainlike.Recording` of every unit over the whole trial, with the trial's
    conditions and epochs plus what the agent did: ``action`` (its choice, 0 where it made none),
    ``response_step``, ``reward``, ``aborted``, ``completed``, ``correct``. Actions are sampled from the
    policy, as an animal's (``greedy=True``: the most probable action)."""
    if not isinstance(env, TaskEnvironment):
        raise ConfigError(f"play needs a TaskEnvironment (trials with conditions), got {type(env).__name__}")
    out, env_state = _play(agent, env, conditions, key, greedy)
    out = jax.tree_util.tree_map(np.asarray, out)
    done = out["done"]
    ended = done.any(axis=1)
    step = np.where(ended, np.argmax(done, axis=1), -1)
    rows = np.arange(done.shape[0])
    action = np.where(ended, out["action"][rows, np.maximum(step, 0)], 0)
    conds = {k: np.asarray(v) for k, v in env_state["conditions"].items()}
    conds.update(action=action.astype(np.int32), response_step=step.astype(np.int32),
                 reward=out["reward"].sum(axis=1), aborted=out["aborted"].any(axis=1).astype(np.int32),
                 completed=out["responded"].any(axis=1).astype(np.int32),
                 correct=out["correct"].any(axis=1).astype(np.int32))
    return Recording(activity=out["rate"], dt=env.dt, conditions=conds,
                     epochs={k: np.asarray(v) for k, v in env_state["epochs"].items()},
                     inputs=np.asarray(env_state["inputs"]), outputs=None)
