"""Spatial and directional tuning of units or neurons recorded while an animal (or a model) moves.

- Occupancy-normalised rate maps: the mean activity in each spatial bin, NaN where the path never went.
- Spatial information (Skaggs, McNaughton, Gothard & Markus 1993 NIPS), bits per unit of activity:
  ``sum_i p_i (r_i / r) log2(r_i / r)`` over bins of occupancy probability ``p_i``; the place score.
- Border score (Solstad, Boccara, Kropff, Moser & Moser 2008 Science): ``(c_M - d_m) / (c_M + d_m)``,
  ``c_M`` the largest fraction of one wall covered by one firing field and ``d_m`` the rate-weighted mean
  distance of field bins to the nearest wall, as a fraction of half the box.
- Head-direction tuning (Taube, Muller & Ranck 1990): the occupancy-normalised tuning curve and its
  mean resultant (Rayleigh) vector length and direction.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage, sparse

from .._errors import ConfigError

__all__ = ["rate_maps", "spatial_information", "border_score", "head_direction_tuning"]


def _bin_index(values: np.ndarray, low: float, high: float, n_bins: int) -> np.ndarray:
    i = np.floor((values - low) / (high - low) * n_bins).astype(int)
    return np.clip(i, 0, n_bins - 1)


def rate_maps(position: np.ndarray, activity: np.ndarray, extent: tuple[float, float, float, float],
              n_bins: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Occupancy-normalised maps of ``activity [time units]`` over ``position [time 2]`` inside ``extent``
    ``(x_min, x_max, y_min, y_max)``: ``maps [units n_bins n_bins]`` (rows are y, columns x; NaN in
    unvisited bins) and ``occupancy [n_bins n_bins]`` (samples per bin). Position samples outside the
    extent count in the nearest edge bin."""
    position, activity = np.asarray(position, float), np.asarray(activity, float)
    if activity.ndim == 1:
        activity = activity[:, None]
    if position.ndim != 2 or position.shape[1] != 2 or activity.ndim != 2 or activity.shape[0] != position.shape[0]:
        raise ConfigError(f"rate_maps: need position [time 2] and activity [time units] with the same time axis, "
                          f"got {position.shape} and {activity.shape}")
    x0, x1, y0, y1 = extent
    if not (x1 > x0 and y1 > y0):
        raise ConfigError(f"rate_maps: extent must be (x_min, x_max, y_min, y_max) with max > min, got {extent}")
    ix = _bin_index(position[:, 0], x0, x1, n_bins)
    iy = _bin_index(position[:, 1], y0, y1, n_bins)
    flat = iy * n_bins + ix
    t = position.shape[0]
    onehot = sparse.csr_matrix((np.ones(t), (flat, np.arange(t))), shape=(n_bins * n_bins, t))
    occupancy = np.asarray(onehot.sum(axis=1)).reshape(n_bins, n_bins)
    sums = np.asarray(onehot @ activity).T.reshape(-1, n_bins, n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        maps = np.where(occupancy > 0, sums / occupancy, np.nan)
    return maps, occupancy


def spatial_information(rate_map: np.ndarray, occupancy: np.ndarray) -> float:
    """Skaggs et al. (1993) information in bits per unit of activity (rates must be non-negative)."""
    r = np.asarray(rate_map, float)
    ok = np.isfinite(r) & (occupancy > 0)
    if np.any(r[ok] < 0):
        raise ConfigError("spatial_information: rates must be non-negative")
    p = occupancy[ok] / occupancy[ok].sum()
    mean = np.sum(p * r[ok])
    if mean <= 0:
        return float("nan")
    ratio = r[ok] / mean
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(ratio > 0, p * ratio * np.log2(ratio), 0.0)
    return float(terms.sum())


def border_score(rate_map: np.ndarray, field_threshold: float = 0.3, min_field_bins: int = 10) -> float:
    """Solstad et al. (2008) border score of a square-box map (rows y, columns x; values are rates). Fields
    are connected regions above ``field_threshold`` of the peak with at least ``min_field_bins`` bins;
    NaN when there is no field. +1 for a thin field along a whole wall, -1 for a field in the centre."""
    r = np.asarray(rate_map, float)
    filled = np.nan_to_num(r, nan=0.0)
    filled = filled - min(0.0, filled.min())
    if filled.max() <= 0:
        return float("nan")
    labels, n = ndimage.label(filled > field_threshold * filled.max())
    h, w = r.shape
    yy, xx = np.mgrid[:h, :w]
    to_wall = np.minimum.reduce([yy, xx, h - 1 - yy, w - 1 - xx]).astype(float)
    walls = [labels[0, :], labels[-1, :], labels[:, 0], labels[:, -1]]
    cover, field_mask = 0.0, np.zeros_like(labels, bool)
    for f in range(1, n + 1):
        here = labels == f
        if here.sum() < min_field_bins:
            continue
        field_mask |= here
        cover = max(cover, *(np.mean(wall == f) for wall in walls))
    if not field_mask.any():
        return float("nan")
    weights = filled[field_mask]
    dm = float(np.sum(weights * to_wall[field_mask]) / weights.sum()) / (min(h, w) / 2)
    return float((cover - dm) / (cover + dm)) if cover + dm > 0 else float("nan")


def head_direction_tuning(direction: np.ndarray, activity: np.ndarray, n_bins: int = 36) -> dict[str, np.ndarray]:
    """Tuning of ``activity [time units]`` to ``direction [time]`` (rad): ``curve [units n_bins]``
    (occupancy-normalised, NaN where a direction never occurred), bin ``centres``, and per unit the mean
    resultant ``resultant_length`` in [0, 1] and ``preferred`` direction. The curve's minimum is
    subtracted before the resultant is taken, so units with signed activity are scored on their
    modulation."""
    direction, activity = np.asarray(direction, float), np.asarray(activity, float)
    if activity.ndim == 1:
        activity = activity[:, None]
    if direction.shape != activity.shape[:1]:
        raise ConfigError(f"head_direction_tuning: direction {direction.shape} and activity {activity.shape} "
                          "need the same time axis")
    wrapped = np.mod(direction + np.pi, 2 * np.pi) - np.pi
    idx = _bin_index(wrapped, -np.pi, np.pi, n_bins)
    counts = np.bincount(idx, minlength=n_bins).astype(float)
    sums = np.stack([np.bincount(idx, weights=a, minlength=n_bins) for a in activity.T])
    with np.errstate(invalid="ignore", divide="ignore"):
        curve = np.where(counts > 0, sums / counts, np.nan)
    centres = -np.pi + (np.arange(n_bins) + 0.5) * 2 * np.pi / n_bins
    mod = np.nan_to_num(curve - np.nanmin(curve, axis=1, keepdims=True))
    vec = mod @ np.exp(1j * centres)
    total = mod.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        length = np.where(total > 0, np.abs(vec) / total, 0.0)
    return {"curve": curve, "centres": centres, "resultant_length": length, "preferred": np.angle(vec)}
