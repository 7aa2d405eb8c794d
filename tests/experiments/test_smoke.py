"""Every registered experiment runs its smoke config end to end (train, evaluate, claims, report)."""

import json
import sys

import pytest

from brainlike import experiments
from brainlike.runs import run_experiment


def needs_data(exp):
    """Skip an experiment whose real data files are not in the data directory."""
    from brainlike import DataError
    from brainlike.data import data_file

    try:
        for relative in exp.data:
            data_file(relative)
    except DataError as e:
        pytest.skip(f"real data not available: {e}")


@pytest.mark.parametrize("name", experiments.names())
def test_smoke_run_and_make_train(name, runs_root):
    """The smoke config end to end through the runner (train, evaluate, claims, report), and the experiment's
    ``make_train`` as one pure program vmapped over two seeds, whose seed 0 is the runner's network (the runner
    keys seed ``k`` of any run alike; seeds trained together equal seeds trained alone is tested in
    ``tests/plasticity/test_bptt.py``)."""
    import equinox as eqx
    import jax
    import numpy as np

    from brainlike.runs import seed_keys

    exp = experiments.get(name)
    needs_data(exp)
    res = run_experiment(exp, size="smoke", root=runs_root, progress=False)
    claims = json.loads((res.run.path / "claims.json").read_text())
    assert len(claims) == len(res.claims) > 0
    for c in claims:
        assert isinstance(c["passed"], bool) and c["threshold"]
    assert (res.run.path / "report.html").exists()

    cfg = exp.config("smoke")
    train = eqx.filter_jit(eqx.filter_vmap(exp.make_train(cfg)))
    models, losses = train(seed_keys(cfg.seed, 2))
    assert losses.shape == (2, exp.n_steps(cfg)) and np.isfinite(np.asarray(losses)).all()
    like = eqx.filter_vmap(lambda k: exp.init(cfg, k))(seed_keys(cfg.seed, 1))
    stored = res.run.load_tree("params.eqx", like)
    for a, b in zip(jax.tree_util.tree_leaves(eqx.filter(models, eqx.is_array)),
                    jax.tree_util.tree_leaves(eqx.filter(stored, eqx.is_array))):
        np.testing.assert_allclose(a[:1], b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", experiments.names())
def test_sizes_and_metadata(name):
    exp = experiments.get(name)
    smoke, quick, paper = (exp.config(s) for s in ("smoke", "quick", "paper"))
    assert exp.n_steps(smoke) < exp.n_steps(quick) <= exp.n_steps(paper)
    assert exp.title and exp.paper, f"{name} needs a title and the paper it re-makes"
    assert sys.modules[exp.__class__.__module__].__doc__, "experiment module needs a docstring citing the paper"
