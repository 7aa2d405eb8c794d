"""The training loop: chunks of jitted, seed-vmapped updates with checkpoints and a progress bar.

Step ``s`` of seed ``k`` always uses the key ``fold_in(key_k, s)``, so a run that is stopped and
resumed from a checkpoint reproduces the uninterrupted run exactly.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from .._errors import TrainingDiverged

__all__ = ["make_chunk", "fit"]


def make_chunk(step: Callable, length: int) -> Callable:
    """``length`` consecutive updates for every seed at once: vmap over seeds of a scan over steps.

    A step that branches on its data (``step.branches_on_data``, e.g. :func:`make_update` with
    ``time_buckets``) runs a single seed without vmap, so that only the taken branch is computed (vmap turns a
    batched ``lax.switch`` into a select of every branch). Other steps keep the vmap for one seed too: the two
    programs round differently, and each experiment's results were checked with the vmapped one."""

    def one_seed(model, opt_state, key, start):
        def body(carry, s):
            model, opt_state = carry
            model, opt_state, metrics = step(model, opt_state, jax.random.fold_in(key, s))
            return (model, opt_state), metrics

        (model, opt_state), metrics = jax.lax.scan(body, (model, opt_state), start + jnp.arange(length))
        return model, opt_state, metrics

    batched = eqx.filter_vmap(one_seed, in_axes=(0, 0, 0, None))
    if not getattr(step, "branches_on_data", False):
        return eqx.filter_jit(batched)

    def chunk(models, opt_states, keys, start):
        if keys.shape[0] != 1:
            return batched(models, opt_states, keys, start)
        first = functools.partial(jax.tree.map, lambda x: x[0] if eqx.is_array(x) else x)
        out = one_seed(first(models), first(opt_states), keys[0], start)
        return jax.tree.map(lambda x: x[None] if eqx.is_array(x) else x, out)

    return eqx.filter_jit(chunk)


def fit(models, opt_states, keys, *, step: Callable, n_steps: int, start: int = 0, chunk: int = 100,
        on_chunk: Callable[[int, Any, Any, dict], None] | None = None, progress: bool = True,
        description: str = "training") -> tuple[Any, Any]:
    """Train seed-batched ``models`` from step ``start`` to ``n_steps``.

    ``on_chunk(step, models, opt_states, metrics)`` is called after each chunk whose losses are all
    finite (``metrics`` maps a name to a ``[seeds, steps]`` array); a chunk with a non-finite loss raises
    :class:`TrainingDiverged` naming the first bad step, and its results are discarded.
    """
    compiled: dict[int, Callable] = {}
    bar = _Progress(description, n_steps, start) if progress else None
    s = start
    try:
        while s < n_steps:
            length = min(chunk, n_steps - s)
            if length not in compiled:
                compiled[length] = make_chunk(step, length)
            new_models, new_opt, metrics = compiled[length](models, opt_states, keys, jnp.asarray(s))
            metrics = {k: np.asarray(v) for k, v in metrics.items()}
            finite = np.isfinite(metrics["loss"]).all(axis=0) & np.all(
                [np.isfinite(np.asarray(x)).all() for x in jax.tree_util.tree_leaves(eqx.filter(new_models, eqx.is_array))])
            if not finite.all():
                bad = s + int(np.argmin(finite)) + 1
                raise TrainingDiverged(bad)
            models, opt_states, s = new_models, new_opt, s + length
            if on_chunk is not None:
                on_chunk(s, models, opt_states, metrics)
            if bar is not None:
                bar.update(s, float(np.mean(metrics["loss"][:, -1])))
    finally:
        if bar is not None:
            bar.close()
    return models, opt_states


class _Progress:
    """A rich progress bar showing steps/s and the current loss."""

    def __init__(self, description: str, total: int, start: int):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} steps/s"), TextColumn("loss {task.fields[loss]}"),
            TimeRemainingColumn(), transient=False)
        self._task = self._progress.add_task(description, total=total, completed=start, rate="-", loss="-")
        self._t0, self._s0 = time.perf_counter(), start
        self._progress.start()

    def update(self, step: int, loss: float):
        rate = (step - self._s0) / max(time.perf_counter() - self._t0, 1e-9)
        self._progress.update(self._task, completed=step, rate=f"{rate:.1f}", loss=f"{loss:.4f}")

    def close(self):
        self._progress.stop()
