import json
import sqlite3

import numpy as np
import pytest

from brainlike import ConfigError, DataError, TrainingDiverged
from brainlike.experiments import get
from brainlike.runs import RunDir, RunIndex, atomic_write_json, evaluate_run, run_experiment


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


def test_a_finished_run_evaluated_again_gives_its_own_results(runs_root, tmp_path):
    import shutil

    res = run_experiment(get("perceptual_dm"), size="smoke", root=runs_root, progress=False)
    p = res.run.path
    params = (p / "params.eqx").read_bytes()
    results, claims = ((p / f"{n}.json").read_text() for n in ("results", "claims"))
    again = evaluate_run(p)
    # the same networks, evaluation keys and analysis: the same figures (the JSON text, NaNs included), and the
    # network file untouched
    assert (p / "results.json").read_text() == results and (p / "claims.json").read_text() == claims
    assert (p / "claims.prev.json").read_text() == claims and len(again.claims) == len(json.loads(claims))
    assert (p / "params.eqx").read_bytes() == params and "evaluated again" in (p / "report.html").read_text()
    # a run directory copied to another store is indexed there
    copy = shutil.copytree(p, tmp_path / "elsewhere" / p.name)
    evaluate_run(copy)
    assert RunIndex(tmp_path / "elsewhere").get(p.name)["claims_total"] == len(again.claims)
    # a run that has not finished training has nothing to evaluate
    (copy / "params.eqx").unlink()
    with pytest.raises(ConfigError, match="no params.eqx, the run has not finished training"):
        evaluate_run(copy)


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


# -- checkpoints that survive a bad disk, an index that survives corruption and concurrent writers -------

def _tree(v):
    return {"w": np.full(3, float(v), np.float32)}, {"m": np.full(2, float(v), np.float32)}


def test_a_corrupt_or_truncated_checkpoint_falls_back_to_the_previous_one(tmp_path):
    run = RunDir(tmp_path)
    run.save_checkpoint(10, *_tree(1))
    run.save_checkpoint(20, *_tree(2))
    assert run.load_checkpoint(*_tree(0))[0] == 20
    newest = tmp_path / "checkpoint.eqx"
    good = newest.read_bytes()
    for bad in (good[:-7], good[:-20] + bytes(b ^ 0xFF for b in good[-20:])):  # cut short; flipped bytes, same length
        newest.write_bytes(bad)
        said = []
        step, models, opt = run.load_checkpoint(*_tree(0), log=said.append)
        assert step == 10 and float(models["w"][0]) == 1.0 and float(opt["m"][0]) == 1.0
        assert len(said) == 1 and "checkpoint.eqx: checksum mismatch" in said[0] and "checkpoint.prev.eqx" in said[0]
    # a bad newest file is never rotated over the good previous one
    run.save_checkpoint(30, *_tree(3))
    assert run.load_checkpoint(*_tree(0))[0] == 30
    (tmp_path / "checkpoint.eqx").write_bytes(b"")
    assert run.load_checkpoint(*_tree(0), log=lambda s: None)[0] == 10


def test_when_every_checkpoint_is_bad_the_error_names_each(tmp_path):
    run = RunDir(tmp_path)
    run.save_checkpoint(10, *_tree(1))
    run.save_checkpoint(20, *_tree(2))
    for name in ("checkpoint.eqx", "checkpoint.prev.eqx"):
        p = tmp_path / name
        p.write_bytes(p.read_bytes()[:40])
    with pytest.raises(DataError, match=r"checkpoint\.eqx: checksum mismatch.*; .*checkpoint\.prev\.eqx: checksum"):
        run.load_checkpoint(*_tree(0))


def _fake_run(root, name, *, finished):
    run = RunDir.create(root, name)
    run.write_json("config.json", {"experiment": name, "size": "smoke", "seeds": 1, "config": {}})
    run.append_metrics([{"step": 5, "seed": 0}, {"step": 10, "seed": 0}])
    if finished:
        run.write_json("claims.json", [{"name": "a", "passed": True}, {"name": "b", "passed": False}])
        run.write_text("report.html", "<html></html>")
    return run


def test_a_corrupt_index_is_set_aside_and_rebuilt_from_the_run_directories(tmp_path):
    done = _fake_run(tmp_path, "alpha", finished=True)
    cut = _fake_run(tmp_path, "beta", finished=False)
    (tmp_path / "index.sqlite").write_bytes(b"SQLite format 3\x00" + b"\x13" * 600)  # a header, then garbage
    with pytest.warns(UserWarning, match="unreadable run index.*rebuilt from 2 run directories"):
        index = RunIndex(tmp_path)
    rows = {r["id"]: r for r in index.list()}
    assert rows[done.id]["status"] == "complete" and rows[done.id]["claims_passed"] == 1
    assert rows[done.id]["claims_total"] == 2 and rows[cut.id]["status"] == "interrupted"
    assert rows[cut.id]["step"] == 10 and rows[cut.id]["experiment"] == "beta"
    assert len(list(tmp_path.glob("index.sqlite.corrupt-*"))) == 1
    assert RunIndex(tmp_path).get(done.id)["status"] == "complete"  # the rebuilt index opens cleanly


def test_two_processes_writing_one_index_at_once_lose_nothing(tmp_path):
    import subprocess
    import sys

    RunIndex(tmp_path)
    script = """
import sys
from brainlike.runs import RunIndex
idx = RunIndex(sys.argv[1])
me = sys.argv[2]
for i in range(120):
    idx.upsert(f"{me}-{i}", experiment="e", status="running", created="t", updated="t", path="/p")
    idx.upsert(f"{me}-{i}", status="complete", step=i)
    idx.upsert("shared", experiment="e", status="running", created="t", updated="t", path="/p", message=me)
"""
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path), name]) for name in ("a", "b")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    db = sqlite3.connect(tmp_path / "index.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    rows = RunIndex(tmp_path).list()
    assert len(rows) == 241 and sum(r["status"] == "complete" for r in rows) == 240
    assert sorted(r["step"] for r in rows if r["id"].startswith("a-")) == list(range(120))


def test_a_run_killed_with_sigkill_resumes_to_the_parameters_of_an_uninterrupted_run(runs_root, tmp_path):
    import dataclasses
    import os
    import signal
    import subprocess
    import sys
    import time

    exp = get("perceptual_dm")
    overrides = {"n_steps": 3000, "checkpoint_every": 20}
    cfg = dataclasses.replace(exp.config("smoke"), **overrides)
    killed_root = tmp_path / "killed"
    cmd = [sys.executable, "-m", "brainlike", "run", "perceptual_dm", "--smoke", "--no-progress", "--out",
           str(killed_root)] + [a for k, v in overrides.items() for a in ("--set", f"{k}={v}")]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            metrics = list(killed_root.glob("*/metrics.jsonl"))
            if metrics and len(metrics[0].read_text().splitlines()) >= 3:  # some checkpoints in, far from done
                break
            time.sleep(0.02)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    run_dir = next(killed_root.glob("perceptual_dm-*"))
    assert not (run_dir / "params.eqx").exists(), "the run finished before it could be killed"
    assert proc.returncode == -signal.SIGKILL
    resumed = run_experiment(exp, root=killed_root, resume=True, progress=False)
    full = run_experiment(exp, cfg, size="smoke", root=runs_root, progress=False)
    assert (resumed.run.path / "params.eqx").read_bytes() == (full.run.path / "params.eqx").read_bytes()
    steps = [m["step"] for m in resumed.run.read_metrics()]
    assert steps == list(range(20, 3001, 20))
