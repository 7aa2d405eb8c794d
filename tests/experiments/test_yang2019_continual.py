"""Sequential training with and without intelligent synapses (Yang et al. 2019 Fig. 7) or elastic weight
consolidation: the config, the phases of training and the networks kept at their ends."""

import dataclasses

import equinox as eqx
import jax
import numpy as np
import pytest

from brainlike import ConfigError
from brainlike.experiments import get
from brainlike.experiments.yang2019_continual import ARMS, PHASES, Config, after_phase
from brainlike.plasticity import ElasticWeightConsolidationState
from brainlike.tasks._yang2019 import TASKS


def test_phases_and_steps():
    c = Config(steps_per_task=10)
    assert c.tasks == ("go", "dly_go", "dm1", "dm2", "multi_dm", "ctx_dm1", "ctx_dm2")
    assert c.phase_ends == (10, 20, 40, 50, 70) and c.n_steps == 70  # a group of two trains twice as long


@pytest.mark.parametrize("phases, match", [((("go",),), ">= 2"), ((("go",), ()), ">= 2"),
                                           ((("go",), ("gogo",)), "unknown task"),
                                           ((("go",), ("go", "dm1")), "more than one phase")])
def test_bad_phases(phases, match):
    with pytest.raises(ConfigError, match=match):
        Config(phases=phases)


def test_training_follows_the_phases_and_keeps_each_phases_network():
    """Every update draws a task of its phase; the network kept for a phase is the one at its last update; the
    two arms are the same until the first consolidation (intelligent synapses pull only from phase 2 on)."""
    exp = get("yang2019_continual")
    c = dataclasses.replace(Config.smoke(), phases=(("go",), ("dm1", "dm2"), ("ctx_dm1",)), bucket_ms=None)
    optimizers = exp.optimizer(c)
    model = exp.init(c, jax.random.PRNGKey(0))
    state = exp.init_optimizer(c, optimizers, model)
    step = eqx.filter_jit(exp.step(c, optimizers))
    at_end = {}
    for s in range(c.n_steps):
        model, state, metrics = step(model, state, jax.random.PRNGKey(s))
        phase = int(metrics["phase"])
        assert TASKS[int(metrics["task"])] in c.phases[phase]
        if s + 1 in c.phase_ends:
            at_end[phase] = {arm: model[arm] for arm in ARMS}
    assert sorted(at_end) == [0, 1, 2]
    for p, nets in at_end.items():
        for arm in ARMS:
            kept = after_phase(model, arm, p)
            for a, b in zip(jax.tree.leaves(eqx.filter(kept, eqx.is_array)),
                            jax.tree.leaves(eqx.filter(nets[arm], eqx.is_array))):
                np.testing.assert_array_equal(a, b)
    first = [np.asarray(x) for x in jax.tree.leaves(eqx.filter(after_phase(model, "traditional", 0), eqx.is_array))]
    same = [np.asarray(x) for x in jax.tree.leaves(eqx.filter(after_phase(model, "continual", 0), eqx.is_array))]
    assert all(np.array_equal(a, b) for a, b in zip(first, same))
    last_t = jax.tree.leaves(eqx.filter(model["traditional"], eqx.is_array))
    last_c = jax.tree.leaves(eqx.filter(model["continual"], eqx.is_array))
    assert not all(np.array_equal(a, b) for a, b in zip(last_t, last_c))  # the surrogate loss acted


def test_default_phases_are_the_authors():
    assert PHASES == (("go",), ("dly_go",), ("dm1", "dm2"), ("multi_dm",), ("ctx_dm1", "ctx_dm2"))


def test_ewc_adds_each_phases_fisher_at_its_end_and_anchors_there():
    """With ``consolidation="ewc"`` the continual arm's importances stay zero until the first phase ends, change
    only at phase ends (the Fisher of the phase's tasks, never negative) and its anchor is the network kept
    there; the two arms are the same until then."""
    exp = get("yang2019_continual")
    c = dataclasses.replace(Config.smoke(), phases=(("go",), ("dm1", "dm2"), ("ctx_dm1",)), consolidation="ewc",
                            bucket_ms=None, fisher_trials=4)
    optimizers = exp.optimizer(c)
    model = exp.init(c, jax.random.PRNGKey(0))
    state = exp.init_optimizer(c, optimizers, model)
    assert isinstance(state["continual"], ElasticWeightConsolidationState)
    step = eqx.filter_jit(exp.step(c, optimizers))
    previous = [np.asarray(x) for x in jax.tree.leaves(state["continual"].importance)]
    for s in range(c.n_steps):
        model, state, _ = step(model, state, jax.random.PRNGKey(s))
        importance = [np.asarray(x) for x in jax.tree.leaves(state["continual"].importance)]
        if s + 1 in c.phase_ends:
            phase = c.phase_ends.index(s + 1)
            added = [b - a for a, b in zip(previous, importance)]
            assert all((d >= 0).all() for d in added) and sum(float(d.sum()) for d in added) > 0
            kept = jax.tree.leaves(eqx.filter(after_phase(model, "continual", phase), eqx.is_inexact_array))
            for a, b in zip(jax.tree.leaves(state["continual"].anchor), kept):
                np.testing.assert_array_equal(a, b)
        else:
            assert all(np.array_equal(a, b) for a, b in zip(previous, importance))
        previous = importance
    first = jax.tree.leaves(eqx.filter(after_phase(model, "traditional", 0), eqx.is_array))
    same = jax.tree.leaves(eqx.filter(after_phase(model, "continual", 0), eqx.is_array))
    assert all(np.array_equal(a, b) for a, b in zip(first, same))
    ev = exp.evaluate(c, model, jax.random.PRNGKey(1))  # the claims and results name the consolidation
    assert len(ev.claims) == 5 and "elastic weight consolidation" in ev.claims[1].name
    assert ev.results["consolidation"] == "ewc"


def test_a_bad_consolidation_is_refused():
    with pytest.raises(ConfigError, match="unknown consolidation 'l2'; known: intelligent_synapses, ewc"):
        Config(consolidation="l2")
    with pytest.raises(ConfigError, match="fisher_trials must be >= 1"):
        Config(consolidation="ewc", fisher_trials=0)
