"""Delayed match- and non-match-to-sample with two stimuli (Miconi 2017 eLife 6:e20899, Fig. 2).

Two stimuli, A and B, each on its own input channel, are shown one after the other with a delay between
them; after a second delay the network reports whether they differed (non-match, the default) or were the
same (match). The four sequences AA, AB, BA, BB make the task an exclusive-or of the two stimuli: no
single input predicts the answer, so the first stimulus has to be held through the delay and combined with
the second. Default timing is Miconi's: stimuli of 200 ms, delays of 200 ms, a response period of 200 ms
(epochs ``sample``, ``delay``, ``test``, ``response_delay``, ``decision``).
"""

from __future__ import annotations

from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, PRNGKeyArray

from .._errors import ConfigError
from .._trials import Trials
from ._base import Duration, Task, check_timing, duration_steps, inside, period_edges, register

__all__ = ["DelayedMatch"]

RULES = ("non_match", "match")


@register("delayed_match")
class DelayedMatch(Task):
    """Say whether two stimuli separated by a delay differed (``rule="non_match"``) or matched.

    Conditions: ``sample`` and ``test`` (0 = A, 1 = B), ``match`` (1 when they are the same) and ``choice``
    (1 for the rule's "yes": different under ``non_match``, same under ``match``).
    Inputs: ``fixation`` (on until the response period), ``stimulus_a``, ``stimulus_b``. Outputs: ``fixate``,
    ``choice_0`` (no), ``choice_1`` (yes), one-hot targets in the response period.
    """

    metadata: ClassVar[dict] = {
        "paper": "Miconi 2017 eLife 6:e20899 (delayed non-match-to-sample)",
        "doi": "10.7554/eLife.20899",
        "tags": ("working memory", "exclusive or", "two-alternative", "supervised"),
    }
    input_names: ClassVar[tuple[str, ...]] = ("fixation", "stimulus_a", "stimulus_b")
    output_names: ClassVar[tuple[str, ...]] = ("fixate", "choice_0", "choice_1")

    dt: float = eqx.field(static=True, default=10.0)
    rule: str = eqx.field(static=True, default="non_match")
    stimulus: Duration = eqx.field(static=True, default=200.0)  # each of the two stimuli
    delay: Duration = eqx.field(static=True, default=200.0)  # after each stimulus
    decision: Duration = eqx.field(static=True, default=200.0)

    def __check_init__(self):
        if self.rule not in RULES:
            raise ConfigError(f"DelayedMatch: rule must be one of {', '.join(RULES)}, got {self.rule!r}")
        check_timing("DelayedMatch", self.dt, self._periods(),
                     [("stimulus", self.stimulus), ("decision", self.decision)])

    def _periods(self):
        # epochs: sample, delay, test, response_delay, decision
        return (("sample", self.stimulus), ("delay", self.delay), ("test", self.stimulus),
                ("response_delay", self.delay), ("decision", self.decision))

    @property
    def n_steps(self) -> int:
        return sum(duration_steps(n, d, self.dt)[1] for n, d in self._periods())

    def sample_conditions(self, key: PRNGKeyArray, n: int) -> dict[str, Array]:
        k1, k2 = jax.random.split(key)
        return self._conditions(jax.random.randint(k1, (n,), 0, 2), jax.random.randint(k2, (n,), 0, 2))

    def condition_grid(self, n_repeats: int) -> dict[str, Array]:
        """The four sequences AA, AB, BA, BB, ``n_repeats`` times each."""
        s, t = jnp.meshgrid(jnp.arange(2), jnp.arange(2), indexing="ij")
        return self._conditions(jnp.tile(s.ravel(), n_repeats), jnp.tile(t.ravel(), n_repeats))

    def _conditions(self, sample, test) -> dict[str, Array]:
        match = (sample == test).astype(jnp.int32)
        choice = match if self.rule == "match" else 1 - match
        return {"sample": sample.astype(jnp.int32), "test": test.astype(jnp.int32), "match": match,
                "choice": choice}

    def build_trial(self, conditions: dict[str, Array], *, key: PRNGKeyArray) -> Trials:
        edges = period_edges(self._periods(), self.dt, key)
        n = self.n_steps
        end = edges["decision"][1]
        trial = jnp.arange(n) < end
        fix = (jnp.arange(n) < edges["decision"][0]).astype(jnp.float32)[:, None]
        stim = (inside(edges["sample"], n)[:, None] * jax.nn.one_hot(conditions["sample"], 2)
                + inside(edges["test"], n)[:, None] * jax.nn.one_hot(conditions["test"], 2))
        inputs = jnp.concatenate([fix, stim], axis=1)
        label = jnp.where(inside(edges["decision"], n), conditions["choice"] + 1, 0)
        return Trials(inputs=inputs, targets=jax.nn.one_hot(label, 3), mask=trial.astype(jnp.float32),
                      conditions=dict(conditions), epochs=edges, dt=self.dt)
