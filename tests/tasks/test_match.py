"""Delayed (non-)match-to-sample: the exclusive-or structure and the timing of the inputs."""

import jax
import numpy as np
import pytest

from brainlike import ConfigError
from brainlike.tasks import DelayedMatch, make


def test_non_match_is_exclusive_or_and_inputs_follow_the_periods():
    task = DelayedMatch(dt=10.0)
    assert task.n_steps == 100  # 5 periods of 200 ms
    grid = task.condition_grid(1)
    np.testing.assert_array_equal(grid["choice"], np.asarray(grid["sample"]) ^ np.asarray(grid["test"]))
    trials = task.build(grid, key=jax.random.PRNGKey(0))
    x = np.asarray(trials.inputs)
    for i in range(4):
        s, t = int(grid["sample"][i]), int(grid["test"][i])
        np.testing.assert_array_equal(x[i, :20, 1 + s], 1.0)  # sample, 0-200 ms
        assert x[i, :20, 2 - s].sum() == 0
        assert x[i, 20:40, 1:].sum() == 0  # delay
        np.testing.assert_array_equal(x[i, 40:60, 1 + t], 1.0)  # test stimulus
        assert x[i, 60:, 1:].sum() == 0
        np.testing.assert_array_equal(x[i, :80, 0], 1.0)  # fixation until the response
        assert x[i, 80:, 0].sum() == 0
        y = np.asarray(trials.targets[i])
        assert (y[:80, 0] == 1).all() and (y[80:, 1 + int(grid["choice"][i])] == 1).all()


def test_match_rule_and_errors():
    grid = DelayedMatch(rule="match").condition_grid(2)
    np.testing.assert_array_equal(grid["choice"], grid["match"])
    with pytest.raises(ConfigError, match="rule"):
        DelayedMatch(rule="same")
    with pytest.raises(ConfigError, match="lasts 0 steps"):
        DelayedMatch(dt=10.0, stimulus=2.0)
    assert isinstance(make("delayed_match", dt=20.0), DelayedMatch)
