"""Deep learning without weight transport (Akrout, Wilson, Humphreys, Lillicrap & Tweed 2019 NeurIPS).

Backpropagation sends errors down through the transpose of the forward weights, which neurons cannot
see. The same networks are trained here by seven rules that send it through other matrices (see
:mod:`brainlike.plasticity` ``FEEDBACK_RULES``): fixed random feedback (FA, Lillicrap et al. 2016),
direct feedback of the output error (DFA, Nokland 2016), sign-concordant feedback with batchwise or
fixed random magnitudes (brSF, frSF), and the two rules Akrout et al. proposed, in which the feedback
matrix *learns* to match the forward one: the weight mirror (WM; noise sent through each layer and a
Hebbian update, eq. 6) and Kolen-Pollack (KP; the feedback matrix receives the forward update and both
decay, eqs. 3-4).

Data: MNIST-1D (Greydanus & Kobak 2020), generated locally; or ``--set dataset=digits`` (scikit-learn's
8x8 digits). Architectures: an MLP and a convolutional network (the MNIST-1D reference CNN: three
strided convolutions and a readout); several seeds of every (architecture, rule) pair train together in
one program.

Paper's result (Table 1, and the angles of their MNIST logs): WM and KP match backpropagation where FA
falls behind in deeper (convolutional) networks, and their updates point within a few degrees of the
true gradient (about 3 degrees) where FA's are tens of degrees off (34.9 degrees).
"""

from __future__ import annotations

import dataclasses
import functools

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

from .._errors import ConfigError
from .._recording import Recording
from ..circuits import convnet, mlp
from ..data import load_classification
from ..plasticity import (
    FEEDBACK_RULES,
    feedback_angles,
    feedback_optimizer,
    gradient_angles,
    update_angles,
    with_feedback,
    without_feedback,
)
from ._base import Evaluation, Experiment, at_least, at_most, register

__all__ = ["Akrout2019", "Config"]

ARCHITECTURES = ("mlp", "cnn")


@dataclasses.dataclass(frozen=True)
class Config:
    seed: int = 0
    dataset: str = "mnist1d"  # mnist1d | digits
    architectures: tuple[str, ...] = ARCHITECTURES
    rules: tuple[str, ...] = tuple(FEEDBACK_RULES)
    n_seeds: int = 3  # networks per (architecture, rule), trained side by side (quick: 10)
    mlp_hidden: tuple[int, ...] = (256, 256)
    cnn_channels: tuple[int, ...] = (25, 25, 25)
    cnn_kernels: tuple[int, ...] = (5, 3, 3)  # per stage (stride 2, padding 1)
    n_steps: int = 3000
    batch_size: int = 100
    mlp_learning_rate: float = 3e-3  # Adam, warmed up linearly, then cosine-decayed to 0
    cnn_learning_rate: float = 1e-2
    warmup: int = 300  # steps of linear warm-up, in which the learned feedback (wm, kp) catches up with W
    kp_decay: float = 2e-3  # Kolen-Pollack weight decay per step at the start (cosine-decayed like the lr)
    mirror_lr: float = 0.5  # weight mirror: SGD step of B towards the noise estimate of W, at the start
    mirror_lr_final: float = 0.002  # ... and at the end (cosine in between)
    mirror_batch: int = 64  # noise samples per step sent through each layer (2 matmuls each: 64 keeps WM <= 1.5x BP)
    angle_examples: int = 500  # training examples for the update-gradient angles after training
    angle_batch: int = 20  # examples of each batch for the angles tracked during training
    checkpoint_every: int = 500

    def __post_init__(self):
        if self.dataset not in ("mnist1d", "digits"):
            raise ConfigError(f"dataset={self.dataset!r}; known: mnist1d, digits")
        for a in self.architectures:
            if a not in ARCHITECTURES:
                raise ConfigError(f"architectures: unknown {a!r}; known: {', '.join(ARCHITECTURES)}")
        for r in self.rules:
            if r not in FEEDBACK_RULES:
                raise ConfigError(f"rules: unknown {r!r}; known: {', '.join(FEEDBACK_RULES)}")
        if "bp" not in self.rules:
            raise ConfigError("rules must include 'bp' (the reference every other rule is compared with)")
        if len(self.cnn_kernels) != len(self.cnn_channels):
            raise ConfigError(f"cnn_kernels has {len(self.cnn_kernels)} entries for {len(self.cnn_channels)} cnn_channels")
        if self.n_seeds < 1 or self.n_steps < 1 or self.batch_size < 1:
            raise ConfigError("n_seeds, n_steps and batch_size must be >= 1")

    @classmethod
    def smoke(cls) -> Config:
        return cls(n_seeds=1, n_steps=20, mlp_hidden=(32,), cnn_channels=(4, 4, 4), angle_examples=64,
                   angle_batch=8, checkpoint_every=10, mirror_batch=8)

    @classmethod
    def quick(cls) -> Config:
        # 10 seeds: a network's test accuracy varies by ~0.8 points from seed to seed (1,000 test digits),
        # so the mean of 3 could not tell a 1-point gap from noise
        return cls(n_seeds=10)

    @classmethod
    def paper(cls) -> Config:
        return cls(n_seeds=10, n_steps=20000, mlp_hidden=(512, 512, 512), cnn_channels=(32, 32, 32))


def _data(c: Config):
    # digits: the train/test split follows the seed; MNIST-1D: always the reference data set
    return _load(c.dataset, c.seed if c.dataset == "digits" else None)


@functools.lru_cache(maxsize=4)
def _load(dataset: str, seed: int | None):
    """Loaded once per process (init, step and evaluate all read it; MNIST-1D takes ~1 s to generate)."""
    d = load_classification(dataset, seed)
    for a in (d.x_train, d.y_train, d.x_test, d.y_test):
        a.flags.writeable = False  # shared between callers
    return d


def _network(c: Config, arch: str, input_shape, n_classes: int, key):
    if arch == "mlp":
        n_in = int(np.prod(input_shape))
        return mlp(n_in, c.mlp_hidden, n_classes, key=key)
    return convnet(input_shape, c.cnn_channels, n_classes, key=key, kernel=c.cnn_kernels, stride=2, padding=1)


def _inputs(arch: str, x):
    return x.reshape(x.shape[0], -1) if arch == "mlp" else x


def _loss(net, x, y, *, key):
    return optax.softmax_cross_entropy_with_integer_labels(net(x, key=key), y).mean()


def _forward_optimizer(c: Config, arch: str):
    lr = c.mlp_learning_rate if arch == "mlp" else c.cnn_learning_rate
    warmup = min(c.warmup, c.n_steps // 2)
    return optax.adam(optax.warmup_cosine_decay_schedule(0.0, lr, warmup, c.n_steps) if warmup else
                      optax.cosine_decay_schedule(lr, c.n_steps))


@register
class Akrout2019(Experiment):
    name = "akrout2019"
    title = "Learning without weight transport: feedback alignment, sign symmetry, weight mirrors, Kolen-Pollack"
    paper = ("Akrout, Wilson, Humphreys, Lillicrap & Tweed 2019 NeurIPS; Lillicrap et al. 2016 Nat Commun; "
             "Nokland 2016 NeurIPS; Greydanus & Kobak 2020 (MNIST-1D)")
    Config = Config

    def init(self, c: Config, key):
        d = _data(c)
        model = {}
        for i, arch in enumerate(c.architectures):
            k_arch = jax.random.fold_in(key, i)
            for j, rule in enumerate(c.rules):
                def one(k, arch=arch, rule=rule, j=j):
                    # the same forward initialisation for every rule of a seed; the rule adds feedback
                    base = _network(c, arch, d.input_shape, d.n_classes, jax.random.fold_in(k, 0))
                    return with_feedback(base, rule, key=jax.random.fold_in(k, 1 + j), mirror_batch=c.mirror_batch)
                model[f"{arch}/{rule}"] = eqx.filter_vmap(one)(jax.random.split(k_arch, c.n_seeds))
        return model

    def optimizer(self, c: Config):
        # Feedback learning follows the forward learning rate's cosine schedule: Kolen-Pollack's decay
        # (so weights do not keep shrinking once learning has stopped) and the mirror's step (fast
        # tracking while W moves, long averaging of the noise estimate once it has settled).
        decay = optax.cosine_decay_schedule(c.kp_decay, c.n_steps)
        mirror = optax.cosine_decay_schedule(c.mirror_lr, c.n_steps, alpha=c.mirror_lr_final / c.mirror_lr)
        return {f"{arch}/{rule}": feedback_optimizer(rule, _forward_optimizer(c, arch), mirror_lr=mirror, decay=decay)
                for arch in c.architectures for rule in c.rules}

    def init_optimizer(self, c: Config, optimizers, model):
        return {name: eqx.filter_vmap(lambda n, o=optimizers[name]: o.init(eqx.filter(n, eqx.is_inexact_array)))(net)
                for name, net in model.items()}

    def step(self, c: Config, optimizers):
        d = _data(c)
        x_all, y_all = jnp.asarray(d.x_train), jnp.asarray(d.y_train)

        def step(model, opt_state, key):
            k_batch, k_rule = jax.random.split(key)
            idx = jax.random.randint(k_batch, (c.batch_size,), 0, x_all.shape[0])
            y = y_all[idx]
            new_model, new_state, metrics = {}, {}, {}
            losses = []
            for name, nets in model.items():
                arch = name.split("/")[0]
                x = _inputs(arch, x_all[idx])
                opt = optimizers[name]

                def one(net, state, k, opt=opt, x=x):
                    params, static = eqx.partition(net, eqx.is_inexact_array)
                    loss, grads = jax.value_and_grad(lambda p: _loss(eqx.combine(p, static), x, y, key=k))(params)
                    # the angle between the rule's update and the true gradient, tracked over training on
                    # the first `angle_batch` examples of the batch (cheap; evaluate uses angle_examples)
                    xs, ys = x[:c.angle_batch], y[:c.angle_batch]
                    sub = jax.grad(lambda p: _loss(eqx.combine(p, static), xs, ys, key=k))(params)
                    plain, plain_static = eqx.partition(without_feedback(net), eqx.is_inexact_array)
                    true = jax.grad(lambda p: _loss(eqx.combine(p, plain_static), xs, ys, key=None))(plain)
                    angles = _hidden_angles(sub, true)
                    updates, state = opt.update(grads, state, params)
                    return eqx.apply_updates(net, updates), state, loss, angles

                keys = jax.random.split(jax.random.fold_in(k_rule, len(losses)), c.n_seeds)
                net, state, loss, angles = eqx.filter_vmap(one)(nets, opt_state[name], keys)
                new_model[name], new_state[name] = net, state
                metrics[f"loss/{name}"] = loss.mean()
                metrics[f"angle/{name}"] = angles.mean()
                losses.append(loss.mean())
            metrics["loss"] = jnp.mean(jnp.stack(losses))
            return new_model, new_state, metrics

        return step

    def evaluate(self, c: Config, model, key) -> Evaluation:
        d = _data(c)
        n_ang = min(c.angle_examples, d.x_train.shape[0])
        table, per_layer, fb_align = {}, {}, {}
        for name, nets in model.items():
            arch, rule = name.split("/")
            x_te, x_tr = jnp.asarray(_inputs(arch, d.x_test)), jnp.asarray(_inputs(arch, d.x_train[:n_ang]))
            y_tr = jnp.asarray(d.y_train[:n_ang])

            def measure(net, k, x_te=x_te, x_tr=x_tr, y_tr=y_tr):
                acc = jnp.mean(jnp.argmax(without_feedback(net)(x_te), -1) == jnp.asarray(d.y_test))
                return acc, update_angles(net, _loss, x_tr, y_tr, key=k), feedback_angles(net)

            k_name = jax.random.fold_in(key, list(model).index(name))
            acc, ang, fb = eqx.filter_vmap(measure)(nets, jax.random.split(k_name, c.n_seeds))
            table[name] = [float(a) for a in np.asarray(acc)]
            per_layer[name] = np.asarray(ang).mean(axis=0).tolist()
            fb = np.asarray(fb)  # [seeds layers]; NaN where a layer has no feedback matrix
            fb_align[name] = [float(np.mean(col)) if np.isfinite(col).all() else None for col in fb.T]

        def mean_acc(arch, rule):
            return 100 * float(np.mean(table[f"{arch}/{rule}"]))

        def hidden_angle(arch, rule):
            return float(np.mean(per_layer[f"{arch}/{rule}"][:-1]))

        claims = []
        deep = "cnn" if "cnn" in c.architectures else c.architectures[-1]
        for arch in c.architectures:
            bp = mean_acc(arch, "bp")
            for rule in ("wm", "kp"):
                if rule in c.rules:
                    claims.append(at_least(f"{arch}: {rule.upper()} test accuracy - BP (points)", mean_acc(arch, rule) - bp, -1.0,
                                           f"{rule.upper()} {mean_acc(arch, rule):.1f}% vs BP {bp:.1f}%, mean of {c.n_seeds} seeds"))
                    claims.append(at_most(f"{arch}: {rule.upper()} update-gradient angle (degrees)", hidden_angle(arch, rule), 10.0,
                                          "mean over the layers below the readout, after training"))
            if "fa" in c.rules:
                claims.append(at_least(f"{arch}: FA update-gradient angle (degrees)", hidden_angle(arch, "fa"), 30.0,
                                       "mean over the layers below the readout, after training"))
        if "fa" in c.rules:
            gap = mean_acc(deep, "bp") - mean_acc(deep, "fa")
            claims.append(at_least(f"{deep}: BP - FA test accuracy (points)", gap, 5.0,
                                   f"FA clearly worse on the deeper network: FA {mean_acc(deep, 'fa'):.1f}% vs BP {mean_acc(deep, 'bp'):.1f}%"))

        results = {
            "dataset": c.dataset, "n_train": int(d.x_train.shape[0]), "n_test": int(d.x_test.shape[0]),
            "test_accuracy": table,
            "test_accuracy_mean": {k: float(np.mean(v)) for k, v in table.items()},
            "test_accuracy_sd": {k: float(np.std(v)) for k, v in table.items()},
            "update_angle_per_layer": per_layer,
            "feedback_forward_angle_per_layer": fb_align,
        }
        bp_net = without_feedback(jax.tree.map(lambda a: a[0] if eqx.is_array(a) else a, model[f"{deep}/bp"]))
        hs = bp_net.hidden(jnp.asarray(_inputs(deep, d.x_test)))
        rec = Recording(activity=np.asarray(hs[-2]).reshape(len(d.y_test), 1, -1), dt=1.0,
                        conditions={"label": d.y_test, "predicted": np.asarray(jnp.argmax(hs[-1], -1))})
        return Evaluation(results=results, claims=claims, recordings={"main": rec},
                          artifacts={"table": table, "per_layer": per_layer})

    def figures(self, c: Config, ev: Evaluation, metrics: list[dict]) -> dict:
        import matplotlib.pyplot as plt

        table, per_layer = ev.artifacts["table"], ev.artifacts["per_layer"]
        archs, rules = c.architectures, c.rules
        fig1, axs = plt.subplots(1, len(archs), figsize=(4.5 * len(archs), 3.4), constrained_layout=True, squeeze=False)
        for ax, arch in zip(axs[0], archs):
            accs = [100 * np.asarray(table[f"{arch}/{r}"]) for r in rules]
            ax.bar(range(len(rules)), [a.mean() for a in accs], color=[_colour(r) for r in rules], alpha=0.8)
            for i, a in enumerate(accs):
                ax.plot(np.full(a.size, i), a, "k.", ms=4)
            ax.set_xticks(range(len(rules)), [r.upper() for r in rules])
            lo = min(a.min() for a in accs)
            ax.set_ylim(max(0, lo - 5), 100)
            ax.set_ylabel("test accuracy (%)"), ax.set_title(f"{arch.upper()} on {c.dataset}", fontsize=9)

        fig2, axs = plt.subplots(1, 2, figsize=(10, 3.4), constrained_layout=True)
        for arch, ls in zip(archs, ["-", "--"]):
            for r in rules:
                key = f"angle/{arch}/{r}"
                rows = sorted({m["step"]: m[key] for m in metrics if m.get("seed", 0) == 0 and key in m}.items())
                if rows and r != "bp":
                    axs[0].plot([s for s, _ in rows], [v for _, v in rows], ls, color=_colour(r), label=f"{arch} {r.upper()}")
        axs[0].set_xlabel("training step"), axs[0].set_ylabel("angle to the true gradient (deg)")
        axs[0].set_title("update vs gradient over training (hidden layers)", fontsize=9)
        axs[0].legend(fontsize=6, frameon=False, ncol=2)
        arch = "cnn" if "cnn" in archs else archs[0]
        width = 0.8 / len(rules)
        for i, r in enumerate(rules):
            a = per_layer[f"{arch}/{r}"]
            axs[1].bar(np.arange(len(a)) + i * width, a, width, color=_colour(r), label=r.upper())
        axs[1].set_xticks(np.arange(len(per_layer[f"{arch}/bp"])) + 0.4,
                          [f"layer {i + 1}" for i in range(len(per_layer[f"{arch}/bp"]))])
        axs[1].set_ylabel("angle (deg)"), axs[1].set_title(f"{arch.upper()}: per layer after training", fontsize=9)
        axs[1].legend(fontsize=6, frameon=False)
        return {"accuracy_by_rule": fig1, "update_gradient_angles": fig2}


def _hidden_angles(grads, true):
    """Angle between the rule's and the true weight gradient, mean over layers below the readout."""
    angles = gradient_angles(grads, true)
    return jnp.mean(angles[:-1]) if angles.shape[0] > 1 else jnp.zeros(())


_COLOURS = {"bp": "k", "fa": "tab:red", "dfa": "tab:orange", "brsf": "tab:purple", "frsf": "tab:pink",
            "wm": "tab:blue", "kp": "tab:green"}


def _colour(rule: str) -> str:
    return _COLOURS.get(rule, "0.5")
