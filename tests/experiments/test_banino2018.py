"""The path-integration experiments: config checks, and the network's contract (initial code, lesions)."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from brainlike import ConfigError, experiments
from brainlike.experiments.banino2018 import Config, PathIntegrator, Sorscher2019, SorscherConfig, recorded_paths
from brainlike.tasks import Arena, RatMotion, rat_trajectory


def test_bad_configs_are_refused():
    with pytest.raises(ConfigError, match="network"):
        Config(network="gru")
    with pytest.raises(ConfigError, match="place_sigma"):
        Config(place_sigma=0.05, place_sigmas=(0.01,))
    with pytest.raises(ConfigError, match="n_bottleneck"):
        SorscherConfig(n_bottleneck=16)
    with pytest.raises(ConfigError, match="place_code"):
        Config(place_code="bump")
    with pytest.raises(ConfigError, match="too few"):
        recorded_paths(np.zeros((5, 2)), 0.02, 10)


def test_a_recorded_path_reads_like_a_simulated_one():
    """A simulated path (far from the walls), given to ``recorded_paths`` as positions only, gives back the
    simulator's own self-motion: the same velocities, headings and turns, step for step."""
    motion = RatMotion()
    sim = {k: np.asarray(v, float) for k, v in
           rat_trajectory(jax.random.PRNGKey(3), 40, Arena("square", 100.0), motion, start=jnp.zeros(2)).items()}
    n, rec = recorded_paths(sim["position"], motion.dt, 20)
    assert n == 2 and rec["position"].shape == (2, 21, 2)
    np.testing.assert_allclose(rec["position"][1, 0], sim["position"][20])
    np.testing.assert_allclose(rec["velocity"].reshape(-1, 2), sim["velocity"], atol=1e-3)
    np.testing.assert_allclose(rec["speed"].reshape(-1), sim["speed"], atol=1e-3)
    # integrating the window's velocities from its first sample reaches every later sample
    np.testing.assert_allclose(rec["position"][:, :1] + np.cumsum(rec["velocity"] * motion.dt, axis=1),
                               rec["position"][:, 1:], atol=1e-6)
    head = np.concatenate([rec["head_direction"][0, :-1], rec["head_direction"][1]])  # samples 0..40
    np.testing.assert_allclose(_wrapped(head[:40] - sim["head_direction"][:40]), 0, atol=1e-3)
    turns = (rec["angular_velocity"] * motion.dt).reshape(-1)
    np.testing.assert_allclose(_wrapped(turns[:39] - sim["angular_velocity"][:39] * motion.dt), 0, atol=1e-3)


@pytest.mark.parametrize("exp", [experiments.get("banino2018"), Sorscher2019()], ids=["lstm", "rnn"])
def test_widths_train_side_by_side_and_lesions_silence_units(exp):
    c = dataclasses.replace(exp.config("smoke"), place_sigmas=(0.1, 0.2), place_sigma=0.2)
    model = exp.init(c, jax.random.PRNGKey(0))
    step = jax.jit(exp.step(c, exp.optimizer(c)))
    opt_state = exp.init_optimizer(c, exp.optimizer(c), model)
    model, opt_state, metrics = step(model, opt_state, jax.random.PRNGKey(1))
    assert np.isfinite(float(metrics["loss"]))
    net = jax.tree_util.tree_map(lambda x: x[0] if isinstance(x, jax.Array) else x, model)
    assert isinstance(net, PathIntegrator)
    x, code0 = jnp.ones((5, 3 if c.network == "lstm" else 2)), jnp.ones(c.n_place + c.n_hd) / 10
    layer, place, _ = net(x, code0)
    assert layer.shape == (5, c.n_grid_layer) and place.shape == (5, c.n_place)
    keep = jnp.ones(c.n_grid_layer).at[:3].set(0.0)
    silenced, _, _ = net(x, code0, keep=keep)
    assert float(jnp.abs(silenced[:, :3]).max()) == 0.0
    # dropout only with a key, and then it changes the readout
    assert not np.allclose(net(x, code0, key=jax.random.PRNGKey(0))[1], place) or c.dropout == 0


def _wrapped(angle):
    return np.angle(np.exp(1j * angle))
