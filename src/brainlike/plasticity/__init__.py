"""Plasticity: learning rules. Gradient descent through time (BPTT) with Optax, its losses and loop."""

from ._bptt import adam, init_optimizer, make_step, supervised_loss
from ._loop import fit, make_chunk
from ._td import dopamine_response, successor_td, tabular_td, td_lambda, td_learn
from ._losses import LOSSES, cross_entropy, mse, rate_l2, weight_l2

RULES = {"bptt": "backpropagation through time with an Optax optimiser (plasticity.make_step)",
         "td": "temporal-difference learning, classical and distributional (plasticity.td_lambda)"}

__all__ = ["adam", "init_optimizer", "make_step", "supervised_loss", "fit", "make_chunk",
           "td_lambda", "td_learn", "dopamine_response", "successor_td", "tabular_td", "LOSSES", "cross_entropy", "mse", "rate_l2", "weight_l2", "RULES"]
