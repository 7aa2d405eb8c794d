"""The 20 tasks of Yang et al. 2019: input scheme, periods, rule inputs, the right response of every task,
the loss mask, the performance measure, and parity of the ring code with NeuroGym's yang19 collection."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from brainlike import ConfigError
from brainlike.tasks import Yang2019, make
from brainlike.tasks._yang2019 import (TASKS, circular_distance, performance, population_vector, ring_bump)

N_RING = 32
FIX, MOD1, MOD2, RULE = 0, slice(1, 33), slice(33, 65), slice(65, 85)


@pytest.fixture(scope="module")
def mixed():
    task = Yang2019(sigma_x=0.0)
    trials = task.sample(jax.random.PRNGKey(0), 2000)
    return task, trials, {k: np.asarray(v) for k, v in trials.conditions.items()}


def _select(c, name):
    return c["task"] == TASKS.index(name)


def test_channels_rule_and_fixation_inputs(mixed):
    task, trials, c = mixed
    assert (task.n_inputs, task.n_outputs, task.n_steps) == (1 + 2 * N_RING + 20, 1 + N_RING, 210)
    x = np.asarray(trials.inputs)
    t = np.arange(task.n_steps)
    for i in range(200):
        inside = t < c["end"][i]
        rule = x[i, :, RULE]
        np.testing.assert_array_equal(rule[inside], np.eye(20)[c["task"][i]][None].repeat(inside.sum(), 0))
        assert not x[i, ~inside].any()  # padding carries nothing
        np.testing.assert_array_equal(x[i, :, FIX], (t < c["fix_off"][i]) & inside)
    # the fixation cue never goes off in the RT and match tasks: the stimulus itself is the go signal
    for name in ("rt_go", "rt_anti", "dms", "dnms", "dmc", "dnmc"):
        s = _select(c, name)
        assert s.any() and (c["fix_off"][s] >= task.n_steps).all() and (c["go"][s] < c["end"][s]).all()


def test_every_task_is_drawn_with_the_authors_probabilities(mixed):
    task, _, c = mixed
    counts = np.bincount(c["task"], minlength=20) / c["task"].size
    np.testing.assert_allclose(counts, task.probabilities, atol=0.03)
    assert task.probabilities[TASKS.index("ctx_dm1")] == pytest.approx(5 * task.probabilities[TASKS.index("go")])


def test_ring_input_encodes_each_stimulus_where_and_when_it_is_shown(mixed):
    task, trials, c = mixed
    x = np.asarray(trials.inputs)
    for i in range(300):
        for stim in ("stim1", "stim2"):
            on, off = c[f"{stim}_on"][i], c[f"{stim}_off"][i]
            for mod, ring in ((1, MOD1), (2, MOD2)):
                strength = c[f"{stim}_mod{mod}"][i]
                if strength == 0 or off <= on or (stim == "stim2" and c["stim1_on"][i] == on):
                    continue  # absent, or shown together with stim1 (the rings add up)
                t = on if stim == "stim1" else off - 1
                expected = strength * np.asarray(ring_bump(c[f"{stim}_loc"][i], N_RING))
                if stim == "stim1" and c["stim2_on"][i] <= t < c["stim2_off"][i]:
                    continue
                np.testing.assert_allclose(x[i, t, ring], expected, atol=1e-5)
    # the bump is centred on the stimulus: the population vector reads the direction back
    locs = jnp.linspace(0, 2 * jnp.pi, 17)[:-1]
    decoded = population_vector(ring_bump(locs, N_RING))
    np.testing.assert_allclose(circular_distance(decoded, locs), 0, atol=1e-5)


def test_response_directions_follow_each_tasks_rule(mixed):
    _, _, c = mixed
    dist = np.asarray(circular_distance(c["response_loc"], c["stim1_loc"]))
    for name in ("go", "rt_go", "dly_go"):
        np.testing.assert_allclose(dist[_select(c, name)], 0, atol=1e-5)
    for name in ("anti", "rt_anti", "dly_anti"):
        np.testing.assert_allclose(dist[_select(c, name)], np.pi, atol=1e-5)
    first = c["response_loc"] == c["stim1_loc"]
    for name, (a, b) in {"dm1": ("stim1_mod1", "stim2_mod1"), "dm2": ("stim1_mod2", "stim2_mod2"),
                         "ctx_dm1": ("stim1_mod1", "stim2_mod1"), "ctx_dm2": ("stim1_mod2", "stim2_mod2"),
                         "dly_dm1": ("stim1_mod1", "stim2_mod1"), "ctx_dly_dm2": ("stim1_mod2", "stim2_mod2")}.items():
        s = _select(c, name)
        np.testing.assert_array_equal(first[s], c[a][s] > c[b][s])
    for name in ("multi_dm", "multi_dly_dm"):
        s = _select(c, name)
        np.testing.assert_array_equal(first[s], (c["stim1_mod1"] + c["stim1_mod2"] > c["stim2_mod1"] + c["stim2_mod2"])[s])
    # DM shows one modality only; Ctx DM shows both, with the ignored one as strong as the attended one
    assert not c["stim1_mod2"][_select(c, "dm1")].any() and c["stim1_mod2"][_select(c, "ctx_dm1")].all()
    # delayed decisions show the two stimuli one after the other
    s = _select(c, "dly_dm1")
    assert (c["stim1_off"][s] < c["stim2_on"][s]).all()
    s = _select(c, "dm1")
    assert (c["stim1_on"][s] == c["stim2_on"][s]).all()


def test_match_tasks_respond_to_the_second_stimulus_only_when_the_rule_says_so(mixed):
    _, _, c = mixed
    same_dir = np.asarray(circular_distance(c["stim1_loc"], c["stim2_loc"])) < 1e-5
    same_cat = (c["stim1_loc"] < np.pi) == (c["stim2_loc"] < np.pi)
    for name, match, go_on_match in (("dms", same_dir, True), ("dnms", same_dir, False),
                                     ("dmc", same_cat, True), ("dnmc", same_cat, False)):
        s = _select(c, name)
        np.testing.assert_array_equal(c["respond"][s] == 1, match[s] == go_on_match)
        np.testing.assert_array_equal(c["response_loc"][s][c["respond"][s] == 1], c["stim2_loc"][s][c["respond"][s] == 1])
        assert 0.3 < match[s].mean() < 0.7
    s = _select(c, "dms") & ~same_dir
    assert (np.asarray(circular_distance(c["stim1_loc"], c["stim2_loc"]))[s] >= np.pi / 9 - 1e-5).all()


def test_targets_and_loss_mask(mixed):
    task, trials, c = mixed
    y, m = np.asarray(trials.targets), np.asarray(trials.mask)
    for i in range(100):
        go, end, respond = c["go"][i], c["end"][i], c["respond"][i]
        np.testing.assert_allclose(y[i, :go, 0], 0.8)
        np.testing.assert_allclose(y[i, go:, 0], 0.05 if respond else 0.8)
        np.testing.assert_allclose(y[i, :go, 1:], 0.05)
        if respond:
            np.testing.assert_allclose(y[i, go, 1:], 0.05 + np.asarray(ring_bump(c["response_loc"][i], N_RING)), atol=1e-6)
        # 0 for 100 ms, 1 until the go cue, 0 for a 100 ms grace period, 5 to the end, 0 in the padding
        np.testing.assert_array_equal(m[i, :5], 0)
        np.testing.assert_array_equal(m[i, 5:go], 1)
        np.testing.assert_array_equal(m[i, go:go + 5], 0)
        np.testing.assert_array_equal(m[i, go + 5:end], 5)
        np.testing.assert_array_equal(m[i, end:], 0)
    # the authors' code weighs (error x mask)^2: 25 after the grace period, the same zeros and ones before it
    heavy_task = Yang2019(sigma_x=0.0, response_weight=25.0)
    heavy = np.asarray(heavy_task.build(trials.conditions, key=jax.random.PRNGKey(0)).mask)
    np.testing.assert_array_equal(heavy, np.where(m == 5, 25.0, m))
    with pytest.raises(ConfigError, match="response_weight must be positive"):
        Yang2019(response_weight=0.0)


def test_performance_measure(mixed):
    _, trials, c = mixed
    y = np.asarray(trials.targets)
    assert bool(performance(y, c).all())  # the targets themselves are correct
    fixate = y.copy()
    fixate[..., 0], fixate[..., 1:] = 0.9, 0.05  # never respond: right only on the no-response trials
    np.testing.assert_array_equal(np.asarray(performance(fixate, c)), c["respond"] == 0)
    # a response 30 degrees off is still correct, 40 degrees off is wrong (criterion 36 degrees)
    for offset, ok in ((np.pi / 6, True), (2 * np.pi / 9, False)):
        moved = y.copy()
        last = c["end"] - 1
        rows = np.arange(len(last))
        moved[rows, last, 1:] = 0.05 + np.asarray(ring_bump(c["response_loc"] + offset, N_RING))
        got = np.asarray(performance(moved, c))
        np.testing.assert_array_equal(got[c["respond"] == 1], ok)


def test_test_grids_have_fixed_timing_and_always_ask_for_a_response():
    task = Yang2019()
    for name in TASKS:
        g = {k: np.asarray(v) for k, v in task.test_conditions(name).items()}
        assert (g["task"] == TASKS.index(name)).all() and (g["respond"] == 1).all()
        for key in ("stim1_on", "stim1_off", "go", "end"):
            assert np.unique(g[key]).size == 1, (name, key)
        assert g["end"][0] <= task.n_steps
    assert task.test_conditions("ctx_dm1")["task"].shape == (500,)
    # the authors' test timing (gyyang/multitask task.py, mode 'test'), in ms: stimulus 1 on and off, go, end
    authors = {"go": (500, 2000, 1500, 2000), "rt_go": (2000, 2500, 2000, 2500), "dly_go": (500, 1000, 2000, 2500),
               "dm1": (500, 2000, 2000, 2500), "ctx_dm2": (500, 1500, 1500, 2000), "multi_dm": (500, 1500, 1500, 2000),
               "dly_dm2": (500, 1000, 2700, 3000), "ctx_dly_dm1": (500, 1000, 3000, 3500),
               "dms": (500, 1000, 2200, 2700), "dnmc": (500, 1000, 2200, 2700)}
    for name, times in authors.items():
        g = task.test_conditions(name)
        got = tuple(int(g[k][0]) * task.dt for k in ("stim1_on", "stim1_off", "go", "end"))
        assert got == times, name


def test_single_tasks_are_registered_and_errors_are_clear():
    go = make("yang2019_dly_anti")
    c = go.sample_conditions(jax.random.PRNGKey(0), 16)
    assert (np.asarray(c["task"]) == TASKS.index("dly_anti")).all() and go.n_inputs == 85
    with pytest.raises(ConfigError, match="unknown task.*'gogo'"):
        Yang2019(tasks=("go", "gogo"))
    with pytest.raises(ConfigError, match="weights"):
        Yang2019(tasks=("go", "anti"), weights=(1.0,))
    with pytest.raises(ConfigError, match="unknown Yang 2019 task"):
        Yang2019().test_conditions("dm3")
    sub = Yang2019(tasks=("go", "anti"), weights=(1.0, 3.0))
    counts = np.bincount(np.asarray(sub.sample_conditions(jax.random.PRNGKey(1), 4000)["task"]), minlength=20)
    assert counts[TASKS.index("anti")] / counts[TASKS.index("go")] == pytest.approx(3, rel=0.15)


def test_one_task_per_batch_draws_one_task_for_all_trials_with_the_same_probabilities():
    blocked = Yang2019(tasks=("go", "anti"), weights=(1.0, 3.0), one_task_per_batch=True)
    draw = jax.jit(lambda k: blocked.sample_conditions(k, 8)["task"])
    batches = np.stack([np.asarray(draw(k)) for k in jax.random.split(jax.random.PRNGKey(2), 800)])
    assert (batches == batches[:, :1]).all()  # one task per batch
    first = batches[:, 0]
    assert set(first) == {TASKS.index("go"), TASKS.index("anti")}
    assert np.mean(first == TASKS.index("anti")) == pytest.approx(0.75, abs=0.05)  # 800 draws: sd 0.015


def test_noise_has_the_authors_scale():
    task = Yang2019(tasks=("go",))
    trials = task.sample(jax.random.PRNGKey(3), 200)
    x = np.asarray(trials.inputs)
    quiet = np.asarray(Yang2019(tasks=("go",), sigma_x=0.0).build(trials.conditions, key=jax.random.PRNGKey(0)).inputs)
    inside = np.arange(task.n_steps)[None] < np.asarray(trials.conditions["end"])[:, None]
    noise = (x - quiet)[inside]
    np.testing.assert_allclose(noise.std(), 0.01 * np.sqrt(2 * 100 / 20), rtol=0.02)


# -- parity with NeuroGym's yang19 collection (the closest independent port) -----------------------------
ngym = pytest.importorskip("neurogym", reason="neurogym is a test extra (pip install -e .[test])")


def test_ring_code_matches_neurogym():
    from neurogym.envs.collections import yang19

    theta = np.arange(0, 2 * np.pi, 2 * np.pi / N_RING)
    for loc in (0.0, 0.3, np.pi, 5.9):
        for strength in (0.5, 1.0, 1.2):
            np.testing.assert_allclose(np.asarray(ring_bump(loc, N_RING)) * strength,
                                       yang19._gaussianbump(loc, theta, strength), rtol=1e-5, atol=1e-7)


def test_anti_and_category_definitions_match_neurogym():
    env = ngym.make("yang19.anti-v0", dt=100, dim_ring=N_RING)
    env.reset(seed=0)
    for _ in range(20):
        env.new_trial()
        ob, gt = env.ob, env.gt
        stim = ob[:, 1:].reshape(len(ob), 2, N_RING).sum(1)  # either modality
        shown = stim.sum(1) > 0
        direction = float(population_vector(jnp.asarray(stim[shown][0])))
        answer = 2 * np.pi * (gt[-1] - 1) / N_RING
        assert float(circular_distance(direction, answer)) == pytest.approx(np.pi, abs=1e-4)
    # ours: Anti responds opposite the stimulus
    c = Yang2019().sample_task("anti", jax.random.PRNGKey(0), 64)
    np.testing.assert_allclose(circular_distance(c["response_loc"], c["stim1_loc"]), np.pi, atol=1e-5)


def test_broken_fixation_fails_the_strict_measure(mixed):
    _, trials, c = mixed
    y = np.asarray(trials.targets).copy()
    y[np.arange(len(y)), np.maximum(c["go"] - 2, 5), 0] = 0.2  # a glance away just before the go cue
    assert bool(performance(y, c).all())  # the authors' measure looks at the last step only
    assert not np.asarray(performance(y, c, hold_from=5)).any()
    assert bool(performance(np.asarray(trials.targets), c, hold_from=5).all())


def test_a_task_index_gives_the_same_trials_as_its_name_inside_jit():
    task = Yang2019()
    by_index = jax.jit(lambda i, k: task.sample_task(i, k, 8))
    for name in ("dly_go", "ctx_dly_dm2", "dnmc"):
        a = task.sample_task(name, jax.random.PRNGKey(5), 8)
        b = by_index(jnp.asarray(TASKS.index(name)), jax.random.PRNGKey(5))
        for k in a:
            np.testing.assert_allclose(a[k], b[k], rtol=1e-6, err_msg=k)
