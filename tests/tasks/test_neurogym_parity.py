"""Parity with NeuroGym's PerceptualDecisionMaking: same period lengths, same evidence statistics."""

import jax
import numpy as np
import pytest

from brainlike.tasks import PerceptualDecision

ngym = pytest.importorskip("neurogym", reason="neurogym is a test extra (pip install -e .[test])")

DT = 20
COHS = [0.0, 6.4, 12.8, 25.6, 51.2]


@pytest.fixture(scope="module")
def neurogym_trials():
    env = ngym.make("PerceptualDecisionMaking-v0", dt=DT)
    env.reset(seed=0)
    out = []
    for i in range(400):
        env.new_trial(coh=COHS[i % len(COHS)], ground_truth=(i // len(COHS)) % 2)
        out.append((env.trial["coh"], env.trial["ground_truth"], env.ob.copy(), env.gt.copy(),
                    {k: (env.start_ind[k], env.end_ind[k]) for k in env.start_ind}))
    return out


def test_period_lengths_match(neurogym_trials):
    ours = PerceptualDecision(dt=DT).sample(jax.random.PRNGKey(0), 2)
    _, _, ob, gt, periods = neurogym_trials[0]
    assert ob.shape == (ours.n_time, ours.inputs.shape[-1])
    for name, (start, stop) in periods.items():
        np.testing.assert_array_equal(np.asarray(ours.epochs[name][0]), [start, stop])
    # same ground truth layout: fixate (0) until the decision period, then 1 + choice
    ours_label = np.argmax(np.asarray(ours.targets[0]), -1)
    assert ((ours_label == 0) == (gt == 0)).all()


def test_mean_evidence_and_noise_per_coherence_match(neurogym_trials):
    task = PerceptualDecision(dt=DT, coherences=COHS)
    grid = task.condition_grid(40)
    ours = task.build(grid, key=jax.random.PRNGKey(1))
    start, stop = (int(x) for x in ours.epochs["stimulus"][0])
    for coh in COHS:
        ng = [ob[start:stop, 1:] for c, g, ob, _, _ in neurogym_trials if c == coh and g == 0]
        ng = np.stack(ng)  # trials time 2: channel 0 carries the correct side for ground truth 0
        sel = (np.asarray(grid["coherence"]) == np.float32(coh)) & (np.asarray(grid["choice"]) == 0)
        mine = np.asarray(ours.inputs)[sel, start:stop, 1:]
        se = ng.std() / np.sqrt(ng.size / 2)
        for ch in range(2):
            assert abs(mine[..., ch].mean() - ng[..., ch].mean()) < 6 * se, (coh, ch)
        np.testing.assert_allclose(mine.std(axis=(0, 1)), ng.std(axis=(0, 1)), rtol=0.05)
        # and the closed form: mean 0.5 +- coherence / 200, noise std sigma / sqrt(dt)
        np.testing.assert_allclose(ng.mean(axis=(0, 1)), [0.5 + coh / 200, 0.5 - coh / 200], atol=6 * se)
    np.testing.assert_allclose(ours.inputs[:, start:stop, 1:].std(axis=1).mean(), 1 / np.sqrt(DT), rtol=0.05)
