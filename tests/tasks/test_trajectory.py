"""The rat motion model: pure, vmappable, stays in the arena, and its fitted version moves like the real
rat of Sargolini et al. (2006)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from brainlike import DataError
from brainlike._errors import ConfigError
from brainlike.analysis import coverage, path_statistics
from brainlike.data import load_sargolini2006
from brainlike.tasks import Arena, HeadDirectionCells, PlaceCells, RatMotion, rat_trajectories, rat_trajectory


@pytest.mark.parametrize("shape", ["square", "circle"])
def test_paths_stay_in_the_arena_and_velocity_integrates_to_position(shape):
    arena = Arena(shape, 1.0)
    tr = jax.jit(lambda k: rat_trajectories(k, 8, 500, arena))(jax.random.PRNGKey(0))
    assert tr["position"].shape == (8, 501, 2) and tr["velocity"].shape == (8, 500, 2)
    assert bool(jnp.all(arena.contains(tr["position"], margin=-1e-6)))
    dt = RatMotion().dt
    rebuilt = tr["position"][:, :1] + jnp.cumsum(tr["velocity"] * dt, axis=1)
    np.testing.assert_allclose(rebuilt, tr["position"][:, 1:], atol=1e-5)
    heading = tr["head_direction"][:, :1] + jnp.cumsum(tr["angular_velocity"] * dt, axis=1)
    np.testing.assert_allclose(np.cos(heading), np.cos(tr["head_direction"][:, 1:]), atol=1e-3)


def test_same_key_same_path_other_key_other_path():
    a = rat_trajectory(jax.random.PRNGKey(1), 50)
    b = rat_trajectory(jax.random.PRNGKey(1), 50)
    c = rat_trajectory(jax.random.PRNGKey(2), 50)
    np.testing.assert_array_equal(a["position"], b["position"])
    assert not np.allclose(a["position"], c["position"])


def test_speed_is_rayleigh_away_from_walls():
    motion = RatMotion(border=0.0)
    tr = rat_trajectory(jax.random.PRNGKey(3), 20000, Arena("square", 100.0), motion, start=jnp.zeros(2))
    assert stats.kstest(np.asarray(tr["speed"]), stats.rayleigh(scale=motion.speed_scale).cdf).statistic < 0.02
    assert np.std(np.asarray(tr["angular_velocity"])) == pytest.approx(motion.turn_sd, rel=0.03)


def test_fitted_motion_matches_the_real_rat():
    try:
        rat = load_sargolini2006()
    except DataError as e:
        pytest.skip(f"real data not available: {e}")
    assert rat["position"].shape == (29800, 2) and rat["dt"] == pytest.approx(0.02)
    motion = RatMotion.fit(rat["position"], rat["dt"])
    sim = rat_trajectory(jax.random.PRNGKey(0), rat["position"].shape[0] - 1, Arena("square", 1.0), motion)
    real, model = path_statistics(rat["position"], rat["dt"]), path_statistics(np.asarray(sim["position"]), motion.dt)
    assert np.mean(model["speed"]) == pytest.approx(np.mean(real["speed"]), rel=0.05)
    assert stats.ks_2samp(model["speed"], real["speed"]).statistic < 0.1
    turn = [np.median(np.abs(x["angular_velocity"])) for x in (model, real)]
    assert turn[0] == pytest.approx(turn[1], rel=0.1)
    # the simulated rat covers the box at least as well as the real one did in the same 600 s
    assert coverage(np.asarray(sim["position"]), (-0.5, 0.5, -0.5, 0.5)) >= coverage(rat["position"], rat["extent"]) - 0.02


def test_bad_arguments_are_config_errors():
    with pytest.raises(ConfigError, match="shape"):
        Arena("hexagon")
    with pytest.raises(ConfigError, match="speed_scale"):
        RatMotion(speed_scale=-1)
    with pytest.raises(ConfigError, match="code"):
        PlaceCells(10, 0.1, code="bump", key=jax.random.PRNGKey(0))


def test_place_and_head_direction_codes():
    key = jax.random.PRNGKey(0)
    arena = Arena("square", 2.2)
    x = arena.uniform(jax.random.PRNGKey(1), (100,))
    for code in ("softmax", "dos"):
        a = PlaceCells(256, 0.12, arena, code, key=key)(x)
        np.testing.assert_allclose(a.sum(-1), 1.0, rtol=1e-5)
        assert float(a.min()) >= 0
    pc = PlaceCells(256, 0.12, arena, "gaussian", key=key)
    assert float(jnp.max(pc(pc.centres))) == pytest.approx(1.0)
    # centre-surround: positive at the centre, negative on the surround ring, ~0 far away
    dog = PlaceCells(1, 0.1, arena, "dog", key=key)
    c = dog.centres[0]
    at = lambda d: float(dog(c + jnp.array([d, 0.0]))[0])
    assert at(0.0) > 0 > at(0.2) and abs(at(1.0)) < 1e-3
    # decoding the true code returns the position to within the spacing of the centres
    dense = PlaceCells(1024, 0.1, arena, "softmax", key=key)
    err = jnp.linalg.norm(dense.decode(dense(x)) - x, axis=-1)
    assert float(jnp.median(err)) < 0.1
    hd = HeadDirectionCells(12, 20.0, key=key)
    theta = jnp.linspace(-3, 3, 50)
    np.testing.assert_allclose(hd(theta).sum(-1), 1.0, rtol=1e-5)
    err = np.abs(np.angle(np.exp(1j * (np.asarray(hd.decode(hd(theta))) - np.asarray(theta)))))
    assert np.median(err) < 0.2 and err.max() < 0.6  # 12 randomly placed cells: a coarse but unbiased readout
