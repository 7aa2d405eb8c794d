"""The real rat path (Sargolini et al. 2006): its shape and timing, and a clear error for a damaged copy."""

import shutil

import numpy as np
import pytest

from brainlike import DataError
from brainlike.data import SARGOLINI_FILE, data_file, load_sargolini2006


def _need():
    try:
        return data_file(SARGOLINI_FILE)
    except DataError as e:
        pytest.skip(f"real data not available: {e}")


def test_the_path_is_600_s_at_50_hz_inside_a_1_m_box():
    _need()
    rat = load_sargolini2006()
    assert rat["position"].shape == (29_800, 2) and rat["dt"] == pytest.approx(0.02)
    assert rat["t"][-1] - rat["t"][0] == pytest.approx(600, abs=1)
    assert np.all((rat["position"] > 0) & (rat["position"] < 1))


def test_a_damaged_copy_is_a_data_error_naming_it(tmp_path):
    path = _need()
    (tmp_path / "gridcells").mkdir()
    copy = tmp_path / SARGOLINI_FILE
    shutil.copy(path, copy)
    copy.write_bytes(copy.read_bytes()[:1000])
    with pytest.raises(DataError, match="sargolini2006_trajectory.npz"):
        load_sargolini2006(root=tmp_path)
