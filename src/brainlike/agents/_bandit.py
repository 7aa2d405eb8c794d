"""Bandit baselines: Thompson sampling, UCB1 and the Gittins index, acting from a
:class:`~brainlike.tasks.Bandit`'s observations (previous arm one-hot, previous reward).

- Thompson sampling (Thompson 1933): a Beta(``prior``) belief per arm, updated by each outcome; pull the
  arm whose sampled probability is highest.
- UCB1 (Auer, Cesa-Bianchi & Fischer 2002, Fig. 1): pull every arm once, then the arm maximising
  ``mean + c sqrt(ln n / n_k)`` (``c = sqrt 2`` in the paper).
- Gittins index (Gittins 1979; Gittins, Glazebrook & Weber 2011 ch. 7): for discount ``gamma``, the
  index of an arm whose belief is Beta(a, b) is the per-step payment ``lambda`` at which retiring for
  ever (worth ``lambda / (1 - gamma)``) and continuing to pull the arm with the option to retire later
  are equally good (the calibration / retirement formulation of Whittle 1980). The optimal policy of the
  discounted Bernoulli bandit pulls the arm of highest index.
"""

from __future__ import annotations

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._errors import ConfigError

__all__ = ["ThompsonSampling", "UCB", "Gittins", "gittins_index"]


def _counts_update(counts, obs, n_arms):
    """Add the last outcome in ``obs`` (previous arm one-hot, previous reward) to ``counts [arms 2]``
    (successes, failures); no change at an episode's first step (no previous arm)."""
    arm = obs[:n_arms]
    reward = obs[n_arms]
    return counts + arm[:, None] * jnp.stack([reward, 1.0 - reward])[None, :]


def _argmax_random_ties(key, scores):
    top = scores >= jnp.max(scores) - 1e-9
    return jax.random.categorical(key, jnp.where(top, 0.0, -jnp.inf))


class ThompsonSampling(eqx.Module):
    """Thompson sampling with independent Beta priors."""

    n_arms: int = eqx.field(static=True, default=2)
    prior: tuple[float, float] = eqx.field(static=True, default=(1.0, 1.0))

    def init_state(self):
        return jnp.zeros((self.n_arms, 2))

    def act(self, counts, obs, *, key):
        counts = _counts_update(counts, obs, self.n_arms)
        theta = jax.random.beta(key, self.prior[0] + counts[:, 0], self.prior[1] + counts[:, 1])
        return counts, jnp.argmax(theta).astype(jnp.int32)


class UCB(eqx.Module):
    """UCB1; ties (and the first pull of each arm) broken at random."""

    n_arms: int = eqx.field(static=True, default=2)
    c: float = eqx.field(static=True, default=math.sqrt(2.0))

    def init_state(self):
        return jnp.zeros((self.n_arms, 2))

    def act(self, counts, obs, *, key):
        counts = _counts_update(counts, obs, self.n_arms)
        n_k = counts.sum(axis=1)
        n = jnp.maximum(n_k.sum(), 1.0)
        bonus = self.c * jnp.sqrt(jnp.log(n) / jnp.maximum(n_k, 1.0))
        scores = jnp.where(n_k == 0, jnp.inf, counts[:, 0] / jnp.maximum(n_k, 1.0) + bonus)
        return counts, _argmax_random_ties(key, scores).astype(jnp.int32)


def gittins_index(gamma: float, max_pulls: int, *, prior: tuple[float, float] = (1.0, 1.0), tol: float = 1e-4,
                  grid: int = 2001) -> np.ndarray:
    """The Gittins index of a Bernoulli arm for every belief reachable in ``max_pulls`` pulls:
    ``index[s, f]`` for ``s`` successes and ``f`` failures (``s + f <= max_pulls``; NaN elsewhere), belief
    Beta(prior[0] + s, prior[1] + f), discount ``gamma``.

    Backward induction over beliefs for a grid of retirement payments at once: the value of a belief is
    ``max(lambda / (1 - gamma), p (1 + gamma V(s+1, f)) + (1 - p) gamma V(s, f+1))``; beyond a depth where
    ``gamma^depth < tol`` the arm's value is taken as known (``max(lambda, p) / (1 - gamma)``). The index is
    where continuing stops being better than retiring, interpolated linearly between grid points."""
    if not 0 <= gamma < 1:
        raise ConfigError(f"the Gittins index needs a discount 0 <= gamma < 1, got {gamma}")
    if max_pulls < 0 or grid < 3:
        raise ConfigError(f"gittins_index needs max_pulls >= 0 and grid >= 3, got {max_pulls}, {grid}")
    a0, b0 = prior
    depth = max_pulls + (int(math.ceil(math.log(tol) / math.log(gamma))) if gamma > 0 else 1)
    lam = np.linspace(0.0, 1.0, grid)  # the index of a Bernoulli arm lies in [0, 1]
    retire = lam / (1.0 - gamma)
    out = np.full((max_pulls + 1, max_pulls + 1), np.nan)
    # beliefs with n = s + f pulls: s = 0..n; V_next[:, s] is V(s, n + 1 - s) ... for n + 1 pulls
    n = depth
    s = np.arange(n + 1)
    p = (a0 + s) / (a0 + b0 + n)
    v_next = np.maximum(lam[:, None], p[None, :]) / (1.0 - gamma)  # [grid, n+1]
    for n in range(depth - 1, -1, -1):
        s = np.arange(n + 1)
        p = ((a0 + s) / (a0 + b0 + n))[None, :]
        cont = p * (1.0 + gamma * v_next[:, s + 1]) + (1.0 - p) * gamma * v_next[:, s]
        if n <= max_pulls:
            gap = cont - retire[:, None]  # decreasing in lambda; the index is its root
            above = gap > 0
            k = np.clip(above.sum(axis=0), 1, grid - 1)  # first grid point at or below zero
            g0, g1 = gap[k - 1, s], gap[k, s]
            frac = np.where(g0 != g1, g0 / np.where(g0 != g1, g0 - g1, 1.0), 0.0)
            out[s, n - s] = lam[k - 1] + np.clip(frac, 0.0, 1.0) * (lam[1] - lam[0])
        v_next = np.maximum(retire[:, None], cont)
    return out


class Gittins(eqx.Module):
    """Pull the arm of highest Gittins index (table from :func:`gittins_index`)."""

    index: jax.Array
    n_arms: int = eqx.field(static=True)
    gamma: float = eqx.field(static=True)

    def __init__(self, n_arms: int = 2, *, gamma: float = 0.95, max_pulls: int = 100,
                 prior: tuple[float, float] = (1.0, 1.0)):
        self.n_arms, self.gamma = int(n_arms), float(gamma)
        table = gittins_index(gamma, max_pulls, prior=prior)
        self.index = jnp.asarray(np.nan_to_num(table, nan=0.0), jnp.float32)

    def init_state(self):
        return jnp.zeros((self.n_arms, 2))

    def act(self, counts, obs, *, key):
        counts = _counts_update(counts, obs, self.n_arms)
        m = self.index.shape[0] - 1
        s = jnp.clip(counts[:, 0], 0, m).astype(jnp.int32)
        f = jnp.clip(counts[:, 1], 0, m).astype(jnp.int32)
        return counts, _argmax_random_ties(key, self.index[s, f]).astype(jnp.int32)
