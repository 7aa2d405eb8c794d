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
