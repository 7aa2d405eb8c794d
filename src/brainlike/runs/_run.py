"""Run an experiment end to end: train (resumably), evaluate, check claims, write the report."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import equinox as eqx
import jax
import numpy as np

from .._atomic import atomic_path
from .._config import config_from_dict, config_to_dict
from .._errors import BrainlikeError, ConfigError, TrainingDiverged
from ..experiments._base import Claim, Experiment
from ..plasticity import fit
from ._index import RunIndex
from ._report import render_report
from ._store import RunDir, default_root, now, versions

__all__ = ["RunResult", "run_experiment", "evaluate_run", "seed_keys", "find_resumable"]


@dataclasses.dataclass(frozen=True)
class RunResult:
    run: RunDir
    claims: list[Claim]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.claims)


def seed_keys(seed: int, n_seeds: int) -> jax.Array:
    """One key per seed; seed ``k`` of a sweep gets the same key as a single run would."""
    base = jax.random.PRNGKey(seed)
    return jax.vmap(lambda i: jax.random.fold_in(base, i))(np.arange(n_seeds))


def run_keys(seed: int, seeds: int) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Initialisation, training and evaluation keys of a run's seeds."""
    keys = seed_keys(seed, seeds)
    return tuple(jax.vmap(lambda k, i=i: jax.random.fold_in(k, i))(keys) for i in range(3))


def init_networks(experiment: Experiment, config, init_keys) -> tuple[Any, Any]:
    """The seeds' networks and optimizer states, stacked along axis 0."""
    optimizer = experiment.optimizer(config)
    models = eqx.filter_vmap(lambda k: experiment.init(config, k))(init_keys)
    return models, eqx.filter_vmap(lambda m: experiment.init_optimizer(config, optimizer, m))(models)


def _seed(tree: Any, k: int | slice) -> Any:
    return jax.tree_util.tree_map(lambda x: x[k] if eqx.is_array(x) else x, tree)


def find_resumable(root: Path, experiment: str) -> RunDir:
    """The most recent run of ``experiment`` under ``root`` that did not finish."""
    rows = [r for r in RunIndex(root).list(experiment) if r["status"] not in ("complete",)]
    for r in rows:
        run = RunDir(r["path"])
        if (run.path / "config.json").exists():
            return run
    raise BrainlikeError(f"--resume: no unfinished run of {experiment!r} in {root}")


def run_experiment(experiment: Experiment, config=None, *, size: str = "quick", seeds: int = 1,
                   root: str | Path | None = None, resume: RunDir | bool = False, progress: bool = True,
                   log=print, sweep: str | None = None, params: dict[str, str] | None = None) -> RunResult:
    """Train ``seeds`` networks of ``experiment`` at ``size`` (vmapped, one program), evaluate each,
    and write the run directory. ``resume=True`` continues the newest unfinished run of the experiment
    from its last checkpoint (its saved config and seeds are used). ``sweep`` and ``params`` (the
    overrides that made this run's config) label a run that belongs to a sweep."""
    root = Path(root) if root is not None else default_root()
    from ..data import data_file

    for relative in experiment.data:  # a missing or corrupt data file stops the run before training
        data_file(relative)
    index = RunIndex(root)
    if resume:
        run = resume if isinstance(resume, RunDir) else find_resumable(root, experiment.name)
        saved = run.read_json("config.json")
        if saved.get("experiment") != experiment.name:
            raise ConfigError(f"--resume: {run.path} is a run of {saved.get('experiment')!r}, not {experiment.name!r}")
        config = config_from_dict(experiment.Config, saved["config"])
        size, seeds = saved["size"], saved["seeds"]
        log(f"resuming {run.path}")
    else:
        if config is None:
            config = experiment.config(size)
        if seeds < 1:
            raise ConfigError(f"--seeds must be >= 1, got {seeds}")
        run = _open_run(index, root, experiment, config, size, seeds, sweep, params)

    n_steps = experiment.n_steps(config)
    init_keys, train_keys, eval_keys = run_keys(config.seed, seeds)
    optimizer = experiment.optimizer(config)
    models, opt_states = init_networks(experiment, config, init_keys)
    start = 0
    if resume and run.has_checkpoint():
        start, models, opt_states = run.load_checkpoint(models, opt_states, log=log)
        run.truncate_metrics(start)
        log(f"from checkpoint at step {start}/{n_steps}")

    chunk = max(1, int(getattr(config, "checkpoint_every", 100)))

    def on_chunk(step, models, opt_states, metrics):
        _record_chunk(run, index, step, n_steps, seeds, models, opt_states, metrics)

    t0 = time.perf_counter()
    try:
        models, opt_states = fit(models, opt_states, train_keys, step=experiment.step(config, optimizer),
                                 n_steps=n_steps, start=start, chunk=chunk, on_chunk=on_chunk,
                                 progress=progress, description=experiment.name)
    except TrainingDiverged as e:
        ckpt = str(run.path / "checkpoint.eqx") if run.has_checkpoint() else None
        err = TrainingDiverged(e.step, ckpt)
        index.upsert(run.id, status="diverged", message=str(err), updated=now())
        raise err from None
    except KeyboardInterrupt:
        index.upsert(run.id, status="interrupted", updated=now())
        raise
    train_seconds = time.perf_counter() - t0
    return _finish_run(experiment, config, run, index, models, eval_keys, size=size, seeds=seeds, n_steps=n_steps,
                       train_seconds=train_seconds)


def evaluate_run(run: RunDir | str | Path) -> RunResult:
    """Evaluate a finished run's trained networks again with the installed analysis: its results, claims,
    figures and report are made anew from its saved ``params.eqx``, config and evaluation keys (those of
    :func:`run_experiment`, so an unchanged analysis gives the run's own figures). A network trained once can
    so be scored by a later analysis or claim without training it again. The previous ``results.json`` and
    ``claims.json`` are kept as ``results.prev.json`` and ``claims.prev.json``."""
    from ..experiments import get

    run = run if isinstance(run, RunDir) else RunDir(run)
    saved = run.read_json("config.json")
    experiment = get(str(saved.get("experiment")))
    if not (run.path / "params.eqx").exists():
        raise ConfigError(f"{run.path}: no params.eqx, the run has not finished training; continue it with "
                          f"`brainlike run {experiment.name} --resume`")
    config = config_from_dict(experiment.Config, saved["config"])
    size, seeds = saved["size"], saved["seeds"]
    init_keys, _, eval_keys = run_keys(config.seed, seeds)
    models = run.load_tree("params.eqx", init_networks(experiment, config, init_keys)[0])
    for name in ("results", "claims"):
        if (run.path / f"{name}.json").exists():
            run.write_json(f"{name}.prev.json", run.read_json(f"{name}.json"))
    index = RunIndex(run.path.parent)
    if index.get(run.id) is None:  # a run copied here from elsewhere
        index.upsert(run.id, experiment=experiment.name, size=size, seeds=seeds, status="complete", created=now(),
                     updated=now(), path=str(run.path.resolve()), sweep=saved.get("sweep"),
                     params=json.dumps(saved.get("params") or {}))
    return _finish_run(experiment, config, run, index, models, eval_keys, size=size, seeds=seeds,
                       n_steps=experiment.n_steps(config), train_seconds=None)


def _open_run(index: RunIndex, root: Path, experiment: Experiment, config, size: str, seeds: int,
              sweep: str | None, params: dict[str, str] | None) -> RunDir:
    """A new run directory with its config and versions, and its row in the index."""
    run = RunDir.create(root, experiment.name)
    run.write_json("config.json", {"experiment": experiment.name, "size": size, "seeds": seeds,
                                   "config": config_to_dict(config), "sweep": sweep, "params": params or {}})
    run.write_versions()
    index.upsert(run.id, experiment=experiment.name, size=size, seeds=seeds, status="running",
                 created=now(), updated=now(), path=str(run.path.resolve()), step=0, sweep=sweep,
                 params=json.dumps(params or {}))
    return run


def _record_chunk(run: RunDir, index: RunIndex, step: int, n_steps: int, seeds: int, models, opt_states,
                  metrics: dict) -> None:
    """Checkpoint a run and append its metrics after a chunk of training."""
    run.save_checkpoint(step, models, opt_states)
    rows = []
    for k in range(seeds):
        row = {"step": step, "seed": k, "time": time.time()}
        row.update({name: float(v[k, -1]) for name, v in metrics.items()})
        row["loss_chunk_mean"] = float(np.mean(metrics["loss"][k]))
        rows.append(row)
    run.append_metrics(rows)
    index.upsert(run.id, step=step, n_steps=n_steps, updated=now())


def _finish_run(experiment: Experiment, config, run: RunDir, index: RunIndex, models, eval_keys, *, size: str,
                seeds: int, n_steps: int, train_seconds: float | None) -> RunResult:
    """Save the trained networks, evaluate every seed, write results, claims, figures and the report
    (``train_seconds`` None: the saved networks of a finished run evaluated again)."""
    if train_seconds is not None:
        run.save_tree("params.eqx", models)

    claims: list[Claim] = []
    evaluations = []
    results_all = {}
    for k in range(seeds):
        ev = experiment.evaluate(config, _seed(models, k), eval_keys[k])
        evaluations.append(ev)
        results_all[f"seed{k}"] = ev.results
        for c in ev.claims:
            claims.append(dataclasses.replace(c, seed=k))
        for name, rec in ev.recordings.items():
            suffix = "" if k == 0 else f"_seed{k}"
            stem = "recording" if name == "main" else f"recording_{name}"
            rec.to_netcdf(run.path / f"{stem}{suffix}.nc")
    run.write_json("results.json", results_all)
    run.write_json("claims.json", [c.to_dict() for c in claims])

    metrics = run.read_metrics()
    figure_names = []
    for name, fig in experiment.figures(config, evaluations[0], metrics).items():
        import matplotlib.pyplot as plt

        path = run.path / "figures" / f"{name}.png"
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=110, format="png")
        plt.close(fig)
        figure_names.append(path.name)

    last = [m for m in metrics if m["step"] == n_steps]
    summary = {"steps": n_steps, "final loss (mean over seeds)": float(np.mean([m["loss"] for m in last])) if last
               else float("nan")}
    if train_seconds is None:
        summary["evaluated again"] = f"{now()}, brainlike {versions().get('brainlike', '?')}"
    else:
        summary["train_seconds (this session)"] = round(train_seconds, 2)
    run.write_text("report.html", render_report(
        title=experiment.title, paper=experiment.paper, run_id=run.id, size=size, seeds=seeds,
        claims=[c.to_dict() for c in claims], figures=figure_names, config=config_to_dict(config),
        versions=run.read_json("versions.json"), summary=summary))
    index.upsert(run.id, status="complete", claims_passed=sum(c.passed for c in claims),
                 claims_total=len(claims), updated=now(), step=n_steps, n_steps=n_steps)
    return RunResult(run=run, claims=claims)
