"""The 92-image set: images, categories and IT RDMs, sha256-checked."""

import numpy as np
import pytest

from brainlike import DataError
from brainlike.compare import compare_rdms, noise_ceiling
from brainlike.data import data_dir, load_kriegeskorte2008


@pytest.fixture
def images():
    try:
        root = data_dir()
    except DataError as e:
        pytest.skip(str(e))
    if not (root / "kriegeskorte2008_92images").is_dir():
        pytest.skip(f"no kriegeskorte2008_92images under {root}")
    return load_kriegeskorte2008()


def test_images_categories_and_rdms(images):
    assert images.images.shape == (92, 175, 175, 3) and images.images.dtype == np.uint8
    assert images.flags["animate"].sum() == 48 and not (images.flags["animate"] & images.flags["inanimate"]).any()
    assert images.rdms["monkey_it"].shape == (4186,) and images.subject_rdms.shape == (8, 4186)
    # the Figure 1 human IT RDM is the mean of the subjects' sessions
    assert compare_rdms(images.subject_rdms.mean(0), images.rdms["human_it"]) > 0.999
    # monkey and human IT agree (Kriegeskorte et al. 2008, Fig. 1)
    assert compare_rdms(images.rdms["monkey_it"], images.rdms["human_it"]) > 0.3
    c = noise_ceiling(images.subject_rdms, "kendall_tau_a")
    assert 0 < c.lower < c.upper < 1
    # four subjects, two sessions each; a subject's RDM is the mean of its sessions
    names, subjects = images.subjects()
    assert names == ("BE", "KO", "SN", "TI") and subjects.shape == (4, 4186)
    np.testing.assert_allclose(subjects[1], images.subject_rdms[2:4].mean(0))


def test_scoring_a_recording_of_the_92_images_against_it(images):
    from brainlike import Recording
    from brainlike.compare import rdm, score_against

    pixels = images.images.reshape(92, -1).astype(float)
    # two trials per image, in a shuffled order: the scorer averages the trials of each image
    order = np.random.default_rng(0).permutation(np.repeat(np.arange(92), 2))
    rec = Recording(activity=pixels[order][:, None, :], dt=1.0, conditions={"stimulus": order})
    rows = {(r["target"], r["metric"]): r["value"] for r in score_against(rec, "kriegeskorte2008_92images")}
    expected = compare_rdms(rdm(pixels), images.rdms["monkey_it"], "kendall_tau_a")
    assert rows[("monkey_it", "RSA, correlation RDM, kendall_tau_a")] == pytest.approx(expected)
    subjects = images.subjects()[1]
    assert rows[("human_it subjects", "RSA, kendall_tau_a, mean over subjects")] == pytest.approx(
        np.mean(compare_rdms(rdm(pixels), subjects, "kendall_tau_a")))
