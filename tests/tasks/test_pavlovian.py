"""Conditioning protocols and spatial environments: shapes, timing and clear errors."""

import jax
import numpy as np
import pytest

from brainlike import ConfigError
from brainlike.tasks import OpenField, Phase, Protocol, tapped_delay_line


def test_schedule_lays_out_phases_and_variable_reward_times():
    proto = Protocol((Phase("a", 3, {"A": 1}, 1.0, 4), Phase("b", 50, {"A": 1, "B": 2}, 2.0, (5, 8))), ("A", "B"), 10)
    onsets, reward = proto.schedule(jax.random.PRNGKey(0), n_trials=60)
    assert onsets.shape == (60, 10, 2) and reward.shape == (60, 10)
    assert np.all(np.asarray(reward[:3, 4]) == 1.0) and np.all(np.asarray(onsets[3:53, 2, 1]) == 1)
    when = np.argmax(np.asarray(reward[3:53]), axis=1)
    assert when.min() >= 5 and when.max() <= 8 and len(set(when)) > 1
    assert np.all(np.asarray(reward[53:]) == 0) and list(proto.phase_index(60)[[0, 3, 59]]) == [0, 1, -1]
    x = tapped_delay_line(onsets[3], 4)
    assert x.shape == (10, 8) and float(x[2 + 3, 4 + 3]) == 1.0  # cue B, tap 3


def test_bad_protocols_are_clear_errors():
    with pytest.raises(ConfigError, match="unknown cue"):
        Protocol((Phase("a", 1, {"C": 1}),), ("A",), 5)
    with pytest.raises(ConfigError, match="outside the trial"):
        Protocol((Phase("a", 1, {"A": 1}, 1.0, 9),), ("A",), 5)
    with pytest.raises(ConfigError, match="'.' for free"):
        OpenField(layout=("..x",))
