"""The quick sizes of the TD experiments (conditioning, dabney2020, stachenfeld2017): every claim must
pass (slow; run before resolving an issue)."""

import pytest

from brainlike.experiments import get
from brainlike.runs import run_experiment


@pytest.mark.slow
@pytest.mark.parametrize("name", ["conditioning", "dabney2020", "stachenfeld2017"])
def test_quick_claims_pass(name, runs_root):
    res = run_experiment(get(name), size="quick", root=runs_root, progress=False)
    for c in res.claims:
        print(f"{'PASS' if c.passed else 'FAIL'}  {name}: {c.name}: {c.value} (threshold {c.threshold})")
    failed = [c.name for c in res.claims if not c.passed]
    assert not failed, failed
