"""Training speed of the 20-task network of Yang et al. 2019 (``yang2019``).

Times the experiment's own update (a batch of one of the 20 tasks drawn inside jit, the CTRNN run up to the
batch's longest trial rounded up to ``bucket_ms``, BPTT, Adam) as one jitted scan of ``--steps`` updates after
a compile, for the ``quick`` and ``paper`` configurations (or ``--sizes``), and reports steps/s, trials/s and
the time the configuration's ``n_steps`` take; beside each, the same update run over every padded step of the
longest task (``bucket_ms=None``), as before the buckets. The authors' TensorFlow 1 code needed hours on a CPU
for the full network; where a GPU is present, JAX uses it and the same command gives the GPU figure
(``block_until_ready`` around every timed call).

    python benchmarks/yang2019_training.py [--steps 200] [--sizes quick,paper] [--circuit rate_ctrnn]

``--circuit`` times another circuit of the configuration (``ctrnn``, ``rate_ctrnn``) in place of its own.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import equinox as eqx
import jax

from brainlike.experiments import get
from brainlike.plasticity import make_chunk


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--sizes", default="quick,paper")
    p.add_argument("--circuit", default=None, help="ctrnn or rate_ctrnn (default: the configuration's own)")
    a = p.parse_args()
    exp = get("yang2019")
    print(f"device: {jax.devices()[0].device_kind}")
    for size in a.sizes.split(","):
        base = exp.config(size)
        base = dataclasses.replace(base, circuit=a.circuit) if a.circuit else base
        for c in (base, dataclasses.replace(base, bucket_ms=None)):
            per, compile_s = _time_update(exp, c, a.steps)
            trials = f"up to {c.bucket_ms:g} ms past the longest trial" if c.bucket_ms else "4.2 s every batch"
            print(f"{size} ({trials}): {c.circuit}, {c.n_units} units, dt {c.dt:g} ms, batch {c.batch_size}: "
                  f"{1e3 * per:.1f} ms/step, {1 / per:.1f} steps/s, {c.batch_size / per:,.0f} trials/s "
                  f"(compile + first chunk {compile_s:.0f} s); its {c.n_steps:,} steps: {per * c.n_steps / 60:.1f} min")


def _time_update(exp, c, steps):
    optimizer = exp.optimizer(c)
    key = jax.random.PRNGKey(0)
    model = eqx.filter_vmap(lambda k: exp.init(c, k))(key[None])
    opt_state = eqx.filter_vmap(lambda m: exp.init_optimizer(c, optimizer, m))(model)
    chunk = make_chunk(exp.step(c, optimizer), steps)
    t0 = time.perf_counter()
    out = jax.block_until_ready(chunk(model, opt_state, key[None], jax.numpy.asarray(0)))
    compile_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    jax.block_until_ready(chunk(out[0], out[1], key[None], jax.numpy.asarray(steps)))
    return (time.perf_counter() - t0) / steps, compile_s


if __name__ == "__main__":
    main()
