import jax
import numpy as np
import pytest

from brainlike import ConfigError
from brainlike.tasks import PerceptualDecision


def test_neurogym_default_timing_and_channels():
    task = PerceptualDecision()
    assert (task.dt, task.fixation, task.stimulus, task.delay, task.decision) == (100, 100, 2000, 0, 100)
    assert task.n_steps == 22
    b = task.sample(jax.random.PRNGKey(0), 3)
    ep = {k: np.asarray(v[0]).tolist() for k, v in b.epochs.items()}
    assert ep == {"fixation": [0, 1], "stimulus": [1, 21], "delay": [21, 21], "decision": [21, 22]}
    # fixation cue only during fixation; targets "fixate" except in the decision period
    assert np.all(b.inputs[:, 0, 0] == 1) and np.all(b.inputs[:, 1:, 0] == 0)
    label = np.argmax(b.targets, -1)
    assert np.all(label[:, :21] == 0)
    np.testing.assert_array_equal(label[:, 21], np.asarray(b.conditions["choice"]) + 1)


@pytest.mark.parametrize("kwargs, msg", [
    ({"fixation": -100.0}, "impossible timing"),
    ({"stimulus": (500.0, 200.0)}, "impossible timing"),
    ({"dt": 0.0}, "dt must be positive"),
    ({"decision": 10.0, "dt": 100.0}, "decision of 10.0 ms lasts 0 steps"),
    ({"reaction_time": True, "grace": 5000.0}, "grace"),
])
def test_impossible_timings_raise(kwargs, msg):
    with pytest.raises(ConfigError, match=msg):
        PerceptualDecision(**kwargs)


def test_variable_stimulus_duration_sets_epochs_and_padding():
    task = PerceptualDecision(dt=20.0, stimulus=(200.0, 600.0))
    b = task.sample(jax.random.PRNGKey(0), 200)
    stim = np.asarray(b.epochs["stimulus"])
    lengths = stim[:, 1] - stim[:, 0]
    assert lengths.min() >= 10 and lengths.max() <= 30 and len(np.unique(lengths)) > 10
    end = np.asarray(b.epochs["decision"][:, 1])
    mask = np.asarray(b.mask)
    for i in range(5):
        assert mask[i, : end[i]].all() and not mask[i, end[i]:].any()


def test_reaction_time_variant_scores_choice_after_grace():
    task = PerceptualDecision(dt=20.0, stimulus=1000.0, reaction_time=True, grace=100.0)
    b = task.sample(jax.random.PRNGKey(0), 4)
    onset = int(b.epochs["stimulus"][0, 0])
    assert int(b.epochs["decision"][0, 0]) == onset + 5
    mask = np.asarray(b.mask[0])
    assert mask[:onset].all() and not mask[onset:onset + 5].any() and mask[onset + 5:].all()
    label = np.argmax(np.asarray(b.targets[0]), -1)
    assert np.all(label[onset + 5:] == int(b.conditions["choice"][0]) + 1)


def test_condition_grid_is_exact():
    task = PerceptualDecision(coherences=(0.0, 10.0, 20.0))
    grid = task.condition_grid(4)
    assert grid["coherence"].shape == (24,)
    pairs = {(float(c), int(k)) for c, k in zip(grid["coherence"], grid["choice"])}
    assert len(pairs) == 6
    np.testing.assert_allclose(grid["signed_coherence"], np.where(grid["choice"] == 1, 1, -1) * grid["coherence"])
