"""TD learning against closed forms: discounted values on a delay line, expectiles and quantiles of the
reward distribution, and the successor representation (I - gamma T)^-1."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from brainlike.analysis import expectiles
from brainlike.plasticity import successor_td, tabular_td, td_lambda, td_learn
from brainlike.tasks import OpenField, Phase, Protocol, Track, microstimulus, random_walk, tapped_delay_line


@pytest.mark.parametrize("lam", [0.0, 0.5, 0.9])
def test_delay_line_values_converge_to_discounted_reward(lam):
    proto = Protocol((Phase("acq", 400, {"A": 2}, 1.0, 8),), ("A",), 12)
    onsets, reward = proto.schedule(jax.random.PRNGKey(0))
    x = jax.vmap(lambda o: tapped_delay_line(o, 12))(onsets)
    w, delta = td_learn(jnp.zeros(12), x, reward, alpha=0.2, gamma=0.9, lam=lam)
    # V at k steps after the cue = gamma^(5 - k) for k <= 5 (reward enters 6 steps after the cue)
    np.testing.assert_allclose(np.asarray(w[:6]), 0.9 ** np.arange(5, -1, -1), atol=1e-3)
    assert abs(float(delta[-1, 8])) < 1e-3 and float(delta[-1, 2]) == pytest.approx(0.9**6, abs=1e-3)


@pytest.mark.parametrize("code", ["expectile", "quantile"])
def test_asymmetric_rates_learn_expectiles_or_quantiles(code):
    values, probs = np.array([1.0, 4.0, 10.0]), np.array([0.3, 0.5, 0.2])
    taus = np.array([0.2, 0.5, 0.8])
    x = jnp.array([[1.0], [0.0]])  # a cue, then the reward step
    key = jax.random.PRNGKey(0)
    sizes = jax.random.choice(key, jnp.asarray(values), (40000,), p=jnp.asarray(probs))

    def learn(tau):
        def body(w, r):
            w, _ = td_lambda(w, x, jnp.array([0.0, r]), alpha=0.004 * tau, alpha_neg=0.004 * (1 - tau), gamma=1.0, code=code)
            return w, w[0]

        return jax.lax.scan(body, jnp.full(1, 4.0), sizes)[1][-10000:].mean()

    got = np.asarray(jax.vmap(learn)(jnp.asarray(taus)))
    if code == "expectile":
        np.testing.assert_allclose(got, expectiles(values, probs, taus), atol=0.15)
    else:  # tau-quantiles: 1 (tau 0.2), 4 (0.5), between 4 and 10 (0.8 is the CDF's jump)
        assert got[0] == pytest.approx(1.0, abs=0.3) and got[1] == pytest.approx(4.0, abs=0.3) and 4 <= got[2] <= 10


@pytest.mark.parametrize("env", [Track(12, 0.7), OpenField(5, 4), OpenField(layout=("..#..", "..#..", ".....", "..#.."))])
def test_successor_representation_and_model_free_value_match_closed_forms(env):
    t = env.transitions()
    np.testing.assert_allclose(t.sum(axis=1), 1.0)
    path = random_walk(jax.random.PRNGKey(1), jnp.asarray(t), 0, 200000)
    m, _ = successor_td(jnp.zeros_like(jnp.asarray(t)), path, alpha=0.02, gamma=0.8)
    exact = np.linalg.inv(np.eye(len(t)) - 0.8 * t)
    assert np.corrcoef(np.asarray(m).ravel(), exact.ravel())[0, 1] > 0.98
    r = np.zeros(len(t))
    r[-1] = 1.0
    v = tabular_td(jnp.zeros(len(t)), path, jnp.asarray(r), alpha=0.02, gamma=0.8)
    np.testing.assert_allclose(np.asarray(v), exact @ r, atol=0.1)


def test_microstimuli_follow_the_decaying_trace():
    onsets = jnp.zeros((20, 1)).at[3, 0].set(1.0)
    f = np.asarray(microstimulus(onsets, n_micro=5, decay=0.8, sigma=0.1))
    assert f.shape == (20, 5) and np.all(f[:3] == 0)
    assert np.argmax(f[3]) == 4  # at onset the trace is 1: the top microstimulus peaks
    assert np.argmax(f[:, 4]) == 3 and np.argmax(f[:, 0]) > np.argmax(f[:, 2]) > 3  # lower ones peak later
