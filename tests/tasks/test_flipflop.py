"""The n-bit flip-flop (Sussillo & Barak 2013): targets hold the last pulse of their channel."""

import jax
import numpy as np
import pytest

from brainlike import ConfigError
from brainlike.tasks import FlipFlop, make


def test_targets_hold_the_sign_of_the_last_pulse_on_each_channel():
    task = FlipFlop(n_bits=3, dt=10.0, duration=300.0, p_pulse=0.1)
    batch = task.sample(jax.random.PRNGKey(0), 16)
    x, y = np.asarray(batch.inputs), np.asarray(batch.targets)
    assert x.shape == (16, 30, 3) and np.all(np.isin(x, (-1.0, 0.0, 1.0)))
    for trial in range(16):  # an independent loop over steps
        last = np.zeros(3)
        for t in range(30):
            last = np.where(x[trial, t] != 0, x[trial, t], last)
            np.testing.assert_array_equal(y[trial, t], last)
    assert np.all(x[:, 0] != 0)  # every channel is set on the first step, so every target is +-1
    assert np.all(np.abs(y) == 1) and np.all(np.asarray(batch.mask) == 1)
    states = np.asarray(task.states(batch.conditions["initial"]))
    np.testing.assert_array_equal(x[:, 0], states)
    np.testing.assert_array_equal(np.asarray(task.states(batch.conditions["final"])), y[:, -1])
    pulses = np.mean(x[:, 1:] != 0)
    assert 0.07 < pulses < 0.13  # p_pulse per channel and step after the first


def test_bad_parameters_are_named():
    for kw, msg in (({"n_bits": 0}, "n_bits"), ({"duration": 5.0}, "under 2 steps"), ({"p_pulse": 1.5}, "p_pulse")):
        with pytest.raises(ConfigError, match=msg):
            make("flip_flop", **kw)
