"""One linear + LIF layer, forward and backward (BPTT with a surrogate gradient): brainlike against
snnTorch and Norse (both in the ``bench`` extras), in the same run, with synchronised timing.

The setting of the Open Neuromorphic SNN library benchmark (Lenz et al. 2023/2024): ``n`` inputs to ``n``
LIF neurons, batch 16, 500 steps, random input, loss = total spike count; one forward + backward pass is
timed after a warm-up (``block_until_ready`` in JAX; PyTorch on the CPU is synchronous, and with
``--torch-device cuda`` the timed passes are bracketed by ``torch.cuda.synchronize``). brainlike's layer
is ``circuits.LIF(n, n, recurrent=False)``: every step's input current comes from one matrix product over
all steps, then an elementwise scan. snnTorch's ``Leaky`` is stepped in a Python loop after an
``nn.Linear`` per step, as its tutorials do; Norse's ``SequentialState(Linear, LIF)`` applies the linear
layer to all steps at once and steps its LIF (with a synaptic current) over time.

    pip install -e ".[bench]" && python benchmarks/spiking_layer.py --neurons 4096
    python benchmarks/spiking_layer.py --neurons 16384 --torch-device cuda   # on a GPU: JAX uses it by itself
"""

from __future__ import annotations

import argparse
import time


def time_brainlike(n, batch, steps, repeats):
    import equinox as eqx
    import jax
    import jax.numpy as jnp

    from brainlike.circuits import LIF

    key = jax.random.PRNGKey(0)
    layer = LIF(n, n, key=key, dt=1.0, tau_m=20.0, refractory=0.0, recurrent=False, w_in_gain=80.0)  # ~ snnTorch: no (1 - alpha) on its input
    x = (jax.random.uniform(key, (batch, steps, n)) < 0.1).astype(jnp.float32)

    @eqx.filter_jit
    def fwd_bwd(layer, x):
        return eqx.filter_value_and_grad(lambda m: m.simulate_batch(x, key=key).sum())(layer)

    jax.block_until_ready(fwd_bwd(layer, x))
    t0 = time.perf_counter()
    for _ in range(repeats):
        spikes, g = fwd_bwd(layer, x)
        jax.block_until_ready((spikes, g))
    return (time.perf_counter() - t0) / repeats, float(spikes) / (batch * steps * n)


def _sync(device):
    import torch

    if device.startswith("cuda"):
        torch.cuda.synchronize(device)


def time_snntorch(n, batch, steps, repeats, warmup=True, device="cpu"):
    import snntorch as snn
    import torch

    torch.manual_seed(0)
    fc = torch.nn.Linear(n, n, bias=False)
    torch.nn.init.normal_(fc.weight, std=4.0 / n**0.5)
    fc = fc.to(device)
    lif = snn.Leaky(beta=float(torch.exp(torch.tensor(-1.0 / 20.0)))).to(device)
    x = (torch.rand(steps, batch, n) < 0.1).float().to(device)

    def fwd_bwd():
        fc.zero_grad()
        mem = lif.init_leaky()
        total = 0.0
        for t in range(steps):
            spk, mem = lif(fc(x[t]), mem)
            total = total + spk.sum()
        total.backward()
        return float(total.detach())

    if warmup:  # eager PyTorch compiles nothing; at large n one untimed pass costs minutes
        fwd_bwd()
    _sync(device)
    t0 = time.perf_counter()
    for _ in range(repeats):
        total = fwd_bwd()
    _sync(device)
    return (time.perf_counter() - t0) / repeats, total / (batch * steps * n)


def time_norse(n, batch, steps, repeats, warmup=True, device="cpu"):
    import norse.torch as norse
    import torch

    torch.manual_seed(0)
    fc = torch.nn.Linear(n, n, bias=False)
    torch.nn.init.normal_(fc.weight, std=4.0 / n**0.5)  # as snnTorch's; reported rates show how alike they fire
    # Norse's LIF has a synaptic current (tau_syn 5 ms) beside the membrane (tau_mem 10 ms), dt 1 ms
    model = norse.SequentialState(fc, norse.LIF()).to(device)
    x = (torch.rand(steps, batch, n) < 0.1).float().to(device)

    def fwd_bwd():
        model.zero_grad()
        out, _ = model(x)
        total = out.sum()
        total.backward()
        return float(total.detach())

    if warmup:  # eager PyTorch compiles nothing; at large n one untimed pass costs minutes
        fwd_bwd()
    _sync(device)
    t0 = time.perf_counter()
    for _ in range(repeats):
        total = fwd_bwd()
    _sync(device)
    return (time.perf_counter() - t0) / repeats, total / (batch * steps * n)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--neurons", type=int, nargs="+", default=[1024, 4096, 16384])
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--steps", type=int, default=500)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-peer-warmup", action="store_true", help="time the PyTorch peers' first pass too")
    p.add_argument("--torch-device", default="cpu", help="the PyTorch peers' device, e.g. cuda (synchronised)")
    a = p.parse_args()
    import jax

    print(f"device: {jax.devices()[0].device_kind} (PyTorch peers: {a.torch_device}); batch {a.batch}, {a.steps} "
          "steps; forward + backward per pass")
    for n in a.neurons:
        row = {}
        for name, fn in (("brainlike", time_brainlike), ("snntorch", time_snntorch), ("norse", time_norse)):
            try:
                kw = {} if name == "brainlike" else {"warmup": not a.no_peer_warmup, "device": a.torch_device}
                row[name] = fn(n, a.batch, a.steps, a.repeats, **kw)
            except ImportError as e:
                print(f"  {name}: not installed ({e.name})")
            except RuntimeError as e:  # e.g. out of memory on --torch-device; the other rows still count
                print(f"  {name}: failed at n = {n}: {str(e).splitlines()[0]}")
        line = ", ".join(f"{k} {t * 1e3:.0f} ms (rate {r:.3f}/step)" for k, (t, r) in row.items())
        peers = [t for k, (t, _) in row.items() if k != "brainlike"]
        speedup = f"; {min(peers) / row['brainlike'][0]:.1f}x the faster peer" if peers and "brainlike" in row else ""
        print(f"n = {n}: {line}{speedup}", flush=True)


if __name__ == "__main__":
    main()
