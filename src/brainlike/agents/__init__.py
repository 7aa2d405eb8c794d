"""Classical agents: the normative and algorithmic learners that networks and people are compared with.

Each agent acts in a :class:`~brainlike.tasks.Environment` from the environment's own observations, the
way a meta-learning network does (previous action and reward), so networks, baselines and people are
scored by the same environment and the same analyses. An agent is an Equinox module with
``init_state()`` and ``act(state, obs, *, key) -> (state, action)``; :func:`play` runs any of them on
a batch of environments.
"""

from ._bandit import UCB, Gittins, ThompsonSampling, gittins_index
from ._play import play
from ._qlearning import (BANDIT_Q_MODELS, BanditQ, TwoStepQ, bandit_q_log_likelihood, bandit_q_parameters,
                         fit_bandit_q)

__all__ = ["ThompsonSampling", "UCB", "Gittins", "gittins_index", "BanditQ", "TwoStepQ", "play",
           "bandit_q_log_likelihood", "bandit_q_parameters", "fit_bandit_q", "BANDIT_Q_MODELS"]
