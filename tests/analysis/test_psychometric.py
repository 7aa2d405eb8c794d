"""Known answers for the psychometric and chronometric analyses, and parity with statsmodels."""

import numpy as np
import pytest

from brainlike import analysis as A
from brainlike._errors import ConfigError


def _simulate(levels, n, p_fn, seed=0):
    rng = np.random.default_rng(seed)
    x = np.repeat(levels, n)
    y = (rng.random(x.size) < p_fn(x)).astype(float)
    return x, y


def test_logistic_recovers_planted_parameters():
    levels = np.array([-51.2, -25.6, -12.8, -6.4, -3.2, 0, 3.2, 6.4, 12.8, 25.6, 51.2])
    x, y = _simulate(levels, 400, lambda x: A.logistic(x, bias=2.0, scale=5.0))
    fit = A.fit_psychometric(x, y, kind="logistic", n_boot=100, seed=1)
    assert abs(fit.params["bias"] - 2.0) < 0.6 and abs(fit.params["scale"] - 5.0) < 0.6
    lo, hi = fit.ci["bias"]
    assert lo < 2.0 < hi and lo < fit.params["bias"] < hi
    assert fit.r2 > 0.98 and fit.monotone


def test_logistic_matches_statsmodels_logit():
    sm = pytest.importorskip("statsmodels.api")
    levels = np.linspace(-20, 20, 9)
    x, y = _simulate(levels, 100, lambda x: A.logistic(x, bias=-1.0, scale=4.0), seed=3)
    fit = A.fit_psychometric(x, y, kind="logistic", n_boot=0)
    res = sm.Logit(y, sm.add_constant(x)).fit(disp=0)
    b0, b1 = res.params  # logit = b0 + b1 x = (x - bias) / scale
    np.testing.assert_allclose(fit.params["scale"], 1 / b1, rtol=1e-3)
    np.testing.assert_allclose(fit.params["bias"], -b0 / b1, rtol=1e-3, atol=1e-3)


def test_lapse_rate_is_recovered():
    levels = np.linspace(-30, 30, 13)
    x, y = _simulate(levels, 1000, lambda x: A.logistic(x, 0.0, 3.0, lapse=0.08), seed=4)
    fit = A.fit_psychometric(x, y, kind="logistic", lapse=True, n_boot=0)
    assert abs(fit.params["lapse"] - 0.08) < 0.02


def test_weibull_recovers_threshold_and_slope():
    levels = np.array([3.2, 6.4, 12.8, 25.6, 51.2])
    x, y = _simulate(levels, 2000, lambda c: A.weibull(c, threshold=10.0, slope=1.4), seed=5)
    fit = A.fit_psychometric(x, y, kind="weibull", n_boot=0)
    assert abs(fit.params["threshold"] - 10.0) < 0.8 and abs(fit.params["slope"] - 1.4) < 0.2


def test_exact_proportions_give_r2_one_and_bad_input_is_refused():
    x = np.repeat([-2.0, -1.0, 0.0, 1.0, 2.0], 1000)
    p = A.logistic(x, 0.0, 1.0)
    y = np.concatenate([np.r_[np.ones(int(round(pp * 1000))), np.zeros(1000 - int(round(pp * 1000)))]
                        for pp in p[::1000]])
    fit = A.fit_psychometric(x, y, n_boot=0)
    assert fit.r2 > 0.9999
    with pytest.raises(ConfigError, match="binary"):
        A.fit_psychometric([0, 1], [0.5, 1])
    with pytest.raises(ConfigError, match="two evidence levels"):
        A.fit_psychometric([1, 1, 1], [0, 1, 1])
    with pytest.raises(ConfigError, match="unsigned"):
        A.fit_psychometric([-1, 1], [0, 1], kind="weibull")


def test_chronometric_known_answer():
    coh = np.repeat([0, 10, 20], 3)
    dt = np.array([500, 600, 700, 300, 400, np.nan, 100, 100, 100.0])
    c = A.chronometric(dt, coh)
    np.testing.assert_allclose(c.mean, [600, 350, 100])
    np.testing.assert_array_equal(c.n, [3, 2, 3])
    assert c.decreasing
    assert not A.chronometric([1.0, 2.0], [0, 1]).decreasing
