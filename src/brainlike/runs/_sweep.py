"""Sweeps: one experiment trained over seeds and a grid of config values, every run in the run store.

Task-driven modelling is done in populations of networks (Maheswaranathan et al. 2019 NeurIPS trained
thousands of RNNs to ask which dynamics are universal); a sweep is such a population. Each grid point is one
run of ``seeds`` networks; points that differ only in float values whose networks share every shape are
trained together, seeds and points in one vmapped program (:mod:`._group`), the others one point per
program (:func:`run_experiment`). The groups run one after another (``engine="local"``) or as Ray tasks,
one per group, on a cluster or on local worker processes (``engine="ray"``, the optional ``ray`` extra),
each writing its runs to the same store. A point that fails is retried
(``retries``) and then reported, never dropped: the sweep's manifest ``sweeps/<id>.json`` lists every point,
its run, or its error.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import itertools
import json
import secrets
from pathlib import Path
from typing import Any

import jax

from .._atomic import atomic_path, atomic_write_json
from .._config import apply_overrides, config_from_dict, config_to_dict, split_assignment
from .._errors import BrainlikeError, ConfigError, DataError, TrainingDiverged
from ..experiments._base import Experiment
from ._group import GroupDiverged, group_points, run_group
from ._index import RunIndex
from ._run import run_experiment
from ._store import RunDir, default_root, now

__all__ = ["parse_grid", "grid_points", "run_sweep", "SweepResult", "sweep_table", "sweep_figure"]


def _split_values(text: str) -> list[str]:
    """``"1,2,(3,4)"`` -> ``["1", "2", "(3,4)"]``: commas inside brackets belong to a tuple value."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    out.append(cur.strip())
    return out


def parse_grid(items: list[str]) -> dict[str, list[str]]:
    """``["lr=1e-3,1e-2", "n_units=64"]`` -> ``{"lr": ["1e-3", "1e-2"], "n_units": ["64"]}``."""
    grid: dict[str, list[str]] = {}
    for item in items:
        key, text = split_assignment(item)
        values = _split_values(text)
        if not key or any(v == "" for v in values):
            raise ConfigError(f"--grid {item!r}: expected key=v1,v2,... with no empty value")
        if key in grid:
            raise ConfigError(f"--grid {key}: given twice")
        grid[key] = values
    return grid


def grid_points(grid: dict[str, list[str]]) -> list[dict[str, str]]:
    """Every combination of the grid's values, the first key varying slowest (one empty point for no grid)."""
    keys = list(grid)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(grid[k] for k in keys))]


@dataclasses.dataclass(frozen=True)
class SweepResult:
    """``runs``: one entry per grid point that finished (``params``, ``run``, ``claims_passed``,
    ``claims_total``); ``failures``: the points that did not (``params``, ``error``)."""

    sweep: str
    runs: list[dict[str, Any]]
    failures: list[dict[str, Any]]
    manifest: Path


def _one_point(name: str, config: dict, size: str, seeds: int, root: str, sweep: str, params: dict) -> dict:
    """Train and evaluate one grid point (in this process or a Ray worker); a plain dict comes back."""
    from ..experiments import get

    exp = get(name)
    cfg = config_from_dict(exp.Config, config)
    try:
        res = run_experiment(exp, cfg, size=size, seeds=seeds, root=root, progress=False, log=lambda m: None,
                             sweep=sweep, params=params)
    except TrainingDiverged as e:  # an answer, not a fault: the same seed diverges again, so no retry
        return {"params": params, "error": f"TrainingDiverged: {e}"}
    finally:
        # Each point compiles programs of its own. Kept, they pile up in one process: every compiled
        # CPU program holds memory mappings, and a few thousand reach the kernel's vm.max_map_count
        # (65,530), where the XLA compiler crashes; what one point compiled is of little use to the next.
        jax.clear_caches()
    return {"params": params, "run": res.run.id, "claims_passed": sum(c.passed for c in res.claims),
            "claims_total": len(res.claims)}


def _one_group(name: str, configs: list[dict], size: str, seeds: int, root: str, sweep: str, params: list[dict],
               fields: list[str] | None) -> list[dict]:
    """Train and evaluate a group of points (one program when ``fields`` names what they differ in; one
    point per program otherwise, or when a network of the group diverges); one dict per point."""
    from ..experiments import get

    if not fields:
        return [_one_point(name, c, size, seeds, root, sweep, p) for c, p in zip(configs, params)]
    exp = get(name)
    cfgs = [config_from_dict(exp.Config, c) for c in configs]
    try:
        results = run_group(exp, cfgs, params, fields, size=size, seeds=seeds, root=Path(root), sweep=sweep)
    except GroupDiverged:  # which point diverged is found by running each alone
        return [_one_point(name, c, size, seeds, root, sweep, p) for c, p in zip(configs, params)]
    finally:
        jax.clear_caches()  # see _one_point
    return [{"params": p, "run": r.run.id, "claims_passed": sum(c.passed for c in r.claims),
             "claims_total": len(r.claims)} for p, r in zip(params, results)]


def run_sweep(experiment: Experiment, *, size: str = "quick", seeds: int = 1, grid: list[str] | None = None,
              root: str | Path | None = None, engine: str = "local", address: str | None = None,
              retries: int = 1, log=print) -> SweepResult:
    """Train ``experiment`` at every point of ``grid`` (``key=v1,v2`` strings) with ``seeds`` networks per
    point. Every point's config is checked before anything trains (a bad key or value is one ConfigError)."""
    if engine not in ("local", "ray"):
        raise ConfigError(f"--engine: unknown engine {engine!r}; known: local, ray")
    if seeds < 1 or retries < 0:
        raise ConfigError(f"--seeds must be >= 1 and --retries >= 0, got {seeds} and {retries}")
    root = Path(root) if root is not None else default_root()
    points = grid_points(parse_grid(grid or []))
    configs = [apply_overrides(experiment.config(size), p) for p in points]
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    sweep = f"{experiment.name}-sweep-{stamp}-{secrets.token_hex(3)}"
    manifest = root / "sweeps" / f"{sweep}.json"
    RunIndex(root)  # an unreadable index is rebuilt now, before the first point trains
    state: dict[str, Any] = {"sweep": sweep, "experiment": experiment.name, "size": size, "seeds": seeds,
                             "grid": grid or [], "engine": engine, "created": now(), "status": "running",
                             "points": [{"params": p, "status": "pending"} for p in points]}
    atomic_write_json(manifest, state)
    runs, failures = [], []

    def record(i: int, outcome: dict | None, error: str | None) -> None:
        if outcome is not None and "error" in outcome:
            outcome, error = None, outcome["error"]
        if outcome is not None:
            runs.append(outcome)
            state["points"][i] = {**outcome, "status": "complete"}
        else:
            failures.append({"params": points[i], "error": error})
            state["points"][i] = {"params": points[i], "status": "failed", "error": error}
            log(f"sweep point {points[i] or '(defaults)'} failed: {error}")
        atomic_write_json(manifest, state)

    groups = group_points(experiment, configs, points)
    args = [(experiment.name, [config_to_dict(configs[i]) for i in members], size, seeds, str(root), sweep,
             [points[i] for i in members], fields) for members, fields in groups]
    for members, fields in groups:
        if fields:
            log(f"{len(members)} points ({', '.join(fields)}) x {seeds} seeds trained in one program")
    if engine == "local":
        for (members, _), a in zip(groups, args):
            outcomes, error = None, None
            for _attempt in range(retries + 1):
                try:
                    outcomes, error = _one_group(*a), None
                    break
                except BrainlikeError as e:  # e.g. a missing data file: tried again, then the other points go on
                    error = f"{type(e).__name__}: {e}"
            for j, i in enumerate(members):
                record(i, outcomes[j] if outcomes else None, error)
    else:
        for g, outcomes, error in _ray_groups(args, address, retries):
            for j, i in enumerate(groups[g][0]):
                record(i, outcomes[j] if outcomes else None, error)
    runs.sort(key=lambda r: points.index(r["params"]))  # groups finish out of grid order
    state["status"] = "complete" if not failures else "failed points"
    state["finished"] = now()
    atomic_write_json(manifest, state)
    rows = sweep_table(root, sweep)
    if rows:
        import matplotlib.pyplot as plt

        fig = sweep_figure(rows)
        with atomic_path(manifest.with_suffix(".png")) as tmp:
            fig.savefig(tmp, dpi=110, format="png")
        plt.close(fig)
    return SweepResult(sweep=sweep, runs=runs, failures=failures, manifest=manifest)


def _ray_groups(args: list[tuple], address: str | None, retries: int):
    """Yield ``(group, outcomes, error)`` for every group of points, each a Ray task retried up to
    ``retries`` times."""
    try:
        import ray
    except ImportError:
        raise ConfigError("--engine ray needs Ray: pip install 'brainlike[ray]'") from None
    started = False
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
        started = True
    try:
        task = ray.remote(max_retries=retries, retry_exceptions=True)(_one_group)
        refs = [task.remote(*a) for a in args]
        for i, ref in enumerate(refs):
            try:
                yield i, ray.get(ref), None
            except Exception as e:  # RayTaskError wraps the worker's exception; a dead worker is another
                cause = getattr(e, "cause", None) or e
                lines = str(cause).strip().splitlines()
                yield i, None, f"{type(cause).__name__}: {lines[-1] if lines else ''}"
    finally:
        if started:
            ray.shutdown()


def sweep_table(root: str | Path, sweep: str) -> list[dict[str, Any]]:
    """One row per run of ``sweep``, seed and claim: ``run``, ``params``, ``seed``, ``claim``, ``value``,
    ``threshold``, ``passed`` -- read from each run's own ``claims.json``."""
    rows = []
    for r in sorted(RunIndex(root).list(sweep=sweep), key=lambda r: r["created"]):
        try:
            claims = RunDir(r["path"]).read_json("claims.json")
        except DataError:  # not finished (or its claims file is damaged): not in the table
            continue
        params = json.loads(r["params"] or "{}")
        for c in claims:
            rows.append({"run": r["id"], "params": params, "seed": c.get("seed", 0), "claim": c["name"],
                         "value": c["value"], "threshold": c["threshold"], "passed": bool(c["passed"])})
    return rows


def sweep_figure(rows: list[dict[str, Any]]):
    """The distribution of each claim's value over the sweep's runs and seeds (one panel per claim; a dot
    per network, green where the claim passed), grouped by grid point."""
    import matplotlib.pyplot as plt
    import numpy as np

    claims = list(dict.fromkeys(r["claim"] for r in rows))
    labels = list(dict.fromkeys(json.dumps(r["params"], sort_keys=True) for r in rows))
    import textwrap

    fig, axs = plt.subplots(len(claims), 1, figsize=(max(6.0, 1.2 * len(labels) + 2), 1.9 * len(claims)),
                            squeeze=False, constrained_layout=True)
    rng = np.random.default_rng(0)  # horizontal jitter of the dots only
    for ax, claim in zip(axs[:, 0], claims):
        for j, lab in enumerate(labels):
            pts = [r for r in rows if r["claim"] == claim and json.dumps(r["params"], sort_keys=True) == lab]
            vals = np.array([float(r["value"]) for r in pts], float)
            ok = np.array([r["passed"] for r in pts], bool)
            x = j + rng.uniform(-0.15, 0.15, len(vals))
            ax.scatter(x[ok], vals[ok], s=12, color="tab:green")
            ax.scatter(x[~ok], vals[~ok], s=12, color="tab:red")
        threshold = next(r["threshold"] for r in rows if r["claim"] == claim)
        ax.set_title(textwrap.fill(f"{claim} ({threshold})", 80), fontsize=8)
        ax.set_xlim(-0.5, len(labels) - 0.5)
        ax.set_xticks(range(len(labels)))
        ax.set_xticklabels([", ".join(f"{k}={v}" for k, v in json.loads(lab).items()) or "defaults"
                            for lab in labels], fontsize=7)
        ax.tick_params(labelsize=7)
    return fig
