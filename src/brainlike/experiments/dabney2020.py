"""A distributional code for reward in dopamine neurons (Dabney, Kurth-Nelson, Uchida, ... & Botvinick
2020 Nature).

A population of TD learners, one per model dopamine neuron, learns the value of a cue followed by a
reward of random size (the 7 sizes of the paper, with their frequencies). With distributional TD each
unit scales positive and negative prediction errors differently (alpha+ and alpha-), so it learns a
different expectile of the reward distribution; a classical-TD population with response noise is the
null model. The same analyses then run on the model's units and on the 40 recorded VTA dopamine
neurons of the paper (``$BRAINLIKE_DATA/dabney2020_dopamine``): reversal points, their split-half
reliability, asymmetry against reversal point, and decoding the reward distribution from the
population (expectile imputation).
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import optax
from scipy import stats

from .. import analysis as A
from .._errors import ConfigError
from .._recording import Recording
from ..data import DABNEY_MAGNITUDES, DABNEY_PROBABILITIES, load_dabney2020
from ..plasticity import dopamine_response, td_lambda
from ..tasks import tapped_delay_line
from ._base import Claim, Evaluation, Experiment, at_least, at_most, below, register

__all__ = ["Dabney2020", "Config", "POPULATIONS"]

#: population name -> (code, distribution)
POPULATIONS = {"expectile": ("expectile", "dabney"), "quantile": ("quantile", "dabney"),
               "classical": ("classical", "dabney"), "bimodal": ("expectile", "bimodal")}


@dataclasses.dataclass(frozen=True)
class Config:
    seed: int = 0
    n_units: int = 40  # model dopamine neurons per population (the data set has 40)
    learning_rate: float = 0.01  # alpha+ + alpha- = 2 * learning_rate
    tau_range: tuple[float, float] = (0.05, 0.95)  # asymmetries alpha+ / (alpha+ + alpha-), evenly spread
    gamma: float = 0.99
    n_steps: int = 10  # bins per trial (cue at step 2)
    delay: int = 5  # bins from cue to reward
    bimodal: tuple[float, float] = (2.0, 18.0)  # microlitres, equally likely (the second reward distribution)
    n_trials: int = 20000  # training trials
    # probe (what an electrophysiologist records after learning)
    probe_repeats: int = 60  # trials per reward size
    response_noise: float = 0.5  # sd of the response noise (response units: alpha-scaled error / learning_rate)
    classical_gain_spread: float = 0.3  # sd of the log response gain across classical-TD units
    n_splits: int = 50
    decode_restarts: int = 10
    checkpoint_every: int = 5000

    def __post_init__(self):
        lo, hi = self.tau_range
        if not 0 < lo < hi < 1:
            raise ConfigError(f"tau_range must satisfy 0 < low < high < 1, got {self.tau_range}")
        if not 0 < self.delay < self.n_steps - 2:
            raise ConfigError(f"delay must be in 1..{self.n_steps - 3} bins, got {self.delay}")

    @classmethod
    def smoke(cls) -> Config:
        return cls(n_units=10, n_trials=50, probe_repeats=6, learning_rate=0.05, n_splits=3, decode_restarts=1, checkpoint_every=25)

    @classmethod
    def quick(cls) -> Config:
        return cls()

    @classmethod
    def paper(cls) -> Config:
        return cls(n_units=100, n_trials=80000, learning_rate=0.005, n_splits=200, decode_restarts=50,
                   checkpoint_every=5000)


CUE = 2


def distribution(c: Config, name: str) -> tuple[np.ndarray, np.ndarray]:
    if name == "dabney":
        return DABNEY_MAGNITUDES, DABNEY_PROBABILITIES
    return np.asarray(c.bimodal, float), np.array([0.5, 0.5])


def probe_sizes(c: Config, name: str) -> np.ndarray:
    """Reward sizes given in the probe trials: the task's own sizes for the 7-size distribution; for
    the bimodal one, 9 sizes across its range (two sizes alone cannot show two slopes)."""
    if name == "dabney":
        return DABNEY_MAGNITUDES
    lo, hi = c.bimodal
    return np.linspace(lo / 2, hi * 1.1, 9)


def taus(c: Config) -> np.ndarray:
    lo, hi = c.tau_range
    return np.linspace(lo, hi, c.n_units)


def _features(c: Config):
    onsets = jnp.zeros((c.n_steps, 1)).at[CUE, 0].set(1.0)
    return tapped_delay_line(onsets, c.n_steps)


@register
class Dabney2020(Experiment):
    name = "dabney2020"
    title = "Distributional reinforcement learning in dopamine neurons"
    paper = "Dabney et al. 2020 Nature 577:671; data of Figure 2 (mouse VTA, variable reward magnitude)"
    Config = Config
    data = ("dabney2020_dopamine/Figure2b.mat",)

    def n_steps(self, c: Config) -> int:
        return c.n_trials

    def init(self, c: Config, key):
        tau = jnp.asarray(taus(c))
        alpha_pos = {"expectile": 2 * c.learning_rate * tau, "quantile": 2 * c.learning_rate * tau,
                     "classical": jnp.full(c.n_units, c.learning_rate), "bimodal": 2 * c.learning_rate * tau}
        n_feat = _features(c).shape[-1]
        gain = jnp.exp(c.classical_gain_spread * jax.random.normal(key, (c.n_units,)))
        return {name: {"w": jnp.zeros((c.n_units, n_feat)), "alpha_pos": alpha_pos[name],
                       "alpha_neg": 2 * c.learning_rate - alpha_pos[name],
                       "gain": gain if name == "classical" else jnp.ones(c.n_units)}
                for name in POPULATIONS}

    def optimizer(self, c: Config):
        return optax.identity()  # the TD rule changes the weights itself

    def step(self, c: Config, optimizer):
        x = _features(c)

        def population(p, size, code):
            rule = "quantile" if code == "quantile" else "expectile"
            reward = jnp.zeros(c.n_steps).at[CUE + c.delay].set(size)
            w, delta = jax.vmap(lambda w, ap, an: td_lambda(w, x, reward, alpha=ap, alpha_neg=an, gamma=c.gamma,
                                                            code=rule))(p["w"], p["alpha_pos"], p["alpha_neg"])
            return {**p, "w": w}, delta

        def step(model, opt_state, key):
            keys = jax.random.split(key, len(POPULATIONS))
            new, loss = {}, 0.0
            for k, (name, (code, dist)) in zip(keys, POPULATIONS.items()):
                values, probs = distribution(c, dist)
                size = jax.random.choice(k, jnp.asarray(values), p=jnp.asarray(probs))
                new[name], delta = population(model[name], size, code)
                loss = loss + jnp.mean(delta**2)
            return new, opt_state, {"loss": loss}

        return step

    # -- recording the model's dopamine neurons -------------------------------------------------
    def record(self, c: Config, population: dict, dist: str, key) -> Recording:
        """Probe trials after learning (no plasticity): ``probe_repeats`` trials of each reward size;
        activity is each unit's response (alpha-scaled prediction error / learning_rate, times its
        gain) plus Gaussian noise."""
        values = probe_sizes(c, dist)
        x = _features(c)
        size = np.repeat(values, c.probe_repeats)
        reward = jnp.zeros((size.size, c.n_steps)).at[:, CUE + c.delay].set(jnp.asarray(size))
        v = x @ np.asarray(population["w"]).T  # [time units]
        v_prev = jnp.concatenate([jnp.zeros((1, v.shape[1])), v[:-1]])
        delta = reward[:, :, None] + c.gamma * v[None] - v_prev[None]  # [trials time units]
        resp = dopamine_response(delta, population["alpha_pos"], population["alpha_neg"]) / c.learning_rate
        resp = resp * population["gain"] + c.response_noise * jax.random.normal(key, resp.shape)
        n = size.size
        return Recording(activity=np.asarray(resp), dt=100.0,
                         conditions={"reward": size, "magnitude": np.repeat(np.arange(values.size), c.probe_repeats)},
                         epochs={"reward": np.tile([CUE + c.delay, CUE + c.delay + 1], (n, 1))},
                         units={"alpha_pos": np.asarray(population["alpha_pos"]),
                                "alpha_neg": np.asarray(population["alpha_neg"])})

    def analyse(self, c: Config, rec: Recording, dist: str, seed: int) -> dict:
        """The paper's analyses, identical for a model population and for the data."""
        resp, reward = A.reward_responses(rec), rec.conditions["reward"]
        rev = A.reversal_points(resp, reward)
        tau = A.asymmetries(resp, reward)
        values, probs = distribution(c, dist)
        split = A.split_half_reliability(resp, reward, seed=seed, n_splits=c.n_splits)
        corr = A.asymmetry_reversal_correlation(resp, reward, seed=seed + 1, n_splits=c.n_splits)
        ok = np.isfinite(rev) & np.isfinite(tau)
        decoded = (A.impute_distribution(rev, tau, bounds=(0.0, float(values.max()) * 1.25),
                                         n_restarts=c.decode_restarts, seed=seed)
                   if ok.sum() >= 2 else np.array([np.nan]))
        w1 = float(stats.wasserstein_distance(decoded, values, v_weights=probs)) if np.isfinite(decoded).all() else float("nan")
        lo, hi = np.nanpercentile(rev, [10, 90])
        sd = float(np.sqrt(np.sum(probs * (values - np.sum(probs * values)) ** 2)))
        spread = float((hi - lo) / sd)
        return {"reversal_points": rev, "asymmetries": tau, "split_half": split, "asymmetry_correlation": corr,
                "decoded": decoded, "wasserstein": w1, "spread_over_sd": spread, "spread_10_90": (float(lo), float(hi)),
                "responses": resp, "reward": reward}

    def evaluate(self, c: Config, model, key) -> Evaluation:
        keys = dict(zip(POPULATIONS, jax.random.split(key, len(POPULATIONS))))
        recs, an = {}, {}
        for i, (name, (_, dist)) in enumerate(POPULATIONS.items()):
            recs[name] = self.record(c, model[name], dist, keys[name])
            an[name] = self.analyse(c, recs[name], dist, seed=10 * i)
        data = load_dabney2020()
        an["data"] = self.analyse(c, data, "dabney", seed=1000)
        values, probs = distribution(c, "dabney")
        true_expectiles = A.expectiles(values, probs, taus(c))
        # the value just before the reward: each unit's prediction of the reward (its expectile)
        learned = (np.asarray(_features(c)) @ np.asarray(model["expectile"]["w"]).T)[CUE + c.delay - 1]
        m, b, d, nl = an["expectile"], an["bimodal"], an["data"], an["classical"]
        lo_gap, hi_gap = c.bimodal[0] + 0.25 * (c.bimodal[1] - c.bimodal[0]), c.bimodal[1] - 0.25 * (c.bimodal[1] - c.bimodal[0])
        gap_mass = float(np.mean((b["decoded"] > lo_gap) & (b["decoded"] < hi_gap)))
        claims = [
            at_least("model: spread of reversal points (10th-90th percentile range / reward sd)", m["spread_over_sd"],
                     0.5, f"reversal points span {m['spread_10_90'][0]:.2f}-{m['spread_10_90'][1]:.2f} microlitres; "
                     f"data {d['spread_10_90'][0]:.2f}-{d['spread_10_90'][1]:.2f}"),
            at_least("model: split-half reliability of reversal points (r)", m["split_half"].r, 0.8,
                     f"mean over {c.n_splits} random halvings, p {m['split_half'].p:.2g}"),
            at_least("model: correlation of asymmetry with reversal point (r)", m["asymmetry_correlation"].r, 0.6,
                     "reversal point and asymmetry from independent halves of the trials"),
            at_most("model: decoded vs true reward distribution (Wasserstein, microlitres)", m["wasserstein"],
                    0.5 * nl["wasserstein"],
                    f"threshold: half the classical-TD null's distance ({nl['wasserstein']:.2f})"),
            at_most("model, bimodal rewards: decoded mass in the central gap", gap_mass, 0.2,
                    f"fraction of decoded samples in ({lo_gap:g}, {hi_gap:g}) where the true distribution has none; "
                    f"Wasserstein {b['wasserstein']:.2f}"),
            below("null (classical TD + noise): split-half reliability (r)", nl["split_half"].r, 0.8,
                  "the null fails the reliability test"),
            below("null (classical TD + noise): asymmetry-reversal correlation (r)", nl["asymmetry_correlation"].r, 0.6,
                  "the null fails the correlation test"),
            below("data: split-half reliability of reversal points, p-value", d["split_half"].p, 0.05,
                  f"40 VTA dopamine neurons, r {d['split_half'].r:.2f} (significant spread of reversal points)"),
            at_least("data: correlation of asymmetry with reversal point (r)", d["asymmetry_correlation"].r, 0.0,
                     f"p {d['asymmetry_correlation'].p:.2g} (must also be < 0.05, next claim)"),
            below("data: asymmetry-reversal correlation, p-value", d["asymmetry_correlation"].p, 0.05, ""),
        ]
        published = data.units["published_reversal_point"]
        rho = float(stats.spearmanr(d["reversal_points"], published, nan_policy="omit").statistic)

        def summary(a):
            return {"reversal_points": a["reversal_points"].tolist(), "asymmetries": a["asymmetries"].tolist(),
                    "split_half": a["split_half"].to_dict(), "asymmetry_correlation": a["asymmetry_correlation"].to_dict(),
                    "wasserstein": a["wasserstein"], "spread_over_sd": a["spread_over_sd"], "spread_10_90": a["spread_10_90"],
                    "decoded_mean": float(np.nanmean(a["decoded"]))}

        results = {name: summary(a) for name, a in an.items()}
        results["expectile"]["learned_vs_true_expectile_max_abs"] = float(np.max(np.abs(learned - true_expectiles)))
        results["data"]["spearman_with_published_reversal_points"] = rho
        results["true_mean"] = float(np.sum(values * probs))
        recs["main"] = recs.pop("expectile")
        return Evaluation(results=results, claims=claims, recordings=recs,
                          artifacts={"analyses": an, "true_expectiles": true_expectiles})

    def figures(self, c: Config, ev: Evaluation, metrics: list[dict]) -> dict:
        import matplotlib.pyplot as plt

        an = ev.artifacts["analyses"]
        cols = [("expectile", "model: distributional TD"), ("classical", "null: classical TD + noise"),
                ("data", "data: 40 VTA dopamine neurons")]
        fig1, axs = plt.subplots(3, 3, figsize=(11, 9.5), constrained_layout=True)
        cmap = plt.get_cmap("viridis")
        for j, (name, label) in enumerate(cols):
            a = an[name]
            levels = np.unique(a["reward"])
            means = np.stack([np.nanmean(a["responses"][a["reward"] == v], axis=0) for v in levels])
            tau = a["asymmetries"]
            order = np.argsort(a["reversal_points"])
            for u in order:
                col = cmap(tau[u]) if np.isfinite(tau[u]) else "0.7"
                axs[0, j].plot(levels, means[:, u], "-", color=col, lw=0.8)
            axs[0, j].axhline(0, color="k", lw=0.5)
            axs[0, j].set_xscale("log"), axs[0, j].set_xlabel("reward (microlitres)")
            axs[0, j].set_ylabel("response"), axs[0, j].set_title(label, fontsize=9)
            ra, rb = a["split_half"].first
            axs[1, j].plot(ra, rb, "o", ms=3)
            axs[1, j].set_xlabel("reversal point, half 1"), axs[1, j].set_ylabel("reversal point, half 2")
            axs[1, j].set_title(f"split-half r = {a['split_half'].r:.2f}", fontsize=9)
            rev, t = a["asymmetry_correlation"].first
            axs[2, j].plot(rev, t, "o", ms=3, color="tab:purple")
            axs[2, j].set_xlabel("reversal point (half A)"), axs[2, j].set_ylabel("asymmetry (half B)")
            axs[2, j].set_title(f"r = {a['asymmetry_correlation'].r:.2f}", fontsize=9)

        fig2, axs = plt.subplots(1, 3, figsize=(11, 3.2), constrained_layout=True)
        for ax, (name, label, dist) in zip(axs, [("expectile", "model", "dabney"), ("data", "data", "dabney"),
                                                  ("bimodal", "model, bimodal rewards", "bimodal")]):
            values, probs = distribution(c, dist)
            dec = an[name]["decoded"]
            bins = np.linspace(0, values.max() * 1.25, 40)
            ax.hist(dec[np.isfinite(dec)], bins=bins, density=True, color="tab:blue", alpha=0.6, label="decoded")
            ax2 = ax.twinx()
            ax2.bar(values, probs, width=0.6, color="k", alpha=0.7, label="true")
            ax2.set_ylim(0, 1), ax2.set_yticks([])
            ax.set_xlabel("reward (microlitres)"), ax.set_ylabel("decoded density")
            ax.set_title(f"{label}: Wasserstein {an[name]['wasserstein']:.2f}", fontsize=9)
        return {"reversal_points_and_asymmetry": fig1, "decoded_distributions": fig2}
