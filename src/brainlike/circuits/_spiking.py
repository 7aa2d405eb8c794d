"""Spiking circuits: leaky integrate-and-fire neurons, with or without an adaptive threshold.

Discrete-time LIF and ALIF neurons as in Bellec et al. (2018, NeurIPS; 2020, Nat Commun 11:3625,
Methods eqs. 1-4 and 22-24). For neuron ``j`` with membrane decay ``alpha = exp(-dt/tau_m)``:

    v_j[t+1] = alpha v_j[t] + (1 - alpha) (sum_i W_rec[j,i] z_i[t] + sum_k W_in[j,k] x_k[t+1] + b_j)
               - A_j[t] z_j[t]                                     (reset by subtraction)
    z_j[t]   = H(v_j[t] - A_j[t])   outside the refractory period   (a spike: 0 or 1 per step)
    A_j[t]   = v_th + beta_j a_j[t],   a_j[t+1] = rho a_j[t] + (1 - rho) z_j[t]

with ``rho = exp(-dt/tau_adapt)``. ``beta_j = 0`` is a LIF neuron; an LSNN (Bellec 2018) is a network in
which some neurons adapt (``ALIF(..., frac_adaptive=0.4)``). ``a`` is the neuron's recent firing rate in
spikes per step, so ``beta`` is the rise of the threshold, in units of ``v_th``, of a neuron firing once per
step: the default ``beta = 50`` (dt = 1 ms) doubles the threshold of a neuron that has fired at 20 Hz for
longer than ``tau_adapt``.

The Heaviside step has no useful derivative; training uses a pseudo-derivative (a *surrogate gradient*)
in its place, scaled by a dampening factor ``gamma`` (Bellec 2018: 0.3), one of :data:`SURROGATES`
evaluated at the distance to threshold in units of ``v_th``:

- ``"bellec"``: ``max(0, 1 - |x|)`` (the triangle of Bellec et al. 2018 eq. 2);
- ``"fast_sigmoid"``: ``1 / (1 + 10 |x|)^2`` (SuperSpike, Zenke & Ganguli 2018);
- ``"arctan"``: ``1 / (1 + (pi x)^2)`` (Fang et al. 2021).

``tau_m`` and ``tau_adapt`` may differ from neuron to neuron (arrays of one time constant per neuron, so
``alpha`` and ``rho`` are per neuron too), fixed like ``beta`` or, with ``learn_tau=True``, learned by
gradient descent on their logarithms: cortical neurons' membrane time constants spread over an order of
magnitude, and such heterogeneity, learned or not, makes spiking networks learn temporal tasks better
(Perez-Nieves, Leung, Dragotti & Goodman 2021, Nat Commun 12:5791). :func:`log_uniform` draws them.

The observable an electrode sees is the spike train ``z`` (0/1 per step); a readout of it filters it first
(``Network(..., readout_tau=...)``, a leaky integrator as in Bellec 2020).
"""

from __future__ import annotations

import math
from functools import partial

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, Float, PRNGKeyArray

from .._errors import ConfigError
from ._base import Circuit, register

__all__ = ["LIF", "ALIF", "spike", "SURROGATES", "leaky_filter", "log_uniform"]

SURROGATES = {
    "bellec": lambda x: jnp.maximum(0.0, 1.0 - jnp.abs(x)),
    "fast_sigmoid": lambda x: 1.0 / (1.0 + 10.0 * jnp.abs(x)) ** 2,
    "arctan": lambda x: 1.0 / (1.0 + (jnp.pi * x) ** 2),
}


@partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def spike(x: Array, surrogate: str = "bellec", dampening: float = 0.3) -> Array:
    """``H(x)``: 1 where the normalised distance to threshold ``x = (v - A) / v_th`` is positive, with the
    derivative ``dampening * SURROGATES[surrogate](x)`` in its place for gradients."""
    x = jnp.asarray(x)
    return (x > 0).astype(x.dtype)


@spike.defjvp
def _spike_jvp(surrogate, dampening, primals, tangents):
    (x,), (dx,) = primals, tangents
    return spike(x, surrogate, dampening), dampening * SURROGATES[surrogate](x) * dx


def leaky_filter(z: Float[Array, "... time units"], decay: float) -> Float[Array, "... time units"]:
    """``y[t] = decay y[t-1] + (1 - decay) z[t]`` along the time axis (-2), from ``y[-1] = 0``: the
    membrane of a leaky-integrator readout neuron (Bellec 2020 eq. 6), as a scan over time."""
    zt = jnp.moveaxis(z, -2, 0)

    def body(y, z_t):
        y = decay * y + (1.0 - decay) * z_t
        return y, y

    return jnp.moveaxis(jax.lax.scan(body, jnp.zeros_like(zt[0]), zt)[1], 0, -2)


@register("lif")
class LIF(Circuit):
    """A recurrent network of LIF neurons, adaptive where ``beta > 0`` (see the module docstring).

    ``w_rec`` has no self-connections (masked); ``recurrent=False`` makes a feed-forward layer (no
    ``w_rec``: every step's input current comes in one matrix product); ``refractory`` (ms) is the dead time after a spike;
    ``sigma_rec`` the sd of a private noise current added to every neuron at every step (in units of
    ``v_th``). ``tau_m`` and ``tau_adapt`` are numbers (ms) or one per neuron; per neuron, the fields
    ``tau_m`` / ``tau_adapt`` are None and ``log_tau_m`` / ``log_tau_adapt`` hold their logarithms (ms),
    learned where ``learn_tau`` (gradients stop at them otherwise). The state is
    ``(v, z, a, refractory steps left)``."""

    w_in: Array
    w_rec: Array
    bias: Array
    beta: Array  # [units] threshold adaptation strength (0: a plain LIF neuron); gradients stop at it
    log_tau_m: Array | None  # [units] log membrane time constants (ms), or None: all tau_m
    log_tau_adapt: Array | None  # [units] log adaptation time constants (ms), or None: all tau_adapt
    n_in: int = eqx.field(static=True)
    n_units: int = eqx.field(static=True)
    dt: float = eqx.field(static=True)
    tau_m: float | None = eqx.field(static=True)  # None: one per neuron, in log_tau_m
    tau_adapt: float | None = eqx.field(static=True)  # None: one per neuron, in log_tau_adapt
    v_th: float = eqx.field(static=True)
    refractory: float = eqx.field(static=True)
    surrogate: str = eqx.field(static=True)
    dampening: float = eqx.field(static=True)
    sigma_rec: float = eqx.field(static=True)
    recurrent: bool = eqx.field(static=True)
    learn_tau: bool = eqx.field(static=True)  # per-neuron time constants learned (else fixed)

    def __init__(self, n_in: int, n_units: int, *, key: PRNGKeyArray, dt: float = 1.0,
                 tau_m: float | Array = 20.0, tau_adapt: float | Array = 2000.0, beta: float | Array = 0.0,
                 v_th: float = 1.0, refractory: float = 2.0, surrogate: str = "bellec", dampening: float = 0.3,
                 sigma_rec: float = 0.0, w_in_gain: float = 1.0, w_rec_gain: float = 1.0, recurrent: bool = True,
                 learn_tau: bool = False):
        taus = {}
        for name, tau in (("tau_m", tau_m), ("tau_adapt", tau_adapt)):
            if jnp.ndim(tau) == 0 and not isinstance(tau, jax.core.Tracer):
                if not float(tau) > 0:
                    raise ConfigError(f"spiking circuit: {name} must be > 0 ms, got {tau}")
                taus[name] = (float(tau), None)
                continue
            if jnp.shape(tau) != (n_units,):
                raise ConfigError(f"spiking circuit: {name} must be a number or one per neuron ({n_units},), "
                                  f"got shape {jnp.shape(tau)}")
            if not isinstance(tau, jax.core.Tracer) and not np.all(np.asarray(tau) > 0):
                raise ConfigError(f"spiking circuit: every {name} must be > 0 ms, got {np.min(np.asarray(tau))}")
            taus[name] = (None, jnp.log(jnp.asarray(tau, jnp.float32)))
        if dt <= 0 or v_th <= 0:
            raise ConfigError(f"spiking circuit: need dt, v_th > 0, got dt={dt}, v_th={v_th}")
        if refractory < 0 or sigma_rec < 0 or dampening < 0:
            raise ConfigError("spiking circuit: refractory, sigma_rec and dampening must be >= 0")
        if surrogate not in SURROGATES:
            raise ConfigError(f"unknown surrogate {surrogate!r}; known: {', '.join(SURROGATES)}")
        if not isinstance(beta, jax.core.Tracer) and np.any(np.asarray(beta) < 0):
            raise ConfigError("spiking circuit: beta (threshold adaptation) must be >= 0")
        beta = jnp.broadcast_to(jnp.asarray(beta, jnp.float32), (n_units,))
        k_in, k_rec = jax.random.split(key)
        # Bellec 2018: W ~ N(0, 1/n_pre); the (1 - alpha) factor on the current is compensated so that a
        # unit of summed input holds the membrane at v_th.
        self.w_in = w_in_gain * v_th * jax.random.normal(k_in, (n_units, n_in)) / math.sqrt(n_in)
        if recurrent:
            w = w_rec_gain * v_th * jax.random.normal(k_rec, (n_units, n_units)) / math.sqrt(n_units)
            self.w_rec = w * (1.0 - jnp.eye(n_units))
        else:  # a feed-forward layer: no recurrent synapses at all
            self.w_rec = jnp.zeros((0, 0))
        self.recurrent = bool(recurrent)
        self.bias = jnp.zeros(n_units)
        self.beta = beta
        self.n_in, self.n_units = int(n_in), int(n_units)
        (self.tau_m, self.log_tau_m), (self.tau_adapt, self.log_tau_adapt) = taus["tau_m"], taus["tau_adapt"]
        if learn_tau and self.log_tau_m is None and self.log_tau_adapt is None:
            raise ConfigError("spiking circuit: learn_tau needs tau_m or tau_adapt given per neuron (an array)")
        self.learn_tau = bool(learn_tau)
        self.dt, self.v_th = float(dt), float(v_th)
        self.refractory, self.surrogate, self.dampening = float(refractory), surrogate, float(dampening)
        self.sigma_rec = float(sigma_rec)

    def _decay(self, tau: float | None, log_tau: Array | None) -> float | Array:
        if log_tau is None:
            return math.exp(-self.dt / tau)
        log_tau = log_tau if self.learn_tau else jax.lax.stop_gradient(log_tau)
        return jnp.exp(-self.dt * jnp.exp(-log_tau))

    @property
    def alpha(self) -> float | Array:
        """The membrane decay per step, ``exp(-dt / tau_m)``: a number, or one per neuron."""
        return self._decay(self.tau_m, self.log_tau_m)

    @property
    def rho(self) -> float | Array:
        """The adaptation decay per step, ``exp(-dt / tau_adapt)``: a number, or one per neuron."""
        return self._decay(self.tau_adapt, self.log_tau_adapt)

    @property
    def refractory_steps(self) -> int:
        return int(round(self.refractory / self.dt))

    @property
    def threshold_params(self):
        return self.v_th, self.beta

    def init_state(self):
        z = jnp.zeros(self.n_units)
        return (z, z, z, z)  # v, z, a, refractory steps left

    def _advance(self, state, current, noise, local: bool = False):
        """One step for any leading batch shape; ``current`` is ``W_in x + b`` (the recurrent part is added
        here). ``local``: the spikes a neuron sends to the others carry no gradient (e-prop's approximation);
        its own reset and adaptation still do."""
        v, z, a, ref = state
        beta = jax.lax.stop_gradient(self.beta)  # a property of the neuron type, never learned
        threshold = self.v_th + beta * a
        i_t = current + noise
        if self.recurrent:
            sent = jax.lax.stop_gradient(z) if local else z
            i_t = i_t + sent @ (self.w_rec * (1.0 - jnp.eye(self.n_units, dtype=self.w_rec.dtype))).T
        v = self.alpha * v + (1.0 - self.alpha) * i_t - jax.lax.stop_gradient(threshold) * z
        a = self.rho * a + (1.0 - self.rho) * z
        threshold = self.v_th + beta * a
        ref = jnp.maximum(ref - 1.0, 0.0)
        z = spike((v - threshold) / self.v_th, self.surrogate, self.dampening) * (ref == 0)
        ref = jnp.where(z > 0, float(self.refractory_steps + 1), ref)  # ISI >= refractory_steps + 1
        return (v, z, a, ref), z

    def step(self, state, x, *, key):
        noise = self.sigma_rec * jax.random.normal(key, (self.n_units,)) if self.sigma_rec else 0.0
        return self._advance(state, self.w_in @ x + self.bias, noise)

    def trajectory(self, inputs: Float[Array, "trials time n_in"], *, key: PRNGKeyArray, local: bool = False
                   ) -> dict[str, Array]:
        """All trials in one scan over time (every step's input current in one matrix product): each
        step's state ``[trials time units]``, the membrane ``v``, spikes ``z``, adaptation ``a``, and
        ``free`` (1 where the neuron was outside its refractory period, so it could spike), which is what
        :func:`brainlike.plasticity.eprop_gradients` builds its eligibility traces from. ``local`` as in
        ``_advance``: gradients do not pass from one neuron to another (the same values forward)."""
        current = jnp.moveaxis(inputs @ self.w_in.T + self.bias, 1, 0)  # [time trials units]
        if self.sigma_rec:
            noise = self.sigma_rec * jax.random.normal(key, current.shape)
        else:
            noise = jnp.zeros_like(current)
        n = inputs.shape[0]
        state = jax.tree.map(lambda s: jnp.broadcast_to(s, (n, self.n_units)), self.init_state())

        def body(s, xs):
            s = self._advance(s, *xs, local=local)[0]
            return s, s

        _, (v, z, a, ref) = jax.lax.scan(body, state, (current, noise))
        free = ((z > 0) | (ref == 0)).astype(z.dtype)  # a neuron that spiked was free; one that did not, iff ref == 0
        return {name: jnp.moveaxis(x, 0, 1) for name, x in (("v", v), ("z", z), ("a", a), ("free", free))}

    def simulate_batch(self, inputs: Float[Array, "trials time n_in"], *, key: PRNGKeyArray
                       ) -> Float[Array, "trials time units"]:
        """All trials at once (:meth:`trajectory`): the spikes ``[trials time units]``."""
        return self.trajectory(inputs, key=key)["z"]


def log_uniform(key: PRNGKeyArray, n: int, low: float, high: float) -> Array:
    """``n`` time constants drawn log-uniformly from ``[low, high]`` (ms): heterogeneous neurons, each
    decade as likely as the next (Perez-Nieves et al. 2021 draw membrane time constants from a gamma
    distribution; a log-uniform one spreads as widely with two plain bounds)."""
    if not 0 < low <= high:
        raise ConfigError(f"log_uniform: need 0 < low <= high, got {low} and {high}")
    return jnp.exp(jax.random.uniform(key, (n,), minval=math.log(low), maxval=math.log(high)))


def ALIF(n_in: int, n_units: int, *, key: PRNGKeyArray, frac_adaptive: float = 1.0, beta: float = 50.0,
         **params) -> LIF:
    """A network whose first ``frac_adaptive`` of neurons have an adaptive threshold (strength ``beta``,
    time constant ``tau_adapt``) and the rest are LIF: an LSNN (Bellec et al. 2018) for
    ``0 < frac_adaptive < 1``."""
    if not 0 <= frac_adaptive <= 1:
        raise ConfigError(f"frac_adaptive must be in [0, 1], got {frac_adaptive}")
    n_adapt = int(round(frac_adaptive * n_units))
    betas = np.where(np.arange(n_units) < n_adapt, float(beta), 0.0).astype(np.float32)  # static, as in init
    return LIF(n_in, n_units, key=key, beta=betas, **params)


register("alif")(ALIF)
