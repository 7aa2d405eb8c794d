"""Run an agent on a batch of environments."""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import PRNGKeyArray

from .._errors import ConfigError
from ..tasks import Environment

__all__ = ["play"]


@eqx.filter_jit
def _play(agent, env, key, n_envs, n_steps, params):
    k_reset, k_run = jax.random.split(key)
    obs, env_state = jax.vmap(env.reset, (0, None))(jax.random.split(k_reset, n_envs), params)
    fresh = jax.vmap(lambda _: agent.init_state())(jnp.arange(n_envs))

    def one(s, o, es, k):
        k_act, k_env = jax.random.split(k)
        s, action = agent.act(s, o, key=k_act)
        o, es, reward, done, info = env.step(k_env, es, action, params)
        return s, o, es, dict(action=action, reward=reward, done=done, **info)

    def body(carry, k):
        s, o, es = carry
        s, o, es, out = jax.vmap(one)(s, o, es, jax.random.split(k, n_envs))
        done = out["done"]
        s = jax.tree_util.tree_map(
            lambda a, b: jnp.where(jnp.reshape(done, done.shape + (1,) * (b.ndim - 1)), a, b), fresh, s)
        return (s, o, es), out

    return jax.lax.scan(body, (fresh, obs, env_state), jax.random.split(k_run, n_steps))[1]


def play(agent: eqx.Module, env: Environment, *, key: PRNGKeyArray, n_envs: int, n_steps: int | None = None,
         params: Any = None) -> dict[str, jax.Array]:
    """``agent`` on ``n_envs`` environments for ``n_steps`` steps (default: the environment's ``max_steps``,
    one episode each). Returns ``action``, ``reward``, ``done`` and the environment's ``info``, each
    ``[time envs]``; the agent's state returns to ``init_state()`` where an episode ends."""
    n_steps = getattr(env, "max_steps", None) if n_steps is None else n_steps
    if n_steps is None or n_steps < 1 or n_envs < 1:
        raise ConfigError(f"play needs n_envs >= 1 and n_steps >= 1, got {n_envs} and {n_steps}")
    return _play(agent, env, key, int(n_envs), int(n_steps), env.default_params if params is None else params)
