"""Plasticity: learning rules. Gradient descent through time (BPTT) with Optax, its losses and loop;
temporal-difference learning; credit assignment without weight transport (feedback alignment and kin);
synaptic consolidation for tasks learned one after another (intelligent synapses, elastic weight
consolidation)."""

from ._actor_critic import CRITICS, ActorCritic, Rollout, actor_critic_loss, gae, make_actor_critic_step, play, rollout
from ._bptt import adam, bptt_gradients, init_optimizer, make_learn, make_step, make_update, supervised_loss
from ._consolidation import (ElasticWeightConsolidationState, IntelligentSynapsesState, elastic_weight_consolidation,
                             fisher_information, intelligent_synapses, surrogate_loss, training_phase)
from ._feedback import (FEEDBACK_RULES, DirectFeedback, Feedback, angle, feedback_angles, feedback_labels,
                        feedback_optimizer, gradient_angles, update_angles, with_feedback, without_feedback)
from ._eprop import eprop_gradients, make_eprop_step, random_feedback
from ._loop import fit, make_chunk
from ._perturbation import (PERTURBATION_RULES, HebbianLearner, Perturbation, binary_reward, make_hebbian_step,
                            perturbed_run, readout_choice, reward_modulated_update, update_baseline)
from ._td import dopamine_response, successor_td, tabular_td, td_lambda, td_learn
from ._losses import LOSSES, cross_entropy, mse, rate_deviation, rate_l1_penalty, rate_l2, sigmoid_mse, weight_l1_penalty, weight_l2

RULES = {"bptt": "backpropagation through time with an Optax optimiser (plasticity.make_step)",
         "eprop": "e-prop: eligibility traces and a broadcast learning signal, spiking circuits (plasticity.make_eprop_step)",
         "actor_critic": "REINFORCE with a value baseline / advantage actor-critic with GAE, reward only (plasticity.make_actor_critic_step)",
         "si": "BPTT with intelligent synapses, tasks learned one after another (plasticity.intelligent_synapses)",
         "ewc": "BPTT with elastic weight consolidation, tasks learned one after another "
                "(plasticity.elastic_weight_consolidation)",
         "td": "temporal-difference learning, classical and distributional (plasticity.td_lambda)",
         **{name: f"{what} (plasticity.with_feedback)" for name, what in FEEDBACK_RULES.items() if name != "bp"},
         **{name: f"{what} (plasticity.make_hebbian_step)" for name, what in PERTURBATION_RULES.items()}}

__all__ = ["ActorCritic", "CRITICS", "Rollout", "rollout", "gae", "actor_critic_loss", "make_actor_critic_step", "play", "eprop_gradients", "make_eprop_step", "random_feedback", "adam", "init_optimizer", "make_step", "make_update", "make_learn", "bptt_gradients",
           "intelligent_synapses", "IntelligentSynapsesState", "elastic_weight_consolidation",
           "ElasticWeightConsolidationState", "fisher_information", "surrogate_loss", "training_phase", "supervised_loss", "fit", "make_chunk",
           "td_lambda", "td_learn", "dopamine_response", "successor_td", "tabular_td", "LOSSES", "cross_entropy", "mse", "sigmoid_mse", "rate_l2", "rate_l1_penalty", "rate_deviation", "weight_l2", "weight_l1_penalty", "RULES",
           "FEEDBACK_RULES", "Feedback", "DirectFeedback", "with_feedback", "without_feedback", "feedback_optimizer",
           "feedback_labels", "update_angles", "gradient_angles", "feedback_angles", "angle",
           "PERTURBATION_RULES", "Perturbation", "HebbianLearner", "perturbed_run", "binary_reward", "readout_choice",
           "reward_modulated_update", "update_baseline", "make_hebbian_step"]
