"""Continuous-time rate network whose rates, not input currents, are the leaky variable.

Yang, Joglekar, Song, Newsome & Wang (2019) Nat Neurosci 22:297, Methods, eq. 1:

    tau dr/dt = -r + f(W_rec r + W_in u + b + sqrt(2 tau) sigma_rec xi),

discretised with Euler steps of ``alpha = dt / tau`` as the authors' ``LeakyRNNCell`` (gyyang/multitask
``network.py``) does:

    r_t = (1 - alpha) r_{t-1} + alpha f(W_rec r_{t-1} + W_in (u_t + sqrt(2/alpha) sigma_in xi_t) + b
                                        + sqrt(2/alpha) sigma_rec zeta_t),

with the rates starting at zero. :class:`~brainlike.circuits.CTRNN` leaks the currents instead
(``x_{t+1} = (1-alpha) x_t + alpha (W f(x_t) + ...)``, Song, Yang & Wang 2016): both have the same fixed points,
but here the noise passes through the rate function, a rate cannot leave the range of ``f`` (never negative for
softplus or ReLU units), and a trial starts from silence rather than from ``f(x0)``.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from .._errors import ConfigError
from ._base import Circuit, activation, register
from ._ctrnn import _recurrent_init

__all__ = ["RateCTRNN"]


@register("rate_ctrnn")
class RateCTRNN(Circuit):
    """Leaky rate units whose rates leak (Yang et al. 2019, Methods eq. 1; the authors' ``LeakyRNN``).

    Args:
        n_in: input channels.  n_units: recurrent units.
        tau: time constant (ms).  dt: Euler step (ms), at most ``tau``.
        rate_fn: ``relu`` | ``tanh`` | ``softplus`` | ``sigmoid`` | ``linear`` | ``retanh``.
        sigma_rec: recurrent noise, added to the input of ``f`` with s.d. ``sqrt(2/alpha) sigma_rec`` per step.
        sigma_in: input noise, the same scaling.
        w_rec_init: ``normal`` (gain/sqrt(N)), ``orthogonal`` or ``identity``; w_rec_gain scales it.
        key: PRNG key for the initial weights (inputs: normal with s.d. ``1/sqrt(n_in)``, as the authors).
    """

    w_in: Float[Array, "units n_in"]
    w_rec: Float[Array, "units units"]
    bias: Float[Array, " units"]
    n_in: int = eqx.field(static=True)
    n_units: int = eqx.field(static=True)
    tau: float = eqx.field(static=True)
    dt: float = eqx.field(static=True)
    rate_fn: str = eqx.field(static=True)
    sigma_rec: float = eqx.field(static=True)
    sigma_in: float = eqx.field(static=True)

    def __init__(self, n_in: int, n_units: int, *, key: PRNGKeyArray, tau: float = 100.0, dt: float = 20.0,
                 rate_fn: str = "relu", sigma_rec: float = 0.05, sigma_in: float = 0.0,
                 w_rec_init: str = "normal", w_rec_gain: float = 0.8):
        if not (0 < dt <= tau):
            raise ConfigError(f"RateCTRNN: need 0 < dt <= tau for a stable Euler step, got dt={dt} ms, tau={tau} ms")
        if sigma_rec < 0 or sigma_in < 0:
            raise ConfigError(f"RateCTRNN: noise must be >= 0, got sigma_rec={sigma_rec}, sigma_in={sigma_in}")
        activation(rate_fn)  # validates the name
        k_in, k_rec = jax.random.split(key)
        self.w_in = jax.random.normal(k_in, (n_units, n_in)) / jnp.sqrt(n_in)
        self.w_rec = _recurrent_init(w_rec_init, n_units, w_rec_gain, k_rec)
        self.bias = jnp.zeros(n_units)
        self.n_in, self.n_units = n_in, n_units
        self.tau, self.dt = float(tau), float(dt)
        self.rate_fn = rate_fn
        self.sigma_rec, self.sigma_in = float(sigma_rec), float(sigma_in)

    @property
    def alpha(self) -> float:
        return self.dt / self.tau

    def init_state(self) -> Float[Array, " units"]:
        return jnp.zeros(self.n_units)

    def rate(self, r: Array) -> Array:
        """The state is the rate."""
        return r

    def velocity(self, r: Float[Array, " units"], u: Float[Array, " n_in"]) -> Float[Array, " units"]:
        """Noise-free ``tau dr/dt``."""
        return -r + activation(self.rate_fn)(self.w_rec @ r + self.w_in @ u + self.bias)

    def step(self, state, x, *, key):
        k_in, k_rec = jax.random.split(key)
        a = self.alpha
        # The noise terms are static: a noiseless circuit draws no random numbers at all.
        u = x + jnp.sqrt(2.0 / a) * self.sigma_in * jax.random.normal(k_in, x.shape) if self.sigma_in else x
        current = self.w_rec @ state + self.w_in @ u + self.bias
        if self.sigma_rec:
            current = current + jnp.sqrt(2.0 / a) * self.sigma_rec * jax.random.normal(k_rec, state.shape)
        new = (1.0 - a) * state + a * activation(self.rate_fn)(current)
        return new, new

    def simulate_batch(self, inputs: Float[Array, "trials time n_in"], *, key: PRNGKeyArray
                       ) -> Float[Array, "trials time units"]:
        """Rates of a batch of trials, the dynamics of :meth:`step` with the noise drawn in bulk (the runner
        uses it in place of a vmap over trials of a scan of ``step``)."""
        n_trials = inputs.shape[0]
        a = self.alpha
        f = activation(self.rate_fn)
        k_in, k_rec = jax.random.split(key)
        u = jnp.swapaxes(inputs, 0, 1)
        if self.sigma_in:
            u = u + jnp.sqrt(2.0 / a) * self.sigma_in * jax.random.normal(k_in, u.shape)
        drive = u @ self.w_in.T + self.bias
        if self.sigma_rec:
            drive = drive + jnp.sqrt(2.0 / a) * self.sigma_rec * jax.random.normal(k_rec, drive.shape)
        w_t = self.w_rec.T

        def body(r, d):
            r = (1.0 - a) * r + a * f(r @ w_t + d)
            return r, r

        _, rs = jax.lax.scan(body, jnp.zeros((n_trials, self.n_units), drive.dtype), drive)
        return jnp.swapaxes(rs, 0, 1)
