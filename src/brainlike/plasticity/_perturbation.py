"""Reward-modulated Hebbian learning in recurrent rate networks, without backpropagation.

Node perturbation (Fiete & Seung 2006 Phys Rev Lett 97:048104): perturb each unit's input with noise
``xi``, keep the eligibility ``e_ij = sum_t xi_i(t) r_j(t-1)``, and at the end of the trial change the weights
by ``eta (R - Rbar) e_ij``. Its expectation is the reward gradient, but the synapse has to know the
perturbation it received.

Miconi (2017 eLife 6:e20899, Methods eqs. 4-6) needs only what a synapse can see: sparse, strong
perturbations (each unit, at ~3 Hz, receives a kick uniform in ``[-A, A]``), the unit's own fluctuation
``dx_i(t) = x_i(t) - xbar_i(t)`` around a fast running average ``xbar <- a xbar + (1 - a) x``, and the
eligibility ``e_ij = sum_t S(r_j(t-1) dx_i(t))`` with the supralinear ``S(y) = y^3``, which lets the rare large
(perturbation-driven) fluctuations dominate the many small ones. Because the cube factorises,
``e = sum_t dx_i^3 r_j^3``, the whole trial's eligibility is one matrix product of ``[time units]`` arrays.
At the end of the trial, ``dJ_ij = eta Ebar (E - Ebar) e_ij`` with the error ``E = -R`` and ``Ebar`` its
running average over trials of the same type (decay 0.75), clipped to ``+/- max_change`` per synapse.

The network is a :class:`~brainlike.circuits.CTRNN`; the rule updates its recurrent weights and biases
(Miconi's clamped bias units), not its input weights. Trials are run in batches: every trial of a batch
is simulated with the same weights, and the batch's clipped per-trial changes are summed.

One departure, measured and documented: with Euler steps of 10 ms instead of Miconi's 1 ms, ``dx`` also
carries the network's own movement within a step, and the cube of it has a non-zero mean that a lagging
baseline turns into a drift of the weights (|J| grew steadily and accuracy fell back to chance after ~15k
trials on the context task). ``center=True`` subtracts the batch mean of the eligibility, which removes the
part common to all trials and leaves the trial-to-trial (perturbation-driven) part; exact node
perturbation has a zero-mean eligibility and does not need it. A second, optional one: ``anneal_trials``
shrinks the learning rate over trials; with a constant rate, networks that had learned the context task
drifted away from it again over the next tens of thousands of trials (3 of 20 back at chance after 96k).
"""

from __future__ import annotations

from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
from jaxtyping import Array, Float, Int, PRNGKeyArray

from .._errors import ConfigError
from .._trials import Trials
from ..circuits import CTRNN, activation

__all__ = ["Perturbation", "HebbianLearner", "PERTURBATION_RULES", "perturbed_run", "binary_reward",
           "reward_modulated_update", "update_baseline", "make_hebbian_step", "readout_choice"]

PERTURBATION_RULES = {
    "miconi": "reward-modulated Hebbian rule with a cubed eligibility trace (Miconi 2017 eLife)",
    "node_perturbation": "node perturbation, eligibility from the known perturbations (Fiete & Seung 2006)",
}


class Perturbation(eqx.Module):
    """Settings of a node-perturbation rule (defaults: Miconi 2017, at 10 ms steps).

    Args:
        rule: ``miconi`` (cubed fluctuation x presynaptic rate) or ``node_perturbation`` (known kicks).
        rate: perturbation events per unit per second (Miconi: 3 Hz).
        kick: an event moves the unit's state ``x`` by a uniform draw in ``[-kick, kick]`` (Miconi's
            A = 16 at dt / tau = 1/30 is a kick of 0.53; 1.0 learns faster at 10 ms steps).
        trace: decay per step of the running average ``xbar`` (Miconi: 0.05).
        learning_rate: ``eta``.  max_change: clip of each synapse's change per trial (Miconi: 1e-4).
        baseline_decay: running average of the error per trial type (Miconi: 0.75).
        center: subtract the batch mean of the eligibility (see the module docstring).
        initial_noise: the state starts each trial at ``x0 + uniform(-initial_noise, initial_noise)``.
        anneal_trials: if > 0, ``learning_rate`` and ``max_change`` are scaled by ``1 / (1 + n / anneal_trials)``
            after ``n`` trials (Miconi: 0, constant). Without it, networks that have learned the context task
            drift away from it again over the next tens of thousands of trials.
    """

    rule: str = eqx.field(static=True, default="miconi")
    rate: float = eqx.field(static=True, default=3.0)
    kick: float = eqx.field(static=True, default=1.0)
    trace: float = eqx.field(static=True, default=0.05)
    learning_rate: float = eqx.field(static=True, default=0.01)
    max_change: float = eqx.field(static=True, default=1e-4)
    baseline_decay: float = eqx.field(static=True, default=0.75)
    center: bool = eqx.field(static=True, default=True)
    initial_noise: float = eqx.field(static=True, default=0.1)
    anneal_trials: float = eqx.field(static=True, default=0.0)

    def __check_init__(self):
        if self.rule not in PERTURBATION_RULES:
            raise ConfigError(f"unknown perturbation rule {self.rule!r}; known: {', '.join(PERTURBATION_RULES)}")
        if self.rate < 0 or self.kick < 0 or self.learning_rate < 0 or self.max_change <= 0:
            raise ConfigError("perturbation: rate, kick and learning_rate must be >= 0 and max_change > 0, got "
                              f"rate={self.rate}, kick={self.kick}, learning_rate={self.learning_rate}, "
                              f"max_change={self.max_change}")
        if self.anneal_trials < 0:
            raise ConfigError(f"perturbation: anneal_trials must be >= 0, got {self.anneal_trials}")
        if not (0 <= self.trace < 1 and 0 <= self.baseline_decay < 1):
            raise ConfigError(f"perturbation: trace and baseline_decay must be in [0, 1), got {self.trace}, "
                              f"{self.baseline_decay}")


def perturbed_run(circuit: CTRNN, inputs: Float[Array, "trials time n_in"], rule: Perturbation, *,
                  key: PRNGKeyArray, eligibility: bool = True):
    """Run a batch of trials with exploratory perturbations and collect each trial's eligibility.

    Returns ``(rates [trials time units], eligibility)`` with ``eligibility = {"w_rec": [trials units units],
    "bias": [trials units]}`` for the rule's ``rule`` (see the module docstring), or ``None`` when
    ``eligibility=False`` (testing a network: nothing to learn from).
    """
    if not isinstance(circuit, CTRNN):
        raise ConfigError(f"perturbation rules train a CTRNN, got {type(circuit).__name__}")
    n_trials, n_time, _ = inputs.shape
    n = circuit.n_units
    a = circuit.alpha
    f = activation(circuit.rate_fn)
    k0, k_event, k_size, k_noise = jax.random.split(key, 4)
    x0 = circuit.x0 + jax.random.uniform(k0, (n_trials, n), minval=-rule.initial_noise, maxval=rule.initial_noise)
    p = rule.rate * circuit.dt / 1000.0
    events = jax.random.bernoulli(k_event, p, (n_time, n_trials, n))
    kicks = jnp.where(events, jax.random.uniform(k_size, events.shape, minval=-rule.kick, maxval=rule.kick), 0.0)
    drive = jnp.swapaxes(inputs, 0, 1) @ circuit.w_in.T + circuit.bias
    if circuit.sigma_rec:
        kicks = kicks + jnp.sqrt(2.0 * a) * circuit.sigma_rec * jax.random.normal(k_noise, kicks.shape)

    def body(carry, inp):
        x, xbar = carry
        d, kick = inp
        r = f(x)
        new = x + a * (-x + r @ circuit.w_rec.T + d) + kick
        fluctuation = new - xbar
        xbar = rule.trace * xbar + (1.0 - rule.trace) * new
        return (new, xbar), (new, r, fluctuation)

    _, (xs, r_prev, fluct) = jax.lax.scan(body, (x0, x0), (drive, kicks))
    rates = jnp.swapaxes(f(xs), 0, 1)
    if not eligibility:
        return rates, None
    if rule.rule == "miconi":
        post, pre = fluct**3, r_prev**3
    else:
        post, pre = kicks, r_prev
    elig = {"w_rec": jnp.einsum("tbi,tbj->bij", post, pre), "bias": post.sum(0)}
    return rates, elig


def readout_choice(rates: Float[Array, "trials time units"], trials: Trials, unit: int = 0):
    """Miconi's readout: the rate of one designated unit. Returns ``(output [trials time], target [trials
    time], decision mask [trials time])`` with the target +1 for choice 1 and -1 for choice 0 where the
    task scores a choice (targets not on the ``fixate`` channel, inside the trial)."""
    out = rates[..., unit]
    target = trials.targets[..., 2] - trials.targets[..., 1]
    decision = (trials.targets[..., 0] < 0.5) & (trials.mask > 0)
    return out, target, decision.astype(out.dtype)


def binary_reward(rates: Float[Array, "trials time units"], trials: Trials, unit: int = 0
                  ) -> tuple[Float[Array, " trials"], Float[Array, " trials"]]:
    """Reward ``-mean |r_unit - target|`` over the decision period (Miconi 2017), and whether the sign of
    the mean output there was the right choice (1/0), for any two-alternative task."""
    out, target, decision = readout_choice(rates, trials, unit)
    count = jnp.maximum(decision.sum(1), 1.0)
    error = (jnp.abs(out - target) * decision).sum(1) / count
    mean_out = (out * decision).sum(1) / count
    correct = jnp.sign(mean_out) == jnp.sign((target * decision).sum(1))
    return -error, correct.astype(jnp.float32)


def update_baseline(baseline: Float[Array, " types"], reward: Float[Array, " trials"], types: Int[Array, " trials"],
                    decay: float) -> Float[Array, " types"]:
    """Running average of the reward per trial type, one trial after the other."""

    def body(b, rt):
        r, t = rt
        return b.at[t].set(decay * b[t] + (1.0 - decay) * r), None

    return jax.lax.scan(body, baseline, (reward, types))[0]


def reward_modulated_update(eligibility: dict, reward: Float[Array, " trials"], baseline: Float[Array, " trials"],
                            rule: Perturbation, scale: Array | float = 1.0) -> dict:
    """Summed over the batch, each trial's change ``clip(eta Ebar (R - Rbar) e, +/- max_change)`` with
    ``Ebar = -Rbar`` (Miconi: the learning rate scales with the expected error) for Miconi's rule, and
    ``clip(eta (R - Rbar) e)`` for node perturbation; ``scale`` multiplies ``eta`` and the clip (annealing)."""
    rpe = reward - baseline
    coef = scale * rule.learning_rate * rpe * (jnp.abs(baseline) if rule.rule == "miconi" else 1.0)
    clip = scale * rule.max_change
    out = {}
    for name, e in eligibility.items():
        if rule.center:
            e = e - e.mean(0, keepdims=True)
        c = coef.reshape((-1,) + (1,) * (e.ndim - 1))
        out[name] = jnp.clip(c * e, -clip, clip).sum(0)
    return out


class HebbianLearner(eqx.Module):
    """A circuit and what its reward-based learning keeps: the reward baseline per trial type, the
    number of trials seen, a running accuracy (decay ``0.98`` per batch) and the trial at which that first
    reached the criterion (-1: not yet)."""

    circuit: CTRNN
    baseline: Float[Array, " types"]
    n_trials: Int[Array, ""]
    accuracy: Float[Array, ""]
    solved_at: Int[Array, ""]

    def __init__(self, circuit: CTRNN, n_types: int, initial_reward: float = -1.0):
        self.circuit = circuit
        self.baseline = jnp.full((n_types,), initial_reward)
        self.n_trials = jnp.zeros((), jnp.int32)
        self.accuracy = jnp.full((), 0.5)
        self.solved_at = jnp.full((), -1, jnp.int32)


def make_hebbian_step(task, rule: Perturbation, *, batch_size: int, trial_type: Callable[[dict], Array],
                      unit: int = 0, criterion: float = 0.8, accuracy_decay: float = 0.98) -> Callable:
    """``step(learner, key) -> (learner, metrics)``: one batch of perturbed trials of ``task``, the reward
    of each (:func:`binary_reward`), the weight change of the rule, the baseline update. Pure, so it can
    be vmapped over networks and scanned over trials."""
    if batch_size < 1:
        raise ConfigError(f"batch_size must be >= 1, got {batch_size}")

    def step(learner: HebbianLearner, key):
        k_trials, k_run = jax.random.split(key)
        trials = task.sample(k_trials, batch_size)
        rates, elig = perturbed_run(learner.circuit, trials.inputs, rule, key=k_run)
        reward, correct = binary_reward(rates, trials, unit)
        types = trial_type(trials.conditions)
        baseline = learner.baseline[types]
        scale = 1.0 / (1.0 + learner.n_trials / rule.anneal_trials) if rule.anneal_trials > 0 else 1.0
        dw = reward_modulated_update(elig, reward, baseline, rule, scale)
        circuit = eqx.tree_at(lambda c: (c.w_rec, c.bias), learner.circuit,
                              (learner.circuit.w_rec + dw["w_rec"], learner.circuit.bias + dw["bias"]))
        acc = accuracy_decay * learner.accuracy + (1 - accuracy_decay) * correct.mean()
        n_trials = learner.n_trials + batch_size
        solved = jnp.where((learner.solved_at < 0) & (acc >= criterion), n_trials, learner.solved_at)
        new = eqx.tree_at(lambda m: (m.circuit, m.baseline, m.n_trials, m.accuracy, m.solved_at), learner,
                          (circuit, update_baseline(learner.baseline, reward, types, rule.baseline_decay),
                           n_trials, acc, solved))
        return new, {"loss": -reward.mean(), "accuracy": correct.mean()}

    return step
