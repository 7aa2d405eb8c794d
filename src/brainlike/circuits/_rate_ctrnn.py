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

from functools import partial

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from ._base import activation, register
from ._ctrnn import LeakyUnits

__all__ = ["RateCTRNN", "rate_leaky_scan"]


@partial(jax.custom_vjp, nondiff_argnums=(3, 4))
def rate_leaky_scan(w_rec: Array, drive: Array, r0: Array, alpha: float, rate_fn: str) -> Array:
    """Euler steps of the rate-leak network for a batch, ``r_t = (1-a) r_{t-1} + a f(W r_{t-1} + d_t)``.

    ``drive`` (``W_in u_t + b`` plus the recurrent noise) is ``[time trials units]``, ``r0`` is
    ``[trials units]``; returns ``r_1..r_T`` as ``[time trials units]``. Its hand-written backward pass is BPTT
    with the pre-activations recomputed in one matrix product and the weight gradient summed over all steps
    and trials in another (``sum_t delta_t^T r_{t-1}``), as :func:`~brainlike.circuits._ctrnn.leaky_scan` does
    for the CTRNN, which is what makes training fast on a CPU. Tested against autodiff of :meth:`RateCTRNN.step`.
    """
    return _rate_forward(w_rec, drive, r0, alpha, rate_fn)


def _rate_forward(w_rec, drive, r0, alpha, rate_fn):
    f = activation(rate_fn)
    w_t = w_rec.T

    def body(r, d):
        r = (1.0 - alpha) * r + alpha * f(r @ w_t + d)
        return r, r

    return jax.lax.scan(body, r0, drive)[1]


def _rate_fwd(w_rec, drive, r0, alpha, rate_fn):
    rs = _rate_forward(w_rec, drive, r0, alpha, rate_fn)
    return rs, (w_rec, drive, r0, rs)


def _rate_bwd(alpha, rate_fn, res, g):
    w_rec, drive, r0, rs = res
    r_prev = jnp.concatenate([r0[None], rs[:-1]], axis=0)
    # f'(pre_t), the pre-activations recomputed in bulk
    _, df = jax.jvp(activation(rate_fn), (r_prev @ w_rec.T + drive,), (jnp.ones_like(drive),))

    def body(carry, inp):
        g_t, df_t = inp
        lam = g_t + carry  # dL/dr_t
        delta = alpha * df_t * lam  # dL/dpre_t
        return (1.0 - alpha) * lam + delta @ w_rec, delta  # dL/dr_{t-1} through r_t

    g_r0, deltas = jax.lax.scan(body, jnp.zeros_like(r0), (g, df), reverse=True)
    n = deltas.shape[-1]
    g_w = deltas.reshape(-1, n).T @ r_prev.reshape(-1, n)
    return g_w, deltas, g_r0


rate_leaky_scan.defvjp(_rate_fwd, _rate_bwd)


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
        k_in, k_rec = jax.random.split(key)
        u = jnp.swapaxes(inputs, 0, 1)
        if self.sigma_in:
            u = u + jnp.sqrt(2.0 / a) * self.sigma_in * jax.random.normal(k_in, u.shape)
        drive = u @ self.w_in.T + self.bias
        if self.sigma_rec:
            drive = drive + jnp.sqrt(2.0 / a) * self.sigma_rec * jax.random.normal(k_rec, drive.shape)
        r0 = jnp.zeros((n_trials, self.n_units), drive.dtype)
        return jnp.swapaxes(rate_leaky_scan(self.w_rec, drive, r0, a, self.rate_fn), 0, 1)
