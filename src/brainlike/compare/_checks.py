"""Input checks shared by the comparison functions: one clear error naming the array and its shape."""

from __future__ import annotations

import numpy as np

from .._errors import ConfigError


def patterns(x, name: str) -> np.ndarray:
    """A ``[stimuli units]`` float array with finite values."""
    a = np.asarray(x, dtype=float)
    if a.ndim != 2:
        raise ConfigError(f"{name} must be [stimuli units], got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ConfigError(f"{name} has non-finite values")
    return a


def same_stimuli(x: np.ndarray, y: np.ndarray, names=("x", "y")) -> None:
    if x.shape[0] != y.shape[0]:
        raise ConfigError(f"{names[0]} has {x.shape[0]} stimuli and {names[1]} {y.shape[0]} (shapes {x.shape} and "
                          f"{y.shape}); rows must be the same stimuli")
