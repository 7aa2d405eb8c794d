"""Economic choice: a network trained by reward values two juices, and its units resemble orbitofrontal
neurons (Padoa-Schioppa & Assad 2006 Nature 441:223; network after Song, Yang & Wang 2017 eLife, Fig. 7).

The network sees two offers, ``qA`` drops of juice A and ``qB`` drops of juice B on random sides
(:class:`~brainlike.tasks.EconomicChoice`), holds fixation through the offer period and then saccades to
one side. The reward is the chosen juice's value, ``rho qA`` or ``qB`` drops of B, so the relative value
``rho`` is nowhere in the input: the network can only learn it from reward (advantage actor-critic,
policy and value networks as in :mod:`~brainlike.experiments.song2017_perceptual`).

The analyses are the monkey's: the choice curve and its probit fit give the network's indifference point;
each unit's firing rate 100-600 ms after the offers and in the 400 ms before the go signal, averaged per
trial type, is regressed on offer value A, offer value B, chosen value and chosen juice (the candidates of
the authors' cell list), and the variable with the highest R^2 summed over the windows where its slope is
significant gives its class (:func:`brainlike.analysis.value_tuning`). The same analyses run on the real OFC
session shipped in ``$BRAINLIKE_DATA/padoa_ofc_shi2022`` (six cells of Shi, Ballesta & Padoa-Schioppa
2022), and the network's class fractions are shown next to the authors' classification of all 1,526 cells
they recorded.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import analysis as A
from .. import plot
from .._errors import ConfigError
from ..data import PADOA_CELLS, load_padoa_cell_classes, load_padoa_session
from ..plasticity import CRITICS, play
from ..tasks import PADOA_OFFERS, EconomicChoice, TaskEnvironment
from ._base import Evaluation, at_least, at_most, register
from .song2017_perceptual import CIRCUITS, RewardTrained, training_figure

__all__ = ["Padoa2006", "Config"]

CLASSES = ("offer value", "chosen value", "chosen juice")


@dataclasses.dataclass(frozen=True)
class Config:
    seed: int = 0
    # policy and value networks
    circuit: str = "ctrnn"  # relu rate units (rates are non-negative, as a neuron's), or gru
    n_units: int = 64
    critic: str = "gru"
    critic_units: int = 64
    tau: float = 100.0  # ms
    sigma_rec: float = 0.05
    fixate_bias: float = 4.0
    # task
    dt: float = 20.0  # ms
    relative_value: float = 2.2  # 1A = rho B (Padoa-Schioppa & Assad 2006: 1.2-4 across sessions)
    offers: tuple[tuple[int, int], ...] = PADOA_OFFERS  # (qA, qB) offer types
    reward_scale: float = 0.2  # reward per drop of B
    fixation: float = 200.0  # ms
    offer_min: float = 600.0  # ms: offers on before the go signal
    offer_max: float = 1000.0  # ms
    decision: float = 300.0  # ms, the response window
    abort_reward: float = -1.0
    timeout_reward: float = -1.0
    # training
    n_steps: int = 2500
    n_envs: int = 64
    learning_rate: float = 2e-3  # Adam, cosine-decayed ...
    learning_rate_final: float = 2e-4  # ... to this at the last update
    grad_clip: float = 1.0
    gamma: float = 0.98
    lam: float = 1.0
    value_coef: float = 0.5
    entropy_coef: float = 0.05  # entropy bonus at the start ...
    entropy_final: float = 0.005  # ... and at the end: near indifference the two offers' rewards differ by
    # little, and a large bonus would keep the choices there at random
    checkpoint_every: int = 250
    # analysis
    eval_repeats: int = 20  # trials per (offer type, side)
    window_start: float = 100.0  # ms after offer onset: the post-offer window ...
    window_stop: float = 600.0  # ms
    prego: float = 400.0  # ... and the pre-go window, the last prego ms before the go signal (the authors'
    # windows; a unit's class comes from both, as in their cell list)
    alpha: float = 0.05  # slope test of each variable
    anova_alpha: float = 0.01  # task-related units

    def __post_init__(self):
        if self.circuit not in CIRCUITS:
            raise ConfigError(f"unknown circuit {self.circuit!r}; known: {', '.join(CIRCUITS)}")
        if self.critic not in CRITICS:
            raise ConfigError(f"unknown critic {self.critic!r}; known: {', '.join(CRITICS)}")
        if self.prego <= 0 or self.prego > self.offer_min:
            raise ConfigError(f"the pre-go window ({self.prego} ms) must lie inside the shortest offer period "
                              f"({self.offer_min} ms)")
        if not 0 <= self.window_start < self.window_stop <= self.offer_min:
            raise ConfigError(f"the post-offer window [{self.window_start}, {self.window_stop}] ms must lie inside "
                              f"the shortest offer period ({self.offer_min} ms)")

    @classmethod
    def smoke(cls) -> Config:
        return cls(n_units=8, critic_units=8, n_steps=6, n_envs=8, checkpoint_every=3, eval_repeats=3)

    @classmethod
    def quick(cls) -> Config:
        return cls()

    @classmethod
    def paper(cls) -> Config:
        return cls(n_units=100, critic_units=100, dt=10.0, fixation=750.0, offer_min=1000.0, offer_max=2000.0,
                   decision=750.0, n_steps=10000, gamma=0.99, eval_repeats=50, checkpoint_every=500)


def task(c: Config) -> EconomicChoice:
    return EconomicChoice(dt=c.dt, fixation=c.fixation, offer=(c.offer_min, c.offer_max), decision=c.decision,
                          offers=c.offers, relative_value=c.relative_value, reward_scale=c.reward_scale)


def environment(c: Config) -> TaskEnvironment:
    return TaskEnvironment(task(c), abort_reward=c.abort_reward, timeout_reward=c.timeout_reward)


def _tuning(rates, offer_a, offer_b, chose_a, rho, c):
    """The classification of the authors' cell list (Shi et al. 2022, ``make_cellist_TT``): the four variables
    offer value A, offer value B, chosen value and chosen juice, so that the network's classes and the
    published ones come from the same candidates."""
    variables = {k: v for k, v in A.economic_variables(offer_a, offer_b, chose_a, rho).items() if k in A.VALUE_CLASSES}
    types = A.trial_types(offer_a, offer_b, chose_a)
    return A.value_tuning(rates, variables, types, alpha=c.alpha, anova_alpha=c.anova_alpha)


def _example_units(tuning) -> dict[str, int]:
    """The unit of highest R^2 in each class."""
    out = {}
    for cls in CLASSES:
        units = np.flatnonzero(tuning.label == cls)
        if units.size:
            j = [tuning.variables.index(b) for b in tuning.best[units]]
            out[cls] = int(units[np.argmax(tuning.score[units, j])])
    return out


@register
class Padoa2006(RewardTrained):
    name = "padoa2006"
    title = "Economic choice learned from reward, and orbitofrontal value coding, model beside monkey"
    paper = ("Padoa-Schioppa & Assad 2006 Nature 441:223; Song, Yang & Wang 2017 eLife 6:e21492; data: Shi, "
             "Ballesta & Padoa-Schioppa 2022 eLife 11:e75820")
    Config = Config
    data = ("padoa_ofc_shi2022/TTcellist_OFC_both.mat",
            *(f"padoa_ofc_shi2022/celldata/G180910{cell}_data.mat" for cell in PADOA_CELLS))

    def environment(self, c: Config) -> TaskEnvironment:
        return environment(c)

    def evaluate(self, c: Config, model, key) -> Evaluation:
        t = task(c)
        rec = play(model, environment(c), t.condition_grid(c.eval_repeats), key=key)
        cond = rec.conditions
        done = cond["completed"] == 1
        chose_a = np.asarray(t.chose_a(cond, cond["action"]))
        rec = dataclasses.replace(rec, conditions={**cond, "chose_a": chose_a.astype(np.int32)})
        qa, qb, ca = cond["offer_a"][done], cond["offer_b"][done], chose_a[done]
        results = {"completed": float(np.mean(done)), "aborted": float(np.mean(cond["aborted"]))}
        claims = [at_least("fraction of trials completed", results["completed"], 0.95,
                           "fixation held through the offers and a choice made in the response window")]
        artifacts = {}
        try:
            fit = A.fit_indifference(qa, qb, 1 - ca)
        except ConfigError as e:  # e.g. an untrained network that completes no trial
            fit, results["indifference_error"] = None, str(e)
        rho = fit.relative_value if fit is not None else float("nan")
        claims.append(at_most("indifference point: |rho_fit / rho - 1|", abs(rho / c.relative_value - 1)
                              if np.isfinite(rho) else float("inf"), 0.15,
                              f"probit fit of P(choose B) on log(qB/qA); configured rho = {c.relative_value:g}"))
        results.update(relative_value=c.relative_value, relative_value_fit=rho,
                       choice_fit=None if fit is None else fit.to_dict())
        if done.sum() > 0:
            curve = A.choice_curve(qa, qb, 1 - ca)
            results["choice_curve"] = {k: v.tolist() for k, v in curve.items()}
            artifacts.update(curve=curve, fit=fit)
        # tuning in the post-offer and pre-go windows (completed trials), values in units of B at the fitted rho
        counts = {k: 0 for k in CLASSES}
        if fit is not None and np.unique(A.trial_types(qa, qb, ca)).size >= 3:
            rows = np.flatnonzero(done)
            s0, s1 = int(round(c.window_start / c.dt)), int(round(c.window_stop / c.dt))
            pre = int(round(c.prego / c.dt))
            offer_on, go = rec.epochs["offer"][rows, 0], rec.epochs["decision"][rows, 0]
            rates = np.stack([np.stack([rec.activity[r, a + s0:a + s1].mean(0), rec.activity[r, g - pre:g].mean(0)])
                              for r, a, g in zip(rows, offer_on, go)])  # [trials windows units]
            tuning = _tuning(rates, qa, qb, ca, rho, c)
            counts = tuning.counts()
            results.update(model_class_counts=counts, model_class_fractions=tuning.fractions(),
                           model_unit_labels=tuning.label.tolist(), model_unit_best=tuning.best.tolist())
            artifacts["tuning"] = tuning
        for cls in CLASSES:
            claims.append(at_least(f"units encoding {cls}", counts.get(cls, 0), 1,
                                   "best-fitting variable of a task-related unit, post-offer and pre-go windows"))
        # the monkey: the same analyses on the shipped session, and the published classes of all cells
        session = load_padoa_session()
        b = session.behaviour
        m_fit = A.fit_indifference(b["offer_a"], b["offer_b"], 1 - b["chose_a"])
        m_curve = A.choice_curve(b["offer_a"], b["offer_b"], 1 - b["chose_a"])
        m_rates = np.stack([session.window("postoffer"), session.window("prego")], axis=1)
        m_tuning = _tuning(m_rates, b["offer_a"], b["offer_b"], b["chose_a"],
                           m_fit.relative_value, c)
        published = load_padoa_cell_classes(task="JC")
        selected = published["cellclass"] >= 0
        pub_frac = {k: float(np.sum(published["label"] == k) / selected.sum())
                    for k in (*CLASSES, "untuned")}
        results["monkey"] = {"relative_value_fit": m_fit.relative_value, "choice_fit": m_fit.to_dict(),
                             "choice_curve": {k: v.tolist() for k, v in m_curve.items()},
                             "session_cells": session.recording.units["cell"].tolist(),
                             "session_labels": m_tuning.label.tolist(),
                             "session_best": m_tuning.best.tolist(),
                             "published_labels_of_session_cells": [
                                 str(published["label"][published["cell"] == name][0])
                                 if (published["cell"] == name).any() else None
                                 for name in session.recording.units["cell"]],
                             "published_class_fractions": pub_frac,
                             "published_n_cells": int(published["cell"].size),
                             "published_n_selected": int(selected.sum())}
        artifacts.update(m_fit=m_fit, m_curve=m_curve, m_tuning=m_tuning, published_fractions=pub_frac)
        return Evaluation(results=results, claims=claims, recordings={"main": rec, "ofc_session": session.recording},
                          artifacts=artifacts)

    def figures(self, c: Config, ev: Evaluation, metrics: list[dict]) -> dict:
        import matplotlib.pyplot as plt

        a = ev.artifacts
        figs = {}
        fig, axs = plt.subplots(1, 2, figsize=(9.0, 3.4))
        if "curve" in a:
            plot.choice_curve(a["curve"], a["fit"], ax=axs[0], title="network")
        plot.choice_curve(a["m_curve"], a["m_fit"], ax=axs[1], title="monkey G, session G180910a")
        fig.tight_layout()
        figs["choice_curves"] = fig

        examples = _example_units(a["tuning"]) if "tuning" in a else {}
        m_tuned = [u for u in range(a["m_tuning"].label.size) if a["m_tuning"].label[u] in CLASSES]
        n = max(len(examples), 1) + max(len(m_tuned), 1)
        fig, axs = plt.subplots(1, n, figsize=(3.0 * n, 3.0), squeeze=False)
        for ax, (cls, u) in zip(axs[0], examples.items()):
            plot.value_tuning_curve(a["tuning"], u, ax=ax, relative_value=a["fit"].relative_value,
                                    title=f"network unit {u}")
        cells = ev.results["monkey"]["session_cells"]
        for ax, u in zip(axs[0][max(len(examples), 1):], m_tuned):
            plot.value_tuning_curve(a["m_tuning"], u, ax=ax, relative_value=a["m_fit"].relative_value, title=cells[u])
        fig.tight_layout()
        figs["tuning_examples"] = fig

        fractions = {}
        if "tuning" in a:
            fractions["network"] = a["tuning"].fractions()
        fractions[f"OFC, {ev.results['monkey']['published_n_cells']:,} cells (Shi 2022)"] = a["published_fractions"]
        figs["class_fractions"] = plot.class_fractions(fractions)[0]
        fig = training_figure(c, metrics)
        if fig is not None:
            figs["training"] = fig
        return figs
