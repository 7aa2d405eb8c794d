"""Seeds of a sweep trained as one vmapped program against one seed alone (``brainlike sweep --seeds N``).

Times the experiment's own jitted update loop (``plasticity.make_chunk``: a scan of ``--steps`` updates,
vmapped over seeds exactly as ``run_experiment`` trains them) for 1 seed and for ``--seeds`` seeds of
``--experiment`` at ``--size``, after a compile of each, in the same process, and prints the time per update
for both and their ratio (the sweep issue asks for 32 seeds of ``perceptual_dm --quick`` within 4x of one).
With ``--points K`` it also times K grid points that differ only in ``--field`` (learning rates spread
over a factor of 10 around the config's), one seed each, trained in one program as ``brainlike sweep``
groups them (``runs._group``), against K programs of one point each (compile included in both, as a
sweep pays it).

    python benchmarks/sweep_seeds.py [--experiment perceptual_dm] [--size quick] [--seeds 32] [--steps 100]
                                     [--points 4] [--field learning_rate]
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from brainlike.experiments import get
from brainlike.plasticity import make_chunk
from brainlike.runs import seed_keys
from brainlike.runs._group import _stack, _values_step, shared_program
from brainlike.runs._run import init_networks


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


def time_points(exp, c, field: str, k: int, steps: int) -> tuple[float, float]:
    """Seconds for ``steps`` updates (compile included) of ``k`` points differing in ``field``: one program
    for all, and one program per point in turn."""
    configs = [dataclasses.replace(c, **{field: float(v)}) for v in getattr(c, field) * np.logspace(-0.5, 0.5, k)]
    fields = shared_program(exp, configs)
    if fields is None:
        raise SystemExit(f"{exp.name}: points that differ in {field} cannot share a program")
    keys = seed_keys(c.seed, 1)
    t0 = time.perf_counter()
    nets = [init_networks(exp, x, keys) for x in configs]
    values = {f: jnp.asarray([getattr(x, f) for x in configs], jnp.float32) for f in fields}
    chunk = make_chunk(_values_step(exp, c, fields), steps)
    jax.block_until_ready(chunk((_stack([m for m, _ in nets]), values), _stack([o for _, o in nets]),
                                jnp.tile(keys, (k, 1)), jnp.asarray(0)))
    together = time.perf_counter() - t0
    t0 = time.perf_counter()
    for x in configs:
        models, states = init_networks(exp, x, keys)
        jax.block_until_ready(make_chunk(exp.step(x, exp.optimizer(x)), steps)(models, states, keys, jnp.asarray(0)))
    return together, time.perf_counter() - t0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--experiment", default="perceptual_dm")
    p.add_argument("--size", default="quick")
    p.add_argument("--seeds", type=int, default=32)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--points", type=int, default=0, help="also time this many grouped grid points")
    p.add_argument("--field", default="learning_rate")
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
    if a.points:
        together, apart = time_points(exp, c, a.field, a.points, a.steps)
        print(f"{a.points} points ({a.field}), {a.steps} updates each, compiles included: one program {together:.1f} s, "
              f"one program per point {apart:.1f} s ({apart / together:.2f}x)")


if __name__ == "__main__":
    main()
