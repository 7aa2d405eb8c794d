"""Task variance, clustering of units by task selectivity and fractional task variance on planted data."""

from math import comb

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from brainlike import ConfigError, Recording
from brainlike import analysis as A


def planted(seed=0, n_per_group=12, n_tasks=8, n_trials=40, n_time=30):
    """Four groups of units, each engaged (stimulus-tuned) in its own subset of tasks."""
    rng = np.random.default_rng(seed)
    groups = [(0, 1), (2, 3), (4, 5, 6), (7,)]
    labels = np.repeat(np.arange(len(groups)), n_per_group)
    n_units = labels.size
    gain = np.zeros((n_units, n_tasks))
    for g, tasks in enumerate(groups):
        gain[np.ix_(labels == g, tasks)] = rng.uniform(0.8, 1.2, ((labels == g).sum(), len(tasks)))
    recordings = {}
    for task in range(n_tasks):
        stimulus = rng.normal(size=(n_trials, 1, 1))
        act = 0.5 + gain[:, task][None, None] * stimulus + 0.01 * rng.normal(size=(n_trials, n_time, n_units))
        recordings[f"task{task}"] = Recording(activity=act, dt=20.0)
    return recordings, labels, gain


def test_task_variance_is_the_variance_across_conditions_averaged_over_time():
    rng = np.random.default_rng(1)
    act = rng.normal(size=(50, 40, 3))
    tv, names = A.task_variance({"a": act, "b": 2 * act}, t_start=200.0, dt=20.0)
    expected = act[:, 10:].var(axis=0).mean(axis=0)
    np.testing.assert_allclose(tv[:, 0], expected)
    np.testing.assert_allclose(tv[:, 1], 4 * expected)
    assert names == ["a", "b"]
    with pytest.raises(ConfigError, match="t_start"):
        A.task_variance({"a": act}, t_start=5000.0, dt=20.0)
    with pytest.raises(ConfigError, match="dt"):
        A.task_variance({"a": act})


def test_each_task_can_start_its_window_at_its_own_stimulus_onset():
    # Yang et al. start every task's window where its first fixation epoch ends: a task whose stimulus
    # comes late (RT Go's test trials, 2000 ms) is not diluted by the silent time before it
    act = np.zeros((8, 50, 2))
    act[:, 40:, 0] = np.arange(8)[:, None]  # unit 0 varies across conditions from step 40 (800 ms) on
    act[:, 10:, 1] = np.arange(8)[:, None]  # unit 1 from step 10 (200 ms) on
    late = {"late": act}
    tv_fixed, _ = A.task_variance(late, t_start=200.0, dt=20.0)
    tv_own, _ = A.task_variance(late, t_start={"late": 800.0}, dt=20.0)
    var = np.arange(8).var()
    np.testing.assert_allclose(tv_fixed[:, 0], [var * 10 / 40, var])
    np.testing.assert_allclose(tv_own[:, 0], [var, var])
    both, names = A.task_variance({"late": act, "early": act}, t_start={"early": 0.0, "late": 800.0}, dt=20.0)
    np.testing.assert_allclose(both[:, names.index("early")], [var * 10 / 50, var * 40 / 50])
    with pytest.raises(ConfigError, match="no time for 'early'"):
        A.task_variance({"late": act, "early": act}, t_start={"late": 800.0}, dt=20.0)
    with pytest.raises(ConfigError, match="not inside"):
        A.task_variance(late, t_start={"late": -20.0}, dt=20.0)


def test_planted_clusters_are_recovered_with_a_high_silhouette():
    recs, labels, _ = planted()
    tv, _ = A.task_variance(recs, t_start=0.0)
    assert A.active_units(tv).all()
    features = A.normalized_task_variance(tv)
    np.testing.assert_allclose(features.max(axis=1), 1.0)
    found = A.cluster_units(features, n_clusters=range(2, 10))
    assert found.n_clusters == 4 and found.silhouette > 0.8
    assert adjusted_rand_score(labels, found.labels) == pytest.approx(1.0)
    assert found.n_tried.tolist() == list(range(2, 10)) and len(found.scores) == 8
    # the same with Ward's hierarchical clustering
    assert A.cluster_units(features, n_clusters=range(2, 10), method="hierarchical").n_clusters == 4
    # random task profiles have no cluster structure
    noise = A.cluster_units(np.random.default_rng(0).uniform(size=(48, 8)), n_clusters=range(2, 10))
    assert noise.silhouette < 0.3


def test_fractional_task_variance_and_exclusive_fractions():
    ftv = A.fractional_task_variance(np.array([1.0, 0.0, 1.0, 3.0, 0.0]), np.array([0.0, 1.0, 1.0, 1.0, 0.0]))
    np.testing.assert_allclose(ftv[:4], [1.0, -1.0, 0.0, 0.5])
    assert np.isnan(ftv[4])
    low, high = A.exclusive_fractions(ftv, edge=0.8)
    assert (low, high) == (0.25, 0.25)
    # planted: group 0 is engaged only in task 0, group 1 only in task 2
    recs, labels, _ = planted()
    tv, _ = A.task_variance(recs, t_start=0.0)
    engaged = (labels == 0) | (labels == 1)
    f = A.fractional_task_variance(tv[engaged, 0], tv[engaged, 2])
    assert A.exclusive_fractions(f) == (0.5, 0.5)


def test_a_random_rotation_keeps_each_tasks_total_variance_and_mixes_exclusive_units():
    recs, labels, _ = planted()
    q = A.random_rotation(labels.size, seed=3)
    np.testing.assert_allclose(q @ q.T, np.eye(labels.size), atol=1e-12)
    np.testing.assert_array_equal(q, A.random_rotation(labels.size, seed=3))  # the seed fixes it
    tv, _ = A.task_variance(recs, t_start=0.0)
    turned, _ = A.task_variance(recs, t_start=0.0, rotation=q)
    # the variance summed over units is the trace of the covariance, which a rotation keeps
    np.testing.assert_allclose(turned.sum(axis=0), tv.sum(axis=0), rtol=1e-10)
    np.testing.assert_allclose(A.task_variance(recs, t_start=0.0, rotation=np.eye(labels.size))[0], tv)
    # half the units vary (independently) in task "a" only, half in "b" only: all exclusive; rotated,
    # every unit mixes both halves and hardly any is exclusive (FTV near 0)
    rng = np.random.default_rng(4)
    n = 48
    scale = np.r_[np.ones(n // 2), np.full(n // 2, 1e-3)]
    two = {"a": rng.normal(size=(200, 5, n)) * scale, "b": rng.normal(size=(200, 5, n)) * scale[::-1]}
    tv2, _ = A.task_variance(two, t_start=0.0, dt=20.0)
    assert A.exclusive_fractions(A.fractional_task_variance(tv2[:, 0], tv2[:, 1])) == (0.5, 0.5)
    turned2, _ = A.task_variance(two, t_start=0.0, dt=20.0, rotation=A.random_rotation(n, seed=0))
    low, high = A.exclusive_fractions(A.fractional_task_variance(turned2[:, 0], turned2[:, 1]))
    assert max(low, high) < 0.1
    with pytest.raises(ConfigError, match="rotation"):
        A.task_variance(recs, t_start=0.0, rotation=np.eye(5))
    with pytest.raises(ConfigError, match="rotation"):
        A.task_variance(recs, t_start=0.0, rotation=np.ones(5))


def test_clustering_errors_are_clear():
    with pytest.raises(ConfigError, match="too few"):
        A.cluster_units(np.ones((3, 4)), n_clusters=range(5, 8))
    with pytest.raises(ConfigError, match="method"):
        A.cluster_units(np.random.default_rng(0).uniform(size=(20, 3)), n_clusters=[2], method="dbscan")


def _upper_tail(k, n, k0, n0):
    """P(X >= k) for X hypergeometric: n network and n0 control units, k + k0 of them beyond the edge."""
    total = k + k0
    return sum(comb(n, x) * comb(n0, total - x) for x in range(k, min(n, total) + 1)) / comb(n + n0, total)


def test_exclusive_units_test_is_the_hypergeometric_tail_at_each_end():
    # 110 network units: 8 beyond -0.8, 10 beyond 0.8; the control 105 units: none and 2
    ftv = np.r_[np.full(8, -0.95), np.full(10, 0.9), np.zeros(92), np.nan]
    control = np.r_[np.full(2, 0.85), np.linspace(-0.5, 0.5, 103)]
    low, high = A.exclusive_units_test(ftv, control, edge=0.8)
    assert low == pytest.approx(_upper_tail(8, 110, 0, 105), rel=1e-9)
    assert high == pytest.approx(_upper_tail(10, 110, 2, 105), rel=1e-9)
    assert low < 0.01 and high < 0.05
    # no more units beyond an end than the control: nothing to see
    same = A.exclusive_units_test(control, control)
    assert same[0] == pytest.approx(1.0) and same[1] > 0.5
    # a unit exactly at the edge is not beyond it
    assert A.exclusive_units_test(np.r_[0.8, -0.8, 0.0], np.zeros(3)) == (1.0, 1.0)
    assert np.isnan(A.exclusive_units_test(np.array([np.nan]), control)).all()  # no engaged unit: no test
