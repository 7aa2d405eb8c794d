"""The data directory and checked access to the files in it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .._errors import DataError

__all__ = ["data_dir", "data_file", "SHA256", "DATASETS"]

# Published checksums of the shipped files (shared/data/README.md), by path inside the data directory.
SHA256 = {
    "dabney2020_dopamine/Figure2b.mat": "2647eca8ea2188466aeb83c063fadb023c8f3e89d20f480efcfc493f8f5f8c00",
    "dabney2020_dopamine/Figure2d.mat": "b0be6ac7c2bde08f9cacd7a17ede249f6333dc82fc8ce384570e58529deb7bd5",
    "dezfouli2019_bandit/choices_diagno.csv.zip": "4c88203aaa14303adeff1239d19b246a01f69b0376d7cbbed64b996f17fdf928",
    "dezfouli2019_bandit/id_diag_SC.csv": "b5825219e768ab57378f6994ebc04a8ef83bdacf18d0d2ba47961201a5d583e1",
    "gridcells/sargolini2006_trajectory.npz": "6911a18f3c3216cf0e1cc5d9b41495640cf75b66bfe481fe6db7c4c5d4bbb1b2",
    "kool2017_twostep/daw_2step_stakes_data.mat": "10ab687206f0701742064ba6e36ef35b79995d7e6698ba2811150aa87bae2778",
    "kool2017_twostep/daw_2step_stakes_subinfo.mat": "04664647a2078fb563ded04575d60a8229bdb73059df82d0eff32ec81a40c057",
    "kool2017_twostep/novel_2step_stakes_data.mat": "ef3d505fe0256addaf229d7e07582db91052b8e5c5e1f5079bbab13e26fa3ab5",
    "kriegeskorte2008_92images/92_brainRDMs.mat": "1743f90a15e895798a94318649e80e1123a7e5943a1703fa1dd7c31ea5780b7c",
    "kriegeskorte2008_92images/Kriegeskorte_Neuron2008_supplementalData.mat":
        "06f21214399a5d43dc264eed19a7f4b8daf11c8622a59eec3e106064ce5e3504",
    "padoa_ofc_shi2022/TTcellist_OFC_both.mat": "4be049fe6e7f05ae13fbe161c3911e0e53e85893684c8fd75750c194812dc967",
    "padoa_ofc_shi2022/celldata/G180910a11_data.mat": "b78e8f6a2c887fdedbd258e8a6fb933b11c5ca0985c27b64acd9c45f8ee8cd71",
    "padoa_ofc_shi2022/celldata/G180910a21_data.mat": "3177c650f1fb5cfacfd9c361ecacf290faf964f15331f4503303dcc0cf2725fc",
    "padoa_ofc_shi2022/celldata/G180910a22_data.mat": "c017afcc3a2afbb17f311a5b4edc55a9f35cb941a072e7cb8d0d401b5255525b",
    "padoa_ofc_shi2022/celldata/G180910a31_data.mat": "3b58f1a3bc0869f04dae23064b7a575d30e85e3966b99cfab006f294844ba02e",
    "padoa_ofc_shi2022/celldata/G180910a41_data.mat": "8ea480a2cb549957986c9eb1f132295c16ad93cc35e71b0dcf57fecbbc7a5f74",
    "padoa_ofc_shi2022/celldata/G180910a42_data.mat": "6d5d0a188fbca77af1b9a5567b6d308947bea1ef7938237731f2a1887d7e98c2",
}

#: What each data set is (``brainlike datasets``).
DATASETS = {
    "dabney2020_dopamine": "mouse VTA dopamine neurons, 40 cells x 7 reward sizes (Dabney et al. 2020, Fig. 2)",
    "dezfouli2019_bandit": "human two-armed bandit, 101 people (healthy, depression, bipolar), one row per key press (Dezfouli et al. 2019)",
    "gridcells": "a rat foraging in a 1 m box, 600 s at 50 Hz: positions only (Sargolini et al. 2006, via RatInABox)",
    "kool2017_twostep": "human two-step task with stakes, Daw version (100 people) and novel version (102) (Kool et al. 2017)",
    "kriegeskorte2008_92images": "92 object images, monkey IT (674 neurons) and human IT RDMs (Kriegeskorte 2008)",
    "padoa_ofc_shi2022": "monkey OFC during juice choice: one session of 6 cells and the classes of 1,526 cells (Shi et al. 2022)",
}

_checked: dict[tuple[str, int, int], bool] = {}


def data_dir() -> Path:
    """The data directory: ``$BRAINLIKE_DATA``."""
    root = os.environ.get("BRAINLIKE_DATA")
    if not root:
        raise DataError("no data directory: set BRAINLIKE_DATA to the folder that holds the real data sets")
    path = Path(root).expanduser()
    if not path.is_dir():
        raise DataError(f"BRAINLIKE_DATA={root} is not a directory")
    return path


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def data_file(relative: str, *, root: str | Path | None = None) -> Path:
    """The path of a shipped file, after checking that it exists and that its sha256 is the published one."""
    base = Path(root) if root is not None else data_dir()
    path = base / relative
    if not path.is_file():
        expected = SHA256.get(relative)
        checksum = f", sha256 {expected}" if expected else ""
        raise DataError(f"missing data file {path} (expected under the data directory {base}, set by BRAINLIKE_DATA"
                        f"{checksum})")
    expected = SHA256.get(relative)
    if expected is not None:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        if key not in _checked:
            got = _sha256(path)
            if got != expected:
                raise DataError(f"corrupt data file {path}: sha256 {got[:12]}..., expected {expected[:12]}...")
            _checked[key] = True
    return path
