"""Procedurally rendered objects for training a ventral-stream model offline, in the spirit of the
synthetic images of Yamins, Hong, Cadieu, Solomon, Seibert & DiCarlo (2014 PNAS): objects of several
categories at varied position, scale, rotation, pose, colour and shading, on varied backgrounds.

Yamins et al. rendered 3-d models; here each object is a few parts (rotated superellipses: ellipses,
rounded boxes, diamonds) drawn in depth order with anti-aliased edges and a shading gradient, so a
category is a *part structure* (a face: head, eyes, nose, mouth; a quadruped: body, legs, neck, head,
tail; a chair: seat, back, legs) with random proportions, joint angles and colours from the category's
palette (skin, fur, fruit, paint, metal). Everything is one pure JAX function of a key, vmapped over
images, so a training step draws a fresh batch inside ``jax.jit``: no data set is stored or downloaded.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jaxtyping import Array, PRNGKeyArray

from .._errors import ConfigError

__all__ = ["OBJECT_CATEGORIES", "render_object", "render_objects"]

#: parts per object (unused rows are absent); a part is (cx, cy, rx, ry, angle, exponent, r, g, b, present)
N_PARTS = 12
_ROW = 10

_SKIN = jnp.array([[0.96, 0.80, 0.69], [0.87, 0.67, 0.53], [0.70, 0.50, 0.38], [0.45, 0.31, 0.23],
                   [0.92, 0.74, 0.66]])
_FUR = jnp.array([[0.45, 0.33, 0.22], [0.60, 0.45, 0.30], [0.35, 0.35, 0.35], [0.12, 0.11, 0.10],
                  [0.85, 0.62, 0.35], [0.90, 0.88, 0.84], [0.55, 0.52, 0.48]])
_FRUIT = jnp.array([[0.85, 0.12, 0.10], [0.98, 0.60, 0.10], [0.97, 0.88, 0.20], [0.40, 0.75, 0.20],
                    [0.45, 0.15, 0.45], [0.70, 0.85, 0.30], [0.60, 0.05, 0.15]])
_METAL = jnp.array([[0.62, 0.64, 0.66], [0.40, 0.42, 0.45], [0.80, 0.80, 0.78], [0.20, 0.20, 0.22]])
_WOOD = jnp.array([[0.55, 0.38, 0.22], [0.70, 0.52, 0.32], [0.40, 0.27, 0.16], [0.82, 0.68, 0.48]])
_HAIR = jnp.array([[0.10, 0.08, 0.06], [0.35, 0.22, 0.12], [0.75, 0.60, 0.35], [0.55, 0.55, 0.55],
                   [0.50, 0.20, 0.08]])


class _Draw:
    """Uniform numbers drawn once from a key and handed out in order (the generators read like
    ``d.u(0.2, 0.4)`` while the randomness stays one explicit key)."""

    def __init__(self, key: PRNGKeyArray, n: int = 96):
        self.values = jax.random.uniform(key, (n,))
        self.i = 0

    def u(self, lo: float = 0.0, hi: float = 1.0) -> Array:
        v = self.values[self.i]
        self.i += 1
        return lo + (hi - lo) * v

    def colour(self, palette: Array, jitter: float = 0.06) -> Array:
        c = palette[jnp.minimum((self.u() * palette.shape[0]).astype(int), palette.shape[0] - 1)]
        return jnp.clip(c + jitter * jnp.stack([self.u(-1, 1), self.u(-1, 1), self.u(-1, 1)]), 0.0, 1.0)

    def any_colour(self) -> Array:
        return jnp.stack([self.u(), self.u(), self.u()])


def _part(cx, cy, rx, ry, angle, exponent, colour) -> Array:
    """One part: a superellipse ``|u/rx|^n + |v/ry|^n <= 1`` (n = ``exponent`` in {1, 2, 4, 8}: diamond,
    ellipse, rounded box, box) centred at (cx, cy), rotated by ``angle``, filled with ``colour``."""
    return jnp.concatenate([jnp.stack([jnp.asarray(v, float) for v in (cx, cy, rx, ry, angle, exponent)]),
                            jnp.asarray(colour, float), jnp.ones(1)])


def _limb(x0, y0, length, angle, width, colour, exponent=4.0) -> Array:
    """A limb from (x0, y0) of ``length`` pointing at ``angle`` (radians from +x)."""
    cx, cy = x0 + 0.5 * length * jnp.cos(angle), y0 + 0.5 * length * jnp.sin(angle)
    return _part(cx, cy, 0.5 * length, width, angle, exponent, colour)


def _stack(parts: list[Array]) -> Array:
    """The parts in drawing order, padded with absent rows to ``[N_PARTS 10]``."""
    if len(parts) > N_PARTS:
        raise ValueError(f"{len(parts)} parts > N_PARTS={N_PARTS}")
    return jnp.concatenate([jnp.stack(parts), jnp.zeros((N_PARTS - len(parts), _ROW))])


def _human_face(d: _Draw) -> Array:
    skin, hair = d.colour(_SKIN), d.colour(_HAIR)
    w, h = d.u(0.30, 0.40), d.u(0.40, 0.50)
    ey, ex, er = d.u(0.05, 0.15), d.u(0.12, 0.17), d.u(0.045, 0.065)
    dark = jnp.array([0.08, 0.06, 0.05])
    return _stack([
        _part(0, h * 0.25, w * d.u(1.0, 1.2), h * d.u(0.75, 0.95), 0, 2, hair),  # hair behind the head
        _part(-w, 0.0, 0.06, 0.10, 0, 2, skin * 0.9), _part(w, 0.0, 0.06, 0.10, 0, 2, skin * 0.9),  # ears
        _part(0, -0.03, w, h, 0, 2, skin),
        _part(-ex, ey, er * 1.6, er, 0, 2, jnp.array([0.95, 0.95, 0.95])),
        _part(ex, ey, er * 1.6, er, 0, 2, jnp.array([0.95, 0.95, 0.95])),
        _part(-ex, ey, er * 0.7, er * 0.8, 0, 2, dark), _part(ex, ey, er * 0.7, er * 0.8, 0, 2, dark),
        _part(-ex, ey + 0.08, 0.07, 0.015, d.u(-0.2, 0.2), 2, hair * 0.7),
        _part(ex, ey + 0.08, 0.07, 0.015, d.u(-0.2, 0.2), 2, hair * 0.7),
        _part(0, -0.06, 0.035, d.u(0.07, 0.10), 0, 2, skin * 0.85),
        _part(0, d.u(-0.28, -0.22), d.u(0.08, 0.13), d.u(0.02, 0.05), 0, 2, jnp.array([0.70, 0.30, 0.30])),
    ])


def _monkey_face(d: _Draw) -> Array:
    fur, skin = d.colour(_FUR), d.colour(_SKIN[1:], 0.1) * d.u(0.7, 1.0)
    w = d.u(0.38, 0.48)
    dark = jnp.array([0.05, 0.04, 0.03])
    ey, ex = d.u(0.05, 0.12), d.u(0.10, 0.14)
    return _stack([
        _part(-w * 1.05, 0.08, 0.10, 0.12, 0, 2, skin * 0.9), _part(w * 1.05, 0.08, 0.10, 0.12, 0, 2, skin * 0.9),
        _part(0, 0.02, w, w * d.u(0.95, 1.15), 0, 2, fur),
        _part(0, -0.02, w * 0.65, w * d.u(0.75, 0.9), 0, 2, skin),
        _part(0, ey + 0.06, w * 0.6, 0.05, 0, 2, skin * 0.75),  # brow ridge
        _part(-ex, ey, 0.05, 0.045, 0, 2, dark), _part(ex, ey, 0.05, 0.045, 0, 2, dark),
        _part(0, -0.16, d.u(0.14, 0.2), d.u(0.10, 0.14), 0, 2, skin * 1.05),  # muzzle
        _part(-0.035, -0.12, 0.018, 0.014, 0, 2, dark), _part(0.035, -0.12, 0.018, 0.014, 0, 2, dark),
        _part(0, -0.22, 0.08, 0.012, 0, 2, dark),
    ])


def _human_body(d: _Draw) -> Array:
    shirt, trousers, skin = d.any_colour(), d.any_colour() * 0.7, d.colour(_SKIN)
    tw, th = d.u(0.12, 0.17), d.u(0.22, 0.28)
    top, hip = 0.15 + th, 0.15 - th
    arm, leg = d.u(0.35, 0.45), d.u(0.45, 0.55)
    pi = jnp.pi
    la, ra = -pi / 2 - d.u(0.1, 1.4), -pi / 2 + d.u(0.1, 1.4)
    ll, rl = -pi / 2 - d.u(0.0, 0.5), -pi / 2 + d.u(0.0, 0.5)
    hx = lambda x0, y0, L, a: (x0 + L * jnp.cos(a), y0 + L * jnp.sin(a))
    lh, rh = hx(-tw, top - 0.03, arm, la), hx(tw, top - 0.03, arm, ra)
    return _stack([
        _limb(-tw * 0.5, hip + 0.03, leg, ll, 0.055, trousers),
        _limb(tw * 0.5, hip + 0.03, leg, rl, 0.055, trousers),
        _part(0, 0.15, tw, th, 0, 4, shirt),
        _limb(-tw, top - 0.03, arm, la, 0.04, shirt), _limb(tw, top - 0.03, arm, ra, 0.04, shirt),
        _part(lh[0], lh[1], 0.04, 0.04, 0, 2, skin), _part(rh[0], rh[1], 0.04, 0.04, 0, 2, skin),
        _part(0, top + 0.04, 0.04, 0.05, 0, 2, skin),
        _part(0, top + 0.14, 0.09, 0.11, 0, 2, skin),
        _part(0, top + 0.19, 0.095, 0.07, 0, 2, d.colour(_HAIR)),
    ])


def _quadruped(d: _Draw) -> Array:
    fur = d.colour(_FUR)
    bl, bh = d.u(0.35, 0.5), d.u(0.14, 0.22)
    leg = d.u(0.25, 0.4)
    pi = jnp.pi
    legs = [_limb(x, -bh * 0.5, leg, -pi / 2 + d.u(-0.35, 0.35), 0.045, fur * 0.9)
            for x in (-bl * 0.75, -bl * 0.55, bl * 0.55, bl * 0.75)]
    na = d.u(0.3, 1.1)
    nx, ny = bl * 0.8, bh * 0.3
    hx, hy = nx + 0.25 * jnp.cos(na), ny + 0.25 * jnp.sin(na)
    return _stack(legs + [
        _limb(-bl * 0.95, bh * 0.2, d.u(0.2, 0.35), d.u(-2.8, 2.3) + pi, 0.03, fur),  # tail
        _part(0, 0, bl, bh, 0, 2, fur),
        _limb(nx, ny, 0.28, na, 0.07, fur),
        _part(hx, hy, d.u(0.10, 0.14), d.u(0.07, 0.10), d.u(-0.6, 0.2), 2, fur),
        _part(hx - 0.04, hy + 0.08, 0.03, 0.06, 0.3, 2, fur * 0.8),  # ear
        _part(hx + 0.04, hy + 0.02, 0.02, 0.02, 0, 2, jnp.array([0.05, 0.05, 0.05])),  # eye
    ])


def _bird(d: _Draw) -> Array:
    body, wing = d.colour(jnp.concatenate([_FUR, _FRUIT])), d.colour(_FUR)
    bl = d.u(0.25, 0.35)
    pi = jnp.pi
    beak = jnp.array([0.95, 0.65, 0.10])
    return _stack([
        _limb(-0.05, -0.15, 0.22, -pi / 2 - 0.2, 0.012, beak), _limb(0.05, -0.15, 0.22, -pi / 2 + 0.2, 0.012, beak),
        _limb(-bl * 0.8, 0.0, d.u(0.2, 0.3), pi + d.u(-0.4, 0.4), 0.06, wing, 4.0),  # tail
        _part(0, 0, bl, bl * 0.6, d.u(-0.3, 0.3), 2, body),
        _part(-0.02, 0.02, bl * 0.7, bl * 0.35, d.u(-0.6, 0.6), 2, wing),
        _part(bl * 0.9, bl * 0.45, 0.11, 0.11, 0, 2, body),
        _part(bl * 0.9 + 0.15, bl * 0.42, 0.07, 0.025, d.u(-0.3, 0.1), 1, beak),
        _part(bl * 0.95, bl * 0.5, 0.022, 0.022, 0, 2, jnp.array([0.03, 0.03, 0.03])),
    ])


def _fruit(d: _Draw) -> Array:
    c = d.colour(_FRUIT)
    r = d.u(0.22, 0.38)
    e = d.u(0.8, 1.4)
    leaf = jnp.array([0.25, 0.55, 0.15])
    parts = [
        _part(-r * 0.9, -r * 0.3, r * 0.8, r * 0.8 * e, 0, 2, d.colour(_FRUIT) * d.u(0.0, 1.0)),  # maybe a second one
        _part(0, 0, r, r * e, d.u(-0.5, 0.5), 2, c),
        _part(-r * 0.3, r * 0.3, r * 0.25, r * 0.18, 0.5, 2, jnp.clip(c + 0.3, 0, 1)),  # highlight
        _limb(0, r * e * 0.9, d.u(0.08, 0.16), jnp.pi / 2 + d.u(-0.4, 0.4), 0.015, jnp.array([0.35, 0.25, 0.1])),
        _part(0.08, r * e + 0.05, d.u(0.05, 0.12), 0.035, d.u(0.0, 0.8), 2, leaf),
    ]
    parts[0] = parts[0].at[-1].set(jnp.where(d.u() < 0.4, 1.0, 0.0))
    return _stack(parts)


def _tool(d: _Draw) -> Array:
    handle, head = d.colour(jnp.concatenate([_WOOD, _FRUIT])), d.colour(_METAL)
    L = d.u(0.6, 0.85)
    kind = d.u()
    hw, hh = jnp.where(kind < 0.5, d.u(0.18, 0.28), 0.05), jnp.where(kind < 0.5, d.u(0.05, 0.09), d.u(0.2, 0.3))
    return _stack([
        _part(0, -0.1, 0.04, L * 0.5, 0, 8, handle),
        _part(0, -0.1 + L * 0.5 + hh * 0.8, hw, hh, 0, 8, head),
        _part(0, -0.1 - L * 0.3, 0.05, 0.12, 0, 8, handle * 0.8),
    ])


def _chair(d: _Draw) -> Array:
    c = d.colour(jnp.concatenate([_WOOD, _METAL]))
    sw, leg, back = d.u(0.25, 0.38), d.u(0.25, 0.4), d.u(0.2, 0.45)
    return _stack([
        _part(-sw * 0.85, -leg * 0.5, 0.025, leg * 0.5, 0, 8, c * 0.8),
        _part(sw * 0.85, -leg * 0.5, 0.025, leg * 0.5, 0, 8, c * 0.8),
        _part(-sw * 0.6, -leg * 0.45, 0.02, leg * 0.45, 0, 8, c * 0.6),
        _part(sw * 0.6, -leg * 0.45, 0.02, leg * 0.45, 0, 8, c * 0.6),
        _part(0, 0.02, sw, 0.035, 0, 8, c),
        _part(-sw * 0.9, 0.04 + back * 0.5, 0.03, back * 0.5, 0, 8, c),
        _part(sw * 0.9, 0.04 + back * 0.5, 0.03, back * 0.5, 0, 8, c),
        _part(0, 0.04 + back * 0.8, sw * 0.9, back * 0.2 * d.u(0.3, 1.0), 0, 8, c),
    ])


def _vehicle(d: _Draw) -> Array:
    paint = d.any_colour()
    L, H = d.u(0.5, 0.7), d.u(0.12, 0.18)
    glass = jnp.array([0.65, 0.80, 0.90])
    cab = d.u(0.5, 0.8)
    return _stack([
        _part(0, 0, L, H, 0, 8, paint),
        _part(d.u(-0.1, 0.1), H + 0.1, L * cab * 0.6, 0.12, 0, 4, paint),
        _part(-L * cab * 0.25 + 0.0, H + 0.1, L * cab * 0.22, 0.08, 0, 8, glass),
        _part(L * cab * 0.25, H + 0.1, L * cab * 0.22, 0.08, 0, 8, glass),
        _part(-L * 0.6, -H, 0.13, 0.13, 0, 2, jnp.array([0.08, 0.08, 0.08])),
        _part(L * 0.6, -H, 0.13, 0.13, 0, 2, jnp.array([0.08, 0.08, 0.08])),
        _part(-L * 0.6, -H, 0.06, 0.06, 0, 2, jnp.array([0.7, 0.7, 0.7])),
        _part(L * 0.6, -H, 0.06, 0.06, 0, 2, jnp.array([0.7, 0.7, 0.7])),
        _part(L * 0.95, H * 0.3, 0.04, 0.03, 0, 4, jnp.array([1.0, 0.95, 0.6])),
    ])


def _building(d: _Draw) -> Array:
    wall, roof = d.any_colour() * 0.6 + 0.3, d.colour(jnp.array([[0.55, 0.15, 0.1], [0.3, 0.3, 0.32], [0.4, 0.25, 0.15]]))
    W, H = d.u(0.35, 0.5), d.u(0.25, 0.45)
    glass = jnp.array([0.55, 0.70, 0.85]) * d.u(0.6, 1.0)
    return _stack([
        _part(0, H, W * 1.15, d.u(0.2, 0.35), 0, 1, roof),
        _part(0, 0, W, H, 0, 8, wall),
        _part(-W * 0.5, H * 0.35, 0.08, 0.08, 0, 8, glass), _part(W * 0.5, H * 0.35, 0.08, 0.08, 0, 8, glass),
        _part(-W * 0.5, -H * 0.3, 0.08, 0.08, 0, 8, glass).at[-1].set(jnp.where(d.u() < 0.5, 1.0, 0.0)),
        _part(W * 0.5, -H * 0.3, 0.08, 0.08, 0, 8, glass),
        _part(0, -H + 0.12, 0.07, 0.12, 0, 8, d.colour(_WOOD)),
    ])


#: category name -> part generator (the order is the label)
_GENERATORS = {
    "human face": _human_face, "monkey face": _monkey_face, "human body": _human_body, "quadruped": _quadruped,
    "bird": _bird, "fruit": _fruit, "tool": _tool, "chair": _chair, "vehicle": _vehicle, "building": _building,
}
OBJECT_CATEGORIES: tuple[str, ...] = tuple(_GENERATORS)


def _background(key: PRNGKeyArray, c: Array) -> Array:
    """A random grey level, a little coloured, with a few low-frequency gratings (``[h w 3]`` over the
    pixel coordinates ``c`` along each axis; a grating is separable, so no 2-d sine is evaluated)."""
    k1, k2, k3, k4, k5 = jax.random.split(key, 5)
    grey = jax.random.uniform(k2, minval=0.1, maxval=0.9)
    base = grey + jax.random.uniform(k1) * (jax.random.uniform(k5, (3,)) - 0.5) * 0.6
    f = jax.random.normal(k3, (2, 4)) * 3.0
    amp = jax.random.uniform(k4, (4, 3), minval=-0.08, maxval=0.08)
    phase = jax.random.uniform(jax.random.fold_in(k4, 1), (4,), maxval=2 * jnp.pi)
    a, b = c[:, None] * f[0], -c[:, None] * f[1] + phase  # along x (columns), along y (rows, top first)
    # sin(a + b) = sin a cos b + cos a sin b, summed over gratings with their colour amplitudes
    waves = (jnp.einsum("rg,cg,gk->rck", jnp.cos(b), jnp.sin(a), amp)
             + jnp.einsum("rg,cg,gk->rck", jnp.sin(b), jnp.cos(a), amp))
    return jnp.clip(base + waves, 0.0, 1.0)


def _coverage(x, y, cx, cy, rx, ry, angle, n, pixel):
    """Anti-aliased coverage (0..1) of the superellipse ``|u|^n + |v|^n <= 1`` at the points (x, y), with
    u, v the point's coordinates in the part's frame in units of its radii (returned for shading).
    ``n`` is 1, 2, 4 or 8 (diamond, ellipse, rounded box, box), computed by products only (no pow: half
    the render time); ``(S - 1) / n`` is the distance to the edge in radii, to first order, so the edge
    is blurred over about one ``pixel``."""
    dx, dy = x - cx, y - cy
    ca, sa = jnp.cos(angle), jnp.sin(angle)
    u, v = (dx * ca + dy * sa) / rx, (dy * ca - dx * sa) / ry
    u2, v2 = u * u, v * v
    u4, v4 = u2 * u2, v2 * v2
    s = jnp.where(n < 1.5, jnp.abs(u) + jnp.abs(v), jnp.where(n < 3, u2 + v2, jnp.where(n < 6, u4 + v4, u4 * u4 + v4 * v4)))
    return jax.nn.sigmoid(-(s - 1.0) / n * jnp.minimum(rx, ry) / pixel * 1.5), u, v


def _paint(background: Array, alpha: Array, colour: Array) -> Array:
    """The painter's algorithm in closed form: parts ``alpha [parts h w]``, ``colour [parts h w 3]``
    drawn in order over ``background [h w 3]``; part k shows through the parts drawn after it."""
    # front to back: what part k leaves visible is prod_{j > k} (1 - alpha_j). (A Python loop over the
    # dozen parts, not jnp.cumprod: under a vmap over seeds XLA:CPU runs the cumulative product 4x slower.)
    img, behind = jnp.zeros_like(background), jnp.ones_like(alpha[0])
    for a, c in zip(alpha[::-1], colour[::-1]):
        img = img + (a * behind)[..., None] * c
        behind = behind * (1.0 - a)
    return img + background * behind[..., None]


def render_object(key: PRNGKeyArray, category: Array | int, size: int = 64) -> Array:
    """One image ``[size size 3]`` in [0, 1] of an object of ``category`` (index into
    :data:`OBJECT_CATEGORIES`): random part structure, pose (position, scale 0.7-1.3 of the frame,
    rotation within +-30 degrees, mirror), shading and background."""
    if isinstance(category, int) and not 0 <= category < len(OBJECT_CATEGORIES):
        raise ConfigError(f"render_object: category {category} is not in 0..{len(OBJECT_CATEGORIES) - 1} "
                          f"({', '.join(OBJECT_CATEGORIES)})")
    k_parts, k_pose, k_bg = jax.random.split(key, 3)
    parts = jax.lax.switch(jnp.asarray(category, int), [lambda k, g=g: g(_Draw(k)) for g in _GENERATORS.values()],
                           k_parts)
    pose = jax.random.uniform(k_pose, (7,))
    scale = 0.7 + 0.6 * pose[0]
    rot = (pose[1] - 0.5) * jnp.pi / 3
    flip = jnp.where(pose[2] < 0.5, -1.0, 1.0)
    shift = (pose[3:5] - 0.5) * 0.4
    light = jnp.array([jnp.cos(pose[5] * 2 * jnp.pi), jnp.sin(pose[5] * 2 * jnp.pi)]) * 0.35
    c = jnp.linspace(-1.0, 1.0, size)
    x, y = jnp.meshgrid(c, -c)  # row 0 is the top of the image
    img = _background(k_bg, c)
    cos, sin = jnp.cos(rot), jnp.sin(rot)
    # every part at once, [parts h w]: position, orientation and size after the pose
    col = lambda i: parts[:, i, None, None]
    px, py = flip * col(0) * scale, col(1) * scale
    cx, cy = px * cos - py * sin + shift[0], px * sin + py * cos + shift[1]
    rx, ry = jnp.maximum(col(2) * scale, 1e-3), jnp.maximum(col(3) * scale, 1e-3)
    alpha, u, v = _coverage(x, y, cx, cy, rx, ry, rot + flip * col(4), col(5), 2.0 / size)
    alpha = col(9) * alpha
    shade = 1.0 + jnp.clip(u, -1, 1) * light[0] + jnp.clip(v, -1, 1) * light[1]
    colour = jnp.clip(parts[:, None, None, 6:9] * (0.85 + 0.15 * shade[..., None] ** 2), 0.0, 1.0)
    img = _paint(img, alpha, colour)
    return jnp.clip(img, 0.0, 1.0)


def render_objects(key: PRNGKeyArray, n: int, size: int = 64) -> tuple[Array, Array]:
    """``n`` images ``[n size size 3]`` with categories drawn uniformly, and the labels ``[n]``."""
    if n < 1 or size < 8:
        raise ConfigError(f"render_objects: need n >= 1 and size >= 8, got n={n}, size={size}")
    k_cat, k_img = jax.random.split(key)
    labels = jax.random.randint(k_cat, (n,), 0, len(OBJECT_CATEGORIES))
    images = jax.vmap(render_object, (0, 0, None))(jax.random.split(k_img, n), labels, size)
    return images, labels
