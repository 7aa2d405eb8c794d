"""The SQLite index of runs (standard library ``sqlite3``), behind ``brainlike runs``.

The run directories are the record; the index is a summary of them for listing. It is kept in WAL mode
and every write is one ``BEGIN IMMEDIATE`` transaction, so several processes may write the same run store
at once. An index that SQLite cannot read (or whose integrity check fails) is set aside as
``index.sqlite.corrupt-<time>``, said in a warning, and rebuilt from the run directories.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import sqlite3
import warnings
from pathlib import Path
from typing import Any

from .._errors import DataError

__all__ = ["RunIndex"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    experiment TEXT NOT NULL,
    size TEXT,
    seeds INTEGER,
    status TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    step INTEGER DEFAULT 0,
    n_steps INTEGER,
    claims_passed INTEGER,
    claims_total INTEGER,
    path TEXT NOT NULL,
    message TEXT,
    sweep TEXT,
    params TEXT
)
"""

_COLUMNS = ("id", "experiment", "size", "seeds", "status", "created", "updated", "step", "n_steps",
            "claims_passed", "claims_total", "path", "message", "sweep", "params")
# columns added after the first index files were written: (name, SQL type), added to an older index on open
_ADDED = (("sweep", "TEXT"), ("params", "TEXT"))


class RunIndex:
    """One row per run: experiment, size, status, progress and claims. Each call opens its own
    connection and each write is one transaction, so several processes may share one index."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.path = self.root / "index.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._open()
        except sqlite3.DatabaseError as e:
            stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
            self.path.replace(aside)
            for extra in ("-wal", "-shm"):
                self.path.with_name(self.path.name + extra).unlink(missing_ok=True)
            n = self.rebuild()
            warnings.warn(f"{self.path}: unreadable run index ({e}); set aside as {aside.name} and rebuilt "
                          f"from {n} run directories", stacklevel=2)

    def _open(self) -> None:
        with self._connect() as db:
            ok = db.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise sqlite3.DatabaseError(f"integrity check: {ok}")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)
            have = {r[1] for r in db.execute("PRAGMA table_info(runs)")}
            for name, sql_type in _ADDED:
                if name not in have:
                    db.execute(f"ALTER TABLE runs ADD COLUMN {name} {sql_type}")

    def _connect(self) -> contextlib.closing[sqlite3.Connection]:
        """A connection that ``with`` closes (sqlite3's own context manager only commits)."""
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)  # transactions are explicit
        db.row_factory = sqlite3.Row
        return contextlib.closing(db)

    def upsert(self, run_id: str, **fields: Any) -> None:
        unknown = set(fields) - set(_COLUMNS)
        if unknown:
            raise KeyError(f"unknown run index columns {sorted(unknown)}")
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")  # the write lock first: the check and the write are one step
            try:
                exists = db.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone()
                if exists:
                    if fields:
                        sets = ", ".join(f"{k} = ?" for k in fields)
                        db.execute(f"UPDATE runs SET {sets} WHERE id = ?", (*fields.values(), run_id))
                else:
                    cols = ["id", *fields]
                    db.execute(f"INSERT INTO runs ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                               (run_id, *fields.values()))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def remove(self, run_id: str) -> None:
        """Forget a run (its directory is the caller's to delete)."""
        with self._connect() as db:
            db.execute("DELETE FROM runs WHERE id = ?", (run_id,))

    def rebuild(self) -> int:
        """Index every run directory under the root from its own files (config, metrics, claims);
        returns how many. Used when the index is lost or corrupt."""
        from ._store import RunDir

        self._open()
        n = 0
        for config in sorted(self.root.glob("*/config.json")):
            run = RunDir(config.parent)
            try:
                saved = run.read_json("config.json")
            except DataError:
                continue
            stamp = _dt.datetime.fromtimestamp(config.stat().st_mtime, _dt.timezone.utc).isoformat(timespec="seconds")
            step = max((int(m.get("step", 0)) for m in run.read_metrics() if isinstance(m, dict)), default=0)
            fields: dict[str, Any] = {"experiment": str(saved.get("experiment", "?")), "size": saved.get("size"),
                                      "seeds": saved.get("seeds"), "path": str(run.path.resolve()),
                                      "sweep": saved.get("sweep"), "params": json.dumps(saved.get("params") or {}),
                                      "created": stamp, "updated": stamp, "step": step, "status": "interrupted"}
            try:
                claims = run.read_json("claims.json")
            except DataError:
                claims = None
            if isinstance(claims, list) and all(isinstance(c, dict) for c in claims):
                fields.update(claims_total=len(claims), claims_passed=sum(bool(c.get("passed")) for c in claims))
                if (run.path / "report.html").exists():
                    fields.update(status="complete", n_steps=step)
            self.upsert(run.id, **fields)
            n += 1
        return n

    def list(self, experiment: str | None = None, status: str | None = None,
             sweep: str | None = None) -> list[dict[str, Any]]:
        query, args = "SELECT * FROM runs", []
        where = []
        for column, value in (("experiment", experiment), ("status", status), ("sweep", sweep)):
            if value:
                where.append(f"{column} = ?")
                args.append(value)
        if where:
            query += " WHERE " + " AND ".join(where)
        query += " ORDER BY created DESC, id DESC"
        with self._connect() as db:
            return [dict(r) for r in db.execute(query, args).fetchall()]

    def get(self, run_id: str) -> dict[str, Any] | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return dict(row) if row else None
