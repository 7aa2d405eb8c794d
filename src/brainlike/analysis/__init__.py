"""Analyses: pure functions of Recordings, as a neuroscientist would run them on a brain."""

from ._behaviour import accuracy, by_condition, choices, decision_times
from ._choice import OUTCOME_TYPES, TwoStepRegression, cumulative_regret, stay_probabilities, two_step_regression
from ._distributional import (
                              SplitHalf,
                              asymmetries,
                              asymmetry_reversal_correlation,
                              expectiles,
                              impute_distribution,
                              reversal_points,
                              reward_responses,
                              split_half_reliability,
)
from ._fixed_points import FixedPoints, find_fixed_points, noiseless, saddle_connections
from ._paths import coverage, path_statistics
from ._population import PCA, condition_average, pca
from ._psychometric import Chronometric, PsychometricFit, chronometric, fit_psychometric, logistic, weibull
from ._rate_maps import border_score, head_direction_tuning, rate_maps, spatial_information
from ._spatial import (
                              autocorrelogram,
                              field_skew,
                              grid_modules,
                              grid_properties,
                              grid_score,
                              grid_score_threshold,
                              spectral_concentration,
)
from ._spikes import bin_spikes, fano_factor, firing_rates, isi_cv
from ._task_variance import (
                              UnitClusters,
                              active_units,
                              cluster_units,
                              exclusive_fractions,
                              exclusive_units_test,
                              fractional_task_variance,
                              normalized_task_variance,
                              random_rotation,
                              task_variance,
)
from ._tdr import TDR, targeted_dimensionality_reduction
from ._value import (
                              VALUE_CLASSES,
                              IndifferenceFit,
                              ValueTuning,
                              choice_curve,
                              economic_variables,
                              fit_indifference,
                              trial_types,
                              value_tuning,
)

__all__ = ["cumulative_regret", "stay_probabilities", "two_step_regression", "TwoStepRegression", "OUTCOME_TYPES",
           "choices", "accuracy", "by_condition", "decision_times", "condition_average", "pca", "PCA",
           "fit_psychometric", "PsychometricFit", "logistic", "weibull", "chronometric", "Chronometric",
           "find_fixed_points", "FixedPoints", "noiseless", "saddle_connections", "targeted_dimensionality_reduction", "TDR",
           "reward_responses", "reversal_points", "asymmetries", "split_half_reliability", "SplitHalf",
           "asymmetry_reversal_correlation", "expectiles", "impute_distribution",
           "field_skew", "autocorrelogram", "grid_score", "spectral_concentration", "grid_properties", "grid_modules",
           "grid_score_threshold", "rate_maps", "spatial_information", "border_score", "head_direction_tuning",
           "path_statistics", "coverage",
           "task_variance", "random_rotation", "normalized_task_variance", "active_units", "cluster_units", "UnitClusters",
           "fractional_task_variance", "exclusive_fractions", "exclusive_units_test", "fit_indifference", "IndifferenceFit", "choice_curve",
           "economic_variables", "trial_types", "value_tuning", "ValueTuning", "VALUE_CLASSES", "firing_rates", "isi_cv", "fano_factor", "bin_spikes"]
