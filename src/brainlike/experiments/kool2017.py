"""People and a meta-learned network on the two-step task, analysed alike (Kool, Gershman & Cushman 2017
Psychol Sci 28:1321, Daw-version data; analyses of Daw et al. 2011 Neuron 69:1204; network of Wang et al.
2018 Nat Neurosci 21:860).

The people: 100 participants of Kool et al. (2017) who played 200 trials of the Daw two-step task (common
transitions 0.7, reward probabilities drifting in [0.25, 0.75]); their data ship in
``$BRAINLIKE_DATA/kool2017_twostep``. Their first-stage choices give the stay probabilities by previous
reward and transition, and the model-based index of a logistic regression (pooled over people, and per
person).

The network: the meta-reinforcement learner of :mod:`~brainlike.experiments.wang2018_twostep` trained with
the people's transition probability (0.7) on Wang et al.'s reward schedule (0.9 / 0.1, swapping), then, with
its weights frozen, played on the people's own task (drifting probabilities), which it never saw, and
analysed with the same functions. A model-free and a model-based Q-learner play the same task as references.

Claims: the people show the model-based signature (positive model-based index; stay after rewarded common >
rewarded rare and after unrewarded rare > unrewarded common); the network shows it too on the people's task,
beyond what the model-free learner shows. Departure: the network is trained on the swapping schedule because
on this CPU budget training on the drifting one (reward differences of at most 0.5, mostly far less) did not
leave chance in 600 updates.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import analysis as A
from .._errors import ConfigError
from ..data import KOOL_COMMON, KOOL_FILES, load_kool2017
from ..tasks import TwoStep
from ._base import Evaluation, above, holds, register
from .wang2018_twostep import Config as TwoStepConfig
from .wang2018_twostep import TwoStepMetaRL

__all__ = ["Kool2017", "Config", "people_analysis"]


@dataclasses.dataclass(frozen=True)
class Config(TwoStepConfig):
    common: float = KOOL_COMMON
    n_steps: int = 2000  # with 0.7 transitions learning starts later (seed 1: after ~700 updates; at 1,200 it
    # switched after rewarded rare transitions by only 0.08 beyond the model-free learner)
    # the people's task, where the frozen network is analysed
    eval_schedule: str = "drift"
    eval_drift_sd: float = 0.025
    eval_bounds: tuple[float, float] = (0.25, 0.75)
    n_people: int | None = None  # the first n people only (None: all 100)

    def __post_init__(self):
        super().__post_init__()
        TwoStep(n_trials=self.n_trials, common=self.common, schedule=self.eval_schedule, drift_sd=self.eval_drift_sd,
                bounds=self.eval_bounds)
        if self.n_people is not None and self.n_people < 2:
            raise ConfigError(f"n_people must be >= 2 or none, got {self.n_people}")

    @classmethod
    def smoke(cls) -> Config:
        return dataclasses.replace(super().smoke(), n_people=10)


def people_analysis(table, lags: int = 1) -> dict:
    """Stay probabilities and the lagged regression of the people's first-stage choices (missed trials
    dropped): pooled, and the model-based index of each person."""
    t = table[~table["missed"]]
    session = t["subject"].astype("category").cat.codes.to_numpy()
    choice, common, reward = t["choice"].to_numpy(), t["common"].to_numpy(), t["rewarded"].to_numpy()
    stay = A.stay_probabilities(choice, common, reward, session)
    pooled = A.two_step_regression(choice, common, reward, session, lags=lags)
    per_person = []
    for s in np.unique(session):
        sel = session == s
        try:
            per_person.append(A.two_step_regression(choice[sel], common[sel], reward[sel], lags=lags).model_based)
        except ConfigError:  # a person who always chose the same ship
            per_person.append(np.nan)
    per_person = np.asarray(per_person)
    return {"stay": stay, "regression": pooled.to_dict(), "model_based_per_person": per_person.tolist(),
            "fraction_positive": float(np.nanmean(per_person > 0)), "n_people": per_person.size,
            "n_trials": int(len(t)), "switch_after_rare_reward": stay["common_rewarded"] - stay["rare_rewarded"],
            "reward_rate": float(np.mean(reward))}


@register
class Kool2017(TwoStepMetaRL):
    name = "kool2017"
    title = "The two-step task: people (Kool 2017 data) and a meta-learned network, side by side"
    paper = "Kool, Gershman & Cushman 2017 Psychol Sci 28:1321; Daw et al. 2011 Neuron; Wang et al. 2018 Nat Neurosci"
    Config = Config
    data = (KOOL_FILES["daw"],)

    def evaluation_environment(self, c: Config) -> TwoStep:
        return TwoStep(n_trials=c.n_trials, common=c.common, schedule=c.eval_schedule, drift_sd=c.eval_drift_sd,
                       bounds=c.eval_bounds)

    def evaluate(self, c: Config, model, key) -> Evaluation:
        analyses, network_claims, rec = self.agent_analysis(c, model, key)
        table = load_kool2017("daw")
        if c.n_people is not None:
            keep = table["subject"].drop_duplicates().to_numpy()[:c.n_people]
            table = table[table["subject"].isin(keep)]
        people = people_analysis(table, c.lags)
        s = people["stay"]
        net = analyses["network"]["stay"]
        claims = [
            above("people: model-based index (pooled regression)", people["regression"]["model_based"], 0.0,
                  f"{people['n_people']} people, {people['n_trials']} trials; "
                  f"{100 * people['fraction_positive']:.0f}% of people positive"),
            holds("people: stay after rewarded common > rewarded rare, and unrewarded rare > unrewarded common",
                  bool(s["common_rewarded"] > s["rare_rewarded"] and s["rare_unrewarded"] > s["common_unrewarded"]),
                  f"{s['common_rewarded']:.2f} > {s['rare_rewarded']:.2f}; "
                  f"{s['rare_unrewarded']:.2f} > {s['common_unrewarded']:.2f}"),
            holds("network (people's task): the same two inequalities",
                  bool(net["common_rewarded"] > net["rare_rewarded"]
                       and net["rare_unrewarded"] > net["common_unrewarded"]),
                  f"{net['common_rewarded']:.2f} > {net['rare_rewarded']:.2f}; "
                  f"{net['rare_unrewarded']:.2f} > {net['common_unrewarded']:.2f}"),
            *network_claims,
        ]
        analyses = {"people (Kool 2017)": people, **analyses}
        return Evaluation(results={"agents": analyses}, claims=claims, recordings={"network": rec},
                          artifacts={"analyses": analyses})

    def figures(self, c: Config, ev: Evaluation, metrics: list[dict]) -> dict:
        figs = super().figures(c, ev, metrics)
        import matplotlib.pyplot as plt

        people = ev.artifacts["analyses"]["people (Kool 2017)"]
        fig, ax = plt.subplots(figsize=(3.6, 3.0))
        mb = np.asarray(people["model_based_per_person"], float)
        ax.hist(mb[np.isfinite(mb)], bins=20, color="0.5")
        ax.axvline(0, color="k", lw=1)
        net = ev.artifacts["analyses"]["network"]["regression"]["model_based"]
        ax.axvline(net, color="tab:blue", lw=1.5, label=f"network {net:.2f}")
        ax.set_xlabel("model-based index (per person)")
        ax.set_ylabel("people")
        ax.legend(fontsize=7, frameon=False)
        fig.tight_layout()
        figs["people_model_based_index"] = fig
        return figs
