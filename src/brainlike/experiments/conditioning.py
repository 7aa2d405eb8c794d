"""Classical conditioning and the dopamine prediction error (Schultz, Dayan & Montague 1997 Science).

A TD(lambda) learner with a tapped-delay-line (or microstimulus) representation of time since each cue
runs through the protocols of animal learning theory, trial by trial; its prediction error is the model
dopamine response, recorded for a population of agents whose learning rates vary (vmapped).

- Acquisition then extinction: the error at reward time shrinks as the cue comes to predict reward and
  the error moves to the cue (Schultz et al. 1997, Fig. 1); in extinction the omitted reward gives a
  dip and the cue response fades.
- Blocking (Kamin 1969; Waelti, Dickinson & Schultz 2001): pre-training A -> reward makes the reward
  predicted, so B, added in compound AB -> reward, learns little compared with a control group that
  sees only AB -> reward.
- Second-order conditioning (Pavlov 1927): after A -> reward, pairing B -> A without reward gives B
  value, because TD bootstraps from A's learned value; without pre-training of A (control) B learns
  nothing.
- Variable reward timing: the reward comes at a random delay after the cue.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import optax

from .._errors import ConfigError
from .._recording import Recording
from ..plasticity import td_lambda
from ..tasks import Phase, Protocol, REPRESENTATIONS
from ._base import Evaluation, Experiment, at_least, at_most, below, register

__all__ = ["Conditioning", "Config"]

PROTOCOLS = ("acquisition", "blocking", "blocking_control", "second_order", "second_order_control",
             "variable_timing")


@dataclasses.dataclass(frozen=True)
class Config:
    seed: int = 0
    n_agents: int = 8  # learners, learning rates spread log-normally around learning_rate
    # trial structure (time bins of dt)
    dt: float = 100.0  # ms
    n_steps: int = 30  # bins per trial
    cue_step: int = 5  # onset of A (and B in the compound)
    delay: int = 10  # bins from cue onset to reward
    second_order_lead: int = 5  # bins by which B precedes A in second-order pairing
    variable_delay: tuple[int, int] = (6, 14)  # bins, uniform, variable-timing protocol
    reward: float = 1.0
    # trials per phase
    acquisition_trials: int = 300
    extinction_trials: int = 100
    pretraining_trials: int = 200  # A -> reward before blocking / second-order
    compound_trials: int = 100  # AB -> reward
    pairing_trials: int = 30  # B -> A, no reward
    # learner
    representation: str = "csc"  # csc (tapped delay line) or microstimulus
    n_taps: int = 20  # csc taps (or microstimuli per cue)
    learning_rate: float = 0.1
    learning_rate_spread: float = 0.2  # sd of log learning rate across agents
    gamma: float = 0.99  # per bin
    lam: float = 0.5  # eligibility-trace decay (TD(lambda))
    checkpoint_every: int = 100

    def __post_init__(self):
        if self.representation not in REPRESENTATIONS:
            raise ConfigError(f"representation={self.representation!r}; known: {', '.join(REPRESENTATIONS)}")
        if self.cue_step + self.delay >= self.n_steps or self.cue_step + self.variable_delay[1] >= self.n_steps:
            raise ConfigError(f"reward step outside the trial: cue_step + delay must be < n_steps={self.n_steps}")
        if self.second_order_lead > self.cue_step:
            raise ConfigError("second_order_lead must be <= cue_step (B's onset would be before the trial)")

    @classmethod
    def smoke(cls) -> Config:
        return cls(n_agents=2, acquisition_trials=20, extinction_trials=5, pretraining_trials=20, compound_trials=10,
                   pairing_trials=5, checkpoint_every=20)

    @classmethod
    def quick(cls) -> Config:
        return cls()

    @classmethod
    def paper(cls) -> Config:
        return cls(n_agents=32, learning_rate=0.05, acquisition_trials=600, extinction_trials=200,
                   pretraining_trials=400, compound_trials=200, pairing_trials=40, checkpoint_every=200)


def protocols(c: Config) -> dict[str, Protocol]:
    """The six protocols, over cues A and B."""
    a, r, rs = c.cue_step, c.reward, c.cue_step + c.delay
    pre = Phase("pre-training A -> reward", c.pretraining_trials, {"A": a}, r, rs)
    blank = Phase("no training", c.pretraining_trials, {})
    compound = Phase("compound AB -> reward", c.compound_trials, {"A": a, "B": a}, r, rs)
    pairing = Phase("pairing B -> A", c.pairing_trials, {"B": a - c.second_order_lead, "A": a})
    phases = {
        "acquisition": (Phase("acquisition A -> reward", c.acquisition_trials, {"A": a}, r, rs),
                        Phase("extinction A -> nothing", c.extinction_trials, {"A": a})),
        "blocking": (pre, compound),
        "blocking_control": (blank, compound),
        "second_order": (pre, pairing),
        "second_order_control": (blank, pairing),
        "variable_timing": (Phase("A -> reward at a variable delay", c.acquisition_trials, {"A": a}, r,
                                  (a + c.variable_delay[0], a + c.variable_delay[1])),),
    }
    return {name: Protocol(p, ("A", "B"), c.n_steps, c.dt) for name, p in phases.items()}


def n_trials(c: Config) -> int:
    return max(p.n_trials for p in protocols(c).values())


def features(c: Config, onsets):
    """``[... time cues]`` onsets -> ``[... time features]``."""
    rep = REPRESENTATIONS[c.representation]
    fn = (lambda o: rep(o, c.n_taps)) if c.representation == "csc" else (lambda o: rep(o, n_micro=c.n_taps))
    flat = onsets.reshape(-1, *onsets.shape[-2:])
    return jax.vmap(fn)(flat).reshape(*onsets.shape[:-1], -1)


def value(c: Config, w, onsets):
    """V(t) = w . x(t) on a trial with the given cue onsets ``[time cues]``."""
    return features(c, onsets) @ w


@register
class Conditioning(Experiment):
    name = "conditioning"
    title = "Classical conditioning: the TD error as the dopamine response"
    paper = ("Schultz, Dayan & Montague 1997 Science; Sutton & Barto 1990; Kamin 1969; Waelti, Dickinson & "
             "Schultz 2001 Nature; Ludvig, Sutton & Kehoe 2008")
    Config = Config

    def n_steps(self, c: Config) -> int:
        return n_trials(c)

    def init(self, c: Config, key):
        k_sched, k_alpha = jax.random.split(key)
        n = n_trials(c)
        sched = [p.schedule(k, n) for p, k in zip(protocols(c).values(), jax.random.split(k_sched, len(PROTOCOLS)))]
        onsets = jnp.stack([s[0] for s in sched])  # [protocols trials time cues]
        reward = jnp.stack([s[1] for s in sched])  # [protocols trials time]
        n_feat = features(c, onsets[0, 0]).shape[-1]
        alpha = c.learning_rate * jnp.exp(c.learning_rate_spread * jax.random.normal(k_alpha, (c.n_agents,)))
        return {"w": jnp.zeros((len(PROTOCOLS), c.n_agents, n_feat)), "alpha": alpha,
                "onsets": onsets, "reward": reward, "trial": jnp.zeros((), jnp.int32),
                "rpe": jnp.zeros((len(PROTOCOLS), c.n_agents, n, c.n_steps))}

    def optimizer(self, c: Config):
        return optax.identity()  # TD changes the weights itself (plasticity.td_lambda)

    def step(self, c: Config, optimizer):
        def one(w, alpha, onsets, reward):
            return td_lambda(w, features(c, onsets), reward, alpha=alpha, gamma=c.gamma, lam=c.lam)

        over_agents = jax.vmap(one, in_axes=(0, 0, None, None))
        over_protocols = jax.vmap(over_agents, in_axes=(0, None, 0, 0))

        def step(model, opt_state, key):
            t = model["trial"]
            w, delta = over_protocols(model["w"], model["alpha"], model["onsets"][:, t], model["reward"][:, t])
            rpe = model["rpe"].at[:, :, t].set(delta)
            new = {**model, "w": w, "rpe": rpe, "trial": t + 1}
            return new, opt_state, {"loss": jnp.mean(delta**2), "rpe_at_reward": delta[0, :, c.cue_step + c.delay].mean(),
                                    "rpe_at_cue": delta[0, :, c.cue_step].mean()}

        return step

    def evaluate(self, c: Config, model, key) -> Evaluation:
        protos = protocols(c)
        rpe = np.asarray(model["rpe"])  # [protocols agents trials time]
        w = np.asarray(model["w"])
        names = list(protos)
        cue, rew = c.cue_step, c.cue_step + c.delay

        # -- acquisition and extinction: the dopamine units' responses -------------------------
        acq = rpe[names.index("acquisition")]  # [agents trials time]
        n_acq = c.acquisition_trials
        first_reward = acq[:, 0, rew].mean()
        last_reward = acq[:, n_acq - 1, rew].mean()
        last_cue = acq[:, n_acq - 1, cue].mean()
        ext = acq[:, n_acq:n_acq + c.extinction_trials]
        omission_dip = ext[:, 0, rew].mean() if c.extinction_trials else float("nan")
        ext_cue = ext[:, -1, cue].mean() if c.extinction_trials else float("nan")

        # -- learned values of the cues (V at the cue's onset, on a probe trial with that cue alone) ---
        probe_b = np.zeros((c.n_steps, 2), np.float32)
        probe_b[cue, 1] = 1.0
        probe_a = np.zeros((c.n_steps, 2), np.float32)
        probe_a[cue, 0] = 1.0
        x_a = np.asarray(features(c, jnp.asarray(probe_a)))[cue]
        x_b = np.asarray(features(c, jnp.asarray(probe_b)))[cue]

        def v(proto, x):
            return float((w[names.index(proto)] @ x).mean())

        vb_block, vb_ctrl = v("blocking", x_b), v("blocking_control", x_b)
        x_b2 = np.asarray(features(c, jnp.asarray(_onsets(c, {"B": cue - c.second_order_lead}))))[cue - c.second_order_lead]
        vb_second, vb_second_ctrl = v("second_order", x_b2), v("second_order_control", x_b2)
        # A's value just before pairing (end of pre-training), from the recorded cue response on that trial
        so = rpe[names.index("second_order")]
        va_pre = float(so[:, c.pretraining_trials - 1, cue].mean() / c.gamma) if c.pretraining_trials else float("nan")

        # -- variable timing: error at reward by delay, after learning ----------------------------
        vt = rpe[names.index("variable_timing")]  # [agents trials time]
        reward_arr = np.asarray(model["reward"][names.index("variable_timing")])  # [trials time]
        late = slice(c.acquisition_trials // 2, c.acquisition_trials)
        when = np.argmax(reward_arr[late], axis=1)
        at_reward = vt[:, late][:, np.arange(when.size), when].mean(axis=0)
        delays = np.arange(c.variable_delay[0], c.variable_delay[1] + 1)
        by_delay = [float(at_reward[when - cue == d].mean()) if np.any(when - cue == d) else float("nan")
                    for d in delays]

        claims = [
            at_most("acquisition: error at reward after learning / before", last_reward / first_reward, 0.1,
                    f"mean over agents, trial {n_acq} vs trial 1 (the reward is {c.reward:g})"),
            at_least("acquisition: error at the cue after learning / reward", last_cue / c.reward, 0.8,
                     "the response has moved to the cue (gamma^delay of the reward, discounted)"),
            below("extinction: error at the omitted reward on the first extinction trial", omission_dip, 0.0,
                  "a dip below baseline where the reward was expected"),
            at_most("blocking: value of B after pre-training of A / without", vb_block / vb_ctrl, 0.25,
                    f"V(B) {vb_block:.3f} in the blocking group, {vb_ctrl:.3f} in the control group"),
            at_least("second-order conditioning: value of B / value of A before pairing", vb_second / va_pre, 0.2,
                     f"V(B) {vb_second:.3f} after {c.pairing_trials} B -> A pairings; A was worth {va_pre:.3f}"),
            at_most("second-order control: value of B without pre-training of A", abs(vb_second_ctrl), 0.05,
                    "B -> A pairings alone give B no value"),
        ]
        results = {
            "error_at_reward_first_trial": float(first_reward), "error_at_reward_last_trial": float(last_reward),
            "error_at_cue_last_trial": float(last_cue), "omission_dip": float(omission_dip),
            "cue_error_end_of_extinction": float(ext_cue),
            "value_B": {"blocking": vb_block, "blocking_control": vb_ctrl, "second_order": vb_second,
                        "second_order_control": vb_second_ctrl, "A_before_pairing": va_pre},
            "variable_timing_error_by_delay": {"delay_steps": delays.tolist(), "error": by_delay},
            "learning_rates": np.asarray(model["alpha"]).tolist(),
        }
        recordings = {}
        for i, name in enumerate(names):
            n = protos[name].n_trials
            phase = protos[name].phase_index()
            recordings[name] = Recording(
                activity=rpe[i, :, :n].transpose(1, 2, 0), dt=c.dt,
                conditions={"phase": phase, "trial": np.arange(n),
                            "reward": np.asarray(model["reward"][i, :n]).sum(axis=1)},
                units={"learning_rate": np.asarray(model["alpha"])})
        recordings["main"] = recordings.pop("acquisition")
        return Evaluation(results=results, claims=claims, recordings=recordings,
                          artifacts={"rpe": rpe, "names": names, "protocols": protos})

    def figures(self, c: Config, ev: Evaluation, metrics: list[dict]) -> dict:
        import matplotlib.pyplot as plt

        a, r = ev.artifacts, ev.results
        acq = a["rpe"][a["names"].index("acquisition")].mean(axis=0)  # [trials time]
        n = c.acquisition_trials + c.extinction_trials
        t = np.arange(c.n_steps) * c.dt / 1000
        fig1, axs = plt.subplots(1, 2, figsize=(9, 3.4), constrained_layout=True)
        im = axs[0].imshow(acq[:n], aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1,
                           extent=(t[0], t[-1] + c.dt / 1000, n, 0))
        axs[0].axhline(c.acquisition_trials, color="k", lw=0.6, ls="--")
        axs[0].set_xlabel("time in trial (s)"), axs[0].set_ylabel("trial")
        axs[0].set_title("prediction error (mean of agents)", fontsize=9)
        fig1.colorbar(im, ax=axs[0], shrink=0.8)
        for trial, col, what in [(0, "0.7", "first"), (min(20, n - 1), "tab:orange", "learning"),
                                 (c.acquisition_trials - 1, "tab:red", "learned"),
                                 (min(c.acquisition_trials, n - 1), "tab:blue", "first omission")]:
            axs[1].plot(t, acq[trial], color=col, lw=2.5 if what == "learned" else 1.2, label=f"trial {trial + 1} ({what})")
        axs[1].axvline(c.cue_step * c.dt / 1000, color="k", lw=0.5, ls=":")
        axs[1].set_xlabel("time in trial (s)"), axs[1].set_ylabel("prediction error")
        axs[1].legend(fontsize=7, frameon=False)
        axs[1].set_title("the error moves from reward to cue", fontsize=9)

        fig2, axs = plt.subplots(1, 3, figsize=(10, 3.2), constrained_layout=True)
        vb = r["value_B"]
        axs[0].bar(["blocking", "control"], [vb["blocking"], vb["blocking_control"]], color=["tab:red", "0.6"])
        axs[0].set_ylabel("V(B)"), axs[0].set_title("blocking", fontsize=9)
        axs[1].bar(["A -> R, then B -> A", "B -> A only"], [vb["second_order"], vb["second_order_control"]],
                   color=["tab:green", "0.6"])
        axs[1].set_ylabel("V(B)"), axs[1].set_title("second-order conditioning", fontsize=9)
        d = r["variable_timing_error_by_delay"]
        axs[2].plot(np.asarray(d["delay_steps"]) * c.dt / 1000, d["error"], "o-")
        axs[2].set_xlabel("reward delay after cue (s)"), axs[2].set_ylabel("error at reward")
        axs[2].set_title("variable reward timing (late trials)", fontsize=9)
        return {"rpe_acquisition_extinction": fig1, "blocking_second_order_timing": fig2}


def _onsets(c: Config, cues: dict[str, int]) -> np.ndarray:
    out = np.zeros((c.n_steps, 2), np.float32)
    for name, step in cues.items():
        out[step, ("A", "B").index(name)] = 1.0
    return out
