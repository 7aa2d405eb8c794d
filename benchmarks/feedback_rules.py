"""Cost of one training step under each credit-assignment rule, against backpropagation on the same network.

The issue's goal: every rule's step costs at most 1.5x the BP step of the same network. A step is one
Adam update on a batch (forward, the rule's backward, the feedback matrices' own update), jitted, timed
over a scan of ``--steps`` steps after a warm-up; the rules are timed in ``--repeats`` interleaved rounds and
each keeps its best round.

    python benchmarks/feedback_rules.py [--batch 100] [--steps 200] [--repeats 5] [--mirror-batch 64]
"""

from __future__ import annotations

import argparse
import time

import equinox as eqx
import jax
import optax

from brainlike.circuits import CTRNN, Network, convnet, mlp
from brainlike.experiments.akrout2019 import Config as Akrout2019Config
from brainlike.plasticity import FEEDBACK_RULES, feedback_optimizer, supervised_loss, with_feedback
from brainlike.tasks import ContextDecision

RECURRENT = "CTRNN 100 units, context task (mante2013 sizes)"


def networks(key):
    return {
        "MLP 40-256-256-10": (mlp(40, (256, 256), 10, key=key), (40,)),
        "MLP 784-1000-1000-1000-10": (mlp(784, (1000, 1000, 1000), 10, key=key), (784,)),
        "CNN MNIST-1D (25,25,25)": (convnet((1, 40), (25, 25, 25), 10, key=key, kernel=(5, 3, 3), stride=2, padding=1), (1, 40)),
        "CNN 28x28 (32,64)+128": (convnet((1, 28, 28), (32, 64), 10, key=key, kernel=3, stride=2, padding=1, hidden=(128,)), (1, 28, 28)),
        RECURRENT: (Network(CTRNN(7, 100, key=key, tau=100.0, dt=20.0, rate_fn="tanh"), 3, key=key), None),
    }


def compiled_step(net, shape, rule, batch, steps, mirror_batch):
    """A function that runs ``steps`` jitted steps of ``rule`` and returns the seconds per step."""
    key = jax.random.PRNGKey(0)
    model = with_feedback(net, rule, key=key, mirror_batch=mirror_batch)
    opt = feedback_optimizer(rule, optax.adam(1e-3), decay=1e-3)
    params, static = eqx.partition(model, eqx.is_inexact_array)
    state = opt.init(params)
    if shape is None:  # the recurrent network: BPTT (or the rule) through a batch of context-task trials
        trials = ContextDecision(dt=20.0, stimulus=750.0, delay=(0.0, 300.0), decision=200.0).sample(key, batch)

        def loss(p, k):
            return supervised_loss(eqx.combine(p, static), trials, k)[0]
    else:
        x = jax.random.normal(key, (batch, *shape))
        y = jax.random.randint(key, (batch,), 0, 10)

        def loss(p, k):
            return optax.softmax_cross_entropy_with_integer_labels(eqx.combine(p, static)(x, key=k), y).mean()

    def step(carry, k):
        p, s = carry
        g = jax.grad(loss)(p, k)
        u, s = opt.update(g, s, p)
        return (optax.apply_updates(p, u), s), None

    run = jax.jit(lambda c, ks: jax.lax.scan(step, c, ks)[0])
    keys = jax.random.split(key, steps)
    jax.block_until_ready(run((params, state), keys))  # compile and warm up

    def timed():
        t0 = time.perf_counter()
        jax.block_until_ready(run((params, state), keys))
        return (time.perf_counter() - t0) / steps

    return timed


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--mirror-batch", type=int, default=Akrout2019Config.mirror_batch,
                   help=f"weight-mirror noise samples per step (default {Akrout2019Config.mirror_batch}, as in akrout2019)")
    p.add_argument("--only", default=None, help="substring of the network names to run")
    a = p.parse_args()
    print(f"device: {jax.devices()[0].device_kind}; batch {a.batch}, mirror batch {a.mirror_batch}; best of {a.repeats} x {a.steps} steps")
    for name, (net, shape) in networks(jax.random.PRNGKey(0)).items():
        if a.only and a.only not in name:
            continue
        print(f"\n{name}")
        # The rules are timed in interleaved rounds (every rule once per round), so that a slow spell of a
        # shared machine hits all of them alike; each rule's figure is its best round.
        steps = {rule: compiled_step(net, shape, rule, a.batch, a.steps, a.mirror_batch) for rule in FEEDBACK_RULES}
        best = dict.fromkeys(FEEDBACK_RULES, float("inf"))
        for _ in range(a.repeats):
            for rule, timed in steps.items():
                best[rule] = min(best[rule], timed())
        base = best["bp"]
        for rule, t in best.items():
            ok = "ok" if t <= 1.5 * base else "OVER 1.5x"
            print(f"  {rule:5s} {1e3 * t:8.3f} ms/step   {t / base:5.2f}x BP   {ok}")


if __name__ == "__main__":
    main()
