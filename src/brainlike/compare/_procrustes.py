"""Shape distance between representations (Williams, Kunz, Kornblith & Linderman 2021 NeurIPS)."""

from __future__ import annotations

import numpy as np

from ._checks import patterns, same_stimuli

__all__ = ["procrustes_distance"]


def procrustes_distance(x, y, angular: bool = True) -> float:
    """Orthogonal Procrustes distance between ``x`` and ``y`` ``[stimuli units]``, each centred and
    scaled to unit Frobenius norm: the angle arccos ||X'Y||_* (a metric, 0 for representations equal up
    to rotation, reflection, translation and scale), or with ``angular=False`` the Euclidean
    min_Q ||X - YQ||_F = sqrt(2 - 2 ||X'Y||_*). Fewer units are zero-padded implicitly."""
    x, y = patterns(x, "x"), patterns(y, "y")
    same_stimuli(x, y)
    x, y = x - x.mean(0), y - y.mean(0)
    x, y = x / np.linalg.norm(x), y / np.linalg.norm(y)
    nuclear = float(np.clip(np.linalg.svd(x.T @ y, compute_uv=False).sum(), 0.0, 1.0))
    return float(np.arccos(nuclear)) if angular else float(np.sqrt(max(2 - 2 * nuclear, 0.0)))
