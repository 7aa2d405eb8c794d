"""Context-dependent integration by recurrent dynamics (Mante, Sussillo, Shenoy & Newsome 2013 Nature).

A CTRNN of tanh units as in the paper (or, with ``--set circuit=eirnn``, an excitatory-inhibitory network of
rectified units obeying Dale's law, Song, Yang & Wang 2016) is trained by BPTT on the context task: report
the sign of the motion or of the colour coherence of a noisy stimulus, as a context cue says. Training
stimuli last 300-3000 ms, so that only integrating all the evidence does well; the analysed trials use the
monkeys' 750 ms. The network is then analysed as the paper analysed it and the monkeys' prefrontal cortex:
psychometric curves per context; targeted dimensionality reduction (choice, motion, colour, context axes);
slow points in each context (Sussillo & Barak 2013), searched from the states the trials visit and stopped
once slow, with their linearisation. The geometry of the slow points is measured where the paper plots it
(Fig. 5), on the orthogonal TDR axes; the same measures in the whole denoising subspace are in the results.

The claims are the paper's: the relevant input drives the choice and the irrelevant one does not; in each
context the slow points form a line (an approximate line attractor) along the choice axis with a slow
mode of time constant >> tau; the irrelevant input is still represented in the population; and the
selection happens in the recurrent dynamics: each input projects onto the slow mode's left eigenvector
(the selection vector) much more in the context where it is relevant, although the input weights are the
same in both contexts.
"""

from __future__ import annotations

import dataclasses

import jax
import numpy as np

from .. import analysis as A
from .. import plot
from .._errors import ConfigError
from ..circuits import CTRNN, EIRNN, Network, hidden_states, run
from ..plasticity import FEEDBACK_RULES, adam, feedback_angles, feedback_optimizer, make_step, with_feedback
from ..tasks import ContextDecision
from ._base import Evaluation, Experiment, at_least, register

__all__ = ["Mante2013", "Config"]

VARIABLES = ("choice", "motion", "colour", "context")
MOTION, COLOUR = (1, 2), (3, 4)  # input channels (option 0, option 1) of each stream
FIXATION, CONTEXT = 0, (5, 6)


@dataclasses.dataclass(frozen=True)
class Config:
    seed: int = 0
    # credit assignment: bp (BPTT) or a rule without weight transport (plasticity.FEEDBACK_RULES), e.g.
    # --set rule=fa; mirror_lr (wm) and feedback_decay (kp) are the feedback pathway's own learning
    rule: str = "bp"
    mirror_lr: float = 0.05
    feedback_decay: float = 1e-3
    circuit: str = "ctrnn"  # ctrnn | eirnn
    n_units: int = 100
    rate_fn: str = "auto"  # auto: tanh for the CTRNN (as the paper's network), relu for the EIRNN (Song 2016)
    tau: float = 100.0  # ms
    dt: float = 20.0  # ms
    sigma_rec: float | None = None  # None: 0.05 for the CTRNN, 0.15 for the EIRNN (Song, Yang & Wang 2016)
    # task
    coherences: tuple[float, ...] = (5.0, 15.0, 50.0)  # % (both signs)
    stimulus_noise: float = 1.0
    fixation: float = 200.0  # ms
    stimulus: float = 750.0  # ms, as the monkeys saw it: the duration of the analysed trials
    # training stimuli last between min and max ms: the network cannot know when the evidence ends, and
    # must integrate it all (a fixed 750 ms lets a leaky integrator of ~stimulus length do as well)
    train_stimulus_min: float = 300.0
    train_stimulus_max: float = 3000.0
    delay_min: float = 0.0  # ms
    delay_max: float = 300.0  # ms
    decision: float = 200.0  # ms
    # training
    n_steps: int = 3000
    batch_size: int = 64
    learning_rate: float = 3e-3
    grad_clip: float = 1.0
    rate_reg: float = 1e-3
    checkpoint_every: int = 500
    # evaluation
    eval_repeats: int = 20  # trials per (motion, colour, context)
    n_pcs: int = 12  # TDR denoising
    fp_initial_states: int = 256
    fp_iterations: int = 3000
    fp_tol: float = 1e-2  # speed below which a point counts as slow ...
    fp_slowest_fraction: float = 1.0  # ... and of those, this fraction, the slowest
    fp_stop_speed: float = 1e-4  # a point stops moving below this speed: the slow points where trajectories pass
    n_boot: int = 50

    def __post_init__(self):
        if self.circuit not in ("ctrnn", "eirnn"):
            raise ConfigError(f"mante2013: circuit must be 'ctrnn' or 'eirnn', got {self.circuit!r}")
        if self.rule not in FEEDBACK_RULES:
            raise ConfigError(f"mante2013: unknown rule {self.rule!r}; known: {', '.join(FEEDBACK_RULES)}")
        if self.rule != "bp" and self.circuit != "ctrnn":
            raise ConfigError(f"mante2013: rule={self.rule!r} needs circuit='ctrnn' (feedback rules are not "
                              "implemented for the Dale's-law network)")

    @classmethod
    def smoke(cls) -> Config:
        return cls(n_units=20, n_steps=20, batch_size=16, checkpoint_every=10, eval_repeats=2,
                   fp_initial_states=16, fp_iterations=50, fp_tol=1.0, n_boot=3, n_pcs=4)

    @classmethod
    def quick(cls) -> Config:
        return cls()

    @classmethod
    def paper(cls) -> Config:
        return cls(n_steps=20000, eval_repeats=60, fp_initial_states=1024, fp_iterations=10000, n_boot=500)


def task(c: Config, training: bool = False) -> ContextDecision:
    stimulus = (c.train_stimulus_min, c.train_stimulus_max) if training else c.stimulus
    return ContextDecision(dt=c.dt, fixation=c.fixation, stimulus=stimulus, delay=(c.delay_min, c.delay_max),
                           decision=c.decision, coherences=c.coherences, sigma=c.stimulus_noise)


def rate_fn(c: Config) -> str:
    if c.rate_fn != "auto":
        return c.rate_fn
    return "tanh" if c.circuit == "ctrnn" else "relu"


def sigma_rec(c: Config) -> float:
    if c.sigma_rec is not None:
        return c.sigma_rec
    return 0.05 if c.circuit == "ctrnn" else 0.15


def _effective(circuit):
    return circuit.effective() if hasattr(circuit, "effective") else circuit


@register
class Mante2013(Experiment):
    name = "mante2013"
    title = "Context-dependent integration by recurrent dynamics (Mante et al. 2013)"
    paper = "Mante, Sussillo, Shenoy & Newsome 2013 Nature 503:78; Sussillo & Barak 2013 Neural Comput"
    Config = Config

    def init(self, c: Config, key):
        t = task(c)
        k1, k2 = jax.random.split(key)
        kw = dict(tau=c.tau, dt=c.dt, sigma_rec=sigma_rec(c), rate_fn=rate_fn(c))
        core = (CTRNN(t.n_inputs, c.n_units, key=k1, **kw) if c.circuit == "ctrnn"
                else EIRNN(t.n_inputs, c.n_units, key=k1, **kw))
        return with_feedback(Network(core, t.n_outputs, key=k2), c.rule, key=jax.random.fold_in(key, 7))

    def optimizer(self, c: Config):
        if c.rule == "bp":
            return adam(c.learning_rate, c.grad_clip)
        return feedback_optimizer(c.rule, adam(c.learning_rate, c.grad_clip), mirror_lr=c.mirror_lr,
                                  decay=c.feedback_decay)

    def step(self, c: Config, optimizer):
        return make_step(task(c, training=True), optimizer, batch_size=c.batch_size, rate_reg=c.rate_reg)

    # -- analyses ------------------------------------------------------------------------------
    def evaluate(self, c: Config, model, key) -> Evaluation:
        k1, k2, k3, k4 = jax.random.split(key, 4)
        t = task(c)
        rec = run(model, t.build(t.condition_grid(c.eval_repeats), key=k1), key=k2)
        cond = rec.conditions
        chosen = A.choices(rec)
        correct = chosen == cond["choice"]
        coh = {"motion": cond["motion"], "colour": cond["colour"]}
        ctx_names = ("motion", "colour")

        # behaviour: accuracy at the strongest coherence, psychometric slopes per context
        results: dict = {"accuracy": {}, "slopes": {}, "rule": c.rule}
        if c.rule != "bp":  # alignment of the feedback with the forward weights, degrees: [w_in, w_rec, readout]
            results["feedback_forward_angle"] = [float(a) if np.isfinite(a) else None for a in np.asarray(feedback_angles(model))]
        claims = []
        fits = {}
        strongest = float(np.max(c.coherences))
        for ctx, relevant in enumerate(ctx_names):
            irrelevant = ctx_names[1 - ctx]
            sel = cond["context"] == ctx
            strong = sel & (np.abs(coh[relevant]) == strongest)
            acc = float(np.mean(correct[strong]))
            fit_rel = A.fit_psychometric(coh[relevant][sel], chosen[sel] == 1, n_boot=c.n_boot)
            fit_irr = A.fit_psychometric(coh[irrelevant][sel], chosen[sel] == 1, n_boot=c.n_boot)
            slope_rel, slope_irr = 1 / fit_rel.params["scale"], 1 / fit_irr.params["scale"]
            ratio = abs(slope_rel) / max(abs(slope_irr), 1e-12)
            fits[relevant] = (fit_rel, fit_irr)
            results["accuracy"][f"{relevant} context"] = acc
            results["slopes"][f"{relevant} context"] = {"relevant": slope_rel, "irrelevant": slope_irr}
            claims.append(at_least(f"{relevant} context: accuracy at {strongest:g}% coherence", acc, 0.90))
            claims.append(at_least(f"{relevant} context: psychometric slope relevant / irrelevant", ratio, 5.0,
                                   f"logistic slope of P(choice 1) on {relevant} over that on {irrelevant}"))

        # population: targeted dimensionality reduction during the stimulus
        stim = rec.epochs["stimulus"][0]
        window = dataclasses.replace(rec, activity=rec.activity[:, stim[0]:stim[1]], t=rec.t[stim[0]:stim[1]],
                                     conditions={**cond, "choice": np.where(chosen == 1, 1.0, -1.0),
                                                 "context": np.where(cond["context"] == 1, 1.0, -1.0)},
                                     epochs={}, inputs=None, outputs=None, targets=None, mask=None)
        if np.unique(window.conditions["choice"]).size < 2:  # untrained: no choice axis to regress on
            why = "not measured: the network makes the same choice on every trial"
            claims += [at_least(name, float("nan"), threshold, why) for name, threshold in _population_claims()]
            return Evaluation(results=results, claims=claims, recordings={"main": rec}, artifacts={"fits": fits})
        tdr = A.targeted_dimensionality_reduction(window, VARIABLES, n_pcs=c.n_pcs)
        # the irrelevant input stays represented along its own axis
        results["irrelevant_variance_ratio"] = irrelevant_variance_ratio(window, tdr, cond["context"])
        for name, ratio in results["irrelevant_variance_ratio"].items():
            claims.append(at_least(f"{name}: variance along its axis when irrelevant / when relevant", ratio, 0.5,
                                   "the irrelevant input is not gated out of the population"))

        # dynamics: slow points of each context, their line, slow mode and selection vectors
        circuit = _effective(model.circuit)
        w_in = np.asarray(circuit.w_in, np.float64)
        input_vec = {"motion": w_in[:, MOTION[1]] - w_in[:, MOTION[0]],
                     "colour": w_in[:, COLOUR[1]] - w_in[:, COLOUR[0]]}
        # initial states: the circuit's states (x, not rates) visited during the stimulus and just after
        grid = t.condition_grid(2)
        states = np.asarray(hidden_states(model, t.build(grid, key=k3).inputs, key=k4))
        ctx_of = np.asarray(grid["context"])
        rng = np.random.default_rng(c.seed)
        slow = {}
        for ctx, relevant in enumerate(ctx_names):
            u = np.zeros(circuit.n_in)
            u[FIXATION], u[CONTEXT[ctx]] = 1.0, 1.0
            u[[*MOTION, *COLOUR]] = 0.5  # the stimulus at zero coherence
            pool = states[ctx_of == ctx][:, stim[0]:stim[1] + 10].reshape(-1, states.shape[-1])
            h0 = pool[rng.choice(len(pool), min(c.fp_initial_states, len(pool)), replace=False)]
            fp = A.find_fixed_points(circuit, h0, u, n_iter=c.fp_iterations, tol=c.fp_tol, merge_distance=1e-3,
                                     slowest_fraction=c.fp_slowest_fraction, stop_speed=c.fp_stop_speed)
            slow[relevant] = fp
            res = {"n_points": len(fp)}
            if len(fp) >= 2:
                # geometry in the paper's state space (Fig. 5): the orthogonal task axes of TDR
                z = tdr.project(fp.rates)
                z = z - z.mean(0)
                _, sv, vt = np.linalg.svd(z, full_matrices=False)
                line_var = float(sv[0] ** 2 / np.sum(sv**2))
                align = float(abs(vt[0, tdr.variables.index("choice")]))
                # and in the whole denoising subspace (top PCs of the condition averages), for the record
                zp = tdr.denoise(fp.rates)
                zp = zp - zp.mean(0)
                _, svp, vtp = np.linalg.svd(zp, full_matrices=False)
                res["pc_subspace"] = {"line_variance": float(svp[0] ** 2 / np.sum(svp**2)),
                                      "choice_alignment": float(abs((vtp[0] @ tdr.pcs) @ tdr.axis("choice")))}
            else:
                line_var, align = float("nan"), float("nan")
            tc = float(np.median(fp.time_constants)) if len(fp) else float("nan")
            sel_gain = {name: float(np.median(np.abs(np.real(fp.left[:, 0, :]) @ vec))) if len(fp) else float("nan")
                        for name, vec in input_vec.items()}
            res.update(line_variance=line_var, choice_alignment=align, slow_time_constant_ms=tc,
                       selection_gain=sel_gain, top_eigenvalues=np.abs(fp.eigenvalues[:, :3]).tolist()[:5])
            results.setdefault("slow_points", {})[f"{relevant} context"] = res
            claims += [
                at_least(f"{relevant} context: slow points on a line (PC1 variance fraction)", line_var, 0.90),
                at_least(f"{relevant} context: slow mode time constant / tau", tc / c.tau, 10.0,
                         "median over slow points of -dt / log|lambda_max|"),
                at_least(f"{relevant} context: |cos| of the line with the choice axis", align, 0.70),
            ]
        for name in ctx_names:
            other = ctx_names[1 - ctx_names.index(name)]
            rel = results["slow_points"][f"{name} context"]["selection_gain"][name]
            irr = results["slow_points"][f"{other} context"]["selection_gain"][name]
            ratio = rel / max(irr, 1e-12)
            results.setdefault("selection_ratio", {})[name] = ratio
            claims.append(at_least(f"{name} input: projection on the selection vector, relevant / irrelevant context",
                                   ratio, 2.0, "same input weights, different recurrent selection"))
        results["tdr_t_max_steps"] = tdr.t_max.tolist()
        return Evaluation(results=results, claims=claims, recordings={"main": rec},
                          artifacts={"fits": fits, "tdr": tdr, "window": window, "slow": slow})

    def figures(self, c: Config, ev: Evaluation, metrics: list[dict]) -> dict:
        a = ev.artifacts
        figs = {"psychometric_by_context": psychometric_by_context(a["fits"])}
        if "tdr" not in a:
            return figs
        figs["state_space"] = _state_space(a["window"], a["tdr"], a["slow"])
        figs["slow_point_spectra"] = _spectra(a["slow"], ev.results["slow_points"])
        return figs


def irrelevant_variance_ratio(window, tdr, context: np.ndarray) -> dict[str, float]:
    """For each input (motion, colour): the variance of the condition averages along its own TDR axis in the
    context where it is irrelevant over that where it is relevant (``context``: 0 motion, 1 colour)."""
    out = {}
    for own, name in enumerate(("motion", "colour")):
        var = {}
        for ctx in (0, 1):
            avg = A.condition_average(window.select(context == ctx), [name])
            proj = tdr.project(avg.values)[..., tdr.variables.index(name)]  # [levels time]
            var[ctx] = float(np.mean(np.var(proj, axis=0)))
        out[name] = var[1 - own] / max(var[own], 1e-12)
    return out


def psychometric_by_context(fits: dict, title: str = ""):
    """Figure 2 of the paper: P(choice 1) against the relevant and the irrelevant coherence, per context;
    ``fits[context] = (relevant fit, irrelevant fit)``."""
    import matplotlib.pyplot as plt

    fig, axs = plt.subplots(2, 2, figsize=(8, 6.4), constrained_layout=True)
    for row, relevant in enumerate(("motion", "colour")):
        rel, irr = fits[relevant]
        plot.psychometric(rel, ax=axs[row, 0])
        axs[row, 0].set_xlabel(f"{relevant} coherence (relevant)")
        plot.psychometric(irr, ax=axs[row, 1], color="0.5")
        axs[row, 1].set_xlabel(f"{'colour' if relevant == 'motion' else 'motion'} coherence (irrelevant)")
        axs[row, 0].set_title(f"{relevant} context{title}", fontsize=9)
    return fig


def _population_claims() -> list[tuple[str, float]]:
    """Names and thresholds of the claims on the population and its dynamics (in evaluation order)."""
    out = [(f"{name}: variance along its axis when irrelevant / when relevant", 0.5) for name in ("motion", "colour")]
    for ctx in ("motion", "colour"):
        out += [(f"{ctx} context: slow points on a line (PC1 variance fraction)", 0.90),
                (f"{ctx} context: slow mode time constant / tau", 10.0),
                (f"{ctx} context: |cos| of the line with the choice axis", 0.70)]
    return out + [(f"{name} input: projection on the selection vector, relevant / irrelevant context", 2.0)
                  for name in ("motion", "colour")]


def _state_space(window, tdr, slow):
    """Figure 5 of the paper: condition averages (by choice and coherence) projected on the choice and
    input axes, in each context, with the slow points of that context."""
    import matplotlib.pyplot as plt

    fig, axs = plt.subplots(2, 2, figsize=(8, 7), constrained_layout=True)
    cmap = plt.get_cmap("coolwarm")
    for row, (ctx, ctx_name) in enumerate(((-1.0, "motion"), (1.0, "colour"))):
        sub = window.select(window.conditions["context"] == ctx)
        for col, var in enumerate(("motion", "colour")):
            ax = axs[row, col]
            avg = A.condition_average(sub, ["choice", var])
            proj = tdr.project(avg.values)
            vmax = np.abs(avg[var].values).max()
            for i in range(proj.shape[0]):
                color = cmap(0.5 + 0.5 * avg[var].values[i] / vmax)
                style = "-" if avg["choice"].values[i] > 0 else "--"
                ax.plot(proj[i, :, 0], proj[i, :, VARIABLES.index(var)], style, color=color, lw=1)
            fp = slow[ctx_name]
            if len(fp):
                p = tdr.project(fp.rates)
                ax.plot(p[:, 0], p[:, VARIABLES.index(var)], "k.", ms=3, label="slow points")
            ax.set_xlabel("choice axis")
            ax.set_ylabel(f"{var} axis")
            ax.set_title(f"{ctx_name} context: {var} {'relevant' if var == ctx_name else 'irrelevant'}", fontsize=9)
    if any(len(fp) for fp in slow.values()):
        axs[0, 0].legend(fontsize=7)
    return fig


def _spectra(slow, results):
    """Eigenvalues of the one-step map at every slow point of each context (a line attractor has one
    eigenvalue at 1, the rest inside the unit circle), and each input's projection on the selection vector."""
    import matplotlib.pyplot as plt

    fig, axs = plt.subplots(1, 3, figsize=(11, 3.6), constrained_layout=True)
    theta = np.linspace(0, 2 * np.pi, 200)
    for ax, (ctx, fp) in zip(axs[:2], slow.items()):
        ax.plot(np.cos(theta), np.sin(theta), color="0.7", lw=0.8)
        if len(fp):
            ev = fp.eigenvalues
            ax.plot(ev[:, 1:].real.ravel(), ev[:, 1:].imag.ravel(), ".", color="0.4", ms=1.5)
            ax.plot(ev[:, 0].real, ev[:, 0].imag, "r.", ms=3, label="slowest mode")
        ax.set_aspect("equal")
        ax.set_xlim(-0.2, 1.1)
        ax.set_ylim(-0.6, 0.6)
        ax.set_title(f"{ctx} context: {len(fp)} slow points", fontsize=9)
        ax.set_xlabel("Re lambda")
    axs[0].set_ylabel("Im lambda")
    axs[0].legend(fontsize=7, loc="lower left")
    names = ("motion", "colour")
    width = 0.38
    for i, ctx in enumerate(names):
        gains = [results[f"{ctx} context"]["selection_gain"][n] for n in names]
        axs[2].bar(np.arange(2) + (i - 0.5) * width, gains, width, label=f"{ctx} context")
    axs[2].set_xticks(range(2), [f"{n} input" for n in names])
    axs[2].set_ylabel("|selection vector . input weights|")
    axs[2].set_yscale("log")
    axs[2].legend(fontsize=7)
    return fig
