"""Fixed-point search on a trained 256-unit network: time, and agreement between search seeds.

Trains the ``mante2013`` network (CTRNN, tanh, as the experiment does) with ``--units`` units, then, in
the motion context (fixation and context cue on, stimulus at zero coherence), runs
:func:`brainlike.analysis.find_fixed_points` from ``--initial-states`` states sampled from trials,
once per search seed (each seed samples different trial states and jitters them differently).

Prints the time of each search (the first includes compilation) and compares the searches:

- fixed points (speed below ``--tol``, the end points of a full search, merged within
  ``--merge``): how many, and the fraction of each seed's points that lie within ``--match`` of a
  point found by seed 0 (both ways);
- the slow points of the experiment's setting (``stop_speed``): the line they form (first principal
  direction) and the slow mode's median time constant, per seed.

    python benchmarks/fixed_points.py [--units 256] [--train-steps 2000] [--search-seeds 3]
"""

from __future__ import annotations

import argparse
import platform
import time

import equinox as eqx
import jax
import numpy as np

from brainlike import analysis as A
from brainlike.circuits import hidden_states
from brainlike.experiments import mante2013 as M
from brainlike.plasticity import fit, init_optimizer


def train(units: int, steps: int):
    c = M.Config(n_units=units, n_steps=steps, train_stimulus_min=300.0, train_stimulus_max=1500.0)
    exp = M.Mante2013()
    keys = jax.random.split(jax.random.PRNGKey(0), 1)
    opt = exp.optimizer(c)
    models = eqx.filter_vmap(lambda k: exp.init(c, k))(keys)
    opts = eqx.filter_vmap(lambda m: init_optimizer(opt, m))(models)
    t0 = time.perf_counter()
    models, _ = fit(models, opts, keys, step=exp.step(c, opt), n_steps=steps, chunk=250, progress=False)
    print(f"trained {units} units for {steps} steps in {time.perf_counter() - t0:.0f} s")
    return c, jax.tree_util.tree_map(lambda x: x[0] if eqx.is_array(x) else x, models)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--units", type=int, default=256)
    ap.add_argument("--train-steps", type=int, default=2000)
    ap.add_argument("--search-seeds", type=int, default=3)
    ap.add_argument("--initial-states", type=int, default=256)
    ap.add_argument("--iterations", type=int, default=3000)
    ap.add_argument("--tol", type=float, default=1e-8, help="largest speed q of a fixed point")
    ap.add_argument("--merge", type=float, default=1e-2, help="merge distance of fixed points")
    ap.add_argument("--match", type=float, default=5e-2, help="distance within which two points are the same")
    args = ap.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, jax {jax.__version__} on {jax.devices()[0]}")

    c, model = train(args.units, args.train_steps)
    circuit = model.circuit
    task = M.task(c)
    grid = task.condition_grid(2)
    trials = task.build(grid, key=jax.random.PRNGKey(1))
    states = np.asarray(hidden_states(model, trials.inputs, key=jax.random.PRNGKey(2)))
    stim = np.asarray(trials.epochs["stimulus"][0])
    pool = states[np.asarray(grid["context"]) == 0][:, stim[0]:stim[1] + 10].reshape(-1, states.shape[-1])
    u = np.zeros(circuit.n_in)
    u[M.FIXATION], u[M.CONTEXT[0]] = 1.0, 1.0
    u[[*M.MOTION, *M.COLOUR]] = 0.5

    fixed, slow = [], []
    for seed in range(args.search_seeds):
        rng = np.random.default_rng(seed)
        h0 = pool[rng.choice(len(pool), args.initial_states, replace=False)]
        h0 = h0 + 0.01 * rng.normal(size=h0.shape)
        t0 = time.perf_counter()
        fp = A.find_fixed_points(circuit, h0, u, n_iter=args.iterations, tol=args.tol, merge_distance=args.merge)
        t_full = time.perf_counter() - t0
        t0 = time.perf_counter()
        sp = A.find_fixed_points(circuit, h0, u, n_iter=args.iterations, tol=c.fp_tol, merge_distance=1e-3,
                                 stop_speed=c.fp_stop_speed)
        t_slow = time.perf_counter() - t0
        fixed.append(fp)
        slow.append(sp)
        print(f"search seed {seed}: {args.initial_states} states x {args.iterations} iterations: "
              f"fixed points {t_full:5.1f} s ({len(fp)} found), slow points {t_slow:5.1f} s ({len(sp)} found)")

    print("\nfixed points: agreement with search seed 0 (fraction within "
          f"{args.match:g} of a point of the other search)")
    ref = fixed[0].points
    for seed, fp in enumerate(fixed[1:], 1):
        if not len(fp) or not len(ref):
            print(f"  seed {seed}: {len(fp)} points against {len(ref)}")
            continue
        d = np.linalg.norm(fp.points[:, None] - ref[None], axis=-1)
        fwd, back = np.mean(d.min(1) < args.match), np.mean(d.min(0) < args.match)
        print(f"  seed {seed}: {len(fp)} points; {fwd:.0%} of them found by seed 0, {back:.0%} of seed 0's found here; "
              f"stable: {np.sum(np.abs(fp.eigenvalues[:, 0]) < 1)} (seed 0: {np.sum(np.abs(fixed[0].eigenvalues[:, 0]) < 1)})")

    print("\nslow points: line direction (|cos| with seed 0's) and slow-mode time constant (median, ms)")
    lines = []
    for sp in slow:
        r = sp.rates - sp.rates.mean(0)
        lines.append(np.linalg.svd(r, full_matrices=False)[2][0])
    for seed, sp in enumerate(slow):
        print(f"  seed {seed}: {len(sp)} points, |cos| {abs(lines[seed] @ lines[0]):.3f}, "
              f"time constant {np.median(sp.time_constants):.0f} ms")


if __name__ == "__main__":
    main()
