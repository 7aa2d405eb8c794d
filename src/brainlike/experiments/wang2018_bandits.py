"""Meta-reinforcement learning on bandits: a recurrent network trained across many bandit problems
learns, with its weights frozen, to solve new ones in its activity (Wang, Kurth-Nelson, Kumaran, Tirumala,
Soyer, Leibo, Hassabis & Botvinick 2018 Nat Neurosci 21:860, Fig. 2; Wang et al. 2016 "Learning to
reinforcement learn", arXiv:1611.05763, Fig. 2).

An LSTM of 48 units (the paper's size) sees the previous action, the previous reward and the pull index;
a linear readout gives the policy and a linear head the value. It is trained by advantage actor-critic
(entropy and value terms; :func:`~brainlike.plasticity.make_actor_critic_step`) on episodes of ``horizon``
pulls, each a new two-armed Bernoulli bandit drawn from a distribution: independent arms (each
probability uniform on [0, 1]) or correlated arms (``p`` and ``1 - p``). Then the weights are frozen and
the network plays fresh bandits from the same distribution; everything it learns about them lives in its
recurrent activity.

The yardsticks are computed here, on the same bandits, by :mod:`brainlike.agents`: Thompson sampling,
UCB1 and the Gittins-index policy. The claims are the paper's: regret at 100 pulls within 1.2 times
Thompson sampling's on independent arms, and below it on correlated arms, where one pull tells about
both arms and a learner of the structure beats a learner that treats the arms as independent.

Departures from the paper: Adam with a cosine-decayed learning rate instead of RMSProp; a discount of 0.5
(the paper's 0.9 learned far more slowly on this CPU budget, and regret is measured undiscounted anyway);
an entropy bonus annealed to 0.
"""

from __future__ import annotations

import dataclasses

import equinox as eqx
import jax
import numpy as np

from .. import analysis as A
from .. import plot
from .._errors import ConfigError
from .._recording import Recording
from ..agents import UCB, Gittins, ThompsonSampling
from ..agents import play as play_agent
from ..circuits import GRU, LSTM, Network
from ..plasticity import ActorCritic, rollout
from ..tasks import BANDIT_STRUCTURES, Bandit, Environment
from ._base import Evaluation, Experiment, at_most, below, register
from .song2017_perceptual import actor_critic_step, training_figure
from .song2017_perceptual import optimizer as reward_optimizer

__all__ = ["Wang2018Bandits", "Config", "MetaRL", "meta_rl_agent", "frozen_play", "BASELINES"]

BASELINES = ("thompson", "ucb", "gittins")


@dataclasses.dataclass(frozen=True)
class Config:
    seed: int = 0
    # network: policy and value read out of one recurrent core
    circuit: str = "lstm"  # lstm (the paper) or gru
    n_units: int = 48
    # environments
    horizon: int = 100  # pulls per episode
    structures: tuple[str, ...] = ("independent", "correlated")  # one network trained on each
    drift: float = 0.0  # > 0: restless arms
    # training: advantage actor-critic, one episode per environment per update
    n_steps: int = 3000  # updates
    n_envs: int = 128
    learning_rate: float = 3e-3  # Adam, cosine-decayed ...
    learning_rate_final: float = 3e-4  # ... to this
    grad_clip: float = 1.0
    gamma: float = 0.5
    lam: float = 1.0
    value_coef: float = 0.5
    entropy_coef: float = 0.05  # annealed linearly ...
    entropy_final: float = 0.0  # ... to this
    checkpoint_every: int = 500
    # evaluation (frozen weights)
    eval_episodes: int = 2000
    baselines: tuple[str, ...] = ("thompson", "ucb", "gittins")  # thompson is the claims' yardstick
    gittins_gamma: float = 0.95
    regret_ratio: float = 1.2  # claim: network <= ratio x Thompson on independent arms

    def __post_init__(self):
        unknown = set(self.structures) - set(BANDIT_STRUCTURES)
        if unknown or not self.structures:
            raise ConfigError(f"unknown bandit structures {sorted(unknown)}; known: {', '.join(BANDIT_STRUCTURES)}")
        if "thompson" not in self.baselines or set(self.baselines) - set(BASELINES):
            raise ConfigError(f"baselines must include 'thompson' and be among {', '.join(BASELINES)}; got "
                              f"{self.baselines}")
        if self.circuit not in ("lstm", "gru"):
            raise ConfigError(f"unknown circuit {self.circuit!r}; known: lstm, gru")
        for s in self.structures:  # the environments check their own numbers
            Bandit(horizon=self.horizon, structure=s, drift=self.drift)
        if min(self.n_units, self.n_steps, self.n_envs) < 1 or self.eval_episodes < 2:
            raise ConfigError("n_units, n_steps and n_envs must be >= 1 and eval_episodes >= 2")

    @classmethod
    def smoke(cls) -> Config:
        return cls(n_units=8, horizon=10, structures=("correlated",), n_steps=4, n_envs=8, checkpoint_every=2,
                   eval_episodes=16, baselines=("thompson",))

    @classmethod
    def quick(cls) -> Config:
        return cls()

    @classmethod
    def paper(cls) -> Config:
        return cls(n_steps=20000, n_envs=256, eval_episodes=10000, checkpoint_every=1000)


def meta_rl_agent(c, env: Environment, key) -> ActorCritic:
    """The meta-learner: a recurrent core (LSTM of ``c.n_units``) with a policy readout and a linear value
    head (Wang et al. 2018, Methods)."""
    k_core, k_read, k_value = jax.random.split(key, 3)
    core = (LSTM if c.circuit == "lstm" else GRU)(env.observation_size, c.n_units, key=k_core)
    return ActorCritic(Network(core, env.n_actions, key=k_read), key=k_value, critic="linear")


class MetaRL(Experiment):
    """Networks trained by actor-critic, one per environment of ``environments(config)`` (a dict), each with
    its own optimiser state; the update trains them all."""

    def environments(self, c) -> dict[str, Environment]:
        raise NotImplementedError

    def init(self, c, key):
        envs = self.environments(c)
        return {name: meta_rl_agent(c, env, jax.random.fold_in(key, i)) for i, (name, env) in enumerate(envs.items())}

    def optimizer(self, c):
        return reward_optimizer(c)

    def init_optimizer(self, c, optimizer, model):
        return {name: optimizer.init(eqx.filter(agent, eqx.is_inexact_array)) for name, agent in model.items()}

    def step(self, c, optimizer):
        steps = {name: actor_critic_step(c, env, optimizer) for name, env in self.environments(c).items()}

        def step(model, opt_state, key):
            new_model, new_state, metrics = {}, {}, {}
            for i, (name, one) in enumerate(steps.items()):
                new_model[name], new_state[name], m = one(model[name], opt_state[name], jax.random.fold_in(key, i))
                metrics.update({f"{name}/{k}": v for k, v in m.items()})
            metrics["loss"] = sum(metrics[f"{name}/loss"] for name in steps)
            return new_model, new_state, metrics

        return step


@eqx.filter_jit
def _frozen(agent, env, key, n_envs):
    ro = rollout(agent, env, key, n_envs=n_envs, n_steps=env.max_steps)
    return ro.rates, ro.action, ro.reward, ro.info


def frozen_play(agent: ActorCritic, env: Environment, key, n_envs: int) -> dict[str, np.ndarray]:
    """One episode per environment with the weights frozen, actions sampled from the policy: ``rates``
    ``[episodes time units]`` and ``action``, ``reward`` and the environment's ``info`` ``[episodes time]``."""
    rates, action, reward, info = _frozen(agent, env, key, n_envs)
    out = {"rates": np.swapaxes(np.asarray(rates), 0, 1), "action": np.asarray(action).T,
           "reward": np.asarray(reward).T}
    out.update({k: np.asarray(v).T for k, v in info.items()})
    return out


@register
class Wang2018Bandits(MetaRL):
    name = "wang2018_bandits"
    title = "Meta-reinforcement learning: a recurrent network that learns bandits in its activity"
    paper = "Wang et al. 2018 Nat Neurosci 21:860 (prefrontal cortex as a meta-reinforcement learning system), Fig. 2"
    Config = Config

    def environments(self, c: Config) -> dict[str, Bandit]:
        return {s: Bandit(horizon=c.horizon, structure=s, drift=c.drift) for s in c.structures}

    def evaluate(self, c: Config, model, key) -> Evaluation:
        results, claims, curves, recordings = {}, [], {}, {}
        for i, (s, env) in enumerate(self.environments(c).items()):
            k = jax.random.fold_in(key, i)
            net = frozen_play(model[s], env, k, c.eval_episodes)
            regrets = {"network (frozen weights)": net["regret"]}
            baselines = {"Thompson sampling": ThompsonSampling()}
            if "ucb" in c.baselines:
                baselines["UCB1"] = UCB()
            if "gittins" in c.baselines:
                baselines[f"Gittins (gamma {c.gittins_gamma:g})"] = Gittins(gamma=c.gittins_gamma, max_pulls=c.horizon)
            for j, (name, agent) in enumerate(baselines.items()):
                out = play_agent(agent, env, key=jax.random.fold_in(k, j + 1), n_envs=c.eval_episodes)
                regrets[name] = np.asarray(out["regret"]).T
            curves[s] = {name: A.cumulative_regret(r) for name, r in regrets.items()}
            totals = {name: float(cv["mean"][-1]) for name, cv in curves[s].items()}
            results[s] = {"regret_at_horizon": totals,
                          "regret_sem": {name: float(cv["sem"][-1]) for name, cv in curves[s].items()},
                          "optimal_pulls": float(np.mean(net["optimal"])),
                          "reward_per_pull": float(np.mean(net["reward"]))}
            ts = totals["Thompson sampling"]
            mine = totals["network (frozen weights)"]
            if s == "independent":
                claims.append(at_most(f"regret at {c.horizon} pulls / Thompson's, independent arms", mine / ts,
                                      c.regret_ratio, f"network {mine:.2f} vs Thompson {ts:.2f} over "
                                      f"{c.eval_episodes} new bandits, weights frozen"))
            else:
                claims.append(below(f"regret at {c.horizon} pulls / Thompson's, correlated arms", mine / ts, 1.0,
                                    f"network {mine:.2f} vs Thompson {ts:.2f}: the arms' structure exploited"))
            n_rec = min(200, c.eval_episodes)
            recordings[s] = Recording(activity=net["rates"][:n_rec], dt=1.0,
                                      conditions={"regret": net["regret"][:n_rec].sum(1),
                                                  "optimal_fraction": net["optimal"][:n_rec].mean(1)})
        return Evaluation(results=results, claims=claims, recordings=recordings, artifacts={"curves": curves})

    def figures(self, c: Config, ev: Evaluation, metrics: list[dict]) -> dict:
        import matplotlib.pyplot as plt

        curves = ev.artifacts["curves"]
        fig, axs = plt.subplots(1, len(curves), figsize=(4.4 * len(curves), 3.3), squeeze=False)
        for ax, (s, cv) in zip(axs[0], curves.items()):
            plot.regret_curves(cv, ax=ax, title=f"{s} arms")
        fig.tight_layout()
        figs = {"regret": fig}
        fig = training_figure(c, metrics, keys=tuple(f"{s}/reward_per_episode" for s in curves))
        if fig is not None:
            figs["training"] = fig
        return figs
