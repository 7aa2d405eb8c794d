"""Spatial tuning: field skew along a track, spatial autocorrelograms and grid scores, and the
periodicity of a map.

Grid score (Sargolini et al. 2006 Science; Langston et al. 2010 Science): the autocorrelogram of the
rate map is correlated with its rotations by 30, 60, 90, 120 and 150 degrees inside an annulus around
the central peak; gridness = min(r60, r120) - max(r30, r90, r150), the largest over annulus sizes (the
set of annular masks of Banino et al. 2018 Nature). Grid spacing and orientation come from the six
autocorrelogram peaks nearest the centre (Hafting et al. 2005 Nature; Stensola et al. 2012 Nature for
modules), and the significance threshold from grid scores of maps with activity shifted in time against
position (Langston et al. 2010; Banino et al. 2018: the 95th percentile of the shuffled scores).
"""

from __future__ import annotations

import numpy as np
from scipy import fft, ndimage

__all__ = ["field_skew", "autocorrelogram", "grid_score", "spectral_concentration", "grid_properties", "grid_modules",
           "grid_score_threshold"]


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
        var_x, var_y = n * sxx - sx**2, n * syy - sy**2
        out = num / (np.sqrt(var_x) * np.sqrt(var_y))
    # an overlap with no variance (where a nearly silent map is flat) has no correlation: the FFT's
    # rounding leaves it ~1e-16 of the whole map's bins x sum of squares, not 0, and dividing by that gave
    # values of 1e150 and more (and np.corrcoef overflowed on them in grid_score)
    tol = 1e-9 * ok.sum() * np.sum(x * x)
    flat = (var_x <= tol) | (var_y <= tol)
    out[(n < 20) | flat] = np.nan
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


def grid_properties(rate_map: np.ndarray, bin_size: float = 1.0, min_peak: float = 0.0) -> dict[str, float]:
    """Spacing (in the units of ``bin_size``) and orientation (degrees in [0, 60)) of a grid: the median
    distance from the centre of the autocorrelogram to its six nearest local maxima (above ``min_peak``),
    and the smallest angle of those peaks modulo 60 degrees. NaN when fewer than three peaks are found."""
    ac = autocorrelogram(rate_map)
    filled = np.nan_to_num(ac, nan=-np.inf)
    peaks = (filled == ndimage.maximum_filter(filled, size=5, mode="constant", cval=-np.inf)) & (filled > min_peak)
    h, w = ac.shape
    cy, cx = (h - 1) / 2, (w - 1) / 2
    ys, xs = np.nonzero(peaks)
    d = np.hypot(ys - cy, xs - cx)
    keep = d > 1.5  # not the central peak
    ys, xs, d = ys[keep], xs[keep], d[keep]
    if d.size < 3:
        return {"spacing": float("nan"), "orientation": float("nan")}
    near = np.argsort(d)[:6]
    angles = np.degrees(np.arctan2(ys[near] - cy, xs[near] - cx)) % 60
    return {"spacing": float(np.median(d[near]) * bin_size), "orientation": float(np.min(angles))}


def grid_modules(spacing: np.ndarray, orientation: np.ndarray, max_modules: int = 6, seed: int = 0) -> np.ndarray:
    """Module of each grid cell (``[cells]`` integer labels): k-means on log spacing (in units of 10%) and
    orientation (as a point on the 60-degree circle), the number of modules chosen by silhouette score; all one module when
    fewer than four cells or no split scores above 0.5 (Stensola et al. 2012: modules are discrete)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    spacing, orientation = np.asarray(spacing, float), np.asarray(orientation, float)
    n = spacing.size
    labels = np.zeros(n, int)
    if n < 4:
        return labels
    phi = np.radians(orientation) * 6
    # a 10% difference in spacing weighs as much as ~10 degrees of orientation
    x = np.stack([np.log(spacing) / 0.1, np.cos(phi), np.sin(phi)], axis=1)
    best = 0.5
    for k in range(2, min(max_modules, n - 1) + 1):
        lab = KMeans(k, n_init=10, random_state=seed).fit_predict(x)
        score = silhouette_score(x, lab)
        if score > best:
            best, labels = score, lab
    return labels


def grid_score_threshold(position: np.ndarray, activity: np.ndarray, extent: tuple[float, float, float, float],
                         n_bins: int = 32, n_shuffles: int = 200, min_shift: int | None = None,
                         percentile: float = 95.0, seed: int = 0, null: str = "time_shift") -> tuple[float, np.ndarray]:
    """Significance threshold for grid scores: ``percentile`` of the scores of shuffled rate maps
    (``position [time 2]``, ``activity [time units]``), each of the ``n_shuffles`` draws from a random unit,
    pooling the null over units. ``null="time_shift"`` shifts the unit's activity circularly in time
    against the positions by at least ``min_shift`` samples (default a tenth of the recording; Langston et
    al. 2010), the test for recorded neurons. ``null="spatial"`` permutes the visited bins of the unit's
    own rate map: it keeps the map's distribution of values and so also rejects maps that are merely
    rough (a fine-grained, salt-and-pepper map scores high against a smooth time-shifted null).
    Returns the threshold and the shuffled scores."""
    from ._rate_maps import rate_maps

    activity = np.asarray(activity, float)
    if activity.ndim == 1:
        activity = activity[:, None]
    t, n_units = activity.shape
    rng = np.random.default_rng(seed)
    units = rng.integers(n_units, size=n_shuffles)
    if null == "spatial":
        maps, _ = rate_maps(position, activity[:, np.unique(units)], extent, n_bins)
        index = {u: i for i, u in enumerate(np.unique(units))}
        shuffled_maps = []
        for u in units:
            m = maps[index[u]].copy()
            ok = np.isfinite(m)
            m[ok] = rng.permutation(m[ok])
            shuffled_maps.append(m)
    elif null == "time_shift":
        min_shift = t // 10 if min_shift is None else int(min_shift)
        if not 0 < min_shift < t - min_shift:
            raise ValueError(f"grid_score_threshold: min_shift {min_shift} does not fit a recording of {t} samples")
        shifts = rng.integers(min_shift, t - min_shift, size=n_shuffles)
        shuffled = np.stack([np.roll(activity[:, u], s) for u, s in zip(units, shifts)], axis=1)
        shuffled_maps, _ = rate_maps(position, shuffled, extent, n_bins)
    else:
        raise ValueError(f"grid_score_threshold: null must be 'time_shift' or 'spatial', got {null!r}")
    scores = np.array([grid_score(m) for m in shuffled_maps])
    return float(np.nanpercentile(scores, percentile)), scores
