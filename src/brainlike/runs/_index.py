"""The SQLite index of runs (standard library ``sqlite3``), behind ``brainlike runs``."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

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
    message TEXT
)
"""

_COLUMNS = ("id", "experiment", "size", "seeds", "status", "created", "updated", "step", "n_steps",
            "claims_passed", "claims_total", "path", "message")


class RunIndex:
    """One row per run: experiment, size, status, progress and claims. Each call opens its own
    connection, so the index is safe to use from several processes one write at a time."""

    def __init__(self, root: str | Path):
        self.path = Path(root) / "index.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        return db

    def upsert(self, run_id: str, **fields: Any) -> None:
        unknown = set(fields) - set(_COLUMNS)
        if unknown:
            raise KeyError(f"unknown run index columns {sorted(unknown)}")
        with self._connect() as db:
            exists = db.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone()
            if exists:
                if fields:
                    sets = ", ".join(f"{k} = ?" for k in fields)
                    db.execute(f"UPDATE runs SET {sets} WHERE id = ?", (*fields.values(), run_id))
            else:
                cols = ["id", *fields]
                db.execute(f"INSERT INTO runs ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                           (run_id, *fields.values()))

    def list(self, experiment: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        query, args = "SELECT * FROM runs", []
        where = []
        if experiment:
            where.append("experiment = ?")
            args.append(experiment)
        if status:
            where.append("status = ?")
            args.append(status)
        if where:
            query += " WHERE " + " AND ".join(where)
        query += " ORDER BY created DESC, id DESC"
        with self._connect() as db:
            return [dict(r) for r in db.execute(query, args).fetchall()]

    def get(self, run_id: str) -> dict[str, Any] | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return dict(row) if row else None
