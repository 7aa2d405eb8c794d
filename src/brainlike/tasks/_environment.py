"""Closed-loop environments (DESIGN section 2): gymnax signatures, pure JAX, vmappable over environments.

``reset(key, params) -> (obs, state)`` and ``step(key, state, action, params) -> (obs, state, reward,
done, info)``; ``step`` resets an environment whose episode ended, with ``jnp.where``, so a batch of
environments runs under ``vmap`` inside one ``lax.scan`` without Python control flow (gymnax; Lange 2022).

:class:`TaskEnvironment` turns any supervised :class:`~brainlike.tasks.Task` whose first output is
"fixate" into the reinforcement-learning version of the same paradigm, as in Song, Yang & Wang (2017)
eLife 6:e21492 (Methods, "Tasks"): one episode is one trial; the agent sees the trial's inputs step by
step and acts by choosing one of the task's outputs; choosing anything but "fixate" before the response
window breaks fixation and ends the trial with ``abort_reward``; the first choice inside the response
window ends it with the task's reward (``correct_reward`` for the correct option, or the task's own
``choice_reward`` where it has one, e.g. juice value in :class:`~brainlike.tasks.EconomicChoice`); a
trial whose response window passes without a choice ends with ``timeout_reward`` (0 by default). The reward
is the only thing the learner is told.
"""

from __future__ import annotations

import abc
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, PRNGKeyArray

from .._errors import ConfigError
from ._base import Task

__all__ = ["Environment", "TaskEnvironment"]


class Environment(eqx.Module):
    """A closed-loop environment for ONE agent; ``vmap`` it for many.

    Subclasses implement ``reset_env`` and ``step_env`` (one episode, no auto-reset) and the sizes
    ``observation_size`` and ``n_actions`` (discrete actions ``0..n_actions-1``). ``params`` is a pytree
    of the environment's sweepable numbers (``default_params``); ``info`` is a dict of scalars with the
    same keys at every step.
    """

    @property
    @abc.abstractmethod
    def observation_size(self) -> int:
        """Length of one observation vector."""

    @property
    @abc.abstractmethod
    def n_actions(self) -> int:
        """Number of discrete actions."""

    @property
    def default_params(self) -> Any:
        return {}

    @abc.abstractmethod
    def reset_env(self, key: PRNGKeyArray, params: Any) -> tuple[Array, Any]:
        """Start an episode: ``(obs, state)``."""

    @abc.abstractmethod
    def step_env(self, key: PRNGKeyArray, state: Any, action: Array, params: Any
                 ) -> tuple[Array, Any, Array, Array, dict[str, Array]]:
        """One step of the episode: ``(obs, state, reward, done, info)``."""

    def reset(self, key: PRNGKeyArray, params: Any = None) -> tuple[Array, Any]:
        return self.reset_env(key, self.default_params if params is None else params)

    def step(self, key: PRNGKeyArray, state: Any, action: Array, params: Any = None
             ) -> tuple[Array, Any, Array, Array, dict[str, Array]]:
        """``step_env``, then a fresh episode wherever this one ended (the returned ``obs`` and ``state``
        are the new episode's first; ``reward``, ``done`` and ``info`` belong to the step just taken)."""
        params = self.default_params if params is None else params
        k_step, k_reset = jax.random.split(key)
        obs, state, reward, done, info = self.step_env(k_step, state, action, params)
        obs_new, state_new = self.reset_env(k_reset, params)
        state = jax.tree_util.tree_map(lambda a, b: jnp.where(done, a, b), state_new, state)
        obs = jnp.where(done, obs_new, obs)
        return obs, state, reward, done, info


class TaskEnvironment(Environment):
    """A supervised task played for reward (Song, Yang & Wang 2017).

    Actions are the task's outputs: ``0`` is "fixate", ``1..`` the choices. The response window is
    where the task's target is a choice and its loss mask is on. ``reward``, ``done`` and ``info``
    (``aborted``: fixation broken; ``responded``: a choice in the window; ``correct``: the target's choice;
    ``timeout``: the window passed without a choice) follow the rules in the module docstring.
    """

    task: Task
    abort_reward: float = eqx.field(static=True, default=-1.0)
    correct_reward: float = eqx.field(static=True, default=1.0)
    timeout_reward: float = eqx.field(static=True, default=0.0)

    def __check_init__(self):
        names = tuple(self.task.output_names)
        if len(names) < 2 or names[0] != "fixate":
            raise ConfigError(f"TaskEnvironment needs a task whose output 0 is 'fixate' and the rest choices; "
                              f"{type(self.task).__name__} has outputs {names}")

    @property
    def observation_size(self) -> int:
        return self.task.n_inputs

    @property
    def n_actions(self) -> int:
        return self.task.n_outputs

    @property
    def dt(self) -> float:
        return self.task.dt

    @property
    def max_steps(self) -> int:
        """The longest episode, in steps (the task's trial length)."""
        return self.task.n_steps

    def reset_env(self, key, params):
        k_cond, k_trial = jax.random.split(key)
        conditions = jax.tree_util.tree_map(lambda x: x[0], self.task.sample_conditions(k_cond, 1))
        return self.reset_to(k_trial, conditions)

    def reset_to(self, key: PRNGKeyArray, conditions: dict[str, Array]) -> tuple[Array, dict[str, Any]]:
        """Start the trial with these ``conditions`` (ONE trial's task variables; an analysis asks for an exact
        grid of conditions this way)."""
        trial = self.task.build_trial(conditions, key=key)
        target = jnp.argmax(trial.targets, axis=-1).astype(jnp.int32)
        respond = (target != 0) & (trial.mask > 0)
        steps = jnp.arange(target.shape[0])
        end = jnp.where(respond.any(), jnp.max(jnp.where(respond, steps, -1)) + 1, target.shape[0])
        state = {"inputs": trial.inputs, "target": target, "respond": respond, "end": end.astype(jnp.int32),
                 "t": jnp.zeros((), jnp.int32), "conditions": dict(trial.conditions), "epochs": dict(trial.epochs)}
        return trial.inputs[0], state

    def choice_reward(self, conditions: dict[str, Array], action: Array, target: Array) -> Array:
        """Reward of choosing ``action`` inside the response window."""
        if hasattr(self.task, "choice_reward"):
            return self.task.choice_reward(conditions, action)
        return jnp.where(action == target, self.correct_reward, 0.0)

    def step_env(self, key, state, action, params):
        t = state["t"]
        target, in_window = state["target"][t], state["respond"][t]
        chose = action != 0
        aborted = chose & ~in_window
        responded = chose & in_window
        t_next = t + 1
        timeout = ~chose & (t_next >= state["end"])
        reward = jnp.where(aborted, self.abort_reward,
                           jnp.where(responded, self.choice_reward(state["conditions"], action, target),
                                     jnp.where(timeout, self.timeout_reward, 0.0)))
        done = aborted | responded | timeout
        state = {**state, "t": t_next}
        obs = state["inputs"][jnp.minimum(t_next, self.max_steps - 1)]
        info = {"aborted": aborted, "responded": responded, "correct": responded & (action == target),
                "timeout": timeout}
        return obs, state, jnp.asarray(reward, jnp.float32), done, info
