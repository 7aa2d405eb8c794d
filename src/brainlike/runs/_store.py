"""A run directory: everything one run wrote, each file written atomically (DESIGN section 3).

    <root>/<run id>/
        config.json        the experiment, size, seeds and every config field
        versions.json      Python, JAX, Equinox, Optax, brainlike versions and the device
        checkpoint.eqx     step, parameters and optimiser state of every seed (Equinox serialisation
                           behind a sha256 of it); checkpoint.prev.eqx the one before, kept until the
                           next one is written and read back when the newest is corrupt or truncated
        metrics.jsonl      one JSON object per logged step and seed
        params.eqx         final parameters
        recording.nc       the evaluation recording of seed 0 (NetCDF via xarray); recording_seed<k>.nc
        claims.json        [{name, value, threshold, passed, seed, description}]
        results.json       the analysis results behind the claims and figures
        figures/*.png      the paper's figures, re-made
        report.html        claims, figures and config on one page
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import os
import platform
import secrets
from pathlib import Path
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp

from .._errors import BrainlikeError, DataError
from .._atomic import atomic_path, atomic_write_bytes, atomic_write_json, atomic_write_text

__all__ = ["RunDir", "default_root", "now"]

# a checkpoint file: this tag, the sha256 of the payload, then the payload (Equinox's leaf serialisation)
_CHECKPOINT_TAG = b"brainlike-checkpoint-1\n"
CHECKPOINT, PREVIOUS_CHECKPOINT = "checkpoint.eqx", "checkpoint.prev.eqx"


def _checked_payload(path: Path) -> bytes:
    """The payload of a checkpoint file after checking its sha256 (files written before the checksum
    was added are returned whole, unchecked); a mismatch or a cut-short file raises DataError."""
    data = path.read_bytes()
    if not data.startswith(_CHECKPOINT_TAG):
        return data
    digest, payload = data[len(_CHECKPOINT_TAG):len(_CHECKPOINT_TAG) + 32], data[len(_CHECKPOINT_TAG) + 32:]
    if len(digest) < 32 or hashlib.sha256(payload).digest() != digest:
        raise DataError(f"{path}: checksum mismatch, the file is corrupt or truncated ({len(data)} bytes)")
    return payload


def _deserialise(path: Path, data: bytes, like: Any) -> Any:
    """The leaves of ``like`` read from ``data`` (Equinox's serialisation), or DataError naming ``path``."""
    try:
        return eqx.tree_deserialise_leaves(io.BytesIO(data), like)
    except Exception as e:
        raise DataError(f"{path}: cannot be read as parameters of this model ({type(e).__name__}: {e})") from None


def default_root() -> Path:
    """Where runs go: ``$BRAINLIKE_RUNS`` or ``./runs``."""
    return Path(os.environ.get("BRAINLIKE_RUNS", "runs"))


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def versions() -> dict[str, Any]:
    import equinox
    import optax

    from .. import __version__

    return {"brainlike": __version__, "python": platform.python_version(), "jax": jax.__version__,
            "equinox": equinox.__version__, "optax": optax.__version__, "platform": platform.platform(),
            "device": str(jax.devices()[0]), "backend": jax.default_backend()}


class RunDir:
    """One run's directory."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    @property
    def id(self) -> str:
        return self.path.name

    @classmethod
    def create(cls, root: str | Path, experiment: str) -> RunDir:
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = Path(root) / f"{experiment}-{stamp}-{secrets.token_hex(3)}"
        path.mkdir(parents=True, exist_ok=False)
        (path / "figures").mkdir()
        return cls(path)

    # -- small files ---------------------------------------------------------------------------
    def write_json(self, name: str, obj: Any) -> Path:
        return atomic_write_json(self.path / name, obj)

    def read_json(self, name: str) -> Any:
        p = self.path / name
        try:
            return json.loads(p.read_text())
        except FileNotFoundError:
            raise DataError(f"{p}: missing") from None
        except json.JSONDecodeError as e:
            raise DataError(f"{p}: corrupt JSON ({e})") from None

    def write_text(self, name: str, text: str) -> Path:
        return atomic_write_text(self.path / name, text)

    def write_versions(self) -> None:
        self.write_json("versions.json", versions())

    # -- metrics -------------------------------------------------------------------------------
    def append_metrics(self, rows: list[dict[str, Any]]) -> None:
        with open(self.path / "metrics.jsonl", "a") as f:
            for row in rows:
                f.write(json.dumps(row) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def read_metrics(self) -> list[dict[str, Any]]:
        p = self.path / "metrics.jsonl"
        if not p.exists():
            return []
        rows = []
        for line in p.read_text().splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:  # a line cut short by a crash
                continue
        return rows

    def truncate_metrics(self, step: int) -> None:
        """Keep only metrics up to ``step`` (used when resuming from a checkpoint at ``step``)."""
        rows = [r for r in self.read_metrics() if r.get("step", 0) <= step]
        atomic_write_text(self.path / "metrics.jsonl", "".join(json.dumps(r) + "\n" for r in rows))

    # -- parameters ----------------------------------------------------------------------------
    def save_tree(self, name: str, tree: Any) -> Path:
        """Serialise the array leaves of ``tree`` (Equinox's format: NumPy ``.npy`` records, no pickle)."""
        with atomic_path(self.path / name) as tmp:
            with open(tmp, "wb") as f:
                eqx.tree_serialise_leaves(f, tree)
        return self.path / name

    def load_tree(self, name: str, like: Any) -> Any:
        p = self.path / name
        if not p.exists():
            raise DataError(f"{p}: missing")
        return _deserialise(p, p.read_bytes(), like)

    def save_checkpoint(self, step: int, models: Any, opt_states: Any) -> Path:
        """Write the checkpoint (atomically, with its sha256); the one it replaces, if intact, becomes
        ``checkpoint.prev.eqx``, so a crash or a bad disk never leaves a run without a good checkpoint."""
        buf = io.BytesIO()
        eqx.tree_serialise_leaves(buf, (jnp.asarray(step), models, opt_states))
        payload = buf.getvalue()
        current = self.path / CHECKPOINT
        if current.exists():
            try:
                _checked_payload(current)
                os.replace(current, self.path / PREVIOUS_CHECKPOINT)
            except DataError:  # never rotate a bad file over the good previous one
                pass
        return atomic_write_bytes(current, _CHECKPOINT_TAG + hashlib.sha256(payload).digest() + payload)

    def load_checkpoint(self, models_like: Any, opt_like: Any, *, log=None) -> tuple[int, Any, Any]:
        """``(step, models, opt_states)`` from the newest intact checkpoint: ``checkpoint.eqx``, or, when it
        is missing, corrupt or truncated, ``checkpoint.prev.eqx`` (said through ``log``). DataError naming
        every file tried when none can be read."""
        like = (jnp.asarray(0), models_like, opt_like)
        problems = []
        for name in (CHECKPOINT, PREVIOUS_CHECKPOINT):
            p = self.path / name
            if not p.exists():
                continue
            try:
                step, models, opt = _deserialise(p, _checked_payload(p), like)
            except DataError as e:
                problems.append(str(e))
                continue
            if problems and log is not None:
                log(f"{problems[0]}; using {name} (step {int(step)})")
            return int(step), models, opt
        if not problems:
            raise DataError(f"{self.path}: no checkpoint")
        raise DataError("; ".join(problems))

    def has_checkpoint(self) -> bool:
        return (self.path / CHECKPOINT).exists() or (self.path / PREVIOUS_CHECKPOINT).exists()

    def require(self, name: str) -> Path:
        p = self.path / name
        if not p.exists():
            raise BrainlikeError(f"{p}: missing")
        return p
