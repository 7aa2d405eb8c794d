"""The Dabney et al. 2020 dopamine data: checked loading, and one clear error for missing or corrupt files."""

import shutil

import numpy as np
import pytest

from brainlike import DataError
from brainlike.data import DABNEY_MAGNITUDES, data_dir, load_dabney2020


@pytest.fixture
def dabney_root():
    try:
        root = data_dir()
    except DataError as e:
        pytest.skip(str(e))
    if not (root / "dabney2020_dopamine" / "Figure2b.mat").exists():
        pytest.skip(f"no dabney2020_dopamine under {root}")
    return root


def test_loads_40_cells_and_7_sizes_as_a_recording(dabney_root):
    rec = load_dabney2020()
    assert rec.activity.shape == (7 * 60, 1, 40)
    assert np.array_equal(np.unique(rec.conditions["reward"]), DABNEY_MAGNITUDES)
    assert rec.units["published_reversal_point"].shape == (40,)
    # every cell has trials of every size, and padding is NaN
    counts = np.isfinite(rec.activity[:, 0]).reshape(7, 60, 40).sum(axis=1)
    assert (counts > 0).all() and np.isnan(rec.activity).any()


def test_corrupt_and_missing_files_name_the_file(dabney_root, tmp_path):
    (tmp_path / "dabney2020_dopamine").mkdir()
    with pytest.raises(DataError, match="missing data file .*Figure2b.mat"):
        load_dabney2020(tmp_path)
    bad = tmp_path / "dabney2020_dopamine" / "Figure2b.mat"
    shutil.copy(dabney_root / "dabney2020_dopamine" / "Figure2b.mat", bad)
    with open(bad, "r+b") as f:
        f.seek(500)
        f.write(b"\x00\x01\x02")
    with pytest.raises(DataError, match="corrupt data file .*Figure2b.mat: sha256"):
        load_dabney2020(tmp_path)


def test_no_data_directory_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("BRAINLIKE_DATA", raising=False)
    with pytest.raises(DataError, match="set BRAINLIKE_DATA"):
        data_dir()
