"""The quick size of akrout2019: every claim must pass (slow; run before resolving an issue)."""

import pytest

from brainlike.experiments import get
from brainlike.runs import run_experiment


@pytest.mark.slow
def test_quick_claims_pass(runs_root):
    res = run_experiment(get("akrout2019"), size="quick", root=runs_root, progress=False)
    for c in res.claims:
        print(f"{'PASS' if c.passed else 'FAIL'}  akrout2019: {c.name}: {c.value} (threshold {c.threshold}) {c.description}")
    failed = [c.name for c in res.claims if not c.passed]
    assert not failed, failed
