"""Plots: ``plot.x(result, ax=None) -> (fig, ax)``, separate from the analyses that make ``result``."""

from ._behaviour import chronometric, psychometric
from ._choice import regret_curves, stay_bars
from ._multitask import (fractional_variance, lesion_effects, sequential_performance, silhouette, task_performance,
                         task_variance_map)
from ._population import pca_trajectories, training_curve
from ._spikes import accuracy_by_delay, raster, spike_statistics
from ._trials import trials
from ._universality import distance_matrices, fixed_point_portraits, network_embedding
from ._value import choice_curve, class_fractions, value_tuning_curve

__all__ = ["regret_curves", "stay_bars", "psychometric", "chronometric", "pca_trajectories", "training_curve", "trials", "task_performance",
           "task_variance_map", "fractional_variance", "lesion_effects", "silhouette", "sequential_performance", "network_embedding", "distance_matrices", "fixed_point_portraits", "raster",
           "spike_statistics", "accuracy_by_delay", "choice_curve", "value_tuning_curve", "class_fractions"]
