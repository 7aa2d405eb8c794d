"""Mouse VTA dopamine neurons in the variable-magnitude task (Dabney et al. 2020 Nature, Figure 2).

Source: the authors' Figure 2 data (``Figure2b.mat``): 40 optogenetically identified dopamine neurons,
responses to unpredicted rewards of 7 sizes (0.1, 0.3, 1.2, 2.5, 5, 10, 20 microlitres), up to 60
trials per size, normalised per cell, NaN where a cell had fewer trials; and the published reversal
point of each cell.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .._errors import DataError
from .._recording import Recording
from ._files import data_file

__all__ = ["load_dabney2020", "DABNEY_MAGNITUDES", "DABNEY_PROBABILITIES"]

#: Reward sizes of the variable-magnitude task, microlitres.
DABNEY_MAGNITUDES = np.array([0.1, 0.3, 1.2, 2.5, 5.0, 10.0, 20.0])
#: How often each size was given (the empirical frequencies of the published data set).
DABNEY_PROBABILITIES = np.array([0.06612594, 0.09090909, 0.14847358, 0.15489467, 0.31159175, 0.1509519,
                                 0.07705306])
DABNEY_PROBABILITIES = DABNEY_PROBABILITIES / DABNEY_PROBABILITIES.sum()


def _field(mat: dict, name: str, path: Path, shape_ndim: int) -> np.ndarray:
    if name not in mat:
        raise DataError(f"{path}: field {name!r} is missing (found {', '.join(k for k in mat if not k.startswith('__'))})")
    value = np.asarray(mat[name], dtype=float)
    if value.ndim != shape_ndim:
        raise DataError(f"{path}: field {name!r} has shape {value.shape}, expected {shape_ndim} dimensions")
    return value


def load_dabney2020(root: str | Path | None = None) -> Recording:
    """The 40 dopamine neurons as a ``Recording`` of reward responses.

    Cells were not recorded together, so trials are slots: slot ``m * 60 + j`` is the ``j``-th
    delivery of reward size ``m`` to every cell, and ``activity[slot, 0, cell]`` is NaN where that cell
    had fewer than ``j + 1`` trials of that size. ``activity`` has one time bin (the published
    normalised response in the post-reward window), which is the ``reward`` epoch.

    Conditions: ``reward`` (microlitres), ``magnitude`` (index 0-6), ``repeat``. Units:
    ``published_reversal_point`` (the authors' zero crossings).
    """
    import scipy.io

    path = data_file("dabney2020_dopamine/Figure2b.mat", root=root)
    try:
        mat = scipy.io.loadmat(path)
    except Exception as e:  # scipy raises several types on a damaged file
        raise DataError(f"{path}: not a readable MATLAB file ({e})") from None
    responses = _field(mat, "dataExpectedNorm", path, 3)  # cells x magnitudes x trials
    reversal = _field(mat, "zeroCrossings", path, 2).ravel()
    n_cells, n_mag, n_rep = responses.shape
    if n_mag != DABNEY_MAGNITUDES.size or reversal.size != n_cells:
        raise DataError(f"{path}: dataExpectedNorm has shape {responses.shape} and zeroCrossings {reversal.size} "
                        f"values; expected (cells, {DABNEY_MAGNITUDES.size}, trials) and one value per cell")
    activity = responses.transpose(1, 2, 0).reshape(n_mag * n_rep, 1, n_cells)
    magnitude = np.repeat(np.arange(n_mag), n_rep)
    n = activity.shape[0]
    return Recording(
        activity=activity, dt=1.0,
        conditions={"reward": DABNEY_MAGNITUDES[magnitude], "magnitude": magnitude,
                    "repeat": np.tile(np.arange(n_rep), n_mag)},
        epochs={"reward": np.tile([0, 1], (n, 1))},
        units={"published_reversal_point": reversal, "cell": np.arange(n_cells)},
    )
