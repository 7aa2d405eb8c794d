"""Orbitofrontal neurons during economic choice (Shi, Ballesta & Padoa-Schioppa 2022 eLife 11:e75820).

Source: the authors' repository (PadoaSchioppaLab/2022_eLife_choicebias, Apache-2.0). One session
(G180910a, monkey G, OFC) with six cells recorded together, each file holding the spike times
(``celldata``: time in ms from trial start, trial number), the task events (``psyphydata``: time,
trial, event code) and the good trials of the juice-choice (JC) task (``goodTrials_JC``: trial, quantity
of A, quantity of B, chosen juice (1 = A, 2 = B), ...; the sign of a quantity codes the offer's side).
In JC trials both offers appear together (event 30), stay on through a delay, and the fixation point goes
off at the go signal (event 35); the time windows are the authors' (``get_timewindows_TT``).

``TTcellist_OFC_both.mat`` is the authors' classification of all 1,526 OFC cells of the study. Its
``cellclass`` is -1 (failed the ANOVA across trial types), 0 (task-related but untuned), 1 (offer value;
``subclass`` 1 for A, 2 for B), 2 (chosen value) or 3 (chosen juice) -- the mapping of the authors'
``make_cellist_TT.m``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from .._errors import DataError
from .._recording import Recording
from ._files import data_file

__all__ = ["load_padoa_session", "load_padoa_cell_classes", "PadoaSession", "PADOA_CELLS", "PADOA_WINDOWS",
           "PADOA_CLASS_NAMES"]

#: The six cells of session G180910a (electrode and unit).
PADOA_CELLS = ("a11", "a21", "a22", "a31", "a41", "a42")
#: JC time windows: name -> (event code, start ms, stop ms) relative to that event (offer on = 30, go = 35).
PADOA_WINDOWS = {"preoffer": (30, -500, 0), "postoffer": (30, 100, 600), "latedelay": (30, 600, 1100),
                 "prego": (35, -400, 100)}
#: The authors' ``cellclass`` codes.
PADOA_CLASS_NAMES = {-1: "not selected", 0: "untuned", 1: "offer value", 2: "chosen value", 3: "chosen juice"}


@dataclasses.dataclass(frozen=True)
class PadoaSession:
    """The session's neurons as a :class:`~brainlike.Recording` (``activity [trials windows cells]``, firing
    rates in Hz; ``t`` indexes :data:`PADOA_WINDOWS`; epochs name each window) and its behaviour table
    (one entry per good JC trial: ``trial``, ``offer_a``, ``offer_b``, ``chose_a``, ``a_side``)."""

    recording: Recording
    behaviour: dict[str, np.ndarray]
    windows: tuple[str, ...]

    def window(self, name: str) -> np.ndarray:
        """``[trials cells]`` rates in window ``name``."""
        if name not in self.windows:
            raise KeyError(f"no window {name!r}; windows: {', '.join(self.windows)}")
        return self.recording.activity[:, self.windows.index(name), :]


def _loadmat(path: Path, fields: tuple[str, ...]) -> dict:
    import scipy.io

    try:
        mat = scipy.io.loadmat(path)
    except Exception as e:  # scipy raises several types on a damaged file
        raise DataError(f"{path}: not a readable MATLAB file ({e})") from None
    for name in fields:
        if name not in mat:
            raise DataError(f"{path}: field {name!r} is missing")
    return mat


def _table(mat: dict, name: str, path: Path, n_cols: int) -> np.ndarray:
    value = np.asarray(mat[name], dtype=float)
    if value.ndim != 2 or value.shape[1] < n_cols:
        raise DataError(f"{path}: field {name!r} has shape {value.shape}, expected (rows, >= {n_cols})")
    return value


def load_padoa_session(root: str | Path | None = None) -> PadoaSession:
    """The six OFC cells of session G180910a in the juice-choice task: firing rates per good trial in the
    authors' windows, and the choices (each file checked against its sha256 first)."""
    rates, behaviour = [], None
    for cell in PADOA_CELLS:
        relative = f"padoa_ofc_shi2022/celldata/G180910{cell}_data.mat"
        path = data_file(relative, root=root)
        mat = _loadmat(path, ("celldata", "psyphydata", "goodTrials_JC"))
        spikes = _table(mat, "celldata", path, 2)
        events = _table(mat, "psyphydata", path, 3)
        good = _table(mat, "goodTrials_JC", path, 4)
        trials = good[:, 0].astype(int)
        if behaviour is None:
            if not np.isin(good[:, 3], (1, 2)).all():
                raise DataError(f"{path}: goodTrials_JC column 4 (chosen juice) must be 1 or 2")
            behaviour = {"trial": trials, "offer_a": np.abs(good[:, 1]), "offer_b": np.abs(good[:, 2]),
                         "chose_a": (good[:, 3] == 1).astype(np.int32),
                         "a_side": np.sign(good[:, 1]).astype(np.int32)}
        elif not np.array_equal(trials, behaviour["trial"]):
            raise DataError(f"{path}: its good JC trials differ from those of the session's first cell")
        cell_rates = np.empty((trials.size, len(PADOA_WINDOWS)))
        for i, trial in enumerate(trials):
            ev = events[events[:, 1] == trial]
            st = spikes[spikes[:, 1] == trial, 0]
            for j, (code, start, stop) in enumerate(PADOA_WINDOWS.values()):
                at = ev[ev[:, 2] == code, 0]
                if at.size != 1:
                    raise DataError(f"{path}: trial {trial} has {at.size} events of code {code}, expected 1")
                n = np.sum((st >= at[0] + start) & (st < at[0] + stop))
                cell_rates[i, j] = n / ((stop - start) / 1000.0)
        rates.append(cell_rates)
    activity = np.stack(rates, axis=-1)  # trials windows cells
    names = tuple(PADOA_WINDOWS)
    n = activity.shape[0]
    recording = Recording(
        activity=activity, dt=500.0, t=np.arange(len(names), dtype=float),
        conditions={k: v for k, v in behaviour.items() if k != "trial"} | {"trial": behaviour["trial"]},
        epochs={name: np.tile([j, j + 1], (n, 1)) for j, name in enumerate(names)},
        units={"cell": np.array([f"G180910{c}" for c in PADOA_CELLS])},
    )
    return PadoaSession(recording=recording, behaviour=behaviour, windows=names)


def load_padoa_cell_classes(root: str | Path | None = None, *, task: str = "JC") -> dict[str, np.ndarray]:
    """The authors' classification of all 1,526 OFC cells: ``cell`` (name), ``cellclass`` (code),
    ``label`` (:data:`PADOA_CLASS_NAMES`), ``subclass``, ``slopesign``; ``task`` is ``JC`` (juice choice),
    ``SO`` (sequential offers) or ``JCSO`` (both)."""
    import scipy.io

    lists = {"JC": "JCcellist", "SO": "SOcellist", "JCSO": "JCSOcellist"}
    if task not in lists:
        raise DataError(f"unknown task {task!r} for the OFC cell list; known: {', '.join(lists)}")
    path = data_file("padoa_ofc_shi2022/TTcellist_OFC_both.mat", root=root)
    try:
        mat = scipy.io.loadmat(path, squeeze_me=True, struct_as_record=False)
        info = mat[lists[task]].infocell
        cls = np.array([int(c.cellclass) for c in info])
        out = {"cell": np.array([str(c.cellname) for c in info]), "cellclass": cls,
               "subclass": np.array([int(c.subclass) for c in info]),
               "slopesign": np.array([int(c.slopesign) for c in info])}
    except DataError:
        raise
    except Exception as e:  # a damaged file or one without the authors' structure
        raise DataError(f"{path}: no readable {lists[task]}.infocell with cellclass/subclass ({e})") from None
    unknown = sorted(set(cls.tolist()) - set(PADOA_CLASS_NAMES))
    if unknown:
        raise DataError(f"{path}: unknown cellclass codes {unknown}")
    out["label"] = np.array([PADOA_CLASS_NAMES[c] for c in cls])
    return out
