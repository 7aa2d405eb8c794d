"""Node perturbation and Miconi's rule: the quiet run is the CTRNN, the averaged updates follow the reward
gradient (the defining property of node perturbation, Fiete & Seung 2006), and the bookkeeping (reward,
baseline, clipping, trials to criterion) is what the equations say."""

import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from brainlike import ConfigError, Trials
from brainlike.circuits import CTRNN
from brainlike.plasticity import (HebbianLearner, Perturbation, binary_reward, make_hebbian_step, perturbed_run,
                                  reward_modulated_update, update_baseline)
from brainlike.tasks import DelayedMatch

KEY = jax.random.PRNGKey(0)


def circuit(n=10, n_in=3):
    return CTRNN(n_in, n, key=KEY, tau=30.0, dt=10.0, rate_fn="tanh", sigma_rec=0.0, w_rec_gain=1.2)


def test_without_perturbations_it_is_the_ctrnn():
    c = circuit()
    x = jax.random.normal(KEY, (5, 12, 3))
    rule = Perturbation(rate=0.0, kick=0.0, initial_noise=0.0)
    rates, elig = perturbed_run(c, x, rule, key=KEY)
    np.testing.assert_allclose(rates, c.simulate_batch(x, key=KEY), rtol=1e-5, atol=1e-6)
    assert elig["w_rec"].shape == (5, 10, 10) and elig["bias"].shape == (5, 10)


def test_miconi_eligibility_is_the_sum_of_cubed_products():
    """e_ij = sum_t (r_j(t-1) dx_i(t))^3, recomputed from the rates with a loop over time (trace 0: dx is
    the step's change of x)."""
    c = circuit()
    x = jax.random.normal(KEY, (2, 8, 3))
    rule = Perturbation(trace=0.0, initial_noise=0.0, rate=30.0)
    rates, elig = perturbed_run(c, x, rule, key=KEY)
    r = np.asarray(rates, np.float64)
    xs = np.arctanh(np.clip(r, -1 + 1e-7, 1 - 1e-7))
    x_prev = np.concatenate([np.zeros_like(xs[:, :1]), xs[:, :-1]], axis=1)
    r_prev = np.tanh(x_prev)
    dx = xs - x_prev
    expected = np.einsum("bti,btj->bij", dx**3, r_prev**3)
    np.testing.assert_allclose(elig["w_rec"], expected, rtol=2e-3, atol=1e-6)


@pytest.mark.parametrize("rule_name, min_cos", [("node_perturbation", 0.6), ("miconi", 0.3)])
def test_average_update_follows_the_reward_gradient(rule_name, min_cos):
    """Over many trials, (R - R_quiet) e points along dR/dW of the quiet network."""
    c = circuit(n=8, n_in=2)
    n_trials, n_time = 4096, 15
    x = jnp.broadcast_to(jnp.array([1.0, -0.5]), (n_trials, n_time, 2))
    target = jnp.linspace(-0.5, 0.5, 8)

    def reward(rates):
        return -jnp.mean((rates[:, -5:, :] - target) ** 2, axis=(1, 2))

    rule = Perturbation(rule=rule_name, kick=0.3, rate=20.0, initial_noise=0.0, center=False, trace=0.0)
    quiet = dataclasses.replace(rule, rate=0.0, kick=0.0)
    r0 = reward(perturbed_run(c, x[:1], quiet, key=KEY)[0])[0]
    rates, elig = perturbed_run(c, x, rule, key=jax.random.PRNGKey(3))
    estimate = jnp.einsum("b,bij->ij", reward(rates) - r0, elig["w_rec"]) / n_trials
    grad = jax.grad(lambda w: reward(perturbed_run(eqx.tree_at(lambda m: m.w_rec, c, w), x[:1], quiet, key=KEY)[0])[0])(c.w_rec)
    cos = float(jnp.sum(estimate * grad) / (jnp.linalg.norm(estimate) * jnp.linalg.norm(grad)))
    assert cos > min_cos


def test_reward_is_minus_the_mean_error_in_the_decision_period():
    targets = np.zeros((2, 4, 3), np.float32)
    targets[:, :2, 0] = 1
    targets[0, 2:, 2] = 1  # choice 1: +1
    targets[1, 2:, 1] = 1  # choice 0: -1
    trials = Trials(inputs=jnp.zeros((2, 4, 1)), targets=jnp.asarray(targets), mask=jnp.ones((2, 4)),
                    conditions={}, epochs={}, dt=10.0)
    rates = np.zeros((2, 4, 3), np.float32)
    rates[0, 2:, 0] = [0.5, 1.0]
    rates[1, 2:, 0] = [0.2, 0.4]  # wrong side
    reward, correct = binary_reward(jnp.asarray(rates), trials)
    np.testing.assert_allclose(reward, [-(0.5 + 0.0) / 2, -(1.2 + 1.4) / 2], rtol=1e-6)
    np.testing.assert_array_equal(correct, [1.0, 0.0])


def test_baseline_is_a_running_average_per_type_and_updates_are_clipped():
    b = update_baseline(jnp.zeros(2), jnp.array([1.0, 2.0, 4.0]), jnp.array([0, 1, 0]), 0.5)
    np.testing.assert_allclose(b, [0.5 * (0.5 * 0 + 0.5 * 1.0) + 0.5 * 4.0, 1.0])
    rule = Perturbation(learning_rate=1.0, max_change=1e-3, center=False)
    elig = {"w_rec": jnp.ones((3, 2, 2)), "bias": jnp.ones((3, 2))}
    dw = reward_modulated_update(elig, jnp.array([1.0, -1.0, 1.0]), jnp.full(3, -0.5), rule)
    np.testing.assert_allclose(dw["w_rec"], 1e-3 * (1 - 1 + 1))  # each trial clipped, then summed
    np.testing.assert_allclose(reward_modulated_update(elig, jnp.zeros(3), jnp.zeros(3), rule)["bias"], 0.0)


def test_step_is_deterministic_and_counts_trials():
    task = DelayedMatch(dt=20.0)
    c = CTRNN(task.n_inputs, 12, key=KEY, tau=30.0, dt=20.0, rate_fn="tanh", sigma_rec=0.0)
    step = jax.jit(make_hebbian_step(task, Perturbation(), batch_size=4,
                                     trial_type=lambda cond: cond["sample"] * 2 + cond["test"], criterion=0.0))
    learner = HebbianLearner(c, n_types=4)
    a, ma = step(learner, KEY)
    b, mb = step(learner, KEY)
    np.testing.assert_array_equal(a.circuit.w_rec, b.circuit.w_rec)
    assert int(a.n_trials) == 4 and int(a.solved_at) == 4  # criterion 0: solved at once
    assert not np.allclose(a.circuit.w_rec, c.w_rec) and np.array_equal(a.circuit.w_in, c.w_in)
    assert float(ma["loss"]) > 0


def test_bad_settings():
    with pytest.raises(ConfigError, match="unknown perturbation rule"):
        Perturbation(rule="hebb")
    with pytest.raises(ConfigError, match="max_change"):
        Perturbation(max_change=0.0)
    with pytest.raises(ConfigError, match="CTRNN"):
        from brainlike.circuits import GRU
        perturbed_run(GRU(2, 4, key=KEY), jnp.zeros((1, 3, 2)), Perturbation(), key=KEY)
