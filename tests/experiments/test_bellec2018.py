"""bellec2018: the digits networks' input code and learning-rate schedule follow the config."""

import dataclasses

import numpy as np
import pytest

from brainlike import ConfigError, experiments
from brainlike.experiments.bellec2018 import digits_learning_rate, make_digits_task


def test_digits_learning_rate_decays_from_the_first_to_the_final_value():
    c = experiments.get("bellec2018").config("quick")
    schedule = digits_learning_rate(c)
    total = c.n_steps * c.digits_updates
    np.testing.assert_allclose(float(schedule(0)), c.digits_learning_rate, rtol=1e-6)
    np.testing.assert_allclose(float(schedule(total // 2)),
                               (c.digits_learning_rate + c.digits_final_learning_rate) / 2, rtol=1e-5)
    np.testing.assert_allclose(float(schedule(total)), c.digits_final_learning_rate, rtol=1e-5)
    assert digits_learning_rate(dataclasses.replace(c, digits_final_learning_rate=None)) == c.digits_learning_rate


def test_digits_inputs_are_signed_crossings_by_default():
    c = experiments.get("bellec2018").config("smoke")
    assert make_digits_task(c, "test").n_inputs == 2 * c.digits_thresholds + 1  # rises, falls, RESPOND
    assert make_digits_task(dataclasses.replace(c, digits_signed=False), "test").n_inputs == c.digits_thresholds + 1


@pytest.mark.parametrize("final", [0.0, -1e-4, 1.0])
def test_a_final_learning_rate_outside_the_range_is_refused(final):
    c = experiments.get("bellec2018").config("smoke")
    with pytest.raises(ConfigError, match="digits_final_learning_rate must be in"):
        dataclasses.replace(c, digits_final_learning_rate=final)
