"""Target codes for path integration: place cells and head-direction cells.

Place-cell codes (centres uniform over the arena, one width ``sigma`` in metres):

- ``"gaussian"``: ``exp(-d^2 / 2 sigma^2)``, peak 1 (a classic place field);
- ``"softmax"``: the Gaussian log-activities normalised over the ensemble (Banino et al. 2018 Nature
  557:429, Methods: the place-cell targets are a distribution over cells, read out with a softmax);
- ``"dog"``: difference of Gaussians whose surround has ``surround`` times the centre's variance,
  ``exp(-d^2/2s^2) - exp(-d^2/2ks^2) / k`` (centre-surround fields; Sorscher et al. 2019 NeurIPS);
- ``"dos"``: difference of softmaxes, centre softmax minus surround softmax, shifted to be non-negative
  and normalised to sum 1 (Sorscher et al. 2023 Neuron; the code whose width Schaeffer, Khona & Fiete
  2022 NeurIPS showed grids depend on).

Head-direction cells (Banino et al. 2018): preferred directions uniform on the circle, activity
``softmax_i(kappa cos(theta - mu_i))`` (a von Mises distribution over cells, concentration ``kappa``).
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from .._errors import ConfigError
from ._trajectory import Arena

__all__ = ["PlaceCells", "HeadDirectionCells", "PLACE_CODES"]

PLACE_CODES = ("gaussian", "softmax", "dog", "dos")


class PlaceCells(eqx.Module):
    """``n_cells`` place cells with centres drawn uniformly over ``arena``; ``self(position)`` gives their
    activity ``[... n_cells]`` at positions ``[... 2]`` (m)."""

    centres: Float[Array, "cells 2"]
    sigma: Float[Array, ""]  # m; an array, so that ensembles of several widths stack and vmap
    code: str = eqx.field(static=True)
    surround: float = eqx.field(static=True)  # surround variance / centre variance (Sorscher's surround_scale)

    def __init__(self, n_cells: int, sigma: float, arena: Arena = Arena(), code: str = "softmax",
                 surround: float = 2.0, *, key: PRNGKeyArray):
        if code not in PLACE_CODES:
            raise ConfigError(f"PlaceCells.code must be one of {', '.join(PLACE_CODES)}, got {code!r}")
        if n_cells < 1 or not sigma > 0 or not surround > 1:
            raise ConfigError(f"PlaceCells: need n_cells >= 1, sigma > 0 and surround > 1, got {n_cells}, {sigma}, "
                              f"{surround}")
        self.centres = arena.uniform(key, (n_cells,))
        self.sigma, self.code, self.surround = jnp.asarray(sigma, jnp.float32), code, float(surround)

    @property
    def n_cells(self) -> int:
        return self.centres.shape[0]

    def _d2(self, position):
        return jnp.sum((jnp.asarray(position)[..., None, :] - self.centres) ** 2, axis=-1)

    def log_activity(self, position: Float[Array, "... 2"]) -> Array:
        """The centre Gaussians' log-activity ``-d^2 / 2 sigma^2`` (the softmax code's logits)."""
        return -self._d2(position) / (2 * self.sigma**2)

    def __call__(self, position: Float[Array, "... 2"]) -> Float[Array, "... cells"]:
        d2 = self._d2(position)
        centre = -d2 / (2 * self.sigma**2)
        wide = -d2 / (2 * self.surround * self.sigma**2)
        if self.code == "gaussian":
            return jnp.exp(centre)
        if self.code == "softmax":
            return jax.nn.softmax(centre, axis=-1)
        if self.code == "dog":
            return jnp.exp(centre) - jnp.exp(wide) / self.surround
        a = jax.nn.softmax(centre, axis=-1) - jax.nn.softmax(wide, axis=-1)
        a = a - jnp.min(a, axis=-1, keepdims=True)
        return a / jnp.sum(a, axis=-1, keepdims=True)

    def decode(self, activity: Float[Array, "... cells"], k: int = 3) -> Float[Array, "... 2"]:
        """Position read out from an activity pattern: the mean centre of the ``k`` most active cells
        (Sorscher et al. 2019's decoder)."""
        _, idx = jax.lax.top_k(activity, k)
        return jnp.mean(self.centres[idx], axis=-2)


class HeadDirectionCells(eqx.Module):
    """``n_cells`` head-direction cells with uniformly drawn preferred directions and von Mises tuning
    of concentration ``kappa``, normalised over cells."""

    preferred: Float[Array, " cells"]
    kappa: float = eqx.field(static=True)

    def __init__(self, n_cells: int, kappa: float = 20.0, *, key: PRNGKeyArray):
        if n_cells < 1 or not kappa > 0:
            raise ConfigError(f"HeadDirectionCells: need n_cells >= 1 and kappa > 0, got {n_cells}, {kappa}")
        self.preferred = jax.random.uniform(key, (n_cells,), minval=-jnp.pi, maxval=jnp.pi)
        self.kappa = float(kappa)

    @property
    def n_cells(self) -> int:
        return self.preferred.shape[0]

    def log_activity(self, direction: Float[Array, "..."]) -> Array:
        return self.kappa * jnp.cos(jnp.asarray(direction)[..., None] - self.preferred)

    def __call__(self, direction: Float[Array, "..."]) -> Float[Array, "... cells"]:
        return jax.nn.softmax(self.log_activity(direction), axis=-1)

    def decode(self, activity: Float[Array, "... cells"]) -> Float[Array, "..."]:
        """Direction read out as the angle of the population vector."""
        return jnp.arctan2(activity @ jnp.sin(self.preferred), activity @ jnp.cos(self.preferred))
