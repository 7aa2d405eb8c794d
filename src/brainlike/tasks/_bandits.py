"""Environments of meta-reinforcement learning (Wang et al. 2018 Nat Neurosci 21:860): Bernoulli bandits,
the two-step task and a one-dimensional Harlow task, pure JAX and vmappable (:class:`Environment`).

Each observation carries what a meta-learner needs to learn inside an episode: the previous action
(one-hot) and the previous reward (Wang et al. 2018, Methods: "the network received ... the action and
reward from the previous time step"); an episode is a whole bandit problem (``horizon`` pulls) or a whole
block of two-step trials, and the next episode draws a new problem from the same distribution.

- :class:`Bandit`: ``n_arms`` Bernoulli arms. ``structure="independent"``: each arm's probability uniform
  on [0, 1]; ``"correlated"``: two arms with ``p`` and ``1 - p`` (Wang et al. 2018 Fig. 2; Wang et al. 2016
  "Learning to reinforcement learn"). ``drift > 0`` makes it *restless*: every pull each probability takes
  a Gaussian step of that size, reflected into [0, 1]. ``info["regret"]`` is the expected regret of the
  pull, ``max_k p_k - p_a`` (Lai & Robbins 1985), so agents and baselines are scored by the environment.
- :class:`TwoStep`: the Daw et al. (2011 Neuron 69:1204) two-step task as in Wang et al. 2018 Fig. 5: a
  first-stage choice leads to one of two second-stage states, the "common" one with probability
  ``common`` (0.8) and the other ("rare") otherwise; the second stage pays 1 with that state's reward
  probability. ``schedule="switch"``: one state pays 0.9 and the other 0.1 and they swap with probability
  ``switch_prob`` (0.025) per trial (Wang 2018); ``"drift"``: each probability walks (sd 0.025) inside
  [0.25, 0.75] (Daw 2011). A trial is two steps; the second-stage action is a "collect" (either action).
- :class:`Harlow`: Harlow's (1949) learning-set problem reduced to one dimension (Wang et al. 2018 Fig. 7
  in spirit): each episode draws two novel objects (random vectors); one of them is rewarded for the
  whole episode; every trial shows the two at random sides and the agent picks a side. A learner of
  the learning set is at chance on trial 1 and right from trial 2 on.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import PRNGKeyArray

from .._errors import ConfigError
from .._registry import Registry
from ._environment import Environment

__all__ = ["Bandit", "TwoStep", "Harlow", "BANDIT_STRUCTURES", "environment_names", "make_environment",
           "register_environment"]

BANDIT_STRUCTURES = ("independent", "correlated")
TWO_STEP_SCHEDULES = ("switch", "drift")

_ENVIRONMENTS: Registry[type] = Registry("environment")


def register_environment(name: str):
    def deco(cls):
        _ENVIRONMENTS.add(name, cls)
        return cls

    return deco


def environment_names() -> list[str]:
    return _ENVIRONMENTS.names()


def make_environment(name: str, **kwargs) -> Environment:
    """An environment by name (``bandit``, ``two_step``, ``harlow``) with its keyword arguments."""
    return _ENVIRONMENTS.get(name)(**kwargs)


def _reflect(p):
    """Fold values back into [0, 1] (a random walk reflected at both walls)."""
    p = jnp.abs(p)
    return 1.0 - jnp.abs(1.0 - jnp.mod(p, 2.0))


@register_environment("bandit")
class Bandit(Environment):
    """Bernoulli bandit; one episode is ``horizon`` pulls of arms whose probabilities are drawn at its start.

    Observation: previous action one-hot (zeros at the first pull), previous reward, and the pull index
    divided by ``horizon``. ``state["p"]`` holds the arms' current probabilities."""

    n_arms: int = eqx.field(static=True, default=2)
    horizon: int = eqx.field(static=True, default=100)
    structure: str = eqx.field(static=True, default="independent")
    drift: float = eqx.field(static=True, default=0.0)

    def __check_init__(self):
        if self.structure not in BANDIT_STRUCTURES:
            raise ConfigError(f"unknown bandit structure {self.structure!r}; known: {', '.join(BANDIT_STRUCTURES)}")
        if self.structure == "correlated" and self.n_arms != 2:
            raise ConfigError(f"correlated arms (p, 1 - p) need n_arms = 2, got {self.n_arms}")
        if self.n_arms < 2 or self.horizon < 1 or self.drift < 0:
            raise ConfigError(f"Bandit needs n_arms >= 2, horizon >= 1 and drift >= 0; got {self.n_arms}, "
                              f"{self.horizon}, {self.drift}")

    @property
    def observation_size(self) -> int:
        return self.n_arms + 2

    @property
    def n_actions(self) -> int:
        return self.n_arms

    @property
    def max_steps(self) -> int:
        return self.horizon

    def sample_probabilities(self, key: PRNGKeyArray):
        if self.structure == "correlated":
            p = jax.random.uniform(key)
            return jnp.stack([p, 1.0 - p])
        return jax.random.uniform(key, (self.n_arms,))

    def reset_env(self, key, params):
        return self.reset_to(self.sample_probabilities(key))

    def reset_to(self, p):
        """Start an episode with these arm probabilities."""
        p = jnp.asarray(p, jnp.float32)
        obs = jnp.zeros(self.observation_size)
        return obs, {"p": p, "t": jnp.zeros((), jnp.int32)}

    def step_env(self, key, state, action, params):
        k_reward, k_drift = jax.random.split(key)
        p = state["p"]
        reward = jax.random.bernoulli(k_reward, p[action]).astype(jnp.float32)
        regret = jnp.max(p) - p[action]
        if self.drift > 0:
            if self.structure == "correlated":
                p1 = _reflect(p[0] + self.drift * jax.random.normal(k_drift))
                p = jnp.stack([p1, 1.0 - p1])
            else:
                p = _reflect(p + self.drift * jax.random.normal(k_drift, p.shape))
        t = state["t"] + 1
        obs = jnp.concatenate([jax.nn.one_hot(action, self.n_arms), reward[None],
                               (t / self.horizon)[None].astype(jnp.float32)])
        info = {"regret": regret, "optimal": (state["p"][action] >= jnp.max(state["p"])), "arm": action}
        return obs, {"p": p, "t": t}, reward, t >= self.horizon, info


@register_environment("two_step")
class TwoStep(Environment):
    """The two-step task; one episode is ``n_trials`` trials of two steps each.

    Observation: the current state one-hot (first stage, second-stage state 1, state 2), the previous
    action one-hot, the previous reward. First-stage action ``a`` leads to second-stage state ``a``
    (0-based) with probability ``common``. ``info`` at the second-stage step of each trial
    (``trial_end``) gives ``choice`` (the first-stage action), ``state2``, ``common`` and the reward."""

    n_trials: int = eqx.field(static=True, default=100)
    common: float = eqx.field(static=True, default=0.8)
    schedule: str = eqx.field(static=True, default="switch")
    high: float = eqx.field(static=True, default=0.9)
    low: float = eqx.field(static=True, default=0.1)
    switch_prob: float = eqx.field(static=True, default=0.025)
    drift_sd: float = eqx.field(static=True, default=0.025)
    bounds: tuple[float, float] = eqx.field(static=True, default=(0.25, 0.75))

    def __check_init__(self):
        if self.schedule not in TWO_STEP_SCHEDULES:
            raise ConfigError(f"unknown two-step schedule {self.schedule!r}; known: {', '.join(TWO_STEP_SCHEDULES)}")
        if not 0.5 <= self.common <= 1 or self.n_trials < 1:
            raise ConfigError(f"TwoStep needs 0.5 <= common <= 1 and n_trials >= 1, got {self.common}, {self.n_trials}")
        if not 0 <= self.bounds[0] < self.bounds[1] <= 1:
            raise ConfigError(f"TwoStep bounds must satisfy 0 <= low < high <= 1, got {self.bounds}")
        if not (0 <= self.switch_prob <= 1 and 0 <= self.low <= 1 and 0 <= self.high <= 1 and self.drift_sd >= 0):
            raise ConfigError(f"TwoStep needs switch_prob, low and high in [0, 1] and drift_sd >= 0, got "
                              f"{self.switch_prob}, {self.low}, {self.high}, {self.drift_sd}")

    @property
    def observation_size(self) -> int:
        return 6

    @property
    def n_actions(self) -> int:
        return 2

    @property
    def max_steps(self) -> int:
        return 2 * self.n_trials

    def reset_env(self, key, params):
        if self.schedule == "switch":
            first = jax.random.bernoulli(key)
            p = jnp.where(first, jnp.array([self.high, self.low]), jnp.array([self.low, self.high]))
        else:
            p = jax.random.uniform(key, (2,), minval=self.bounds[0], maxval=self.bounds[1])
        obs = jnp.zeros(6).at[0].set(1.0)
        zero = jnp.zeros((), jnp.int32)
        return obs, {"p": p.astype(jnp.float32), "t": zero, "stage": zero, "state2": zero, "choice": zero,
                     "common": jnp.zeros((), bool)}

    def _next_probabilities(self, key, p):
        if self.schedule == "switch":
            return jnp.where(jax.random.bernoulli(key, self.switch_prob), p[::-1], p)
        lo, hi = self.bounds
        q = (p + self.drift_sd * jax.random.normal(key, p.shape) - lo) / (hi - lo)
        return lo + (hi - lo) * _reflect(q)

    def step_env(self, key, state, action, params):
        k_trans, k_reward, k_p = jax.random.split(key, 3)
        first = state["stage"] == 0
        # stage 1: choose; the common state is the one with the action's index
        common = jax.random.bernoulli(k_trans, self.common)
        state2 = jnp.where(common, action, 1 - action).astype(jnp.int32)
        # stage 2: collect
        p_here = state["p"][state["state2"]]
        paid = jax.random.bernoulli(k_reward, p_here).astype(jnp.float32)
        reward = jnp.where(first, 0.0, paid)
        t = state["t"] + jnp.where(first, 0, 1)
        p = jnp.where(first, state["p"], self._next_probabilities(k_p, state["p"]))
        new = {"p": p, "t": t, "stage": jnp.where(first, 1, 0).astype(jnp.int32),
               "state2": jnp.where(first, state2, state["state2"]),
               "choice": jnp.where(first, action, state["choice"]).astype(jnp.int32),
               "common": jnp.where(first, common, state["common"])}
        where = jnp.where(first, 1 + state2, 0)
        obs = jnp.concatenate([jax.nn.one_hot(where, 3), jax.nn.one_hot(action, 2), reward[None]])
        info = {"trial_end": ~first, "choice": state["choice"], "state2": state["state2"],
                "common": state["common"], "regret": jnp.where(first, 0.0, jnp.max(state["p"]) - p_here)}
        return obs, new, reward, t >= self.n_trials, info


@register_environment("harlow")
class Harlow(Environment):
    """Harlow's learning-set task in one dimension; one episode is ``n_trials`` choices between the same two
    novel objects (Gaussian vectors of length ``object_size``), object 0 the rewarded one.

    Observation: the object on the left, the object on the right, the previous action one-hot, the
    previous reward. Action 0 picks left, 1 right; reward ``1`` for the rewarded object, else ``0``."""

    n_trials: int = eqx.field(static=True, default=6)
    object_size: int = eqx.field(static=True, default=8)

    def __check_init__(self):
        if self.n_trials < 1 or self.object_size < 1:
            raise ConfigError(f"Harlow needs n_trials >= 1 and object_size >= 1, got {self.n_trials}, "
                              f"{self.object_size}")

    @property
    def observation_size(self) -> int:
        return 2 * self.object_size + 3

    @property
    def n_actions(self) -> int:
        return 2

    @property
    def max_steps(self) -> int:
        return self.n_trials

    def _show(self, objects, left_is_target, action, reward):
        left = jnp.where(left_is_target, objects[0], objects[1])
        right = jnp.where(left_is_target, objects[1], objects[0])
        return jnp.concatenate([left, right, action, reward[None]])

    def reset_env(self, key, params):
        k_obj, k_side = jax.random.split(key)
        objects = jax.random.normal(k_obj, (2, self.object_size))
        side = jax.random.bernoulli(k_side)
        obs = self._show(objects, side, jnp.zeros(2), jnp.zeros(()))
        return obs, {"objects": objects, "target_left": side, "t": jnp.zeros((), jnp.int32)}

    def step_env(self, key, state, action, params):
        correct = jnp.where(state["target_left"], action == 0, action == 1)
        reward = correct.astype(jnp.float32)
        side = jax.random.bernoulli(key)
        t = state["t"] + 1
        obs = self._show(state["objects"], side, jax.nn.one_hot(action, 2), reward)
        info = {"correct": correct, "trial": state["t"]}
        return obs, {**state, "target_left": side, "t": t}, reward, t >= self.n_trials, info
