"""Experiments: one file per landmark paper (config sizes, training, analyses, claims, figures)."""

from . import akrout2019, banino2018, bellec2018, bellec2020, conditioning, dabney2020, dezfouli2019, kool2017, maheswaranathan2019, mante2013, miconi2017, padoa2006, perceptual_dm, song2017_perceptual, stachenfeld2017, wang2018_bandits, wang2018_twostep, yamins2014, yang2019, yang2019_continual
from ._base import SIZES, Claim, Evaluation, Experiment, get, names, register

__all__ = ["Experiment", "Evaluation", "Claim", "get", "names", "register", "SIZES", "perceptual_dm", "mante2013", "conditioning", "dabney2020", "stachenfeld2017", "akrout2019", "miconi2017", "yamins2014", "yang2019", "maheswaranathan2019", "bellec2018", "bellec2020", "song2017_perceptual", "padoa2006", "wang2018_bandits", "wang2018_twostep", "dezfouli2019", "kool2017", "banino2018", "yang2019_continual"]
