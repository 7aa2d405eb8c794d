"""Sweeps: grids parsed, every point a run in the store and the index, failures reported and kept,
the local and Ray engines giving the same networks."""

import json

import pytest

from brainlike import ConfigError
from brainlike.experiments import get
from brainlike.runs import RunIndex, grid_points, parse_grid, run_sweep, sweep_table


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
