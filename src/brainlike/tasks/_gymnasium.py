"""Any brainlike :class:`~brainlike.tasks.Environment` as a Gymnasium environment, for external RL code.

Gymnasium (Towers et al. 2024) is stateful and NumPy-facing: ``reset(seed=...)`` and ``step(action)``
return NumPy arrays and the caller resets after ``terminated`` or ``truncated``. The adapter keeps the
JAX state and a PRNG key, splits the key at every call (so a seed fixes the whole episode sequence) and
runs the environment's own ``reset_env``/``step_env`` (jitted once). Needs ``pip install gymnasium``
(the ``rl`` extra).
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from ._environment import Environment

__all__ = ["to_gymnasium"]


def to_gymnasium(env: Environment, params: Any = None, *, max_episode_steps: int | None = None):
    """A ``gymnasium.Env`` that plays ``env`` (with ``params``, default ``env.default_params``).

    Observations are ``Box(-inf, inf, (observation_size,), float32)``, actions ``Discrete(n_actions)``.
    With ``max_episode_steps`` an episode that runs longer is ``truncated``."""
    try:
        import gymnasium
        from gymnasium import spaces
    except ImportError:  # pragma: no cover - depends on the environment
        from .._errors import ConfigError

        raise ConfigError("to_gymnasium needs gymnasium: pip install -e '.[rl]'") from None

    params = env.default_params if params is None else params
    reset = jax.jit(lambda k: env.reset_env(k, params))
    step = jax.jit(lambda k, s, a: env.step_env(k, s, a, params))

    class BrainlikeEnv(gymnasium.Env):
        metadata = {"render_modes": []}

        def __init__(self):
            self.observation_space = spaces.Box(-np.inf, np.inf, (env.observation_size,), np.float32)
            self.action_space = spaces.Discrete(env.n_actions)
            self._key = jax.random.PRNGKey(0)
            self._state = None
            self._steps = 0

        def reset(self, *, seed: int | None = None, options: dict | None = None):
            super().reset(seed=seed)
            if seed is not None:
                self._key = jax.random.PRNGKey(seed)
            self._key, k = jax.random.split(self._key)
            obs, self._state = reset(k)
            self._steps = 0
            return np.asarray(obs, np.float32), {}

        def step(self, action):
            if self._state is None:
                raise RuntimeError("call reset() before step()")
            if not self.action_space.contains(int(action)):
                raise ValueError(f"action {action!r} is not in {self.action_space}")
            self._key, k = jax.random.split(self._key)
            obs, self._state, reward, done, info = step(k, self._state, np.int32(action))
            self._steps += 1
            truncated = max_episode_steps is not None and self._steps >= max_episode_steps and not bool(done)
            return (np.asarray(obs, np.float32), float(reward), bool(done), bool(truncated),
                    {name: np.asarray(v).item() for name, v in info.items()})

    BrainlikeEnv.__name__ = f"Brainlike{type(env).__name__}"
    return BrainlikeEnv()
