"""Perceptual decisions: a recurrent network on the random-dot motion task behaves like a monkey.

Newsome, Britten & Movshon (1989); Britten et al. (1992); Roitman & Shadlen (2002); the network
version is the perceptual decision-making example of Mante et al. (2013) and Song, Yang & Wang (2016).

Two CTRNNs (relu units, tau = 100 ms, private noise) are trained by BPTT: one on the fixed-duration
task (stimulus of variable length, then a decision period) and one on the reaction-time variant
(stimulus stays on; the network may answer from ``rt_grace`` ms after its onset). The claims are the
monkey's behaviour: near-perfect at high coherence, chance at zero, a monotone psychometric curve that a
logistic function fits, and decision times that fall as coherence rises (the chronometric curve).
"""

from __future__ import annotations

import dataclasses

import equinox as eqx
import jax
import numpy as np
from scipy import stats

from .. import analysis as A
from .. import plot
from .._errors import ConfigError
from ..circuits import CTRNN, Network, run
from ..plasticity import FEEDBACK_RULES, adam, feedback_angles, feedback_optimizer, make_step, with_feedback
from ..tasks import PerceptualDecision
from ._base import Evaluation, Experiment, at_least, at_most, between, holds, register

__all__ = ["PerceptualDM", "Config"]


@dataclasses.dataclass(frozen=True)
class Config:
    seed: int = 0
    # credit assignment: bp (BPTT) or a rule without weight transport (plasticity.FEEDBACK_RULES), e.g.
    # --set rule=fa; mirror_lr (wm) and feedback_decay (kp) are the feedback pathway's own learning
    rule: str = "bp"
    mirror_lr: float = 0.05
    feedback_decay: float = 1e-3
    # circuit
    n_units: int = 64
    rate_fn: str = "relu"
    tau: float = 100.0  # ms
    dt: float = 20.0  # ms
    sigma_rec: float = 0.05  # private recurrent noise
    # task (NeuroGym timing; the Roitman & Shadlen coherence set)
    coherences: tuple[float, ...] = (0.0, 3.2, 6.4, 12.8, 25.6, 51.2)  # %
    stimulus_noise: float = 1.0  # NeuroGym sigma (per-step std sigma / sqrt(dt))
    fixation: float = 100.0  # ms
    stimulus_min: float = 500.0  # ms, fixed-duration task
    stimulus_max: float = 1500.0  # ms
    decision: float = 100.0  # ms
    rt_stimulus: float = 2000.0  # ms, longest viewing in the reaction-time task
    rt_grace: float = 100.0  # ms after stimulus onset during which the RT network is not scored
    # training (BPTT, Adam)
    n_steps: int = 1500
    batch_size: int = 64
    learning_rate: float = 3e-3
    grad_clip: float = 1.0
    rate_reg: float = 0.0
    weight_reg: float = 0.0
    checkpoint_every: int = 250  # steps
    # evaluation
    eval_repeats: int = 200  # trials per (coherence, direction)
    rt_threshold: float = 0.8  # decision bound on the choice probability
    n_boot: int = 200

    def __post_init__(self):
        if self.rule not in FEEDBACK_RULES:
            raise ConfigError(f"perceptual_dm: unknown rule {self.rule!r}; known: {', '.join(FEEDBACK_RULES)}")

    @classmethod
    def smoke(cls) -> Config:
        return cls(n_units=16, n_steps=20, batch_size=16, checkpoint_every=10, eval_repeats=10, n_boot=5)

    @classmethod
    def quick(cls) -> Config:
        return cls()

    @classmethod
    def paper(cls) -> Config:
        return cls(n_units=128, n_steps=10000, batch_size=64, eval_repeats=1000, n_boot=1000,
                   checkpoint_every=500)


def fixed_task(c: Config) -> PerceptualDecision:
    return PerceptualDecision(dt=c.dt, fixation=c.fixation, stimulus=(c.stimulus_min, c.stimulus_max),
                              delay=0.0, decision=c.decision, coherences=c.coherences, sigma=c.stimulus_noise)


def rt_task(c: Config) -> PerceptualDecision:
    return PerceptualDecision(dt=c.dt, fixation=c.fixation, stimulus=c.rt_stimulus, reaction_time=True,
                              grace=c.rt_grace, coherences=c.coherences, sigma=c.stimulus_noise)


def _largest_rise(mean: np.ndarray) -> float:
    steps = np.diff(mean)
    return float(np.max(steps)) if steps.size and np.isfinite(steps).all() else float("nan")


def _chronometric_trend(dt_ms, coherence, chrono) -> tuple[float, float]:
    """Spearman rho of mean decision time against coherence level, and Welch's t of single-trial decision
    times at the lowest against the highest level (NaN when undefined, e.g. all times equal)."""
    if np.ptp(chrono.mean) == 0 or not np.isfinite(chrono.mean).all():
        return float("nan"), float("nan")
    rho = float(stats.spearmanr(chrono.levels, chrono.mean).statistic)
    slow, fast = dt_ms[coherence == chrono.levels[0]], dt_ms[coherence == chrono.levels[-1]]
    if np.std(slow) == 0 and np.std(fast) == 0:
        return rho, float("nan")
    return rho, float(stats.ttest_ind(slow, fast, equal_var=False).statistic)


@register
class PerceptualDM(Experiment):
    name = "perceptual_dm"
    title = "Perceptual decisions in a trained RNN (random-dot motion)"
    paper = ("Newsome et al. 1989; Britten et al. 1992; Roitman & Shadlen 2002 J Neurosci; network after "
             "Mante et al. 2013 Nature and Song, Yang & Wang 2016 PLoS Comput Biol")
    Config = Config

    def init(self, c: Config, key):
        task = fixed_task(c)
        rt_task(c)  # validate timings before anything trains

        def net(k):
            k1, k2 = jax.random.split(k)
            core = CTRNN(task.n_inputs, c.n_units, key=k1, tau=c.tau, dt=c.dt, rate_fn=c.rate_fn,
                         sigma_rec=c.sigma_rec)
            return with_feedback(Network(core, task.n_outputs, key=k2), c.rule, key=jax.random.fold_in(k, 7))
        k_fixed, k_rt = jax.random.split(key)
        return {"fixed": net(k_fixed), "rt": net(k_rt)}

    def optimizer(self, c: Config):
        if c.rule == "bp":
            return adam(c.learning_rate, c.grad_clip)
        return feedback_optimizer(c.rule, adam(c.learning_rate, c.grad_clip), mirror_lr=c.mirror_lr,
                                  decay=c.feedback_decay)

    def init_optimizer(self, c, optimizer, model):
        return {k: optimizer.init(eqx.filter(m, eqx.is_inexact_array)) for k, m in model.items()}

    def step(self, c: Config, optimizer):
        kw = dict(batch_size=c.batch_size, loss="cross_entropy", rate_reg=c.rate_reg, weight_reg=c.weight_reg)
        steps = {"fixed": make_step(fixed_task(c), optimizer, **kw), "rt": make_step(rt_task(c), optimizer, **kw)}

        def step(model, opt_state, key):
            keys = dict(zip(steps, jax.random.split(key, len(steps))))
            new_model, new_opt, metrics = {}, {}, {}
            for name, fn in steps.items():
                new_model[name], new_opt[name], m = fn(model[name], opt_state[name], keys[name])
                metrics.update({f"{name}_{k}": v for k, v in m.items()})
            metrics["loss"] = metrics["fixed_loss"] + metrics["rt_loss"]
            return new_model, new_opt, metrics

        return step

    def evaluate(self, c: Config, model, key) -> Evaluation:
        k1, k2, k3, k4 = jax.random.split(key, 4)
        # -- fixed duration: accuracy and psychometric curve -----------------------------------
        task = fixed_task(c)
        rec = run(model["fixed"], task.build(task.condition_grid(c.eval_repeats), key=k1), key=k2)
        chosen = A.choices(rec)
        cond = rec.conditions
        correct = chosen == cond["choice"]
        rec = dataclasses.replace(rec, conditions={**cond, "chosen": chosen, "correct": correct.astype(np.int32)})
        levels, acc, _, n = A.by_condition(correct, cond["coherence"])
        logistic = A.fit_psychometric(cond["signed_coherence"], chosen == 1, kind="logistic", n_boot=c.n_boot)
        weib = A.fit_psychometric(cond["coherence"], correct, kind="weibull", n_boot=c.n_boot)
        average = A.condition_average(rec, ["signed_coherence"])
        pcs = A.pca(average.values, n_components=3)

        # -- reaction time: chronometric curve ------------------------------------------------
        rtask = rt_task(c)
        rrec = run(model["rt"], rtask.build(rtask.condition_grid(c.eval_repeats), key=k3), key=k4)
        # Every trial counts; a trial that never reaches the bound is censored at the end of viewing.
        dt_ms, rt_choice = A.decision_times(rrec, threshold=c.rt_threshold, undecided="censor")
        rt_correct = rt_choice == rrec.conditions["choice"]
        rt_coh = rrec.conditions["coherence"]
        chrono = A.chronometric(dt_ms, rt_coh)
        rho, t_slow_fast = _chronometric_trend(dt_ms, rt_coh, chrono)
        rrec = dataclasses.replace(rrec, conditions={**rrec.conditions, "decision_time": dt_ms,
                                                     "chosen": rt_choice, "correct": rt_correct.astype(np.int32)})

        top, zero = float(acc[-1]), float(acc[levels == 0][0]) if (levels == 0).any() else float("nan")
        claims = [
            at_least("accuracy at the highest coherence", top, 0.95,
                     f"fraction correct at {levels[-1]:g}% coherence, fixed-duration task"),
            between("accuracy at zero coherence", zero, 0.40, 0.60,
                    "chance: the rewarded side is random when there is no net motion"),
            holds("psychometric curve is monotone", logistic.monotone,
                  "P(choose option 1) never decreases with signed coherence"),
            at_least("logistic fit R^2", logistic.r2, 0.95,
                     "maximum-likelihood logistic fit to single-trial choices, R^2 on the proportions"),
            at_most("reaction time: rank correlation of mean decision time with coherence", rho, -0.9,
                    "Spearman rho across coherence levels of the mean decision time (all trials)"),
            at_least("reaction time: slower at the lowest than at the highest coherence (Welch t)",
                     t_slow_fast, 3.0, "single-trial decision times, lowest vs highest coherence"),
        ]
        results = {
            "accuracy": {"coherence": levels.tolist(), "accuracy": acc.tolist(), "n": n.tolist()},
            "psychometric_logistic": logistic.to_dict(),
            "psychometric_weibull": weib.to_dict(),
            "chronometric": chrono.to_dict(),
            "chronometric_strictly_decreasing": chrono.decreasing,
            "chronometric_largest_rise_ms": _largest_rise(chrono.mean),
            "rt_accuracy": float(np.mean(rt_correct)),
            "rt_fraction_decided": float(np.mean(np.isfinite(dt_ms))),
            "pca_explained_variance_ratio": pcs.explained_variance_ratio.tolist(),
            "rule": c.rule,
        }
        if c.rule != "bp":  # alignment of feedback with forward weights (degrees): [w_in, w_rec, readout]
            results["feedback_forward_angle"] = {
                name: [float(a) if np.isfinite(a) else None for a in np.asarray(feedback_angles(net))]
                for name, net in model.items()}
        return Evaluation(results=results, claims=claims, recordings={"main": rec, "rt": rrec},
                          artifacts={"logistic": logistic, "weibull": weib, "chrono": chrono,
                                     "average": average, "pca": pcs})

    def figures(self, c: Config, ev: Evaluation, metrics: list[dict]) -> dict:
        a = ev.artifacts
        figs = {
            "psychometric": plot.psychometric(a["logistic"])[0],
            "psychometric_weibull": plot.psychometric(a["weibull"])[0],
            "chronometric": plot.chronometric(a["chrono"])[0],
            "pca_trajectories": plot.pca_trajectories(a["average"], a["pca"], color_by="signed_coherence")[0],
        }
        rows = [m for m in metrics if m.get("seed", 0) == 0]
        if rows:
            fig, ax = plot.training_curve([m["step"] for m in rows], [m["fixed_loss"] for m in rows],
                                          label="fixed duration")
            plot.training_curve([m["step"] for m in rows], [m["rt_loss"] for m in rows], ax=ax,
                                label="reaction time")
            figs["training"] = fig
        return figs
