"""Statistics of a movement path, for comparing a simulated animal with a real one (Raudies & Hasselmo
2012 PLoS ONE: speed and turning distributions; coverage of the arena)."""

from __future__ import annotations

import numpy as np

from .._errors import ConfigError
from ._rate_maps import _bin_index

__all__ = ["path_statistics", "coverage"]


def path_statistics(position: np.ndarray, dt: float, min_speed: float = 0.02) -> dict[str, np.ndarray]:
    """``speed [time-1]`` (m/s) of every displacement of ``position [time 2]`` (m, one sample every ``dt``
    s), and ``angular_velocity`` (rad/s) of the direction of travel between consecutive displacements
    that are both faster than ``min_speed`` (the direction of a still animal is tracking noise)."""
    p = np.asarray(position, float)
    if p.ndim != 2 or p.shape[1] != 2 or p.shape[0] < 3:
        raise ConfigError(f"path_statistics: position must be [time 2] with at least 3 samples, got {p.shape}")
    if not dt > 0:
        raise ConfigError(f"path_statistics: dt must be > 0 s, got {dt}")
    v = np.diff(p, axis=0) / dt
    speed = np.hypot(v[:, 0], v[:, 1])
    heading = np.arctan2(v[:, 1], v[:, 0])
    turn = np.mod(np.diff(heading) + np.pi, 2 * np.pi) - np.pi
    moving = (speed[1:] > min_speed) & (speed[:-1] > min_speed)
    return {"speed": speed, "angular_velocity": turn[moving] / dt}


def coverage(position: np.ndarray, extent: tuple[float, float, float, float], n_bins: int = 20,
             circular: bool = False) -> float:
    """Fraction of the ``n_bins x n_bins`` spatial bins of ``extent`` (x_min, x_max, y_min, y_max) that the
    path visits; with ``circular``, only bins whose centre lies in the inscribed circle count."""
    p = np.asarray(position, float)
    x0, x1, y0, y1 = extent
    ix, iy = _bin_index(p[:, 0], x0, x1, n_bins), _bin_index(p[:, 1], y0, y1, n_bins)
    visited = np.zeros((n_bins, n_bins), bool)
    visited[iy, ix] = True
    c = (np.arange(n_bins) + 0.5) / n_bins * 2 - 1
    inside = np.hypot(*np.meshgrid(c, c)) <= 1 if circular else np.ones_like(visited)
    return float(visited[inside].mean())
