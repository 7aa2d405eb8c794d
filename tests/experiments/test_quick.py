"""The quick sizes of the experiments: every claim must pass (slow; run before resolving an issue).
mante2013 has its own file (both circuits)."""

import pytest

from brainlike.experiments import get
from brainlike.runs import run_experiment


@pytest.mark.slow
@pytest.mark.parametrize("name", ["perceptual_dm", "conditioning", "dabney2020", "stachenfeld2017", "akrout2019", "miconi2017", "yamins2014", "yang2019", "bellec2018", "bellec2020", "song2017_perceptual", "padoa2006",
                                  "wang2018_bandits", "wang2018_twostep", "kool2017", "dezfouli2019", "banino2018", "sorscher2019",
                                  "yang2019_continual",
                                  "maheswaranathan2019"])
def test_quick_claims_pass(name, runs_root):
    res = run_experiment(get(name), size="quick", root=runs_root, progress=False)
    for c in res.claims:
        print(f"{'PASS' if c.passed else 'FAIL'}  {name}: {c.name}: {c.value} (threshold {c.threshold}) {c.description}")
    failed = [c.name for c in res.claims if not c.passed]
    assert not failed, failed
