"""Backpropagation through time with Optax: the supervised learning rule.

The whole update — sampling a batch of trials, running the circuit, the loss, its gradient through
time and the optimiser step — is one pure function ``step(network, opt_state, key)``, so it is jitted
once and vmapped over seeds (DESIGN sections 2 and 4).
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Sequence

import equinox as eqx
import jax
import jax.numpy as jnp
import optax
from jaxtyping import Array, PRNGKeyArray

from .._errors import ConfigError
from ..circuits import Network, forward
from ..tasks import Task
from ._losses import LOSSES, rate_deviation, rate_l1_penalty, rate_l2, weight_l1_penalty, weight_l2

__all__ = ["adam", "supervised_loss", "make_step", "make_update", "make_learn", "bptt_gradients", "init_optimizer"]

Metrics = dict[str, Array]
StepFn = Callable[[Network, optax.OptState, PRNGKeyArray], tuple[Network, optax.OptState, Metrics]]


def adam(learning_rate: float = 1e-3, grad_clip: float | None = 1.0) -> optax.GradientTransformation:
    """Adam (Kingma & Ba 2015) after clipping the global gradient norm (Pascanu et al. 2013).
    ``learning_rate`` may be an Optax schedule of the update count or a traced array (a sweep trains
    several values in one program); only a number is checked here."""
    if isinstance(learning_rate, (int, float)) and learning_rate <= 0:
        raise ConfigError(f"learning_rate must be positive, got {learning_rate}")
    parts = [optax.clip_by_global_norm(grad_clip)] if grad_clip else []
    return optax.chain(*parts, optax.adam(learning_rate))


def init_optimizer(optimizer: optax.GradientTransformation, network: Network, *, stacked: bool = False
                   ) -> optax.OptState:
    """``optimizer``'s state for the trainable (floating-point) arrays of ``network``. With ``stacked``,
    ``network`` is a stack of networks along a leading axis (``eqx.filter_vmap`` of a constructor) trained
    side by side: each gets the state it would have alone (its own step count, for instance)."""
    def init(net):
        return optimizer.init(eqx.filter(net, eqx.is_inexact_array))

    return eqx.filter_vmap(init)(network) if stacked else init(network)


def supervised_loss(network: Network, trials, key: PRNGKeyArray, *, loss: str | Callable = "cross_entropy",
                    rate_reg: float = 0.0, weight_reg: float = 0.0, rate_target: float | None = None,
                    rate_l1: float = 0.0, weight_l1: float = 0.0) -> tuple[Array, Metrics]:
    """Task loss on ``trials`` plus L2 penalties on rates and weights and L1 penalties on rates
    (``rate_l1``: the mean absolute rate, sparser activity) and weights (``weight_l1``: the mean absolute
    connection weight, sparser connections); returns ``(total, metrics)``.
    ``loss`` names one of :data:`LOSSES` or is a function ``(outputs, targets, mask) -> scalar``.
    With ``rate_target`` the rate penalty pulls each unit's mean rate (per step; spikes per step for a
    spiking circuit) towards it instead of towards zero (Bellec et al. 2018's firing-rate regulariser)."""
    loss_fn = _loss_fn(loss)
    rates, outputs = forward(network, trials.inputs, key=key)
    task_loss = loss_fn(outputs, trials.targets, trials.mask)
    total = task_loss + rate_reg * rate_penalty(rates, rate_target) + weight_reg * weight_l2(network)
    # the L1 terms only where asked for (a grouped sweep may pass a strength traced, so never zero here)
    if not _is_zero(rate_l1):
        total = total + rate_l1 * rate_l1_penalty(rates)
    if not _is_zero(weight_l1):
        total = total + weight_l1 * weight_l1_penalty(network)
    return total, supervised_metrics(outputs, trials, rates, task_loss, total)


def _is_zero(strength) -> bool:
    return isinstance(strength, (int, float)) and strength == 0


def rate_penalty(rates, rate_target: float | None = None) -> Array:
    """The mean squared rate, or with ``rate_target`` each unit's mean rate pulled towards it."""
    return rate_l2(rates) if rate_target is None else rate_deviation(rates, rate_target)


def supervised_metrics(outputs, trials, rates, task_loss, total) -> Metrics:
    """What every supervised update reports: the losses, the fraction of scored steps whose largest output
    is the target's (``step_accuracy``) and the mean rate."""
    hit = (jnp.argmax(outputs, -1) == jnp.argmax(trials.targets, -1)).astype(jnp.float32)
    step_accuracy = jnp.sum(hit * trials.mask) / jnp.maximum(jnp.sum(trials.mask), 1.0)
    return {"loss": task_loss, "total_loss": total, "step_accuracy": step_accuracy, "mean_rate": jnp.mean(rates)}


def _loss_fn(loss) -> Callable:
    if callable(loss):
        return loss
    if loss not in LOSSES:
        raise ConfigError(f"unknown loss {loss!r}; known: {', '.join(LOSSES)}")
    return LOSSES[loss]


def make_step(task: Task, optimizer: optax.GradientTransformation, *, batch_size: int = 64,
              loss: str | Callable = "cross_entropy", rate_reg: float = 0.0, weight_reg: float = 0.0,
              rate_target: float | None = None, rate_l1: float = 0.0, weight_l1: float = 0.0,
              time_buckets: Sequence[int] | None = None) -> StepFn:
    """One BPTT update on a fresh batch of ``batch_size`` trials of ``task`` (``time_buckets``: see
    :func:`make_update`)."""
    gradients = bptt_gradients(loss=loss, rate_reg=rate_reg, weight_reg=weight_reg, rate_target=rate_target,
                               rate_l1=rate_l1, weight_l1=weight_l1)
    return make_update(task, optimizer, gradients, batch_size=batch_size, time_buckets=time_buckets)


def bptt_gradients(*, loss: str | Callable = "cross_entropy", rate_reg: float = 0.0, weight_reg: float = 0.0,
                   rate_target: float | None = None, rate_l1: float = 0.0, weight_l1: float = 0.0) -> Callable:
    """``gradients(network, trials, key) -> (grads, metrics)``: backpropagation through time of
    :func:`supervised_loss` (its arguments), the learning rule that :func:`make_step` applies."""
    _loss_fn(loss)  # an unknown name fails here, not inside jit

    def gradients(network: Network, trials, key):
        params, static = eqx.partition(network, eqx.is_inexact_array)

        def objective(p):
            return supervised_loss(eqx.combine(p, static), trials, key, loss=loss,
                                   rate_reg=rate_reg, weight_reg=weight_reg, rate_target=rate_target,
                                   rate_l1=rate_l1, weight_l1=weight_l1)

        (_, metrics), grads = jax.value_and_grad(objective, has_aux=True)(params)
        return grads, metrics

    return gradients


def make_update(task: Task, optimizer: optax.GradientTransformation, gradients, *, batch_size: int = 64,
                time_buckets: Sequence[int] | None = None) -> StepFn:
    """``step(network, opt_state, key)``: sample ``batch_size`` trials of ``task``, take a learning rule's
    ``gradients(network, trials, key) -> (grads, metrics)`` and apply them with ``optimizer``.

    ``time_buckets`` (steps): run each batch only up to the shortest of these lengths that holds its last
    scored step (:meth:`Trials.scored_length`; the task's full length is always a bucket), instead of over
    every padded step. A task whose trials differ in length (Yang et al. 2019's twenty tasks, about 2.5-4.2 s) then
    costs about the length of the batch's longest trial, as in the authors' code, which padded each batch to its
    own longest trial. The task loss (a masked mean) is unchanged; rate penalties average over the steps run.
    One ``lax.switch`` holds one program per bucket; the returned step has ``branches_on_data = True``, which
    tells :func:`make_chunk` to run a single seed without ``vmap`` (under which every bucket would be computed)."""
    if batch_size < 1:
        raise ConfigError(f"batch_size must be >= 1, got {batch_size}")
    learn = make_learn(optimizer, gradients, time_buckets=time_buckets,
                       n_time=None if time_buckets is None else int(task.n_steps))

    def step(network: Network, opt_state, key):
        k_trials, k_noise = jax.random.split(key)
        return learn(network, opt_state, task.sample(k_trials, batch_size), k_noise)

    step.branches_on_data = learn.branches_on_data
    return step


def make_learn(optimizer: optax.GradientTransformation, gradients, *, n_time: int | None = None,
               time_buckets: Sequence[int] | None = None) -> Callable:
    """``learn(network, opt_state, trials, key, **optimizer_args) -> (network, opt_state, metrics)``: one update
    on given ``trials`` (``[trials time ...]``, ``n_time`` steps long), the part of :func:`make_update` after the
    sampling, for a step that draws its own trials (sequential training, where the tasks depend on the update
    count). ``optimizer_args`` go to ``optimizer.update`` (e.g. the Fisher information of
    :func:`elastic_weight_consolidation`). ``time_buckets`` as in :func:`make_update`; ``learn.branches_on_data``
    says whether it switches on the trials' length."""
    if time_buckets is not None:
        if n_time is None:
            raise ConfigError("time_buckets need n_time, the trials' padded length in steps")
        n_time = int(n_time)
        bad = [b for b in time_buckets if not (isinstance(b, numbers.Integral) and 1 <= b <= n_time)]
        if bad:
            raise ConfigError(f"time_buckets must be whole numbers of steps in 1..{n_time} (the task's trial "
                              f"length), got {bad}")
        buckets = sorted({*map(int, time_buckets), n_time})
    cut = time_buckets is not None and len(buckets) > 1  # the full length only: nothing to choose

    def learn(network: Network, opt_state, trials, key, **optimizer_args):
        if not cut:
            grads, metrics = gradients(network, trials, key)
        else:
            which = jnp.searchsorted(jnp.asarray(buckets), trials.scored_length())
            branches = [functools.partial(_truncated, gradients, n) for n in buckets]
            grads, metrics = jax.lax.switch(which, branches, network, trials, key)
            metrics["n_time"] = jnp.asarray(buckets)[which]
        params = eqx.filter(network, eqx.is_inexact_array)
        updates, opt_state = optimizer.update(grads, opt_state, params, **optimizer_args)
        network = eqx.apply_updates(network, updates)
        metrics["grad_norm"] = optax.tree.norm(grads)
        return network, opt_state, metrics

    learn.branches_on_data = cut
    return learn


def _truncated(gradients, n_time, network, trials, key):
    return gradients(network, trials.truncate(n_time), key)
