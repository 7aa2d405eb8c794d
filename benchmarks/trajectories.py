"""Rat trajectories per second: brainlike's pure-JAX motion model against RatInABox, in the same run.

brainlike generates paths as one jitted program (``lax.scan`` over time, ``vmap`` over rats); RatInABox
(George et al. 2024 eLife) steps one ``Agent`` at a time in Python (its documentation quotes about 3,000
steps/s for one agent). The figure is rat-steps per second (rats x steps / wall time, compile excluded);
on a GPU, ``--rats 100000`` gives the issue's ">= 10 million steps/s" figure.

    python benchmarks/trajectories.py [--rats 1 100 10000] [--steps 1000] [--ratinabox-steps 5000]
"""

from __future__ import annotations

import argparse
import time

import jax

from brainlike.tasks import Arena, RatMotion, rat_trajectories


def brainlike_rate(n_rats: int, n_steps: int, repeats: int = 3) -> float:
    arena, motion = Arena("square", 2.2), RatMotion()
    gen = jax.jit(lambda k: rat_trajectories(k, n_rats, n_steps, arena, motion)["position"])
    gen(jax.random.PRNGKey(0)).block_until_ready()  # compile
    best = float("inf")
    for r in range(repeats):
        t = time.perf_counter()
        gen(jax.random.PRNGKey(r + 1)).block_until_ready()
        best = min(best, time.perf_counter() - t)
    return n_rats * n_steps / best


def ratinabox_rate(n_steps: int) -> float | None:
    try:
        from ratinabox.Agent import Agent
        from ratinabox.Environment import Environment
    except ImportError:
        return None
    agent = Agent(Environment({"scale": 2.2}), {"dt": 0.02})
    t = time.perf_counter()
    for _ in range(n_steps):
        agent.update()
    return n_steps / (time.perf_counter() - t)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rats", type=int, nargs="+", default=[1, 100, 10_000])
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--ratinabox-steps", type=int, default=5000)
    a = p.parse_args()
    print(f"device: {jax.devices()[0].device_kind}; {a.steps} steps of 20 ms per rat, 2.2 m box")
    for n in a.rats:
        print(f"brainlike  {n:>7} rat(s): {brainlike_rate(n, a.steps):>14,.0f} rat-steps/s")
    rate = ratinabox_rate(a.ratinabox_steps)
    if rate is None:
        print("ratinabox: not installed (pip install -e '.[bench]')")
    else:
        print(f"RatInABox        1 rat   : {rate:>14,.0f} rat-steps/s")


if __name__ == "__main__":
    main()
