"""brainlike against NeuroGym (+ the PyTorch CTRNN of NeuroGym's tutorial), in one run.

Same task at dt = 20 ms, same circuit (CTRNN, 128 relu units, tau = 100 ms), batch 64, Adam(lr 1e-2),
cross-entropy on every step. ``--task``:

- ``perceptual``: NeuroGym ``PerceptualDecisionMaking-v0`` (100 ms fixation, 2000 ms stimulus, 100 ms
  decision; 111 steps, seq_len 120) against ``perceptual_decision``;
- ``context``: NeuroGym ``ContextDecisionMaking-v0`` (300 ms fixation, 750 ms stimulus, delay
  600 ms on average, 100 ms decision; seq_len 88) against ``context_decision`` with the same epochs
  (delay fixed at the mean, 88 steps; brainlike's task also has the two context-cue inputs, 7 inputs
  against NeuroGym's 5).

(a) trial generation: batches/s of NeuroGym's ``Dataset`` (seq_len 120) against ``task.sample`` (jitted);
(b) training: updates/s and time steps/s of data + forward + backward + Adam.

    pip install -e .[bench]
    python benchmarks/vs_neurogym.py [--task perceptual|context] [--seconds 10] [--seeds 1 64] [--skip-peer]

Prints each figure and the ratio. ``--seeds`` also times N networks trained at once (vmapped), the
figure to take on a GPU.
"""

from __future__ import annotations

import argparse
import platform
import time

import equinox as eqx
import jax

from brainlike import plasticity, tasks
from brainlike.circuits import CTRNN, Network

BATCH, UNITS, DT, TAU, LR = 64, 128, 20, 100.0, 1e-2

# task name -> (NeuroGym id, seq_len, brainlike task with the same epochs)
TASKS = {
    "perceptual": ("PerceptualDecisionMaking-v0", 120, lambda: tasks.make("perceptual_decision", dt=float(DT))),
    "context": ("ContextDecisionMaking-v0", 88, lambda: tasks.make(
        "context_decision", dt=float(DT), fixation=300.0, stimulus=750.0, delay=600.0, decision=100.0)),
}


def timed(fn, seconds: float, min_calls: int = 3) -> float:
    """Calls per second of ``fn`` (after one warm-up call), over at least ``seconds``."""
    fn()
    n, t0 = 0, time.perf_counter()
    while n < min_calls or time.perf_counter() - t0 < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - t0)


# -- NeuroGym + PyTorch ------------------------------------------------------------------------
def peer(task: str, seconds: float) -> dict[str, float]:
    import neurogym as ngym
    import torch
    from torch import nn

    torch.manual_seed(0)
    env_id, seq_len, _ = TASKS[task]
    env = ngym.make(env_id, dt=DT)
    dataset = ngym.Dataset(env, batch_size=BATCH, seq_len=seq_len)
    gen = timed(lambda: dataset(), seconds)

    class TorchCTRNN(nn.Module):  # as NeuroGym's tutorial writes it
        def __init__(self, n_in, n_hidden, dt):
            super().__init__()
            self.hidden_size, self.alpha = n_hidden, dt / TAU
            self.input2h = nn.Linear(n_in, n_hidden)
            self.h2h = nn.Linear(n_hidden, n_hidden)

        def forward(self, x):
            h = torch.zeros(x.shape[1], self.hidden_size)
            out = []
            for t in range(x.shape[0]):
                h_new = torch.relu(self.input2h(x[t]) + self.h2h(h))
                h = h * (1 - self.alpha) + h_new * self.alpha
                out.append(h)
            return torch.stack(out, 0)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = TorchCTRNN(env.observation_space.shape[0], UNITS, DT)
            self.fc = nn.Linear(UNITS, env.action_space.n)

        def forward(self, x):
            return self.fc(self.rnn(x))

    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()

    def update():
        inputs, labels = dataset()
        inputs = torch.from_numpy(inputs).float()
        labels = torch.from_numpy(labels.flatten()).long()
        opt.zero_grad()
        out = net(inputs)
        loss = loss_fn(out.view(-1, env.action_space.n), labels)
        loss.backward()
        opt.step()

    train = timed(update, seconds)
    return {"gen_batches_s": gen, "gen_steps_s": gen * BATCH * seq_len, "seq_len": seq_len,
            "train_updates_s": train, "train_steps_s": train * BATCH * seq_len, "torch": torch.__version__,
            "torch_threads": torch.get_num_threads()}


# -- brainlike ---------------------------------------------------------------------------------
def ours(task_name: str, seconds: float, seeds: list[int]) -> dict[str, float]:
    task = TASKS[task_name][2]()
    n_steps = task.n_steps
    sample = jax.jit(lambda k: task.sample(k, BATCH).inputs)
    key = jax.random.PRNGKey(0)
    gen = timed(lambda: sample(key).block_until_ready(), seconds)

    opt = plasticity.adam(LR, grad_clip=None)
    step = plasticity.make_step(task, opt, batch_size=BATCH)

    def init(k):
        k1, k2 = jax.random.split(k)
        return Network(CTRNN(task.n_inputs, UNITS, key=k1, tau=TAU, dt=float(DT), sigma_rec=0.0), task.n_outputs,
                       key=k2)

    res = {"gen_batches_s": gen, "gen_steps_s": gen * BATCH * n_steps, "trial_steps": n_steps}
    for n_seeds in seeds:
        keys = jax.random.split(key, n_seeds)
        nets = eqx.filter_vmap(init)(keys)
        opts = eqx.filter_vmap(lambda n: plasticity.init_optimizer(opt, n))(nets)
        for chunk in (1, 50):
            run = plasticity.make_chunk(step, chunk)
            state = {"n": nets, "o": opts, "s": 0}

            def go():
                state["n"], state["o"], m = run(state["n"], state["o"], keys, jax.numpy.asarray(state["s"]))
                jax.block_until_ready(m["loss"])
                state["s"] += chunk

            rate = timed(go, seconds) * chunk
            res[f"train_updates_s[seeds={n_seeds},chunk={chunk}]"] = rate
            res[f"train_steps_s[seeds={n_seeds},chunk={chunk}]"] = rate * BATCH * n_steps * n_seeds
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--task", choices=sorted(TASKS), default="perceptual", help="which task pair to time")
    ap.add_argument("--seconds", type=float, default=10.0, help="time per measurement")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1], help="networks trained at once (vmapped)")
    ap.add_argument("--skip-peer", action="store_true", help="only time brainlike (e.g. on a GPU machine)")
    args = ap.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, jax {jax.__version__} on {jax.devices()[0]}")
    print(f"task: {args.task} ({TASKS[args.task][0]}), dt {DT} ms; CTRNN {UNITS} units; batch {BATCH}")
    b = ours(args.task, args.seconds, args.seeds)
    p = None if args.skip_peer else peer(args.task, args.seconds)
    print("\n(a) trial generation")
    print(f"  brainlike task.sample (jit)  : {b['gen_batches_s']:10.1f} batches/s  "
          f"({b['gen_steps_s']:.3g} trial-steps/s, {b['trial_steps']} steps/trial)")
    if p:
        print(f"  neurogym Dataset             : {p['gen_batches_s']:10.1f} batches/s  "
              f"({p['gen_steps_s']:.3g} trial-steps/s, seq_len {p['seq_len']})")
        print(f"  ratio (trial-steps/s)        : {b['gen_steps_s'] / p['gen_steps_s']:10.1f}x   (goal >= 20x)")
    print("\n(b) training: data + forward + backward + Adam")
    for k, v in b.items():
        if k.startswith("train_updates_s"):
            print(f"  brainlike {k[len('train_updates_s'):]:24s}: {v:8.1f} updates/s "
                  f"({b[k.replace('updates', 'steps')]:.3g} trial-steps/s)")
    if p:
        print(f"  neurogym + torch {p['torch']} ({p['torch_threads']} threads): {p['train_updates_s']:8.1f} updates/s "
              f"({p['train_steps_s']:.3g} trial-steps/s)")
        for chunk in (1, 50):
            k = f"train_steps_s[seeds=1,chunk={chunk}]"
            if k in b:
                print(f"  ratio, trial-steps/s (one network, chunk {chunk:2d}): "
                      f"{b[k] / p['train_steps_s']:6.1f}x   (goal >= 5x)")


if __name__ == "__main__":
    main()
