"""The ``brainlike`` command: a thin layer over the Python API (DESIGN section 1)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .._errors import BrainlikeError, ConfigError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Task-driven models of brain circuits: train, analyse, compare with the paper.")
console = Console()
err_console = Console(stderr=True)


@app.command("list")
def list_() -> None:
    """Show every experiment, task, circuit and learning rule."""
    from .. import circuits, experiments, plasticity, tasks

    table = Table(title="experiments", show_lines=False)
    table.add_column("name")
    table.add_column("reproduces")
    for name in experiments.names():
        exp = experiments.get(name)
        table.add_row(name, exp.title)
    console.print(table)
    console.print("[bold]tasks:[/bold] " + ", ".join(tasks.names()))
    console.print("[bold]circuits:[/bold] " + ", ".join(circuits.names()))
    console.print("[bold]rules:[/bold] " + ", ".join(plasticity.RULES))


@app.command()
def run(
    experiment: Annotated[str, typer.Argument(help="experiment name (see `brainlike list`)")],
    quick: Annotated[bool, typer.Option("--quick", help="minutes on a laptop CPU; every claim is checked")] = False,
    smoke: Annotated[bool, typer.Option("--smoke", help="seconds; checks the pipeline, not the claims")] = False,
    size: Annotated[Optional[str], typer.Option(help="smoke | quick | paper (default paper)")] = None,
    seeds: Annotated[int, typer.Option(help="networks trained at once (vmapped)")] = 1,
    out: Annotated[Optional[Path], typer.Option(help="run store root (default $BRAINLIKE_RUNS or ./runs)")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="override a config field: key=value")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="continue the newest unfinished run of EXPERIMENT")] = False,
    progress: Annotated[bool, typer.Option(help="show a progress bar")] = True,
) -> None:
    """Train, analyse and report one experiment; prints each claim PASS/FAIL."""
    from .._config import apply_overrides
    from ..experiments import get
    from ..runs import run_experiment

    exp = get(experiment)
    size_ = _size(quick, smoke, size)
    chosen = quick or smoke or size is not None
    config = None
    if resume:
        if set_ or chosen:
            raise ConfigError("--resume continues a run with its saved config: drop --set and the size flags")
    else:
        config = apply_overrides(exp.config(size_), set_ or [])
    result = run_experiment(exp, config, size=size_, seeds=seeds, root=out, resume=resume, progress=progress,
                            log=lambda m: console.print(m))
    _print_claims(result, f"{exp.name} ({size_}): claims")
    if not result.passed and size_ != "smoke":
        raise typer.Exit(1)


@app.command()
def evaluate(
    run_dir: Annotated[Path, typer.Argument(help="a finished run's directory (holds params.eqx)")],
) -> None:
    """Evaluate a finished run's trained networks again with this version's analysis and claims; rewrites its
    results, claims, figures and report (the old results and claims are kept as *.prev.json)."""
    from ..runs import evaluate_run

    result = evaluate_run(run_dir)
    _print_claims(result, f"{result.run.id}: claims")
    size = result.run.read_json("config.json").get("size")
    if not result.passed and size != "smoke":
        raise typer.Exit(1)


def _print_claims(result, title: str) -> None:
    table = Table(title=title)
    for col in ("claim", "seed", "measured", "threshold", "result"):
        table.add_column(col)
    for c in result.claims:
        value = f"{c.value:.4g}" if isinstance(c.value, float) else str(c.value).lower()
        table.add_row(c.name, str(c.seed), value, c.threshold,
                      "[green]PASS[/green]" if c.passed else "[red]FAIL[/red]")
    console.print(table)
    console.print(f"report: {result.run.path / 'report.html'}")


def _size(quick: bool, smoke: bool, size: Optional[str]) -> str:
    chosen = [s for s, on in (("quick", quick), ("smoke", smoke)) if on] + ([size] if size else [])
    if len(set(chosen)) > 1:
        raise ConfigError(f"choose one size, got {', '.join(chosen)}")
    return chosen[0] if chosen else "paper"


@app.command()
def sweep(
    experiment: Annotated[str, typer.Argument(help="experiment name (see `brainlike list`)")],
    grid: Annotated[Optional[list[str]], typer.Option("--grid", help="key=v1,v2,...: values of a config field")] = None,
    seeds: Annotated[int, typer.Option(help="networks per grid point, trained at once (vmapped)")] = 1,
    quick: Annotated[bool, typer.Option("--quick", help="the quick size")] = False,
    smoke: Annotated[bool, typer.Option("--smoke", help="the smoke size")] = False,
    size: Annotated[Optional[str], typer.Option(help="smoke | quick | paper (default paper)")] = None,
    engine: Annotated[str, typer.Option(help="local (one group of points after another) | ray")] = "local",
    address: Annotated[Optional[str], typer.Option(help="Ray cluster address (default: a local Ray)")] = None,
    retries: Annotated[int, typer.Option(help="times a failed point is tried again")] = 1,
    out: Annotated[Optional[Path], typer.Option(help="run store root (default $BRAINLIKE_RUNS or ./runs)")] = None,
) -> None:
    """Train EXPERIMENT at every point of a grid of config values, SEEDS networks per point (points that
    differ only in float values, with the same shapes, trained in one vmapped program)."""
    from ..experiments import get
    from ..runs import default_root, run_sweep

    exp = get(experiment)
    size_ = _size(quick, smoke, size)
    root = out or default_root()
    result = run_sweep(exp, size=size_, seeds=seeds, grid=grid or [], root=root, engine=engine, address=address,
                       retries=retries, log=lambda m: err_console.print(m))
    table = Table(title=f"sweep {result.sweep}")
    for col in ("point", "run", "claims passed"):
        table.add_column(col, overflow="fold")
    for r in result.runs:
        table.add_row(escape(_point(r["params"])), r["run"], f"{r['claims_passed']}/{r['claims_total']}")
    for f in result.failures:
        table.add_row(escape(_point(f["params"])), "[red]failed[/red]", escape(f["error"]))
    console.print(table)
    console.print(f"manifest: {result.manifest}")
    if result.failures:
        raise typer.Exit(1)


def _point(params: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items()) or "(defaults)"


def _sweep_table(root: Path, sweep_id: str) -> None:
    from ..runs import sweep_table

    rows = sweep_table(root, sweep_id)
    if not rows:
        raise BrainlikeError(f"--sweep {sweep_id}: no finished runs of that sweep in {root}")
    table = Table(title=f"sweep {sweep_id}")
    for col in ("point", "seed", "claim", "measured", "threshold", "result"):
        table.add_column(col, overflow="fold")
    for r in rows:
        v = f"{r['value']:.4g}" if isinstance(r["value"], float) else str(r["value"]).lower()
        table.add_row(escape(_point(r["params"])), str(r["seed"]), escape(r["claim"]), v, escape(str(r["threshold"])),
                      "[green]PASS[/green]" if r["passed"] else "[red]FAIL[/red]")
    console.print(table)


@app.command()
def runs(
    experiment: Annotated[Optional[str], typer.Option(help="only this experiment")] = None,
    out: Annotated[Optional[Path], typer.Option(help="run store root")] = None,
    sweep_id: Annotated[Optional[str], typer.Option("--sweep", help="a sweep's table of claims across its runs")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="re-index every run directory from its own files")] = False,
) -> None:
    """List stored runs from the SQLite index."""
    from ..runs import RunIndex, default_root

    root = out or default_root()
    index = RunIndex(root)
    if rebuild:
        console.print(f"re-indexed {index.rebuild()} run directories in {root}")
    if sweep_id:
        _sweep_table(root, sweep_id)
        return
    rows = index.list(experiment)
    table = Table(title=f"runs in {root}")
    table.add_column("id", overflow="fold", min_width=20)
    for col in ("size", "seeds", "status", "step", "claims", "created"):
        table.add_column(col)
    for r in rows:
        claims = "" if r["claims_total"] is None else f"{r['claims_passed']}/{r['claims_total']}"
        step = f"{r['step']}/{r['n_steps']}" if r["n_steps"] else str(r["step"] or 0)
        table.add_row(r["id"], r["size"] or "", str(r["seeds"]), r["status"], step, claims, r["created"])
    console.print(table)


@app.command("show-task")
def show_task(
    name: Annotated[str, typer.Argument(help="task name (see `brainlike list`)")],
    n: Annotated[int, typer.Option(help="trials to plot")] = 3,
    seed: Annotated[int, typer.Option(help="PRNG seed")] = 0,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="task parameter: key=value")] = None,
    out: Annotated[Optional[Path], typer.Option(help="PNG to write (default <name>.png)")] = None,
) -> None:
    """Plot a few trials of a task (inputs, targets, epochs) to a PNG."""
    import typing

    import jax

    from .. import plot, tasks
    from .._config import parse_value, split_assignment

    hints = typing.get_type_hints(tasks.get(name))
    params = {}
    for item in set_ or []:
        key, value = split_assignment(item)
        try:
            params[key] = parse_value(value, hints.get(key, float), where=f"--set {key}")
        except ConfigError:  # an array field (coherences, sigma): a number or a comma-separated list
            params[key] = parse_value(value, tuple[float, ...] if "," in value else float, where=f"--set {key}")
    task = tasks.make(name, **params)
    if n < 1:
        raise ConfigError(f"--n must be >= 1, got {n}")
    batch = task.sample(jax.random.PRNGKey(seed), n)
    fig, _ = plot.trials(batch, n, input_names=getattr(task, "input_names", None),
                         output_names=getattr(task, "output_names", None), title=name)
    path = out or Path(f"{name}.png")
    fig.savefig(path, dpi=110)
    console.print(f"wrote {path}")


@app.command()
def datasets() -> None:
    """List the real data sets, where they were looked for, and whether each file is there and intact."""
    from .._errors import DataError
    from ..data import DATASETS, SHA256, data_dir, data_file

    try:
        root = data_dir()
        where = str(root)
    except DataError as e:
        root, where = None, str(e)
    table = Table(title=f"data sets (looked in: {where})")
    for col in ("name", "what", "files"):
        table.add_column(col, overflow="fold")
    for name, what in DATASETS.items():
        states = []
        for rel in (r for r in SHA256 if r.startswith(name + "/")):
            if root is None:
                states.append(f"{rel.split('/')[-1]}: not looked for")
                continue
            try:
                data_file(rel, root=root)
                states.append(f"{rel.split('/')[-1]}: ok")
            except DataError as e:
                states.append(f"{rel.split('/')[-1]}: {'corrupt' if 'corrupt' in str(e) else 'missing'}")
        table.add_row(name, what, "\n".join(states))
    console.print(table)


@app.command()
def compare(
    run_dir: Annotated[Path, typer.Argument(help="a run directory (holds recording.nc)")],
    dataset: Annotated[str, typer.Argument(help="a data set (see `brainlike datasets`)")],
    recording: Annotated[str, typer.Option(help="which recording of the run (file stem)")] = "recording",
) -> None:
    """Score a run's recording against a shipped data set with the metric that data set calls for."""
    from .._errors import DataError
    from .._recording import Recording
    from ..compare import score_against

    path = run_dir / f"{recording}.nc"
    if not path.is_file():
        raise DataError(f"no {path.name} in {run_dir}")
    rows = score_against(Recording.from_netcdf(path), dataset)
    table = Table(title=f"{run_dir.name} vs {dataset}")
    for col in ("target", "metric", "value"):
        table.add_column(col)
    for r in rows:
        value = f"{r['value']:.4f}" if isinstance(r["value"], float) else str(r["value"])
        table.add_row(r["target"], r["metric"], value)
    console.print(table)


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors end in one line on stderr and exit code 2."""
    try:
        app(args=argv, standalone_mode=True)
    except BrainlikeError as e:
        err_console.print(f"[red]error:[/red] {e}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("interrupted; continue with `brainlike run EXPERIMENT --resume`")
        sys.exit(130)
