"""Spike statistics against their values for Poisson and clock-like spike trains."""

import numpy as np
import pytest

from brainlike import ConfigError, Recording
from brainlike.analysis import bin_spikes, fano_factor, firing_rates, isi_cv


def poisson(rate_hz, n_trials=200, n_time=1000, n_units=3, dt=1.0, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.random((n_trials, n_time, n_units)) < rate_hz * dt / 1000).astype(float)


def test_poisson_spikes_have_cv_and_fano_near_one():
    rec = Recording(activity=poisson(20.0, n_trials=1000), dt=1.0)
    np.testing.assert_allclose(firing_rates(rec), 20.0, rtol=0.05)
    # a Bernoulli process in 1 ms bins: ISIs geometric, CV = sqrt(1 - p) = 0.99; Fano = 1 - p = 0.98
    np.testing.assert_allclose(isi_cv(rec), np.sqrt(0.98), atol=0.05)
    np.testing.assert_allclose(fano_factor(rec, window=100.0), 0.98, atol=0.05)


def test_a_clock_has_no_variability():
    s = np.zeros((10, 500, 2))
    s[:, ::10, 0] = 1  # 100 Hz, every 10 ms
    rec = Recording(activity=s, dt=1.0)
    np.testing.assert_allclose(firing_rates(rec), [100.0, 0.0])
    cv = isi_cv(rec)
    assert cv[0] == 0.0 and np.isnan(cv[1])
    ff = fano_factor(rec, window=50.0)
    assert ff[0] == 0.0 and np.isnan(ff[1])


def test_rates_in_an_epoch_and_binning_keep_the_counts():
    s = np.zeros((4, 100, 1))
    s[:, 50:60, 0] = 1
    rec = Recording(activity=s, dt=2.0, epochs={"burst": np.tile([50, 60], (4, 1))})
    assert firing_rates(rec, "burst")[0] == pytest.approx(500.0)  # one spike per 2 ms bin
    b = bin_spikes(rec, 10.0)
    assert b.dt == 10.0 and b.activity.shape == (4, 20, 1)
    np.testing.assert_allclose(b.activity.sum(1) * 10.0 / 1000.0, s.sum(1))  # the same spike count
    np.testing.assert_array_equal(b.epochs["burst"][0], [10, 12])
    with pytest.raises(ConfigError, match="epoch"):
        firing_rates(rec, "delay")
    with pytest.raises(ConfigError, match="window"):
        fano_factor(rec, window=1000.0)
    with pytest.raises(ConfigError, match="non-negative"):
        isi_cv(Recording(activity=-s, dt=1.0))
