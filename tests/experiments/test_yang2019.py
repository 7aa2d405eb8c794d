"""yang2019: task variance is measured from each task's stimulus onset, as the authors measure it; each batch runs
to its longest trial rounded up to a bucket; the circuit is a choice."""

import dataclasses
import json

import jax
import numpy as np
import pytest

from brainlike import ConfigError, Recording, experiments
from brainlike.circuits import forward
from brainlike.experiments.yang2019 import make_task, scoring_trials, task_performance, variance_window
from brainlike.runs import run_experiment
from brainlike.tasks._yang2019 import TASKS


def test_each_tasks_variance_window_starts_at_its_stimulus_onset():
    c = experiments.get("yang2019").config("smoke")
    task = make_task(c, quiet=True)
    recs = {}
    for name in TASKS:  # the test grids' conditions, as test_recordings keeps them
        cond = {k: np.asarray(v) for k, v in task.test_conditions(name).items()}
        n, end = len(cond["stim1_on"]), int(cond["end"][0])
        recs[name] = Recording(activity=np.zeros((n, end, 2)), dt=task.dt, conditions=cond)
    window = variance_window(recs, c)
    assert set(window) == set(TASKS)
    # the reaction-time tasks' test stimulus comes at 2000 ms (it is their go cue), every other task's at 500 ms
    assert window["rt_go"] == window["rt_anti"] == 2000.0
    assert {window[t] for t in TASKS if not t.startswith("rt_")} == {500.0}
    # a number in the config puts every task's window at that time
    assert set(variance_window(recs, dataclasses.replace(c, variance_start=300.0)).values()) == {300.0}


def test_batches_run_to_their_bucket_and_a_bad_bucket_is_refused():
    exp = experiments.get("yang2019")
    c = dataclasses.replace(exp.config("smoke"), bucket_ms=1000.0)  # dt 20 ms: buckets every 50 steps, and 210
    model = exp.init(c, jax.random.PRNGKey(0))
    opt = exp.optimizer(c)
    step = jax.jit(exp.step(c, opt))
    task = make_task(c)
    for s in range(4):
        key = jax.random.PRNGKey(s)
        _, _, metrics = step(model, exp.init_optimizer(c, opt, model), key)
        scored = int(task.sample(jax.random.split(key)[0], c.batch_size).scored_length())
        n = int(metrics["n_time"])
        assert n >= scored and (n % 50 == 0 or n == task.n_steps) and n - scored < 50
    with pytest.raises(ConfigError, match="bucket_ms"):
        dataclasses.replace(c, bucket_ms=10.0)  # shorter than one 20 ms step


def test_scoring_trials_are_cut_after_the_longest_trial_without_changing_a_noiseless_networks_score():
    exp = experiments.get("yang2019")
    c = dataclasses.replace(exp.config("smoke"), sigma_rec=0.0)  # no noise: the cut cannot change the draws
    net = exp.init(c, jax.random.PRNGKey(0))
    task = make_task(c)
    cut = scoring_trials(task, 16, jax.random.PRNGKey(1), every=20)
    full = scoring_trials(task, 16, jax.random.PRNGKey(1), every=task.n_steps)
    for (cond, x, _), (cond_full, x_full, _) in zip(cut, full):
        n, end = x.shape[1], int(cond["end"].max())
        assert np.array_equal(cond["end"], cond_full["end"]) and x_full.shape[1] == task.n_steps
        assert n >= end and (n % 20 == 0 or n == task.n_steps) and n - end < 20
        np.testing.assert_array_equal(x, x_full[:, :n])
        y, y_full = (forward(net, inp, key=jax.random.PRNGKey(2))[1] for inp in (x, x_full))
        np.testing.assert_allclose(y, y_full[:, :n], atol=1e-6)  # a causal network: the cut changes nothing before it
    # every trial's own steps are all run: the same fractions correct (intact and with fixation held)
    for a, b in zip(task_performance(net, cut, c.dt), task_performance(net, full, c.dt)):
        np.testing.assert_array_equal(a, b)


def test_the_circuit_can_be_the_papers_rate_leak_network_and_an_unknown_one_is_refused(runs_root):
    exp = experiments.get("yang2019")
    c = dataclasses.replace(exp.config("smoke"), circuit="rate_ctrnn")
    net = exp.init(c, jax.random.PRNGKey(0))
    assert type(net.circuit).__name__ == "RateCTRNN" and net.circuit.rate_fn == "softplus"
    assert np.allclose(np.asarray(net.circuit.w_rec), c.w_rec_gain * np.eye(c.n_units))  # the authors' "diag"
    with pytest.raises(ConfigError, match="unknown circuit 'gru'; known: ctrnn, rate_ctrnn"):
        dataclasses.replace(c, circuit="gru")
    # the whole smoke run (training, clusters, lesions of RateCTRNN units, the report) with it
    res = run_experiment(exp, c, size="smoke", root=runs_root, progress=False)
    assert (res.run.path / "report.html").exists()
    results = json.loads((res.run.path / "results.json").read_text())["seed0"]
    assert len(res.claims) == 7 and np.isfinite(results["lesion_change"]).all()
    assert all(0 <= p <= 1 for pair in results["ftv_exclusive_p"].values() for p in pair)
