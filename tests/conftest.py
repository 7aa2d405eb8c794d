import os
from pathlib import Path

import pytest

# Real data lives beside the repository (../shared/data); tests that need it skip when it is absent.
os.environ.setdefault("BRAINLIKE_DATA", str(Path(__file__).resolve().parents[2] / "shared" / "data"))


@pytest.fixture
def runs_root(tmp_path, monkeypatch):
    root = tmp_path / "runs"
    monkeypatch.setenv("BRAINLIKE_RUNS", str(root))
    return root
