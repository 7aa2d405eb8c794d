"""Contract over every registered task: jit, vmap and grad work; same key, same trials; different keys,
different trials; declared shapes hold."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from brainlike import Trials, tasks

TASKS = tasks.names()


def small(name):
    return tasks.make(name)


@pytest.mark.parametrize("name", TASKS)
def test_shapes(name):
    task = small(name)
    batch = task.sample(jax.random.PRNGKey(0), 5)
    assert isinstance(batch, Trials)
    assert batch.inputs.shape == (5, task.n_steps, task.n_inputs)
    assert batch.targets.shape == (5, task.n_steps, task.n_outputs)
    assert batch.mask.shape == (5, task.n_steps)
    for name_, v in batch.conditions.items():
        assert v.shape == (5,), name_
    for name_, ep in batch.epochs.items():
        assert ep.shape == (5, 2), name_
        assert np.all(ep[:, 0] <= ep[:, 1]) and np.all(ep[:, 1] <= task.n_steps)
    assert task.metadata.get("paper") and task.__doc__


@pytest.mark.parametrize("name", TASKS)
def test_same_key_same_trials_and_different_keys_differ(name):
    task = small(name)
    a = task.sample(jax.random.PRNGKey(1), 8)
    b = task.sample(jax.random.PRNGKey(1), 8)
    c = task.sample(jax.random.PRNGKey(2), 8)
    assert np.array_equal(a.inputs, b.inputs) and np.array_equal(a.targets, b.targets)
    assert not np.array_equal(a.inputs, c.inputs)


@pytest.mark.parametrize("name", TASKS)
def test_jit_vmap_grad(name):
    task = small(name)
    eager = task.sample(jax.random.PRNGKey(3), 4)
    jitted = eqx.filter_jit(lambda t, k: t.sample(k, 4))(task, jax.random.PRNGKey(3))
    np.testing.assert_allclose(eager.inputs, jitted.inputs, rtol=1e-6, atol=1e-6)
    # vmap over keys: a batch of batches
    keys = jax.random.split(jax.random.PRNGKey(4), 3)
    many = jax.vmap(lambda k: task.sample(k, 2))(keys)
    assert many.inputs.shape == (3, 2, task.n_steps, task.n_inputs)
    # gradients flow through the inputs (e.g. to learn a stimulus)
    g = jax.grad(lambda s: jnp.sum(task.sample(jax.random.PRNGKey(0), 2).inputs * s))(1.0)
    assert jnp.isfinite(g)


def test_unknown_task_lists_known_ones():
    with pytest.raises(ValueError, match="known tasks: .*perceptual_decision"):
        tasks.make("no_such_task")


def test_unknown_parameter_is_named():
    with pytest.raises(ValueError, match="no parameter 'coherense'"):
        tasks.make("perceptual_decision", coherense=(1.0,))


def test_materialize_returns_every_condition_unchanged_in_jit_and_vmap():
    key = jax.random.PRNGKey(3)
    conditions = {"onset": jax.random.randint(key, (7,), 0, 50), "coherence": jax.random.normal(key, (7,)),
                  "respond": jax.random.bernoulli(key, 0.5, (7,)), "location": jax.random.uniform(key, (7, 2)),
                  "scalar": jnp.float32(2.5)}
    for out in (tasks.materialize(conditions), jax.jit(tasks.materialize)(conditions),
                jax.vmap(tasks.materialize)(jax.tree.map(lambda x: jnp.stack([x, x]), conditions))):
        for name, value in conditions.items():
            got = out[name] if out[name].shape == jnp.shape(value) else out[name][1]
            assert got.dtype == value.dtype, name
            np.testing.assert_array_equal(got, value, err_msg=name)
