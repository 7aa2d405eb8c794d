"""A task-trained ventral stream scored against monkey and human IT (Yamins, Hong, Cadieu, Solomon,
Seibert & DiCarlo 2014 PNAS; the 92 images and IT RDMs of Kriegeskorte, Mur, Ruff, Kiani, Bodurka,
Esteky, Tanaka & Bandettini 2008 Neuron; the RSA of deep networks of Khaligh-Razavi & Kriegeskorte 2014).

Yamins et al. optimised convolutional networks for object categorisation on synthetic images (3-d object
models at varied position, scale and pose on random backgrounds) and found that the more categorisation
performance, the better the top layers predicted IT, and that the layer hierarchy matched the visual
hierarchy. Here a convnet (strided convolutions, a dense layer, a readout) learns to categorise objects
rendered procedurally on this machine (:func:`brainlike.data.render_objects`: faces, bodies, animals,
birds, fruit, tools, chairs, vehicles, buildings at varied pose, colour and background; a fresh batch
every step), and the same network before training is the control. Each layer's response to the 92
photographs of Kriegeskorte et al. becomes a correlation-distance RDM compared with the monkey IT RDM
(674 neurons, Kiani et al. 2007) and the human IT fMRI RDMs (4 subjects, with their noise ceiling) by
Kendall's tau-a (Nili et al. 2014). The network never sees the 92 photographs while it learns.

Claims: the trained network's best layer matches monkey IT better than pixels and than the untrained
network (paired bootstrap over stimuli, 95% CI excluding zero); later layers match better than early
ones; the best layer separates animate from inanimate images, as IT does (category separation index,
permutation test).
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
from ..circuits import convnet
from ..compare import RDM_COMPARISONS, bootstrap_rdm_comparison, category_separation, compare_rdms, noise_ceiling, rdm
from ..data import OBJECT_CATEGORIES, load_kriegeskorte2008, render_objects
from ._base import Evaluation, Experiment, above, at_least, below, register

__all__ = ["Yamins2014", "Config"]


@dataclasses.dataclass(frozen=True)
class Config:
    seed: int = 0
    image_size: int = 64  # the network's input, pixels per side (the 92 photographs are resized to it)
    channels: tuple[int, ...] = (32, 64, 128, 256)  # convolutional stages, stride 2 each
    kernels: tuple[int, ...] = (5, 3, 3, 3)
    hidden: tuple[int, ...] = (256,)  # dense layers before the readout
    n_steps: int = 600
    batch_size: int = 128  # freshly rendered images per step
    learning_rate: float = 1e-3  # Adam, cosine-decayed to 0
    comparison: str = "kendall_tau_a"  # RDM comparison (Nili et al. 2014 recommend tau-a)
    n_boot: int = 1000  # bootstrap resamples of the 92 stimuli
    n_permutations: int = 1000  # category-label shuffles for the separation test
    test_images: int = 1000  # freshly rendered images for the categorisation accuracy
    checkpoint_every: int = 200

    def __post_init__(self):
        if len(self.kernels) != len(self.channels):
            raise ConfigError(f"kernels has {len(self.kernels)} entries for {len(self.channels)} channels")
        if self.comparison not in RDM_COMPARISONS or self.comparison == "whitened_cosine":
            raise ConfigError(f"comparison={self.comparison!r}; known: "
                              f"{', '.join(m for m in RDM_COMPARISONS if m != 'whitened_cosine')}")
        if self.image_size < 8 or self.image_size // 2 ** len(self.channels) < 1:
            raise ConfigError(f"image_size={self.image_size} is too small for {len(self.channels)} stride-2 stages")
        if min(self.n_steps, self.batch_size, self.n_boot, self.n_permutations, self.test_images) < 1:
            raise ConfigError("n_steps, batch_size, n_boot, n_permutations and test_images must be >= 1")

    @classmethod
    def smoke(cls) -> Config:
        return cls(image_size=32, channels=(4, 8, 8), kernels=(5, 3, 3), hidden=(16,), n_steps=4, batch_size=16,
                   n_boot=20, n_permutations=20, test_images=50, checkpoint_every=2)

    @classmethod
    def quick(cls) -> Config:
        return cls()

    @classmethod
    def paper(cls) -> Config:
        return cls(channels=(64, 128, 256, 512), hidden=(512,), n_steps=3000, n_boot=5000, n_permutations=5000)


def _layer_names(c: Config) -> list[str]:
    return [f"conv{i + 1}" for i in range(len(c.channels))] + [f"fc{i + 1}" for i in range(len(c.hidden))] + ["readout"]


def _images(key, c: Config, n: int):
    """A batch of rendered objects as the network takes them, ``[n 3 size size]``, and labels."""
    x, y = render_objects(key, n, c.image_size)
    return x.transpose(0, 3, 1, 2), y


@functools.lru_cache(maxsize=1)
def _brain():
    return load_kriegeskorte2008()


def _photographs(c: Config) -> jax.Array:
    """The 92 photographs resized (antialiased) to the network's input, ``[92 3 size size]`` in [0, 1]."""
    img = jnp.asarray(_brain().images, jnp.float32) / 255.0
    n = img.shape[0]
    small = jax.image.resize(img, (n, c.image_size, c.image_size, 3), "linear")  # antialiased: may overshoot
    return jnp.clip(small, 0.0, 1.0).transpose(0, 3, 1, 2)


@register
class Yamins2014(Experiment):
    name = "yamins2014"
    title = "A categorisation-trained ventral stream vs monkey and human IT: RSA per layer"
    paper = ("Yamins et al. 2014 PNAS; Kriegeskorte et al. 2008 Neuron (92 images, IT RDMs); "
             "Khaligh-Razavi & Kriegeskorte 2014 PLoS Comput Biol; Nili et al. 2014")
    Config = Config
    data = ("kriegeskorte2008_92images/Kriegeskorte_Neuron2008_supplementalData.mat",
            "kriegeskorte2008_92images/92_brainRDMs.mat")

    def init(self, c: Config, key):
        net = convnet((3, c.image_size, c.image_size), c.channels, len(OBJECT_CATEGORIES), key=key,
                      kernel=c.kernels, stride=2, padding=1, hidden=c.hidden)
        # the control is the same network at its initial weights, kept beside the one that learns
        return {"trained": net, "untrained": net}

    def optimizer(self, c: Config):
        return optax.adam(optax.cosine_decay_schedule(c.learning_rate, c.n_steps))

    def init_optimizer(self, c: Config, optimizer, model):
        return optimizer.init(eqx.filter(model["trained"], eqx.is_inexact_array))

    def step(self, c: Config, optimizer):
        def step(model, opt_state, key):
            x, y = _images(key, c, c.batch_size)
            params, static = eqx.partition(model["trained"], eqx.is_inexact_array)

            def loss(p):
                logits = eqx.combine(p, static)(x)
                return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean(), jnp.mean(logits.argmax(-1) == y)

            (value, acc), grads = jax.value_and_grad(loss, has_aux=True)(params)
            updates, opt_state = optimizer.update(grads, opt_state, params)
            trained = eqx.combine(optax.apply_updates(params, updates), static)
            return {**model, "trained": trained}, opt_state, {"loss": value, "accuracy": acc}

        return step

    def evaluate(self, c: Config, model, key) -> Evaluation:
        data = _brain()
        it, human = data.rdms["monkey_it"], data.subjects()[1]
        ceiling = noise_ceiling(human, c.comparison)
        x92 = _photographs(c)
        names = _layer_names(c)
        layers = {"trained": [np.asarray(h).reshape(92, -1) for h in model["trained"].hidden(x92)],
                  "untrained": [np.asarray(h).reshape(92, -1) for h in model["untrained"].hidden(x92)]}
        pixels = np.asarray(x92).reshape(92, -1)
        rdms = {"pixels": rdm(pixels)}
        for net, hs in layers.items():
            rdms.update({f"{net}/{n}": rdm(h) for n, h in zip(names, hs)})

        def score(v):
            return {"monkey_it": compare_rdms(v, it, c.comparison),
                    "human_it": float(np.mean(compare_rdms(v, human, c.comparison)))}

        scores = {name: score(v) for name, v in rdms.items()}
        profile = {net: {t: [scores[f"{net}/{n}"][t] for n in names] for t in ("monkey_it", "human_it")}
                   for net in layers}
        best = names[int(np.argmax(profile["trained"]["monkey_it"]))]
        best_untrained = names[int(np.argmax(profile["untrained"]["monkey_it"]))]

        # paired bootstrap over stimuli: the same resamples for every RDM (same seed)
        seed = int(jax.random.randint(key, (), 0, 2**31 - 1))
        boot = {name: bootstrap_rdm_comparison(v, it, c.comparison, n_boot=c.n_boot, seed=seed) for name, v in rdms.items()}
        half = len(names) // 2
        upper = np.mean([boot[f"trained/{n}"] for n in names[half:]], axis=0)
        lower = np.mean([boot[f"trained/{n}"] for n in names[:half]], axis=0)

        def ci(diff):
            lo, hi = np.percentile(diff, [2.5, 97.5])
            return float(lo), float(hi)

        contrasts = {
            "best trained layer - pixels": (boot[f"trained/{best}"] - boot["pixels"],
                                            scores[f"trained/{best}"]["monkey_it"] - scores["pixels"]["monkey_it"]),
            "best trained layer - best untrained layer": (
                boot[f"trained/{best}"] - boot[f"untrained/{best_untrained}"],
                scores[f"trained/{best}"]["monkey_it"] - scores[f"untrained/{best_untrained}"]["monkey_it"]),
            "upper half of layers - lower half (trained)": (
                upper - lower, float(np.mean(profile["trained"]["monkey_it"][half:]) - np.mean(profile["trained"]["monkey_it"][:half]))),
        }
        contrast_results = {k: {"difference": float(d), "ci95": ci(b)} for k, (b, d) in contrasts.items()}

        animate = data.flags["animate"]
        separation = {name: category_separation(rdms[name] if name in rdms else data.rdms[name], animate,
                                                n_permutations=c.n_permutations, seed=seed)
                      for name in ("pixels", f"untrained/{best_untrained}", f"trained/{best}", "monkey_it", "human_it")}

        test_x, test_y = _images(jax.random.fold_in(key, 1), c, c.test_images)
        predicted = np.asarray(model["trained"](test_x).argmax(-1))
        test_y = np.asarray(test_y)
        accuracy = float(np.mean(predicted == test_y))
        per_category = {name: float(np.mean(predicted[test_y == k] == k)) if np.any(test_y == k) else None
                        for k, name in enumerate(OBJECT_CATEGORIES)}

        tag = c.comparison.replace("_", " ")
        claims = [
            at_least("categorisation accuracy on freshly rendered objects", accuracy, 0.8,
                     f"{c.test_images} images, {len(OBJECT_CATEGORIES)} categories (chance {1 / len(OBJECT_CATEGORIES):.2f})"),
        ]
        for label, key_ in (("vs pixels", "best trained layer - pixels"),
                            ("vs the untrained network's best layer", "best trained layer - best untrained layer"),
                            ("upper vs lower half of the layers", "upper half of layers - lower half (trained)")):
            r = contrast_results[key_]
            claims.append(above(f"monkey IT RSA {label}: bootstrap 95% CI lower bound", r["ci95"][0], 0.0,
                                f"{key_}: {tag} difference {r['difference']:+.3f}, CI [{r['ci95'][0]:+.3f}, {r['ci95'][1]:+.3f}] "
                                f"({c.n_boot} paired resamples of the 92 stimuli)"))
        sep = separation[f"trained/{best}"]
        claims.append(below(f"animate/inanimate separation in the best layer ({best}): permutation p", sep.p, 0.01,
                            f"separation index {sep.index:.3f} (monkey IT {separation['monkey_it'].index:.3f}, "
                            f"pixels {separation['pixels'].index:.3f}); {c.n_permutations} label shuffles"))

        results = {
            "comparison": c.comparison, "layers": names, "best_layer": best, "best_untrained_layer": best_untrained,
            "rsa": {name: s for name, s in scores.items()},
            "human_noise_ceiling": {"lower": ceiling.lower, "upper": ceiling.upper, "subjects": int(human.shape[0])},
            "bootstrap": contrast_results,
            "bootstrap_se": {name: float(np.std(b)) for name, b in boot.items()},
            "animacy_separation": {name: {"index": s.index, "p": s.p} for name, s in separation.items()},
            "test_accuracy": accuracy, "test_accuracy_per_category": per_category,
        }
        best_act = layers["trained"][names.index(best)]
        conditions = {"stimulus": np.arange(92), "animate": animate.astype(int)}
        recordings = {
            "main": Recording(activity=best_act[:, None, :], dt=1.0, conditions=conditions),
            "untrained": Recording(activity=layers["untrained"][names.index(best_untrained)][:, None, :], dt=1.0,
                                   conditions=conditions),
        }
        examples, example_labels = render_objects(jax.random.PRNGKey(c.seed), 20, c.image_size)
        artifacts = {"rdms": rdms, "profile": profile, "boot": boot, "best": best, "best_untrained": best_untrained,
                     "ceiling": ceiling, "it": it, "human": human.mean(0), "names": names, "scores": scores,
                     "animate": animate, "examples": np.asarray(examples), "example_labels": np.asarray(example_labels),
                     "photographs": np.asarray(x92).transpose(0, 2, 3, 1)}
        return Evaluation(results=results, claims=claims, recordings=recordings, artifacts=artifacts)

    def figures(self, c: Config, ev: Evaluation, metrics: list[dict]) -> dict:
        import matplotlib.pyplot as plt
        from scipy import stats

        from ..compare import square

        a = ev.artifacts
        names, best, bu = a["names"], a["best"], a["best_untrained"]
        panels = [("pixels", a["rdms"]["pixels"]), (f"untrained {bu}", a["rdms"][f"untrained/{bu}"]),
                  (f"trained {best}", a["rdms"][f"trained/{best}"]), ("monkey IT", a["it"]), ("human IT", a["human"])]
        fig1, axs = plt.subplots(1, len(panels), figsize=(3.0 * len(panels), 3.3), constrained_layout=True)
        boundary = int(np.argmin(a["animate"])) if a["animate"][0] and not a["animate"][int(np.argmin(a["animate"])):].any() else None
        for ax, (title, v) in zip(axs, panels):
            ranked = square(stats.rankdata(v) / v.size)  # rank-transformed, as in Kriegeskorte et al. 2008
            ax.imshow(ranked, cmap="viridis", vmin=0, vmax=1)
            if boundary is not None:
                ax.axhline(boundary - 0.5, color="w", lw=0.6), ax.axvline(boundary - 0.5, color="w", lw=0.6)
            score = "" if title in ("monkey IT", "human IT") else f"\ntau-a vs monkey IT {compare_rdms(v, a['it'], c.comparison):.3f}"
            ax.set_title(title + score, fontsize=8)
            ax.set_xticks([]), ax.set_yticks([])
        fig1.suptitle("RDMs of the 92 images (rank-transformed; animate first)", fontsize=9)

        fig2, ax = plt.subplots(figsize=(6.5, 3.8), constrained_layout=True)
        x = np.arange(len(names))
        for net, colour in (("trained", "tab:blue"), ("untrained", "0.5")):
            se = [a["boot"][f"{net}/{n}"].std() for n in names]
            ax.errorbar(x, a["profile"][net]["monkey_it"], yerr=se, color=colour, marker="o", label=f"{net} vs monkey IT")
            ax.plot(x, a["profile"][net]["human_it"], color=colour, marker="s", ls="--", label=f"{net} vs human IT (mean of subjects)")
        ax.axhline(a["scores"]["pixels"]["monkey_it"], color="k", ls=":", label="pixels vs monkey IT")
        ax.axhspan(a["ceiling"].lower, a["ceiling"].upper, color="0.85", label="human IT noise ceiling")
        ax.set_xticks(x, names)
        ax.set_ylabel(f"RDM correlation ({c.comparison})")
        ax.set_title("layer profile: which layer looks like IT", fontsize=9)
        ax.legend(fontsize=7, frameon=False)

        fig3, axs = plt.subplots(2, 11, figsize=(13, 3.0), constrained_layout=True)
        for i, ax in enumerate(axs[:, :10].flat):
            ax.imshow(a["examples"][i]), ax.set_title(OBJECT_CATEGORIES[a["example_labels"][i]], fontsize=6)
        for ax, k in zip(axs[:, 10], (0, 60)):
            ax.imshow(a["photographs"][k]), ax.set_title("one of the 92", fontsize=6)
        for ax in axs.flat:
            ax.axis("off")
        fig3.suptitle("training images (rendered) and test photographs at the network's resolution", fontsize=9)

        fig4, axs = plt.subplots(1, 2, figsize=(8, 3), constrained_layout=True)
        rows = sorted({m["step"]: m for m in metrics if m.get("seed", 0) == 0}.items())
        for ax, key_ in zip(axs, ("loss", "accuracy")):
            ax.plot([s for s, _ in rows], [m.get(key_, np.nan) for _, m in rows], "o-")
            ax.set_xlabel("training step"), ax.set_ylabel(f"batch {key_}")
        return {"rdms": fig1, "layer_profile": fig2, "stimuli": fig3, "training": fig4}
