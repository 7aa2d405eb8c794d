"""Experiments: one file per landmark paper (config sizes, training, analyses, claims, figures)."""

from . import mante2013, perceptual_dm
from ._base import SIZES, Claim, Evaluation, Experiment, get, names, register

__all__ = ["Experiment", "Evaluation", "Claim", "get", "names", "register", "SIZES", "perceptual_dm", "mante2013"]
