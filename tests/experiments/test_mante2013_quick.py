"""The quick size of mante2013 with both circuits: every claim must pass (slow; the acceptance check of
the Mante issue)."""

import pytest

from brainlike.experiments import get
from brainlike.runs import run_experiment


@pytest.mark.slow
@pytest.mark.parametrize("circuit", ["ctrnn", "eirnn"])
def test_quick_claims_pass(circuit, runs_root):
    import dataclasses

    exp = get("mante2013")
    cfg = dataclasses.replace(exp.config("quick"), circuit=circuit)
    res = run_experiment(exp, cfg, size="quick", root=runs_root, progress=False)
    for c in res.claims:
        print(f"{'PASS' if c.passed else 'FAIL'}  {c.name}: {c.value} (threshold {c.threshold})")
    failed = [c.name for c in res.claims if not c.passed]
    assert not failed, failed
