"""Universality and individuality across architectures: the 3-bit flip-flop solved by vanilla, gated and
excitatory-inhibitory networks (Maheswaranathan, Williams, Golub, Ganguli & Sussillo 2019 NeurIPS 32,
"Universality and individuality in neural dynamics across large populations of recurrent networks").

Several networks of each architecture (a vanilla tanh RNN, a GRU, an LSTM and a CTRNN under Dale's law)
are trained by BPTT on the same n-bit flip-flop (Sussillo & Barak 2013). Each network is then studied
two ways, as in the paper:

* its *dynamics*: the fixed points of its noise-free map under zero input (Sussillo & Barak's search from
  states visited on trials), their stability, the memory each attractor stores (the sign pattern of the
  readout there) and which attractors each saddle joins (its unstable manifold, followed both ways);
* its *geometry*: SVCCA (Raghu et al. 2017) between its unit activity and every other network's on the same
  test trials, the distance being 1 - mean canonical correlation.

The paper's finding: the fixed-point topology is universal -- every architecture builds one attractor per
memory, 2**n of them, joined by saddles between memories one bit apart (the cube's edges for three bits)
-- while the representational geometry is individual: networks of one architecture are closer in CCA to
each other than to networks of another. Claims: every network solves the task; in every architecture at
least 90% of the networks have attractors that store exactly the 2**n memories (stable points are grouped by
the memory their readout gives; none may leave a readout undecided); at least 95% of the saddle joins found
link memories one bit apart; the CCA distances separate the architectures (label-permutation test,
p <= 0.05); and they separate them more than the topology does (separation indices of
:func:`brainlike.compare.category_separation`).
"""

from __future__ import annotations

import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax.flatten_util import ravel_pytree

from .. import analysis as A
from .. import compare, plot
from .._errors import ConfigError
from ..circuits import CTRNN, EIRNN, GRU, LSTM, Network, forward, hidden_states
from ..plasticity import adam, init_optimizer, make_step
from ..tasks import FlipFlop
from ._base import Evaluation, Experiment, at_least, at_most, member, register

__all__ = ["Maheswaranathan2019", "Config", "ARCHITECTURES"]

ARCHITECTURES = ("vanilla", "gru", "lstm", "eirnn")


@dataclasses.dataclass(frozen=True)
class Config:
    seed: int = 0
    architectures: tuple[str, ...] = ARCHITECTURES
    networks: int = 4  # per architecture, each from its own initial weights (all trained in one program)
    # circuits
    n_units: int = 32
    ei_tau: float = 20.0  # ms: the Dale CTRNN's time constant (the vanilla RNN steps with tau = dt)
    # task
    n_bits: int = 3
    dt: float = 10.0  # ms
    duration: float = 500.0  # ms per training trial
    p_pulse: float = 0.05
    # training (BPTT, Adam; mean-squared error on the +-1 targets)
    n_steps: int = 3000
    batch_size: int = 64
    learning_rate: float = 3e-3
    grad_clip: float = 1.0
    checkpoint_every: int = 500
    # analysis
    eval_trials: int = 128
    fp_starts: int = 512  # states visited on test trials where the fixed-point search starts
    fp_iterations: int = 3000
    fp_tolerance: float = 1e-7  # largest speed 1/2 |F(h) - h|^2 of a kept point
    svcca_keep: float = 0.99
    n_permutations: int = 2000

    def __post_init__(self):
        unknown = sorted(set(self.architectures) - set(ARCHITECTURES))
        if unknown or len(set(self.architectures)) < 2 or len(set(self.architectures)) != len(self.architectures):
            raise ConfigError(f"maheswaranathan2019: architectures must be two or more distinct of "
                              f"{', '.join(ARCHITECTURES)}, got {self.architectures}")
        if self.networks < 2:
            raise ConfigError(f"maheswaranathan2019: networks must be >= 2 per architecture, got {self.networks}")
        if self.fp_starts < 1 or self.eval_trials < 1:
            raise ConfigError(f"maheswaranathan2019: fp_starts and eval_trials must be >= 1, "
                              f"got {self.fp_starts}, {self.eval_trials}")

    @classmethod
    def smoke(cls) -> Config:
        return cls(networks=2, architectures=("vanilla", "gru"), n_units=8, n_steps=6, batch_size=8,
                   checkpoint_every=3, duration=100.0, eval_trials=8, fp_starts=16, fp_iterations=20,
                   fp_tolerance=1e9, n_permutations=20)

    @classmethod
    def quick(cls) -> Config:
        return cls()

    @classmethod
    def paper(cls) -> Config:
        return cls(networks=10, n_units=64, n_steps=10000, eval_trials=256, fp_starts=1024, fp_iterations=5000)


def make_task(c: Config, duration: float | None = None) -> FlipFlop:
    return FlipFlop(n_bits=c.n_bits, dt=c.dt, duration=c.duration if duration is None else duration,
                    p_pulse=c.p_pulse)


def make_network(c: Config, architecture: str, key) -> Network:
    n_in = n_out = c.n_bits
    k1, k2 = jax.random.split(key)
    if architecture == "vanilla":  # h_t = tanh(W h_{t-1} + U u_t + b): a CTRNN with tau = dt, in x coordinates
        circuit = CTRNN(n_in, c.n_units, key=k1, tau=c.dt, dt=c.dt, rate_fn="tanh", sigma_rec=0.0,
                        w_rec_gain=0.9)
    elif architecture == "gru":
        circuit = GRU(n_in, c.n_units, key=k1, dt=c.dt)
    elif architecture == "lstm":
        circuit = LSTM(n_in, c.n_units, key=k1, dt=c.dt)
    else:
        circuit = EIRNN(n_in, c.n_units, key=k1, tau=c.ei_tau, dt=c.dt, rate_fn="relu", sigma_rec=0.0)
    return Network(circuit, n_out, key=k2)


@eqx.filter_jit
def _rates_outputs(net, inputs, key):
    return forward(net, inputs, key=key)


def memory_topology(c: Config, net: Network, inputs, key) -> dict:
    """The fixed points of ``net`` under zero input: how many are stable, the memory code of each stable
    point (bit k set when readout k is positive there; -1 when some readout is within 0.5 of 0), the
    saddles and which memories each joins."""
    states = np.asarray(hidden_states(net, inputs, key=key)).reshape(-1, _state_size(net))
    rng = np.random.default_rng(0)
    starts = states[rng.choice(len(states), size=min(c.fp_starts, len(states)), replace=False)]
    fps = A.find_fixed_points(net, starts, n_iter=c.fp_iterations, tol=c.fp_tolerance)
    readout = np.asarray(net.read(jnp.asarray(fps.rates, jnp.float32)))
    codes = np.where(np.all(np.abs(readout) > 0.5, axis=1),
                     np.sum((readout > 0) << np.arange(c.n_bits), axis=1), -1)
    stable = np.flatnonzero(fps.stable)
    links = A.saddle_connections(net, fps)
    edges = sorted({tuple(sorted((int(codes[a]), int(codes[b])))) for _, a, b in links
                    if codes[a] >= 0 and codes[b] >= 0})
    stored = codes[stable]
    memories = sorted({int(k) for k in stored if k >= 0})
    # the attractors store every memory and nothing else (no stable point with an undecided readout)
    complete = memories == list(range(2 ** c.n_bits)) and bool(np.all(stored >= 0))
    one_bit = [bin(a ^ b).count("1") == 1 for a, b in edges]
    # stable points storing one memory: how far they spread, against the distance between memories
    centres = np.array([fps.points[stable[stored == k]].mean(0) for k in memories]) if memories else np.zeros((0, 1))
    spread = max((float(np.linalg.norm(fps.points[stable[stored == k]] - centres[i], axis=1).max())
                  for i, k in enumerate(memories)), default=0.0)
    gap = (float(np.min([np.linalg.norm(a - b) for i, a in enumerate(centres) for b in centres[i + 1:]]))
           if len(centres) > 1 else float("nan"))
    return {"n_fixed_points": len(fps), "n_stable": int(len(stable)),
            "n_saddles": int(np.sum(fps.n_unstable == 1)), "memories": memories, "complete": bool(complete),
            "n_undecided_attractors": int(np.sum(stored < 0)), "attractor_spread": spread / gap if gap else float("nan"),
            "edges": [list(e) for e in edges], "edges_one_bit_apart": int(sum(one_bit)),
            "fixed_points": fps, "codes": codes}


def _state_size(net: Network) -> int:
    return int(ravel_pytree(net.circuit.init_state())[0].size)


def _topology_signature(t: dict) -> tuple:
    """What the topology comparison sees of a network: the memories its attractors store, whether an
    attractor stores none, and whether every saddle found joins memories one bit apart."""
    return (tuple(t["memories"]), t["n_undecided_attractors"] > 0, t["edges_one_bit_apart"] == len(t["edges"]))


@register
class Maheswaranathan2019(Experiment):
    name = "maheswaranathan2019"
    title = "Universal fixed-point topology, individual geometry: the 3-bit flip-flop across architectures"
    paper = ("Maheswaranathan, Williams, Golub, Ganguli & Sussillo 2019 NeurIPS 32; task of Sussillo & Barak "
             "2013 Neural Comput 25:626")
    Config = Config

    def init(self, c: Config, key):
        make_task(c)  # validate the task before anything trains
        keys = jax.random.split(key, len(c.architectures))
        return {arch: eqx.filter_vmap(lambda k, a=arch: make_network(c, a, k))(jax.random.split(k, c.networks))
                for arch, k in zip(c.architectures, keys)}

    def optimizer(self, c: Config):
        return adam(c.learning_rate, c.grad_clip)

    def init_optimizer(self, c, optimizer, model):
        # one optimizer state per network: each is trained exactly as it would be alone
        return {arch: init_optimizer(optimizer, stack, stacked=True) for arch, stack in model.items()}

    def step(self, c: Config, optimizer):
        one = make_step(make_task(c), optimizer, batch_size=c.batch_size, loss="mse")
        every = eqx.filter_vmap(one, in_axes=(0, 0, None))  # the same trials for every network

        def step(model, opt_state, key):
            new_model, new_opt, metrics, losses = {}, {}, {}, []
            for arch in model:
                new_model[arch], new_opt[arch], m = every(model[arch], opt_state[arch], key)
                metrics[f"{arch}_loss"] = m["loss"].mean()
                losses.append(m["loss"])
            metrics["loss"] = jnp.concatenate(losses).mean()
            return new_model, new_opt, metrics

        return step

    def evaluate(self, c: Config, model, key) -> Evaluation:
        k_trials, k_run, k_fp = jax.random.split(key, 3)
        task = make_task(c, duration=2 * c.duration)  # test trials twice as long as training ones
        trials = task.sample(k_trials, c.eval_trials)
        labels, names, activity, accuracy, topology = [], [], [], [], []
        for arch, stack in model.items():
            for i in range(c.networks):
                net = member(stack, i)
                rates, outputs = _rates_outputs(net, trials.inputs, k_run)
                accuracy.append(float(np.mean(np.sign(np.asarray(outputs)) == np.asarray(trials.targets))))
                activity.append(np.asarray(rates).reshape(-1, rates.shape[-1]))
                topology.append(memory_topology(c, net, trials.inputs, k_fp))
                labels.append(arch)
                names.append(f"{arch} {i}")
        labels = np.asarray(labels)
        n = len(names)

        cca = np.zeros((n, n))
        for i in range(n):
            for j in range(i + 1, n):
                cca[i, j] = cca[j, i] = 1.0 - float(np.mean(compare.svcca(activity[i], activity[j],
                                                                          keep=c.svcca_keep).rho))
        signatures = [_topology_signature(t) for t in topology]
        topo = np.array([[float(a != b) for b in signatures] for a in signatures])
        iu = np.triu_indices(n, 1)
        geometry = compare.category_separation(cca[iu], labels, n_permutations=c.n_permutations, seed=c.seed)
        if np.ptp(topo[iu]) > 0:
            topo_sep = compare.category_separation(topo[iu], labels, n_permutations=c.n_permutations, seed=c.seed)
            topo_index, topo_p = topo_sep.index, topo_sep.p
        else:  # every network has the same topology: nothing tells the architectures apart
            topo_index, topo_p = 0.0, 1.0
        same = labels[:, None] == labels[None, :]
        off = ~np.eye(n, dtype=bool)
        complete = {arch: float(np.mean([t["complete"] for t, a in zip(topology, labels) if a == arch]))
                    for arch in model}
        worst_arch = min(complete, key=complete.get)
        n_edges = sum(len(t["edges"]) for t in topology)
        one_bit_fraction = sum(t["edges_one_bit_apart"] for t in topology) / n_edges if n_edges else float("nan")

        claims = [
            at_least("every network solves the flip-flop (worst fraction of correct output signs)", min(accuracy),
                     0.95, f"{c.n_bits} bits, test trials of {2 * c.duration:g} ms"),
            at_least("universal topology: networks whose attractors store exactly the 2^n memories (worst "
                     "architecture)", complete[worst_arch], 0.9, f"worst: {worst_arch}; stable fixed points at zero "
                     "input, each memory stored and no attractor with an undecided readout"),
            at_least("universal topology: saddles join memories one bit apart (fraction of the joins found)",
                     one_bit_fraction, 0.95, f"{n_edges} joins found across all networks (cube edges for 3 bits)"),
            at_most("individual geometry: SVCCA distances separate the architectures (permutation p)",
                    geometry.p, 0.05, f"separation index {geometry.index:.2f} over {c.n_permutations} shuffles"),
            at_least("geometry separates the architectures more than topology (index difference)",
                     geometry.index - topo_index, 0.2,
                     f"SVCCA separation {geometry.index:.2f}, topology separation {topo_index:.2f}"),
        ]
        results = {
            "networks": names,
            "accuracy": dict(zip(names, accuracy)),
            "topology": {nm: {k: v for k, v in t.items() if k not in ("fixed_points", "codes")}
                         for nm, t in zip(names, topology)},
            "complete_topology_fraction": complete,
            "svcca_distance": cca.tolist(),
            "svcca_within_mean": float(cca[same & off].mean()), "svcca_between_mean": float(cca[~same].mean()),
            "geometry_separation": {"index": geometry.index, "p": geometry.p},
            "topology_separation": {"index": topo_index, "p": topo_p},
        }
        return Evaluation(results=results, claims=claims,
                          artifacts={"cca": cca, "topology_distance": topo, "labels": labels, "names": names,
                                     "topology": topology, "model": model, "trials": trials, "key": k_run})

    def figures(self, c: Config, ev: Evaluation, metrics: list[dict]) -> dict:
        a = ev.artifacts
        figs = {
            "network_embedding": plot.network_embedding(a["cca"], a["labels"],
                                                        title="Networks by SVCCA distance (MDS)")[0],
            "distance_matrices": plot.distance_matrices({"SVCCA distance": a["cca"],
                                                         "topology differs": a["topology_distance"]},
                                                        a["names"])[0],
        }
        first = {}
        for t, lab, nm in zip(a["topology"], a["labels"], a["names"]):
            first.setdefault(lab, (nm, t))
        nets = {lab: member(a["model"][lab], 0) for lab in first}
        trajectories = {lab: np.asarray(_rates_outputs(nets[lab], a["trials"].inputs[:4], a["key"])[0])
                        for lab in first}
        figs["fixed_points"] = plot.fixed_point_portraits(
            {nm: (t["fixed_points"], trajectories[lab]) for lab, (nm, t) in first.items()})[0]
        rows = [m for m in metrics if m.get("seed", 0) == 0]
        if rows:
            ax = None
            for arch in c.architectures:
                fig, ax = plot.training_curve([m["step"] for m in rows], [m[f"{arch}_loss"] for m in rows], ax,
                                              label=arch)
            figs["training"] = fig
        return figs
