"""Recurrent networks trained by a reward-modulated Hebbian rule, without backpropagation (Miconi 2017).

Miconi (eLife 2017, 6:e20899) trained chaotic networks of tanh units (tau = 30 ms, gain 1.5) with nothing
but a scalar reward at the end of each trial: sparse random perturbations of the units, an eligibility
trace per synapse built from the cubed fluctuation of the postsynaptic unit and the presynaptic rate, and a
weight change at the end of the trial from the reward minus its running average
(:mod:`brainlike.plasticity`, :func:`~brainlike.plasticity.make_hebbian_step`). The answer is the rate of
one designated unit in the response period (+1 or -1), the reward minus its mean absolute error there.

Two of the paper's tasks, each learned by ``n_networks`` networks trained side by side (vmapped):

* the context task of Mante et al. (2013): two noisy streams, a cue saying which one to report
  (``ContextDecision`` with a 500 ms stimulus and a 200 ms response period, as in the paper);
* delayed non-match-to-sample (``DelayedMatch``): two stimuli 200 ms apart, answer whether they differed.

The analyses are the Mante experiment's: psychometric curves per context (logistic fits), the slope of the
relevant stream against that of the irrelevant one, and targeted dimensionality reduction of one
network's population during the stimulus. Learning is reported as trials to criterion (the running
accuracy during training, perturbations on, first reaching ``criterion``).

Departures from the paper, for speed on a CPU: 10 ms Euler steps (Miconi: 1 ms), 100 units (200), batches of
trials per update, and two changes to the rule that these call for (centred eligibility, an annealed
learning rate; see :mod:`brainlike.plasticity._perturbation`). ``--set rule=node_perturbation`` trains the
same networks by plain node perturbation instead.
"""

from __future__ import annotations

import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

from .. import analysis as A
from .._errors import ConfigError
from .._recording import Recording
from ..circuits import CTRNN
from ..plasticity import (PERTURBATION_RULES, HebbianLearner, Perturbation, make_hebbian_step, perturbed_run,
                          readout_choice)
from ..tasks import ContextDecision, DelayedMatch
from ._base import Evaluation, Experiment, at_least, register
from .mante2013 import _state_space, irrelevant_variance_ratio, psychometric_by_context

__all__ = ["Miconi2017", "Config"]

TASKS = ("context", "dnms")
VARIABLES = ("choice", "motion", "colour", "context")


@dataclasses.dataclass(frozen=True)
class Config:
    seed: int = 0
    tasks: tuple[str, ...] = TASKS
    n_networks: int = 20  # per task, trained side by side
    # circuit (Miconi 2017: 200 tanh units, tau 30 ms, gain 1.5, 1 ms steps)
    n_units: int = 100
    tau: float = 30.0  # ms
    dt: float = 10.0  # ms
    gain: float = 1.5
    # rule
    rule: str = "miconi"  # miconi | node_perturbation
    perturbation_rate: float = 3.0  # Hz per unit
    kick: float = 1.0
    trace: float = 0.05
    learning_rate: float = 0.01
    max_change: float = 1e-4  # per synapse and trial
    baseline_decay: float = 0.75
    center: bool = True
    anneal_trials: float = 30000.0  # learning rate x 1 / (1 + trials / anneal_trials); 0: constant (Miconi)
    batch_size: int = 8  # context trials per update (per network)
    dnms_batch_size: int = 4  # DNMS trials per update (it is learned in fewer trials)
    n_steps: int = 12000  # updates
    # context task (Miconi's timing: 500 ms stimulus, 200 ms response)
    coherence: float = 20.0  # % (both signs) during training
    stimulus_noise: float = 0.5
    stimulus: float = 500.0
    response: float = 200.0
    eval_coherences: tuple[float, ...] = (2.5, 5.0, 10.0, 20.0, 40.0)
    # delayed non-match-to-sample (200 ms stimuli and delays, 200 ms response)
    dnms_period: float = 200.0
    # evaluation
    criterion: float = 0.8  # running training accuracy that counts as learned (trials to criterion)
    eval_trials: int = 400  # fresh training-distribution trials per network, no perturbations
    eval_repeats: int = 10  # per (motion, colour, context) of the psychometric grid
    n_pcs: int = 8
    checkpoint_every: int = 250

    def __post_init__(self):
        for t in self.tasks:
            if t not in TASKS:
                raise ConfigError(f"miconi2017: unknown task {t!r}; known: {', '.join(TASKS)}")
        if not self.tasks:
            raise ConfigError("miconi2017: tasks is empty")
        if self.rule not in PERTURBATION_RULES:
            raise ConfigError(f"miconi2017: rule must be one of {', '.join(PERTURBATION_RULES)}, got {self.rule!r}")
        if min(self.n_networks, self.batch_size, self.dnms_batch_size, self.n_steps) < 1:
            raise ConfigError("miconi2017: n_networks, batch_size, dnms_batch_size and n_steps must be >= 1")

    @classmethod
    def smoke(cls) -> Config:
        return cls(n_networks=2, n_units=16, n_steps=20, batch_size=4, dnms_batch_size=2, eval_trials=16, eval_repeats=1,
                   checkpoint_every=10, n_pcs=3)

    @classmethod
    def quick(cls) -> Config:
        return cls()

    @classmethod
    def paper(cls) -> Config:
        return cls(n_units=200, n_steps=25000)


def _rule(c: Config) -> Perturbation:
    return Perturbation(rule=c.rule, rate=c.perturbation_rate, kick=c.kick, trace=c.trace,
                        learning_rate=c.learning_rate, max_change=c.max_change, baseline_decay=c.baseline_decay,
                        center=c.center, anneal_trials=c.anneal_trials)


def context_task(c: Config, coherences=None) -> ContextDecision:
    return ContextDecision(dt=c.dt, fixation=0.0, stimulus=c.stimulus, delay=0.0, decision=c.response,
                           coherences=(c.coherence,) if coherences is None else coherences, sigma=c.stimulus_noise)


def dnms_task(c: Config) -> DelayedMatch:
    p = c.dnms_period
    return DelayedMatch(dt=c.dt, rule="non_match", stimulus=p, delay=p, decision=c.response)


def _task(c: Config, name: str):
    return context_task(c) if name == "context" else dnms_task(c)


def _batch(c: Config, name: str) -> int:
    return c.batch_size if name == "context" else c.dnms_batch_size


def _trial_type(name: str):
    """Miconi keeps one reward baseline per trial type: context x correct answer, or the stimulus pair."""
    if name == "context":
        return lambda cond: cond["context"] * 2 + cond["choice"]
    return lambda cond: cond["sample"] * 2 + cond["test"]


def _quiet(c: Config) -> Perturbation:
    """The same network run without exploration (for testing)."""
    return dataclasses.replace(_rule(c), rate=0.0, kick=0.0)


@register
class Miconi2017(Experiment):
    name = "miconi2017"
    title = "Learning cognitive tasks with a reward-modulated Hebbian rule, without backpropagation (Miconi 2017)"
    paper = "Miconi 2017 eLife 6:e20899; Fiete & Seung 2006 Phys Rev Lett; Mante et al. 2013 Nature"
    Config = Config

    def init(self, c: Config, key):
        model = {}
        for i, name in enumerate(c.tasks):
            t = _task(c, name)

            def one(k, t=t):
                circuit = CTRNN(t.n_inputs, c.n_units, key=k, tau=c.tau, dt=c.dt, rate_fn="tanh", sigma_rec=0.0,
                                w_rec_gain=c.gain)
                return HebbianLearner(circuit, n_types=4)

            model[name] = eqx.filter_vmap(one)(jax.random.split(jax.random.fold_in(key, i), c.n_networks))
        return model

    def optimizer(self, c: Config):
        return optax.identity()  # the rule computes the weight change itself

    def step(self, c: Config, optimizer):
        rule = _rule(c)
        steps = {name: make_hebbian_step(_task(c, name), rule, batch_size=_batch(c, name),
                                         trial_type=_trial_type(name), criterion=c.criterion) for name in c.tasks}

        def step(model, opt_state, key):
            new, metrics = {}, {}
            for i, name in enumerate(c.tasks):
                keys = jax.random.split(jax.random.fold_in(key, i), c.n_networks)
                new[name], m = eqx.filter_vmap(steps[name])(model[name], keys)
                metrics[f"error/{name}"] = m["loss"].mean()
                metrics[f"running_accuracy/{name}"] = new[name].accuracy.mean()
                metrics[f"solved/{name}"] = jnp.mean(new[name].solved_at >= 0)
            metrics["loss"] = jnp.mean(jnp.stack([metrics[f"error/{n}"] for n in c.tasks]))
            return new, opt_state, metrics

        return step

    # -- analyses ------------------------------------------------------------------------------
    def evaluate(self, c: Config, model, key) -> Evaluation:
        quiet = _quiet(c)
        results: dict = {"rule": c.rule, "trials_per_update": {name: _batch(c, name) for name in c.tasks}}
        claims, artifacts, recordings = [], {}, {}
        for i, name in enumerate(c.tasks):
            learners = model[name]
            k_task = jax.random.fold_in(key, i)
            t = _task(c, name)
            trials = t.sample(jax.random.fold_in(k_task, 0), c.eval_trials)
            keys = jax.random.split(jax.random.fold_in(k_task, 1), c.n_networks)
            rates = eqx.filter_vmap(lambda lr, k: perturbed_run(lr.circuit, trials.inputs, quiet, key=k, eligibility=False)[0])(learners, keys)
            acc = np.array([_accuracy(r, trials) for r in np.asarray(rates)])
            solved = np.asarray(learners.solved_at)
            res = {"accuracy": acc.tolist(), "median_accuracy": float(np.median(acc)),
                   "trials_to_criterion": [int(s) if s >= 0 else None for s in solved],
                   "median_trials_to_criterion": float(np.median(solved[solved >= 0])) if (solved >= 0).any() else None,
                   "fraction_reaching_criterion": float(np.mean(solved >= 0)),
                   "trials_trained": int(np.asarray(learners.n_trials)[0])}
            results[name] = res
            if name == "context":
                claims.append(at_least("context task: median test accuracy over networks", res["median_accuracy"], 0.80,
                                       f"{c.n_networks} networks, no perturbations, +/-{c.coherence:g}% coherence"))
                ctx = self._context_analyses(c, learners, acc, jax.random.fold_in(k_task, 2))
                results["context"].update(ctx["results"])
                for ctx_name in ("motion", "colour"):
                    ratio = float(np.median(ctx["results"]["slope_ratio"][ctx_name]))
                    claims.append(at_least(f"{ctx_name} context: psychometric slope relevant / irrelevant (median)",
                                           ratio, 3.0, "logistic slope of P(choice 1) on the relevant stream over "
                                           "that on the irrelevant one, per network"))
                artifacts["context"] = ctx
                recordings["main"] = ctx["recording"]
            else:
                claims.append(at_least("DNMS: median test accuracy over networks", res["median_accuracy"], 0.90,
                                       f"{c.n_networks} networks, no perturbations"))
                grid = t.condition_grid(max(1, c.eval_repeats))
                g_trials = t.build(grid, key=jax.random.fold_in(k_task, 3))
                median_net = int(np.argsort(acc)[len(acc) // 2])
                one = jax.tree.map(lambda a: a[median_net] if eqx.is_array(a) else a, learners)
                r = np.asarray(perturbed_run(one.circuit, g_trials.inputs, quiet, key=jax.random.fold_in(k_task, 4), eligibility=False)[0])
                artifacts["dnms"] = {"rates": r, "conditions": {k: np.asarray(v) for k, v in g_trials.conditions.items()},
                                     "network": median_net}
                recordings["dnms"] = Recording(activity=r, dt=c.dt, conditions=artifacts["dnms"]["conditions"],
                                               outputs=r[..., :1],
                                               epochs={k: np.asarray(v) for k, v in g_trials.epochs.items()})
        return Evaluation(results=results, claims=claims, recordings=recordings, artifacts=artifacts)

    def _context_analyses(self, c: Config, learners, acc, key) -> dict:
        """Psychometric slopes per context for every network; TDR of the median network."""
        quiet = _quiet(c)
        t = context_task(c, c.eval_coherences)
        grid = t.build(t.condition_grid(c.eval_repeats), key=jax.random.fold_in(key, 0))
        keys = jax.random.split(jax.random.fold_in(key, 1), c.n_networks)
        rates = np.asarray(eqx.filter_vmap(lambda lr, k: perturbed_run(lr.circuit, grid.inputs, quiet, key=k, eligibility=False)[0])(learners, keys))
        cond = {k: np.asarray(v) for k, v in grid.conditions.items()}
        chosen = np.stack([_choices(r, grid) for r in rates])  # [networks trials]
        ratios = {"motion": [], "colour": []}
        slopes = {"motion": [], "colour": []}
        for ctx, relevant in enumerate(("motion", "colour")):
            irrelevant = "colour" if relevant == "motion" else "motion"
            sel = cond["context"] == ctx
            for k in range(c.n_networks):
                rel = A.fit_psychometric(cond[relevant][sel], chosen[k, sel], n_boot=0)
                irr = A.fit_psychometric(cond[irrelevant][sel], chosen[k, sel], n_boot=0)
                s_rel, s_irr = 1 / rel.params["scale"], 1 / irr.params["scale"]
                slopes[relevant].append([s_rel, s_irr])
                ratios[relevant].append(abs(s_rel) / max(abs(s_irr), 1e-12))
        # pooled curves (all networks) for the figure
        fits = {}
        for ctx, relevant in enumerate(("motion", "colour")):
            irrelevant = "colour" if relevant == "motion" else "motion"
            sel = cond["context"] == ctx
            x_rel = np.tile(cond[relevant][sel], c.n_networks)
            x_irr = np.tile(cond[irrelevant][sel], c.n_networks)
            y = chosen[:, sel].ravel()
            fits[relevant] = (A.fit_psychometric(x_rel, y, n_boot=0), A.fit_psychometric(x_irr, y, n_boot=0))
        # population analysis of the median network, during the stimulus
        median_net = int(np.argsort(acc)[len(acc) // 2])
        r = rates[median_net]
        out, _, _ = readout_choice(jnp.asarray(r), grid)
        rec = Recording(activity=r, dt=c.dt, conditions=cond, outputs=np.asarray(out)[..., None],
                        epochs={k: np.asarray(v) for k, v in grid.epochs.items()})
        res = {"slope_ratio": ratios, "slopes_relevant_irrelevant": slopes, "analysed_network": median_net}
        stim = np.asarray(grid.epochs["stimulus"][0])
        choice = np.where(chosen[median_net] == 1, 1.0, -1.0)
        tdr = window = None
        if np.unique(choice).size == 2:
            window = Recording(activity=r[:, stim[0]:stim[1]], dt=c.dt,
                               conditions={**cond, "choice": choice, "context": np.where(cond["context"] == 1, 1.0, -1.0)})
            tdr = A.targeted_dimensionality_reduction(window, VARIABLES, n_pcs=min(c.n_pcs, c.n_units))
            res["irrelevant_variance_ratio"] = irrelevant_variance_ratio(window, tdr, cond["context"])
        return {"results": res, "fits": fits, "recording": rec, "tdr": tdr, "window": window}

    def figures(self, c: Config, ev: Evaluation, metrics: list[dict]) -> dict:
        import matplotlib.pyplot as plt

        figs = {}
        fig, axs = plt.subplots(1, 2, figsize=(9, 3.4), constrained_layout=True)
        steps = np.array([m["step"] for m in metrics])
        for name in c.tasks:
            key = f"running_accuracy/{name}"
            if metrics and key in metrics[0]:
                axs[0].plot(steps * _batch(c, name), [m[key] for m in metrics], label=name)
            solved = [s for s in ev.results[name]["trials_to_criterion"] if s is not None]
            if solved:
                axs[1].hist(solved, bins=10, alpha=0.6, label=f"{name} ({len(solved)}/{c.n_networks})")
        axs[0].axhline(c.criterion, color="0.6", ls="--", lw=0.8)
        axs[0].set_xlabel("trials")
        axs[0].set_ylabel("running accuracy (mean of networks)")
        axs[0].legend(fontsize=7)
        axs[1].set_xlabel(f"trials to {c.criterion:.0%} (running accuracy)")
        axs[1].set_ylabel("networks")
        if axs[1].get_legend_handles_labels()[0]:
            axs[1].legend(fontsize=7)
        figs["learning"] = fig
        if "context" in ev.artifacts:
            a = ev.artifacts["context"]
            figs["psychometric_by_context"] = psychometric_by_context(a["fits"], ", all networks")
            if a["tdr"] is not None:
                figs["state_space"] = _state_space(a["window"], a["tdr"], {"motion": (), "colour": ()})
        if "dnms" in ev.artifacts:
            d = ev.artifacts["dnms"]
            fig, ax = plt.subplots(figsize=(5, 3.4), constrained_layout=True)
            t = np.arange(d["rates"].shape[1]) * c.dt
            for s in (0, 1):
                for q in (0, 1):
                    sel = (d["conditions"]["sample"] == s) & (d["conditions"]["test"] == q)
                    ax.plot(t, d["rates"][sel, :, 0].mean(0), "-" if s != q else "--", label="AB"[s] + "AB"[q])
            ax.set_xlabel("time (ms)")
            ax.set_ylabel("output unit rate")
            ax.set_title(f"DNMS, network {d['network']}: + different, - same", fontsize=9)
            ax.legend(fontsize=7)
            figs["dnms_output"] = fig
        return figs


def _choices(rates: np.ndarray, trials) -> np.ndarray:
    out, _, decision = readout_choice(jnp.asarray(rates), trials)
    mean = np.asarray((out * decision).sum(1) / jnp.maximum(decision.sum(1), 1.0))
    return (mean > 0).astype(int)


def _accuracy(rates: np.ndarray, trials) -> float:
    return float(np.mean(_choices(rates, trials) == np.asarray(trials.conditions["choice"])))
