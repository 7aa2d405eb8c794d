"""Training speed of the reward-modulated Hebbian rule (Miconi 2017) on the context task.

The issue's goal: 20 networks of the context task trained side by side (vmap) in under 10 minutes on this
CPU (Miconi's C++ code needs hours per network on one core for 20k-50k trials). This times the quick
configuration's context-task training (``miconi2017`` with ``tasks=("context",)``): one jitted scan of
``--updates`` updates for all networks, after a warm-up compile, and extrapolates to the config's
``n_steps``; ``--full`` trains the whole configuration instead and reports trials to criterion.

    python benchmarks/miconi_training.py [--networks 20] [--updates 1000] [--full]
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import jax
import numpy as np

from brainlike.experiments import get


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--networks", type=int, default=20)
    p.add_argument("--updates", type=int, default=1000)
    p.add_argument("--full", action="store_true", help="train all n_steps of the quick config")
    a = p.parse_args()
    exp = get("miconi2017")
    quick = dataclasses.replace(exp.config("quick"), tasks=("context",), n_networks=a.networks)
    n = quick.n_steps if a.full else a.updates
    c = dataclasses.replace(quick, n_steps=n)
    print(f"device: {jax.devices()[0].device_kind}; {a.networks} networks of {c.n_units} units, "
          f"{c.batch_size} trials per update, {int(round((c.stimulus + c.response) / c.dt))} steps of {c.dt:g} ms per trial")
    train = jax.jit(exp.make_train(c))
    key = jax.random.PRNGKey(0)
    t0 = time.perf_counter()
    jax.block_until_ready(train(key))  # compile + one run
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    model, losses = jax.block_until_ready(train(key))
    t = time.perf_counter() - t0
    trials = n * c.batch_size * a.networks
    print(f"compile + first run {first:.1f} s; run {t:.1f} s for {n} updates: {1e3 * t / n:.2f} ms/update, "
          f"{trials / t:,.0f} trials/s over all networks")
    full = t / n * quick.n_steps
    print(f"the quick config ({quick.n_steps} updates = {quick.n_steps * c.batch_size:,} trials per network): "
          f"{full / 60:.1f} min for {a.networks} networks  ({'ok' if full < 600 else 'OVER'} the 10 min goal)")
    solved = np.asarray(model["context"].solved_at)
    reached = solved[solved >= 0]
    print(f"running accuracy >= {c.criterion:g}: {reached.size}/{a.networks} networks"
          + (f", median {np.median(reached):,.0f} trials to criterion" if reached.size else ""))


if __name__ == "__main__":
    main()
