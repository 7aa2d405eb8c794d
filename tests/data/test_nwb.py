"""NWB: a spiking session (units + trials tables) binned into a Recording, and model Recordings written
to NWB and read back unchanged."""

from datetime import datetime, timezone

import numpy as np
import pytest

from brainlike import DataError, Recording
from brainlike.data import from_nwb, to_nwb

pynwb = pytest.importorskip("pynwb")


def session(path, with_trials=True):
    nwb = pynwb.NWBFile(session_description="test session", identifier="t1",
                        session_start_time=datetime(2020, 1, 1, tzinfo=timezone.utc))
    if with_trials:
        nwb.add_trial_column(name="coherence", description="signed coherence")
        for k, coh in enumerate([0.0, 12.8, -12.8]):
            nwb.add_trial(start_time=10.0 * k, stop_time=10.0 * k + 1.0, coherence=coh)
    nwb.add_unit_column(name="depth", description="microns")
    # unit 0: one spike 5 ms and one 25 ms after each trial start; unit 1: 3 spikes in trial 2's first bin
    nwb.add_unit(spike_times=np.sort(np.r_[np.arange(3) * 10.0 + 0.005, np.arange(3) * 10.0 + 0.025]), depth=100.0)
    nwb.add_unit(spike_times=[20.001, 20.002, 20.003], depth=250.0)
    with pynwb.NWBHDF5IO(str(path), "w") as io:
        io.write(nwb)
    return path


def test_spiking_session_is_binned_per_trial(tmp_path):
    rec = from_nwb(session(tmp_path / "s.nwb"), bin_ms=10.0, window=(0.0, 50.0))
    assert rec.activity.shape == (3, 5, 2) and rec.dt == 10.0
    counts = rec.activity * 0.010
    np.testing.assert_allclose(counts[:, :, 0], np.tile([1, 0, 1, 0, 0], (3, 1)))
    np.testing.assert_allclose(counts[:, 0, 1], [0, 0, 3])
    np.testing.assert_allclose(rec.conditions["coherence"], [0.0, 12.8, -12.8])
    np.testing.assert_allclose(rec.units["depth"], [100.0, 250.0])


def test_model_recording_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    rec = Recording(activity=rng.random((4, 6, 3)), dt=20.0,
                    conditions={"coherence": np.array([0.0, 3.2, 6.4, 12.8]), "choice": np.array([0, 1, 1, 0])},
                    epochs={"stimulus": np.tile([1, 5], (4, 1))}, inputs=rng.random((4, 6, 2)),
                    mask=np.ones((4, 6)), units={"sign": np.array([1, -1, 1])})
    back = from_nwb(to_nwb(rec, tmp_path / "model.nwb"))
    np.testing.assert_array_equal(back.activity, rec.activity)
    np.testing.assert_array_equal(back.inputs, rec.inputs)
    np.testing.assert_array_equal(back.mask, rec.mask)
    assert back.dt == rec.dt and back.units["sign"].tolist() == [1, -1, 1]
    for k in rec.conditions:
        np.testing.assert_array_equal(back.conditions[k], rec.conditions[k])
    np.testing.assert_array_equal(back.epochs["stimulus"], rec.epochs["stimulus"])


def test_missing_tables_and_corrupt_files_are_clear_errors(tmp_path):
    with pytest.raises(DataError, match="no trials table"):
        from_nwb(session(tmp_path / "no_trials.nwb", with_trials=False))
    bad = tmp_path / "bad.nwb"
    bad.write_bytes(b"not an hdf5 file")
    with pytest.raises(DataError, match="bad.nwb: not a readable NWB file"):
        from_nwb(bad)
    with pytest.raises(DataError, match="missing NWB file"):
        from_nwb(tmp_path / "nope.nwb")
