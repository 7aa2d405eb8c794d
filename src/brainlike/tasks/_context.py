"""Context-dependent perceptual decisions (Mante, Sussillo, Shenoy & Newsome 2013 Nature).

The monkey sees a cloud of dots that has both a net motion (left/right) and a net colour (red/green),
each with its own signed coherence; a context cue says which of the two to report. Both streams are
shown on every trial, so the irrelevant one has to be ignored by the circuit.

Channels follow NeuroGym's ``ContextDecisionMaking`` (explicit context): ``fixation``, two motion
channels, two colour channels, two context cues. Each stream's pair of channels carries
``0.5 -/+ coherence / 200`` (the ``+`` channel favours option 1) plus noise ``sigma / sqrt(dt)`` during the
stimulus. Unlike NeuroGym, the fixation cue stays on until the decision period, whose start it signals
(NeuroGym turns it off after fixation, which leaves a variable delay's end unpredictable).
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
from ._base import Duration, Task, as_float_array, check_timing, duration_steps, inside, period_edges, register

__all__ = ["ContextDecision"]

@register("context_decision")
class ContextDecision(Task):
    """Report the sign of the motion or of the colour coherence, as the context cue says.

    Conditions: ``motion`` and ``colour`` (signed coherence, %; positive favours option 1), ``context``
    (0 = motion, 1 = colour), ``choice`` (the correct option: sign of the relevant coherence).
    Default timing: NeuroGym's fixation 300 ms and stimulus 750 ms, a delay drawn from 300-1500 ms, decision
    100 ms; coherences NeuroGym's 5, 15, 50 % with both signs.
    """

    metadata: ClassVar[dict] = {
        "paper": "Mante, Sussillo, Shenoy & Newsome 2013 Nature 503:78",
        "doi": "10.1038/nature12742",
        "tags": ("perceptual", "context dependent", "two-alternative", "supervised",
                 "neurogym:ContextDecisionMaking-v0"),
    }
    input_names: ClassVar[tuple[str, ...]] = ("fixation", "motion_0", "motion_1", "colour_0", "colour_1",
                                              "context_motion", "context_colour")
    output_names: ClassVar[tuple[str, ...]] = ("fixate", "choice_0", "choice_1")

    dt: float = eqx.field(static=True, default=100.0)
    fixation: Duration = eqx.field(static=True, default=300.0)
    stimulus: Duration = eqx.field(static=True, default=750.0)
    delay: Duration = eqx.field(static=True, default=(300.0, 1500.0))
    decision: Duration = eqx.field(static=True, default=100.0)
    coherences: Array = eqx.field(converter=as_float_array, default=(5.0, 15.0, 50.0))
    sigma: Array = eqx.field(converter=as_float_array, default=1.0)

    def __check_init__(self):
        check_timing("ContextDecision", self.dt, self._periods(),
                     [("stimulus", self.stimulus), ("decision", self.decision)])
        concrete = not isinstance(self.coherences, jax.core.Tracer)  # values can be checked outside jit only
        if np.ndim(self.coherences) != 1 or np.size(self.coherences) == 0 or (
                concrete and np.any(np.asarray(self.coherences) <= 0)):
            raise ConfigError(f"ContextDecision: coherences must be positive magnitudes, got {self.coherences}")

    def _periods(self):
        return (("fixation", self.fixation), ("stimulus", self.stimulus), ("delay", self.delay),
                ("decision", self.decision))

    @property
    def n_steps(self) -> int:
        return sum(duration_steps(n, d, self.dt)[1] for n, d in self._periods())

    def sample_conditions(self, key: PRNGKeyArray, n: int) -> dict[str, Array]:
        k = jax.random.split(key, 5)
        motion = jax.random.choice(k[0], self.coherences, (n,)) * jax.random.choice(k[1], jnp.array([-1.0, 1.0]), (n,))
        colour = jax.random.choice(k[2], self.coherences, (n,)) * jax.random.choice(k[3], jnp.array([-1.0, 1.0]), (n,))
        context = jax.random.randint(k[4], (n,), 0, 2)
        return self._conditions(motion, colour, context)

    def condition_grid(self, n_repeats: int) -> dict[str, Array]:
        """Every (motion, colour, context) combination, ``n_repeats`` times."""
        signed = jnp.concatenate([-self.coherences[::-1], self.coherences])
        m, c, x = jnp.meshgrid(signed, signed, jnp.arange(2), indexing="ij")
        return self._conditions(*(jnp.tile(a.ravel(), n_repeats) for a in (m, c, x)))

    @staticmethod
    def _conditions(motion, colour, context) -> dict[str, Array]:
        relevant = jnp.where(context == 0, motion, colour)
        return {"motion": motion, "colour": colour, "context": context.astype(jnp.int32),
                "choice": (relevant > 0).astype(jnp.int32)}

    def build_trial(self, conditions: dict[str, Array], *, key: PRNGKeyArray) -> Trials:
        k_noise, k_time = jax.random.split(key)
        edges = period_edges(self._periods(), self.dt, k_time)
        n = self.n_steps
        end = edges["decision"][1]
        in_stim = inside(edges["stimulus"], n)[:, None]
        trial = jnp.arange(n) < end
        fix = (jnp.arange(n) < edges["decision"][0]).astype(jnp.float32)[:, None]

        def stream(coherence):
            return jnp.stack([0.5 - coherence / 200.0, 0.5 + coherence / 200.0])

        mean = jnp.concatenate([stream(conditions["motion"]), stream(conditions["colour"])])
        noise = self.sigma / jnp.sqrt(self.dt) * jax.random.normal(k_noise, (n, 4))
        stim = jnp.where(in_stim, mean[None, :] + noise, 0.0)
        ctx = jax.nn.one_hot(conditions["context"], 2)[None, :] * trial[:, None]
        inputs = jnp.concatenate([fix, stim, ctx], axis=1)
        label = jnp.where(inside(edges["decision"], n), conditions["choice"] + 1, 0)
        return Trials(inputs=inputs, targets=jax.nn.one_hot(label, 3), mask=trial.astype(jnp.float32),
                      conditions=dict(conditions), epochs=edges, dt=self.dt)
