"""Known answers for the fixed-point finder (Sussillo & Barak 2013)."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from brainlike import ConfigError
from brainlike.analysis import find_fixed_points
from brainlike.circuits import CTRNN, GRU, Network


def _line_attractor(n=20, seed=0, rate_fn="linear", gain=1.0):
    rng = np.random.default_rng(seed)
    u = rng.normal(size=n)
    u /= np.linalg.norm(u)
    c = CTRNN(2, n, key=jax.random.PRNGKey(0), rate_fn=rate_fn, dt=20.0, tau=100.0, sigma_rec=0.1)
    c = eqx.tree_at(lambda m: m.bias, c, jnp.zeros(n))
    return eqx.tree_at(lambda m: m.w_rec, c, jnp.asarray(gain * np.outer(u, u), jnp.float32)), u


def test_planted_line_attractor_is_found_with_its_zero_eigenvalue():
    # tau dx/dt = -x + u u^T x: every point on the line through u is fixed; the slow mode has eigenvalue 0
    # (map eigenvalue 1) along u, every other mode decays with time constant tau (map eigenvalue 1 - dt/tau).
    circuit, u = _line_attractor()
    h0 = np.random.default_rng(1).normal(size=(64, 20))
    fp = find_fixed_points(circuit, h0, tol=1e-8, merge_distance=1e-2)
    assert len(fp) > 20
    p = fp.points - fp.points.mean(0)
    s = np.linalg.svd(p, compute_uv=False)
    assert s[0] ** 2 / np.sum(s**2) > 0.9999  # the points lie on a line ...
    direction = np.linalg.svd(p, full_matrices=False)[2][0]
    assert abs(direction @ u) > 0.9999  # ... the planted one
    np.testing.assert_allclose(fp.eigenvalues[:, 0], 1.0, atol=1e-5)
    np.testing.assert_allclose(fp.eigenvalues[:, 1], 0.8, atol=1e-5)
    assert np.all(np.abs(fp.line_directions @ u) > 0.999) and np.all(np.abs(fp.selection_vectors @ u) > 0.999)
    assert np.all(fp.time_constants > 1000 * circuit.tau)


def test_left_and_right_eigenvectors_are_biorthonormal_and_points_are_fixed():
    c = CTRNN(3, 12, key=jax.random.PRNGKey(2), rate_fn="tanh", w_rec_gain=1.5, sigma_rec=0.0)
    fp = find_fixed_points(c, np.random.default_rng(0).normal(size=(32, 12)), n_iter=3000, tol=1e-10)
    assert len(fp) >= 1
    for i in range(len(fp)):
        np.testing.assert_allclose(fp.left[i] @ fp.right[i], np.eye(12), atol=1e-6)
        x = fp.points[i]
        vel = np.asarray(c.velocity(jnp.asarray(x, jnp.float32), jnp.zeros(3)))
        assert np.linalg.norm(vel) < 1e-3


def test_same_points_from_different_search_seeds():
    circuit, _ = _line_attractor(seed=3)
    c = eqx.tree_at(lambda m: m.bias, circuit, jnp.zeros(20))
    a = find_fixed_points(c, np.random.default_rng(5).normal(size=(32, 20)), tol=1e-8)
    b = find_fixed_points(c, np.random.default_rng(6).normal(size=(32, 20)), tol=1e-8)
    # both searches find points of the same line, with the same spectrum
    da = np.linalg.svd(a.points - a.points.mean(0), full_matrices=False)[2][0]
    db = np.linalg.svd(b.points - b.points.mean(0), full_matrices=False)[2][0]
    assert abs(da @ db) > 0.9999
    np.testing.assert_allclose(np.abs(a.eigenvalues[0]), np.abs(b.eigenvalues[0]), atol=1e-5)


def test_works_for_any_circuit_with_step_and_rejects_bad_input():
    g = GRU(2, 6, key=jax.random.PRNGKey(0))
    fp = find_fixed_points(Network(g, 1, key=jax.random.PRNGKey(1)), np.zeros((4, 6)), n_iter=500, tol=1e-4)
    assert fp.points.shape[1] == 6
    with pytest.raises(ConfigError, match=r"initial_states has shape \(4, 5\), expected \(k, 6\)"):
        find_fixed_points(g, np.zeros((4, 5)))
    with pytest.raises(ConfigError, match="needs? a circuit with step"):
        find_fixed_points(object(), np.zeros((1, 1)))


def test_slow_points_stop_where_the_speed_is_small_and_carry_their_rates():
    # a leaky line: tau dx/dt = -x + 0.9 u u^T x. The only fixed point is 0; along u the flow is slow
    # (map eigenvalue 1 - 0.1 dt/tau), elsewhere fast. A full search slides every point to 0; a search
    # that stops at a small speed keeps the points spread along the slow line (Sussillo & Barak's slow points).
    circuit, u = _line_attractor(rate_fn="tanh", gain=0.9)
    h0 = np.random.default_rng(1).normal(size=(64, 20)) * 0.3 + np.outer(np.linspace(-1, 1, 64), u)
    full = find_fixed_points(circuit, h0, n_iter=4000, tol=1e-6, merge_distance=1e-2)
    slow = find_fixed_points(circuit, h0, n_iter=4000, tol=1e-3, merge_distance=1e-3, stop_speed=1e-4)
    assert len(full) == 1 and np.linalg.norm(full.points[0]) < 1e-2
    assert len(slow) > 20 and np.all(slow.speed < 1e-3)
    along = slow.points @ u
    assert along.max() - along.min() > 0.5  # spread along the line ...
    p = slow.points - slow.points.mean(0)
    assert abs(np.linalg.svd(p, full_matrices=False)[2][0] @ u) > 0.99  # ... and on it
    # the rates there: f of the state one step on, which moved less than sqrt(2 q) < 0.015
    np.testing.assert_allclose(slow.rates, np.tanh(slow.points), atol=1.5e-2)


def test_two_bistable_units_have_four_attractors_joined_by_saddles_along_the_square_edges():
    # x_{t+1} = 2 tanh(x_t) in each of two uncoupled units (a CTRNN with dt = tau): each unit is bistable
    # (+-x*, x* = 2 tanh x*) with an unstable point at 0, so the plane has 4 attractors (+-x*, +-x*), 4 saddles
    # with one unstable mode (one unit at 0) and an unstable node at the origin. A saddle's unstable manifold
    # runs to the two attractors that differ only in the unit at 0: the edges of the square.
    from brainlike.analysis import saddle_connections

    c = CTRNN(1, 2, key=jax.random.PRNGKey(0), rate_fn="tanh", dt=10.0, tau=10.0, sigma_rec=0.0)
    c = eqx.tree_at(lambda m: (m.w_rec, m.bias), c, (2.0 * jnp.eye(2), jnp.zeros(2)))
    x_star = 1.9150080  # the positive root of x = 2 tanh(x)
    grid = np.array([(a, b) for a in (-x_star, 0.0, x_star) for b in (-x_star, 0.0, x_star)])
    starts = grid + 0.01 * np.random.default_rng(0).normal(size=grid.shape)
    fp = find_fixed_points(c, starts, n_iter=3000, tol=1e-10, merge_distance=1e-2)
    assert len(fp) == 9
    assert sorted(fp.n_unstable.tolist()) == [0, 0, 0, 0, 1, 1, 1, 1, 2]
    np.testing.assert_allclose(np.sort(np.abs(fp.points[fp.stable]).ravel()), x_star, atol=1e-3)
    links = saddle_connections(c, fp)
    assert len(links) == 4
    for s, a, b in links:
        saddle, p, q = fp.points[s], fp.points[a], fp.points[b]
        zero = int(np.argmin(np.abs(saddle)))
        assert abs(saddle[zero]) < 1e-3 and np.sign(p[zero]) != np.sign(q[zero])  # the flipped unit
        other = 1 - zero
        assert np.sign(p[other]) == np.sign(q[other]) == np.sign(saddle[other])  # the held one
    assert saddle_connections(c, find_fixed_points(c, grid[[0]], n_iter=500, tol=1e-10)) == []
