"""Centred kernel alignment (Kornblith, Norouzi, Lee & Hinton 2019 ICML).

Linear CKA is computed in feature space, ||Y'X||_F^2 / (||X'X||_F ||Y'Y||_F) on centred data, so it
costs O(stimuli units^2) and never forms a stimuli x stimuli matrix; the debiased estimator (Song et
al. 2012's unbiased HSIC, used by Kornblith et al.) is rewritten in feature space the same way. RBF CKA
needs the kernel matrices and is meant for up to a few thousand stimuli.
"""

from __future__ import annotations

import numpy as np

from ._checks import patterns, same_stimuli

__all__ = ["cka", "debiased_cka", "rbf_cka"]


def _centre(x):
    return x - x.mean(axis=0, keepdims=True)


def cka(x, y) -> float:
    """Linear CKA between ``x`` ``[stimuli units_x]`` and ``y`` ``[stimuli units_y]``: 1 for
    representations equal up to rotation and isotropic scaling."""
    x, y = patterns(x, "x"), patterns(y, "y")
    same_stimuli(x, y)
    x, y = _centre(x), _centre(y)
    xy = np.linalg.norm(y.T @ x) ** 2
    return float(xy / (np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y)))


def _unbiased_hsic(a, b) -> float:
    """Unbiased HSIC of the linear kernels K = AA', L = BB' (Song et al. 2012, Eq. 5), in feature space."""
    n = a.shape[0]
    ka, kb = np.sum(a * a, axis=1), np.sum(b * b, axis=1)  # diagonals of K and L
    tr = np.linalg.norm(a.T @ b) ** 2 - np.sum(ka * kb)  # tr(K~ L~)
    sa, sb = a.sum(0), b.sum(0)
    k1 = a @ sa - ka  # K~ 1
    l1 = b @ sb - kb  # L~ 1
    return float((tr + k1.sum() * l1.sum() / ((n - 1) * (n - 2)) - 2.0 / (n - 2) * (k1 @ l1)) / (n * (n - 3)))


def debiased_cka(x, y) -> float:
    """Linear CKA with unbiased HSIC estimates: near 0 for independent representations even when units
    outnumber stimuli (where plain CKA is biased upwards). Needs >= 4 stimuli."""
    x, y = patterns(x, "x"), patterns(y, "y")
    same_stimuli(x, y)
    x, y = _centre(x), _centre(y)
    return float(_unbiased_hsic(x, y) / np.sqrt(_unbiased_hsic(x, x) * _unbiased_hsic(y, y)))


def rbf_cka(x, y, sigma: float = 0.8) -> float:
    """CKA with Gaussian kernels whose width is ``sigma`` times the median distance between stimuli
    (Kornblith et al. 2019, Section 4)."""
    x, y = patterns(x, "x"), patterns(y, "y")
    same_stimuli(x, y)
    n = x.shape[0]
    h = np.eye(n) - 1.0 / n

    def kernel(z):
        sq = np.sum(z**2, 1)
        d = np.maximum(sq[:, None] + sq[None] - 2 * z @ z.T, 0)
        med = np.median(np.sqrt(d[np.triu_indices(n, 1)]))
        return h @ np.exp(-d / (2 * (sigma * med) ** 2)) @ h

    k, l_ = kernel(x), kernel(y)
    return float(np.sum(k * l_) / (np.linalg.norm(k) * np.linalg.norm(l_)))
