"""Canonical correlations between representations: SVCCA (Raghu, Gilmer, Yosinski & Sohl-Dickstein 2017)
and PWCCA (Morcos, Raghu & Bengio 2018)."""

from __future__ import annotations

import dataclasses

import numpy as np

from .._errors import ConfigError
from ._checks import patterns, same_stimuli

__all__ = ["canonical_correlations", "CCA", "svcca", "pwcca"]


@dataclasses.dataclass(frozen=True)
class CCA:
    """``rho`` canonical correlations (descending) and the canonical variates of x, ``[stimuli k]``."""

    rho: np.ndarray
    variates_x: np.ndarray


def _orthonormal(x):
    q, r = np.linalg.qr(x)
    keep = np.abs(np.diag(r)) > 1e-10 * max(1.0, np.abs(np.diag(r)).max())
    return q[:, keep]


def canonical_correlations(x, y) -> CCA:
    """CCA of centred ``x`` and ``y`` (QR of each, SVD of Qx'Qy; Bjorck & Golub 1973)."""
    x, y = patterns(x, "x"), patterns(y, "y")
    same_stimuli(x, y)
    qx, qy = _orthonormal(x - x.mean(0)), _orthonormal(y - y.mean(0))
    u, s, _ = np.linalg.svd(qx.T @ qy, full_matrices=False)
    return CCA(np.clip(s, 0, 1), qx @ u)


def _svd_reduce(x, keep: float | int):
    x = x - x.mean(0)
    u, s, _ = np.linalg.svd(x, full_matrices=False)
    if isinstance(keep, int):
        k = keep
    else:
        if not 0 < keep <= 1:
            raise ConfigError(f"keep must be a variance fraction in (0, 1] or a number of dimensions, got {keep}")
        k = int(np.searchsorted(np.cumsum(s**2) / np.sum(s**2), keep) + 1)
    return u[:, :k] * s[:k]


def svcca(x, y, keep: float | int = 0.99) -> CCA:
    """SVCCA: each representation reduced to the top singular directions that explain ``keep`` of its
    variance (or ``keep`` directions), then CCA. The mean of ``rho`` is the usual summary."""
    x, y = patterns(x, "x"), patterns(y, "y")
    same_stimuli(x, y)
    return canonical_correlations(_svd_reduce(x, keep), _svd_reduce(y, keep))


def pwcca(x, y) -> float:
    """Projection-weighted CCA distance 1 - sum_i a_i rho_i, with a_i the share of x's activity carried by
    canonical variate i (Morcos et al. 2018, Eq. 2)."""
    x = patterns(x, "x")
    res = canonical_correlations(x, y)
    xc = x - x.mean(0)
    a = np.abs(res.variates_x.T @ xc).sum(axis=1)
    a = a / a.sum()
    return float(1.0 - np.sum(a * res.rho))
