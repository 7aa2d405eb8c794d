"""The 92 object images with monkey and human inferior temporal (IT) RDMs (Kriegeskorte, Mur, Ruff, Kiani,
Bodurka, Esteky, Tanaka & Bandettini 2008 Neuron; monkey data of Kiani et al. 2007 J Neurophysiol).

Source: the rsatoolbox demo files (``Kriegeskorte_Neuron2008_supplementalData.mat``: images, category
flags, the Figure 1 RDMs of monkey IT (674 neurons) and human IT (316 voxels); ``92_brainRDMs.mat``:
human IT RDMs of 4 subjects x 2 sessions).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from scipy.spatial.distance import squareform

from .._errors import DataError
from ._files import data_file

__all__ = ["ImageSet", "load_kriegeskorte2008"]


@dataclasses.dataclass(frozen=True)
class ImageSet:
    """Stimuli with the brain RDMs measured for them.

    ``images`` ``[stimuli height width 3]`` uint8; ``labels`` (category name per stimulus) and
    ``flags`` (boolean per stimulus: animate, human, face, ...); ``rdms`` condensed RDMs by name
    (``monkey_it``, ``human_it``); ``subject_rdms`` ``[sessions pairs]`` (the human subjects' sessions)
    with ``subject_names``; :meth:`subjects` averages them per subject, for noise ceilings.
    """

    images: np.ndarray
    labels: np.ndarray
    flags: dict[str, np.ndarray]
    rdms: dict[str, np.ndarray]
    subject_rdms: np.ndarray
    subject_names: tuple[str, ...]

    def subjects(self) -> tuple[tuple[str, ...], np.ndarray]:
        """The human subjects and one RDM each, ``[subjects pairs]``: the sessions of a subject averaged
        (names like ``hIT | BE | Session: 1``). Noise ceilings are computed over subjects, not sessions."""
        who = [n.split("|")[1].strip() if n.count("|") >= 2 else n for n in self.subject_names]
        names = tuple(dict.fromkeys(who))
        return names, np.stack([self.subject_rdms[[i for i, w in enumerate(who) if w == s]].mean(0) for s in names])


def _loadmat(path: Path) -> dict:
    import scipy.io

    try:
        return scipy.io.loadmat(path, squeeze_me=True, struct_as_record=False)
    except Exception as e:
        raise DataError(f"{path}: not a readable MATLAB file ({e})") from None


def _get(mat: dict, name: str, path: Path):
    if name not in mat:
        raise DataError(f"{path}: field {name!r} is missing")
    return mat[name]


def load_kriegeskorte2008(root: str | Path | None = None) -> ImageSet:
    """The 92 images, their categories and the IT RDMs (sha256-checked)."""
    main = data_file("kriegeskorte2008_92images/Kriegeskorte_Neuron2008_supplementalData.mat", root=root)
    subj = data_file("kriegeskorte2008_92images/92_brainRDMs.mat", root=root)
    m = _loadmat(main)
    stimuli = _get(m, "stimuli_92objs", main)
    try:
        images = np.stack([s.image for s in stimuli]).astype(np.uint8)
        labels = np.array([s.category for s in stimuli])
        flags = {name: np.array([bool(getattr(s, name)) for s in stimuli])
                 for name in ("animal", "human", "face", "natural")}
    except AttributeError as e:
        raise DataError(f"{main}: stimuli_92objs lacks a field ({e})") from None
    vectors = _get(m, "categoryVectors", main)
    names = list(_get(m, "categoryLabels", main))
    flags["animate"] = vectors[:, names.index("animate")].astype(bool)
    flags["inanimate"] = vectors[:, names.index("inanim")].astype(bool)
    rdms = {}
    for entry in np.atleast_1d(_get(m, "RDMs_mIT_hIT_fig1", main)):
        key = "monkey_it" if str(entry.name).startswith("mIT") else "human_it" if str(entry.name).startswith("hIT") else str(entry.name)
        rdms[key] = np.asarray(entry.RDM, float).ravel()
    if {"monkey_it", "human_it"} - set(rdms):
        raise DataError(f"{main}: RDMs_mIT_hIT_fig1 lacks the monkey or human IT RDM (found {sorted(rdms)})")
    subjects = np.atleast_1d(_get(_loadmat(subj), "RDMs", subj)).ravel()
    subject_rdms = np.stack([squareform(np.asarray(s.RDM, float), checks=False) for s in subjects])
    n = images.shape[0]
    for name, v in {**rdms, "subjects": subject_rdms[0]}.items():
        if v.size != n * (n - 1) // 2:
            raise DataError(f"{main}: RDM {name!r} has {v.size} entries, expected {n * (n - 1) // 2} for {n} images")
    return ImageSet(images, labels, flags, rdms, subject_rdms, tuple(str(s.name) for s in subjects))
