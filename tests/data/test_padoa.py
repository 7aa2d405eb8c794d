"""The shipped OFC session and cell list (Shi, Ballesta & Padoa-Schioppa 2022): checked loading, rates
recomputed from the spike times, choices against the authors' own choice table."""

import shutil

import numpy as np
import pytest

from brainlike import DataError, data


def _need():
    try:
        data.data_file("padoa_ofc_shi2022/TTcellist_OFC_both.mat")
    except DataError as e:
        pytest.skip(f"real data not available: {e}")


def test_the_session_loads_with_rates_per_window():
    _need()
    s = data.load_padoa_session()
    rec = s.recording
    assert rec.activity.shape == (352, len(data.PADOA_WINDOWS), 6) and s.windows[1] == "postoffer"
    assert rec.units["cell"][0] == "G180910a11" and np.all(rec.activity >= 0)
    # one rate recomputed from the raw spike times, independently of the loader's loop
    import scipy.io

    mat = scipy.io.loadmat(data.data_file("padoa_ofc_shi2022/celldata/G180910a31_data.mat"))
    trial = int(mat["goodTrials_JC"][10, 0])
    ev = mat["psyphydata"]
    onset = ev[(ev[:, 1] == trial) & (ev[:, 2] == 30), 0][0]
    spikes = mat["celldata"][mat["celldata"][:, 1] == trial, 0].astype(float)
    expected = np.sum((spikes >= onset + 100) & (spikes < onset + 600)) / 0.5
    assert s.window("postoffer")[10, 3] == pytest.approx(expected)


def test_the_choices_match_the_authors_choice_table():
    _need()
    import scipy.io

    b = data.load_padoa_session().behaviour
    path = data.data_dir() / "padoa_ofc_shi2022/bhvdata/G180910a11_bhvParams.mat"
    table = scipy.io.loadmat(path)["table01_all_JC"][0, 0]["pooldir"][0, 0]  # qA, qB, P(choose B), n
    for qa, qb, p_b, n in table:
        sel = (b["offer_a"] == abs(qa)) & (b["offer_b"] == abs(qb))
        assert sel.sum() == n
        assert np.mean(b["chose_a"][sel] == 0) == pytest.approx(p_b)


def test_the_published_cell_classes():
    _need()
    c = data.load_padoa_cell_classes()
    counts = {k: int(np.sum(c["label"] == k)) for k in data.PADOA_CLASS_NAMES.values()}
    assert counts == {"not selected": 853, "untuned": 95, "offer value": 230, "chosen value": 192, "chosen juice": 156}
    assert set(c["subclass"][c["cellclass"] == 1]) <= {1, 2}  # offer value A or B
    with pytest.raises(DataError, match="unknown task"):
        data.load_padoa_cell_classes(task="XX")


def test_a_missing_or_altered_file_names_the_file_its_checksum_and_the_folder(tmp_path):
    _need()
    with pytest.raises(DataError, match=r"G180910a11_data.mat .*BRAINLIKE_DATA, sha256 b78e8f6a"):
        data.load_padoa_session(root=tmp_path)
    src = data.data_dir() / "padoa_ofc_shi2022"
    dst = tmp_path / "padoa_ofc_shi2022"
    shutil.copytree(src, dst)
    target = dst / "celldata/G180910a22_data.mat"
    target.chmod(0o644)
    target.write_bytes(target.read_bytes()[:-100])
    with pytest.raises(DataError, match="corrupt data file .*G180910a22_data.mat"):
        data.load_padoa_session(root=tmp_path)
