"""Comparing representations: a model's with a brain's, or two models'.

Representational similarity analysis (Kriegeskorte, Mur & Bandettini 2008): RDMs and their comparison,
noise ceilings and bootstraps; centred kernel alignment (Kornblith et al. 2019); SVCCA (Raghu et al.
2017) and PWCCA (Morcos et al. 2018); the orthogonal Procrustes shape distance (Williams et al. 2021);
cross-validated ridge predictivity with a split-half noise ceiling (Yamins et al. 2014; Schrimpf et al.
2020). Inputs are ``[stimuli units]`` arrays (or RDMs as condensed vectors); results match rsatoolbox
where it computes the same quantity (tests check).
"""

from ._datasets import SCORERS, score_against
from ._cka import cka, debiased_cka, rbf_cka
from ._cca import CCA, canonical_correlations, pwcca, svcca
from ._predictivity import Predictivity, ridge_predictivity, split_half_ceiling
from ._procrustes import procrustes_distance
from ._rdm import (RDM_COMPARISONS, RDM_METHODS, Separation, bootstrap_rdm_comparison, category_separation, compare_rdms,
                   crossnobis_rdm, noise_ceiling, rdm, rsa, square)

__all__ = ["score_against", "SCORERS", "rsa", "rdm", "crossnobis_rdm", "square", "compare_rdms", "noise_ceiling", "bootstrap_rdm_comparison", "category_separation", "Separation",
           "RDM_METHODS", "RDM_COMPARISONS", "cka", "debiased_cka", "rbf_cka", "canonical_correlations", "CCA",
           "svcca", "pwcca", "procrustes_distance", "ridge_predictivity", "split_half_ceiling", "Predictivity"]
