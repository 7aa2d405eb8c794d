"""Sequential-choice analyses against hand-counted values and a known generative model."""

import numpy as np
import pytest

from brainlike import ConfigError
from brainlike import analysis as A


def test_stay_probabilities_count_by_hand():
    choice = np.array([0, 0, 1, 1, 0, 0, 1])
    common = np.array([1, 0, 1, 1, 0, 1, 1], bool)
    reward = np.array([1, 0, 1, 0, 1, 1, 0])
    session = np.array([0, 0, 0, 0, 1, 1, 1])
    s = A.stay_probabilities(choice, common, reward, session)
    # pairs within a session: (0->1) CR stay, (1->2) RU switch, (2->3) CR stay, (4->5) RR stay, (5->6) CR switch
    assert s["common_rewarded"] == pytest.approx(2 / 3) and s["n_common_rewarded"] == 3
    assert s["rare_unrewarded"] == 0.0 and s["rare_rewarded"] == 1.0
    assert np.isnan(s["common_unrewarded"]) and s["n_common_unrewarded"] == 0


def test_two_step_regression_recovers_a_generative_model():
    # choices drawn from the lag-1 logistic model with known coefficients
    rng = np.random.default_rng(0)
    beta = {"common_rewarded": 1.5, "common_unrewarded": -0.5, "rare_rewarded": -1.0, "rare_unrewarded": 0.8}
    n = 40000
    common = rng.random(n) < 0.7
    reward = rng.random(n) < 0.5
    choice = np.zeros(n, int)
    for t in range(1, n):
        kind = ("common" if common[t - 1] else "rare") + ("_rewarded" if reward[t - 1] else "_unrewarded")
        z = beta[kind] * (1 if choice[t - 1] == 0 else -1)
        choice[t] = 0 if rng.random() < 1 / (1 + np.exp(-z)) else 1
    fit = A.two_step_regression(choice, common, reward, lags=1, l2=1e-6)
    for k, v in beta.items():
        assert fit.coef[k][0] == pytest.approx(v, abs=0.1)
    assert fit.model_based == pytest.approx(1.5 + 0.5 + 1.0 + 0.8, abs=0.25)
    assert fit.model_free == pytest.approx(1.5 + 0.5 - 1.0 - 0.8, abs=0.25)
    assert abs(fit.intercept) < 0.1


def test_bad_inputs():
    with pytest.raises(ConfigError, match="0 or 1"):
        A.stay_probabilities([0, -1, 1], [1, 1, 1], [1, 0, 1])
    with pytest.raises(ConfigError, match="too few"):
        A.two_step_regression([0, 1, 0], [1, 1, 0], [1, 0, 1], lags=1)
    with pytest.raises(ConfigError, match="pulls"):
        A.cumulative_regret(np.zeros(5))


def test_cumulative_regret():
    r = np.array([[0.5, 0.0, 0.25], [0.5, 0.5, 0.25]])
    c = A.cumulative_regret(r)
    np.testing.assert_allclose(c["mean"], [0.5, 0.75, 1.0])
    np.testing.assert_allclose(c["sem"][0], 0.0)
