"""A recurrent network fitted to people's choices predicts them better than Q-learning (Dezfouli, Griffiths,
Ramos, Dayan & Balleine 2019 PLoS Comput Biol 15:e1006903; Dezfouli et al. 2018 NeurIPS).

The data are real: 101 people (healthy, depressed, bipolar) pressing two keys for 12 blocks of 40 s, each
key paying off with its own probability (``$BRAINLIKE_DATA/dezfouli2019_bandit``). A GRU reads the previous
choice and reward and outputs the probability of the next choice; it is trained by maximum likelihood on the
choices of some people and scored on the people it never saw (``n_folds``-fold cross-validation across
subjects, folds balanced by diagnosis; all folds train at once, vmapped). The classic models are fitted by
maximum likelihood on exactly the same training people and scored on the same held-out people: Q-learning
(``QL``: learning rate, inverse temperature) and Q-learning with perseveration (``QLP``: plus a bonus for
repeating the last choice) (:func:`brainlike.agents.fit_bandit_q`). The claim is the paper's: the network's
held-out log-likelihood per choice beats the best Q-learning model's. As a harder reference the Q-learning
models are also fitted to each person separately and scored on that same person's choices (in-sample,
which flatters them).

Departures: Dezfouli et al. chose the number of GRU cells and training length by cross-validation
(5, 10 or 20 cells); here 10 cells and a fixed number of full-batch Adam steps; a block's first choice is
predicted from no history (zeros), as every model here sees it.
"""

from __future__ import annotations

import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

from .._errors import ConfigError
from ..agents import BANDIT_Q_MODELS, bandit_q_log_likelihood, fit_bandit_q
from ..circuits import GRU, Network, forward
from ..data import DEZFOULI_FILE, load_dezfouli2019
from ..plasticity import init_optimizer
from ._base import Evaluation, Experiment, above, register

__all__ = ["Dezfouli2019", "Config", "choice_sequences"]


@dataclasses.dataclass(frozen=True)
class Config:
    seed: int = 0
    n_units: int = 10  # GRU cells
    n_folds: int = 5  # cross-validation across subjects
    n_subjects: int | None = None  # the first n subjects (by id) only; None: all 101
    # training: full-batch Adam on the training subjects' choices
    n_steps: int = 500
    learning_rate: float = 1e-2
    learning_rate_final: float = 1e-3
    checkpoint_every: int = 100
    models: tuple[str, ...] = ("QL", "QLP")  # Q-learning models compared

    def __post_init__(self):
        if self.n_folds < 2:
            raise ConfigError(f"n_folds must be >= 2, got {self.n_folds}")
        if self.n_subjects is not None and self.n_subjects < self.n_folds:
            raise ConfigError(f"n_subjects ({self.n_subjects}) must be at least n_folds ({self.n_folds})")
        if self.n_units < 1 or self.n_steps < 1:
            raise ConfigError(f"n_units and n_steps must be >= 1, got {self.n_units} and {self.n_steps}")
        if not 0 < self.learning_rate_final <= self.learning_rate:
            raise ConfigError(f"need 0 < learning_rate_final <= learning_rate, got {self.learning_rate_final} and "
                              f"{self.learning_rate}")
        if set(self.models) - set(BANDIT_Q_MODELS) or not self.models:
            raise ConfigError(f"models must be among {', '.join(BANDIT_Q_MODELS)}, got {self.models}")

    @classmethod
    def smoke(cls) -> Config:
        return cls(n_units=4, n_folds=2, n_subjects=6, n_steps=4, checkpoint_every=2, models=("QL",))

    @classmethod
    def quick(cls) -> Config:
        return cls()

    @classmethod
    def paper(cls) -> Config:
        return cls(n_units=20, n_folds=10, n_steps=2000, checkpoint_every=250)


def choice_sequences(table) -> dict[str, np.ndarray]:
    """The key presses as padded sequences, one per (subject, block): ``choice``, ``reward``, ``mask``
    ``[sequences time]``, and per sequence ``subject`` and ``diagnosis``."""
    groups = table.sort_values(["subject", "block", "press"]).groupby(["subject", "block"], sort=True)
    n, t = groups.ngroups, int(groups.size().max())
    choice = np.zeros((n, t), np.int32)
    reward = np.zeros((n, t), np.float32)
    mask = np.zeros((n, t), bool)
    subject, diagnosis = [], []
    for i, ((s, _), g) in enumerate(groups):
        k = len(g)
        choice[i, :k], reward[i, :k], mask[i, :k] = g["choice"].to_numpy(), g["reward"].to_numpy(), True
        subject.append(s)
        diagnosis.append(g["diagnosis"].iloc[0])
    return {"choice": choice, "reward": reward, "mask": mask, "subject": np.asarray(subject),
            "diagnosis": np.asarray(diagnosis)}


def _folds(subjects: np.ndarray, diagnosis: np.ndarray, n_folds: int, seed: int) -> dict[str, int]:
    """Fold of each subject: shuffled within each diagnosis, then dealt round-robin."""
    rng = np.random.default_rng(seed)
    fold, k = {}, 0
    for d in sorted(set(diagnosis)):
        members = sorted(set(subjects[diagnosis == d]))
        for s in rng.permutation(members):
            fold[str(s)] = k % n_folds
            k += 1
    return fold


def _inputs(choice, reward):
    """Previous choice one-hot and previous reward (zeros at a block's first press)."""
    prev = np.concatenate([np.zeros_like(choice[:, :1]), choice[:, :-1]], axis=1)
    started = np.concatenate([np.zeros_like(choice[:, :1], bool), np.ones_like(choice[:, 1:], bool)], axis=1)
    onehot = np.eye(2, dtype=np.float32)[prev] * started[..., None]
    r = np.concatenate([np.zeros_like(reward[:, :1]), reward[:, :-1]], axis=1)
    return np.concatenate([onehot, r[..., None]], axis=-1)


@register
class Dezfouli2019(Experiment):
    name = "dezfouli2019"
    title = "A recurrent network predicts people's bandit choices better than Q-learning (real data)"
    paper = "Dezfouli et al. 2019 PLoS Comput Biol 15:e1006903; Dezfouli et al. 2018 NeurIPS"
    Config = Config
    data = (DEZFOULI_FILE,)

    def dataset(self, c: Config) -> dict[str, np.ndarray]:
        table = load_dezfouli2019()
        if c.n_subjects is not None:
            keep = sorted(table["subject"].unique())[:c.n_subjects]
            table = table[table["subject"].isin(keep)]
        seq = choice_sequences(table)
        folds = _folds(seq["subject"], seq["diagnosis"], c.n_folds, c.seed)
        seq["fold"] = np.asarray([folds[s] for s in seq["subject"]], np.int32)
        seq["inputs"] = _inputs(seq["choice"], seq["reward"])
        if np.unique(seq["fold"]).size < c.n_folds:
            raise ConfigError(f"{np.unique(seq['subject']).size} subjects cannot fill {c.n_folds} folds")
        return seq

    def init(self, c: Config, key):
        def one(k):
            k1, k2 = jax.random.split(k)
            return Network(GRU(3, c.n_units, key=k1), 2, key=k2)

        return eqx.filter_vmap(one)(jax.random.split(key, c.n_folds))

    def optimizer(self, c: Config):
        return optax.adam(optax.cosine_decay_schedule(c.learning_rate, c.n_steps,
                                                      alpha=c.learning_rate_final / c.learning_rate))

    def init_optimizer(self, c, optimizer, model):
        return init_optimizer(optimizer, model, stacked=True)

    def _choice_ll(self, net, seq_inputs, choice):
        """``[sequences time]`` log-probability of each choice made (the GRU is noiseless: the key is unused)."""
        logp = jax.nn.log_softmax(forward(net, seq_inputs, key=jax.random.PRNGKey(0))[1])
        return jnp.take_along_axis(logp, choice[..., None], axis=-1)[..., 0]

    def step(self, c: Config, optimizer):
        seq = self.dataset(c)
        inputs, choice = jnp.asarray(seq["inputs"]), jnp.asarray(seq["choice"])
        mask, fold = jnp.asarray(seq["mask"]), jnp.asarray(seq["fold"])

        def one_fold(net, opt_state, f):
            train = mask & (fold != f)[:, None]

            def loss(p):
                ll = self._choice_ll(p, inputs, choice)
                return -jnp.sum(jnp.where(train, ll, 0.0)) / jnp.sum(train)

            params, static = eqx.partition(net, eqx.is_inexact_array)
            value, grads = jax.value_and_grad(lambda p: loss(eqx.combine(p, static)))(params)
            updates, opt_state = optimizer.update(grads, opt_state, params)
            return eqx.apply_updates(net, updates), opt_state, value

        def step(model, opt_state, key):
            model, opt_state, losses = eqx.filter_vmap(one_fold)(model, opt_state, jnp.arange(c.n_folds))
            return model, opt_state, {"loss": jnp.mean(losses), "nll_per_choice_train": jnp.mean(losses)}

        return step

    def evaluate(self, c: Config, model, key) -> Evaluation:
        seq = self.dataset(c)
        inputs, choice, mask, fold = seq["inputs"], seq["choice"], seq["mask"], seq["fold"]
        ll_rnn = np.asarray(eqx.filter_jit(eqx.filter_vmap(self._choice_ll, in_axes=(0, None, None)))(
            model, jnp.asarray(inputs), jnp.asarray(choice)))  # [folds sequences time]
        held = {"GRU": 0.0, **{m: 0.0 for m in c.models}}
        per_subject = {name: {} for name in held}
        fitted = {m: [] for m in c.models}
        for f in range(c.n_folds):
            test, train = fold == f, fold != f
            rnn = np.where(mask[test], ll_rnn[f][test], 0.0).sum(axis=1)
            held["GRU"] += rnn.sum()
            for s, v in zip(seq["subject"][test], rnn):
                per_subject["GRU"][s] = per_subject["GRU"].get(s, 0.0) + float(v)
            for m in c.models:
                fit = fit_bandit_q(m, choice[train], seq["reward"][train], mask[train])
                ll = np.asarray(bandit_q_log_likelihood(m, jnp.asarray(fit["x"][0], jnp.float32), jnp.asarray(choice[test]),
                                                        jnp.asarray(seq["reward"][test]), jnp.asarray(mask[test]))).sum(1)
                held[m] += ll.sum()
                for s, v in zip(seq["subject"][test], ll):
                    per_subject[m][s] = per_subject[m].get(s, 0.0) + float(v)
                fitted[m].append({k: float(v[0]) for k, v in fit["params"].items()})
        n_choices = float(mask.sum())
        per_choice = {name: float(v / n_choices) for name, v in held.items()}
        # the flattering reference: each person fitted and scored on their own choices
        in_sample = {}
        for m in c.models:
            fit = fit_bandit_q(m, choice, seq["reward"], mask, groups=seq["subject"])
            in_sample[m] = float(fit["log_likelihood"].sum() / n_choices)
        best = max(c.models, key=lambda m: per_choice[m])
        subjects = sorted(per_subject["GRU"])
        better = float(np.mean([per_subject["GRU"][s] > per_subject[best][s] for s in subjects]))
        claims = [above(f"held-out log-likelihood per choice: GRU minus best Q-learning ({best})",
                        per_choice["GRU"] - per_choice[best], 0.0,
                        f"GRU {per_choice['GRU']:.4f} vs {best} {per_choice[best]:.4f} nats per choice, "
                        f"{c.n_folds}-fold cross-validation across {len(subjects)} people")]
        results = {"held_out_log_likelihood_per_choice": per_choice, "best_q_model": best,
                   "in_sample_per_subject_fit_log_likelihood_per_choice": in_sample,
                   "fraction_of_people_better_predicted_by_gru": better,
                   "n_choices": int(n_choices), "n_people": len(subjects), "q_parameters_by_fold": fitted,
                   "chance_log_likelihood_per_choice": float(np.log(0.5))}
        return Evaluation(results=results, claims=claims,
                          artifacts={"per_choice": per_choice, "in_sample": in_sample, "per_subject": per_subject,
                                     "subjects": subjects, "n_by_subject": {
                                         s: float(mask[seq["subject"] == s].sum()) for s in subjects}, "best": best})

    def figures(self, c: Config, ev: Evaluation, metrics: list[dict]) -> dict:
        import matplotlib.pyplot as plt

        a = ev.artifacts
        fig, axs = plt.subplots(1, 2, figsize=(8.4, 3.3))
        names = list(a["per_choice"])
        chance = np.log(0.5)
        axs[0].bar(range(len(names)), [a["per_choice"][n] - chance for n in names], bottom=chance, color="0.5",
                   label="held-out people")
        for i, m in enumerate(names):
            if m in a["in_sample"]:
                axs[0].plot(i, a["in_sample"][m], "r_", ms=18, mew=2,
                            label="fitted per person, in-sample" if m == names[1] else None)
        axs[0].axhline(chance, color="k", ls=":", lw=1, label="chance")
        axs[0].set_xticks(range(len(names)), names)
        axs[0].set_ylabel("log-likelihood per choice (nats)")
        lo = min(min(a["per_choice"].values()), np.log(0.5), *a["in_sample"].values())
        axs[0].set_ylim(lo - 0.05, max(a["per_choice"].values()) + 0.05)
        axs[0].legend(fontsize=7, frameon=False)
        best, subjects = a["best"], a["subjects"]
        x = np.array([a["per_subject"][best][s] / a["n_by_subject"][s] for s in subjects])
        y = np.array([a["per_subject"]["GRU"][s] / a["n_by_subject"][s] for s in subjects])
        axs[1].plot(x, y, "o", ms=3, color="tab:blue")
        lims = [min(x.min(), y.min()), max(x.max(), y.max())]
        axs[1].plot(lims, lims, "k--", lw=1)
        axs[1].set_xlabel(f"{best}, held out (per choice)")
        axs[1].set_ylabel("GRU, held out (per choice)")
        axs[1].set_title("one point per person", fontsize=9)
        fig.tight_layout()
        return {"log_likelihood": fig}
