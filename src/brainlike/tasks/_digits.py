"""Sequential digits: a handwritten digit shown one pixel per time step, classified at the end (the
sequential-MNIST benchmark of recurrent and spiking networks, Le et al. 2015; Bellec et al. 2018 NeurIPS,
on the 8 x 8 digits of the UCI set that scikit-learn ships, so nothing is downloaded).

Each pixel is shown for ``pixel`` ms, row by row (64 pixels), then a RESPOND cue is on for ``response`` ms
in which the network reports the digit (10 outputs, cross-entropy). The grey value of the current pixel is
coded as in Bellec et al. 2018: ``n_thresholds`` input neurons, each spiking at the step where the grey
value crosses its threshold (up or down) from one pixel to the next, so the input is a spike train of
threshold crossings rather than a grey level. ``encoding="current"`` gives the grey level itself (0-1) as
one input channel instead, for non-spiking circuits.

The 1,797 images are split once, deterministically and stratified by digit, into ``train`` and ``test``
(``test_fraction``); a task samples from its own split only.
"""

from __future__ import annotations

from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, PRNGKeyArray

from .._errors import ConfigError
from .._trials import Trials
from ._base import Task, duration_steps, register

__all__ = ["SequentialDigits", "digit_split"]

SPLITS = ("train", "test")
DIGIT_ENCODINGS = ("threshold", "current")


def digit_split(split: str, test_fraction: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """The images (``[n, 64]``, grey values in [0, 1]) and labels of one split of scikit-learn's 8 x 8
    digits: a fixed stratified split (``random_state=0``), the same on every machine."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    if split not in SPLITS:
        raise ConfigError(f"unknown digits split {split!r}; known: {', '.join(SPLITS)}")
    if not 0 < test_fraction < 1:
        raise ConfigError(f"test_fraction must be in (0, 1), got {test_fraction}")
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(digits.data / 16.0, digits.target, test_size=test_fraction,
                                                        random_state=0, stratify=digits.target)
    x, y = (x_train, y_train) if split == "train" else (x_test, y_test)
    return x.astype(np.float32), y.astype(np.int32)


def shifted(grey: Array, offset: Array) -> Array:
    """An 8 x 8 image (flattened) moved by ``offset`` = (rows down, columns right), blank where it moved in."""
    rows, cols = jnp.arange(8) - offset[0], jnp.arange(8) - offset[1]
    image = grey.reshape(8, 8)[jnp.clip(rows, 0, 7)][:, jnp.clip(cols, 0, 7)]
    inside = ((rows >= 0) & (rows < 8))[:, None] & ((cols >= 0) & (cols < 8))[None, :]
    return jnp.where(inside, image, 0.0).reshape(64)


@register("sequential_digits")
class SequentialDigits(Task):
    """Classify an 8 x 8 digit shown one pixel per step (Bellec et al. 2018's sequential MNIST, on UCI digits).

    Conditions: ``digit`` (the label) and ``index`` (the image within the split). Inputs: the
    threshold-crossing neurons ``cross/<k>`` and ``respond``; outputs ``digit/0`` ... ``digit/9``, scored in
    the response period. Epochs ``pixels`` and ``response``."""

    metadata: ClassVar[dict] = {
        "paper": "Bellec, Salaj, Subramoney, Legenstein & Maass 2018 NeurIPS (sequential MNIST); UCI digits",
        "doi": "10.48550/arXiv.1803.09574",
        "tags": ("sequence classification", "working memory", "spiking", "supervised", "real data"),
    }
    output_names: ClassVar[tuple[str, ...]] = tuple(f"digit/{d}" for d in range(10))

    images: Array  # [n 64] grey values of the split, in [0, 1]
    labels: Array
    dt: float = eqx.field(static=True)
    split: str = eqx.field(static=True)
    pixel: float = eqx.field(static=True)  # ms per pixel
    response: float = eqx.field(static=True)  # ms
    n_thresholds: int = eqx.field(static=True)
    encoding: str = eqx.field(static=True)
    test_fraction: float = eqx.field(static=True)
    signed: bool = eqx.field(static=True)
    shift: int = eqx.field(static=True)

    def __init__(self, dt: float = 1.0, split: str = "train", pixel: float | None = None, response: float = 20.0,
                 n_thresholds: int = 16, encoding: str = "threshold", test_fraction: float = 0.25,
                 signed: bool = False, shift: int = 0):
        if not dt > 0:
            raise ConfigError(f"SequentialDigits: dt must be positive, got {dt} ms")
        if encoding not in DIGIT_ENCODINGS:
            raise ConfigError(f"SequentialDigits: unknown encoding {encoding!r}; known: {', '.join(DIGIT_ENCODINGS)}")
        if n_thresholds < 1:
            raise ConfigError(f"SequentialDigits: n_thresholds must be >= 1, got {n_thresholds}")
        self.dt, self.split, self.encoding = float(dt), split, encoding
        self.pixel = float(dt if pixel is None else pixel)
        self.response, self.n_thresholds, self.test_fraction = float(response), int(n_thresholds), float(test_fraction)
        self.signed = bool(signed)
        if not 0 <= int(shift) < 8:
            raise ConfigError(f"SequentialDigits: shift must be in 0..7 pixels, got {shift}")
        self.shift = int(shift)
        duration_steps("pixel", self.pixel, self.dt)
        duration_steps("response", self.response, self.dt)
        x, y = digit_split(split, test_fraction)
        self.images, self.labels = jnp.asarray(x), jnp.asarray(y)

    @property
    def input_names(self) -> tuple[str, ...]:  # type: ignore[override]
        if self.encoding == "current":
            return ("grey", "respond")
        if self.signed:
            return (*(f"up/{k}" for k in range(self.n_thresholds)), *(f"down/{k}" for k in range(self.n_thresholds)),
                    "respond")
        return tuple(f"cross/{k}" for k in range(self.n_thresholds)) + ("respond",)

    @property
    def n_images(self) -> int:
        return int(self.images.shape[0])

    @property
    def _pixel_steps(self) -> int:
        return duration_steps("pixel", self.pixel, self.dt)[0]

    @property
    def _response_steps(self) -> int:
        return duration_steps("response", self.response, self.dt)[0]

    @property
    def n_steps(self) -> int:
        return 64 * self._pixel_steps + self._response_steps

    def sample_conditions(self, key: PRNGKeyArray, n: int) -> dict[str, Array]:
        index = jax.random.randint(key, (n,), 0, self.n_images)
        return {"index": index, "digit": self.labels[index]}

    def all_conditions(self) -> dict[str, Array]:
        """Every image of the split once, in order (for a test-set evaluation)."""
        index = jnp.arange(self.n_images)
        return {"index": index, "digit": self.labels[index]}

    def build_trial(self, conditions: dict[str, Array], *, key: PRNGKeyArray) -> Trials:
        grey = self.images[conditions["index"]]  # [64]
        if self.shift:
            grey = shifted(grey, jax.random.randint(key, (2,), -self.shift, self.shift + 1))
        p, r = self._pixel_steps, self._response_steps
        if self.encoding == "current":
            code = grey[:, None]
        else:
            # threshold k sits between grey levels; its neuron spikes at the pixel where the value crosses it
            theta = (jnp.arange(self.n_thresholds) + 0.5) / self.n_thresholds
            before = jnp.concatenate([jnp.zeros(1), grey[:-1]])
            up = (before[:, None] < theta) & (grey[:, None] >= theta)
            down = (before[:, None] >= theta) & (grey[:, None] < theta)
            code = jnp.concatenate([up, down], axis=1) if self.signed else up | down
            code = code.astype(jnp.float32)  # [64 thresholds] or [64 2*thresholds]
        first = jnp.zeros((64, p, 1)).at[:, 0].set(1.0)  # a crossing is one spike, at the pixel's first step
        shown = (code[:, None, :] * (first if self.encoding == "threshold" else 1.0)).reshape(64 * p, -1)
        inputs = jnp.concatenate([jnp.concatenate([shown, jnp.zeros((r, shown.shape[1]))]),
                                  jnp.concatenate([jnp.zeros((64 * p, 1)), jnp.ones((r, 1))])], axis=1)
        mask = jnp.concatenate([jnp.zeros(64 * p), jnp.ones(r)])
        targets = jnp.broadcast_to(jax.nn.one_hot(conditions["digit"], 10), (self.n_steps, 10))
        return Trials(inputs=inputs, targets=targets, mask=mask, conditions=dict(conditions),
                      epochs={"pixels": jnp.array([0, 64 * p]), "response": jnp.array([64 * p, self.n_steps])},
                      dt=self.dt)
