"""Neurodata Without Borders (NWB 2) files <-> ``Recording`` (pynwb, the optional ``nwb`` extra).

- ``from_nwb``: a recorded session (a ``units`` table of spike times and a ``trials`` table) binned into
  ``[trials time units]`` firing rates; numeric trial columns become conditions. A file written by
  ``to_nwb`` is read back exactly.
- ``to_nwb``: any Recording (a model's units, for instance) as an NWB file: trials laid end to end in
  one time base, ``activity`` (and inputs/outputs/targets when present) as TimeSeries in the
  ``brainlike`` processing module, conditions and epochs as trial columns, unit labels in a table, so
  other labs' NWB tools can read a model like a session.
"""

from __future__ import annotations

import hashlib
import os
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .._atomic import atomic_path
from .._errors import DataError
from .._recording import Recording

__all__ = ["to_nwb", "from_nwb"]

_MODULE = "brainlike"
_EPOCH = "epoch__"


def _pynwb():
    try:
        import pynwb
    except ImportError:
        raise DataError("NWB support needs pynwb: pip install 'brainlike[nwb]'") from None
    return pynwb


def to_nwb(rec: Recording, path: str | os.PathLike, *, session_description: str = "brainlike recording",
           session_start_time: datetime | None = None) -> Path:
    """Write ``rec`` to an NWB file at ``path`` (atomically). Trial k spans [k T, (k+1) T) seconds with
    T = time bins x dt."""
    pynwb = _pynwb()
    from hdmf.common import DynamicTable, VectorData

    path = Path(path)
    identifier = hashlib.sha1(np.ascontiguousarray(rec.activity).tobytes()).hexdigest()
    nwb = pynwb.NWBFile(session_description=session_description, identifier=identifier,
                        session_start_time=session_start_time or datetime.now(timezone.utc))
    trial_s = rec.n_time * rec.dt / 1000.0
    for name in rec.conditions:
        nwb.add_trial_column(name=name, description=f"condition {name}")
    for name in rec.epochs:
        nwb.add_trial_column(name=f"{_EPOCH}{name}_start", description=f"first step of epoch {name}")
        nwb.add_trial_column(name=f"{_EPOCH}{name}_stop", description=f"step after epoch {name}")
    for k in range(rec.n_trials):
        cols = {name: v[k].item() for name, v in rec.conditions.items()}
        for name, ep in rec.epochs.items():
            cols[f"{_EPOCH}{name}_start"], cols[f"{_EPOCH}{name}_stop"] = int(ep[k, 0]), int(ep[k, 1])
        nwb.add_trial(start_time=k * trial_s, stop_time=(k + 1) * trial_s, **cols)
    module = nwb.create_processing_module(_MODULE, "arrays of a brainlike Recording, trials end to end")
    rate = 1000.0 / rec.dt
    for name in ("activity", "inputs", "outputs", "targets"):
        value = getattr(rec, name)
        if value is not None:
            module.add(pynwb.TimeSeries(name=name, data=value.reshape(-1, value.shape[-1]), unit="a.u.", rate=rate,
                                        starting_time=0.0, description=f"{name} [time channels], trials end to end"))
    if rec.mask is not None:
        module.add(pynwb.TimeSeries(name="mask", data=rec.mask.reshape(-1).astype(float), unit="a.u.", rate=rate,
                                    starting_time=0.0, description="loss mask"))
    columns = [VectorData(name=k, description=f"unit label {k}", data=list(v)) for k, v in rec.units.items()]
    if columns:
        module.add(DynamicTable(name="unit_labels", description="per-unit labels", columns=columns))
    with atomic_path(path) as tmp, pynwb.NWBHDF5IO(str(tmp), "w") as io:
        io.write(nwb)
    return path


def _open(path: Path):
    pynwb = _pynwb()
    if not path.is_file():
        raise DataError(f"missing NWB file {path}")
    try:
        io = pynwb.NWBHDF5IO(str(path), "r")
        return io, io.read()
    except Exception as e:  # h5py / hdmf raise many types on a damaged file
        raise DataError(f"{path}: not a readable NWB file ({type(e).__name__}: {e})") from None


def _trial_columns(nwb, path: Path) -> tuple[np.ndarray, np.ndarray, dict, dict]:
    if nwb.trials is None:
        raise DataError(f"{path}: no trials table (NWB field 'intervals/trials')")
    df = nwb.trials.to_dataframe()
    start, stop = df["start_time"].to_numpy(float), df["stop_time"].to_numpy(float)
    conditions, epochs = {}, {}
    for name in df.columns:
        if name in ("start_time", "stop_time"):
            continue
        if name.startswith(_EPOCH) and name.endswith("_start"):
            ep = name[len(_EPOCH):-len("_start")]
            epochs[ep] = np.stack([df[name].to_numpy(int), df[f"{_EPOCH}{ep}_stop"].to_numpy(int)], axis=1)
        elif name.startswith(_EPOCH):
            continue
        else:
            col = df[name].to_numpy()
            if np.issubdtype(col.dtype, np.number) or col.dtype == bool:
                conditions[name] = col
    return start, stop, conditions, epochs


def from_nwb(path: str | os.PathLike, *, bin_ms: float = 10.0, window: tuple[float, float] | None = None) -> Recording:
    """Read an NWB file into a Recording. Files written by :func:`to_nwb` come back as they were;
    otherwise spikes of the ``units`` table are counted in ``bin_ms`` bins over each trial (from its
    start time, for the shortest trial's duration, or over ``window`` = (from, to) ms around each
    start) and divided by the bin width (spikes/s)."""
    path = Path(path)
    io, nwb = _open(path)
    try:
        start, stop, conditions, epochs = _trial_columns(nwb, path)
        module = nwb.processing.get(_MODULE)
        if module is not None and "activity" in module.data_interfaces:
            ts = module["activity"]
            dt = 1000.0 / ts.rate
            n_trials = start.size
            arrays = {}
            for name in ("activity", "inputs", "outputs", "targets", "mask"):
                if name in module.data_interfaces:
                    data = np.asarray(module[name].data[:])
                    arrays[name] = data.reshape(n_trials, -1, *data.shape[1:])
            units = {}
            if "unit_labels" in module.data_interfaces:
                table = module["unit_labels"].to_dataframe()
                units = {c: table[c].to_numpy() for c in table.columns}
            return Recording(activity=arrays["activity"], dt=dt, conditions=conditions, epochs=epochs,
                             inputs=arrays.get("inputs"), outputs=arrays.get("outputs"),
                             targets=arrays.get("targets"), mask=arrays.get("mask"), units=units)
        if nwb.units is None or "spike_times" not in nwb.units.colnames:
            raise DataError(f"{path}: no units table with spike_times (NWB field 'units/spike_times')")
        lo, hi = window if window is not None else (0.0, float(np.min(stop - start)) * 1000.0)
        edges = np.arange(lo, hi + 1e-9, bin_ms) / 1000.0
        if edges.size < 2:
            raise DataError(f"{path}: window {lo}-{hi} ms is shorter than one {bin_ms} ms bin")
        n_units = len(nwb.units)
        activity = np.zeros((start.size, edges.size - 1, n_units))
        for u in range(n_units):
            spikes = np.asarray(nwb.units["spike_times"][u], float)
            for k, s in enumerate(start):
                activity[k, :, u] = np.histogram(spikes - s, edges)[0]
        labels = {}
        for col in nwb.units.colnames:
            if col in ("spike_times", "obs_intervals", "electrodes", "waveform_mean", "waveform_sd"):
                continue
            values = np.asarray([nwb.units[col][u] for u in range(n_units)])
            if values.ndim == 1:
                labels[col] = values
        return Recording(activity=activity / (bin_ms / 1000.0), dt=bin_ms, conditions=conditions, units=labels,
                         t=edges[:-1] * 1000.0)
    finally:
        io.close()
