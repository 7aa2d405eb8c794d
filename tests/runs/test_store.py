import json
import sqlite3

import numpy as np
import pytest

from brainlike import DataError, TrainingDiverged
from brainlike.experiments import get
from brainlike.runs import RunDir, RunIndex, atomic_write_json, run_experiment


def test_atomic_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "x.json"
    atomic_write_json(target, {"a": 1})

    class Boom:
        pass

    with pytest.raises(TypeError):
        atomic_write_json(target, {"a": Boom()})
    assert json.loads(target.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_index_lists_runs(tmp_path):
    idx = RunIndex(tmp_path)
    idx.upsert("a", experiment="e", status="running", created="2026-01-01", updated="2026-01-01", path="/a")
    idx.upsert("a", status="complete", claims_passed=3, claims_total=3)
    idx.upsert("b", experiment="f", status="running", created="2026-01-02", updated="2026-01-02", path="/b")
    assert [r["id"] for r in idx.list()] == ["b", "a"]
    assert idx.get("a")["status"] == "complete" and idx.list("e")[0]["claims_passed"] == 3
    assert sqlite3.connect(tmp_path / "index.sqlite").execute("select count(*) from runs").fetchone()[0] == 2


def test_run_directory_has_every_artefact(runs_root):
    res = run_experiment(get("perceptual_dm"), size="smoke", root=runs_root, progress=False)
    p = res.run.path
    for name in ("config.json", "versions.json", "checkpoint.eqx", "params.eqx", "metrics.jsonl", "recording.nc",
                 "claims.json", "results.json", "report.html"):
        assert (p / name).exists(), name
    claims = json.loads((p / "claims.json").read_text())
    assert claims and all({"name", "value", "threshold", "passed"} <= set(c) for c in claims)
    assert list((p / "figures").glob("*.png"))
    html = (p / "report.html").read_text()
    assert "figures/psychometric.png" in html and ("PASS" in html or "FAIL" in html)
    row = RunIndex(runs_root).get(res.run.id)
    assert row["status"] == "complete" and row["claims_total"] == len(claims)
    # no temporary files left behind
    assert not [q for q in p.rglob(".*tmp*")]


def test_killed_run_resumes_to_the_same_result(runs_root, monkeypatch):
    exp = get("perceptual_dm")
    full = run_experiment(exp, size="smoke", root=runs_root / "a", progress=False)

    calls = {"n": 0}
    original = RunDir.save_checkpoint

    def dying(self, step, models, opt):
        original(self, step, models, opt)
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyboardInterrupt  # killed right after the first checkpoint

    monkeypatch.setattr(RunDir, "save_checkpoint", dying)
    with pytest.raises(KeyboardInterrupt):
        run_experiment(exp, size="smoke", root=runs_root / "b", progress=False)
    assert RunIndex(runs_root / "b").list()[0]["status"] == "interrupted"
    resumed = run_experiment(exp, root=runs_root / "b", resume=True, progress=False)
    a = (full.run.path / "params.eqx").read_bytes()
    b = (resumed.run.path / "params.eqx").read_bytes()
    assert a == b
    steps = [m["step"] for m in resumed.run.read_metrics()]
    assert steps == sorted(steps) and len(steps) == len(set(steps))


def test_divergence_keeps_the_last_good_checkpoint(runs_root):
    exp = get("perceptual_dm")
    cfg = exp.config("smoke")
    import dataclasses

    cfg = dataclasses.replace(cfg, learning_rate=1e6, grad_clip=0.0, n_steps=200)
    with pytest.raises(TrainingDiverged, match=r"non-finite loss at step \d+") as info:
        run_experiment(exp, cfg, size="smoke", root=runs_root, progress=False)
    row = RunIndex(runs_root).list()[0]
    assert row["status"] == "diverged"
    if info.value.checkpoint:
        assert "checkpoint.eqx" in info.value.checkpoint


def test_corrupt_checkpoint_is_named(tmp_path):
    run = RunDir(tmp_path)
    (tmp_path / "checkpoint.eqx").write_bytes(b"garbage")
    with pytest.raises(DataError, match="checkpoint.eqx: cannot be read"):
        run.load_checkpoint({"w": np.zeros(3)}, {"m": np.zeros(3)})
