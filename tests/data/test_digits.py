"""The offline classification data: scikit-learn digits and locally generated MNIST-1D."""

import random

import numpy as np
import pytest

from brainlike import ConfigError
from brainlike.data import load_classification, load_digits, load_mnist1d


def test_digits_split_is_stratified_and_seeded():
    d = load_digits(seed=3)
    assert d.x_train.shape[1:] == (1, 8, 8) and d.x_train.shape[0] + d.x_test.shape[0] == 1797
    assert d.x_train.dtype == np.float32 and 0.0 <= d.x_train.min() and d.x_train.max() <= 1.0
    assert set(np.unique(d.y_test)) == set(range(10))
    np.testing.assert_array_equal(load_digits(seed=3).y_test, d.y_test)
    assert not np.array_equal(load_digits(seed=4).y_test, d.y_test)


def test_mnist1d_reference_set_and_global_state_untouched():
    np.random.seed(123)
    random.seed(7)
    expect_np, expect_py = np.random.random(), random.random()
    np.random.seed(123)
    random.seed(7)
    d = load_mnist1d()
    assert (np.random.random(), random.random()) == (expect_np, expect_py)
    assert d.x_train.shape == (4000, 1, 40) and d.x_test.shape == (1000, 1, 40)
    assert d.input_shape == (1, 40) and d.n_classes == 10
    # the reference data set (seed 42) is balanced and standardised as published
    assert abs(float(np.concatenate([d.x_train, d.x_test]).std()) - 1.0) < 1e-3
    np.testing.assert_array_equal(np.bincount(np.concatenate([d.y_train, d.y_test])), [500] * 10)
    np.testing.assert_array_equal(load_mnist1d().x_test, d.x_test)
    assert not np.array_equal(load_mnist1d(seed=1, n_examples=100).y_train, load_mnist1d(seed=2, n_examples=100).y_train)


def test_unknown_data_set():
    with pytest.raises(ConfigError, match="unknown data set 'mnist'; known: digits, mnist1d"):
        load_classification("mnist")
