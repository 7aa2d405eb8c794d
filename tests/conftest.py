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


def _memory_mappings() -> int:
    try:
        with open("/proc/self/maps", "rb") as f:
            return sum(1 for _ in f)
    except OSError:  # not Linux: no such limit to stay under
        return 0


@pytest.fixture(autouse=True)
def _release_compiled_programs():
    """Free the XLA programs compiled so far once this process holds many memory mappings. Every compiled
    CPU program keeps mappings of its own until its jit cache entry goes, and one pytest process compiling
    the whole suite's programs reached the kernel's limit of 65,530 (vm.max_map_count) and crashed inside the
    XLA compiler (a segfault or abort, always in the same late test). Clearing only past a threshold keeps
    the programs that neighbouring tests share compiled, in whatever order pytest-xdist deals the tests."""
    yield
    if _memory_mappings() > 20_000:
        import gc

        import jax

        jax.clear_caches()
        gc.collect()
