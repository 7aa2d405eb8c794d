"""Seeds of a sweep trained as one vmapped program against one seed alone (``brainlike sweep --seeds N``).

Times the experiment's own jitted update loop (``plasticity.make_chunk``: a scan of ``--steps`` updates,
vmapped over seeds exactly as ``run_experiment`` trains them) for 1 seed and for ``--seeds`` seeds of
``--experiment`` at ``--size``, after a compile of each, in the same process, and prints the time per update
for both and their ratio (the sweep issue asks for 32 seeds of ``perceptual_dm --quick`` within 4x of one).
With ``--points K`` it also times K grid points that differ only in ``--field`` (learning rates spread
over a factor of 10 around the config's), one seed each, trained in one program as ``brainlike sweep``
groups them (``runs._group``), against K programs of one point each (compile included in both, as a
sweep pays it).

With ``--floor`` (``perceptual_dm`` only) it also times what no scheduling can remove: the two CTRNNs'
recurrent passes alone (``circuits._ctrnn.leaky_scan`` forward and its backward, the weight gradient included), at
the config's batch, width and trial lengths, vmapped over the seeds. A sweep of N seeds cannot take less
than that, so it bounds the ratio from below on the machine at hand.

    python benchmarks/sweep_seeds.py [--experiment perceptual_dm] [--size quick] [--seeds 32] [--steps 100]
                                     [--points 4] [--field learning_rate] [--floor]
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


def peak_flops(n: int = 2048, repeats: int = 10) -> float:
    """FLOP/s of one large ``n x n`` matrix product on this device: the most its products can reach."""
    a = jnp.ones((n, n))
    f = jax.jit(lambda a: a @ a)
    jax.block_until_ready(f(a))
    t0 = time.perf_counter()
    for _ in range(repeats):
        jax.block_until_ready(f(a))
    return 2 * n**3 * repeats / (time.perf_counter() - t0)


def trial_lengths(c) -> list[int]:
    """Steps of a training batch of each of ``perceptual_dm``'s two tasks (fixed duration, reaction time)."""
    from brainlike.experiments.perceptual_dm import fixed_task, rt_task

    return [t.sample(jax.random.PRNGKey(0), 2).inputs.shape[1] for t in (fixed_task(c), rt_task(c))]


def recurrent_flops(c, n_seeds: int) -> float:
    """FLOP of the recurrent products of one update: per step of each trial, the forward ``W r``, the error
    sent back ``lambda W`` and the weight gradient's ``lambda^T r``, 2 n^2 each."""
    return 3 * 2 * c.n_units**2 * c.batch_size * sum(trial_lengths(c)) * n_seeds


def time_recurrent_passes(c, n_seeds: int, repeats: int = 20) -> float:
    """Seconds for the forward and backward pass of ``perceptual_dm``'s two CTRNNs' recurrence alone
    (``leaky_scan``; input projection, readout, loss, noise draws and Adam left out), ``n_seeds`` at once."""
    from brainlike.circuits._ctrnn import leaky_scan

    lengths = trial_lengths(c)
    alpha = c.dt / c.tau

    def loss(w, drives):
        return sum(jnp.sum(leaky_scan(w, d, jnp.zeros(d.shape[1:]), jnp.zeros_like(d), alpha, c.rate_fn) ** 2)
                   for d in drives)

    grad = jax.vmap(jax.grad(loss))

    @jax.jit
    def passes(w, drives):  # in one program, as training runs them: buffers are allocated once, not per pass
        return jax.lax.scan(lambda w, _: (w - 1e-6 * grad(w, drives), None), w, None, length=repeats)[0]

    key = jax.random.PRNGKey(1)
    w = jax.random.normal(key, (n_seeds, c.n_units, c.n_units)) / np.sqrt(c.n_units)
    drives = [jax.random.normal(jax.random.fold_in(key, t), (n_seeds, t, c.batch_size, c.n_units)) for t in lengths]
    jax.block_until_ready(passes(w, drives))
    t0 = time.perf_counter()
    jax.block_until_ready(passes(w, drives))
    return (time.perf_counter() - t0) / repeats


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--experiment", default="perceptual_dm")
    p.add_argument("--size", default="quick")
    p.add_argument("--seeds", type=int, default=32)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--points", type=int, default=0, help="also time this many grouped grid points")
    p.add_argument("--field", default="learning_rate")
    p.add_argument("--floor", action="store_true", help="also time the recurrent passes alone (perceptual_dm)")
    a = p.parse_args()
    if a.floor and a.experiment != "perceptual_dm":
        raise SystemExit("--floor is written for perceptual_dm's two CTRNNs only")
    exp = get(a.experiment)
    c = exp.config(a.size)
    print(f"device: {jax.devices()[0].device_kind}; {a.experiment} ({a.size}), {a.steps} updates timed")
    one, c1 = time_per_step(exp, c, 1, a.steps)
    many, cn = time_per_step(exp, c, a.seeds, a.steps)
    print(f"1 seed:   {1e3 * one:.2f} ms/update (compile {c1:.0f} s)")
    print(f"{a.seeds} seeds: {1e3 * many:.2f} ms/update (compile {cn:.0f} s), {1e3 * many / a.seeds:.2f} ms per seed")
    print(f"{a.seeds} seeds / 1 seed: {many / one:.1f}x the time (goal <= 4x); "
          f"{a.seeds * one / many:.1f}x the throughput of seeds run one after another")
    if a.floor:
        floor = time_recurrent_passes(c, a.seeds)
        print(f"floor: the recurrent passes alone of {a.seeds} seeds {1e3 * floor:.2f} ms = {floor / one:.1f}x one seed's "
              f"whole update ({1e3 * time_recurrent_passes(c, 1):.2f} ms for 1 seed)")
        flop, peak = recurrent_flops(c, a.seeds), peak_flops()
        print(f"their {flop / 1e9:.1f} GFLOP at this device's peak ({peak / 1e9:.0f} GFLOP/s, a 2048 x 2048 product) "
              f"take at least {1e3 * flop / peak:.1f} ms = {flop / peak / one:.1f}x one seed's whole update")
    if a.points:
        together, apart = time_points(exp, c, a.field, a.points, a.steps)
        print(f"{a.points} points ({a.field}), {a.steps} updates each, compiles included: one program {together:.1f} s, "
              f"one program per point {apart:.1f} s ({apart / together:.2f}x)")


if __name__ == "__main__":
    main()
