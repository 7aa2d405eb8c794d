"""The 20 interrelated cognitive tasks of Yang, Joglekar, Song, Newsome & Wang (2019 Nat Neurosci 22:297).

Every task uses the same input and output scheme, so one network can learn them all:

* inputs (``1 + 2 n_ring + 20``): a fixation unit (1 while the subject must fixate), two rings of
  ``n_ring`` direction-tuned units, one per modality, and a one-hot rule input naming the task (on for
  the whole trial). A stimulus at direction ``theta`` with strength ``s`` drives ring unit ``i`` (preferred
  direction ``2 pi i / n_ring``) by ``0.8 s exp(-d^2 / 2)``, ``d`` the circular distance in units of
  ``pi / 8``. Every input channel carries independent noise of standard deviation
  ``sigma_x sqrt(2 tau / dt)`` per step.
* outputs (``1 + n_ring``): a fixation output (target 0.8 while fixating, 0.05 after) and a response
  ring (target ``0.05 + 0.8 exp(-d^2 / 2)`` around the response direction after the go cue, 0.05
  before). Outputs are meant to pass through a sigmoid and be scored by a squared error.
* the loss mask (Methods, "Training"): 0 in the first 100 ms, 1 until the go cue, 0 in the 100 ms after
  it (a grace period for the saccade) and 5 after that; the fixation output counts twice
  (:data:`OUTPUT_WEIGHTS`).

A trial is correct (:func:`performance`) when, at its last step, the network responds (fixation output
below 0.5) within 36 degrees of the right direction (population-vector decoding of the response ring),
or keeps fixating (above 0.5) on a trial that asks for no response.

Timing and stimulus statistics follow the authors' code (gyyang/multitask ``task.py``): durations are
drawn per trial here (per batch there). Task variance uses their fixed-timing "test" grids
(:meth:`Yang2019.test_conditions`). The task families:

* Go, RT Go, Dly Go, Anti, RT Anti, Dly Anti: one stimulus in a random modality; respond towards it
  (Go) or away from it (Anti) when the fixation cue goes off (Go), at stimulus onset while the fixation
  cue stays on (RT), or after a memory delay (Dly).
* DM 1/2, Ctx DM 1/2, MultSen DM: two stimuli at once; choose the stronger one in modality 1 or 2
  (DM: only that modality is shown; Ctx: both are shown and the rule says which one counts), or the
  stronger summed over both (MultSen).
* Dly DM 1/2, Ctx Dly DM 1/2, MultSen Dly DM: the same with the two stimuli shown one after the other.
* DMS, DNMS, DMC, DNMC: two stimuli separated by a delay; respond to the second one if it matches
  (DMS, DMC) or does not match (DNMS, DNMC) the first, otherwise keep fixating; the fixation cue
  stays on. Match means the same direction (DMS) or the same category, the half of the circle
  below or above pi (DMC).
"""

from __future__ import annotations

from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, PRNGKeyArray

from .._errors import ConfigError
from .._trials import Trials
from ._base import Task, as_float_array, materialize, register

__all__ = ["Yang2019", "TASKS", "TASK_LABELS", "OUTPUT_WEIGHTS", "performance", "ring_bump", "population_vector",
           "circular_distance"]

TASKS = ("go", "rt_go", "dly_go", "anti", "rt_anti", "dly_anti", "dm1", "dm2", "ctx_dm1", "ctx_dm2", "multi_dm",
         "dly_dm1", "dly_dm2", "ctx_dly_dm1", "ctx_dly_dm2", "multi_dly_dm", "dms", "dnms", "dmc", "dnmc")
"""Task names, in the paper's order (the index is the rule input)."""

TASK_LABELS = dict(zip(TASKS, ("Go", "RT Go", "Dly Go", "Anti", "RT Anti", "Dly Anti", "DM 1", "DM 2",
                               "Ctx DM 1", "Ctx DM 2", "MultSen DM", "Dly DM 1", "Dly DM 2", "Ctx Dly DM 1",
                               "Ctx Dly DM 2", "MultSen Dly DM", "DMS", "DNMS", "DMC", "DNMC")))
"""The paper's labels."""

# Relative sampling weights of interleaved training (authors' code: the context tasks five times as often).
_DEFAULT_WEIGHTS = tuple(5.0 if t in ("ctx_dm1", "ctx_dm2") else 1.0 for t in TASKS)

OUTPUT_WEIGHTS = 2.0
"""How much more the fixation output counts in the loss than each response-ring output."""

_LONGEST_MS = 4200.0  # Dly DM: 600 + 600 + 1600 + 600 + 300 + 500 ms
_PRE_ON_MS, _GRACE_MS, _POST_WEIGHT = 100.0, 100.0, 5.0
_FAMILY = tuple(0 if t.endswith(("go", "anti")) else 2 if t in ("dms", "dnms", "dmc", "dnmc") else 1 for t in TASKS)
_CONDITIONS = ("task", "stim1_loc", "stim2_loc", "stim1_mod1", "stim1_mod2", "stim2_mod1", "stim2_mod2",
               "stim1_on", "stim1_off", "stim2_on", "stim2_off", "fix_off", "go", "end", "respond",
               "response_loc", "coherence")


def circular_distance(a, b):
    """Distance on the circle between directions ``a`` and ``b`` (radians), in [0, pi]."""
    d = jnp.abs(jnp.mod(a - b, 2 * jnp.pi))
    return jnp.minimum(d, 2 * jnp.pi - d)


def ring_bump(direction, n_ring: int):
    """``0.8 exp(-d^2/2)`` over ``n_ring`` units, ``d`` the distance to ``direction`` in units of pi/8."""
    preferred = jnp.arange(n_ring) * (2 * jnp.pi / n_ring)
    d = circular_distance(jnp.asarray(direction)[..., None], preferred) / (jnp.pi / 8)
    return 0.8 * jnp.exp(-(d**2) / 2)


def population_vector(ring):
    """Direction read out of ring activity ``[... n_ring]`` by the population vector, in [0, 2 pi)."""
    n = ring.shape[-1]
    preferred = jnp.arange(n) * (2 * jnp.pi / n)
    return jnp.mod(jnp.arctan2(ring @ jnp.sin(preferred), ring @ jnp.cos(preferred)), 2 * jnp.pi)


def performance(outputs, conditions, *, threshold: float = 0.2 * np.pi, hold_from: int | None = None):
    """Correct trials ``[trials]`` (bool) from sigmoid outputs ``[trials time 1+n_ring]`` (Yang et al.
    2019 Methods and code): at each trial's last step, a trial that asks for a response is correct when the
    fixation output is below 0.5 and the decoded direction is within ``threshold`` (36 degrees) of the
    response direction; a trial that asks for none when the fixation output stays above 0.5.
    ``hold_from`` (a step) also requires the fixation output above 0.5 at every step from it until the go
    cue (no broken fixation; the authors' code checks the last step only)."""
    outputs = jnp.asarray(outputs)
    last = jnp.asarray(conditions["end"]) - 1
    final = jnp.take_along_axis(outputs, last[:, None, None], axis=1)[:, 0]
    fixating = final[:, 0] > 0.5
    near = circular_distance(population_vector(final[:, 1:]), jnp.asarray(conditions["response_loc"])) < threshold
    respond = jnp.asarray(conditions["respond"]) > 0
    correct = jnp.where(respond, near & ~fixating, fixating)
    if hold_from is not None:
        t = jnp.arange(outputs.shape[1])
        before_go = (t[None] >= hold_from) & (t[None] < jnp.asarray(conditions["go"])[:, None])
        correct = correct & jnp.all((outputs[..., 0] > 0.5) | ~before_go, axis=1)
    return correct


@register("yang2019")
class Yang2019(Task):
    """The 20-task suite (or any subset of it) as one interleaved task: each trial's task is drawn with
    probabilities proportional to ``weights`` (over ``tasks``), or with ``one_task_per_batch`` one task for
    all the trials drawn together (the authors' training, one task per batch); the rule input always has 20
    units, one per task of :data:`TASKS`. Single tasks are registered as ``yang2019_<name>`` (``yang2019_dnms``).

    Conditions (each ``[trials]``): ``task`` (index into :data:`TASKS`), the two stimuli's directions
    ``stim1_loc``/``stim2_loc`` (radians) and strengths per modality (``stim1_mod1``...; 0 when absent),
    their on/off steps, ``fix_off`` (step at which the fixation cue goes off), ``go`` (step from which the
    response is due), ``end`` (trial length in steps; padded after it with no input and no loss),
    ``respond`` (0 on trials whose right answer is to keep fixating), ``response_loc`` (radians) and
    ``coherence`` (strength difference of the two stimuli in the modality that counts; 0 where none).
    """

    metadata: ClassVar[dict] = {
        "paper": "Yang, Joglekar, Song, Newsome & Wang 2019 Nat Neurosci 22:297",
        "doi": "10.1038/s41593-018-0310-2",
        "tags": ("multitask", "ring inputs", "working memory", "decision making", "supervised",
                 "neurogym:yang19"),
    }

    dt: float = eqx.field(static=True, default=20.0)
    tasks: tuple[str, ...] = eqx.field(static=True, default=TASKS)
    weights: tuple[float, ...] | None = eqx.field(static=True, default=None)  # None: the authors' weights
    n_ring: int = eqx.field(static=True, default=32)
    tau: float = eqx.field(static=True, default=100.0)  # ms, of the network; sets the input noise per step
    sigma_x: Array = eqx.field(converter=as_float_array, default=0.01)
    dm_coherences: Array = eqx.field(converter=as_float_array, default=(0.01, 0.02, 0.04, 0.08))
    dly_dm_coherences: Array = eqx.field(converter=as_float_array, default=(0.08, 0.16, 0.32))
    # the authors' training (gyyang/multitask train.py): one task, drawn with the same probabilities, for all
    # the trials of a batch (every call of sample_conditions) instead of one task per trial
    one_task_per_batch: bool = eqx.field(static=True, default=False)
    # the loss mask's weight after the grace period (the paper's 5; the authors' code multiplies the error by
    # the mask before squaring it, which weighs the squared error by 25 there and the fixation output by 4)
    response_weight: float = eqx.field(static=True, default=_POST_WEIGHT)

    def __check_init__(self):
        if not self.dt > 0:
            raise ConfigError(f"Yang2019: dt must be positive, got {self.dt} ms")
        if not self.response_weight > 0:
            raise ConfigError(f"Yang2019: response_weight must be positive, got {self.response_weight}")
        if not self.tasks:
            raise ConfigError("Yang2019: tasks is empty")
        unknown = [t for t in self.tasks if t not in TASKS]
        if unknown:
            raise ConfigError(f"Yang2019: unknown task(s) {', '.join(map(repr, unknown))}; known: {', '.join(TASKS)}")
        if self.weights is not None and (len(self.weights) != len(self.tasks) or min(self.weights) < 0
                                         or sum(self.weights) <= 0):
            raise ConfigError(f"Yang2019: weights must be {len(self.tasks)} non-negative numbers, not all 0, "
                              f"got {self.weights}")
        if self.n_ring < 4:
            raise ConfigError(f"Yang2019: n_ring must be >= 4, got {self.n_ring}")
        if round(_GRACE_MS / self.dt) < 1 and self.dt > _GRACE_MS:
            raise ConfigError(f"Yang2019: dt={self.dt} ms is longer than the {_GRACE_MS:g} ms grace period")

    # -- channels -------------------------------------------------------------------------------
    @property
    def input_names(self) -> tuple[str, ...]:  # type: ignore[override]
        ring = [f"mod{m}_{i}" for m in (1, 2) for i in range(self.n_ring)]
        return ("fixation", *ring, *(f"rule_{t}" for t in TASKS))

    @property
    def output_names(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("fixate", *(f"response_{i}" for i in range(self.n_ring)))

    @property
    def n_steps(self) -> int:
        return int(round(_LONGEST_MS / self.dt))

    @property
    def probabilities(self) -> np.ndarray:
        """Sampling probability of each of ``tasks``."""
        w = np.asarray(self.weights if self.weights is not None
                       else [_DEFAULT_WEIGHTS[TASKS.index(t)] for t in self.tasks], float)
        return w / w.sum()

    def _steps(self, ms):
        return jnp.round(jnp.asarray(ms, jnp.float32) / self.dt).astype(jnp.int32)

    def _choice(self, key, values_ms, n):
        return self._steps(jax.random.choice(key, jnp.asarray(values_ms, jnp.float32), (n,)))

    def _uniform(self, key, lo_ms, hi_ms, n):
        return self._steps(jax.random.uniform(key, (n,), minval=lo_ms, maxval=hi_ms))

    # -- sampling -------------------------------------------------------------------------------
    # Three families of tasks (reach, decision, match) share their sampling code; the task index of each trial selects, per trial,
    # the family's variant (anti, RT, delayed, attended modality, category...). One program draws every
    # trial of a mixed batch, so the mixture compiles about as fast as a single task.
    def sample_conditions(self, key: PRNGKeyArray, n: int) -> dict[str, Array]:
        k_task, k_trials = jax.random.split(key)
        which = jax.random.choice(k_task, len(self.tasks), (1 if self.one_task_per_batch else n,),
                                  p=jnp.asarray(self.probabilities))
        which = jnp.broadcast_to(which, (n,))
        index = jnp.asarray([TASKS.index(t) for t in self.tasks], jnp.int32)[which]
        return self._sample(index, k_trials, n)

    def sample_task(self, name: str | Array, key: PRNGKeyArray, n: int) -> dict[str, Array]:
        """Conditions of ``n`` random trials of task ``name`` (training statistics). ``name`` may also be
        the task's index into :data:`TASKS`, traced or not: one jitted program then serves every task of
        ``tasks`` (the trials are the same as by name; only the families of ``tasks`` are compiled)."""
        if isinstance(name, str):
            if name not in TASKS:
                raise ConfigError(f"unknown Yang 2019 task {name!r}; known: {', '.join(TASKS)}")
            index = TASKS.index(name)
            return self._sample(jnp.full((n,), index, jnp.int32), key, n, families=(_FAMILY[index],))
        return self._sample(jnp.full((n,), name, jnp.int32), key, n)

    def _sample(self, index, key, n, families=None):
        """Conditions of trials of the tasks ``index``; only the ``families`` (default: those of ``tasks``)
        are drawn, so a single task compiles one family's code."""
        keys = jax.random.split(key, 3)
        samplers = (self._reach, self._decision, self._match)
        families = sorted({_FAMILY[TASKS.index(t)] for t in self.tasks} if families is None else families)
        family = jnp.asarray(_FAMILY)[index]
        out = None
        for f in families:
            part = samplers[f](index, keys[f], n)
            out = part if out is None else {c: jnp.where(family == f, part[c], out[c]) for c in _CONDITIONS}
        out["task"] = index
        return materialize(out)  # drawn once per trial, not once per element of its trial (1.7x faster training)

    def _reach(self, index, key, n):
        name = np.asarray(TASKS)
        rt = jnp.asarray([t.startswith("rt") for t in name])[index]
        dly = jnp.asarray([t.startswith("dly_") and t.endswith(("go", "anti")) for t in name])[index]
        anti = jnp.asarray([t.endswith("anti") for t in name])[index]
        k = jax.random.split(key, 9)
        loc = jax.random.uniform(k[0], (n,), maxval=2 * jnp.pi)
        mod1 = jax.random.bernoulli(k[1], 0.5, (n,))
        after = self._steps(500.0)
        # Go, Anti: the stimulus stays on; the fixation cue goes off 500-1500 ms after its onset
        fd_on = self._uniform(k[2], 300.0, 700.0, n)
        fd_go = fd_on + self._uniform(k[3], 500.0, 1500.0, n)
        # RT: respond at stimulus onset (500-2500 ms), the fixation cue stays on
        rt_on = self._uniform(k[4], 500.0, 2500.0, n)
        # Dly: a brief stimulus, then a memory delay until the fixation cue goes off
        dly_on = self._choice(k[5], [300.0, 500.0, 700.0], n)
        dly_off = dly_on + self._choice(k[6], [200.0, 400.0, 600.0], n)
        dly_go = dly_off + self._choice(k[7], [200.0, 400.0, 800.0, 1600.0], n)
        on = jnp.where(rt, rt_on, jnp.where(dly, dly_on, fd_on))
        go = jnp.where(rt, rt_on, jnp.where(dly, dly_go, fd_go))
        end = go + after
        off = jnp.where(dly, dly_off, end)
        fix_off = jnp.where(rt, self.n_steps, go)
        response = jnp.where(anti, jnp.mod(loc + jnp.pi, 2 * jnp.pi), loc)
        return self._pack(n, loc1=loc, s1m1=mod1 * 1.0, s1m2=(~mod1) * 1.0, on1=on, off1=off, fix_off=fix_off,
                          go=go, end=end, respond=1, response_loc=response)

    def _strength_pair(self, key, coherences, n):
        """Two strengths ``mean +- coherence`` (mean uniform in 0.8-1.2, the sign random)."""
        k1, k2, k3 = jax.random.split(key, 3)
        mean = jax.random.uniform(k1, (n,), minval=0.8, maxval=1.2)
        coh = jax.random.choice(k2, coherences, (n,)) * jnp.where(jax.random.bernoulli(k3, 0.5, (n,)), 1.0, -1.0)
        return mean + coh, mean - coh

    def _split(self, key, s, n):
        """Split a strength between the modalities: ``s -+ d/2`` with ``d = s u``, u uniform in +-(0.2-0.8)."""
        k1, k2 = jax.random.split(key)
        d = s * jax.random.uniform(k1, (n,), minval=0.2, maxval=0.8) * jnp.where(
            jax.random.bernoulli(k2, 0.5, (n,)), 1.0, -1.0)
        return s + d / 2, s - d / 2

    def _decision(self, index, key, n):
        name = np.asarray(TASKS)
        delayed = jnp.asarray([t.startswith(("dly_dm", "ctx_dly", "multi_dly")) for t in name])[index]
        single = jnp.asarray([t in ("dm1", "dm2", "dly_dm1", "dly_dm2") for t in name])[index]
        multi = jnp.asarray([t.startswith("multi") for t in name])[index]
        attend1 = jnp.asarray([t.endswith("1") for t in name])[index]
        k = jax.random.split(key, 16)
        loc1 = jax.random.uniform(k[0], (n,), maxval=2 * jnp.pi)
        sign = jnp.where(jax.random.bernoulli(k[1], 0.5, (n,)), 1.0, -1.0)
        loc2 = jnp.mod(loc1 + sign * jax.random.uniform(k[2], (n,), minval=0.5 * jnp.pi, maxval=1.5 * jnp.pi),
                       2 * jnp.pi)

        def pair(kk):
            a_fast, b_fast = self._strength_pair(kk, self.dm_coherences, n)
            a_dly, b_dly = self._strength_pair(jax.random.fold_in(kk, 1), self.dly_dm_coherences, n)
            return jnp.where(delayed, a_dly, a_fast), jnp.where(delayed, b_dly, b_fast)

        # DM 1/2 and Ctx DM 1/2: a pair of strengths per modality; DM shows only the attended one
        s1m1, s2m1 = pair(k[3])
        s1m2, s2m2 = pair(k[4])
        s1m1, s2m1 = jnp.where(single & ~attend1, 0.0, s1m1), jnp.where(single & ~attend1, 0.0, s2m1)
        s1m2, s2m2 = jnp.where(single & attend1, 0.0, s1m2), jnp.where(single & attend1, 0.0, s2m2)
        # MultSen: one pair for the sum over modalities, each strength split between them
        t1, t2 = pair(k[5])
        m1a, m1b = self._split(k[6], t1, n)
        m2a, m2b = self._split(k[7], t2, n)
        s1m1, s1m2 = jnp.where(multi, m1a, s1m1), jnp.where(multi, m1b, s1m2)
        s2m1, s2m2 = jnp.where(multi, m2a, s2m1), jnp.where(multi, m2b, s2m2)
        total1 = jnp.where(multi, s1m1 + s1m2, jnp.where(attend1, s1m1, s1m2))
        total2 = jnp.where(multi, s2m1 + s2m2, jnp.where(attend1, s2m1, s2m2))
        coherence = jnp.abs(total1 - total2) / 2
        # timing: simultaneous stimuli of 400-1600 ms, or two stimuli separated by a delay
        fast_on = self._uniform(k[8], 100.0, 400.0, n)
        fast_off = fast_on + self._choice(k[9], [400.0, 800.0, 1600.0], n)
        on1 = self._choice(k[10], [200.0, 400.0, 600.0], n)
        off1 = on1 + self._choice(k[11], [200.0, 400.0, 600.0], n)
        on2 = off1 + self._choice(k[12], [200.0, 400.0, 800.0, 1600.0], n)
        off2 = on2 + self._choice(k[13], [200.0, 400.0, 600.0], n)
        dly_fix_off = off2 + self._uniform(k[14], 100.0, 300.0, n)
        on1, off1 = jnp.where(delayed, on1, fast_on), jnp.where(delayed, off1, fast_off)
        on2, off2 = jnp.where(delayed, on2, fast_on), jnp.where(delayed, off2, fast_off)
        fix_off = jnp.where(delayed, dly_fix_off, fast_off)
        return self._pack(n, loc1=loc1, loc2=loc2, s1m1=s1m1, s1m2=s1m2, s2m1=s2m1, s2m2=s2m2, on1=on1, off1=off1,
                          on2=on2, off2=off2, fix_off=fix_off, go=fix_off, end=fix_off + self._steps(500.0),
                          respond=1, response_loc=jnp.where(total1 > total2, loc1, loc2), coherence=coherence)

    def _match(self, index, key, n):
        name = np.asarray(TASKS)
        category = jnp.asarray([t in ("dmc", "dnmc") for t in name])[index]
        go_on_match = jnp.asarray([t in ("dms", "dmc") for t in name])[index]
        k = jax.random.split(key, 12)
        match = jax.random.bernoulli(k[0], 0.5, (n,))
        # DMS: any two directions at least 20 degrees apart, or the same one
        loc1 = jax.random.uniform(k[1], (n,), maxval=2 * jnp.pi)
        sign = jnp.where(jax.random.bernoulli(k[2], 0.5, (n,)), 1.0, -1.0)
        dist = sign * jax.random.uniform(k[3], (n,), minval=jnp.pi / 9, maxval=17 * jnp.pi / 9)
        loc2 = jnp.mod(loc1 + dist * (1 - match), 2 * jnp.pi)
        # DMC: categories below / above pi, four directions each, away from the boundary
        half = jnp.asarray([0.1, 0.3, 0.5, 0.7]) * jnp.pi
        cat1 = jax.random.bernoulli(k[4], 0.5, (n,))
        cat2 = jnp.where(match, cat1, ~cat1)
        loc1 = jnp.where(category, jax.random.choice(k[5], half, (n,)) + jnp.pi * cat1, loc1)
        loc2 = jnp.where(category, jax.random.choice(k[6], half, (n,)) + jnp.pi * cat2, loc2)
        mod1_first = jax.random.bernoulli(k[7], 0.5, (n,))
        mod1_second = jax.random.bernoulli(k[8], 0.5, (n,))
        on1 = self._choice(k[9], [200.0, 400.0, 600.0], n)
        off1 = on1 + self._choice(k[10], [200.0, 400.0, 600.0], n)
        on2 = off1 + self._choice(k[11], [200.0, 400.0, 800.0, 1600.0], n)
        end = on2 + self._steps(500.0)
        respond = jnp.where(go_on_match, match, ~match)
        return self._pack(n, loc1=loc1, loc2=loc2, s1m1=mod1_first * 1.0, s1m2=(~mod1_first) * 1.0,
                          s2m1=mod1_second * 1.0, s2m2=(~mod1_second) * 1.0, on1=on1, off1=off1, on2=on2,
                          off2=end, fix_off=self.n_steps, go=on2, end=end, respond=respond, response_loc=loc2)

    def _pack(self, n, *, loc1, s1m1, s1m2, on1, off1, fix_off, go, end, respond, response_loc,
              loc2=None, s2m1=None, s2m2=None, on2=None, off2=None, coherence=None) -> dict[str, Array]:
        zeros_i = jnp.zeros((n,), jnp.int32)
        zeros_f = jnp.zeros((n,), jnp.float32)

        def f(x):
            return zeros_f if x is None else jnp.broadcast_to(jnp.asarray(x, jnp.float32), (n,))

        def i(x):
            return zeros_i if x is None else jnp.broadcast_to(jnp.asarray(x, jnp.int32), (n,))

        respond = i(respond)
        return {"task": zeros_i, "stim1_loc": f(loc1), "stim2_loc": f(loc2),
                "stim1_mod1": f(s1m1), "stim1_mod2": f(s1m2), "stim2_mod1": f(s2m1), "stim2_mod2": f(s2m2),
                "stim1_on": i(on1), "stim1_off": i(off1), "stim2_on": i(on2), "stim2_off": i(off2),
                "fix_off": i(fix_off), "go": i(go), "end": i(end), "respond": respond,
                "response_loc": jnp.where(respond > 0, f(response_loc), -1.0), "coherence": f(coherence)}

    def _named(self, name, n, **kw):
        out = self._pack(n, **kw)
        out["task"] = jnp.full((n,), TASKS.index(name), jnp.int32)
        return out

    # -- the fixed-timing grids of the authors' "test" mode ----------------------------------------
    def test_conditions(self, name: str, n_loc: int = 20) -> dict[str, Array]:
        """A grid of trials of task ``name`` with fixed timing (every direction of ``n_loc`` x modality or
        strength), on which task variance is measured (Yang et al. 2019, Methods)."""
        if name not in TASKS:
            raise ConfigError(f"unknown Yang 2019 task {name!r}; known: {', '.join(TASKS)}")
        s = self._steps
        locs = 2 * jnp.pi * jnp.arange(n_loc) / n_loc
        if name in ("go", "anti", "rt_go", "rt_anti", "dly_go", "dly_anti"):
            loc, mod = (a.ravel() for a in jnp.meshgrid(locs, jnp.arange(2), indexing="ij"))
            n = loc.size
            timing = {"go": dict(on1=s(500), off1=s(2000), fix_off=s(1500), go=s(1500), end=s(2000)),
                      "rt": dict(on1=s(2000), off1=s(2500), fix_off=self.n_steps, go=s(2000), end=s(2500)),
                      "dly": dict(on1=s(500), off1=s(1000), fix_off=s(2000), go=s(2000), end=s(2500))}
            kind = name.split("_")[0] if name.startswith(("rt", "dly")) else "go"
            response = jnp.mod(loc + jnp.pi, 2 * jnp.pi) if "anti" in name else loc
            return self._named(name, n, loc1=loc, s1m1=(mod == 0) * 1.0, s1m2=(mod == 1) * 1.0, respond=1,
                              response_loc=response, **timing[kind])
        if name in ("dms", "dnms", "dmc", "dnmc"):
            loc, m1, m2 = (a.ravel() for a in jnp.meshgrid(locs, jnp.arange(2), jnp.arange(2), indexing="ij"))
            n = loc.size
            if name in ("dmc", "dnmc"):  # directions away from the category boundary
                loc = jnp.asarray([0.1, 0.3, 0.5, 0.7, 1.1, 1.3, 1.5, 1.7])[jnp.arange(n) % 8] * jnp.pi
            go_on_match = name in ("dms", "dmc")
            loc2 = loc if go_on_match else jnp.mod(loc + jnp.pi, 2 * jnp.pi)  # every test trial asks for a response
            return self._named(name, n, loc1=loc, loc2=loc2, s1m1=(m1 == 0) * 1.0, s1m2=(m1 == 1) * 1.0,
                              s2m1=(m2 == 0) * 1.0, s2m2=(m2 == 1) * 1.0, on1=s(500), off1=s(1000), on2=s(2200),
                              off2=s(2700), fix_off=self.n_steps, go=s(2200), end=s(2700), respond=1,
                              response_loc=loc2)
        delayed = name.startswith(("dly", "ctx_dly", "multi_dly"))
        single = name in ("dm1", "dm2", "dly_dm1", "dly_dm2")  # one modality (not context, not multisensory)
        if single:
            loc, k = (a.ravel() for a in jnp.meshgrid(locs, jnp.arange(5), indexing="ij"))
            a = (0.5 + 1.0 * k / 5) if delayed else (0.8 + 0.4 * k / 5)
            b = 2 - a
            one = name.endswith("1")
            s1m1, s2m1 = (a, b) if one else (0.0, 0.0)
            s1m2, s2m2 = (0.0, 0.0) if one else (a, b)
            first, coherence = a > b, jnp.abs(a - b) / 2
        else:
            loc, k1, k2 = (a.ravel() for a in jnp.meshgrid(locs, jnp.arange(5), jnp.arange(5), indexing="ij"))
            s1m1, s1m2 = 0.8 + 0.4 * k1 / 5, 0.8 + 0.4 * k2 / 5
            s2m1, s2m2 = 2 - s1m1, 2 - s1m2
            if name.startswith("multi"):
                first, coherence = s1m1 + s1m2 > s2m1 + s2m2, jnp.abs(s1m1 + s1m2 - s2m1 - s2m2) / 2
            elif name.endswith("1"):
                first, coherence = s1m1 > s2m1, jnp.abs(s1m1 - s2m1) / 2
            else:
                first, coherence = s1m2 > s2m2, jnp.abs(s1m2 - s2m2) / 2
        n = loc.size
        loc2 = jnp.mod(loc + jnp.pi, 2 * jnp.pi)
        # the authors' test grids (gyyang/multitask task.py, mode 'test'): DM 1 / 2 show the stimuli for 1500 ms
        # and Dly DM 1 / 2 ask for the response at 2700 ms; their context and multisensory versions show them
        # for 1000 ms and, delayed, ask for it at 3000 ms
        if delayed:
            respond_at = s(2700) if single else s(3000)
            timing = dict(on1=s(500), off1=s(1000), on2=s(2000), off2=s(2500), fix_off=respond_at, go=respond_at,
                          end=respond_at + s(300 if single else 500))
        else:
            respond_at = s(2000) if single else s(1500)
            timing = dict(on1=s(500), off1=respond_at, on2=s(500), off2=respond_at, fix_off=respond_at,
                          go=respond_at, end=respond_at + s(500))
        return self._named(name, n, loc1=loc, loc2=loc2, s1m1=s1m1, s1m2=s1m2, s2m1=s2m1, s2m2=s2m2, respond=1,
                          response_loc=jnp.where(first, loc, loc2), coherence=coherence, **timing)

    # -- one trial ---------------------------------------------------------------------------------
    def build_trial(self, conditions: dict[str, Array], *, key: PRNGKeyArray) -> Trials:
        c = conditions
        t = jnp.arange(self.n_steps)
        trial = t < c["end"]
        in1 = ((t >= c["stim1_on"]) & (t < c["stim1_off"]) & trial)[:, None]
        in2 = ((t >= c["stim2_on"]) & (t < c["stim2_off"]) & trial)[:, None]
        bump1, bump2 = ring_bump(c["stim1_loc"], self.n_ring), ring_bump(c["stim2_loc"], self.n_ring)
        ring1 = in1 * c["stim1_mod1"] * bump1 + in2 * c["stim2_mod1"] * bump2
        ring2 = in1 * c["stim1_mod2"] * bump1 + in2 * c["stim2_mod2"] * bump2
        fixation = ((t < c["fix_off"]) & trial).astype(jnp.float32)[:, None]
        rule = jax.nn.one_hot(c["task"], len(TASKS))[None, :] * trial[:, None]
        inputs = jnp.concatenate([fixation, ring1, ring2, rule], axis=1)
        noise_sd = self.sigma_x * jnp.sqrt(2.0 * self.tau / self.dt)
        inputs = inputs + noise_sd * jax.random.normal(key, inputs.shape) * trial[:, None]

        responding = (t >= c["go"]) & (c["respond"] > 0)
        fix_target = jnp.where(responding, 0.05, 0.8)[:, None]
        ring_target = 0.05 + responding[:, None] * ring_bump(c["response_loc"], self.n_ring)
        targets = jnp.concatenate([fix_target, ring_target], axis=1)
        pre_on, grace = self._steps(_PRE_ON_MS), self._steps(_GRACE_MS)
        mask = jnp.where(t < c["go"], (t >= pre_on) * 1.0,
                         jnp.where(t >= c["go"] + grace, self.response_weight, 0.0))
        mask = mask * trial
        epochs = {"fix1": jnp.stack([0, c["stim1_on"]]),
                  "stim1": jnp.stack([c["stim1_on"], jnp.minimum(c["stim1_off"], c["go"])]),
                  "delay1": jnp.stack([c["stim1_off"], jnp.maximum(c["stim1_off"], c["stim2_on"])]),
                  "stim2": jnp.stack([c["stim2_on"], jnp.minimum(c["stim2_off"], c["end"])]),
                  "go1": jnp.stack([c["go"], c["end"]]),
                  "trial": jnp.stack([0, c["end"]])}
        epochs = {k: v.astype(jnp.int32) for k, v in epochs.items()}
        return Trials(inputs=inputs, targets=targets, mask=mask, conditions=dict(c), epochs=epochs, dt=self.dt)


def _single(name: str):
    """The class registered as ``yang2019_<name>``: the suite restricted to one task."""

    cls = type(f"Yang2019_{name}", (Yang2019,), {
        "__annotations__": {"tasks": tuple[str, ...]},
        "tasks": eqx.field(static=True, default=(name,)),
        "__doc__": f"{TASK_LABELS[name]} of Yang et al. 2019 alone (see :class:`Yang2019`).",
        "__module__": __name__,
    })
    return register(f"yang2019_{name}")(cls)


SINGLE_TASKS = {name: _single(name) for name in TASKS}
