"""Seeds of a sweep trained as one vmapped program against one seed alone (``brainlike sweep --seeds N``).

Times the experiment's own jitted update loop (``plasticity.make_chunk``: a scan of ``--steps`` updates,
vmapped over seeds exactly as ``run_experiment`` trains them) for 1 seed and for ``--seeds`` seeds of
``--experiment`` at ``--size``, after a compile of each, in the same process, and prints the time per update
for both and their ratio (the sweep issue asks for 32 seeds of ``perceptual_dm --quick`` within 4x of one).

    python benchmarks/sweep_seeds.py [--experiment perceptual_dm] [--size quick] [--seeds 32] [--steps 100]
"""

from __future__ import annotations

import argparse
import time

import equinox as eqx
import jax

from brainlike.experiments import get
from brainlike.plasticity import make_chunk
from brainlike.runs import seed_keys


def time_per_step(exp, c, n_seeds: int, steps: int) -> tuple[float, float]:
    optimizer = exp.optimizer(c)
    keys = seed_keys(c.seed, n_seeds)
    models = eqx.filter_vmap(lambda k: exp.init(c, k))(keys)
    opt_states = eqx.filter_vmap(lambda m: exp.init_optimizer(c, optimizer, m))(models)
    chunk = make_chunk(exp.step(c, optimizer), steps)
    t0 = time.perf_counter()
    out = jax.block_until_ready(chunk(models, opt_states, keys, jax.numpy.asarray(0)))
    compile_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    jax.block_until_ready(chunk(out[0], out[1], keys, jax.numpy.asarray(steps)))
    return (time.perf_counter() - t0) / steps, compile_s


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--experiment", default="perceptual_dm")
    p.add_argument("--size", default="quick")
    p.add_argument("--seeds", type=int, default=32)
    p.add_argument("--steps", type=int, default=100)
    a = p.parse_args()
    exp = get(a.experiment)
    c = exp.config(a.size)
    print(f"device: {jax.devices()[0].device_kind}; {a.experiment} ({a.size}), {a.steps} updates timed")
    one, c1 = time_per_step(exp, c, 1, a.steps)
    many, cn = time_per_step(exp, c, a.seeds, a.steps)
    print(f"1 seed:   {1e3 * one:.2f} ms/update (compile {c1:.0f} s)")
    print(f"{a.seeds} seeds: {1e3 * many:.2f} ms/update (compile {cn:.0f} s), {1e3 * many / a.seeds:.2f} ms per seed")
    print(f"{a.seeds} seeds / 1 seed: {many / one:.1f}x the time (goal <= 4x); "
          f"{a.seeds * one / many:.1f}x the throughput of seeds run one after another")


if __name__ == "__main__":
    main()
