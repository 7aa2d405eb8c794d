"""The command line: one clear line and a non-zero exit for bad input, and the happy paths."""

import os
import subprocess
import sys

import pytest


def brainlike(*args, env_extra=None, cwd=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "brainlike", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=600)


def test_list_shows_everything():
    r = brainlike("list")
    assert r.returncode == 0
    for word in ("perceptual_dm", "perceptual_decision", "ctrnn", "gru", "lstm", "bptt"):
        assert word in r.stdout


@pytest.mark.parametrize("args, msg", [
    (["run", "nope"], "unknown experiment 'nope'; known experiments: akrout2019, banino2018, bellec2018, bellec2020, conditioning, dabney2020, dezfouli2019, kool2017, maheswaranathan2019, mante2013, miconi2017, padoa2006, perceptual_dm, song2017_perceptual, sorscher2019, stachenfeld2017, wang2018_bandits, wang2018_twostep, yamins2014"),
    (["run", "perceptual_dm", "--smoke", "--set", "n_unit=3"], "has no field 'n_unit'"),
    (["run", "perceptual_dm", "--smoke", "--set", "n_units=abc"], "expected an integer, got 'abc'"),
    (["run", "perceptual_dm", "--smoke", "--set", "tau=10"], "dt <= tau"),
    (["run", "perceptual_dm", "--smoke", "--set", "fixation=-100"], "impossible timing"),
    (["run", "perceptual_dm", "--quick", "--smoke"], "choose one size"),
    (["show-task", "nope"], "unknown task 'nope'; known tasks: context_decision, delayed_match, economic_choice, evidence_accumulation, flip_flop, perceptual_decision, sequential_digits, store_recall"),
    (["run", "perceptual_dm", "--resume"], "no unfinished run"),
    (["sweep", "perceptual_dm", "--smoke", "--grid", "n_units=8,many"], "--set n_units: expected an integer, got 'many'"),
    (["sweep", "perceptual_dm", "--smoke", "--engine", "slurm"], "unknown engine 'slurm'; known: local, ray"),
    (["sweep", "perceptual_dm", "--smoke", "--grid", "n_units"], "expected key=value"),
    (["runs", "--sweep", "nope"], "--sweep nope: no finished runs of that sweep"),
    (["evaluate", "no_such_run"], "no_such_run/config.json: missing"),
])
def test_bad_input_is_one_line_and_nonzero(args, msg, tmp_path):
    r = brainlike(*args, env_extra={"BRAINLIKE_RUNS": str(tmp_path)})
    assert r.returncode == 2, r.stderr
    assert msg in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_smoke_run_and_runs_table(tmp_path):
    r = brainlike("run", "perceptual_dm", "--smoke", "--no-progress", "--out", str(tmp_path), "--set", "seed=3")
    assert r.returncode == 0, r.stderr
    assert "claims" in r.stdout and "report:" in r.stdout
    run = next(p for p in tmp_path.iterdir() if p.is_dir())
    r = brainlike("evaluate", str(run))  # the trained network scored again by this version's analysis
    assert r.returncode == 0, r.stderr
    assert "claims" in r.stdout and (run / "claims.prev.json").exists()
    r = brainlike("runs", "--out", str(tmp_path))
    assert r.returncode == 0 and "perceptual_dm-" in r.stdout and "complete" in r.stdout
    (tmp_path / "index.sqlite").unlink()  # the index is lost; the run directories are the record
    r = brainlike("runs", "--out", str(tmp_path), "--rebuild")
    assert r.returncode == 0 and "re-indexed 1 run directories" in r.stdout and "complete" in r.stdout


def test_two_seeds_train_together(tmp_path):
    r = brainlike("run", "perceptual_dm", "--smoke", "--seeds", "2", "--no-progress", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    import json

    run = next(p for p in tmp_path.iterdir() if p.is_dir())
    claims = json.loads((run / "claims.json").read_text())
    assert {c["seed"] for c in claims} == {0, 1}
    assert (run / "recording_seed1.nc").exists()


def test_show_task_writes_png(tmp_path):
    out = tmp_path / "t.png"
    r = brainlike("show-task", "perceptual_decision", "--set", "dt=20", "--set", "reaction_time=true",
                  "--set", "grace=100", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_datasets_lists_each_file_and_where_it_looked(tmp_path):
    r = brainlike("datasets", env_extra={"BRAINLIKE_DATA": str(tmp_path), "COLUMNS": "200"})
    assert r.returncode == 0, r.stderr
    assert str(tmp_path) in r.stdout and "Figure2b.mat: missing" in r.stdout and "kriegeskorte2008_92images" in r.stdout


def test_compare_scores_a_run_against_the_dopamine_data(tmp_path):
    from brainlike import DataError
    from brainlike.data import data_file

    try:
        data_file("dabney2020_dopamine/Figure2b.mat")
    except DataError as e:
        pytest.skip(str(e))
    r = brainlike("run", "dabney2020", "--smoke", "--no-progress", env_extra={"BRAINLIKE_RUNS": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    run_dir = next(tmp_path.glob("dabney2020-*"))
    r = brainlike("compare", str(run_dir), "dabney2020_dopamine", env_extra={"COLUMNS": "200"})
    assert r.returncode == 0, r.stderr
    assert "split-half reliability" in r.stdout and "dabney2020 data" in r.stdout
    r = brainlike("compare", str(run_dir), "kriegeskorte2008_92images")
    assert r.returncode == 2 and "conditions['stimulus']" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = brainlike("compare", str(run_dir), "nope")
    assert r.returncode == 2 and "unknown data set 'nope'" in r.stderr
