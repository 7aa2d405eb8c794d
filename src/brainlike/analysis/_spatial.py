"""Spatial tuning: field skew along a track, spatial autocorrelograms and grid scores, and the
periodicity of a map.

Grid score (Sargolini et al. 2006 Science; Langston et al. 2010 Science): the autocorrelogram of the
rate map is correlated with its rotations by 30, 60, 90, 120 and 150 degrees inside an annulus around
the central peak; gridness = min(r60, r120) - max(r30, r90, r150), the largest over annulus sizes.
"""

from __future__ import annotations

import numpy as np
from scipy import fft, ndimage

__all__ = ["field_skew", "autocorrelogram", "grid_score", "spectral_concentration"]


def field_skew(field: np.ndarray, positions: np.ndarray) -> float:
    """Centre of mass minus peak position of a non-negative 1-D field (negative: the field extends
    behind its peak, i.e. against the direction of travel when travel is towards larger positions;
    Mehta, Quirk & Wilson 2000 Neuron)."""
    f = np.clip(np.asarray(field, float), 0, None)
    if f.sum() == 0:
        return float("nan")
    return float(np.sum(f * positions) / f.sum() - positions[np.argmax(f)])


def autocorrelogram(rate_map: np.ndarray) -> np.ndarray:
    """Pearson autocorrelation of a 2-D map at every spatial lag (NaN bins left out), ``[2h-1 2w-1]``."""
    m = np.asarray(rate_map, float)
    ok = np.isfinite(m).astype(float)
    x = np.where(ok > 0, m, 0.0)

    def corr(a, b):
        return _xcorr(a, b)

    n = corr(ok, ok)
    sx, sy = corr(x, ok), corr(ok, x)
    sxx, syy = corr(x * x, ok), corr(ok, x * x)
    sxy = corr(x, x)
    with np.errstate(invalid="ignore", divide="ignore"):
        num = n * sxy - sx * sy
        den = np.sqrt(n * sxx - sx**2) * np.sqrt(n * syy - sy**2)
        out = num / den
    out[n < 20] = np.nan
    return out


def _xcorr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Full 2-D cross-correlation sum_{i,j} a[i+dy, j+dx] b[i, j] for every lag (via FFT)."""
    h, w = a.shape
    shape = (2 * h - 1, 2 * w - 1)
    fa = fft.rfft2(a, shape)
    fb = fft.rfft2(b[::-1, ::-1], shape)
    return np.real(fft.irfft2(fa * fb, shape))


def grid_score(rate_map: np.ndarray, n_radii: int = 10) -> float:
    """Gridness of a 2-D rate map (hexagonal symmetry: high for a grid cell, near 0 or negative for
    other maps)."""
    ac = autocorrelogram(rate_map)
    h, w = ac.shape
    cy, cx = (h - 1) / 2, (w - 1) / 2
    yy, xx = np.mgrid[:h, :w]
    r = np.hypot(yy - cy, xx - cx)
    filled = np.nan_to_num(ac)
    rotated = {a: ndimage.rotate(filled, a, reshape=False, order=1) for a in (30, 60, 90, 120, 150)}
    # Inner radius: the edge of the central peak (first radius where the mean correlation drops below 0.2
    # or reaches a minimum).
    radii = np.arange(1, int(min(cy, cx)))
    rings = [ac[(r >= k - 0.5) & (r < k + 0.5)] for k in radii]
    profile = np.array([np.nanmean(x) if np.isfinite(x).any() else np.nan for x in rings])
    below = np.nonzero(profile < 0.2)[0]
    if not np.isfinite(profile).any():
        return float("nan")
    inner = radii[below[0]] if below.size else radii[np.nanargmin(profile)]
    outers = np.linspace(inner + 2, min(cy, cx), n_radii)
    best = -np.inf
    for outer in outers:
        ring = (r >= inner) & (r <= outer) & np.isfinite(ac)
        if ring.sum() < 10:
            continue
        c = {a: np.corrcoef(filled[ring], rot[ring])[0, 1] for a, rot in rotated.items()}
        best = max(best, min(c[60], c[120]) - max(c[30], c[90], c[150]))
    return float(best) if np.isfinite(best) else float("nan")


def spectral_concentration(rate_map: np.ndarray, k: int = 1) -> float:
    """Fraction of a map's variance carried by its ``k`` strongest spatial frequencies (2-D discrete
    cosine transform of the mean-removed map, NaN bins set to the mean): 1 for a single plane-wave
    pattern, small for a localised field. A measure of periodic structure."""
    m = np.asarray(rate_map, float)
    m = np.where(np.isfinite(m), m, np.nanmean(m))
    c = fft.dctn(m - m.mean(), norm="ortho")
    p = np.sort((c**2).ravel())[::-1]
    total = p.sum()
    return float(p[:k].sum() / total) if total > 0 else float("nan")
