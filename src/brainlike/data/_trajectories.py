"""A real rat's foraging path: Sargolini et al. (2006 Science 312:758), 600 s in a 1 m square box
sampled at 50 Hz, as republished with RatInABox (George et al. 2024 eLife)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from .._errors import DataError
from ._files import data_file

__all__ = ["load_sargolini2006", "SARGOLINI_FILE"]

SARGOLINI_FILE = "gridcells/sargolini2006_trajectory.npz"


def load_sargolini2006(root: str | Path | None = None) -> dict[str, np.ndarray | float | tuple]:
    """``t [time]`` (s), ``position [time 2]`` (m, the box spans 0..1 on both axes), ``dt`` (s, the
    median sampling interval) and the box ``extent`` (x_min, x_max, y_min, y_max)."""
    path = data_file(SARGOLINI_FILE, root=root)
    try:
        with np.load(path, allow_pickle=False) as f:
            t, pos = np.asarray(f["t"], float), np.asarray(f["pos"], float)
    except (KeyError, ValueError, OSError, zipfile.BadZipFile) as e:
        raise DataError(f"{path}: cannot read the fields 't' and 'pos' ({e})") from e
    if t.ndim != 1 or pos.shape != (t.size, 2) or not np.all(np.isfinite(pos)):
        raise DataError(f"{path}: expected 't' [time] and finite 'pos' [time 2], got {t.shape} and {pos.shape}")
    return {"t": t, "position": pos, "dt": float(np.median(np.diff(t))), "extent": (0.0, 1.0, 0.0, 1.0)}
