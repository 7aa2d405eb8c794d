"""Rodent foraging trajectories in square and circular arenas, in pure JAX.

The motion model is Raudies & Hasselmo's (2012 PLoS ONE 7:e35847), the one Banino et al. (2018 Nature
557:429) and Sorscher et al. (2019 NeurIPS; 2023 Neuron) used to train path integrators. Each step of
``dt`` seconds the rat runs at a speed drawn from a Rayleigh distribution (scale ``speed_scale``) along its
heading, and its heading turns by a normal angular velocity (mean ``turn_bias``, s.d. ``turn_sd``). When it
comes within ``border`` metres of a wall and faces it, it turns to run parallel to the wall and slows to
``wall_slowdown`` of its speed. Defaults are Raudies & Hasselmo's: 13 cm/s Rayleigh scale, 330 deg/s
turning s.d., 3 cm border, 20 ms steps. :meth:`RatMotion.fit` estimates the speed scale and turning s.d.
from a real trajectory (e.g. Sargolini et al. 2006's rat, :func:`brainlike.data.load_sargolini2006`).

A trajectory is written for one rat and ``vmap``-ed for many (:func:`rat_trajectories`).
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, PRNGKeyArray

from .._errors import ConfigError

__all__ = ["Arena", "RatMotion", "rat_trajectory", "rat_trajectories", "ARENA_SHAPES"]

ARENA_SHAPES = ("square", "circle")


@dataclasses.dataclass(frozen=True)
class Arena:
    """A square box of side ``size`` metres or a circular one of diameter ``size``, centred on 0."""

    shape: str = "square"
    size: float = 2.2  # m

    def __post_init__(self):
        if self.shape not in ARENA_SHAPES:
            raise ConfigError(f"Arena.shape must be one of {', '.join(ARENA_SHAPES)}, got {self.shape!r}")
        if not self.size > 0:
            raise ConfigError(f"Arena.size must be > 0 metres, got {self.size}")

    @property
    def half(self) -> float:
        return self.size / 2

    def contains(self, position: Float[Array, "... 2"], margin: float = 0.0) -> Array:
        """Whether each position lies inside the arena (``margin`` metres from the wall)."""
        p = jnp.asarray(position)
        if self.shape == "square":
            return jnp.all(jnp.abs(p) <= self.half - margin, axis=-1)
        return jnp.linalg.norm(p, axis=-1) <= self.half - margin

    def wall(self, position: Float[Array, "2"]) -> tuple[Array, Array]:
        """Distance to the nearest wall (m) and the direction (rad) of the outward normal there."""
        x, y = position[0], position[1]
        if self.shape == "square":
            d = jnp.stack([self.half - x, self.half - y, self.half + x, self.half + y])
            i = jnp.argmin(d)
            return d[i], i.astype(position.dtype) * (jnp.pi / 2)
        return self.half - jnp.hypot(x, y), jnp.arctan2(y, x)

    def clip(self, position: Float[Array, "2"]) -> Array:
        """The nearest point inside the arena."""
        if self.shape == "square":
            return jnp.clip(position, -self.half, self.half)
        r = jnp.linalg.norm(position)
        return position * jnp.minimum(1.0, self.half / jnp.maximum(r, 1e-12))

    def uniform(self, key: PRNGKeyArray, shape: tuple[int, ...] = ()) -> Array:
        """Positions drawn uniformly over the arena, ``[*shape 2]``."""
        if self.shape == "square":
            return jax.random.uniform(key, (*shape, 2), minval=-self.half, maxval=self.half)
        k1, k2 = jax.random.split(key)
        r = self.half * jnp.sqrt(jax.random.uniform(k1, shape))
        a = jax.random.uniform(k2, shape, minval=-jnp.pi, maxval=jnp.pi)
        return jnp.stack([r * jnp.cos(a), r * jnp.sin(a)], axis=-1)


@dataclasses.dataclass(frozen=True)
class RatMotion:
    """Raudies & Hasselmo's (2012) rat motion model; speeds in m/s, angles in rad, times in s."""

    dt: float = 0.02  # s
    speed_scale: float = 0.13  # m/s, Rayleigh scale b (mean speed b * sqrt(pi / 2))
    turn_sd: float = 5.76  # rad/s, s.d. of the angular velocity (330 deg/s)
    turn_bias: float = 0.0  # rad/s
    border: float = 0.03  # m: within this distance of a wall, and facing it, the rat turns away
    wall_slowdown: float = 0.25  # speed factor while turning away from a wall

    def __post_init__(self):
        if not (self.dt > 0 and self.speed_scale > 0 and self.turn_sd >= 0 and self.border >= 0
                and 0 < self.wall_slowdown <= 1):
            raise ConfigError(f"RatMotion: need dt > 0, speed_scale > 0, turn_sd >= 0, border >= 0 and "
                              f"0 < wall_slowdown <= 1, got {self}")

    @property
    def mean_speed(self) -> float:
        return self.speed_scale * float(np.sqrt(np.pi / 2))

    @classmethod
    def fit(cls, position: np.ndarray, dt: float, min_speed: float = 0.02, **fields) -> RatMotion:
        """Speed scale and turning s.d. of a recorded trajectory ``[time 2]`` (m) sampled every ``dt`` s.

        The Rayleigh scale matches the mean speed (b = mean / sqrt(pi/2)); the turning s.d. matches the
        median absolute angular velocity of the direction of travel (median |N(0, s)| = 0.674 s), taken
        only while the animal moves faster than ``min_speed`` m/s, since the direction of a still
        animal is tracking noise."""
        from ..analysis import path_statistics

        stats = path_statistics(position, dt, min_speed=min_speed)
        scale = float(np.mean(stats["speed"]) / np.sqrt(np.pi / 2))
        turn = float(np.median(np.abs(stats["angular_velocity"])) / 0.6745)
        return cls(dt=dt, speed_scale=scale, turn_sd=turn, **fields)


def _wrap(angle):
    """An angle in [-pi, pi)."""
    return jnp.mod(angle + jnp.pi, 2 * jnp.pi) - jnp.pi


def rat_trajectory(key: PRNGKeyArray, n_steps: int, arena: Arena = Arena(), motion: RatMotion = RatMotion(),
                   start: Float[Array, "2"] | None = None) -> dict[str, Array]:
    """One rat's path of ``n_steps`` steps from ``start`` (default: uniform in the arena) with a uniform
    initial heading.

    Returns ``position [n_steps+1 2]`` (m), ``head_direction [n_steps+1]`` (rad in [-pi, pi)), and per step
    ``velocity [n_steps 2]`` (m/s, the displacement over dt), ``speed [n_steps]`` (m/s) and
    ``angular_velocity [n_steps]`` (rad/s, the heading change over dt) — the self-motion a path
    integrator receives.
    """
    if n_steps < 1:
        raise ConfigError(f"rat_trajectory: n_steps must be >= 1, got {n_steps}")
    k_start, k_head, k_speed, k_turn = jax.random.split(key, 4)
    p0 = arena.uniform(k_start) if start is None else jnp.asarray(start, jnp.float32)
    h0 = jax.random.uniform(k_head, (), minval=-jnp.pi, maxval=jnp.pi)
    speeds = motion.speed_scale * jnp.sqrt(-2 * jnp.log1p(-jax.random.uniform(k_speed, (n_steps,))))  # Rayleigh
    turns = (motion.turn_bias + motion.turn_sd * jax.random.normal(k_turn, (n_steps,))) * motion.dt

    def step(carry, xs):
        p, h = carry
        v, turn = xs
        d_wall, normal = arena.wall(p)
        toward = _wrap(h - normal)  # heading relative to the outward normal
        near = (d_wall < motion.border) & (jnp.abs(toward) < jnp.pi / 2)
        # turn to run along the wall, and slow down
        turn = turn + jnp.where(near, jnp.sign(toward) * (jnp.pi / 2 - jnp.abs(toward)), 0.0)
        v = jnp.where(near, v * motion.wall_slowdown, v)
        p_new = arena.clip(p + v * motion.dt * jnp.stack([jnp.cos(h), jnp.sin(h)]))
        h_new = _wrap(h + turn)
        return (p_new, h_new), (p_new, h_new, turn)

    _, (ps, hs, dh) = jax.lax.scan(step, (p0, h0), (speeds, turns))
    position = jnp.concatenate([p0[None], ps])
    head = jnp.concatenate([h0[None], hs])
    velocity = jnp.diff(position, axis=0) / motion.dt
    return {"position": position, "head_direction": head, "velocity": velocity,
            "speed": jnp.linalg.norm(velocity, axis=-1), "angular_velocity": dh / motion.dt}


def rat_trajectories(key: PRNGKeyArray, n_rats: int, n_steps: int, arena: Arena = Arena(),
                     motion: RatMotion = RatMotion()) -> dict[str, Array]:
    """``n_rats`` independent paths (:func:`rat_trajectory` vmapped): every array gains a leading
    ``[rats]`` axis."""
    return jax.vmap(lambda k: rat_trajectory(k, n_steps, arena, motion))(jax.random.split(key, n_rats))
