"""Procedurally rendered objects: shapes, areas against the superellipse's closed form, the painter's
algorithm against a loop, determinism and errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.special import gamma

from brainlike import ConfigError
from brainlike.data import OBJECT_CATEGORIES, render_object, render_objects
from brainlike.data._objects import _coverage, _paint


@pytest.mark.parametrize("n", [1, 2, 4, 8])
def test_coverage_area_matches_the_superellipse(n):
    size = 400
    c = jnp.linspace(-1.0, 1.0, size)
    x, y = jnp.meshgrid(c, -c)
    rx, ry = 0.5, 0.3
    alpha, _, _ = _coverage(x, y, 0.1, -0.2, rx, ry, 0.7, float(n), 2.0 / size)
    area = float(alpha.sum()) * (2.0 / (size - 1)) ** 2
    exact = 4 * rx * ry * gamma(1 + 1 / n) ** 2 / gamma(1 + 2 / n)  # 2 r r (n=1), pi r r (n=2)
    assert area == pytest.approx(exact, rel=0.02)
    assert float(alpha.max()) > 0.99 and float(alpha.min()) < 1e-3


def test_paint_equals_drawing_parts_one_after_another():
    rng = np.random.default_rng(0)
    bg = rng.random((5, 6, 3))
    alpha, colour = rng.random((4, 5, 6)), rng.random((4, 5, 6, 3))
    img = bg.copy()
    for a, col in zip(alpha, colour):
        img = img * (1 - a[..., None]) + a[..., None] * col
    np.testing.assert_allclose(_paint(jnp.asarray(bg), jnp.asarray(alpha), jnp.asarray(colour)), img, rtol=1e-5)


def test_render_objects_shapes_labels_and_determinism():
    key = jax.random.PRNGKey(0)
    x, y = render_objects(key, 30, 32)
    assert x.shape == (30, 32, 32, 3) and y.shape == (30,)
    assert float(x.min()) >= 0 and float(x.max()) <= 1
    assert set(np.asarray(y).tolist()) <= set(range(len(OBJECT_CATEGORIES)))
    x2, y2 = render_objects(key, 30, 32)
    np.testing.assert_array_equal(x, x2), np.testing.assert_array_equal(y, y2)
    x3, _ = render_objects(jax.random.PRNGKey(1), 30, 32)
    assert not np.allclose(x, x3)


def test_every_category_draws_an_object_over_the_same_background():
    key = jax.random.PRNGKey(3)
    images = [np.asarray(render_object(key, k, 48)) for k in range(len(OBJECT_CATEGORIES))]
    # same key: same background and pose, so the pixels that differ between categories are the objects
    changed = [np.abs(a - b).max(-1) > 0.05 for a, b in zip(images, images[1:] + images[:1])]
    for name, ch in zip(OBJECT_CATEGORIES, changed):
        assert 0.01 < ch.mean() < 0.8, name


def test_bad_arguments_are_refused():
    with pytest.raises(ConfigError, match="category 10"):
        render_object(jax.random.PRNGKey(0), 10)
    with pytest.raises(ConfigError, match="size"):
        render_objects(jax.random.PRNGKey(0), 4, 4)
