"""Economic choice between two juices (Padoa-Schioppa & Assad 2006 Nature 441:223).

The paradigm: the monkey fixates; two offers appear, ``qA`` drops of juice A on one side and ``qB``
drops of juice B on the other (sides at random); after a delay the fixation point goes off and the
monkey saccades to one offer and receives it. The monkey prefers A drop for drop, and its choices
reveal a relative value: it is indifferent between ``1A`` and ``rho`` drops of ``B``. The network
version is Song, Yang & Wang (2017) eLife 6:e21492, Fig. 7: the reward of a choice is the chosen
juice's value, ``rho * qA`` or ``qB`` (times ``reward_scale``), so the relative value is something the
network can only learn from reward.

Inputs (as in NeuroGym's ``EconomicDecisionMaking``): the fixation cue; which juice is on each side
(``left_A``, ``left_B``, ``right_A``, ``right_B``, one-hot per side); the quantity on each side divided by
``max_quantity``. Offers stay on from offer onset to the end of the trial. Outputs: ``fixate``,
``choose_left``, ``choose_right``; the supervised target (for BPTT, never used by the reward-trained
experiment) is the offer of higher value.

Conditions: ``offer_a``, ``offer_b`` (drops), ``a_left`` (1 when juice A is on the left), ``offer_type``
(index into ``offers``), ``choice`` (the better side: 0 left, 1 right).
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

__all__ = ["EconomicChoice", "PADOA_OFFERS"]

#: Offer types ``(qA, qB)`` in the manner of Padoa-Schioppa & Assad 2006 (one or a few drops of A against
#: 0-10 drops of B, and forced choices), balanced around a relative value of 2.2: six types where A is
#: worth more and six where B is, at mirror-image distances in ``log(qB/qA)`` (1A:2B and 4A:8B against 3A:7B
#: and 2A:5B near indifference), so that neither juice is the better one more often.
PADOA_OFFERS = ((1, 0), (2, 1), (1, 1), (2, 3), (1, 2), (4, 8), (3, 7), (2, 5), (1, 3), (1, 5), (1, 10), (0, 2))


@register("economic_choice")
class EconomicChoice(Task):
    """Two juices offered in variable quantities; the reward is the chosen juice's value.

    ``relative_value`` (rho) is the value of one drop of A in drops of B; ``offers`` the ``(qA, qB)`` offer
    types, drawn uniformly. Durations in ms, fixed or ``(low, high)``.
    """

    metadata: ClassVar[dict] = {
        "paper": "Padoa-Schioppa & Assad 2006 Nature; Song, Yang & Wang 2017 eLife",
        "doi": "10.1038/nature04676",
        "tags": ("economic", "value-based", "two-alternative", "reward", "neurogym:EconomicDecisionMaking-v0"),
    }
    input_names: ClassVar[tuple[str, ...]] = ("fixation", "left_A", "left_B", "right_A", "right_B",
                                              "quantity_left", "quantity_right")
    output_names: ClassVar[tuple[str, ...]] = ("fixate", "choose_left", "choose_right")

    dt: float = eqx.field(static=True, default=20.0)
    fixation: Duration = eqx.field(static=True, default=750.0)
    offer: Duration = eqx.field(static=True, default=(1000.0, 2000.0))
    decision: Duration = eqx.field(static=True, default=750.0)
    offers: Array = eqx.field(converter=as_float_array, default=PADOA_OFFERS)
    relative_value: Array = eqx.field(converter=as_float_array, default=2.2)
    reward_scale: Array = eqx.field(converter=as_float_array, default=0.1)
    max_quantity: float = eqx.field(static=True, default=10.0)
    sigma: float = eqx.field(static=True, default=0.0)  # input noise (per-step std sigma / sqrt(dt)); static, so
    # the noiseless default draws no random numbers (an environment builds a trial at every reset)

    def __check_init__(self):
        check_timing("EconomicChoice", self.dt, [("fixation", self.fixation), ("offer", self.offer),
                                                 ("decision", self.decision)],
                     [("offer", self.offer), ("decision", self.decision)])
        shape = np.shape(self.offers)
        if len(shape) != 2 or shape[1] != 2 or shape[0] == 0:
            raise ConfigError(f"EconomicChoice: offers must be a non-empty list of (qA, qB) pairs, got shape {shape}")
        if self.sigma < 0 or self.max_quantity <= 0:
            raise ConfigError(f"EconomicChoice: need sigma >= 0 and max_quantity > 0, got {self.sigma} and "
                              f"{self.max_quantity}")
        if isinstance(self.offers, jax.core.Tracer) or isinstance(self.relative_value, jax.core.Tracer):
            return  # built inside a traced function (make_train under vmap): the values were checked outside
        offers = np.asarray(self.offers)
        if (offers < 0).any():
            raise ConfigError(f"EconomicChoice: offer quantities must be non-negative, got {offers.tolist()}")
        if (offers.sum(axis=1) == 0).any():
            raise ConfigError("EconomicChoice: an offer type of 0A:0B offers nothing")
        if not float(self.relative_value) > 0:
            raise ConfigError(f"EconomicChoice: relative_value must be positive, got {float(self.relative_value)}")

    def _periods(self):
        return (("fixation", self.fixation), ("offer", self.offer), ("decision", self.decision))

    @property
    def n_steps(self) -> int:
        return sum(duration_steps(n, d, self.dt)[1] for n, d in self._periods())

    def sample_conditions(self, key: PRNGKeyArray, n: int) -> dict[str, Array]:
        k_type, k_side = jax.random.split(key)
        offer_type = jax.random.randint(k_type, (n,), 0, self.offers.shape[0])
        a_left = jax.random.bernoulli(k_side, 0.5, (n,)).astype(jnp.int32)
        return self._conditions(offer_type, a_left)

    def condition_grid(self, n_repeats: int) -> dict[str, Array]:
        """Every (offer type, side) pair, ``n_repeats`` times."""
        kind, side = jnp.meshgrid(jnp.arange(self.offers.shape[0]), jnp.arange(2), indexing="ij")
        return self._conditions(jnp.tile(kind.ravel(), n_repeats), jnp.tile(side.ravel(), n_repeats))

    def _conditions(self, offer_type: Array, a_left: Array) -> dict[str, Array]:
        qa, qb = self.offers[offer_type, 0], self.offers[offer_type, 1]
        a_better = self.relative_value * qa >= qb
        choice = jnp.where(a_better == (a_left == 1), 0, 1).astype(jnp.int32)
        return {"offer_type": offer_type.astype(jnp.int32), "offer_a": qa, "offer_b": qb,
                "a_left": a_left.astype(jnp.int32), "choice": choice}

    def chose_a(self, conditions: dict[str, Array], action: Array) -> Array:
        """Whether action ``1`` (left) or ``2`` (right) picks juice A."""
        return (action == 1) == (conditions["a_left"] == 1)

    def choice_reward(self, conditions: dict[str, Array], action: Array) -> Array:
        """The chosen offer's value, ``rho * qA`` or ``qB``, times ``reward_scale`` (Song et al. 2017)."""
        value = jnp.where(self.chose_a(conditions, action), self.relative_value * conditions["offer_a"],
                          conditions["offer_b"])
        return self.reward_scale * value

    def build_trial(self, conditions: dict[str, Array], *, key: PRNGKeyArray) -> Trials:
        k_noise, k_time = jax.random.split(key)
        edges = period_edges(self._periods(), self.dt, k_time)
        end = edges["decision"][1]
        steps = jnp.arange(self.n_steps)
        a_left = conditions["a_left"] == 1
        qa, qb = conditions["offer_a"], conditions["offer_b"]
        q_left, q_right = jnp.where(a_left, qa, qb), jnp.where(a_left, qb, qa)
        identity = jnp.array([a_left, ~a_left, ~a_left, a_left], jnp.float32)
        offer_vec = jnp.concatenate([identity, jnp.stack([q_left, q_right]) / self.max_quantity])
        on = (steps >= edges["offer"][0]) & (steps < end)
        offer_in = jnp.broadcast_to(offer_vec, (self.n_steps, offer_vec.size))
        if self.sigma > 0:
            offer_in = offer_in + self.sigma / jnp.sqrt(self.dt) * jax.random.normal(k_noise, offer_in.shape)
        offer_in = jnp.where(on[:, None], offer_in, 0.0)
        fix = inside(edges["fixation"], self.n_steps) | inside(edges["offer"], self.n_steps)
        inputs = jnp.concatenate([fix.astype(jnp.float32)[:, None], offer_in], axis=1)
        label = jnp.where(inside(edges["decision"], self.n_steps), conditions["choice"] + 1, 0)
        return Trials(inputs=inputs, targets=jax.nn.one_hot(label, 3), mask=(steps < end).astype(jnp.float32),
                      conditions=dict(conditions), epochs=edges, dt=self.dt)
