"""`--set rule=...`: the BPTT experiments train their CTRNNs by a feedback rule instead."""

import dataclasses
import json

import pytest

from brainlike import ConfigError
from brainlike.experiments import get
from brainlike.runs import run_experiment


@pytest.mark.parametrize("rule", ["fa", "kp"])
def test_perceptual_dm_trains_by_a_feedback_rule(rule, runs_root):
    exp = get("perceptual_dm")
    cfg = dataclasses.replace(exp.config("smoke"), rule=rule)
    res = run_experiment(exp, cfg, size="smoke", root=runs_root, progress=False)
    results = json.loads((res.run.path / "results.json").read_text())["seed0"]
    assert results["rule"] == rule
    angles = results["feedback_forward_angle"]["fixed"]  # [w_in, w_rec, readout]
    assert angles[0] is None and 0 < angles[1] <= 180 and 0 < angles[2] <= 180


def test_unknown_rule_and_dale_network_are_refused():
    exp = get("mante2013")
    with pytest.raises(ConfigError, match="unknown rule"):
        dataclasses.replace(exp.config("smoke"), rule="hebb")
    with pytest.raises(ConfigError, match="Dale"):
        dataclasses.replace(exp.config("smoke"), rule="fa", circuit="eirnn")
