"""Q-learning models: the likelihood against a plain loop, parameter recovery, and the two-step learners'
signatures."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from brainlike import ConfigError
from brainlike import analysis as A
from brainlike.agents import BanditQ, TwoStepQ, bandit_q_log_likelihood, fit_bandit_q, play
from brainlike.tasks import Bandit, TwoStep


def _loop_log_likelihood(alpha, beta, kappa, choices, rewards):
    """The QLP likelihood written out trial by trial (an independent implementation)."""
    q, prev, total = np.zeros(2), np.zeros(2), []
    for c, r in zip(choices, rewards):
        z = beta * q + kappa * prev
        total.append(z[c] - np.log(np.exp(z).sum()))
        q[c] += alpha * (r - q[c])
        prev = np.eye(2)[c]
    return np.array(total)


def test_bandit_q_likelihood_matches_a_plain_loop():
    rng = np.random.default_rng(0)
    choices = rng.integers(0, 2, (3, 40))
    rewards = rng.integers(0, 2, (3, 40)).astype(float)
    mask = np.ones((3, 40), bool)
    mask[2, 25:] = False
    x = np.array([0.3, 1.2, -0.7])
    alpha, beta, kappa = 1 / (1 + np.exp(-0.3)), np.exp(1.2), -0.7
    got = np.asarray(bandit_q_log_likelihood("QLP", jnp.asarray(x), jnp.asarray(choices), jnp.asarray(rewards),
                                             jnp.asarray(mask)))
    for i in range(3):
        n = mask[i].sum()
        np.testing.assert_allclose(got[i, :n], _loop_log_likelihood(alpha, beta, kappa, choices[i, :n], rewards[i, :n]),
                                   rtol=1e-5, atol=1e-5)
        assert (got[i, n:] == 0).all()


def test_fit_recovers_simulated_parameters():
    # simulate a QLP learner on restless-free bandits, then fit: the parameters come back
    truth = BanditQ(alpha=0.3, beta=4.0, kappa=0.8)
    out = play(truth, Bandit(horizon=150), key=jax.random.PRNGKey(0), n_envs=60)
    choices = np.asarray(out["action"]).T
    rewards = np.asarray(out["reward"]).T
    fit = fit_bandit_q("QLP", choices, rewards, np.ones_like(choices, bool))
    p = {k: float(v[0]) for k, v in fit["params"].items()}
    assert p["alpha"] == pytest.approx(0.3, abs=0.08)
    assert p["beta"] == pytest.approx(4.0, rel=0.25)
    assert p["kappa"] == pytest.approx(0.8, abs=0.25)
    # per-group fits are the same problem solved group by group
    groups = np.repeat(["a", "b"], 30)
    per = fit_bandit_q("QL", choices, rewards, np.ones_like(choices, bool), groups=groups)
    alone = fit_bandit_q("QL", choices[:30], rewards[:30], np.ones((30, 150), bool))
    assert list(per["groups"]) == ["a", "b"]
    assert per["log_likelihood"][0] == pytest.approx(alone["log_likelihood"][0], rel=1e-4)
    with pytest.raises(ConfigError, match="unknown bandit Q-learning model"):
        fit_bandit_q("GQL", choices, rewards, np.ones_like(choices, bool))


def _two_step(agent, n=300, seed=0):
    out = play(agent, TwoStep(n_trials=100), key=jax.random.PRNGKey(seed), n_envs=n)
    end = np.asarray(out["trial_end"]).T
    return (np.asarray(out["choice"]).T[end], np.asarray(out["common"]).T[end], np.asarray(out["reward"]).T[end] > 0,
            np.repeat(np.arange(n), end.sum(1)))


def test_model_based_and_model_free_signatures():
    mb = A.stay_probabilities(*_two_step(TwoStepQ(w=1.0, lam=1.0)))
    mf = A.stay_probabilities(*_two_step(TwoStepQ(w=0.0, lam=1.0)))
    # model-based: after a reward, stay if the transition was common, switch if rare
    assert mb["common_rewarded"] - mb["rare_rewarded"] > 0.3
    assert mb["rare_unrewarded"] - mb["common_unrewarded"] > 0.2
    # model-free: a reward makes it stay whatever the transition
    assert mf["rare_rewarded"] > 0.75 and mf["common_rewarded"] - mf["rare_rewarded"] < 0.15
    reg_mb = A.two_step_regression(*_two_step(TwoStepQ(w=1.0, lam=1.0), seed=1))
    reg_mf = A.two_step_regression(*_two_step(TwoStepQ(w=0.0, lam=1.0), seed=1))
    assert reg_mb.model_based > reg_mf.model_based and reg_mf.model_free > reg_mb.model_free
