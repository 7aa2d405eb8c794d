"""Cost of one e-prop update, from forward eligibility traces and by reverse mode, against one BPTT update
of the same spiking network (the LSNN of ``bellec2020``: 100 ALIF/LIF neurons, 64 trials of delayed
evidence accumulation, ~340 steps of 5 ms).

Both e-prop methods give the same numbers (tests/plasticity/test_eprop.py); the traces carry one state per
synapse and trial at every step, the reverse-mode route the cost of a BPTT pass. Each update is jitted,
warmed up, then timed over ``--repeats`` calls with ``block_until_ready``.

    python benchmarks/eprop_step.py [--units 100] [--batch 64] [--repeats 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import equinox as eqx
import jax

from brainlike.experiments.bellec2020 import Config, make_network, make_task
from brainlike.plasticity import adam, make_eprop_step, make_step


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--units", type=int, default=100)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--repeats", type=int, default=5)
    a = p.parse_args()
    c = dataclasses.replace(Config(), n_units=a.units, batch_size=a.batch)
    task, opt = make_task(c), adam(c.learning_rate)
    net = make_network(c, task.n_inputs, jax.random.PRNGKey(0))
    state = opt.init(eqx.filter(net, eqx.is_inexact_array))
    kw = dict(batch_size=c.batch_size, rate_reg=c.rate_reg, rate_target=c.rate_target_hz * c.dt / 1000.0)
    rules = {"BPTT": make_step(task, opt, **kw),
             "e-prop, traces": make_eprop_step(task, opt, method="traces", **kw),
             "e-prop, autodiff": make_eprop_step(task, opt, method="autodiff", **kw)}
    print(f"device: {jax.devices()[0].device_kind}; {c.n_units} neurons, batch {c.batch_size}, "
          f"{task.n_steps} steps of {c.dt:g} ms")
    times = {}
    for name, fn in rules.items():
        step = eqx.filter_jit(fn)
        jax.block_until_ready(step(net, state, jax.random.PRNGKey(1)))
        t0 = time.perf_counter()
        for i in range(a.repeats):
            jax.block_until_ready(step(net, state, jax.random.PRNGKey(i)))
        times[name] = (time.perf_counter() - t0) / a.repeats
        print(f"{name}: {times[name] * 1e3:.0f} ms per update ({times[name] / times['BPTT']:.2f}x BPTT)", flush=True)


if __name__ == "__main__":
    main()
