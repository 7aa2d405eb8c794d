"""Known answers for representation comparisons, and parity with rsatoolbox where it computes the same."""

import warnings

import numpy as np
import pytest
from scipy.stats import ortho_group

from brainlike import ConfigError
from brainlike.compare import (bootstrap_rdm_comparison, canonical_correlations, category_separation, cka,
                               compare_rdms, crossnobis_rdm, debiased_cka, noise_ceiling, procrustes_distance, pwcca, rbf_cka, rdm,
                               ridge_predictivity, rsa, svcca)

rng = np.random.default_rng(0)
X = rng.normal(size=(60, 20))


def test_cka_is_invariant_to_rotation_and_scale_and_matches_the_kernel_formula():
    q = ortho_group.rvs(20, random_state=1)
    assert cka(X, 3.0 * X @ q) == pytest.approx(1.0)
    assert rbf_cka(X, 3.0 * X @ q) == pytest.approx(1.0)
    assert debiased_cka(X, X @ q) == pytest.approx(1.0)
    y = rng.normal(size=(60, 7))
    n = 60
    h = np.eye(n) - 1 / n
    k, l_ = h @ X @ X.T @ h, h @ y @ y.T @ h
    assert cka(X, y) == pytest.approx(np.sum(k * l_) / (np.linalg.norm(k) * np.linalg.norm(l_)))
    # independent wide representations: plain CKA is biased up, the debiased one is near 0
    a, b = rng.normal(size=(30, 500)), rng.normal(size=(30, 500))
    assert cka(a, b) > 0.5 and abs(debiased_cka(a, b)) < 0.1


def test_svcca_recovers_a_planted_shared_subspace():
    shared = rng.normal(size=(500, 3))
    x = np.c_[shared, rng.normal(size=(500, 5))] @ rng.normal(size=(8, 30))
    y = np.c_[shared, rng.normal(size=(500, 4))] @ rng.normal(size=(7, 25))
    rho = svcca(x, y).rho
    np.testing.assert_allclose(rho[:3], 1.0, atol=1e-6)
    assert rho[3] < 0.3
    assert canonical_correlations(x, x).rho.min() == pytest.approx(1.0)
    assert pwcca(x, x) == pytest.approx(0.0, abs=1e-9) and pwcca(x, y) > 0.1


def test_procrustes_distance_is_zero_up_to_rotation_translation_and_scale():
    q = ortho_group.rvs(20, random_state=2)
    assert procrustes_distance(X, 2 * X @ q + 5) == pytest.approx(0.0, abs=1e-6)
    assert procrustes_distance(X, rng.normal(size=(60, 20))) > 0.5


def test_rsa_of_identical_representations_is_one_and_identical_subjects_have_ceiling_one():
    for method in ("spearman", "pearson", "kendall_tau_a", "rho_a", "cosine", "whitened_cosine"):
        assert compare_rdms(rdm(X), rdm(X), method) == pytest.approx(1.0)
        c = noise_ceiling(np.stack([rdm(X)] * 4), method)
        assert c.lower == pytest.approx(1.0) and c.upper == pytest.approx(1.0)
    boots = bootstrap_rdm_comparison(rdm(X), rdm(X + 0.5 * rng.normal(size=X.shape)), n_boot=50)
    assert boots.shape == (50,) and 0.3 < boots.mean() < 1
    subjects = np.stack([rdm(X + rng.normal(size=X.shape)) for _ in range(5)])
    both = bootstrap_rdm_comparison(rdm(X), subjects, n_boot=50)
    assert both.shape == (50,) and 0.2 < both.mean() < 1 and both.std() > 0


def test_rsa_of_euclidean_rdms_by_whitened_cosine_is_linear_cka_without_an_rdm():
    y = X[:, :8] + 0.3 * rng.normal(size=(60, 8))
    direct = compare_rdms(rdm(X, "euclidean"), rdm(y, "euclidean"), "whitened_cosine")
    assert rsa(X, y, "euclidean", "whitened_cosine") == pytest.approx(direct, rel=1e-9)
    assert rsa(X, y) == pytest.approx(compare_rdms(rdm(X), rdm(y)))
    for method in ("correlation", "euclidean"):
        for comparison in ("pearson", "cosine"):  # the feature-space path against the RDMs themselves
            want = compare_rdms(rdm(X, method), rdm(y, method), comparison)
            assert rsa(X, y, method, comparison) == pytest.approx(want, rel=1e-8)


def test_crossnobis_is_unbiased_where_stimuli_do_not_differ():
    same = rng.normal(size=(1, 10, 50)) * 0 + rng.normal(size=(6, 10, 50))  # pure noise: no true differences
    assert abs(crossnobis_rdm(same).mean()) < 0.05
    assert rdm(same.mean(0), "euclidean").mean() > 0.3  # plain distances are biased by noise


def test_predictivity_of_a_linear_map_of_the_features_is_near_the_ceiling():
    feats = rng.normal(size=(200, 30))
    signal = feats @ rng.normal(size=(30, 10))
    repeats = signal[None] + 1.0 * rng.normal(size=(8, 200, 10))
    p = ridge_predictivity(feats, repeats.mean(0), repeats)
    assert p.score == pytest.approx(1.0, abs=0.1)
    noise = ridge_predictivity(rng.normal(size=(200, 30)), repeats.mean(0), repeats)
    assert noise.score < 0.3


def test_kendall_tau_a_equals_the_sum_over_pairs_with_ties():
    r = np.random.default_rng(1)
    for n in (3, 40, 300):
        a = r.integers(0, 5, n).astype(float)  # many ties, as in a bootstrap resample of an RDM
        b = r.random(n)
        b[: n // 3] = 0.5
        i, j = np.triu_indices(n, 1)
        direct = np.sum(np.sign(a[i] - a[j]) * np.sign(b[i] - b[j])) / (n * (n - 1) / 2)
        assert compare_rdms(a, b, "kendall_tau_a") == pytest.approx(direct, abs=1e-12)
    assert compare_rdms(np.ones(10), r.random(10), "kendall_tau_a") == 0.0


def test_category_separation_of_a_planted_split_and_of_random_labels():
    labels = np.repeat([0, 1], 10)
    x = np.concatenate([r_ := np.random.default_rng(2).normal(size=(20, 5)), np.zeros((20, 1))], axis=1)
    x[:10, -1], x[10:, -1] = 5.0, -5.0  # a large shift between the categories
    planted = category_separation(rdm(x, "euclidean"), labels, n_permutations=200)
    assert planted.index > 0.8 and planted.p < 0.02
    # every between-category pair above every within-category pair: the index is 1
    d = (labels[:, None] != labels[None, :]).astype(float) + 0.01 * np.arange(400).reshape(20, 20) / 400
    from scipy.spatial.distance import squareform
    perfect = category_separation(squareform((d + d.T) / 2, checks=False), labels, n_permutations=50)
    assert perfect.index == pytest.approx(1.0, abs=1e-9)
    noise = category_separation(rdm(r_), labels, n_permutations=200)
    assert noise.p > 0.01
    with pytest.raises(ConfigError, match="19 labels for an RDM of 20 stimuli"):
        category_separation(rdm(x), labels[:-1])
    with pytest.raises(ConfigError, match="only one category"):
        category_separation(rdm(x), np.zeros(20))


def test_bad_inputs_name_the_array_and_shapes():
    with pytest.raises(ConfigError, match=r"x has 60 stimuli and y 59"):
        cka(X, X[:-1])
    with pytest.raises(ConfigError, match=r"y must be \[stimuli units\], got shape \(60,\)"):
        cka(X, X[:, 0])
    with pytest.raises(ConfigError, match="unknown RDM comparison 'kendal'"):
        compare_rdms(rdm(X), rdm(X), "kendal")
    with pytest.raises(ConfigError, match="different numbers of stimuli"):
        compare_rdms(rdm(X), rdm(X[:-1]))


# -- parity with rsatoolbox ---------------------------------------------------------------------
rsatoolbox = pytest.importorskip("rsatoolbox")


def _rsa_rdm(x, method, **kw):
    ds = rsatoolbox.data.Dataset(x, obs_descriptors={"stim": np.arange(x.shape[0])})
    return rsatoolbox.rdm.calc_rdm(ds, method=method, descriptor="stim", **kw).get_vectors()[0]


@pytest.mark.parametrize("method", ["correlation", "euclidean"])
def test_rdms_match_rsatoolbox(method):
    np.testing.assert_allclose(rdm(X, method), _rsa_rdm(X, method), rtol=1e-10, atol=1e-12)


def test_crossnobis_matches_rsatoolbox():
    folds = rng.normal(size=(4, 12, 15))
    meas = folds.reshape(-1, 15)
    ds = rsatoolbox.data.Dataset(meas, obs_descriptors={"stim": np.tile(np.arange(12), 4),
                                                       "run": np.repeat(np.arange(4), 12)})
    ref = rsatoolbox.rdm.calc_rdm(ds, method="crossnobis", descriptor="stim", cv_descriptor="run").get_vectors()[0]
    np.testing.assert_allclose(crossnobis_rdm(folds), ref, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("ours,theirs", [("spearman", "spearman"), ("pearson", "corr"), ("kendall_tau_a", "tau-a"),
                                         ("rho_a", "rho-a"), ("cosine", "cosine"), ("whitened_cosine", "cosine_cov")])
def test_rdm_comparisons_and_noise_ceilings_match_rsatoolbox(ours, theirs):
    from rsatoolbox.inference import boot_noise_ceiling
    from rsatoolbox.rdm import RDMs, compare

    subjects = np.stack([rdm(X + rng.normal(size=X.shape)) for _ in range(4)])
    model = rdm(X[:, :5])
    ref = compare(RDMs(model[None]), RDMs(subjects), method=theirs)
    np.testing.assert_allclose(compare_rdms(model, subjects, ours), ref, rtol=1e-7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lo, hi = boot_noise_ceiling(RDMs(subjects), method=theirs)
    c = noise_ceiling(subjects, ours)
    assert (c.lower, c.upper) == (pytest.approx(lo, rel=1e-7), pytest.approx(hi, rel=1e-7))
