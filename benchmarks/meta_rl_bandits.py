"""Meta-RL on bandits: how fast the `wang2018_bandits` learner trains, one seed or many at once.

Trains ``--seeds`` meta-learners on independent-arm bandits as ONE program (the experiment's ``make_train``,
vmapped over seeds and jitted), prints the wall time (compile included), environment steps per second, and
the frozen-weight regret at the horizon of the first seeds against Thompson sampling on the same bandits.
On a GPU, ``--seeds 1000`` is the issue's "1,000 seeds at once" figure; on this 2-core CPU use 1-4.

    python benchmarks/meta_rl_bandits.py [--seeds 1] [--updates 3000] [--envs 128] [--eval 1000]
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import equinox as eqx
import jax
import numpy as np

from brainlike.agents import ThompsonSampling, play
from brainlike.experiments import get
from brainlike.experiments._base import member
from brainlike.experiments.wang2018_bandits import frozen_play
from brainlike.runs import seed_keys


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seeds", type=int, default=1)
    p.add_argument("--updates", type=int, default=3000)
    p.add_argument("--envs", type=int, default=128)
    p.add_argument("--eval", type=int, default=1000)
    p.add_argument("--show", type=int, default=4, help="seeds whose regret is printed")
    a = p.parse_args()
    exp = get("wang2018_bandits")
    c = dataclasses.replace(exp.config("quick"), structures=("independent",), n_steps=a.updates, n_envs=a.envs)
    train = eqx.filter_jit(eqx.filter_vmap(exp.make_train(c)))
    keys = seed_keys(c.seed, a.seeds)
    print(f"device: {jax.devices()[0].device_kind}; {a.seeds} seed(s) x {a.updates} updates x {a.envs} bandits "
          f"x {c.horizon} pulls")
    t0 = time.perf_counter()
    models, _ = jax.block_until_ready(train(keys))
    wall = time.perf_counter() - t0
    steps = a.seeds * a.updates * a.envs * c.horizon
    print(f"train {wall:.1f} s including compile: {steps / wall:,.0f} environment steps/s "
          f"({1e3 * wall / a.updates:.1f} ms per update of all seeds)")
    env = exp.environments(c)["independent"]
    ts = np.asarray(play(ThompsonSampling(), env, key=jax.random.PRNGKey(7), n_envs=a.eval)["regret"]).sum(0).mean()
    for k in range(min(a.show, a.seeds)):
        net = frozen_play(member(models, k)["independent"], env, jax.random.PRNGKey(7), a.eval)
        r = net["regret"].sum(1).mean()
        print(f"seed {k}: regret at {c.horizon} pulls {r:.2f} (Thompson {ts:.2f}; ratio {r / ts:.2f}, claim <= "
              f"{c.regret_ratio})")


if __name__ == "__main__":
    main()
