"""Continuous-time (leaky) rate network, discretised with Euler steps.

Song, Yang & Wang (2016) PLoS Comput Biol 12:e1004792, eqs. 1-3:

    x_{t+1} = (1 - alpha) x_t + alpha (W_rec r_t + W_in (u_t + sqrt(2/alpha) sigma_in xi_t) + b)
              + sqrt(2 alpha) sigma_rec zeta_t,        r_t = f(x_t),   alpha = dt / tau

with independent standard normal ``xi`` (private input noise, one per input channel) and ``zeta``
(private recurrent noise, one per unit). The noise scalings make the stationary noise variance
independent of the step ``dt``.
"""

from __future__ import annotations

from functools import partial

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, PRNGKeyArray

from .._errors import ConfigError
from ._base import Circuit, activation, register

__all__ = ["CTRNN", "LeakyUnits", "leaky_scan", "leaky_backward"]


@partial(jax.custom_vjp, nondiff_argnums=(4, 5))
def leaky_scan(w_rec: Array, drive: Array, x0: Array, noise: Array, alpha: float, rate_fn: str) -> Array:
    """Euler steps of the CTRNN for a batch, ``x_t = (1-a) x_{t-1} + a (W f(x_{t-1}) + d_t) + n_t``.

    ``drive`` (``W_in u_t + b``) and ``noise`` are ``[time trials units]``, ``x0`` is ``[trials units]``;
    returns ``x_1..x_T`` as ``[time trials units]``. Its hand-written backward pass is BPTT with the
    weight gradient summed over all steps and trials in one matrix product (``a sum_t lambda_t^T f(x_{t-1})``)
    instead of one small product per step, which is what makes training fast on a CPU. Tested against
    autodiff of :meth:`CTRNN.step`.
    """
    return _leaky_forward(w_rec, drive, x0, noise, alpha, rate_fn)


def _leaky_forward(w_rec, drive, x0, noise, alpha, rate_fn):
    f = activation(rate_fn)

    def body(x, inp):
        d, n = inp
        x = (1 - alpha) * x + alpha * (f(x) @ w_rec.T + d) + n
        return x, x

    return jax.lax.scan(body, x0, (drive, noise))[1]


def _leaky_fwd(w_rec, drive, x0, noise, alpha, rate_fn):
    xs = _leaky_forward(w_rec, drive, x0, noise, alpha, rate_fn)
    return xs, (w_rec, x0, xs)


def leaky_backward(w_back: Array, alpha: float, rate_fn: str, x0: Array, xs: Array, g: Array):
    """The backward pass of :func:`leaky_scan` with the error sent between units through ``w_back``
    (``w_rec`` for BPTT; a feedback matrix for the rules of :mod:`brainlike.plasticity`, or ``None`` to send
    no error between units, only along each unit's own leak). Returns the cotangents of ``w_rec``,
    ``drive``, ``x0`` and ``noise``; the weight's is the true ``a sum_t lambda_t^T f(x_{t-1})`` of the errors
    ``lambda`` so propagated."""
    f = activation(rate_fn)
    x_prev = jnp.concatenate([x0[None], xs[:-1]], axis=0)
    r_prev, df_prev = jax.jvp(f, (x_prev,), (jnp.ones_like(x_prev),))

    def body(carry, inp):
        g_t, df_t = inp
        lam = g_t + carry  # dL/dx_t
        back = (1 - alpha) * lam
        if w_back is not None:
            back = back + alpha * (lam @ w_back) * df_t  # dL/dx_{t-1} through x_t
        return back, lam

    g_x0, lams = jax.lax.scan(body, jnp.zeros_like(x0), (g, df_prev), reverse=True)
    n = lams.shape[-1]
    g_w = alpha * lams.reshape(-1, n).T @ r_prev.reshape(-1, n)
    return g_w, alpha * lams, g_x0, lams


def _leaky_bwd(alpha, rate_fn, res, g):
    w_rec, x0, xs = res
    return leaky_backward(w_rec, alpha, rate_fn, x0, xs, g)


leaky_scan.defvjp(_leaky_fwd, _leaky_bwd)


def _recurrent_init(kind: str, n: int, gain: float, key: PRNGKeyArray) -> Array:
    if kind == "normal":
        return gain * jax.random.normal(key, (n, n)) / jnp.sqrt(n)
    if kind == "orthogonal":
        return gain * jax.nn.initializers.orthogonal()(key, (n, n))
    if kind == "identity":
        return gain * jnp.eye(n)
    raise ConfigError(f"unknown recurrent initialisation {kind!r}; known: normal, orthogonal, identity")


class LeakyUnits(Circuit):
    """What the two leaky rate networks share (:class:`CTRNN`, :class:`~brainlike.circuits.RateCTRNN`): input,
    recurrent and bias weights, the time constant and step, the rate function and the private noise."""

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
        name = type(self).__name__
        if not (0 < dt <= tau):
            raise ConfigError(f"{name}: need 0 < dt <= tau for a stable Euler step, got dt={dt} ms, tau={tau} ms")
        if sigma_rec < 0 or sigma_in < 0:
            raise ConfigError(f"{name}: noise must be >= 0, got sigma_rec={sigma_rec}, sigma_in={sigma_in}")
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


@register("ctrnn")
class CTRNN(LeakyUnits):
    """Leaky rate units (Song, Yang & Wang 2016).

    Args:
        n_in: input channels.  n_units: recurrent units.
        tau: membrane time constant (ms).  dt: Euler step (ms), at most ``tau``.
        rate_fn: ``relu`` | ``tanh`` | ``softplus`` | ``sigmoid`` | ``linear`` | ``retanh``.
        sigma_rec: recurrent noise (unitless, per sqrt(2 alpha)).  sigma_in: input noise.
        w_rec_init: ``normal`` (gain/sqrt(N)), ``orthogonal`` or ``identity``; w_rec_gain scales it.
        key: PRNG key for the initial weights.
    """

    x0: Float[Array, " units"]

    def __init__(self, n_in: int, n_units: int, *, key: PRNGKeyArray, tau: float = 100.0, dt: float = 20.0,
                 rate_fn: str = "relu", sigma_rec: float = 0.05, sigma_in: float = 0.0,
                 w_rec_init: str = "normal", w_rec_gain: float = 0.8):
        super().__init__(n_in, n_units, key=key, tau=tau, dt=dt, rate_fn=rate_fn, sigma_rec=sigma_rec,
                         sigma_in=sigma_in, w_rec_init=w_rec_init, w_rec_gain=w_rec_gain)
        self.x0 = jnp.zeros(n_units)

    def init_state(self) -> Float[Array, " units"]:
        return self.x0

    def rate(self, x: Array) -> Array:
        return activation(self.rate_fn)(x)

    def velocity(self, x: Float[Array, " units"], u: Float[Array, " n_in"]) -> Float[Array, " units"]:
        """Noise-free ``tau dx/dt`` (used by fixed-point analyses)."""
        return -x + self.w_rec @ self.rate(x) + self.w_in @ u + self.bias

    def simulate_batch(self, inputs: Float[Array, "trials time n_in"], *, key: PRNGKeyArray
                       ) -> Float[Array, "trials time units"]:
        """Rates of a batch of trials, the same dynamics as :meth:`step` with the noise drawn in bulk;
        the runner uses it in place of a vmap over trials of a scan of ``step``."""
        n_trials, n_time, _ = inputs.shape
        a = self.alpha
        k_in, k_rec = jax.random.split(key)
        u = jnp.swapaxes(inputs, 0, 1)
        if self.sigma_in:
            u = u + jnp.sqrt(2.0 / a) * self.sigma_in * jax.random.normal(k_in, u.shape)
        drive = u @ self.w_in.T + self.bias
        shape = (n_time, n_trials, self.n_units)
        noise = (jnp.sqrt(2.0 * a) * self.sigma_rec * jax.random.normal(k_rec, shape) if self.sigma_rec
                 else jnp.zeros(shape))
        x0 = jnp.broadcast_to(self.x0, (n_trials, self.n_units))
        xs = self.integrate(drive, x0, noise, key=key)
        return jnp.swapaxes(self.rate(xs), 0, 1)

    def integrate(self, drive: Array, x0: Array, noise: Array, *, key: PRNGKeyArray) -> Array:
        """The Euler steps of :meth:`simulate_batch` (``[time trials units]`` states); a subclass with
        another backward pass (a feedback rule) overrides it."""
        return leaky_scan(self.w_rec, drive, x0, noise, self.alpha, self.rate_fn)

    def step(self, state, x, *, key):
        k_in, k_rec = jax.random.split(key)
        a = self.alpha
        # The noise terms are static: a noiseless circuit draws no random numbers at all.
        u = x + jnp.sqrt(2.0 / a) * self.sigma_in * jax.random.normal(k_in, x.shape) if self.sigma_in else x
        new = state + a * self.velocity(state, u)
        if self.sigma_rec:
            new = new + jnp.sqrt(2.0 * a) * self.sigma_rec * jax.random.normal(k_rec, state.shape)
        return new, self.rate(new)
