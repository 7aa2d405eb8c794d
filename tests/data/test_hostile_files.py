"""Every loader of a user's file given truncated, overwritten, random or hostile bytes: a DataError naming
the file, or (when the damage misses everything read) a valid result -- never another exception, and never
an unpickled object (a pickle that would leave a marker file when loaded is offered to each)."""

import pickle
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brainlike import DataError, Recording
from brainlike.data import data_file, from_nwb, to_nwb
from brainlike.runs import RunDir

pytest.importorskip("pynwb")

LIKE = {"w": jnp.zeros((3, 4)), "b": jnp.zeros(4)}


class _Marker:
    """Unpickling this creates the file ``path``: the proof that a loader ran pickle."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (Path.touch, (Path(self.path),))


def _recording():
    rng = np.random.default_rng(0)
    return Recording(activity=rng.normal(size=(4, 5, 3)), dt=10.0, conditions={"coherence": np.arange(4.0)})


@pytest.fixture(scope="module")
def valid(tmp_path_factory):
    """One intact file of each kind: NetCDF recording, NWB file, parameters."""
    root = tmp_path_factory.mktemp("valid")
    rec = _recording()
    run = RunDir.create(root / "runs", "hostile")
    run.save_tree("params.eqx", LIKE)
    return {"nc": rec.to_netcdf(root / "r.nc").read_bytes(), "nwb": to_nwb(rec, root / "r.nwb").read_bytes(),
            "eqx": (run.path / "params.eqx").read_bytes()}


def _load(kind: str, path: Path):
    if kind == "nc":
        return Recording.from_netcdf(path)
    if kind == "nwb":
        return from_nwb(path)
    run = RunDir(path.parent)
    return run.load_tree(path.name, LIKE)


def _damaged(data: bytes, how: str, where: float, junk: bytes) -> bytes:
    cut = int(where * len(data))
    if how == "truncate":
        return data[:cut]
    if how == "overwrite":
        return data[:cut] + junk + data[cut + len(junk):]
    return junk  # random bytes in place of the file


@pytest.mark.parametrize("kind", ["nc", "nwb", "eqx"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(how=st.sampled_from(["truncate", "overwrite", "random"]), where=st.floats(0, 1),
       junk=st.binary(min_size=1, max_size=256))
def test_a_damaged_file_is_a_data_error_naming_it_or_still_reads(kind, valid, tmp_path, how, where, junk):
    path = tmp_path / f"damaged.{kind}"
    path.write_bytes(_damaged(valid[kind], how, where, junk))
    try:
        out = _load(kind, path)
    except DataError as e:
        assert str(path) in str(e) and "\n" not in str(e)
        return
    assert out is not None  # the damage missed every byte read: the result is still well-formed
    if kind == "eqx":
        assert {k: v.shape for k, v in out.items()} == {k: v.shape for k, v in LIKE.items()}
    else:
        assert out.activity.ndim == 3


@pytest.mark.parametrize("kind", ["nc", "nwb", "eqx"])
def test_a_pickle_is_never_loaded(kind, tmp_path):
    marker = tmp_path / "unpickled"
    path = tmp_path / f"hostile.{kind}"
    path.write_bytes(pickle.dumps(_Marker(marker)))
    with pytest.raises(DataError, match="hostile"):
        _load(kind, path)
    # the same pickle inside a .npy record, as Equinox's format stores leaves
    npy = tmp_path / f"hostile_npy.{kind}"
    with open(npy, "wb") as f:
        np.save(f, np.array([_Marker(marker)], dtype=object), allow_pickle=True)
    with pytest.raises(DataError, match="hostile_npy"):
        _load(kind, npy)
    assert not marker.exists()


def test_a_shipped_file_replaced_by_another_is_refused_by_its_checksum(tmp_path):
    relative = "dabney2020_dopamine/dabney2020_data.mat"
    from brainlike.data._files import SHA256

    if relative not in SHA256:
        relative = next(iter(SHA256))
    target = tmp_path / relative
    target.parent.mkdir(parents=True)
    target.write_bytes(pickle.dumps(_Marker(tmp_path / "unpickled")))
    with pytest.raises(DataError, match="corrupt data file .*sha256"):
        data_file(relative, root=tmp_path)
    target.unlink()
    with pytest.raises(DataError, match="missing data file"):
        data_file(relative, root=tmp_path)
