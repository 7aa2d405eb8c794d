"""Sweeps: grids parsed, every point a run in the store and the index, failures reported and kept,
points that differ in float values trained in one program as they would be alone, the local and Ray
engines giving the same networks."""

import dataclasses
import json

import equinox as eqx
import jax
import numpy as np
import pytest

from brainlike import ConfigError
from brainlike._config import apply_overrides
from brainlike.experiments import get
from brainlike.plasticity import fit
from brainlike.runs import RunDir, RunIndex, grid_points, parse_grid, run_experiment, run_sweep, seed_keys, sweep_table
from brainlike.runs._group import group_points, shared_program, train_group


def test_grid_values_split_on_commas_outside_brackets():
    grid = parse_grid(["learning_rate=1e-3, 3e-3", "coherences=(0.1,0.2),(0.4)", "n_units=8"])
    assert grid == {"learning_rate": ["1e-3", "3e-3"], "coherences": ["(0.1,0.2)", "(0.4)"], "n_units": ["8"]}
    points = grid_points(grid)
    assert len(points) == 4 and points[0] == {"learning_rate": "1e-3", "coherences": "(0.1,0.2)", "n_units": "8"}
    assert grid_points({}) == [{}]
    for bad, msg in ((["lr"], "expected key=value"), (["lr=1,"], "no empty value"), (["a=1", "a=2"], "given twice")):
        with pytest.raises(ConfigError, match=msg):
            parse_grid(bad)


def test_a_bad_grid_value_stops_the_sweep_before_anything_trains(runs_root):
    with pytest.raises(ConfigError, match="--set n_units: expected an integer, got 'many'"):
        run_sweep(get("perceptual_dm"), size="smoke", grid=["n_units=8,many"], root=runs_root)
    assert RunIndex(runs_root).list() == []


def test_a_local_sweep_puts_every_point_in_the_store_and_reports_a_diverged_one(runs_root):
    exp = get("perceptual_dm")
    grid = ["learning_rate=3e-3,1e6", "grad_clip=0.0"]  # the second point diverges
    res = run_sweep(exp, size="smoke", seeds=2, grid=grid, root=runs_root, retries=2, log=lambda m: None)
    assert [r["params"] for r in res.runs] == [{"learning_rate": "3e-3", "grad_clip": "0.0"}]
    assert len(res.failures) == 1 and "TrainingDiverged" in res.failures[0]["error"]
    manifest = json.loads(res.manifest.read_text())
    assert [p["status"] for p in manifest["points"]] == ["complete", "failed"]
    assert manifest["status"] == "failed points" and res.manifest.with_suffix(".png").exists()
    rows = RunIndex(runs_root).list(sweep=res.sweep)
    assert len(rows) == 2 and sorted(r["status"] for r in rows) == ["complete", "diverged"]  # a diverged point is not retried
    table = sweep_table(runs_root, res.sweep)
    claims = json.loads((runs_root / res.runs[0]["run"] / "claims.json").read_text())
    assert len(table) == len(claims) and {r["seed"] for r in table} == {0, 1}
    assert all(r["params"] == {"learning_rate": "3e-3", "grad_clip": "0.0"} for r in table)


@pytest.mark.slow  # starts a Ray instance whose workers each import JAX: minutes on the 2-core machine
def test_the_ray_engine_gives_the_local_engines_networks(runs_root):
    pytest.importorskip("ray")
    exp = get("perceptual_dm")
    grid = ["learning_rate=1e-3,3e-3"]
    local = run_sweep(exp, size="smoke", seeds=2, grid=grid, root=runs_root / "local", log=lambda m: None)
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        remote = run_sweep(exp, size="smoke", seeds=2, grid=grid, root=runs_root / "ray", engine="ray",
                           log=lambda m: None)
    finally:
        ray.shutdown()
    assert not local.failures and not remote.failures
    assert [r["params"] for r in remote.runs] == [r["params"] for r in local.runs]
    for a, b in zip(local.runs, remote.runs):
        assert (runs_root / "local" / a["run"] / "params.eqx").read_bytes() == \
            (runs_root / "ray" / b["run"] / "params.eqx").read_bytes()
        assert a["claims_passed"] == b["claims_passed"]
    assert len(RunIndex(runs_root / "ray").list(sweep=remote.sweep)) == 2


def test_points_differing_in_float_values_share_a_program_and_shapes_split_them():
    exp = get("perceptual_dm")
    base = exp.config("smoke")
    points = [{"learning_rate": lr, "n_units": n} for n in ("8", "16") for lr in ("1e-3", "3e-3")]
    configs = [apply_overrides(base, p) for p in points]
    # the learning rate enters the update as a traced number; the number of units sets shapes
    assert group_points(exp, configs, points) == [([0, 1], ["learning_rate"]), ([2, 3], ["learning_rate"])]
    # dt sets the number of time steps, rate_reg enters as a number
    assert shared_program(exp, [apply_overrides(base, {"dt": v}) for v in ("10.0", "20.0")]) is None
    assert shared_program(exp, [apply_overrides(base, {"rate_reg": v, "learning_rate": v})
                                for v in ("1e-3", "3e-3")]) == ["learning_rate", "rate_reg"]


def test_a_group_trains_each_network_as_it_would_be_trained_alone():
    exp = get("perceptual_dm")
    configs = [dataclasses.replace(exp.config("smoke"), n_steps=4, checkpoint_every=2, learning_rate=lr)
               for lr in (1e-3, 1e-2)]
    chunks = []
    grouped = train_group(exp, configs, ["learning_rate"], 2,
                          on_chunk=lambda step, i, models, opt, metrics: chunks.append((step, i, metrics["loss"].shape)))
    assert chunks == [(2, 0, (2, 2)), (2, 1, (2, 2)), (4, 0, (2, 2)), (4, 1, (2, 2))]

    def arrays(tree):
        return [np.asarray(x) for x in jax.tree.leaves(eqx.filter(tree, eqx.is_array))]

    assert max(np.abs(a - b).max() for a, b in zip(arrays(grouped[0]), arrays(grouped[1]))) > 1e-4
    # the second point (not the first, whose values a mix-up would also give) against a run of it alone
    c = configs[1]
    keys = seed_keys(0, 2)  # a run's seeds: initial keys fold in 0, training keys 1
    init, train = (jax.vmap(lambda k, i=i: jax.random.fold_in(k, i))(keys) for i in (0, 1))
    opt = exp.optimizer(c)
    models = eqx.filter_vmap(lambda k: exp.init(c, k))(init)
    states = eqx.filter_vmap(lambda m: exp.init_optimizer(c, opt, m))(models)
    alone, _ = fit(models, states, train, step=exp.step(c, opt), n_steps=4, chunk=2, progress=False)
    for a, b in zip(arrays(alone), arrays(grouped[1])):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)


@pytest.mark.slow  # two sweeps' worth of smoke runs, evaluation included: minutes
def test_a_grouped_sweep_stores_the_runs_that_separate_runs_would(runs_root):
    exp = get("perceptual_dm")
    said = []
    res = run_sweep(exp, size="smoke", seeds=2, grid=["learning_rate=1e-3,3e-3"], root=runs_root / "sweep",
                    log=said.append)
    assert said == ["2 points (learning_rate) x 2 seeds trained in one program"] and not res.failures
    like = eqx.filter_vmap(lambda k: exp.init(exp.config("smoke"), k))(seed_keys(0, 2))
    for r in res.runs:
        run = RunDir(runs_root / "sweep" / r["run"])
        assert run.has_checkpoint() and json.loads((run.path / "config.json").read_text())["params"] == r["params"]
        alone = run_experiment(exp, apply_overrides(exp.config("smoke"), r["params"]), size="smoke", seeds=2,
                               root=runs_root / "alone", progress=False, log=lambda m: None)
        for a, b in zip(jax.tree.leaves(alone.run.load_tree("params.eqx", like)), jax.tree.leaves(run.load_tree("params.eqx", like))):
            np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-5, atol=1e-6)
        assert r["claims_total"] == len(alone.claims)
