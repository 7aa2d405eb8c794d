"""Runs: the run store (atomic files, checkpoints, SQLite index), the report and the experiment runner."""

from .._atomic import atomic_write_bytes, atomic_write_json, atomic_write_text
from ._index import RunIndex
from ._run import RunResult, evaluate_run, find_resumable, run_experiment, seed_keys
from ._store import RunDir, default_root
from ._sweep import SweepResult, grid_points, parse_grid, run_sweep, sweep_figure, sweep_table

__all__ = ["RunDir", "RunIndex", "RunResult", "run_experiment", "evaluate_run", "find_resumable", "seed_keys", "default_root",
           "atomic_write_bytes", "atomic_write_json", "atomic_write_text", "run_sweep", "SweepResult", "parse_grid",
           "grid_points", "sweep_table", "sweep_figure"]
