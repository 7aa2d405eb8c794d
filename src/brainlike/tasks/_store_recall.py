"""Store-recall: the working-memory task of long short-term memory spiking networks (Bellec, Salaj,
Subramoney, Legenstein & Maass 2018 NeurIPS, Fig. 2 and Supplement "Store-recall task").

A trial is ``n_periods`` periods of ``period`` ms. In every period one of two value channels is on (a
random bit). In one period a STORE command is on as well, and in a later period a RECALL command: during
the recall period the network must report the bit that was on when STORE was. The recall comes
``min_delay`` to ``max_delay`` periods after the store, so the bit has to be held for up to
``max_delay * period`` ms across intervening bits that must be ignored: far longer than a 20 ms membrane
time constant, which is what adaptive thresholds (time constants of seconds) give an LSNN.

Inputs are levels (0 or 1 per channel); :class:`~brainlike.tasks.Encoded` turns them into Poisson spike
trains of input neurons, as in the paper.
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

__all__ = ["StoreRecall"]


@register("store_recall")
class StoreRecall(Task):
    """Hold one bit from a STORE command to a RECALL command (Bellec et al. 2018).

    Conditions: ``bit`` (the stored value, 0 or 1), ``store`` and ``recall`` (their periods), ``delay``
    (recall - store, in periods). Inputs ``value_0``, ``value_1``, ``store``, ``recall``; outputs ``bit_0``,
    ``bit_1`` (cross-entropy), scored in the recall period only."""

    metadata: ClassVar[dict] = {
        "paper": "Bellec, Salaj, Subramoney, Legenstein & Maass 2018 NeurIPS (LSNN store-recall)",
        "doi": "10.48550/arXiv.1803.09574",
        "tags": ("working memory", "spiking", "supervised"),
    }
    input_names: ClassVar[tuple[str, ...]] = ("value_0", "value_1", "store", "recall")
    output_names: ClassVar[tuple[str, ...]] = ("bit_0", "bit_1")

    dt: float = eqx.field(static=True, default=1.0)
    period: float = eqx.field(static=True, default=200.0)  # ms
    n_periods: int = eqx.field(static=True, default=10)
    min_delay: int = eqx.field(static=True, default=2)  # periods from store to recall
    max_delay: int = eqx.field(static=True, default=6)

    def __check_init__(self):
        if not self.dt > 0:
            raise ConfigError(f"StoreRecall: dt must be positive, got {self.dt} ms")
        duration_steps("period", self.period, self.dt)
        if not 1 <= self.min_delay <= self.max_delay <= self.n_periods - 1:
            raise ConfigError(f"StoreRecall: need 1 <= min_delay <= max_delay <= n_periods - 1, got min_delay="
                              f"{self.min_delay}, max_delay={self.max_delay}, n_periods={self.n_periods}")

    @property
    def period_steps(self) -> int:
        return duration_steps("period", self.period, self.dt)[0]

    @property
    def n_steps(self) -> int:
        return self.n_periods * self.period_steps

    def sample_conditions(self, key: PRNGKeyArray, n: int) -> dict[str, Array]:
        k_bit, k_delay, k_store = jax.random.split(key, 3)
        delay = jax.random.randint(k_delay, (n,), self.min_delay, self.max_delay + 1)
        # the store period is uniform over those that leave room for the delay
        store = jnp.floor(jax.random.uniform(k_store, (n,)) * (self.n_periods - delay)).astype(jnp.int32)
        return {"bit": jax.random.randint(k_bit, (n,), 0, 2), "store": store, "recall": store + delay,
                "delay": delay}

    def build_trial(self, conditions: dict[str, Array], *, key: PRNGKeyArray) -> Trials:
        p, n = self.n_periods, self.period_steps
        bits = jax.random.randint(key, (p,), 0, 2)
        bits = bits.at[conditions["store"]].set(conditions["bit"])
        period = jnp.arange(p)
        levels = jnp.stack([bits == 0, bits == 1, period == conditions["store"], period == conditions["recall"]],
                           axis=-1).astype(jnp.float32)  # [periods 4]
        inputs = jnp.repeat(levels, n, axis=0)
        target = jax.nn.one_hot(conditions["bit"], 2)
        recall = jnp.repeat(period == conditions["recall"], n).astype(jnp.float32)
        r0 = conditions["recall"] * n
        return Trials(inputs=inputs, targets=jnp.broadcast_to(target, (p * n, 2)), mask=recall,
                      conditions=dict(conditions), epochs={"store": jnp.stack([conditions["store"] * n,
                                                                               (conditions["store"] + 1) * n]),
                                                           "recall": jnp.stack([r0, r0 + n])}, dt=self.dt)
