"""Loaders of the human choice data: the counts the papers report, and clear errors."""

import shutil

import pytest

from brainlike import DataError
from brainlike.data import KOOL_COMMON, load_dezfouli2019, load_kool2017


def _need(path):
    from brainlike.data import data_file

    try:
        data_file(path)
    except DataError as e:
        pytest.skip(f"real data not available: {e}")


def test_dezfouli_table():
    _need("dezfouli2019_bandit/choices_diagno.csv.zip")
    t = load_dezfouli2019()
    assert t["subject"].nunique() == 101
    assert t.groupby("diagnosis")["subject"].nunique().to_dict() == {"bipolar": 33, "depression": 34, "healthy": 34}
    assert (t.groupby("subject")["block"].nunique() == 12).all()
    assert set(t["choice"].unique()) == {0, 1} and set(t["reward"].unique()) == {0, 1}
    first = t[t["press"] == 0]
    assert len(first) == 101 * 12
    # the key paying more often is rewarded more often, in every probability set
    rate = t.groupby(["condition", "choice"])["reward"].mean().unstack()
    assert (rate.max(axis=1) > rate.min(axis=1)).all()


def test_kool_table():
    _need("kool2017_twostep/daw_2step_stakes_data.mat")
    t = load_kool2017("daw")
    assert t["subject"].nunique() == 100 and len(t) == 100 * 200
    ok = t[~t["missed"]]
    assert ok["common"].mean() == pytest.approx(KOOL_COMMON, abs=0.02)
    assert set(ok["choice"].unique()) == {0, 1} and ok["rewarded"].dtype == bool
    assert t["missed"].mean() < 0.05
    novel = load_kool2017("novel")
    assert novel["subject"].nunique() == 102
    with pytest.raises(DataError, match="unknown Kool"):
        load_kool2017("bogus")


def test_corrupt_and_missing_files(tmp_path):
    _need("kool2017_twostep/daw_2step_stakes_data.mat")
    from brainlike.data import data_dir

    (tmp_path / "kool2017_twostep").mkdir()
    shutil.copy(data_dir() / "kool2017_twostep/daw_2step_stakes_data.mat", tmp_path / "kool2017_twostep")
    with open(tmp_path / "kool2017_twostep/daw_2step_stakes_data.mat", "r+b") as f:
        f.seek(2000)
        f.write(b"\x00" * 16)
    with pytest.raises(DataError, match="corrupt data file"):
        load_kool2017("daw", root=tmp_path)
    with pytest.raises(DataError, match="missing data file"):
        load_dezfouli2019(root=tmp_path)
