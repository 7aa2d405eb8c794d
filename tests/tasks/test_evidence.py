"""Delayed evidence accumulation (towers) trials."""

import jax
import numpy as np
import pytest

from brainlike import ConfigError
from brainlike.tasks import EvidenceAccumulation

KEY = jax.random.PRNGKey(0)


def test_cues_are_counted_and_the_majority_side_is_the_target():
    task = EvidenceAccumulation(dt=10.0, n_cues=5, cue=50.0, gap=30.0, delay=200.0, decision=60.0, background=0.25)
    assert task.n_steps == 5 * 8 + 20 + 6
    tr = task.sample(KEY, 300)
    c = {k: np.asarray(v) for k, v in tr.conditions.items()}
    x = np.asarray(tr.inputs)
    slots = x[:, :40].reshape(300, 5, 8, 4)
    np.testing.assert_array_equal(slots[:, :, 5:, :2], 0.0)  # silent gaps
    on = slots[:, :, :5, :2]
    assert np.all(on.min(2) == on.max(2))  # a cue is constant over its 50 ms
    np.testing.assert_array_equal(on[:, :, 0].sum(-1), 1.0)  # every cue is on exactly one side
    np.testing.assert_array_equal(on[:, :, 0, 1].sum(1), c["n_right"])
    np.testing.assert_array_equal(c["n_left"] + c["n_right"], 5)
    np.testing.assert_array_equal(c["choice"], c["n_right"] > c["n_left"])
    np.testing.assert_array_equal(x[:, 40:, :2], 0.0)  # nothing in the delay or the decision period
    np.testing.assert_array_equal(x[:, :, 2], np.repeat([[0.0] * 60 + [1.0] * 6], 300, 0))  # recall cue
    np.testing.assert_array_equal(x[:, :, 3], 0.25)
    np.testing.assert_array_equal(np.asarray(tr.mask), x[:, :, 2])  # scored in the decision period
    np.testing.assert_array_equal(np.asarray(tr.targets)[:, -1].argmax(-1), c["choice"])
    # each cue is left or right with probability 1/2: the counts are binomial(5, 1/2)
    assert abs(c["n_right"].mean() - 2.5) < 0.2 and abs(c["n_right"].var() - 1.25) < 0.3
    # the order varies between trials with the same count
    three = on[c["n_right"] == 3, :, 0, 1]
    assert len({tuple(r) for r in three}) > 5


def test_even_cue_counts_and_bad_timing_are_refused():
    with pytest.raises(ConfigError, match="n_cues must be odd"):
        EvidenceAccumulation(n_cues=6)
    with pytest.raises(ConfigError, match="background"):
        EvidenceAccumulation(background=2.0)
