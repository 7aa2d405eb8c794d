"""Q-learning models of choice: agents that act in an environment, and the likelihood of a person's
choices under them, fitted by maximum likelihood.

Bandits (Dezfouli et al. 2019 PLoS Comput Biol 15:e1006903, "QL" and "QLP" models; Sutton & Barto 2018
eq. 2.3): after choosing arm ``a`` and receiving ``r``, ``Q_a <- Q_a + alpha (r - Q_a)``; the next choice
is a softmax of ``beta Q + kappa c``, where ``c`` is the previous choice one-hot (perseveration;
``kappa = 0`` in QL).

Two-step task (Daw et al. 2011 Neuron 69:1204, Supplementary eqs. 1-5; a second stage with one action,
as in Wang et al. 2018): a model-free value of each first-stage action, learned by SARSA(lambda),
``Q_MF(a) <- Q_MF(a) + alpha [(Q_2(s) - Q_MF(a)) + lambda (r - Q_2(s))]``; second-stage values
``Q_2(s) <- Q_2(s) + alpha (r - Q_2(s))``; a model-based value from the known transition structure,
``Q_MB(a) = P(s | a) . Q_2``; the choice is a softmax of ``beta [w Q_MB + (1 - w) Q_MF] + kappa c``.
``w = 0`` is the model-free agent, ``w = 1`` the model-based one, anything between the hybrid.
"""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import scipy.optimize

from .._errors import ConfigError

__all__ = ["BanditQ", "TwoStepQ", "bandit_q_log_likelihood", "bandit_q_parameters", "fit_bandit_q",
           "BANDIT_Q_MODELS"]

#: Bandit Q-learning models and their free parameters.
BANDIT_Q_MODELS = {"QL": ("alpha", "beta"), "QLP": ("alpha", "beta", "kappa")}


class BanditQ(eqx.Module):
    """A Q-learner acting from a :class:`~brainlike.tasks.Bandit`'s observations."""

    alpha: float = eqx.field(static=True, default=0.2)
    beta: float = eqx.field(static=True, default=5.0)
    kappa: float = eqx.field(static=True, default=0.0)
    n_arms: int = eqx.field(static=True, default=2)

    def init_state(self):
        return jnp.zeros(self.n_arms)

    def act(self, q, obs, *, key):
        arm, reward = obs[:self.n_arms], obs[self.n_arms]  # the previous choice one-hot and its reward
        q = q + self.alpha * arm * (reward - q)
        choice = jax.random.categorical(key, self.beta * q + self.kappa * arm)
        return q, choice.astype(jnp.int32)


class TwoStepQ(eqx.Module):
    """The hybrid model-free / model-based learner of Daw et al. (2011), acting from a
    :class:`~brainlike.tasks.TwoStep`'s observations (the second-stage action is a collect)."""

    alpha: float = eqx.field(static=True, default=0.5)
    beta: float = eqx.field(static=True, default=5.0)
    lam: float = eqx.field(static=True, default=0.6)
    w: float = eqx.field(static=True, default=0.5)
    kappa: float = eqx.field(static=True, default=0.0)
    common: float = eqx.field(static=True, default=0.8)

    def __check_init__(self):
        if not (0 <= self.alpha <= 1 and 0 <= self.lam <= 1 and 0 <= self.w <= 1):
            raise ConfigError(f"TwoStepQ needs alpha, lam and w in [0, 1], got {self.alpha}, {self.lam}, {self.w}")

    def init_state(self):
        z = jnp.zeros(2)
        return {"q1": z, "q2": z, "choice": jnp.zeros((), jnp.int32), "state2": jnp.zeros((), jnp.int32),
                "in_trial": jnp.zeros((), bool), "last": z}

    def act(self, st, obs, *, key):
        stage1 = obs[0] > 0.5
        reward = obs[5]
        # a trial just ended (back at the first stage with a trial in memory): learn from it
        learn = stage1 & st["in_trial"]
        a, s = st["choice"], st["state2"]
        d1 = st["q2"][s] - st["q1"][a]
        d2 = reward - st["q2"][s]
        q1 = st["q1"].at[a].add(jnp.where(learn, self.alpha * (d1 + self.lam * d2), 0.0))
        q2 = st["q2"].at[s].add(jnp.where(learn, self.alpha * d2, 0.0))
        t = jnp.array([[self.common, 1 - self.common], [1 - self.common, self.common]])
        q_net = self.w * (t @ q2) + (1 - self.w) * q1
        last = jnp.where(learn, jax.nn.one_hot(a, 2), st["last"])  # the previous trial's choice
        choice = jax.random.categorical(key, self.beta * q_net + self.kappa * last).astype(jnp.int32)
        state2 = jnp.argmax(obs[1:3]).astype(jnp.int32)
        new = {"q1": q1, "q2": q2,
               "choice": jnp.where(stage1, choice, a),
               "state2": jnp.where(stage1, s, state2),
               "in_trial": stage1 | st["in_trial"],
               "last": last}
        return new, jnp.where(stage1, choice, 0).astype(jnp.int32)


def bandit_q_parameters(model: str, x: jax.Array) -> dict[str, jax.Array]:
    """Unconstrained ``x`` to the model's parameters: ``alpha = sigmoid``, ``beta = exp``, ``kappa`` as is."""
    if model not in BANDIT_Q_MODELS:
        raise ConfigError(f"unknown bandit Q-learning model {model!r}; known: {', '.join(BANDIT_Q_MODELS)}")
    out = {"alpha": jax.nn.sigmoid(x[..., 0]), "beta": jnp.exp(x[..., 1])}
    out["kappa"] = x[..., 2] if model == "QLP" else jnp.zeros_like(x[..., 0])
    return out


def bandit_q_log_likelihood(model: str, x: jax.Array, choices: jax.Array, rewards: jax.Array, mask: jax.Array,
                            n_arms: int = 2) -> jax.Array:
    """Log-likelihood of each choice of each sequence ``[sequences time]`` under ``model`` with
    unconstrained parameters ``x`` (one row per sequence or one shared); values start at 0 in every
    sequence. Returns ``[sequences time]`` (0 where ``mask`` is off)."""
    x = jnp.broadcast_to(x, choices.shape[:1] + x.shape[-1:])

    def one(xi, c, r, m):
        p = bandit_q_parameters(model, xi)

        def body(carry, inp):
            q, prev = carry
            ci, ri, mi = inp
            logp = jax.nn.log_softmax(p["beta"] * q + p["kappa"] * prev)[ci]
            onehot = jax.nn.one_hot(ci, n_arms)
            q = jnp.where(mi, q + p["alpha"] * onehot * (ri - q), q)
            prev = jnp.where(mi, onehot, prev)
            return (q, prev), jnp.where(mi, logp, 0.0)

        return jax.lax.scan(body, (jnp.zeros(n_arms), jnp.zeros(n_arms)), (c, r, m))[1]

    return jax.vmap(one)(x, choices, rewards, mask)


def _inits(model: str) -> list[np.ndarray]:
    starts = [(0.0, 0.0), (-2.0, 1.0), (1.5, 1.5)]  # alpha ~ 0.5, 0.12, 0.82; beta ~ 1, 2.7, 4.5
    k = len(BANDIT_Q_MODELS[model])
    return [np.array([a, b, 0.0][:k]) for a, b in starts]


def fit_bandit_q(model: str, choices, rewards, mask, groups=None, *, n_arms: int = 2) -> dict[str, np.ndarray]:
    """Maximum-likelihood parameters of ``model``: one set per group of sequences (``groups[i]``, e.g. the
    subject of sequence ``i``; one set for all when ``groups`` is None). Groups are fitted jointly but
    independently (the likelihood is separable), by L-BFGS-B from three starts, keeping each group's best.

    Returns ``x`` (unconstrained, ``[groups params]``), ``params`` (named, ``[groups]``), ``log_likelihood``
    and ``n_choices`` per group, and ``groups`` (the labels in order)."""
    if model not in BANDIT_Q_MODELS:
        raise ConfigError(f"unknown bandit Q-learning model {model!r}; known: {', '.join(BANDIT_Q_MODELS)}")
    choices, rewards, mask = (jnp.asarray(a) for a in (choices, rewards, mask))
    if not (choices.shape == rewards.shape == mask.shape) or choices.ndim != 2:
        raise ConfigError(f"choices, rewards and mask must share one [sequences time] shape, got "
                          f"{choices.shape}, {rewards.shape}, {mask.shape}")
    labels, index = np.unique(np.zeros(choices.shape[0], int) if groups is None else np.asarray(groups),
                              return_inverse=True)
    g = labels.size
    k = len(BANDIT_Q_MODELS[model])
    onehot = jax.nn.one_hot(jnp.asarray(index), g)  # [sequences groups]
    mask_f = mask.astype(jnp.float32)

    @jax.jit
    def per_group(xg):
        ll = bandit_q_log_likelihood(model, xg[index], choices, rewards, mask, n_arms).sum(axis=1)
        return onehot.T @ ll

    value_and_grad = jax.jit(jax.value_and_grad(lambda xf: -per_group(xf.reshape(g, k)).sum()))

    def fun(xf):
        v, gr = value_and_grad(jnp.asarray(xf, jnp.float32))
        return float(v), np.asarray(gr, np.float64)

    best_x, best_ll = None, None
    for x0 in _inits(model):
        res = scipy.optimize.minimize(fun, np.tile(x0, g), jac=True, method="L-BFGS-B",
                                      bounds=[(-8, 8), (-5, 4), (-10, 10)][:k] * g)
        x = res.x.reshape(g, k)
        ll = np.asarray(per_group(jnp.asarray(x, jnp.float32)))
        if best_x is None:
            best_x, best_ll = x, ll
        else:
            better = ll > best_ll
            best_x = np.where(better[:, None], x, best_x)
            best_ll = np.where(better, ll, best_ll)
    params = {name: np.asarray(v) for name, v in bandit_q_parameters(model, jnp.asarray(best_x)).items()}
    n = np.asarray(onehot.T @ mask_f.sum(axis=1))
    return {"x": best_x, "params": params, "log_likelihood": best_ll, "n_choices": n, "groups": labels}
