"""Long short-term memory in networks of spiking neurons (Bellec, Salaj, Subramoney, Legenstein & Maass
2018 NeurIPS, "Long short-term memory and learning-to-learn in networks of spiking neurons").

Recurrent networks of spiking neurons are trained by BPTT with a surrogate gradient (the pseudo-derivative
of their eq. 2, dampened by 0.3) on the store-recall task (:class:`~brainlike.tasks.StoreRecall`): a bit
shown with a STORE command must be reported at a RECALL command 0.6-1.6 s later, across distracting bits.
Three kinds of network learn it side by side, several of each:

* an LSNN: LIF neurons of which a fraction have a threshold that rises with every spike and relaxes over
  ``tau_adapt`` (seconds; spike-frequency adaptation), so the network can keep a memory in its thresholds;
* an LIF network of the same size without adaptation;
* an LSTM, the machine-learning reference.

Inputs are Poisson spike trains of input neurons (:class:`~brainlike.tasks.Encoded`); the spiking networks
are read out by leaky integrators and their firing is pulled towards ``rate_target_hz`` by the paper's
firing-rate regulariser. The analysis is what one does with recorded spike trains: accuracy per delay,
firing-rate distributions, ISI CVs and Fano factors (:mod:`brainlike.analysis`), rasters.

Beside them, LSNNs and LIF networks learn sequential digits (:class:`~brainlike.tasks.SequentialDigits`,
the paper's sequential MNIST on scikit-learn's 8 x 8 digits): one pixel per step, coded by threshold-crossing
input neurons (by default a rise and a fall through a threshold on separate neurons, the onset and offset
neurons of the LSNN code), the digit reported after the last pixel; their learning rate decays along a cosine;
accuracy is measured on held-out images. The digit networks' neurons are heterogeneous (Perez-Nieves, Leung,
Dragotti & Goodman 2021, Nat Commun 12:5791): each has its own membrane time constant, and each adaptive one
its own adaptation time constant, drawn log-uniformly (10-40 ms and 50-2000 ms) and then learned with the
weights (in log space), a departure from Bellec et al.'s one shared value that lifts the held-out accuracy of
an LSNN from about 0.88 to about 0.90 (see the config).

Claims: the LSNN solves store-recall (accuracy >= 0.95); the LIF network of the same size does not
(<= 0.70); the LSNN fires at a biological mean rate (1-40 Hz); the LSNN classifies held-out sequential
digits (>= 0.90).

The adaptation strengths ``beta`` are fixed by the neuron types, not learned (gradients stop at them): a
"LIF" network that may learn ``beta`` grows adaptation or facilitation of its own and solves store-recall.
"""

from __future__ import annotations

import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

from .. import analysis as A
from .. import plot
from .._errors import ConfigError
from .._recording import Recording
from ..circuits import ALIF, LIF, LSTM, Network, forward, log_uniform
from ..plasticity import adam, init_optimizer, make_step
from ..tasks import Encoded, SequentialDigits, StoreRecall
from ._base import Evaluation, Experiment, at_least, at_most, member, between, register

__all__ = ["Bellec2018", "Config", "ARCHITECTURES"]

ARCHITECTURES = ("lsnn", "lif", "lstm")
SPIKING = ("lsnn", "lif")


@dataclasses.dataclass(frozen=True)
class Config:
    seed: int = 0
    architectures: tuple[str, ...] = ARCHITECTURES
    networks: int = 2  # per architecture, trained side by side on the same trials
    # spiking networks
    n_units: int = 60
    frac_adaptive: float = 0.5  # of the LSNN's neurons (the rest are LIF)
    tau_m: float = 20.0  # ms
    tau_adapt: float = 2000.0  # ms
    beta: float = 50.0  # threshold rise (in v_th) of a neuron firing once per step, see circuits.LIF
    refractory: float = 5.0  # ms
    sigma_rec: float = 0.0  # sd of the private noise current, in v_th
    surrogate: str = "bellec"
    dampening: float = 0.3
    readout_tau: float = 20.0  # ms, the leaky-integrator readout
    lstm_units: int = 32
    # task
    dt: float = 5.0  # ms
    period: float = 200.0  # ms
    n_periods: int = 10
    min_delay: int = 3  # periods from STORE to RECALL
    max_delay: int = 8
    n_per_channel: int = 10  # input neurons per input channel
    input_rate: float = 100.0  # Hz of an input neuron whose channel is on
    # training (BPTT with surrogate gradients, Adam, cross-entropy in the recall period)
    n_steps: int = 600
    batch_size: int = 64
    learning_rate: float = 1e-2
    lstm_learning_rate: float = 1e-2
    rate_target_hz: float = 10.0
    rate_reg: float = 1.0
    checkpoint_every: int = 200
    # sequential digits (the paper's sequential MNIST, on the 8 x 8 UCI digits), trained alongside
    digits_architectures: tuple[str, ...] = ("lsnn", "lif")  # () to skip
    digits_units: int = 200
    digits_dt: float = 5.0  # ms per pixel
    digits_tau_adapt: float = 500.0  # ms
    digits_thresholds: int = 16  # threshold-crossing input neurons
    digits_response: float = 50.0  # ms
    digits_updates: int = 4  # digit updates per update of the store-recall networks
    digits_learning_rate: float = 5e-3
    digits_final_learning_rate: float | None = 1e-4  # cosine decay to this over the digit updates; None: constant
    digits_signed: bool = True  # a rise and a fall through a threshold on separate input neurons, as in the LSNN code
    # heterogeneous neurons (Perez-Nieves et al. 2021): each neuron's membrane and adaptation time constants
    # drawn log-uniformly from these ranges (ms), then learned (digits_learn_tau) or fixed; None: tau_m and
    # digits_tau_adapt for every neuron. One LSNN of 200 neurons, 7,800 updates, seeds 0-2, held-out
    # accuracy: learned 0.902, 0.911, 0.898; fixed 0.916, 0.904, 0.873; one shared tau 0.884 (seed 0;
    # README, stop 34)
    digits_tau_m_range: tuple[float, float] | None = (10.0, 40.0)
    digits_tau_adapt_range: tuple[float, float] | None = (50.0, 2000.0)
    digits_learn_tau: bool = True
    # analysis
    eval_trials: int = 512
    fano_window: float = 100.0  # ms

    def __post_init__(self):
        unknown = sorted(set(self.architectures) - set(ARCHITECTURES))
        if unknown or len(set(self.architectures)) != len(self.architectures) or not self.architectures:
            raise ConfigError(f"bellec2018: architectures must be distinct names of {', '.join(ARCHITECTURES)}, "
                              f"got {self.architectures}")
        if self.networks < 1 or self.n_units < 2 or self.lstm_units < 1:
            raise ConfigError("bellec2018: networks >= 1, n_units >= 2 and lstm_units >= 1 are needed")
        bad = sorted(set(self.digits_architectures) - set(ARCHITECTURES))
        if bad or len(set(self.digits_architectures)) != len(self.digits_architectures):
            raise ConfigError(f"bellec2018: digits_architectures must be distinct names of {', '.join(ARCHITECTURES)}, "
                              f"got {self.digits_architectures}")
        if self.digits_updates < 1 or self.digits_units < 2:
            raise ConfigError("bellec2018: digits_updates >= 1 and digits_units >= 2 are needed")
        final = self.digits_final_learning_rate
        if final is not None and not 0 < final <= self.digits_learning_rate:
            raise ConfigError(f"bellec2018: digits_final_learning_rate must be in (0, digits_learning_rate = "
                              f"{self.digits_learning_rate}], got {final}")
        for name in ("digits_tau_m_range", "digits_tau_adapt_range"):
            bounds = getattr(self, name)
            if bounds is not None and not (len(bounds) == 2 and 0 < bounds[0] <= bounds[1]):
                raise ConfigError(f"bellec2018: {name} must be two numbers 0 < low <= high (ms) or none, got {bounds}")
        if not 0 < self.frac_adaptive <= 1:
            raise ConfigError(f"bellec2018: frac_adaptive must be in (0, 1], got {self.frac_adaptive}")
        if self.rate_target_hz < 0 or self.rate_reg < 0 or self.eval_trials < 2:
            raise ConfigError("bellec2018: rate_target_hz and rate_reg must be >= 0 and eval_trials >= 2")

    @property
    def digits_heterogeneous(self) -> bool:
        """Whether the digit networks' neurons have time constants of their own."""
        return self.digits_tau_m_range is not None or self.digits_tau_adapt_range is not None

    @classmethod
    def smoke(cls) -> Config:
        return cls(networks=1, n_units=8, lstm_units=4, n_steps=4, batch_size=4, checkpoint_every=2, period=20.0,
                   n_periods=4, min_delay=1, max_delay=2, n_per_channel=2, eval_trials=8, fano_window=20.0,
                   digits_units=8, digits_updates=1, digits_thresholds=4)

    @classmethod
    def quick(cls) -> Config:
        return cls(digits_updates=13)  # 7,800 digit updates

    @classmethod
    def paper(cls) -> Config:
        return cls(networks=5, n_units=100, lstm_units=40, dt=1.0, n_steps=5000, n_per_channel=25, input_rate=50.0,
                   digits_architectures=ARCHITECTURES, digits_units=220, digits_updates=4)  # 20,000 digit updates


def make_task(c: Config) -> Encoded:
    return Encoded(StoreRecall(dt=c.dt, period=c.period, n_periods=c.n_periods, min_delay=c.min_delay,
                               max_delay=c.max_delay), n_per_channel=c.n_per_channel, max_rate=c.input_rate)


def make_digits_task(c: Config, split: str) -> SequentialDigits:
    return SequentialDigits(dt=c.digits_dt, split=split, pixel=c.digits_dt, response=c.digits_response,
                            n_thresholds=c.digits_thresholds, signed=c.digits_signed)


def digits_learning_rate(c: Config):
    """The digits networks' learning rate: constant, or a cosine decay (Loshchilov & Hutter 2017) from
    ``digits_learning_rate`` to ``digits_final_learning_rate`` over all ``n_steps * digits_updates`` updates
    (the LSNN code decays its rate by steps instead, 0.8 every 2,500 of its 36,000 iterations)."""
    if c.digits_final_learning_rate is None:
        return c.digits_learning_rate
    return optax.cosine_decay_schedule(c.digits_learning_rate, c.n_steps * c.digits_updates,
                                       alpha=c.digits_final_learning_rate / c.digits_learning_rate)


def make_network(c: Config, architecture: str, n_in: int, key, *, digits: bool = False) -> Network:
    """One network of ``architecture`` for store-recall (2 outputs) or, with ``digits``, for sequential
    digits (10 outputs, ``digits_units`` neurons stepping ``digits_dt``, adaptation over ``digits_tau_adapt``)."""
    k1, k2 = jax.random.split(key)
    dt, n_out = (c.digits_dt, 10) if digits else (c.dt, 2)
    n_units = c.digits_units if digits else c.n_units
    if architecture == "lstm":
        return Network(LSTM(n_in, n_units if digits else c.lstm_units, key=k1, dt=dt), n_out, key=k2)
    neuron = dict(dt=dt, tau_m=c.tau_m, tau_adapt=c.digits_tau_adapt if digits else c.tau_adapt,
                  refractory=c.refractory, sigma_rec=c.sigma_rec, surrogate=c.surrogate, dampening=c.dampening,
                  w_in_gain=3.0 if digits else 1.0)
    if digits:  # heterogeneous neurons: time constants of their own
        for i, (name, bounds) in enumerate((("tau_m", c.digits_tau_m_range),
                                            ("tau_adapt", c.digits_tau_adapt_range))):
            if bounds is not None:
                neuron[name] = log_uniform(jax.random.fold_in(key, 2 + i), n_units, *bounds)
        if c.digits_heterogeneous:
            neuron["learn_tau"] = c.digits_learn_tau
    if architecture == "lsnn":
        circuit = ALIF(n_in, n_units, key=k1, frac_adaptive=c.frac_adaptive, beta=c.beta, **neuron)
    else:
        circuit = LIF(n_in, n_units, key=k1, **neuron)
    return Network(circuit, n_out, key=k2, readout_tau=c.readout_tau)


@eqx.filter_jit
def run_batch(net, inputs, key):
    """Spikes (or rates) and readouts of ``net`` on a batch of trials, compiled once per network shape."""
    return forward(net, inputs, key=key)


def scored_choices(outputs, mask) -> np.ndarray:
    """The reported class of each trial (the bit at a recall, the digit, the side): the readout summed over
    the scored steps (``mask``), the larger channel."""
    return np.argmax(np.sum(np.asarray(outputs) * np.asarray(mask)[..., None], axis=1), axis=-1)


@register
class Bellec2018(Experiment):
    name = "bellec2018"
    title = "Working memory in spiking networks: LSNN (adaptive thresholds) vs LIF vs LSTM on store-recall"
    paper = "Bellec, Salaj, Subramoney, Legenstein & Maass 2018 NeurIPS 31"
    Config = Config

    def init(self, c: Config, key):
        task, digits = make_task(c), make_digits_task(c, "train")
        k_recall, k_digits = jax.random.split(key)
        model = {arch: eqx.filter_vmap(lambda k, a=arch: make_network(c, a, task.n_inputs, k))(
            jax.random.split(k, c.networks)) for arch, k in zip(c.architectures, jax.random.split(k_recall, 3))}
        for arch, k in zip(c.digits_architectures, jax.random.split(k_digits, 3)):
            model[f"digits_{arch}"] = eqx.filter_vmap(lambda k, a=arch: make_network(c, a, digits.n_inputs, k,
                                                                                     digits=True))(
                jax.random.split(k, c.networks))
        return model

    def optimizer(self, c: Config):
        opts = {arch: adam(c.lstm_learning_rate if arch == "lstm" else c.learning_rate) for arch in c.architectures}
        return opts | {f"digits_{arch}": adam(digits_learning_rate(c)) for arch in c.digits_architectures}

    def init_optimizer(self, c, optimizers, model):
        return {arch: init_optimizer(optimizers[arch], stack, stacked=True) for arch, stack in model.items()}

    def step(self, c: Config, optimizers):
        task = make_task(c)
        target = c.rate_target_hz * c.dt / 1000.0  # spikes per step
        steps = {arch: eqx.filter_vmap(make_step(task, optimizers[arch], batch_size=c.batch_size,
                                                 rate_reg=c.rate_reg if arch in SPIKING else 0.0,
                                                 rate_target=target if arch in SPIKING else None),
                                       in_axes=(0, 0, None))  # the same trials for every network
                 for arch in c.architectures}
        digits = make_digits_task(c, "train")
        digits_target = c.rate_target_hz * c.digits_dt / 1000.0
        for arch in c.digits_architectures:
            one = eqx.filter_vmap(make_step(digits, optimizers[f"digits_{arch}"], batch_size=c.batch_size,
                                            rate_reg=c.rate_reg if arch in SPIKING else 0.0,
                                            rate_target=digits_target if arch in SPIKING else None),
                                  in_axes=(0, 0, None))

            def several(net, opt, key, one=one):  # digits_updates updates per step of the store-recall networks
                def body(carry, k):
                    net, opt, m = one(*carry, k)
                    return (net, opt), m

                (net, opt), m = jax.lax.scan(body, (net, opt), jax.random.split(key, c.digits_updates))
                return net, opt, jax.tree.map(lambda x: x[-1], m)

            steps[f"digits_{arch}"] = several

        def step(model, opt_state, key):
            new_model, new_opt, metrics, losses = {}, {}, {}, []
            for arch in model:
                digits = arch.startswith("digits_")
                k = jax.random.fold_in(key, 1) if digits else key
                new_model[arch], new_opt[arch], m = steps[arch](model[arch], opt_state[arch], k)
                metrics[f"{arch}_loss"] = m["loss"].mean()
                metrics[f"{arch}_accuracy"] = m["step_accuracy"].mean()
                if arch.removeprefix("digits_") in SPIKING:
                    metrics[f"{arch}_rate_hz"] = m["mean_rate"].mean() * 1000.0 / (c.digits_dt if digits else c.dt)
                losses.append(m["loss"])
            metrics["loss"] = jnp.concatenate(losses).mean()
            return new_model, new_opt, metrics

        return step

    def evaluate(self, c: Config, model, key) -> Evaluation:
        k_trials, k_run = jax.random.split(key)
        task = make_task(c)
        trials = task.sample(k_trials, c.eval_trials)
        bit = np.asarray(trials.conditions["bit"])
        delay = np.asarray(trials.conditions["delay"])
        delays = np.arange(c.min_delay, c.max_delay + 1)
        accuracy, by_delay, stats, recordings = {}, {}, {}, {}
        for arch in c.architectures:
            stack = model[arch]
            acc, per_delay = [], []
            for i in range(c.networks):
                net = member(stack, i)
                rates, outputs = run_batch(net, trials.inputs, k_run)
                correct = scored_choices(outputs, trials.mask) == bit
                acc.append(float(correct.mean()))
                per_delay.append([float(correct[delay == d].mean()) if np.any(delay == d) else float("nan")
                                  for d in delays])
                if arch in SPIKING and i == 0:
                    rec = Recording(activity=np.asarray(rates), dt=c.dt,
                                    conditions={k: np.asarray(v) for k, v in trials.conditions.items()},
                                    epochs={k: np.asarray(v) for k, v in trials.epochs.items()},
                                    outputs=np.asarray(outputs), mask=np.asarray(trials.mask),
                                    units={"adaptive": np.asarray(net.circuit.beta) > 0})
                    recordings[arch] = rec
                    fr = A.firing_rates(rec)
                    cv = A.isi_cv(rec)
                    ff = A.fano_factor(rec, c.fano_window)
                    stats[arch] = {"mean_rate_hz": float(fr.mean()), "median_rate_hz": float(np.median(fr)),
                                   "silent_fraction": float(np.mean(fr < 0.5)),
                                   "median_isi_cv": float(np.nanmedian(cv)) if np.any(np.isfinite(cv)) else None,
                                   "median_fano": float(np.nanmedian(ff)) if np.any(np.isfinite(ff)) else None,
                                   "rates_hz": fr.tolist(), "isi_cv": cv.tolist()}
            accuracy[arch] = acc
            by_delay[arch] = np.nanmean(np.asarray(per_delay), axis=0).tolist()

        digits_acc = {}
        if c.digits_architectures:
            test = make_digits_task(c, "test")
            images = test.build(test.all_conditions(), key=jax.random.fold_in(k_trials, 1))
            label = np.asarray(images.conditions["digit"])
            for arch in c.digits_architectures:
                digits_acc[arch] = [float(np.mean(scored_choices(run_batch(member(model[f"digits_{arch}"], i),
                                                                      images.inputs, k_run)[1], images.mask) == label))
                                    for i in range(c.networks)]

        mean_acc = {arch: float(np.mean(v)) for arch, v in accuracy.items()}
        claims = []
        if "lsnn" in mean_acc:
            claims.append(at_least("LSNN solves store-recall (test accuracy, mean over networks)", mean_acc["lsnn"],
                                   0.95, f"{c.networks} networks of {c.n_units} neurons, "
                                   f"{int(c.frac_adaptive * 100)}% adaptive; delays "
                                   f"{c.min_delay * c.period:g}-{c.max_delay * c.period:g} ms"))
        if "lif" in mean_acc:
            claims.append(at_most("LIF network of the same size without adaptation fails (test accuracy)",
                                  mean_acc["lif"], 0.70, f"{c.networks} networks of {c.n_units} LIF neurons"))
        if "lsnn" in stats:
            claims.append(between("LSNN fires at a biological rate (mean over neurons, Hz)",
                                  stats["lsnn"]["mean_rate_hz"], 1.0, 40.0,
                                  f"regularised towards {c.rate_target_hz:g} Hz"))
        if "lsnn" in digits_acc:
            heterogeneous = (f" ({'learned' if c.digits_learn_tau else 'fixed'} time constants of their own)"
                             if c.digits_heterogeneous else "")
            claims.append(at_least("LSNN classifies sequential digits (test-set accuracy, mean over networks)",
                                   float(np.mean(digits_acc["lsnn"])), 0.90,
                                   f"{c.digits_units} neurons{heterogeneous}, one pixel per {c.digits_dt:g} ms, "
                                   f"{c.n_steps * c.digits_updates} updates; {len(label)} held-out images"))
        results = {"accuracy": accuracy, "accuracy_mean": mean_acc, "digits_test_accuracy": digits_acc,
                   "accuracy_by_delay": {"delay_ms": (delays * c.period).tolist(), **by_delay},
                   "spike_statistics": {a: {k: v for k, v in s.items() if k not in ("rates_hz", "isi_cv")}
                                        for a, s in stats.items()}}
        return Evaluation(results=results, claims=claims, recordings=recordings,
                          artifacts={"stats": stats, "by_delay": by_delay, "delays": delays * c.period})

    def figures(self, c: Config, ev: Evaluation, metrics: list[dict]) -> dict:
        a = ev.artifacts
        figs = {"accuracy_by_delay": plot.accuracy_by_delay(a["delays"], a["by_delay"])[0]}
        for arch, rec in ev.recordings.items():
            trial = int(np.argmax(rec.conditions["delay"]))  # the longest delay
            epochs = {k: v[trial] for k, v in rec.epochs.items()}
            figs[f"raster_{arch}"] = plot.raster(rec.activity[trial], rec.dt, epochs=epochs,
                                                 title=f"{arch.upper()}: stored bit {int(rec.conditions['bit'][trial])}")[0]
            s = a["stats"][arch]
            figs[f"spike_statistics_{arch}"] = plot.spike_statistics(s["rates_hz"], s["isi_cv"], label=arch)[0]
        rows = [m for m in metrics if m.get("seed", 0) == 0]
        if rows:
            ax = None
            for arch in (*c.architectures, *(f"digits_{a}" for a in c.digits_architectures)):
                fig, ax = plot.training_curve([m["step"] for m in rows], [m[f"{arch}_loss"] for m in rows], ax,
                                              label=arch)
            figs["training"] = fig
        return figs
