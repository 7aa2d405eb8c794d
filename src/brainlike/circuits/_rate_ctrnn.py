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

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from ._base import activation, register
from ._ctrnn import LeakyUnits

__all__ = ["RateCTRNN"]


@register("rate_ctrnn")
class RateCTRNN(LeakyUnits):
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
