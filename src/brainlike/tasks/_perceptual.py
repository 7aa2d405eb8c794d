"""Random-dot motion discrimination (Newsome, Britten & Movshon 1989; Roitman & Shadlen 2002).

The paradigm: the subject fixates, views a noisy motion stimulus whose coherence sets the strength of
the evidence, optionally waits through a delay, and reports the direction. In the reaction-time variant
(Roitman & Shadlen 2002) the stimulus stays on and the subject answers whenever it is ready.

Observations and ground truth follow NeuroGym's ``PerceptualDecisionMaking`` so that results port:
channel 0 is the fixation cue (1 during fixation only), channels ``1..dim_ring`` carry the stimulus
``cos(theta_k - theta_choice) * coherence / 200 + 0.5`` plus Gaussian noise of standard deviation
``sigma / sqrt(dt)`` during the stimulus period; the output classes are ``0`` (fixate) and
``1..dim_ring`` (choices), and the target is "fixate" except during the decision period.
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
from ._base import Duration, Task, as_float_array, check_timing, duration_steps, period_edges, register
from ._base import inside as _inside

__all__ = ["PerceptualDecision"]

@register("perceptual_decision")
class PerceptualDecision(Task):
    """Two-alternative (or ``dim_ring``-alternative) motion discrimination.

    Durations are in ms, either fixed or a ``(low, high)`` range drawn uniformly per trial; the defaults
    are NeuroGym's (fixation 100, stimulus 2000, delay 0, decision 100, dt 100, coherences 0-51.2 %,
    sigma 1). With ``go_cue=True`` the fixation input stays on until the decision period, so its offset is
    the go signal (the monkey's fixation point; Song, Yang & Wang 2017); by default, as in NeuroGym, it is
    on during the fixation period only. With ``reaction_time=True`` there is no delay or decision period: the stimulus lasts
    ``stimulus`` ms and, after ``grace`` ms from its onset, the target is the correct choice at every step.

    Conditions: ``choice`` (index of the correct option), ``coherence`` (% , unsigned) and
    ``signed_coherence`` (positive when the evidence favours option 1; two options only).
    """

    metadata: ClassVar[dict] = {
        "paper": "Newsome, Britten & Movshon 1989 Nature; Roitman & Shadlen 2002 J Neurosci",
        "doi": "10.1523/JNEUROSCI.22-21-09475.2002",
        "tags": ("perceptual", "two-alternative", "supervised", "neurogym:PerceptualDecisionMaking-v0"),
    }

    dt: float = eqx.field(static=True, default=100.0)
    fixation: Duration = eqx.field(static=True, default=100.0)
    stimulus: Duration = eqx.field(static=True, default=2000.0)
    delay: Duration = eqx.field(static=True, default=0.0)
    decision: Duration = eqx.field(static=True, default=100.0)
    reaction_time: bool = eqx.field(static=True, default=False)
    grace: float = eqx.field(static=True, default=0.0)
    dim_ring: int = eqx.field(static=True, default=2)
    go_cue: bool = eqx.field(static=True, default=False)
    coherences: Array = eqx.field(converter=as_float_array, default=(0.0, 6.4, 12.8, 25.6, 51.2))
    sigma: Array = eqx.field(converter=as_float_array, default=1.0)

    def __check_init__(self):
        check_timing("PerceptualDecision", self.dt,
                     [(name, getattr(self, name)) for name in ("fixation", "stimulus", "delay", "decision")],
                     [("stimulus", self.stimulus)] + ([] if self.reaction_time else [("decision", self.decision)]))
        if self.grace < 0 or (self.reaction_time and
                              round(self.grace / self.dt) >= duration_steps("stimulus", self.stimulus, self.dt)[0]):
            raise ConfigError(f"impossible timing: grace of {self.grace} ms leaves no decision time in the stimulus")
        if self.dim_ring < 2:
            raise ConfigError(f"PerceptualDecision: dim_ring must be >= 2, got {self.dim_ring}")
        if np.ndim(self.coherences) != 1 or np.size(self.coherences) == 0:
            raise ConfigError(f"PerceptualDecision: coherences must be a non-empty list, got {self.coherences}")

    @property
    def input_names(self) -> tuple[str, ...]:
        return ("fixation", *(f"stimulus_{k}" for k in range(self.dim_ring)))

    @property
    def output_names(self) -> tuple[str, ...]:
        return ("fixate", *(f"choice_{k}" for k in range(self.dim_ring)))

    def _periods(self) -> tuple[tuple[str, Duration], ...]:
        if self.reaction_time:
            return (("fixation", self.fixation), ("stimulus", self.stimulus))
        return (("fixation", self.fixation), ("stimulus", self.stimulus),
                ("delay", self.delay), ("decision", self.decision))

    @property
    def n_steps(self) -> int:
        return sum(duration_steps(n, d, self.dt)[1] for n, d in self._periods())

    def sample_conditions(self, key: PRNGKeyArray, n: int) -> dict[str, Array]:
        k_choice, k_coh = jax.random.split(key)
        choice = jax.random.randint(k_choice, (n,), 0, self.dim_ring)
        coherence = jax.random.choice(k_coh, self.coherences, (n,))
        return self._conditions(choice, coherence)

    def condition_grid(self, n_repeats: int) -> dict[str, Array]:
        """Every (coherence, choice) pair, ``n_repeats`` times: for analyses that need an exact grid."""
        coh, choice = jnp.meshgrid(self.coherences, jnp.arange(self.dim_ring), indexing="ij")
        coh = jnp.tile(coh.ravel(), n_repeats)
        choice = jnp.tile(choice.ravel(), n_repeats)
        return self._conditions(choice, coh)

    def _conditions(self, choice: Array, coherence: Array) -> dict[str, Array]:
        sign = jnp.where(choice == 1, 1.0, -1.0) if self.dim_ring == 2 else jnp.zeros_like(coherence)
        return {"choice": choice.astype(jnp.int32), "coherence": coherence,
                "signed_coherence": sign * coherence}

    def build_trial(self, conditions: dict[str, Array], *, key: PRNGKeyArray) -> Trials:
        k_noise, k_time = jax.random.split(key)
        edges = period_edges(self._periods(), self.dt, k_time)
        end = edges[self._periods()[-1][0]][1]
        steps = jnp.arange(self.n_steps)

        def inside(name):
            return _inside(edges[name], self.n_steps)

        theta = jnp.linspace(0, 2 * jnp.pi, self.dim_ring, endpoint=False)
        choice, coherence = conditions["choice"], conditions["coherence"]
        stim_mean = jnp.cos(theta - theta[choice]) * (coherence / 200.0) + 0.5
        noise_std = self.sigma / jnp.sqrt(self.dt)
        noise = noise_std * jax.random.normal(k_noise, (self.n_steps, self.dim_ring))
        in_stim = inside("stimulus")[:, None]
        stim = jnp.where(in_stim, stim_mean[None, :] + noise, 0.0)
        if self.go_cue and not self.reaction_time:
            fix = (steps < edges["decision"][0]).astype(jnp.float32)[:, None]
        else:
            fix = inside("fixation").astype(jnp.float32)[:, None]
        inputs = jnp.concatenate([fix, stim], axis=1)

        if self.reaction_time:
            onset = edges["stimulus"][0] + int(round(self.grace / self.dt))
            edges["decision"] = jnp.stack([onset, end])
            respond = inside("decision")
            mask = (steps < end) & ~((steps >= edges["stimulus"][0]) & (steps < onset))
        else:
            respond = inside("decision")
            mask = steps < end
        label = jnp.where(respond, choice + 1, 0)
        targets = jax.nn.one_hot(label, 1 + self.dim_ring)
        return Trials(inputs=inputs, targets=targets, mask=mask.astype(jnp.float32),
                      conditions=dict(conditions), epochs=edges, dt=self.dt)
