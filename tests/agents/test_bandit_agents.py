"""Bandit baselines: the Gittins index against published values and closed forms; agents against each other."""

import jax
import numpy as np
import pytest

from brainlike import ConfigError
from brainlike.agents import UCB, Gittins, ThompsonSampling, gittins_index, play
from brainlike.tasks import Bandit


def test_gittins_index_matches_published_table():
    # Gittins' table for a Bernoulli arm with a uniform prior and discount 0.9 (Gittins 1979; values as
    # reprinted in Christian & Griffiths 2016, ch. 2): record 0-0 0.7029, 1-1 0.6346, 2-2 0.6010, 9 wins 1 loss
    # 0.8695
    g = gittins_index(0.9, 10)
    assert g[0, 0] == pytest.approx(0.7029, abs=2e-4)
    assert g[1, 1] == pytest.approx(0.6346, abs=2e-4)
    assert g[2, 2] == pytest.approx(0.6010, abs=2e-4)
    assert g[9, 1] == pytest.approx(0.8695, abs=2e-4)


def test_gittins_index_closed_forms_and_order():
    # no future (gamma 0): the index is the posterior mean
    g0 = gittins_index(0.0, 6)
    s, f = np.meshgrid(np.arange(7), np.arange(7), indexing="ij")
    mean = (1 + s) / (2 + s + f)
    ok = s + f <= 6
    np.testing.assert_allclose(g0[ok], mean[ok], atol=1e-3)
    assert np.isnan(g0[~ok]).all()
    # the value of information: the index exceeds the mean, more so with fewer pulls; more success, higher index
    g = gittins_index(0.95, 20)
    ok = s + f <= 6
    assert (g[:7, :7][ok] > mean[ok]).all()
    assert (np.diff(g[:10, 0]) > 0).all() and (np.diff(g[0, :10]) < 0).all()
    assert g[0, 0] - 0.5 > g[5, 5] - 0.5
    with pytest.raises(ConfigError):
        gittins_index(1.0, 5)


def test_baselines_rank_as_theory_says():
    env = Bandit(horizon=100)
    regret = {}
    for name, agent in {"thompson": ThompsonSampling(), "ucb": UCB(), "gittins": Gittins(gamma=0.95)}.items():
        out = play(agent, env, key=jax.random.PRNGKey(0), n_envs=1500)
        regret[name] = float(np.asarray(out["regret"]).sum(0).mean())
    # all far below the random policy's 100/6, and Gittins best, as for Bayes-optimal play on this prior
    assert max(regret.values()) < 100 / 6 / 2
    assert regret["gittins"] < regret["thompson"] < regret["ucb"]


def test_agent_state_resets_between_episodes():
    env = Bandit(horizon=5)
    out = play(ThompsonSampling(), env, key=jax.random.PRNGKey(1), n_envs=4, n_steps=15)
    assert np.asarray(out["done"]).sum() == 12
    with pytest.raises(ConfigError):
        play(ThompsonSampling(), env, key=jax.random.PRNGKey(1), n_envs=0)
