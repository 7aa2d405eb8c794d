"""Many cognitive tasks in one network (Yang, Joglekar, Song, Newsome & Wang 2019 Nat Neurosci 22:297).

One CTRNN of softplus units (tau 100 ms, private noise) is trained by BPTT on the 20 interrelated tasks
of the paper, interleaved as the authors did (each batch's task drawn with the authors' probabilities),
with the ring-input scheme of :class:`brainlike.tasks.Yang2019`: fixation, two modality rings, a one-hot
rule input, a sigmoid fixation-and-ring output scored by a masked squared error. The trained network is
then studied as the paper studied it:

* performance of each task (fixation held, response within 36 degrees) on fresh random trials;
* task variance of every unit in every task on the authors' fixed-timing test grids (noise off), from
  each task's stimulus onset on, normalised per unit; units clustered by k-means with the number of
  clusters chosen by the silhouette score (Fig. 2);
* fractional task variance between pairs of tasks: DM 1 vs DM 2 (exclusive units), Ctx DM 1 vs Ctx DM 2
  (shared units), DMS vs DNMS (Fig. 3), each beside the paper's control, the same activity in randomly
  rotated axes (a population code that is not aligned with units has few exclusive units);
* lesions: each cluster silenced in turn (outgoing and readout weights zero), every task's performance
  measured again on the same trials (Fig. 4);
* compositional rule representations (Fig. 6): the cosine between the activity vectors
  Dly Anti - Dly Go and Anti - Go at the end of fixation, and the performance on Dly Anti trials whose rule
  input is the combination Anti + Dly Go - Go.

Claims (the paper's results): every task learned (mean >= 90%, each >= 80%); >= 5 clusters with silhouette
>= 0.3; some cluster's lesion costs >= 30 points on some task while at least half of the tasks stay within
10 points; DM 1 / DM 2 fractional task variance has mass at both ends: >= 5% of the engaged units beyond +-0.8 on
each side, and more there than in the rotated control (one-sided Fisher exact test, p < 0.01 at each end).
Departure from the paper: the ``quick`` size trains the paper's rate-leak network (eq. 1) smaller (128 units,
40 ms steps) for fewer trials (2.9M), with the authors' "easy" stimulus strengths.
"""

from __future__ import annotations

import dataclasses
import functools

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

from .. import analysis as A
from .. import plot
from .._errors import ConfigError
from .._recording import Recording
from ..circuits import CTRNN, Network, RateCTRNN, forward, lesion
from ..plasticity import make_step, sigmoid_mse
from ..tasks import Yang2019
from ..tasks._yang2019 import TASK_LABELS, TASKS, performance
from ._base import Evaluation, Experiment, at_least, at_most, register

__all__ = ["Yang2019Experiment", "Config"]

# the authors' "easy_task" stimulus strengths (gyyang/multitask task.py): 10x and 2x the standard coherences
EASY_DM_COHERENCES = (0.1, 0.2, 0.4, 0.8)
EASY_DLY_DM_COHERENCES = (0.16, 0.32, 0.64)
CIRCUITS = {"ctrnn": CTRNN, "rate_ctrnn": RateCTRNN}
FTV_PAIRS = (("dm1", "dm2"), ("ctx_dm1", "ctx_dm2"), ("dms", "dnms"))


@dataclasses.dataclass(frozen=True)
class Config:
    seed: int = 0
    # circuit (Yang et al. 2019 Methods): "ctrnn" leaks the input currents (Song, Yang & Wang 2016); "rate_ctrnn"
    # leaks the rates, with the noise inside the rate function, as the paper's eq. 1 and the authors' LeakyRNN
    circuit: str = "ctrnn"
    n_units: int = 256
    rate_fn: str = "softplus"
    tau: float = 100.0  # ms
    dt: float = 20.0  # ms
    sigma_rec: float = 0.05  # private recurrent noise
    # the authors' networks of all 20 tasks (gyyang/multitask experiment.train_all): w_rec_init "diag", a
    # scaled identity, 0.5 for softplus units; at the quick size it lifted the worst task from 0.83 (random
    # orthogonal, gain 1) to 0.96 and gave 9 clusters instead of 7 (see docs/yang2019_runs.md)
    w_rec_init: str = "identity"
    w_rec_gain: float = 0.5
    # tasks
    sigma_x: float = 0.01  # input noise (per sqrt(2 tau / dt) per step)
    task_weights: tuple[float, ...] | None = None  # None: the authors' (Ctx DM 1 and 2 five times as often)
    # the authors' training (gyyang/multitask train.py): every batch is trials of one task; False mixes the
    # tasks within a batch (stops 17-28: 9 clusters of silhouette 0.281, 5.7% exclusive units at the quick
    # size, against 13 of 0.286 and 6.1% one task per batch; see docs/yang2019_runs.md)
    one_task_per_batch: bool = True
    dm_coherences: tuple[float, ...] = (0.01, 0.02, 0.04, 0.08)
    dly_dm_coherences: tuple[float, ...] = (0.08, 0.16, 0.32)
    # training (BPTT, Adam)
    # the authors trained for up to 10M trials (gyyang/multitask train.train, max_steps=1e7): 156,250 batches of 64;
    # 40,000 (stop 33, one H200) left the paper size at mean 0.934, Ctx Dly DM 1 0.648
    n_steps: int = 150000
    batch_size: int = 64  # trials per update
    learning_rate: float = 1e-3  # Adam; cosine-decayed to final_lr_fraction of it over training
    final_lr_fraction: float = 0.05
    grad_clip: float = 1.0
    rate_reg: float = 0.0  # L2 penalty on rates (mean squared rate)
    rate_l1: float = 0.0  # L1 penalty on rates (mean rate; the authors' l1_h)
    weight_reg: float = 0.0
    weight_l1: float = 0.0  # L1 penalty on connection weights (mean absolute weight; the authors' l1_weight)
    fixation_weight: float = 2.0  # the fixation output counts this much more in the loss
    # the squared error's weight after the go cue (and its grace period) relative to before it: the paper's 5;
    # the authors' code weighs (error x mask)^2, that is 25, with the fixation output at 4
    response_weight: float = 5.0
    # ms: each batch runs only to the next multiple of this past its longest trial (the authors padded each batch
    # to its own longest trial), not over every padded step of the longest task (4.2 s); None: always 4.2 s.
    # At the quick size training ran at 25.5 updates/s against 15.7-16.8 (see docs/yang2019_runs.md)
    bucket_ms: float | None = 400.0
    checkpoint_every: int = 500  # steps
    # analysis
    eval_trials: int = 512  # random trials per task for performance (and for every lesion)
    # ms: task variance from here on; None: from each task's stimulus onset, the end of its fixation epoch, as
    # the authors (gyyang/multitask variance.py) -- 500 ms on the test grids, 2000 ms for RT Go and RT Anti
    variance_start: float | None = None
    active_threshold: float = 1e-3  # summed task variance below which a unit counts as silent
    max_clusters: int = 30
    ftv_edge: float = 0.8  # |FTV| beyond which a unit counts as exclusive to one task

    def __post_init__(self):
        if self.circuit not in CIRCUITS:
            raise ConfigError(f"yang2019: unknown circuit {self.circuit!r}; known: {', '.join(CIRCUITS)}")
        if self.task_weights is not None and len(self.task_weights) != len(TASKS):
            raise ConfigError(f"yang2019: task_weights needs {len(TASKS)} numbers (one per task), "
                              f"got {len(self.task_weights)}")
        if self.max_clusters < 3:
            raise ConfigError(f"yang2019: max_clusters must be >= 3, got {self.max_clusters}")
        if not (self.learning_rate > 0 and 0 <= self.final_lr_fraction <= 1 and self.grad_clip > 0):
            raise ConfigError(f"yang2019: need learning_rate > 0, 0 <= final_lr_fraction <= 1 and grad_clip > 0, got "
                              f"{self.learning_rate}, {self.final_lr_fraction}, {self.grad_clip}")
        if self.bucket_ms is not None and not self.bucket_ms >= self.dt:
            raise ConfigError(f"yang2019: bucket_ms must be >= dt ({self.dt:g} ms) or None, got {self.bucket_ms}")
        if self.eval_trials < 1:
            raise ConfigError(f"yang2019: eval_trials must be >= 1, got {self.eval_trials}")

    @property
    def bucket_steps(self) -> int:
        """``bucket_ms`` in steps (1 with no buckets): training batches and scoring trials are cut to multiples."""
        return max(1, int(round(self.bucket_ms / self.dt))) if self.bucket_ms else 1

    @classmethod
    def smoke(cls) -> Config:
        return cls(n_units=24, n_steps=6, batch_size=8, checkpoint_every=3, eval_trials=8, max_clusters=6)

    @classmethod
    def quick(cls) -> Config:
        # the paper's rate-leak network (RateCTRNN) without a rate penalty, as the authors' train_all, 128 units,
        # 40 ms steps, 90,000 batches of 32 (2.9M trials), and the authors' "easy_task" strengths (their code's
        # switch: decision coherences x10, delayed-decision x2; with the standard ones the context tasks stayed
        # at chance gating, see docs/yang2019_runs.md). Seeds 0, 1, 2: silhouette 0.307, 0.334, 0.301; until
        # stop 40 a current-leak CTRNN with a rate penalty, 16,000 batches of 64 (silhouette 0.257-0.271)
        return cls(circuit="rate_ctrnn", n_units=128, dt=40.0, n_steps=90000, batch_size=32, learning_rate=2e-3,
                   eval_trials=512, rate_reg=0.0,
                   dm_coherences=EASY_DM_COHERENCES, dly_dm_coherences=EASY_DLY_DM_COHERENCES)

    @classmethod
    def paper(cls) -> Config:
        # the quick config at the paper's size and step: 256 units, 20 ms (90,000 batches of 32, 2.9M trials; the
        # authors trained up to 10M). Until stop 44 the current-leak CTRNN with the standard strengths, 150,000
        # batches of 64, which reached mean 0.934 after 40,000 (stop 33, one H200) and was never run to the end
        return dataclasses.replace(cls.quick(), n_units=256, dt=20.0)


def make_task(c: Config, *, quiet: bool = False) -> Yang2019:
    return Yang2019(dt=c.dt, tau=c.tau, weights=c.task_weights, sigma_x=0.0 if quiet else c.sigma_x,
                    dm_coherences=c.dm_coherences, dly_dm_coherences=c.dly_dm_coherences,
                    one_task_per_batch=c.one_task_per_batch, response_weight=c.response_weight)


def make_network(c, task: Yang2019, key) -> Network:
    """The network of config ``c`` (its ``circuit``, ``n_units``, ``tau``, ``dt``, ``rate_fn``, ``sigma_rec``,
    ``w_rec_init`` and ``w_rec_gain``) with ``task``'s inputs and outputs."""
    k1, k2 = jax.random.split(key)
    circuit = CIRCUITS[c.circuit](task.n_inputs, c.n_units, key=k1, tau=c.tau, dt=c.dt, rate_fn=c.rate_fn,
                                     sigma_rec=c.sigma_rec, w_rec_init=c.w_rec_init, w_rec_gain=c.w_rec_gain)
    return Network(circuit, task.n_outputs, key=k2)


def _quiet(net: Network) -> Network:
    return eqx.tree_at(lambda m: m.circuit, net, A.noiseless(net.circuit))


@eqx.filter_jit
def _sample(task, index, key, n: int):
    k_cond, k_build = jax.random.split(key)
    conditions = task.sample_task(index, k_cond, n)
    return conditions, task.build(conditions, key=k_build).inputs


def scoring_trials(task: Yang2019, n: int, key, *, every: int = 1,
                   tasks: tuple[str, ...] = TASKS) -> list[tuple[dict, jax.Array, jax.Array]]:
    """``n`` random trials of each of ``tasks`` (the 20; the same for the same key): per task its conditions, its
    inputs cut after the longest trial (rounded up to ``every`` steps; the network is causal and nothing after a
    trial's end is scored) and the key of the network's noise. Built once, scored for the intact network and
    again for every lesion (the same trials and the same noise, so a change is the lesion's alone)."""
    out = []
    for name in tasks:
        i = TASKS.index(name)
        k_trials, k_run = jax.random.split(jax.random.fold_in(key, i))
        conditions, inputs = _sample(task, jnp.asarray(i), k_trials, n)
        length = min(-(-int(conditions["end"].max()) // every) * every, inputs.shape[1])
        out.append((conditions, inputs[:, :length], k_run))
    return out


@eqx.filter_jit
def _scores(net, conditions, inputs, key, hold_from: int):
    _, outputs = forward(net, inputs, key=key)
    y = jax.nn.sigmoid(outputs)
    return performance(y, conditions).mean(), performance(y, conditions, hold_from=hold_from).mean()


def task_performance(net: Network, trials: list, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """Fraction correct of each task on the trials of :func:`scoring_trials`: the authors' measure,
    and the same with the fixation also held until the go cue (the first 100 ms not scored)."""
    hold_from = int(round(100.0 / dt))
    out = np.asarray([_scores(net, cond, inputs, k, hold_from) for cond, inputs, k in trials], dtype=float)
    return out[:, 0], out[:, 1]


@eqx.filter_jit
def _rates(net, inputs, key):
    return forward(net, inputs, key=key)


def test_recordings(net: Network, task: Yang2019, key) -> dict[str, Recording]:
    """Every task's fixed-timing test grid through the network (noise off), as Recordings cut at trial end."""
    quiet = _quiet(net)
    out = {}
    for i, name in enumerate(TASKS):
        cond = task.test_conditions(name)
        trials = task.build(cond, key=jax.random.fold_in(key, i))
        end = int(cond["end"][0])
        rates, outputs = _rates(quiet, trials.inputs[:, :end], jax.random.fold_in(key, 100 + i))
        out[name] = Recording(activity=np.asarray(rates), dt=task.dt,
                              conditions={k: np.asarray(v) for k, v in cond.items()},
                              inputs=np.asarray(trials.inputs[:, :end]), outputs=np.asarray(outputs),
                              targets=np.asarray(trials.targets[:, :end]))
    return out


def variance_window(recordings: dict[str, Recording], c: Config) -> dict[str, float]:
    """Where each task's task variance starts (ms): ``c.variance_start``, or, when it is None, the task's
    stimulus onset on its test grid (the authors leave out each task's fixation epoch, ``fix1``)."""
    if c.variance_start is not None:
        return {name: float(c.variance_start) for name in recordings}
    return {name: float(rec.conditions["stim1_on"][0]) * rec.dt for name, rec in recordings.items()}


def rule_composition(net: Network, task: Yang2019, c: Config, key, recordings: dict[str, Recording]) -> dict:
    """Fig. 6 of the paper: rule representations compose. The representation of a rule is the (noise-free)
    population activity at the end of fixation of its test trials; ``cosine`` compares Dly Anti - Dly Go
    with Anti - Go (``control``: Dly Anti - Dly Go against DM 2 - DM 1). ``composed_performance``: Dly Anti
    trials whose rule input is Anti + Dly Go - Go instead of Dly Anti's own (``own``, and ``wrong``: the
    Dly Go rule alone). ``recordings``: the noise-free test grids of :func:`test_recordings`."""
    recs = {}
    for name in ("go", "anti", "dly_go", "dly_anti", "dm1", "dm2"):
        rec = recordings[name]
        recs[name] = rec.activity[:, int(rec.conditions["stim1_on"][0]) - 1].mean(0)

    def cos(a, b):
        return float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12))

    dly = recs["dly_anti"] - recs["dly_go"]
    rule0 = 1 + 2 * task.n_ring
    idx = {t: rule0 + TASKS.index(t) for t in TASKS}
    cond = task.sample_task("dly_anti", jax.random.fold_in(key, 1), c.eval_trials)
    trials = task.build(cond, key=jax.random.fold_in(key, 2))
    inputs = trials.inputs
    rule_on = inputs[..., idx["dly_anti"]]

    def score(x):
        _, outputs = _rates(net, x, jax.random.fold_in(key, 3))
        return float(performance(jax.nn.sigmoid(outputs), cond).mean())

    composed = (inputs.at[..., idx["dly_anti"]].set(0.0).at[..., idx["anti"]].add(rule_on)
                .at[..., idx["dly_go"]].add(rule_on).at[..., idx["go"]].add(-rule_on))
    wrong = inputs.at[..., idx["dly_anti"]].set(0.0).at[..., idx["dly_go"]].add(rule_on)
    return {"cosine": cos(dly, recs["anti"] - recs["go"]), "control": cos(dly, recs["dm2"] - recs["dm1"]),
            "composed_performance": score(composed), "own": score(inputs), "wrong": score(wrong)}


@register
class Yang2019Experiment(Experiment):
    name = "yang2019"
    title = "Twenty cognitive tasks in one recurrent network: clusters, lesions, compositional rules"
    paper = "Yang, Joglekar, Song, Newsome & Wang 2019 Nat Neurosci 22:297 (doi:10.1038/s41593-018-0310-2)"
    Config = Config

    def init(self, c: Config, key):
        return make_network(c, make_task(c), key)

    def optimizer(self, c: Config):
        schedule = optax.cosine_decay_schedule(c.learning_rate, max(c.n_steps, 1), alpha=c.final_lr_fraction)
        return optax.chain(optax.clip_by_global_norm(c.grad_clip), optax.adam(schedule))

    def step(self, c: Config, optimizer):
        task = make_task(c)
        weights = jnp.ones(task.n_outputs).at[0].set(c.fixation_weight)
        loss = functools.partial(sigmoid_mse, channel_weights=weights)
        buckets = None
        if c.bucket_ms is not None:
            buckets = list(range(c.bucket_steps, task.n_steps, c.bucket_steps))
        return make_step(task, optimizer, batch_size=c.batch_size, loss=loss, rate_reg=c.rate_reg,
                         weight_reg=c.weight_reg, rate_l1=c.rate_l1, weight_l1=c.weight_l1, time_buckets=buckets)

    def evaluate(self, c: Config, model, key) -> Evaluation:
        k_perf, k_var, k_rule, k_rec = jax.random.split(key, 4)
        task = make_task(c)
        labels = [TASK_LABELS[t] for t in TASKS]
        trials = scoring_trials(task, c.eval_trials, k_perf, every=c.bucket_steps)
        perf, perf_held = task_performance(model, trials, c.dt)

        # -- task variance and clusters (noise off, fixed-timing test grids) ----------------------
        recs = test_recordings(model, make_task(c, quiet=True), k_var)
        window = variance_window(recs, c)
        tv, _ = A.task_variance(recs, t_start=window)
        active = A.active_units(tv, c.active_threshold)
        if active.sum() < 4:  # (an untrained or dead network) cluster every unit rather than fail
            active = np.ones_like(active)
        features = A.normalized_task_variance(tv[active])
        clusters = A.cluster_units(features, n_clusters=range(3, c.max_clusters + 1), seed=c.seed)
        active_idx = np.flatnonzero(active)

        # -- lesions: each cluster silenced, every task on the same trials ------------------------
        change = np.stack([task_performance(lesion(model, active_idx[clusters.members(k)]), trials, c.dt)[0] - perf
                           for k in range(clusters.n_clusters)])
        spared = (np.abs(change) <= 0.1).sum(axis=1)
        specific = spared >= len(TASKS) / 2
        drops = -change.min(axis=1)
        best = int(np.argmax(np.where(specific, drops, -np.inf))) if specific.any() else int(np.argmax(drops))
        specific_drop = float(drops[best]) if specific.any() else 0.0

        # -- fractional task variance --------------------------------------------------------------
        # the control of Yang et al. Fig. 3 (grey): the same activity in randomly rotated axes
        tv_rotated, _ = A.task_variance(recs, t_start=window,
                                        rotation=A.random_rotation(tv.shape[0], seed=c.seed))
        ftv, exclusive, ftv_rotated, exclusive_rotated, exclusive_p = {}, {}, {}, {}, {}
        for a, b in FTV_PAIRS:
            i, j = TASKS.index(a), TASKS.index(b)
            for v, f, e in ((tv, ftv, exclusive), (tv_rotated, ftv_rotated, exclusive_rotated)):
                engaged = v[:, i] + v[:, j] > c.active_threshold
                f[f"{a}-{b}"] = A.fractional_task_variance(v[engaged, i], v[engaged, j])
                e[f"{a}-{b}"] = A.exclusive_fractions(f[f"{a}-{b}"], c.ftv_edge)
            exclusive_p[f"{a}-{b}"] = A.exclusive_units_test(ftv[f"{a}-{b}"], ftv_rotated[f"{a}-{b}"], c.ftv_edge)
        dm_low, dm_high = exclusive["dm1-dm2"]
        n_dm = int(np.isfinite(ftv["dm1-dm2"]).sum())

        composition = rule_composition(model, make_task(c, quiet=True), c, k_rule, recs)
        worst = int(np.argmin(perf))
        hit_task = TASKS[int(np.argmin(change[best]))]
        claims = [
            at_least("mean performance over the 20 tasks", float(perf.mean()), 0.9,
                     "fixation held and response within 36 degrees, fresh random trials"),
            at_least("performance of the worst task", float(perf[worst]), 0.8, f"worst: {labels[worst]}"),
            at_least("number of unit clusters", clusters.n_clusters, 5,
                     f"k-means on normalised task variance of {int(active.sum())} active units, "
                     "k chosen by silhouette"),
            at_least("silhouette score of the clustering", clusters.silhouette, 0.3),
            at_least("task-specific lesion deficit (largest drop, other tasks spared)", specific_drop, 0.3,
                     f"cluster {best + 1}: {TASK_LABELS[hit_task]} drops {drops[best]:.2f}, "
                     f"{int(spared[best])} of 20 tasks within 10 points"),
            # "mass at both ends (exclusive units exist)" (issue 4): each end holds >= 5% of the engaged units, and
            # more units than the same activity in rotated axes (Yang et al. Fig. 3's control) beyond chance. Until
            # stop 43 the bound was 10% with no test; but with the 110 units engaged at the quick size, a network
            # whose units are exclusive to each end with chance 10% shows under 5% at an end 3% of the time and
            # under 10% 45% of the time (binomial), so the smaller end of such a network falls under 10% in 70% of runs
            at_least("DM 1 vs DM 2: exclusive units on each side (smaller fraction)", min(dm_low, dm_high), 0.05,
                     f"FTV < -{c.ftv_edge:g}: {dm_low:.3f}, FTV > {c.ftv_edge:g}: {dm_high:.3f} of {n_dm} engaged "
                     f"units; randomly rotated control: {exclusive_rotated['dm1-dm2'][0]:.3f}, "
                     f"{exclusive_rotated['dm1-dm2'][1]:.3f}"),
            at_most("DM 1 vs DM 2: more exclusive units than the rotated control (Fisher exact p, larger end)",
                    max(exclusive_p["dm1-dm2"]), 0.01,
                    f"one-sided p {exclusive_p['dm1-dm2'][0]:.1e} (DM 2 end), {exclusive_p['dm1-dm2'][1]:.1e} (DM 1 end)"),
        ]
        results = {
            "performance": dict(zip(TASKS, perf.tolist())),
            "mean_performance": float(perf.mean()),
            "performance_fixation_held": dict(zip(TASKS, perf_held.tolist())),
            "n_active_units": int(active.sum()),
            "n_clusters": clusters.n_clusters,
            "silhouette": clusters.silhouette,
            "silhouette_by_k": dict(zip(clusters.n_tried.tolist(), np.asarray(clusters.scores).tolist())),
            "cluster_sizes": np.bincount(clusters.labels).tolist(),
            "cluster_labels": clusters.labels.tolist(),
            "active_units": active_idx.tolist(),
            "task_variance": tv.tolist(),
            "lesion_change": change.tolist(),
            "lesion_specific_cluster": best + 1,
            "ftv_exclusive_fractions": {k: list(v) for k, v in exclusive.items()},
            "ftv_exclusive_fractions_rotated": {k: list(v) for k, v in exclusive_rotated.items()},
            "ftv_exclusive_p": {k: list(v) for k, v in exclusive_p.items()},
            "rule_composition": composition,
        }
        # a small recording: 4 random trials of every task, with noise as in training
        sample = task.sample_task("go", k_rec, 1)
        conds = [task.sample_task(name, jax.random.fold_in(k_rec, i), 4) for i, name in enumerate(TASKS)]
        sample = {f: jnp.concatenate([cd[f] for cd in conds]) for f in sample}
        trials = task.build(sample, key=jax.random.fold_in(k_rec, 99))
        rates, outputs = _rates(model, trials.inputs, jax.random.fold_in(k_rec, 98))
        rec = Recording(activity=np.asarray(rates), dt=task.dt, conditions={k: np.asarray(v) for k, v in sample.items()},
                        epochs={k: np.asarray(v) for k, v in trials.epochs.items()}, inputs=np.asarray(trials.inputs),
                        outputs=np.asarray(jax.nn.sigmoid(outputs)), targets=np.asarray(trials.targets),
                        mask=np.asarray(trials.mask))
        return Evaluation(results=results, claims=claims, recordings={"main": rec},
                          artifacts={"perf": perf, "labels": labels, "features": features, "clusters": clusters,
                                     "change": change, "ftv": ftv, "ftv_rotated": ftv_rotated,
                                     "composition": composition})

    def figures(self, c: Config, ev: Evaluation, metrics: list[dict]) -> dict:
        a = ev.artifacts
        figs = {"performance": plot.task_performance(a["perf"], a["labels"], criterion=0.8)[0],
                "task_variance": plot.task_variance_map(a["features"], a["labels"], clusters=a["clusters"])[0],
                "silhouette": plot.silhouette(a["clusters"].n_tried, a["clusters"].scores,
                                              chosen=a["clusters"].n_clusters)[0],
                "lesions": plot.lesion_effects(a["change"], a["labels"])[0]}
        import matplotlib.pyplot as plt

        fig, axs = plt.subplots(1, len(FTV_PAIRS), figsize=(4.0 * len(FTV_PAIRS), 3.0), constrained_layout=True)
        for ax, (x, y) in zip(axs, FTV_PAIRS):
            plot.fractional_variance(a["ftv"][f"{x}-{y}"], ax, label=f"{TASK_LABELS[x]}, {TASK_LABELS[y]}",
                                     control=a["ftv_rotated"][f"{x}-{y}"])
        figs["fractional_task_variance"] = fig
        rows = [m for m in metrics if m.get("seed", 0) == 0]
        if rows:
            figs["training"] = plot.training_curve([m["step"] for m in rows], [m["loss"] for m in rows])[0]
        return figs
