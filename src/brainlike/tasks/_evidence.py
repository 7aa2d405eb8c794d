"""Delayed evidence accumulation: count the cues on each side, remember the count over a delay, report the
side with more (the "towers" task of Morcos & Harvey 2016 Nat Neurosci 19:1672, in the form Bellec et al.
2020 Nat Commun 11:3625, Fig. 3, trained spiking networks on with e-prop).

A trial is ``n_cues`` cues of ``cue`` ms, each followed by ``gap`` ms of silence and each on the left or
on the right with probability 1/2; then ``delay`` ms with nothing; then a RECALL cue of ``decision`` ms
during which the network must report the side that had more cues (``n_cues`` is odd, so there is always
one). A background channel is on at ``background`` of full strength throughout (Bellec 2020: input neurons
firing at 10 Hz beside the cue populations at 40 Hz). Inputs are levels; :class:`~brainlike.tasks.Encoded`
turns them into Poisson spike trains.
"""

from __future__ import annotations

from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, PRNGKeyArray

from .._errors import ConfigError
from .._trials import Trials
from ._base import Task, duration_steps, register

__all__ = ["EvidenceAccumulation"]


@register("evidence_accumulation")
class EvidenceAccumulation(Task):
    """Report the side with more cues after a delay (Morcos & Harvey 2016; Bellec et al. 2020 Fig. 3).

    Conditions: ``n_left``, ``n_right``, ``evidence`` (right - left), ``choice`` (0 left, 1 right, the
    correct report). Inputs ``left``, ``right``, ``recall``, ``background``; outputs ``left``, ``right``
    (cross-entropy), scored in the decision period only. Epochs ``cues``, ``delay``, ``decision``."""

    metadata: ClassVar[dict] = {
        "paper": "Morcos & Harvey 2016 Nat Neurosci; Bellec et al. 2020 Nat Commun (e-prop, Fig. 3)",
        "doi": "10.1038/s41467-020-17236-y",
        "tags": ("evidence accumulation", "working memory", "spiking", "supervised"),
    }
    input_names: ClassVar[tuple[str, ...]] = ("left", "right", "recall", "background")
    output_names: ClassVar[tuple[str, ...]] = ("left", "right")

    dt: float = eqx.field(static=True, default=1.0)
    n_cues: int = eqx.field(static=True, default=7)
    cue: float = eqx.field(static=True, default=100.0)  # ms
    gap: float = eqx.field(static=True, default=50.0)  # ms after each cue
    delay: float = eqx.field(static=True, default=1050.0)  # ms from the last gap to the recall cue
    decision: float = eqx.field(static=True, default=150.0)  # ms
    background: float = eqx.field(static=True, default=0.25)  # level of the background channel

    def __check_init__(self):
        if not self.dt > 0:
            raise ConfigError(f"EvidenceAccumulation: dt must be positive, got {self.dt} ms")
        if self.n_cues < 1 or self.n_cues % 2 == 0:
            raise ConfigError(f"EvidenceAccumulation: n_cues must be odd (no ties), got {self.n_cues}")
        for name in ("cue", "decision"):
            duration_steps(name, getattr(self, name), self.dt)
        if self.gap < 0 or self.delay < 0 or not 0 <= self.background <= 1:
            raise ConfigError("EvidenceAccumulation: gap and delay must be >= 0 ms and background in [0, 1]")

    def _steps(self, ms: float) -> int:
        return int(round(ms / self.dt))

    @property
    def n_steps(self) -> int:
        return (self.n_cues * (self._steps(self.cue) + self._steps(self.gap)) + self._steps(self.delay)
                + self._steps(self.decision))

    def sample_conditions(self, key: PRNGKeyArray, n: int) -> dict[str, Array]:
        n_right = jnp.sum(jax.random.bernoulli(key, 0.5, (n, self.n_cues)), axis=1).astype(jnp.int32)
        n_left = self.n_cues - n_right
        return {"n_left": n_left, "n_right": n_right, "evidence": n_right - n_left,
                "choice": (n_right > n_left).astype(jnp.int32)}

    def build_trial(self, conditions: dict[str, Array], *, key: PRNGKeyArray) -> Trials:
        cue, slot = self._steps(self.cue), self._steps(self.cue) + self._steps(self.gap)
        t_cues = self.n_cues * slot
        t_decision = t_cues + self._steps(self.delay)
        t = jnp.arange(self.n_steps)
        # the order of the cues: n_right of them on the right, in random positions
        side = jax.random.permutation(key, jnp.arange(self.n_cues) < conditions["n_right"]).astype(jnp.float32)
        k = jnp.minimum(t // slot, self.n_cues - 1)
        on = ((t < t_cues) & (t % slot < cue)).astype(jnp.float32)
        recall = (t >= t_decision).astype(jnp.float32)
        inputs = jnp.stack([on * (1.0 - side[k]), on * side[k], recall, jnp.full(t.shape, self.background)], -1)
        targets = jnp.broadcast_to(jax.nn.one_hot(conditions["choice"], 2), (self.n_steps, 2))
        return Trials(inputs=inputs, targets=targets, mask=recall, conditions=dict(conditions),
                      epochs={"cues": jnp.array([0, t_cues]), "delay": jnp.array([t_cues, t_decision]),
                              "decision": jnp.array([t_decision, self.n_steps])}, dt=self.dt)
