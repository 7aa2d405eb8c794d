"""Spatial environments for navigation and the successor representation: a linear track run in laps
and open fields (boxes, optionally with inner walls) on a grid of states, with the random-walk
transition matrix and trajectories sampled in JAX (Stachenfeld, Botvinick & Gershman 2017).
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Int, PRNGKeyArray

from .._errors import ConfigError

__all__ = ["Track", "OpenField", "random_walk"]


@dataclasses.dataclass(frozen=True)
class Track:
    """A circular track of ``n_states`` positions run in laps in one direction: each step moves forward
    (to the next position, from the last back to the first) with probability ``p_forward`` and
    otherwise stays."""

    n_states: int = 50
    p_forward: float = 0.8

    def __post_init__(self):
        if self.n_states < 3 or not 0 < self.p_forward <= 1:
            raise ConfigError(f"Track needs n_states >= 3 and 0 < p_forward <= 1, got {self.n_states}, {self.p_forward}")

    def transitions(self) -> np.ndarray:
        """``T[s, s']``: probability of moving from s to s' in one step."""
        n = self.n_states
        t = np.zeros((n, n))
        for s in range(n):
            t[s, s] += 1 - self.p_forward
            t[s, (s + 1) % n] += self.p_forward
        return t

    @property
    def positions(self) -> np.ndarray:
        return np.arange(self.n_states, dtype=float)


@dataclasses.dataclass(frozen=True)
class OpenField:
    """A box of ``width x height`` grid positions; ``layout`` (rows of ``.`` free and ``#`` wall,
    overriding width and height) adds inner walls. The random walk picks one of the four directions
    uniformly and stays put when a wall or the border is in the way."""

    width: int = 20
    height: int = 20
    layout: tuple[str, ...] = ()

    def __post_init__(self):
        rows = self.layout
        if rows and len({len(r) for r in rows}) != 1:
            raise ConfigError("OpenField.layout: every row must have the same length")
        if rows and set("".join(rows)) - set(".#"):
            raise ConfigError("OpenField.layout: use '.' for free positions and '#' for walls")

    @property
    def free(self) -> np.ndarray:
        """``[height width]`` boolean map of free positions."""
        if self.layout:
            return np.array([[ch == "." for ch in row] for row in self.layout])
        return np.ones((self.height, self.width), bool)

    @property
    def n_states(self) -> int:
        return int(self.free.sum())

    @property
    def positions(self) -> np.ndarray:
        """``[states 2]`` (row, column) of each state."""
        return np.argwhere(self.free).astype(float)

    def transitions(self) -> np.ndarray:
        free = self.free
        index = -np.ones(free.shape, int)
        index[free] = np.arange(free.sum())
        h, w = free.shape
        t = np.zeros((self.n_states, self.n_states))
        for (r, c), s in zip(np.argwhere(free), range(self.n_states)):
            for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                rr, cc = r + dr, c + dc
                ok = 0 <= rr < h and 0 <= cc < w and free[rr, cc]
                t[s, index[rr, cc] if ok else s] += 0.25
        return t

    def to_map(self, values: np.ndarray) -> np.ndarray:
        """State values ``[states]`` as a ``[height width]`` map (NaN on walls)."""
        out = np.full(self.free.shape, np.nan)
        out[self.free] = values
        return out


def random_walk(key: PRNGKeyArray, transitions: Array, start: int | Array, n_steps: int) -> Int[Array, " time"]:
    """A trajectory of ``n_steps + 1`` state indices drawn from ``transitions``, beginning at ``start``."""
    logits = jnp.log(jnp.asarray(transitions))

    def body(s, k):
        s_next = jax.random.categorical(k, logits[s])
        return s_next, s_next

    _, path = jax.lax.scan(body, jnp.asarray(start), jax.random.split(key, n_steps))
    return jnp.concatenate([jnp.asarray(start)[None], path])
