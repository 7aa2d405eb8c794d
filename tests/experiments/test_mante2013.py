"""mante2013 evaluation on networks that have not learned the task: claims fail with a reason, no crash."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from brainlike.experiments import mante2013 as M


def test_a_network_that_always_chooses_one_option_fails_the_population_claims_with_a_reason():
    exp = M.Mante2013()
    c = M.Config.smoke()
    model = exp.init(c, jax.random.PRNGKey(0))
    # readout ignores the circuit and always favours option 1 (output channel 2)
    model = eqx.tree_at(lambda m: (m.readout.weight, m.readout.bias), model,
                        (jnp.zeros_like(model.readout.weight), jnp.array([0.0, 0.0, 10.0])))
    ev = exp.evaluate(c, model, jax.random.PRNGKey(1))
    names = [cl.name for cl in ev.claims]
    expected = [name for name, _ in M._population_claims()]
    assert names[-len(expected):] == expected
    for cl in ev.claims[-len(expected):]:
        assert not cl.passed and np.isnan(cl.value) and "same choice on every trial" in cl.description
    figs = exp.figures(c, ev, [])
    assert "psychometric_by_context" in figs and "state_space" not in figs


def test_population_claim_names_match_those_of_a_full_evaluation(runs_root):
    from brainlike.runs import run_experiment

    res = run_experiment(M.Mante2013(), size="smoke", root=runs_root, progress=False)
    expected = [name for name, _ in M._population_claims()]
    assert [c.name for c in res.claims][-len(expected):] == expected
