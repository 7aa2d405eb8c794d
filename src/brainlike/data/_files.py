"""The data directory and checked access to the files in it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .._errors import DataError

__all__ = ["data_dir", "data_file", "SHA256"]

# Published checksums of the shipped files (shared/data/README.md), by path inside the data directory.
SHA256 = {
    "dabney2020_dopamine/Figure2b.mat": "2647eca8ea2188466aeb83c063fadb023c8f3e89d20f480efcfc493f8f5f8c00",
    "dabney2020_dopamine/Figure2d.mat": "b0be6ac7c2bde08f9cacd7a17ede249f6333dc82fc8ce384570e58529deb7bd5",
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
