import numpy as np

from brainlike import Recording
from brainlike import analysis as A


def _rec(outputs, epochs, conditions=None, activity=None):
    n, t, _ = outputs.shape
    return Recording(activity=np.zeros((n, t, 2)) if activity is None else activity, dt=10.0, outputs=outputs,
                     epochs=epochs, conditions=conditions or {})


def test_choices_read_the_decision_epoch():
    out = np.zeros((2, 4, 3))
    out[0, 3] = [0, 5, 1]  # trial 0 chooses option 0 in the decision epoch
    out[1, 3] = [0, 1, 5]
    out[1, 0] = [0, 100, 0]  # outside the epoch: ignored
    rec = _rec(out, {"decision": np.array([[3, 4], [3, 4]])})
    np.testing.assert_array_equal(A.choices(rec), [0, 1])


def test_decision_times_first_bound_crossing():
    out = np.zeros((2, 5, 3))
    out[0, 2:] = [0, 10, 0]  # reaches the bound at step 2 (onset 1): 10 ms
    rec = _rec(out, {"stimulus": np.array([[1, 5], [1, 5]])})
    dt, ch = A.decision_times(rec, threshold=0.9)
    assert dt[0] == 10.0 and ch[0] == 0
    assert np.isnan(dt[1]) and ch[1] == -1
    dt_c, _ = A.decision_times(rec, threshold=0.9, undecided="censor")
    assert dt_c[1] == 40.0


def test_condition_average_and_pca_find_planted_structure():
    rng = np.random.default_rng(0)
    n, t, u = 200, 10, 20
    coh = rng.choice([-1.0, 0.0, 1.0], n)
    axis = rng.normal(size=u)
    axis /= np.linalg.norm(axis)
    ramp = np.linspace(0, 1, t)
    act = coh[:, None, None] * ramp[None, :, None] * axis[None, None, :] * 5 + 0.01 * rng.normal(size=(n, t, u))
    rec = Recording(activity=act, dt=10.0, conditions={"coherence": coh})
    avg = A.condition_average(rec, ["coherence"])
    assert avg.dims == ("condition", "time", "unit") and avg.shape == (3, t, u)
    np.testing.assert_array_equal(avg["coherence"].values, [-1.0, 0.0, 1.0])
    assert avg["n_trials"].values.sum() == n
    p = A.pca(avg.values, n_components=2)
    assert p.explained_variance_ratio[0] > 0.99
    assert abs(abs(p.components[0] @ axis) - 1) < 1e-3
