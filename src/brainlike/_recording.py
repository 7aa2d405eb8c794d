"""``Recording``: the common currency between models, real data and analyses (DESIGN section 2).

A recording holds activity ``[trials time units]`` with the task variables of each trial, so that the
same analysis runs on a trained network's units and on recorded neurons.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ._atomic import atomic_path
from ._errors import DataError

__all__ = ["Recording"]

_EPOCH = "epoch__"


def _arr(x: Any) -> np.ndarray:
    return np.asarray(x)


@dataclasses.dataclass(frozen=True, eq=False)
class Recording:
    """Activity of a population over trials and time, with what happened on each trial.

    Attributes:
        activity: ``[trials time units]`` firing rates (model units or binned spikes).
        dt: bin width in ms; ``t`` defaults to ``arange(time) * dt``.
        conditions: task variables, each ``[trials]`` (``coherence``, ``choice``, ``correct``...).
        epochs: start/stop step of each period, each ``[trials 2]``.
        inputs, outputs, targets: optional ``[trials time channels]`` arrays.
        mask: optional ``[trials time]`` loss mask of the task.
        units: per-unit labels, each ``[units]`` (``area``, ``cell_type``, ``sign``).
    """

    activity: np.ndarray
    dt: float
    conditions: Mapping[str, np.ndarray] = dataclasses.field(default_factory=dict)
    epochs: Mapping[str, np.ndarray] = dataclasses.field(default_factory=dict)
    inputs: np.ndarray | None = None
    outputs: np.ndarray | None = None
    targets: np.ndarray | None = None
    mask: np.ndarray | None = None
    units: Mapping[str, np.ndarray] = dataclasses.field(default_factory=dict)
    t: np.ndarray | None = None

    def __post_init__(self):
        act = _arr(self.activity)
        if act.ndim != 3:
            raise ValueError(f"Recording.activity must be [trials time units], got shape {act.shape}")
        n_trials, n_time, n_units = act.shape
        object.__setattr__(self, "activity", act)
        t = np.arange(n_time) * float(self.dt) if self.t is None else _arr(self.t)
        if t.shape != (n_time,):
            raise ValueError(f"Recording.t has shape {t.shape}, expected ({n_time},)")
        object.__setattr__(self, "t", t)
        for name in ("inputs", "outputs", "targets"):
            value = getattr(self, name)
            if value is not None:
                value = _arr(value)
                if value.ndim != 3 or value.shape[:2] != (n_trials, n_time):
                    raise ValueError(
                        f"Recording.{name} has shape {value.shape}, expected ({n_trials}, {n_time}, channels)"
                    )
                object.__setattr__(self, name, value)
        if self.mask is not None:
            mask = _arr(self.mask)
            if mask.shape != (n_trials, n_time):
                raise ValueError(f"Recording.mask has shape {mask.shape}, expected ({n_trials}, {n_time})")
            object.__setattr__(self, "mask", mask)
        conditions = {k: _arr(v) for k, v in self.conditions.items()}
        for k, v in conditions.items():
            if v.shape != (n_trials,):
                raise ValueError(f"Recording.conditions[{k!r}] has shape {v.shape}, expected ({n_trials},)")
        epochs = {k: _arr(v).astype(np.int64) for k, v in self.epochs.items()}
        for k, v in epochs.items():
            if v.shape != (n_trials, 2):
                raise ValueError(f"Recording.epochs[{k!r}] has shape {v.shape}, expected ({n_trials}, 2)")
        units = {k: _arr(v) for k, v in self.units.items()}
        for k, v in units.items():
            if v.shape != (n_units,):
                raise ValueError(f"Recording.units[{k!r}] has shape {v.shape}, expected ({n_units},)")
        object.__setattr__(self, "conditions", conditions)
        object.__setattr__(self, "epochs", epochs)
        object.__setattr__(self, "units", units)

    # -- shape ---------------------------------------------------------------------------------
    @property
    def n_trials(self) -> int:
        return self.activity.shape[0]

    @property
    def n_time(self) -> int:
        return self.activity.shape[1]

    @property
    def n_units(self) -> int:
        return self.activity.shape[2]

    def select(self, trials: np.ndarray) -> Recording:
        """The recording restricted to some trials (boolean mask or indices)."""
        idx = np.asarray(trials)

        def take(a):
            return None if a is None else a[idx]

        return dataclasses.replace(
            self,
            activity=self.activity[idx],
            conditions={k: v[idx] for k, v in self.conditions.items()},
            epochs={k: v[idx] for k, v in self.epochs.items()},
            inputs=take(self.inputs),
            outputs=take(self.outputs),
            targets=take(self.targets),
            mask=take(self.mask),
        )

    def epoch_mask(self, name: str) -> np.ndarray:
        """Boolean ``[trials time]``: where each trial is inside epoch ``name``."""
        if name not in self.epochs:
            raise KeyError(f"no epoch {name!r} in this recording; it has {sorted(self.epochs)}")
        steps = np.arange(self.n_time)
        ep = self.epochs[name]
        return (steps >= ep[:, :1]) & (steps < ep[:, 1:])

    # -- xarray / NetCDF -----------------------------------------------------------------------
    def to_xarray(self):
        """An ``xarray.Dataset`` with dims ``trial``, ``time`` (ms), ``unit``; conditions and unit
        labels are coordinates, epochs are ``epoch__<name>`` variables of dims ``(trial, bound)``."""
        import xarray as xr

        coords: dict[str, Any] = {"time": ("time", self.t, {"units": "ms"})}
        for k, v in self.conditions.items():
            coords[k] = ("trial", v)
        for k, v in self.units.items():
            coords[k] = ("unit", v)
        data = {"activity": (("trial", "time", "unit"), self.activity)}
        for name in ("inputs", "outputs", "targets"):
            value = getattr(self, name)
            if value is not None:
                data[name] = (("trial", "time", f"{name}_channel"), value)
        if self.mask is not None:
            data["mask"] = (("trial", "time"), self.mask)
        for k, v in self.epochs.items():
            data[_EPOCH + k] = (("trial", "bound"), v)
        ds = xr.Dataset(data, coords=coords, attrs={"dt": float(self.dt), "brainlike_recording": 1})
        ds.attrs["conditions"] = ",".join(self.conditions)
        ds.attrs["unit_labels"] = ",".join(self.units)
        return ds

    @classmethod
    def from_xarray(cls, ds) -> Recording:
        cond_names = [c for c in ds.attrs.get("conditions", "").split(",") if c]
        unit_names = [c for c in ds.attrs.get("unit_labels", "").split(",") if c]
        optional = {n: ds[n].values for n in ("inputs", "outputs", "targets", "mask") if n in ds}
        return cls(
            activity=ds["activity"].values,
            dt=float(ds.attrs["dt"]),
            t=ds["time"].values,
            conditions={k: ds[k].values for k in cond_names},
            epochs={k[len(_EPOCH) :]: ds[k].values for k in ds.data_vars if k.startswith(_EPOCH)},
            units={k: ds[k].values for k in unit_names},
            **optional,
        )

    def to_netcdf(self, path: str | os.PathLike) -> Path:
        """Write the recording as NetCDF-4 (atomically: temporary file, then rename)."""
        path = Path(path)
        with atomic_path(path) as tmp:
            self.to_xarray().to_netcdf(tmp, engine="h5netcdf")
        return path

    @classmethod
    def from_netcdf(cls, path: str | os.PathLike) -> Recording:
        import xarray as xr

        path = Path(path)
        if not path.exists():
            raise DataError(f"{path}: no such recording file")
        try:
            with xr.open_dataset(path, engine="h5netcdf") as ds:
                ds = ds.load()
        except Exception as e:  # h5py raises a variety of errors on corrupt files
            raise DataError(f"{path}: not a readable NetCDF recording ({type(e).__name__}: {e})") from None
        if "activity" not in ds or "dt" not in ds.attrs:
            raise DataError(f"{path}: not a brainlike recording (no 'activity' variable or 'dt' attribute)")
        return cls.from_xarray(ds)
