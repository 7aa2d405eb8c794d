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
    "kriegeskorte2008_92images/92_brainRDMs.mat": "1743f90a15e895798a94318649e80e1123a7e5943a1703fa1dd7c31ea5780b7c",
    "kriegeskorte2008_92images/Kriegeskorte_Neuron2008_supplementalData.mat":
        "06f21214399a5d43dc264eed19a7f4b8daf11c8622a59eec3e106064ce5e3504",
}

#: What each data set is (``brainlike datasets``).
DATASETS = {
    "dabney2020_dopamine": "mouse VTA dopamine neurons, 40 cells x 7 reward sizes (Dabney et al. 2020, Fig. 2)",
    "kriegeskorte2008_92images": "92 object images, monkey IT (674 neurons) and human IT RDMs (Kriegeskorte 2008)",
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
        raise DataError(f"missing data file {path} (expected under the data directory {base})")
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
