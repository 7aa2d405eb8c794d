"""Intelligent synapses (Zenke, Poole & Ganguli 2017) and elastic weight consolidation (Kirkpatrick et al. 2017)
against closed forms on quadratic losses."""

import functools

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from brainlike import ConfigError, Trials
from brainlike.circuits import CTRNN, Network, forward
from brainlike.plasticity import (elastic_weight_consolidation, fisher_information, intelligent_synapses, sigmoid_mse,
                                  surrogate_loss, training_phase)


def _descend(opt, params, grad_fn, n):
    state = opt.init(params)
    for _ in range(n):
        updates, state = opt.update(grad_fn(params), state, params)
        params = optax.apply_updates(params, updates)
    return params, state


def test_path_integral_of_gradient_descent_on_a_quadratic():
    """L = a/2 (theta - m)^2 under SGD at rate lr: theta_t - m = r^t d0 with r = 1 - lr a, so the path integral
    omega = sum_t g_t (lr g_t) = lr a^2 d0^2 (1 - r^(2T)) / (1 - r^2) (before the phase ends)."""
    a, m, lr, T = jnp.asarray([2.0, 0.5]), jnp.asarray([1.0, -3.0]), 0.1, 7
    d0 = jnp.asarray([0.0, 0.0]) - m
    opt = intelligent_synapses(optax.sgd(lr), strength=1.0, phase_ends=(100,))
    params, state = _descend(opt, {"w": jnp.zeros(2)}, lambda p: {"w": a * (p["w"] - m)}, T)
    r = 1 - lr * a
    expected = lr * a**2 * d0**2 * (1 - r ** (2 * T)) / (1 - r**2)
    np.testing.assert_allclose(state.path["w"], expected, rtol=1e-5)
    np.testing.assert_allclose(params["w"] - m, r**T * d0, rtol=1e-5)
    assert int(state.count) == T
    np.testing.assert_array_equal(state.importance["w"], 0.0)  # not consolidated yet


def test_consolidation_at_the_end_of_a_phase():
    """At the phase end: Omega = max(0, omega / (Delta^2 + xi)), omega restarts, theta* = theta."""
    a, m, lr, T, xi = jnp.asarray([2.0, 0.5]), jnp.asarray([1.0, -3.0]), 0.1, 5, 0.01

    def grad(p):
        return {"w": a * (p["w"] - m)}
    opt_open = intelligent_synapses(optax.sgd(lr), strength=1.0, phase_ends=(T + 1,))
    _, before = _descend(opt_open, {"w": jnp.zeros(2)}, grad, T)
    opt = intelligent_synapses(optax.sgd(lr), strength=1.0, phase_ends=(T, 2 * T), damping=xi)
    params, state = _descend(opt, {"w": jnp.zeros(2)}, grad, T)
    delta = params["w"] - 0.0
    np.testing.assert_allclose(state.importance["w"], before.path["w"] / (delta**2 + xi), rtol=1e-5)
    np.testing.assert_array_equal(state.path["w"], 0.0)
    np.testing.assert_array_equal(state.anchor["w"], params["w"])


def test_surrogate_loss_pulls_towards_the_anchor():
    """With no task gradient, SGD on c Omega (theta - theta*)^2 moves theta by -lr 2 c Omega (theta - theta*)."""
    c, lr = 0.5, 0.1
    opt = intelligent_synapses(optax.sgd(lr), strength=c, phase_ends=(1, 10))
    params = {"w": jnp.asarray([1.0, 2.0])}
    state = opt.init(params)
    importance, anchor = jnp.asarray([3.0, 0.0]), jnp.asarray([0.0, 0.0])
    state = state._replace(importance={"w": importance}, anchor={"w": anchor}, count=jnp.asarray(1))
    updates, _ = opt.update({"w": jnp.zeros(2)}, state, params)
    np.testing.assert_allclose(updates["w"], -lr * 2 * c * importance * (params["w"] - anchor), rtol=1e-6)
    np.testing.assert_allclose(surrogate_loss(state, params, c), c * 3.0 * 1.0**2, rtol=1e-6)


def _first_task(p):  # gradient of 1/2 (w0 - 1)^2: wants the shared weight w0 at +1
    return {"w": jnp.asarray([p["w"][0] - 1.0, 0.0])}


def _second_task(p):  # gradient of 1/2 (w0 + w1 + 1)^2: wants w0 + w1 = -1, either weight can serve it
    s = p["w"][0] + p["w"][1] + 1.0
    return {"w": jnp.asarray([s, s])}


def _two_tasks(opt, fisher=None):
    """200 SGD updates on the first task, 200 on the second; ``fisher``, where given, is handed to the update that
    ends the first phase (zeros to the others). Returns the weights and the final state."""
    params = {"w": jnp.zeros(2)}
    state = opt.init(params)
    for i in range(400):
        g = _first_task(params) if i < 200 else _second_task(params)
        extra = {} if fisher is None else {"fisher": fisher if i == 199 else {"w": jnp.zeros(2)}}
        updates, state = opt.update(g, state, params, **extra)
        params = optax.apply_updates(params, updates)
    return params["w"], state


def test_protects_the_first_task_against_a_conflicting_second():
    """Two quadratic tasks that want one weight at +1 and then at -1, and a free weight the second task can
    use instead: with intelligent synapses the shared weight stays near the first task's value."""
    def run(strength):
        return _two_tasks(intelligent_synapses(optax.sgd(0.05), strength=strength, phase_ends=(200, 400)))[0]

    plain, kept = run(0.0), run(1.0)
    assert abs(float(plain[0]) - 1.0) > 0.5  # plain descent moves the shared weight
    assert abs(float(kept[0]) - 1.0) < 0.1  # consolidated: the free weight takes the second task
    assert abs(float(kept[0] + kept[1]) + 1.0) < 0.05


def test_jit_and_vmap():
    opt = intelligent_synapses(optax.adam(1e-2), strength=1.0, phase_ends=(3, 6))

    def train(w0):
        params = {"w": w0}
        state = opt.init(params)

        def body(carry, _):
            p, s = carry
            u, s = opt.update({"w": 2 * p["w"]}, s, p)
            return (optax.apply_updates(p, u), s), None

        (params, state), _ = jax.lax.scan(body, (params, state), None, length=6)
        return params["w"], state.count

    w, count = jax.jit(jax.vmap(train))(jnp.ones((3, 2)))
    assert w.shape == (3, 2) and np.all(np.asarray(count) == 6)


def test_training_phase():
    np.testing.assert_array_equal(training_phase(jnp.arange(7), (2, 5)), [0, 0, 1, 1, 1, 2, 2])


@pytest.mark.parametrize("kwargs", [{"phase_ends": ()}, {"phase_ends": (3, 3)}, {"phase_ends": (0, 2)},
                                    {"phase_ends": (2,), "strength": -1.0}, {"phase_ends": (2,), "damping": 0.0}])
def test_bad_arguments(kwargs):
    with pytest.raises(ConfigError, match="intelligent_synapses"):
        intelligent_synapses(optax.sgd(0.1), **{"strength": 1.0, **kwargs})


def test_needs_params():
    opt = intelligent_synapses(optax.sgd(0.1), strength=1.0, phase_ends=(2,))
    state = opt.init({"w": jnp.zeros(2)})
    with pytest.raises(ValueError, match="parameters"):
        opt.update({"w": jnp.zeros(2)}, state)


def test_reset_inner_starts_the_wrapped_optimiser_afresh_at_a_phase_end():
    opt = intelligent_synapses(optax.adam(0.1), strength=1.0, phase_ends=(3, 6), reset_inner=True)
    params, state = _descend(opt, {"w": jnp.ones(2)}, lambda p: {"w": 2 * p["w"]}, 3)
    fresh = optax.adam(0.1).init(params)
    for a, b in zip(jax.tree.leaves(state.inner), jax.tree.leaves(fresh)):
        np.testing.assert_array_equal(a, b)
    updates, state = opt.update({"w": 2 * params["w"]}, state, params)
    assert int(state.inner[0].count) == 1 and int(state.count) == 4  # Adam counts again from the phase start
    np.testing.assert_allclose(updates["w"], -0.1 * np.sign(params["w"]), rtol=1e-4)  # Adam's first step: lr


# elastic weight consolidation (Kirkpatrick et al. 2017)

def test_fisher_information_is_the_gauss_newton_diagonal():
    """For a squared error, the Fisher of the Gaussian read of the loss is sum_j h_j (dy_j/dtheta)^2 (h_j: the
    loss's curvature in output j): the sampled estimate, averaged over many draws, against that sum from the
    full Jacobian of a small noiseless network's sigmoid outputs."""
    net = Network(CTRNN(2, 4, key=jax.random.PRNGKey(0), dt=20.0, sigma_rec=0.0), 3, key=jax.random.PRNGKey(1))
    n_time, weights = 5, jnp.asarray([2.0, 1.0, 1.0])
    inputs = jax.random.normal(jax.random.PRNGKey(2), (2, n_time, 2))
    mask = jnp.asarray([[0.0, 1.0, 1.0, 5.0, 5.0], [1.0, 1.0, 1.0, 1.0, 0.0]])
    targets = jax.random.uniform(jax.random.PRNGKey(3), (2, n_time, 3))
    loss = functools.partial(sigmoid_mse, channel_weights=weights)
    params, static = eqx.partition(net, eqx.is_inexact_array)
    exact = jax.tree.map(jnp.zeros_like, params)
    for i in range(2):
        jac = jax.jacrev(lambda p, i=i: jax.nn.sigmoid(forward(eqx.combine(p, static), inputs[i:i + 1],
                                                               key=jax.random.PRNGKey(0))[1]))(params)
        # sigmoid_mse: the mean over outputs of the masked mean over steps of w (y - t)^2, so h = 2 w m / (3 sum m)
        h = 2 * weights[None, None, :] * mask[i][None, :, None] / (3 * mask[i].sum())
        exact = jax.tree.map(lambda e, j, h=h: e + 0.5 * jnp.sum(h.reshape(h.shape + (1,) * (j.ndim - 3)) * j**2,
                                                                 axis=(0, 1, 2)), exact, jac)
    repeats = 4000
    trials = Trials(inputs=jnp.tile(inputs, (repeats, 1, 1)), targets=jnp.tile(targets, (repeats, 1, 1)),
                    mask=jnp.tile(mask, (repeats, 1)), conditions={}, epochs={}, dt=20.0)
    estimate = jax.jit(lambda n, t, k: fisher_information(n, t, k, loss=loss))(net, trials, jax.random.PRNGKey(4))
    for e, f in zip(jax.tree.leaves(exact), jax.tree.leaves(estimate)):
        np.testing.assert_allclose(f, e, rtol=0.15, atol=0.02 * float(jnp.max(e)))
    assert float(jnp.max(jax.tree.leaves(exact)[0])) > 0


def test_fisher_information_does_not_vanish_where_the_targets_are_met():
    """Targets equal to the network's own outputs: every squared gradient of the task's targets is zero, the
    Fisher is not (it depends on the outputs' sensitivity, not on the error)."""
    net = Network(CTRNN(2, 4, key=jax.random.PRNGKey(0), dt=20.0, sigma_rec=0.0), 3, key=jax.random.PRNGKey(1))
    inputs = jax.random.normal(jax.random.PRNGKey(2), (8, 5, 2))
    _, outputs = forward(net, inputs, key=jax.random.PRNGKey(0))
    trials = Trials(inputs=inputs, targets=jax.nn.sigmoid(outputs), mask=jnp.ones((8, 5)), conditions={}, epochs={},
                    dt=20.0)
    fisher = fisher_information(net, trials, jax.random.PRNGKey(5), loss="sigmoid_mse")
    assert all(float(jnp.sum(f)) > 0 for f in jax.tree.leaves(fisher))
    with pytest.raises(ConfigError, match="quadratic in its targets"):
        fisher_information(net, trials, jax.random.PRNGKey(5), loss="cross_entropy")


def test_ewc_adds_the_fisher_at_a_phase_end_and_pulls_with_it():
    """F grows by the Fisher handed to the update that ends a phase, theta* moves there; with no task gradient
    SGD on lambda/2 F (theta - theta*)^2 moves theta by -lr lambda F (theta - theta*)."""
    lam, lr = 3.0, 0.1
    opt = elastic_weight_consolidation(optax.sgd(lr), strength=lam, phase_ends=(2, 4))
    params = {"w": jnp.asarray([1.0, -2.0])}
    state = opt.init(params)
    fisher = {"w": jnp.asarray([0.5, 2.0])}
    grads = {"w": jnp.asarray([1.0, 1.0])}
    updates, state = opt.update(grads, state, params, fisher=fisher)  # update 1 of 2: nothing consolidated
    params = optax.apply_updates(params, updates)
    np.testing.assert_array_equal(state.importance["w"], 0.0)
    np.testing.assert_array_equal(state.anchor["w"], [1.0, -2.0])
    updates, state = opt.update(grads, state, params, fisher=fisher)  # ends phase 1
    params = optax.apply_updates(params, updates)
    np.testing.assert_allclose(state.importance["w"], fisher["w"])
    np.testing.assert_array_equal(state.anchor["w"], params["w"])
    moved = {"w": params["w"] + jnp.asarray([1.0, -0.5])}
    updates, _ = opt.update({"w": jnp.zeros(2)}, state, moved, fisher=fisher)
    np.testing.assert_allclose(updates["w"], -lr * lam * fisher["w"] * jnp.asarray([1.0, -0.5]), rtol=1e-6)
    np.testing.assert_allclose(surrogate_loss(state, moved, lam), lam / 2 * (0.5 * 1.0 + 2.0 * 0.25), rtol=1e-6)


def test_ewc_protects_the_first_task_against_a_conflicting_second():
    """The two tasks of the intelligent-synapse test: the first task's Fisher (its loss, 1/2 (w0 - 1)^2, is
    curved along the shared weight only) keeps the shared weight, and the free weight takes the second task."""
    def run(strength):
        opt = elastic_weight_consolidation(optax.sgd(0.05), strength=strength, phase_ends=(200, 400))
        return _two_tasks(opt, fisher={"w": jnp.asarray([1.0, 0.0])})

    plain, _ = run(0.0)
    kept, state = run(20.0)
    np.testing.assert_array_equal(state.importance["w"], [1.0, 0.0])  # added once, at the end of the first task
    assert abs(float(plain[0]) - 1.0) > 0.5
    assert abs(float(kept[0]) - 1.0) < 0.1
    assert abs(float(kept[0] + kept[1]) + 1.0) < 0.05


def test_ewc_needs_params_and_fisher_and_checks_its_arguments():
    opt = elastic_weight_consolidation(optax.sgd(0.1), strength=1.0, phase_ends=(2,))
    state = opt.init({"w": jnp.zeros(2)})
    with pytest.raises(ValueError, match="Fisher"):
        opt.update({"w": jnp.zeros(2)}, state, {"w": jnp.zeros(2)})
    with pytest.raises(ConfigError, match="elastic_weight_consolidation: strength"):
        elastic_weight_consolidation(optax.sgd(0.1), strength=-1.0, phase_ends=(2,))
    with pytest.raises(ConfigError, match="elastic_weight_consolidation: phase_ends"):
        elastic_weight_consolidation(optax.sgd(0.1), strength=1.0, phase_ends=(3, 2))
