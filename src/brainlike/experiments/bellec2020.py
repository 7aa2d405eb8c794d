"""e-prop: a learning rule for recurrent spiking networks without backpropagation through time (Bellec,
Scherr, Subramoney, Hajek, Salaj, Legenstein & Maass 2020 Nat Commun 11:3625, "A solution to the learning
dilemma for recurrent networks of spiking neurons", Fig. 3).

LSNNs (LIF neurons, half of them with adaptive thresholds over seconds) learn delayed evidence
accumulation (:class:`~brainlike.tasks.EvidenceAccumulation`, the towers task of Morcos & Harvey 2016):
seven cues, each on the left or on the right, a delay, then report the side with more cues. The same
networks, from the same initial weights and on the same trials, learn it by three rules side by side:

* ``bptt``: backpropagation through time with the surrogate gradient (the machine-learning reference);
* ``eprop``: symmetric e-prop (:func:`~brainlike.plasticity.eprop_gradients`): eligibility traces local to
  each synapse, including the slow adaptation component, times a learning signal broadcast from the
  output error through the readout weights;
* ``eprop_random``: random e-prop, the learning signal through fixed random weights (no weight transport).

Inputs are Poisson spike trains (cue populations at 40 Hz, background at 10 Hz); firing is regularised
towards ``rate_target_hz`` as in the paper. e-prop's updates are computed by ``eprop_method``: ``"autodiff"``
(default, the cost of a BPTT pass) or ``"traces"`` (the forward eligibility traces themselves); the two give
the same numbers (tests/plasticity/test_eprop.py). The analysis is the behavioural one of the towers task:
accuracy, the psychometric curve of P(right) against the cue difference (right - left), learning curves.

Claims: BPTT learns the task (>= 0.90); e-prop comes within 5 points of BPTT; e-prop networks fire at a
biological mean rate (1-40 Hz).
"""

from __future__ import annotations

import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .. import analysis as A
from .. import plot
from .._errors import ConfigError
from .._recording import Recording
from ..circuits import ALIF, Network
from ..plasticity import adam, make_eprop_step, make_step, random_feedback
from ..plasticity._eprop import METHODS as EPROP_METHODS
from ..tasks import Encoded, EvidenceAccumulation
from ._base import Evaluation, Experiment, at_least, at_most, between, member, register
from .bellec2018 import run_batch, scored_choices

__all__ = ["Bellec2020", "Config", "RULES"]

RULES = ("bptt", "eprop", "eprop_random")


@dataclasses.dataclass(frozen=True)
class Config:
    seed: int = 0
    rules: tuple[str, ...] = RULES
    networks: int = 2  # per rule; network i starts from the same weights under every rule
    # LSNN
    n_units: int = 100
    frac_adaptive: float = 0.5
    tau_m: float = 20.0  # ms
    tau_adapt: float = 2000.0  # ms
    beta: float = 50.0  # threshold rise of a neuron firing once per step (circuits.LIF)
    refractory: float = 5.0  # ms
    dampening: float = 0.3
    readout_tau: float = 20.0  # ms
    w_in_gain: float = 4.0  # input weights N(0, (gain v_th)^2 / n_in): the network fires from the first trial
    # task
    dt: float = 5.0  # ms
    n_cues: int = 7
    cue: float = 100.0  # ms
    gap: float = 50.0  # ms
    delay: float = 500.0  # ms (the paper: 1050)
    decision: float = 150.0  # ms
    n_per_channel: int = 10
    input_rate: float = 40.0  # Hz of a cue neuron; the background population fires at a quarter of it
    # training (Adam on each rule's gradient estimate; cross-entropy in the decision period)
    n_steps: int = 2000  # the paper's iterations
    batch_size: int = 64
    learning_rate: float = 5e-3
    rate_target_hz: float = 10.0
    rate_reg: float = 1.0
    eprop_method: str = "autodiff"  # "traces": the same updates from forward eligibility traces, ~5x slower
    checkpoint_every: int = 250
    # analysis
    eval_trials: int = 512

    def __post_init__(self):
        unknown = sorted(set(self.rules) - set(RULES))
        if unknown or len(set(self.rules)) != len(self.rules) or not self.rules:
            raise ConfigError(f"bellec2020: rules must be distinct names of {', '.join(RULES)}, got {self.rules}")
        if self.networks < 1 or self.n_units < 2 or self.eval_trials < 2:
            raise ConfigError("bellec2020: networks >= 1, n_units >= 2 and eval_trials >= 2 are needed")
        if not 0 < self.frac_adaptive <= 1:
            raise ConfigError(f"bellec2020: frac_adaptive must be in (0, 1], got {self.frac_adaptive}")
        if self.rate_target_hz < 0 or self.rate_reg < 0:
            raise ConfigError("bellec2020: rate_target_hz and rate_reg must be >= 0")
        if self.eprop_method not in EPROP_METHODS:
            raise ConfigError(f"bellec2020: eprop_method must be one of {', '.join(EPROP_METHODS)}, "
                              f"got {self.eprop_method!r}")

    @classmethod
    def smoke(cls) -> Config:
        return cls(networks=1, n_units=8, n_steps=4, batch_size=4, checkpoint_every=2, n_cues=3, cue=20.0,
                   gap=10.0, delay=20.0, decision=20.0, n_per_channel=2, eval_trials=8)

    @classmethod
    def quick(cls) -> Config:
        return cls()

    @classmethod
    def paper(cls) -> Config:
        return cls(networks=5, dt=1.0, delay=1050.0)


def make_task(c: Config) -> Encoded:
    return Encoded(EvidenceAccumulation(dt=c.dt, n_cues=c.n_cues, cue=c.cue, gap=c.gap, delay=c.delay,
                                        decision=c.decision), n_per_channel=c.n_per_channel, max_rate=c.input_rate)


def make_network(c: Config, n_in: int, key) -> Network:
    k1, k2 = jax.random.split(key)
    circuit = ALIF(n_in, c.n_units, key=k1, frac_adaptive=c.frac_adaptive, beta=c.beta, dt=c.dt, tau_m=c.tau_m,
                   tau_adapt=c.tau_adapt, refractory=c.refractory, dampening=c.dampening,
                   w_in_gain=c.w_in_gain)
    return Network(circuit, 2, key=k2, readout_tau=c.readout_tau)


@register
class Bellec2020(Experiment):
    name = "bellec2020"
    title = "e-prop vs BPTT: spiking networks (LSNN) learn delayed evidence accumulation"
    paper = "Bellec, Scherr, Subramoney, Hajek, Salaj, Legenstein & Maass 2020 Nat Commun 11:3625"
    Config = Config

    def init(self, c: Config, key):
        task = make_task(c)
        nets = eqx.filter_vmap(lambda k: make_network(c, task.n_inputs, k))(jax.random.split(key, c.networks))
        model = {rule: nets for rule in c.rules}  # every rule starts from the same networks
        if "eprop_random" in c.rules:  # fixed random broadcast weights, one matrix per network, never trained
            model["feedback"] = eqx.filter_vmap(lambda n, k: random_feedback(n, k))(
                nets, jax.random.split(jax.random.fold_in(key, 1), c.networks))
        return model

    def optimizer(self, c: Config):
        return adam(c.learning_rate)

    def init_optimizer(self, c, optimizer, model):
        return {rule: eqx.filter_vmap(lambda m: optimizer.init(eqx.filter(m, eqx.is_inexact_array)))(model[rule])
                for rule in c.rules}

    def step(self, c: Config, optimizer):
        task = make_task(c)
        kw = dict(batch_size=c.batch_size, rate_reg=c.rate_reg, rate_target=c.rate_target_hz * c.dt / 1000.0)

        def one(rule):
            if rule == "bptt":
                return eqx.filter_vmap(make_step(task, optimizer, **kw), in_axes=(0, 0, None))

            def step(net, opt_state, feedback, key):
                return make_eprop_step(task, optimizer, feedback=feedback, method=c.eprop_method, **kw)(
                    net, opt_state, key)

            if rule == "eprop":
                return eqx.filter_vmap(lambda n, o, k: step(n, o, None, k), in_axes=(0, 0, None))
            return eqx.filter_vmap(step, in_axes=(0, 0, 0, None))

        steps = {rule: one(rule) for rule in c.rules}

        def step(model, opt_state, key):
            new_model, new_opt, metrics, losses = dict(model), {}, {}, []
            for rule in c.rules:
                args = (model["feedback"],) if rule == "eprop_random" else ()
                new_model[rule], new_opt[rule], m = steps[rule](model[rule], opt_state[rule], *args, key)
                metrics[f"{rule}_loss"] = m["loss"].mean()
                metrics[f"{rule}_accuracy"] = m["step_accuracy"].mean()
                metrics[f"{rule}_rate_hz"] = m["mean_rate"].mean() * 1000.0 / c.dt
                losses.append(m["loss"])
            metrics["loss"] = jnp.concatenate(losses).mean()
            return new_model, new_opt, metrics

        return step

    def evaluate(self, c: Config, model, key) -> Evaluation:
        k_trials, k_run = jax.random.split(key)
        trials = make_task(c).sample(k_trials, c.eval_trials)
        choice = np.asarray(trials.conditions["choice"])
        evidence = np.asarray(trials.conditions["evidence"])
        accuracy, rates, curves, fits, recordings = {}, {}, {}, {}, {}
        levels = np.arange(-c.n_cues, c.n_cues + 1, 2)
        for rule in c.rules:
            acc, rate, right = [], [], []
            for i in range(c.networks):
                net = member(model[rule], i)
                z, outputs = run_batch(net, trials.inputs, k_run)
                chosen = scored_choices(outputs, trials.mask)  # 0 left, 1 right
                acc.append(float(np.mean(chosen == choice)))
                rate.append(float(np.mean(np.asarray(z))) * 1000.0 / c.dt)
                right.append(chosen)
                if i == 0:
                    recordings[rule] = Recording(
                        activity=np.asarray(z), dt=c.dt,
                        conditions={k: np.asarray(v) for k, v in trials.conditions.items()},
                        epochs={k: np.asarray(v) for k, v in trials.epochs.items()},
                        outputs=np.asarray(outputs), mask=np.asarray(trials.mask),
                        units={"adaptive": np.asarray(net.circuit.beta) > 0})
            right = np.concatenate(right)
            ev = np.tile(evidence, c.networks)
            curves[rule] = [float(np.mean(right[ev == k])) if np.any(ev == k) else float("nan") for k in levels]
            fits[rule] = A.fit_psychometric(ev, right, n_boot=0)
            accuracy[rule], rates[rule] = acc, rate

        mean_acc = {rule: float(np.mean(v)) for rule, v in accuracy.items()}
        claims = []
        if "bptt" in mean_acc:
            claims.append(at_least("BPTT learns delayed evidence accumulation (test accuracy)", mean_acc["bptt"],
                                   0.90, f"{c.networks} LSNNs of {c.n_units} neurons, {c.n_cues} cues, "
                                   f"{c.delay:g} ms delay, {c.n_steps} updates"))
        if "eprop" in mean_acc and "bptt" in mean_acc:
            claims.append(at_most("e-prop comes within 5 points of BPTT (accuracy gap, points)",
                                  100.0 * (mean_acc["bptt"] - mean_acc["eprop"]), 5.0,
                                  "symmetric e-prop, same initial networks and trials"))
        for rule in ("eprop", "eprop_random"):
            if rule in rates:
                claims.append(between(f"{rule} networks fire at a biological rate (mean, Hz)",
                                      float(np.mean(rates[rule])), 1.0, 40.0,
                                      f"regularised towards {c.rate_target_hz:g} Hz"))
        results = {"accuracy": accuracy, "accuracy_mean": mean_acc, "mean_rate_hz": rates,
                   "p_right_by_evidence": {"evidence": levels.tolist(), **curves},
                   "psychometric": {rule: f.to_dict() for rule, f in fits.items()}}
        return Evaluation(results=results, claims=claims, recordings=recordings, artifacts={"fits": fits})

    def figures(self, c: Config, ev: Evaluation, metrics: list[dict]) -> dict:
        figs = {}
        ax = None
        for color, (rule, fit) in zip(("k", "C0", "C1"), ev.artifacts["fits"].items()):
            fig, ax = plot.psychometric(fit, ax, label=rule, color=color)
        ax.set_xlabel("cues right - cues left")
        ax.set_ylabel("P(report right)")
        ax.set_title("towers task: psychometric curves", fontsize=9)
        ax.legend(frameon=False, fontsize=8)
        figs["psychometric"] = fig
        for rule, rec in ev.recordings.items():
            trial = int(np.argmin(np.abs(rec.conditions["evidence"])))  # a hard trial
            epochs = {k: v[trial] for k, v in rec.epochs.items()}
            figs[f"raster_{rule}"] = plot.raster(rec.activity[trial], rec.dt, epochs=epochs,
                                                 title=f"{rule}: evidence {int(rec.conditions['evidence'][trial]):+d}")[0]
        rows = [m for m in metrics if m.get("seed", 0) == 0]
        if rows:
            ax = None
            for rule in c.rules:
                fig, ax = plot.training_curve([m["step"] for m in rows], [m[f"{rule}_loss"] for m in rows], ax,
                                              label=rule)
            figs["training"] = fig
        return figs
