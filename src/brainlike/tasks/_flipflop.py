"""The n-bit flip-flop (Sussillo & Barak 2013 Neural Comput 25:626, section 3.1; the 3-bit memory task of
Maheswaranathan, Williams, Golub, Ganguli & Sussillo 2019 NeurIPS).

Each of ``n_bits`` input channels carries brief pulses of +1 or -1 at random times; the matching output
channel must hold the sign of the most recent pulse on its channel until the next one. A solution needs
``2**n_bits`` stable memory states (the corners of a cube for three bits), and the trained networks of
Sussillo & Barak place a stable fixed point at each corner with saddles between neighbouring corners.

Every channel is pulsed on the first step, so the target is defined (+-1) from the start and every step
is scored; afterwards each channel is pulsed on each step with probability ``p_pulse``, the sign drawn
fairly.
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

__all__ = ["FlipFlop"]


@register("flip_flop")
class FlipFlop(Task):
    """Hold the sign of the last pulse on each of ``n_bits`` channels.

    Conditions: ``initial`` (the memory state set on the first step, as an integer whose bit ``k`` is 1 when
    channel ``k`` starts at +1) and ``final`` (the state at the last step, the same coding; set when the
    trial is built). Inputs: ``bit_0..`` pulses (+-1 for one step). Outputs: ``bit_0..`` targets +-1
    (mean-squared error), every step scored.
    """

    metadata: ClassVar[dict] = {
        "paper": "Sussillo & Barak 2013 Neural Comput 25:626; Maheswaranathan et al. 2019 NeurIPS",
        "doi": "10.1162/NECO_a_00409",
        "tags": ("memory", "fixed points", "multistability", "supervised"),
    }

    n_bits: int = eqx.field(static=True, default=3)
    dt: float = eqx.field(static=True, default=10.0)
    duration: float = eqx.field(static=True, default=1000.0)  # ms
    p_pulse: float = eqx.field(static=True, default=0.05)  # per channel and step, after the first step

    def __check_init__(self):
        if not isinstance(self.n_bits, int) or not 1 <= self.n_bits <= 16:
            raise ConfigError(f"FlipFlop: n_bits must be an integer in [1, 16], got {self.n_bits!r}")
        if not self.dt > 0:
            raise ConfigError(f"FlipFlop: dt must be positive, got {self.dt} ms")
        if duration_steps("duration", self.duration, self.dt)[0] < 2:
            raise ConfigError(f"FlipFlop: a trial of {self.duration} ms is under 2 steps of {self.dt} ms")
        if not 0 <= self.p_pulse <= 1:
            raise ConfigError(f"FlipFlop: p_pulse must be a probability, got {self.p_pulse}")

    @property
    def input_names(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(f"bit_{k}" for k in range(self.n_bits))

    @property
    def output_names(self) -> tuple[str, ...]:  # type: ignore[override]
        return self.input_names

    @property
    def n_steps(self) -> int:
        return duration_steps("duration", self.duration, self.dt)[0]

    def sample_conditions(self, key: PRNGKeyArray, n: int) -> dict[str, Array]:
        return {"initial": jax.random.randint(key, (n,), 0, 2 ** self.n_bits)}

    def states(self, codes: Array) -> Array:
        """Memory states as signs ``[..., n_bits]`` from their integer codes."""
        bits = (jnp.asarray(codes)[..., None] >> jnp.arange(self.n_bits)) & 1
        return 2.0 * bits - 1.0

    def build_trial(self, conditions: dict[str, Array], *, key: PRNGKeyArray) -> Trials:
        n, b = self.n_steps, self.n_bits
        k_when, k_sign = jax.random.split(key)
        when = jax.random.bernoulli(k_when, self.p_pulse, (n, b)).at[0].set(True)
        sign = jnp.where(jax.random.bernoulli(k_sign, 0.5, (n, b)), 1.0, -1.0)
        sign = sign.at[0].set(self.states(conditions["initial"]))
        pulses = jnp.where(when, sign, 0.0)

        def hold(last, p):
            last = jnp.where(p != 0, p, last)
            return last, last

        _, targets = jax.lax.scan(hold, jnp.zeros(b), pulses)
        final = jnp.sum(((targets[-1] > 0).astype(jnp.int32)) << jnp.arange(b))
        return Trials(inputs=pulses, targets=targets, mask=jnp.ones(n), conditions={**conditions, "final": final},
                      epochs={"trial": jnp.array([0, n])}, dt=self.dt)
