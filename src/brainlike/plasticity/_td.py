"""Temporal-difference learning: the reward prediction error as the phasic dopamine signal.

- ``td_lambda``: TD(lambda) on a linear value function V(t) = w . x(t) over ONE trial, online (Sutton
  1988; Sutton & Barto 2018, Eq. 12.7-12.8); the prediction error delta(t) = r(t) + gamma V(t) - V(t-1)
  is the model dopamine response (Schultz, Dayan & Montague 1997).
- Distributional TD (Dabney et al. 2020 Nature): each unit has its own learning rates for positive and
  negative errors, ``alpha_pos`` and ``alpha_neg``. With ``code="expectile"`` the update is
  alpha(+/-) delta and the unit's value converges to the tau-expectile of the return, tau =
  alpha_pos / (alpha_pos + alpha_neg); with ``code="quantile"`` the update is alpha(+/-) sign(delta)
  and it converges to the tau-quantile. ``alpha_neg=None`` is classical TD.
- ``successor_td``: the successor representation M(s, s') learned by TD along a trajectory (Dayan
  1993; Stachenfeld, Botvinick & Gershman 2017, Eq. 4).

All functions are for one learner; ``jax.vmap`` them over units, agents or protocols.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int

__all__ = ["td_lambda", "td_learn", "dopamine_response", "successor_td", "tabular_td"]

CODES = ("expectile", "quantile")


def td_lambda(w: Float[Array, " features"], features: Float[Array, "time features"], reward: Float[Array, " time"],
              *, alpha: float | Array, gamma: float, lam: float = 0.0, alpha_neg: float | Array | None = None,
              code: str = "expectile") -> tuple[Float[Array, " features"], Float[Array, " time"]]:
    """One trial of online TD(lambda). Returns the new weights and the prediction error at each step.

    ``reward[t]`` arrives on entering step ``t``; the state before the trial (the inter-trial interval)
    and after it have value 0, so delta(0) = r(0) + gamma V(0) and the trial ends with one more error,
    -V(T-1), added to the last step's. Weights change after every step (online).
    """
    if code not in CODES:
        raise ValueError(f"unknown code {code!r}; codes: {', '.join(CODES)}")
    a_pos = alpha
    a_neg = alpha if alpha_neg is None else alpha_neg
    n_feat = features.shape[-1]
    # Next-state features, with an all-zero terminal state after the last step.
    x_next = features
    x_prev = jnp.concatenate([jnp.zeros((1, n_feat), features.dtype), features[:-1]])

    def body(carry, inp):
        w, trace = carry
        x_before, x_now, r = inp
        trace = gamma * lam * trace + x_before
        delta = r + gamma * (w @ x_now) - w @ x_before
        step = delta if code == "expectile" else jnp.sign(delta)
        w = w + jnp.where(delta > 0, a_pos, a_neg) * step * trace
        return (w, trace), delta

    (w, trace), delta = jax.lax.scan(body, (w, jnp.zeros_like(w)), (x_prev, x_next, reward))
    # Leaving the last state for the inter-trial interval (value 0).
    x_last = features[-1]
    trace = gamma * lam * trace + x_last
    d_end = -(w @ x_last)
    step = d_end if code == "expectile" else jnp.sign(d_end)
    w = w + jnp.where(d_end > 0, a_pos, a_neg) * step * trace
    return w, delta.at[-1].add(d_end)


def td_learn(w: Float[Array, " features"], features: Float[Array, "trials time features"],
             reward: Float[Array, "trials time"], **kwargs) -> tuple[Float[Array, " features"], Float[Array, "trials time"]]:
    """``td_lambda`` over a sequence of trials (a ``lax.scan``): the final weights and every trial's
    prediction errors."""

    def body(w, inp):
        return td_lambda(w, *inp, **kwargs)

    return jax.lax.scan(body, w, (features, reward))


def dopamine_response(delta: Array, alpha_pos: float | Array, alpha_neg: float | Array) -> Array:
    """The firing-rate change of a distributional dopamine unit: its prediction error scaled by
    ``alpha_pos`` when positive and ``alpha_neg`` when negative (Dabney et al. 2020, Fig. 1)."""
    return jnp.where(delta > 0, alpha_pos, alpha_neg) * delta


def successor_td(m: Float[Array, "states states"], states: Int[Array, " time"], *, alpha: float,
                 gamma: float) -> tuple[Float[Array, "states states"], Float[Array, " time"]]:
    """The successor representation learned by TD(0) along one trajectory of state indices:
    M(s, :) += alpha [1(s) + gamma M(s', :) - M(s, :)] (Stachenfeld et al. 2017, Eq. 4). Returns M and
    the norm of the SR prediction error at each transition."""
    n = m.shape[0]

    def body(m, pair):
        s, s_next = pair
        err = jax.nn.one_hot(s, n, dtype=m.dtype) + gamma * m[s_next] - m[s]
        return m.at[s].add(alpha * err), jnp.linalg.norm(err)

    return jax.lax.scan(body, m, (states[:-1], states[1:]))


def tabular_td(v: Float[Array, " states"], states: Int[Array, " time"], reward: Float[Array, " states"], *,
               alpha: float, gamma: float) -> Float[Array, " states"]:
    """Model-free TD(0) state values along one trajectory, with reward ``reward[s]`` for being in s:
    V(s) += alpha [r(s) + gamma V(s') - V(s)], so V converges to M r (the SR's value)."""

    def body(v, pair):
        s, s_next = pair
        return v.at[s].add(alpha * (reward[s] + gamma * v[s_next] - v[s])), None

    return jax.lax.scan(body, v, (states[:-1], states[1:]))[0]
