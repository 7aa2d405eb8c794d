import numpy as np
import pytest

from brainlike import DataError, Recording


def _rec():
    rng = np.random.default_rng(0)
    return Recording(activity=rng.normal(size=(4, 6, 3)), dt=20.0,
                     conditions={"coherence": np.array([0.0, 6.4, 12.8, 51.2]), "choice": np.array([0, 1, 0, 1])},
                     epochs={"stimulus": np.array([[1, 5]] * 4)}, inputs=rng.normal(size=(4, 6, 3)),
                     outputs=rng.normal(size=(4, 6, 2)), mask=np.ones((4, 6)),
                     units={"cell_type": np.array(["E", "E", "I"])})


def test_netcdf_round_trip(tmp_path):
    rec = _rec()
    path = rec.to_netcdf(tmp_path / "r.nc")
    back = Recording.from_netcdf(path)
    np.testing.assert_array_equal(back.activity, rec.activity)
    np.testing.assert_array_equal(back.t, np.arange(6) * 20.0)
    for k in rec.conditions:
        np.testing.assert_array_equal(back.conditions[k], rec.conditions[k])
    np.testing.assert_array_equal(back.epochs["stimulus"], rec.epochs["stimulus"])
    np.testing.assert_array_equal(back.units["cell_type"], rec.units["cell_type"])
    np.testing.assert_array_equal(back.outputs, rec.outputs)
    ds = rec.to_xarray()
    assert ds["activity"].dims == ("trial", "time", "unit") and ds["time"].attrs["units"] == "ms"


def test_shape_errors_name_the_array():
    with pytest.raises(ValueError, match=r"activity must be \[trials time units\]"):
        Recording(activity=np.zeros((3, 4)), dt=1.0)
    with pytest.raises(ValueError, match=r"conditions\['coherence'\] has shape \(2,\), expected \(3,\)"):
        Recording(activity=np.zeros((3, 4, 2)), dt=1.0, conditions={"coherence": np.zeros(2)})
    with pytest.raises(ValueError, match=r"outputs has shape"):
        Recording(activity=np.zeros((3, 4, 2)), dt=1.0, outputs=np.zeros((3, 5, 2)))


def test_corrupt_and_missing_files_are_named(tmp_path):
    bad = tmp_path / "bad.nc"
    bad.write_bytes(b"not a netcdf file")
    with pytest.raises(DataError, match="bad.nc: not a readable NetCDF"):
        Recording.from_netcdf(bad)
    with pytest.raises(DataError, match="missing.nc: no such recording"):
        Recording.from_netcdf(tmp_path / "missing.nc")


def test_select_and_epoch_mask():
    rec = _rec()
    sub = rec.select(rec.conditions["choice"] == 1)
    assert sub.n_trials == 2 and sub.outputs.shape[0] == 2
    m = rec.epoch_mask("stimulus")
    assert m.shape == (4, 6) and m[0].tolist() == [False, True, True, True, True, False]
