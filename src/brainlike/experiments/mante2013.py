"""Context-dependent integration by recurrent dynamics (Mante, Sussillo, Shenoy & Newsome 2013 Nature).

A CTRNN (or, with ``--set circuit=eirnn``, an excitatory-inhibitory network obeying Dale's law) is trained
by BPTT on the context task: report the sign of the motion or of the colour coherence of a noisy
stimulus, as a context cue says. The network is then analysed as the paper analysed it and the monkeys'
prefrontal cortex: psychometric curves per context; targeted dimensionality reduction (choice, motion,
colour, context axes); slow points in each context with their linearisation (Sussillo & Barak 2013).

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
from ..circuits import CTRNN, EIRNN, Network, run
from ..plasticity import adam, make_step
from ..tasks import ContextDecision
from ._base import Evaluation, Experiment, at_least, register

__all__ = ["Mante2013", "Config"]

VARIABLES = ("choice", "motion", "colour", "context")
MOTION, COLOUR = (1, 2), (3, 4)  # input channels (option 0, option 1) of each stream
FIXATION, CONTEXT = 0, (5, 6)


@dataclasses.dataclass(frozen=True)
class Config:
    seed: int = 0
    circuit: str = "ctrnn"  # ctrnn | eirnn
    n_units: int = 100
    tau: float = 100.0  # ms
    dt: float = 20.0  # ms
    sigma_rec: float = 0.05
    # task
    coherences: tuple[float, ...] = (5.0, 15.0, 50.0)  # % (both signs)
    stimulus_noise: float = 1.0
    fixation: float = 200.0  # ms
    stimulus: float = 750.0  # ms
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
    fp_slowest_fraction: float = 0.25  # ... and of those, the slowest quarter
    n_boot: int = 50

    def __post_init__(self):
        if self.circuit not in ("ctrnn", "eirnn"):
            raise ConfigError(f"mante2013: circuit must be 'ctrnn' or 'eirnn', got {self.circuit!r}")

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


def task(c: Config) -> ContextDecision:
    return ContextDecision(dt=c.dt, fixation=c.fixation, stimulus=c.stimulus, delay=(c.delay_min, c.delay_max),
                           decision=c.decision, coherences=c.coherences, sigma=c.stimulus_noise)


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
        kw = dict(tau=c.tau, dt=c.dt, sigma_rec=c.sigma_rec, rate_fn="relu")
        core = (CTRNN(t.n_inputs, c.n_units, key=k1, **kw) if c.circuit == "ctrnn"
                else EIRNN(t.n_inputs, c.n_units, key=k1, **kw))
        return Network(core, t.n_outputs, key=k2)

    def optimizer(self, c: Config):
        return adam(c.learning_rate, c.grad_clip)

    def step(self, c: Config, optimizer):
        return make_step(task(c), optimizer, batch_size=c.batch_size, rate_reg=c.rate_reg)

    # -- analyses ------------------------------------------------------------------------------
    def evaluate(self, c: Config, model, key) -> Evaluation:
        k1, k2 = jax.random.split(key)
        t = task(c)
        rec = run(model, t.build(t.condition_grid(c.eval_repeats), key=k1), key=k2)
        cond = rec.conditions
        chosen = A.choices(rec)
        correct = chosen == cond["choice"]
        coh = {"motion": cond["motion"], "colour": cond["colour"]}
        ctx_names = ("motion", "colour")

        # behaviour: accuracy at the strongest coherence, psychometric slopes per context
        results: dict = {"accuracy": {}, "slopes": {}}
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
        tdr = A.targeted_dimensionality_reduction(window, VARIABLES, n_pcs=c.n_pcs)
        # the irrelevant input stays represented along its own axis
        for name in ctx_names:
            own = 0 if name == "motion" else 1
            var = {}
            for ctx in (0, 1):
                avg = A.condition_average(window.select(cond["context"] == ctx), [name])
                proj = tdr.project(avg.values)[..., tdr.variables.index(name)]  # [levels time]
                var[ctx] = float(np.mean(np.var(proj, axis=0)))
            ratio = var[1 - own] / max(var[own], 1e-12)
            results.setdefault("irrelevant_variance_ratio", {})[name] = ratio
            claims.append(at_least(f"{name}: variance along its axis when irrelevant / when relevant", ratio, 0.5,
                                   "the irrelevant input is not gated out of the population"))

        # dynamics: slow points of each context, their line, slow mode and selection vectors
        circuit = _effective(model.circuit)
        w_in = np.asarray(circuit.w_in, np.float64)
        input_vec = {"motion": w_in[:, MOTION[1]] - w_in[:, MOTION[0]],
                     "colour": w_in[:, COLOUR[1]] - w_in[:, COLOUR[0]]}
        rng = np.random.default_rng(c.seed)
        slow = {}
        for ctx, relevant in enumerate(ctx_names):
            u = np.zeros(circuit.n_in)
            u[FIXATION], u[CONTEXT[ctx]] = 1.0, 1.0
            u[[*MOTION, *COLOUR]] = 0.5  # the stimulus at zero coherence
            states = rec.activity[cond["context"] == ctx][:, stim[0]:stim[1] + 10].reshape(-1, rec.n_units)
            h0 = states[rng.choice(len(states), c.fp_initial_states, replace=False)]
            h0 = h0 + 0.01 * rng.normal(size=h0.shape)
            fp = A.find_fixed_points(circuit, h0, u, n_iter=c.fp_iterations, tol=c.fp_tol, merge_distance=1e-3,
                                     slowest_fraction=c.fp_slowest_fraction)
            slow[relevant] = fp
            res = {"n_points": len(fp)}
            if len(fp) >= 2:
                rates = np.maximum(fp.points, 0.0)  # relu rates of the slow points
                z = rates / tdr.std
                s = np.linalg.svd(z - z.mean(0), compute_uv=False)
                line_var = float(s[0] ** 2 / np.sum(s**2))
                direction = np.linalg.svd(z - z.mean(0), full_matrices=False)[2][0]
                align = float(abs(direction @ tdr.axis("choice")))
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
        import matplotlib.pyplot as plt

        a = ev.artifacts
        figs = {}
        fig, axs = plt.subplots(2, 2, figsize=(8, 6.4), constrained_layout=True)
        for row, relevant in enumerate(("motion", "colour")):
            rel, irr = a["fits"][relevant]
            plot.psychometric(rel, ax=axs[row, 0])
            axs[row, 0].set_xlabel(f"{relevant} coherence (relevant)")
            plot.psychometric(irr, ax=axs[row, 1], color="0.5")
            axs[row, 1].set_xlabel(f"{'colour' if relevant == 'motion' else 'motion'} coherence (irrelevant)")
            axs[row, 0].set_title(f"{relevant} context", fontsize=9)
        figs["psychometric_by_context"] = fig
        figs["state_space"] = _state_space(a["window"], a["tdr"], a["slow"])
        return figs


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
                p = tdr.project(np.maximum(fp.points, 0.0))
                ax.plot(p[:, 0], p[:, VARIABLES.index(var)], "k.", ms=3, label="slow points")
            ax.set_xlabel("choice axis")
            ax.set_ylabel(f"{var} axis")
            ax.set_title(f"{ctx_name} context: {var} {'relevant' if var == ctx_name else 'irrelevant'}", fontsize=9)
    axs[0, 0].legend(fontsize=7)
    return fig
