"""Representation comparison at scale: brainlike.compare against rsatoolbox on the same inputs, in one run.

Two representations of N stimuli x U units (default 10,000 x 1,000, float64):

- linear CKA (feature space, no stimuli x stimuli matrix) — rsatoolbox has no CKA, but its "cosine_cov"
  comparison of Euclidean RDMs is the same number, so both sides compute that quantity;
- RSA with correlation RDMs compared by Pearson (brainlike: in feature space, no RDM) and by Spearman
  (both sides build and rank the two RDMs);
- peak memory of each (tracemalloc, Python/NumPy allocations).

    pip install -e .[bench]
    python benchmarks/compare.py [--stimuli 10000] [--units 1000] [--skip-peer]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np


def measure(fn):
    tracemalloc.start()
    t0 = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return value, seconds, peak / 2**30


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--stimuli", type=int, default=10000)
    p.add_argument("--units", type=int, default=1000)
    p.add_argument("--skip-peer", action="store_true")
    a = p.parse_args()
    from brainlike.compare import rsa

    rng = np.random.default_rng(0)
    x = rng.normal(size=(a.stimuli, a.units))
    y = x @ rng.normal(size=(a.units, a.units)) / np.sqrt(a.units) + rng.normal(size=x.shape)
    print(f"{a.stimuli} stimuli x {a.units} units, float64")
    rows = {}
    rows["brainlike CKA (= whitened-cosine RSA)"] = measure(lambda: rsa(x, y, "euclidean", "whitened_cosine"))
    rows["brainlike RSA (correlation RDM, Pearson)"] = measure(lambda: rsa(x, y, "correlation", "pearson"))
    rows["brainlike RSA (correlation RDM, Spearman)"] = measure(lambda: rsa(x, y, "correlation", "spearman"))
    if not a.skip_peer:
        import rsatoolbox
        from rsatoolbox.rdm import calc_rdm, compare

        def peer(method, comparison):
            d1 = calc_rdm(rsatoolbox.data.Dataset(x), method=method)
            d2 = calc_rdm(rsatoolbox.data.Dataset(y), method=method)
            return float(compare(d1, d2, method=comparison)[0, 0])

        rows["rsatoolbox whitened cosine (euclidean RDMs)"] = measure(lambda: peer("euclidean", "cosine_cov"))
        rows["rsatoolbox RSA (correlation RDM, Pearson)"] = measure(lambda: peer("correlation", "corr"))
        rows["rsatoolbox RSA (correlation RDM, Spearman)"] = measure(lambda: peer("correlation", "spearman"))
    for name, (value, seconds, gib) in rows.items():
        print(f"  {name:45s}: {seconds:7.2f} s   peak {gib:6.2f} GiB   value {value:.6f}")


if __name__ == "__main__":
    main()
