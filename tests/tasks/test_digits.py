"""Sequential digits: the split, the pixel order and the threshold-crossing code."""

import jax
import numpy as np
import pytest

from brainlike import ConfigError
from brainlike.tasks import SequentialDigits, digit_split

KEY = jax.random.PRNGKey(0)


def test_the_split_is_fixed_stratified_and_disjoint():
    x_tr, y_tr = digit_split("train")
    x_te, y_te = digit_split("test")
    assert len(y_tr) + len(y_te) == 1797 and abs(len(y_te) / 1797 - 0.25) < 0.01
    assert np.all(np.bincount(y_te) >= 40)  # every digit is in the test split
    assert not set(map(bytes, x_tr)) & set(map(bytes, x_te)) - {bytes(np.zeros(64, np.float32))}
    assert x_tr.min() == 0.0 and x_tr.max() == 1.0
    np.testing.assert_array_equal(digit_split("test")[1], y_te)  # the same every time


def test_threshold_crossings_recode_the_grey_values():
    task = SequentialDigits(dt=2.0, split="test", pixel=4.0, response=10.0, n_thresholds=4)
    assert task.n_steps == 64 * 2 + 5 and task.n_inputs == 5 and task.n_outputs == 10
    tr = task.sample(KEY, 20)
    x = np.asarray(tr.inputs)
    images, labels = digit_split("test")
    idx = np.asarray(tr.conditions["index"])
    np.testing.assert_array_equal(np.asarray(tr.conditions["digit"]), labels[idx])
    crossings = x[:, :128, :4].reshape(20, 64, 2, 4)
    np.testing.assert_array_equal(crossings[:, :, 1], 0.0)  # one spike, at the pixel's first step
    # reconstruct the grey level (quantised to the 4 thresholds) by counting crossings
    level = np.cumsum(crossings[:, :, 0], axis=1)  # a threshold crossed twice is back down: parity
    quantised = np.floor(images[idx] * 4 + 0.5).clip(0, 4)
    np.testing.assert_array_equal((level % 2).sum(-1), quantised)
    np.testing.assert_array_equal(x[:, 128:, 4], 1.0)
    np.testing.assert_array_equal(x[:, :128, 4], 0.0)
    np.testing.assert_array_equal(np.asarray(tr.mask)[:, 128:], 1.0)
    assert np.asarray(tr.mask)[:, :128].sum() == 0


def test_current_encoding_and_bad_parameters():
    task = SequentialDigits(dt=1.0, split="train", encoding="current")
    tr = task.sample(KEY, 3)
    images, _ = digit_split("train")
    np.testing.assert_allclose(np.asarray(tr.inputs)[:, :64, 0], images[np.asarray(tr.conditions["index"])])
    assert len(task.all_conditions()["index"]) == task.n_images == len(images)
    with pytest.raises(ConfigError, match="unknown digits split 'val'"):
        SequentialDigits(split="val")
    with pytest.raises(ConfigError, match="unknown encoding"):
        SequentialDigits(encoding="latency")
    with pytest.raises(ConfigError, match="shift must be in 0..7"):
        SequentialDigits(shift=8)


def test_signed_crossings_separate_rises_from_falls():
    task = SequentialDigits(split="test", n_thresholds=4, signed=True)
    assert task.input_names[:4] == tuple(f"up/{k}" for k in range(4)) and task.n_inputs == 9
    tr = task.sample(KEY, 10)
    x = np.asarray(tr.inputs)[:, :64]
    images, _ = digit_split("test")
    quantised = np.floor(images[np.asarray(tr.conditions["index"])] * 4 + 0.5).clip(0, 4)
    # rises minus falls, summed up to each pixel, is the grey level itself
    np.testing.assert_array_equal(np.cumsum(x[..., :4] - x[..., 4:8], axis=1).sum(-1), quantised)
    merged = np.asarray(SequentialDigits(split="test", n_thresholds=4).build(tr.conditions, key=KEY).inputs)[:, :64]
    np.testing.assert_array_equal(merged[..., :4], x[..., :4] + x[..., 4:8])


def test_shift_moves_the_image_and_blanks_what_moved_in():
    from brainlike.tasks._digits import shifted

    grey = np.arange(64, dtype=np.float32)
    moved = np.asarray(shifted(grey, np.array([1, -2]))).reshape(8, 8)
    np.testing.assert_array_equal(moved[0], 0.0)  # one row down: the top row is blank
    np.testing.assert_array_equal(moved[1:, :6], grey.reshape(8, 8)[:7, 2:])  # two columns left
    np.testing.assert_array_equal(moved[:, 6:], 0.0)
    np.testing.assert_array_equal(shifted(grey, np.array([0, 0])), grey)
    task = SequentialDigits(split="train", encoding="current", shift=1)
    x = np.asarray(task.sample(KEY, 50).inputs)[:, :64, 0]
    images, _ = digit_split("train")
    assert np.isclose(x.sum(), images[np.asarray(task.sample(KEY, 50).conditions["index"])].sum(), rtol=0.2)
    assert not np.allclose(x, images[np.asarray(task.sample(KEY, 50).conditions["index"])])
