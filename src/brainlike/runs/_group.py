"""Grid points of a sweep trained in one program.

Points that differ only in floating-point config values (a learning rate, a penalty, a noise level) usually
share every shape: their networks are stacked with the seeds and trained under one ``vmap``, each network
stepping with its own point's values, which enter the update as traced numbers instead of constants.
Whether that is possible is asked of the experiment itself (:func:`shared_program`): the points' networks
and optimizer states must have the same structure and shapes, and the experiment's update must trace with
the values as arrays. A value that sets a shape, a number of steps or a Python branch fails that test, and
its points run one after another. Each point still gets its own run directory, checkpoints, evaluation
and report, laid out as a run of that point alone would be (so ``brainlike run --resume`` continues one).
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from pathlib import Path
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp

from .._errors import TrainingDiverged
from ..experiments._base import Experiment
from ..plasticity import fit
from ._index import RunIndex
from ._run import RunResult, _finish_run, _open_run, _record_chunk, _seed, init_networks, run_keys
from ._store import now

__all__ = ["shared_program", "group_points", "train_group", "run_group", "GroupDiverged"]


class GroupDiverged(Exception):
    """A network of a group diverged; its points are to be run one by one (to say which one did)."""


def _with_values(config, values: dict[str, Any]):
    """``config`` with ``values`` put in place (traced arrays; the config's own checks saw real numbers)."""
    out = dataclasses.replace(config)
    for name, value in values.items():
        object.__setattr__(out, name, value)
    return out


def _layout(tree) -> tuple:
    """Structure (static fields included) and the shape and dtype of every array leaf."""
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    return treedef, tuple((tuple(x.shape), x.dtype) if hasattr(x, "shape") else x for x in leaves)


def _values_step(experiment: Experiment, config, fields: list[str]):
    """An update of one network whose ``fields`` come with the network, as arrays."""

    def step(model_and_values, opt_state, key):
        model, values = model_and_values
        c = _with_values(config, values)
        model, opt_state, metrics = experiment.step(c, experiment.optimizer(c))(model, opt_state, key)
        return (model, values), opt_state, metrics

    return step


def shared_program(experiment: Experiment, configs: list) -> list[str] | None:
    """The config fields in which ``configs`` differ, when their networks can be trained in one program
    (every differing value a float, the same number of steps, networks and optimizer states of one layout,
    an update that traces with the values as arrays); ``None`` when they cannot."""
    if len(configs) < 2:
        return None
    first = configs[0]
    fields = [f.name for f in dataclasses.fields(first)
              if any(getattr(c, f.name) != getattr(first, f.name) for c in configs[1:])]
    if not fields or any(type(getattr(c, f)) is not float for c in configs for f in fields):
        return None
    if len({experiment.n_steps(c) for c in configs}) != 1:
        return None
    keys = jax.random.PRNGKey(0)[None]
    try:
        layouts = {_layout(eqx.filter_eval_shape(init_networks, experiment, c, keys)) for c in configs}
        if len(layouts) != 1:
            return None
        model, opt_state = _seed(init_networks(experiment, first, keys), 0)
        values = {f: jnp.asarray(getattr(first, f), jnp.float32) for f in fields}
        eqx.filter_eval_shape(_values_step(experiment, first, fields), (model, values), opt_state, keys[0])
    except Exception:  # noqa: BLE001 -- any failure to trace means "not one program"; each point then runs alone
        return None
    return fields


def _stack(trees: list):
    arrays = [eqx.filter(t, eqx.is_array) for t in trees]
    joined = jax.tree_util.tree_map(lambda *xs: jnp.concatenate(xs), *arrays)
    return eqx.combine(joined, eqx.filter(trees[0], eqx.is_array, inverse=True))


def train_group(experiment: Experiment, configs: list, fields: list[str], seeds: int, *, on_chunk=None):
    """The trained networks of every point of ``configs`` (differing only in ``fields``, see
    :func:`shared_program`), ``seeds`` per point, stacked point after point along axis 0 and trained in one
    program. Seed ``k`` of each point starts from the keys a run of that point alone would use.
    ``on_chunk(step, point, models, opt_states, metrics)`` is called for every point after each chunk."""
    first = configs[0]
    init_keys, train_keys, _ = run_keys(first.seed, seeds)
    points = [init_networks(experiment, c, init_keys) for c in configs]
    models, opt_states = _stack([m for m, _ in points]), _stack([o for _, o in points])
    values = {f: jnp.repeat(jnp.asarray([getattr(c, f) for c in configs], jnp.float32), seeds) for f in fields}
    part = [slice(i * seeds, (i + 1) * seeds) for i in range(len(configs))]

    def each_point(step, models_values, opt_states, metrics):
        for i, sl in enumerate(part):
            on_chunk(step, i, _seed(models_values[0], sl), _seed(opt_states, sl), {k: v[sl] for k, v in metrics.items()})

    (models, _), _ = fit((models, values), opt_states, jnp.tile(train_keys, (len(configs), 1)),
                         step=_values_step(experiment, first, fields), n_steps=experiment.n_steps(first),
                         chunk=max(1, int(getattr(first, "checkpoint_every", 100))),
                         on_chunk=each_point if on_chunk else None, progress=False)
    return [_seed(models, sl) for sl in part]


def run_group(experiment: Experiment, configs: list, params: list[dict[str, str]], fields: list[str], *,
              size: str, seeds: int, root: Path, sweep: str | None) -> list[RunResult]:
    """Train the points of ``configs`` together (:func:`train_group`) and finish each as its own run,
    checkpointed, evaluated and reported as a run of that point alone. Raises :class:`GroupDiverged`
    (after removing the group's unfinished runs) when any network's loss stops being finite."""
    from ..data import data_file

    for relative in experiment.data:  # as run_experiment: a missing or corrupt data file stops it first
        data_file(relative)
    index = RunIndex(root)
    runs = [_open_run(index, root, experiment, c, size, seeds, sweep, p) for c, p in zip(configs, params)]
    n_steps = experiment.n_steps(configs[0])

    def on_chunk(step, i, models, opt_states, metrics):
        _record_chunk(runs[i], index, step, n_steps, seeds, models, opt_states, metrics)

    t0 = time.perf_counter()
    try:
        models = train_group(experiment, configs, fields, seeds, on_chunk=on_chunk)
    except TrainingDiverged:
        for run in runs:
            shutil.rmtree(run.path, ignore_errors=True)
            index.remove(run.id)
        raise GroupDiverged() from None
    except KeyboardInterrupt:
        for run in runs:
            index.upsert(run.id, status="interrupted", updated=now())
        raise
    seconds = time.perf_counter() - t0
    eval_keys = run_keys(configs[0].seed, seeds)[2]
    return [_finish_run(experiment, c, run, index, m, eval_keys, size=size, seeds=seeds, n_steps=n_steps,
                        train_seconds=seconds) for c, run, m in zip(configs, runs, models)]


def group_points(experiment: Experiment, configs: list, points: list[dict[str, str]]) -> list[tuple[list[int], list[str] | None]]:
    """Split a sweep's points into groups trained together: points that agree on every grid key whose
    values are not all floats form a candidate group, kept whole when :func:`shared_program` says so and
    split into single points otherwise. Returns ``(indices, fields)`` pairs (``fields`` None: alone)."""
    keys = list(points[0]) if points else []
    floats = [k for k in keys if all(type(getattr(c, k)) is float for c in configs)]
    candidates: dict[tuple, list[int]] = {}
    for i, p in enumerate(points):
        candidates.setdefault(tuple(p[k] for k in keys if k not in floats), []).append(i)
    out = []
    for members in candidates.values():
        fields = shared_program(experiment, [configs[i] for i in members]) if len(members) > 1 else None
        out.extend([(members, fields)] if fields else [([i], None) for i in members])
    return sorted(out, key=lambda g: g[0][0])
