"""Choice curves, indifference points and value-tuning classes, on choices and units with planted answers,
and against statsmodels."""

import numpy as np
import pytest
from scipy import stats

from brainlike import ConfigError
from brainlike import analysis as A

OFFERS = np.array([(1, 0), (2, 1), (1, 1), (1, 2), (4, 8), (3, 7), (2, 5), (1, 3), (3, 10), (1, 4), (1, 6), (0, 2)],
                  float)


def _choices(rho, steepness, n=4000, link="probit", seed=0):
    rng = np.random.default_rng(seed)
    qa, qb = OFFERS[rng.integers(0, len(OFFERS), n)].T
    with np.errstate(divide="ignore"):
        z = steepness * (np.log(qb / np.where(qa > 0, qa, 1)) - np.log(rho))
    p = stats.norm.cdf(z) if link == "probit" else 1 / (1 + np.exp(-z))
    p = np.where(qa == 0, 1.0, np.where(qb == 0, 0.0, p))
    return qa, qb, (rng.random(n) < p).astype(int)


@pytest.mark.parametrize("rho", [1.5, 2.2, 3.0])
def test_the_indifference_point_is_recovered(rho):
    qa, qb, chose_b = _choices(rho, 3.0)
    fit = A.fit_indifference(qa, qb, chose_b)
    assert fit.relative_value == pytest.approx(rho, rel=0.05)
    assert fit.n_trials == int(np.sum((qa > 0) & (qb > 0)))


@pytest.mark.parametrize("link", ["probit", "logistic"])
def test_the_fit_matches_statsmodels(link):
    sm = pytest.importorskip("statsmodels.api")
    qa, qb, chose_b = _choices(2.2, 2.0, link=link, seed=1)
    both = (qa > 0) & (qb > 0)
    x = np.log(qb[both] / qa[both])
    model = (sm.Probit if link == "probit" else sm.Logit)(chose_b[both], sm.add_constant(x)).fit(disp=0)
    fit = A.fit_indifference(qa, qb, chose_b, link=link)
    np.testing.assert_allclose([fit.a0, fit.a1], model.params, rtol=1e-4)


def test_the_choice_curve_is_ordered_by_quantity_ratio():
    qa, qb, chose_b = _choices(2.2, 3.0)
    curve = A.choice_curve(qa, qb, chose_b)
    assert np.all(np.diff(curve["ratio"]) >= 0) and np.isinf(curve["ratio"][-1])
    assert curve["p_b"][0] == 0 and curve["p_b"][-1] == 1 and curve["n"].sum() == qa.size


def test_bad_choices_are_refused():
    with pytest.raises(ConfigError, match="one value per trial"):
        A.fit_indifference([1, 2], [1], [0, 1])
    with pytest.raises(ConfigError, match="0/1"):
        A.fit_indifference([1, 2], [1, 2], [0, 2])
    with pytest.raises(ConfigError, match="two offer ratios"):
        A.fit_indifference([1, 1, 0], [2, 2, 3], [0, 1, 1])


def test_planted_value_cells_are_classified():
    qa, qb, chose_b = _choices(2.0, 4.0, n=3000)
    chose_a = 1 - chose_b
    v = A.economic_variables(qa, qb, chose_a, 2.0)
    rng = np.random.default_rng(3)
    def noise():
        return rng.normal(0, 0.5, qa.size)

    rates = np.stack([5 + 1.5 * v["offer_value_a"] + noise(), 9 - 0.8 * v["offer_value_b"] + noise(),
                      2 + v["chosen_value"] + noise(), 4 + 3 * v["chosen_juice"] + noise(), 5 + noise(),
                      np.full(qa.size, 3.0)], axis=1)
    t = A.value_tuning(rates, v, A.trial_types(qa, qb, chose_a))
    assert t.best[:4].tolist() == ["offer_value_a", "offer_value_b", "chosen_value", "chosen_juice"]
    assert t.label.tolist() == ["offer value", "offer value", "chosen value", "chosen juice", "not selected",
                                "not selected"]
    assert t.slope[1, 0, t.variables.index("offer_value_b")] == pytest.approx(-0.8, abs=0.05)
    assert t.counts()["offer value"] == 2 and t.fractions()["chosen juice"] == pytest.approx(0.25)
    # two windows: a unit silent in the first and coding chosen juice in the second is found; scores add up
    late = np.stack([rates[:, 4], 4 + 3 * v["chosen_juice"] + noise()], axis=1)  # [trials windows]
    both = A.value_tuning(np.stack([rates, np.concatenate([rates[:, :4], late[:, 1:], rates[:, 5:]], 1)], 1), v,
                          A.trial_types(qa, qb, chose_a))
    assert both.label[4] == "chosen juice" and both.anova_p[0, 4] > 0.01 > both.anova_p[1, 4]
    np.testing.assert_allclose(both.score[0], (both.r2[0] * (both.p[0] < 0.05)).sum(0), rtol=1e-12)


def test_tuning_refuses_variables_that_vary_within_a_trial_type():
    rates = np.random.default_rng(0).normal(size=(12, 2))
    with pytest.raises(ConfigError, match="varies within a trial type"):
        A.value_tuning(rates, {"x": np.arange(12.0)}, np.repeat(np.arange(3), 4))
    with pytest.raises(ConfigError, match="trial_type"):
        A.value_tuning(rates, {"x": np.ones(12)}, np.arange(5))
