"""Fixed and slow points of a circuit, and their linearisation (Sussillo & Barak 2013 Neural Comput).

For the noise-free one-step map ``h -> F(h, u)`` of any circuit with a ``step`` (state flattened to a
vector), the speed ``q(h) = 1/2 |F(h, u) - h|^2`` is minimised with Adam from many initial states at once
(typically states visited on trials). Points whose speed falls below ``tol`` are kept (fixed points have
q = 0, slow points small q), near-duplicates merged, and the map is linearised at each: the Jacobian, its
eigenvalues (sorted by modulus), right eigenvectors and left eigenvectors normalised so that
``left_i . right_i = 1``. Mante et al. (2013) call the left eigenvector of the slowest mode the
*selection vector*: the input direction that moves the state along the line attractor.
"""

from __future__ import annotations

import copy
import dataclasses

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
import scipy.linalg
from jax.flatten_util import ravel_pytree

from .._errors import ConfigError

__all__ = ["FixedPoints", "find_fixed_points", "noiseless", "saddle_connections"]


def noiseless(circuit):
    """A copy of ``circuit`` with its private noise (``sigma_rec``, ``sigma_in``) switched off."""
    out = copy.copy(circuit)
    for name in ("sigma_rec", "sigma_in"):
        if hasattr(out, name):
            object.__setattr__(out, name, 0.0)
    return out


@dataclasses.dataclass(frozen=True)
class FixedPoints:
    """Points ``[k state]`` (the circuit's flattened state) with their ``rates [k units]`` (what the
    circuit outputs there, e.g. ``f(x)`` of a CTRNN: the space recordings and their analyses live in),
    their speed ``q [k]``, Jacobians of the one-step map ``[k units units]``,
    eigenvalues ``[k units]`` (largest modulus first), right eigenvectors (columns) and left eigenvectors
    (rows) ``[k units units]``; ``dt`` is the circuit's step in ms."""

    points: np.ndarray
    rates: np.ndarray
    speed: np.ndarray
    jacobians: np.ndarray
    eigenvalues: np.ndarray
    right: np.ndarray
    left: np.ndarray
    dt: float

    def __len__(self) -> int:
        return len(self.points)

    @property
    def time_constants(self) -> np.ndarray:
        """Time constant (ms) of the slowest mode at each point: ``-dt / log|lambda_max|`` (inf if >= 1)."""
        mod = np.abs(self.eigenvalues[:, 0])
        with np.errstate(divide="ignore"):
            return np.where(mod < 1, -self.dt / np.log(np.clip(mod, 1e-300, None)), np.inf)

    @property
    def n_unstable(self) -> np.ndarray:
        """Number of unstable modes (eigenvalues of modulus > 1) at each point: 0 for a stable point
        (an attractor), 1 for a saddle with one unstable direction."""
        return np.sum(np.abs(self.eigenvalues) > 1.0, axis=1)

    @property
    def stable(self) -> np.ndarray:
        """Boolean ``[k]``: the stable points (every eigenvalue inside the unit circle)."""
        return self.n_unstable == 0

    @property
    def selection_vectors(self) -> np.ndarray:
        """Left eigenvector of the slowest mode at each point (real part), unit norm: ``[k units]``."""
        v = np.real(self.left[:, 0, :])
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    @property
    def line_directions(self) -> np.ndarray:
        """Right eigenvector of the slowest mode at each point (real part), unit norm: ``[k units]``."""
        v = np.real(self.right[:, :, 0])
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def find_fixed_points(circuit, initial_states, inputs=None, *, n_iter: int = 2000, learning_rate: float = 1e-2,
                      tol: float = 1e-6, merge_distance: float = 1e-3, slowest_fraction: float = 1.0,
                      stop_speed: float = 0.0) -> FixedPoints:
    """Fixed and slow points of ``circuit`` under constant ``inputs`` (zeros if None).

    Args:
        circuit: any circuit with ``init_state`` and ``step`` (noise is switched off).
        initial_states: ``[k units]`` flattened states to start from (e.g. rates sampled from a recording's
            hidden states; for a CTRNN the state is ``x``, not ``f(x)``).
        inputs: ``[n_in]`` constant input during the search (the context cue, zero stimulus...).
        n_iter, learning_rate: Adam iterations and step size.
        tol: largest speed ``q`` kept.  merge_distance: points closer than this are merged.
        slowest_fraction: keep only this fraction of the end points, the slowest (for slow manifolds,
            whose speed never reaches zero, a threshold relative to what the optimisation reached).
        stop_speed: a point stops moving once its speed is below this. On an approximate line attractor
            (slow drift along the line) a long search slides every point to the line's ends; stopping at
            a small speed maps the slow manifold where the trajectories cross it instead (the *slow
            points* of Sussillo & Barak 2013). 0 (default): run every point for ``n_iter`` iterations.
    """
    if not 0 < slowest_fraction <= 1:
        raise ConfigError(f"slowest_fraction must be in (0, 1], got {slowest_fraction}")
    one_step, rate, size = _one_step_map(circuit, inputs)
    h0 = jnp.asarray(initial_states, jnp.float32)
    if h0.ndim != 2 or h0.shape[1] != size:
        raise ConfigError(f"initial_states has shape {tuple(h0.shape)}, expected (k, {size})")

    def speed(h):
        return 0.5 * jnp.sum((one_step(h) - h) ** 2)

    opt = optax.adam(learning_rate)

    @eqx.filter_jit
    def minimise(h):
        def body(carry, _):
            h, state = carry
            q, g = jax.vmap(jax.value_and_grad(speed))(h)
            upd, new_state = opt.update(g, state, h)
            moving = q >= stop_speed
            h = jnp.where(moving[:, None], optax.apply_updates(h, upd), h)
            state = jax.tree_util.tree_map(
                lambda new, old: jnp.where(moving.reshape((-1,) + (1,) * (new.ndim - 1)), new, old)
                if new.ndim >= 1 and new.shape[:1] == moving.shape else new, new_state, state)
            return (h, state), None

        (h, _), _ = jax.lax.scan(body, (h, opt.init(h)), None, length=n_iter)
        return h, jax.vmap(rate)(h), jax.vmap(speed)(h), jax.vmap(jax.jacfwd(one_step))(h)

    h, r, q, jac = (np.asarray(a, np.float64) for a in minimise(h0))
    keep = _merge(h, q, min(tol, float(np.quantile(q, slowest_fraction))), merge_distance)
    h, r, q, jac = h[keep], r[keep], q[keep], jac[keep]
    n = h.shape[1]
    eig = np.zeros((len(h), n), complex)
    right = np.zeros((len(h), n, n), complex)
    left = np.zeros((len(h), n, n), complex)
    for i, J in enumerate(jac):
        w, vl, vr = scipy.linalg.eig(J, left=True, right=True)
        order = np.argsort(-np.abs(w))
        w, vl, vr = w[order], vl[:, order], vr[:, order]
        scale = np.einsum("ij,ij->j", vl.conj(), vr)
        eig[i], right[i], left[i] = w, vr, (vl.conj() / scale).T
    return FixedPoints(points=h, rates=r.reshape(len(h), -1), speed=q, jacobians=jac, eigenvalues=eig, right=right, left=left,
                       dt=float(getattr(getattr(circuit, "circuit", circuit), "dt", 1.0)))


def _one_step_map(circuit, inputs):
    """The noise-free one-step map of ``circuit`` (or a Network's) on flattened states under constant
    ``inputs`` (zeros if None): ``(one_step, rate, state size)``."""
    circuit = getattr(circuit, "circuit", circuit)  # accept a Network too
    if not hasattr(circuit, "step") or not hasattr(circuit, "init_state"):
        raise ConfigError(f"fixed points need a circuit with step() and init_state(); got {type(circuit).__name__}")
    circuit = noiseless(circuit)
    flat0, unravel = ravel_pytree(circuit.init_state())
    u = jnp.zeros(circuit.n_in) if inputs is None else jnp.asarray(inputs, flat0.dtype)
    if u.shape != (circuit.n_in,):
        raise ConfigError(f"inputs has shape {tuple(u.shape)}, expected ({circuit.n_in},)")
    key = jax.random.PRNGKey(0)  # unused: the circuit is noiseless

    def one_step(h):
        new, _ = circuit.step(unravel(h), u, key=key)
        return ravel_pytree(new)[0]

    def rate(h):
        return circuit.step(unravel(h), u, key=key)[1]

    return one_step, rate, flat0.size


def saddle_connections(circuit, fixed_points: FixedPoints, inputs=None, *, push: float = 1e-2,
                       n_steps: int = 1000, reach: float = 0.1) -> list[tuple[int, int, int]]:
    """Which attractors each saddle of ``fixed_points`` joins: the topology of the fixed points
    (Sussillo & Barak 2013 Fig. 2; Maheswaranathan et al. 2019 section 3).

    From every point with exactly one unstable mode the noise-free map is run ``n_steps`` steps from the
    point pushed by ``push`` (times the state's scale) either way along that mode's (real) right
    eigenvector; each end is matched to the nearest stable point, if one lies within ``reach`` times the
    spread of the stable points. Returns ``(saddle, stable_a, stable_b)`` index triples (indices into
    ``fixed_points``) for the saddles whose two ends reach two different attractors.
    """
    one_step, _, size = _one_step_map(circuit, inputs)
    if fixed_points.points.shape[1:] != (size,):
        raise ConfigError(f"fixed points have states of size {fixed_points.points.shape[1:]}, the circuit {size}")
    stable = np.flatnonzero(fixed_points.stable)
    saddles = np.flatnonzero(fixed_points.n_unstable == 1)
    if len(stable) < 2 or len(saddles) == 0:
        return []
    attractors = fixed_points.points[stable]
    scale = max(float(np.linalg.norm(attractors - attractors.mean(0), axis=1).max()), 1e-6)
    direction = np.real(fixed_points.right[saddles, :, 0])
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    starts = np.concatenate([fixed_points.points[saddles] + push * scale * direction,
                             fixed_points.points[saddles] - push * scale * direction])

    @jax.jit
    def settle(h):
        return jax.lax.fori_loop(0, n_steps, lambda _, x: jax.vmap(one_step)(x), h)

    ends = np.asarray(settle(jnp.asarray(starts, jnp.float32)), np.float64)
    dist = np.linalg.norm(ends[:, None, :] - attractors[None], axis=2)
    nearest = np.where(dist.min(axis=1) <= reach * scale, np.argmin(dist, axis=1), -1)
    plus, minus = nearest[: len(saddles)], nearest[len(saddles):]
    return [(int(s), int(stable[a]), int(stable[b])) for s, a, b in zip(saddles, plus, minus)
            if a >= 0 and b >= 0 and a != b]


def _merge(h: np.ndarray, q: np.ndarray, tol: float, distance: float) -> np.ndarray:
    """Indices of the slowest representative of each cluster of points below ``tol``."""
    kept: list[int] = []
    for i in np.argsort(q):
        if q[i] > tol:
            break
        if all(np.linalg.norm(h[i] - h[j]) > distance for j in kept):
            kept.append(i)
    return np.array(kept, dtype=int)
