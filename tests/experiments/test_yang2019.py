"""yang2019: task variance is measured from each task's stimulus onset, as the authors measure it."""

import dataclasses

import numpy as np

from brainlike import Recording, experiments
from brainlike.experiments.yang2019 import make_task, variance_window
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
