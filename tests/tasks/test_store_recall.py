"""Store-recall trials and the spike encoders of task inputs."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from brainlike import ConfigError
from brainlike.tasks import Encoded, FlipFlop, StoreRecall, latency_spikes, poisson_spikes

KEY = jax.random.PRNGKey(0)


def test_store_recall_trials_hold_the_stored_bit_until_the_recall():
    task = StoreRecall(dt=10.0, period=50.0, n_periods=8, min_delay=2, max_delay=5)
    tr = task.sample(KEY, 200)
    c = {k: np.asarray(v) for k, v in tr.conditions.items()}
    assert np.all((c["delay"] >= 2) & (c["delay"] <= 5)) and np.all(c["recall"] == c["store"] + c["delay"])
    assert np.all(c["recall"] < 8) and len(np.unique(c["delay"])) == 4
    x = np.asarray(tr.inputs).reshape(200, 8, 5, 4)  # [trials periods steps channels]
    assert np.all(x.min(2) == x.max(2))  # levels are constant within a period
    x = x[:, :, 0]
    np.testing.assert_array_equal(x[:, :, 0] + x[:, :, 1], 1.0)  # one value channel on in every period
    np.testing.assert_array_equal(x[:, :, 2].argmax(1), c["store"])
    np.testing.assert_array_equal(x[:, :, 3].argmax(1), c["recall"])
    np.testing.assert_array_equal(x[:, :, 2].sum(1), 1) and np.testing.assert_array_equal(x[:, :, 3].sum(1), 1)
    np.testing.assert_array_equal(x[np.arange(200), c["store"], 1], c["bit"])  # the stored value was shown
    mask = np.asarray(tr.mask).reshape(200, 8, 5)
    np.testing.assert_array_equal(mask.sum((1, 2)), 5)  # scored in the recall period only
    np.testing.assert_array_equal(mask[np.arange(200), c["recall"]], 1)
    np.testing.assert_array_equal(np.asarray(tr.targets)[:, 0].argmax(-1), c["bit"])
    # the distracting bits are random: the bit on at recall is the stored one only by chance
    assert 0.35 < np.mean(x[np.arange(200), c["recall"], 1] == c["bit"]) < 0.65


def test_store_recall_rejects_delays_that_do_not_fit():
    with pytest.raises(ConfigError, match="max_delay"):
        StoreRecall(n_periods=5, min_delay=2, max_delay=5)
    with pytest.raises(ConfigError, match="min_delay"):
        StoreRecall(min_delay=0)


def one_trial(task, key):
    """One trial's conditions and the trial built from them by ``task``."""
    conditions = jax.tree_util.tree_map(lambda v: v[0], task.sample_conditions(key, 1))
    return conditions, task.build_trial(conditions, key=key)


def test_poisson_encoding_fires_at_the_set_rate():
    base = StoreRecall(dt=5.0, period=100.0)
    task = Encoded(base, n_per_channel=200, max_rate=80.0)
    assert task.n_inputs == 800 and task.input_names[0] == "value_0/0" and task.dt == 5.0
    conditions, trial = one_trial(task, KEY)
    levels = np.asarray(base.build_trial(conditions, key=jax.random.split(KEY)[0]).inputs)  # the task's own key
    spikes = np.asarray(trial.inputs).reshape(-1, 4, 200)
    assert set(np.unique(spikes)) <= {0.0, 1.0}
    on = np.repeat(levels[..., None], 200, -1) > 0
    # 80 Hz in 5 ms steps is p = 0.4 per step where the channel is on, 0 where it is off
    assert abs(spikes[on].mean() - 0.4) < 0.01 and spikes[~on].sum() == 0


def test_signed_and_current_encodings():
    ff = FlipFlop(n_bits=2, dt=10.0, duration=300.0, p_pulse=0.3)
    signed = Encoded(ff, n_per_channel=3, max_rate=100_000.0, signed=True)  # p = 1 where driven
    assert signed.input_names[:4] == ("bit_0+/0", "bit_0+/1", "bit_0+/2", "bit_0-/0")
    conditions, trial = one_trial(signed, KEY)
    u = np.asarray(ff.build_trial(conditions, key=jax.random.split(KEY)[0]).inputs)
    s = np.asarray(trial.inputs).reshape(-1, 2, 2, 3)  # [time channels ON/OFF neurons]
    np.testing.assert_array_equal(s[..., 0, :], np.repeat((u > 0)[..., None], 3, -1))
    np.testing.assert_array_equal(s[..., 1, :], np.repeat((u < 0)[..., None], 3, -1))
    _, current = one_trial(Encoded(ff, "current"), KEY)
    np.testing.assert_array_equal(current.inputs, u)
    with pytest.raises(ConfigError, match="encoding"):
        Encoded(ff, "phase")


def test_latency_code_fires_stronger_inputs_first():
    s = np.asarray(latency_spikes(jnp.array([1.0, 0.5, 0.0, 0.25]), 5))
    np.testing.assert_array_equal(s.sum(0), [1, 1, 0, 1])
    np.testing.assert_array_equal(s.argmax(0)[[0, 1, 3]], [0, 2, 3])
    assert float(poisson_spikes(KEY, jnp.full((10_000,), 50.0), 1.0).mean()) == pytest.approx(0.05, abs=0.01)
