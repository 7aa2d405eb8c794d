"""Credit assignment without weight transport: the backward pass of a layer, rule by rule.

Backpropagation sends a layer's error downwards through the transpose of its forward weights ``W``.
The rules here send it through another matrix, as a ``jax.custom_vjp`` on the layer, so ``jax.grad``
returns the rule's update and an Optax optimiser applies it unchanged:

- ``fa``   feedback alignment (Lillicrap et al. 2016 Nat Commun 7:13276): a fixed random ``B``;
- ``dfa``  direct feedback alignment (Nokland 2016 NeurIPS): the output error reaches every hidden layer
           directly through its own fixed random ``B_l`` (``delta_l = (e B_l) * f'(a_l)``, eq. 3);
- ``brsf`` sign-concordant feedback with batchwise random magnitudes, ``B = |R_t| * sign(W)`` with ``|R_t|``
           drawn for every batch (Moskovitz et al. 2018; Akrout et al. 2019 NeurIPS, section 4), here uniform
           in (0, 1) (:func:`random_magnitudes`);
- ``frsf`` sign-concordant feedback with fixed random magnitudes, ``B = |R| * sign(W)``;
- ``wm``   weight mirror (Akrout et al. 2019, eq. 6): white noise ``xi`` (random signs,
           :func:`mirror_noise`) is sent through the layer and ``B``
           learns ``Delta B = eta_B xi^T (xi W^T) - lambda B``, whose fixed point is ``B = sigma^2 W / lambda``;
- ``kp``   Kolen-Pollack (Kolen & Pollack 1994; Akrout et al. 2019, eqs. 3-4): ``B`` receives exactly the
           update of ``W`` and both decay, so ``W - B`` shrinks geometrically to 0;
- ``bp``   backpropagation (the reference).

``with_feedback(network, rule, key=...)`` turns a feed-forward circuit into one that learns by the rule;
``feedback_optimizer`` gives the feedback matrices their own update (fixed, mirrored or Kolen-Pollack);
``update_angles`` measures the angle between the rule's update and the true gradient, layer by layer.
"""

from __future__ import annotations

import functools
import math

import equinox as eqx
import jax
import jax.numpy as jnp
import optax
from jaxtyping import Array, PRNGKeyArray

from .._errors import ConfigError
from ..circuits import Network
from ..circuits._feedforward import Conv, Dense, FeedForward, add_bias

__all__ = ["FEEDBACK_RULES", "random_magnitudes", "mirror_noise", "Feedback", "DirectFeedback", "with_feedback", "without_feedback",
           "feedback_optimizer", "feedback_labels", "update_angles", "gradient_angles", "feedback_angles", "angle"]

FEEDBACK_RULES = {
    "bp": "backpropagation (the transpose of the forward weights)",
    "fa": "feedback alignment, fixed random feedback (Lillicrap et al. 2016)",
    "dfa": "direct feedback alignment, output error to every layer (Nokland 2016)",
    "brsf": "sign-concordant feedback, batchwise random magnitudes (Akrout et al. 2019)",
    "frsf": "sign-concordant feedback, fixed random magnitudes (Akrout et al. 2019)",
    "wm": "weight mirror, feedback learned from noise (Akrout et al. 2019)",
    "kp": "Kolen-Pollack, feedback gets the forward update, both decay (Akrout et al. 2019)",
}


def _check_rule(rule: str) -> None:
    if rule not in FEEDBACK_RULES:
        raise ConfigError(f"unknown learning rule {rule!r}; known: {', '.join(FEEDBACK_RULES)}")


@functools.partial(jax.custom_vjp, nondiff_argnums=(0, 1))
def _transported(fn, rule: str, x: Array, weight: Array, feedback: Array, aux: Array) -> Array:
    """``fn(x, weight)``, whose backward pass sends the cotangent to ``x`` through the rule's matrix."""
    return fn(x, weight)


def _transported_fwd(fn, rule, x, weight, feedback, aux):
    return fn(x, weight), (x, weight, feedback, aux)


def _feedback_matrix(rule, weight, feedback, aux):
    if rule == "bp":
        return weight
    if rule in ("fa", "wm", "kp"):
        return feedback
    if rule == "frsf":
        return jnp.sign(weight) * jnp.abs(feedback)
    if rule == "brsf":
        return jnp.sign(weight) * jnp.abs(aux)
    raise ConfigError(f"rule {rule!r} has no layer-wise feedback matrix")


def random_magnitudes(key: PRNGKeyArray, shape: tuple[int, ...]) -> Array:
    """``brsf``'s magnitudes for one batch: uniform in (0, 1) at 16-bit resolution, two from every 32 random
    bits. On a CPU drawing one normal per weight per batch cost as much as the matrix products (brSF was 1.7x
    BP on a 784-1000-1000-1000 MLP); this draws a quarter of the bits and needs no transform."""
    n = math.prod(shape)
    bits = jax.random.bits(key, ((n + 1) // 2,), jnp.uint32)
    halves = jnp.concatenate([bits & 0xFFFF, bits >> 16])[:n]
    return ((halves.astype(jnp.float32) + 0.5) / 65536.0).reshape(shape)


def mirror_noise(key: PRNGKeyArray, shape: tuple[int, ...]) -> Array:
    """The weight mirror's white noise: independent random signs (+-1), 32 from every 32 random bits.
    The mirror needs zero-mean, unit-variance noise uncorrelated across units (``E[xi xi^T] = I``);
    signs give that exactly on the diagonal (Gaussian noise adds variance there) and cost a 32nd of the
    random bits of Gaussian noise, which on a CPU cost as much as the noise pass itself
    (``jax.random.rademacher`` draws a full 32-bit uniform per sign: 7x slower here for 64 x 1000 signs)."""
    n = math.prod(shape)
    words = jax.random.bits(key, ((n + 31) // 32,), jnp.uint32)
    bits = (words[:, None] >> jnp.arange(32, dtype=jnp.uint32)) & 1
    return (2.0 * bits.reshape(-1)[:n].astype(jnp.float32) - 1.0).reshape(shape)


def _mirror(fn, xi: Array, weight: Array) -> Array:
    """Weight mirror (Akrout et al. 2019 eq. 6): white noise ``xi`` through the layer and the Hebbian
    product ``xi^T (xi W^T)``, summed over samples (and output positions of a convolution), estimates
    ``W``. Each synapse's sum is divided by the number of noise samples that reached it: a convolution's
    border taps also meet the zero padding, and dividing them by the full count (as for interior taps)
    would shrink them by 10-20% in the small maps of a CNN, a systematic 5-degree error in ``B``."""
    y, vjp_m = jax.vjp(lambda w: fn(xi, w), weight)  # the noise pass, and the Hebbian product's map
    one = jnp.ones_like(xi[:1])
    _, vjp_n = jax.vjp(lambda w: fn(one, w), weight)
    reached = vjp_n(jnp.ones_like(y[:1]))[0]  # per synapse: output positions its input was not padding
    return vjp_m(y)[0] / (xi.shape[0] * reached)


def _transported_bwd(fn, rule, res, g):
    x, weight, feedback, aux = res
    _, vjp_w = jax.vjp(lambda w: fn(x, w), weight)
    (g_w,) = vjp_w(g)
    b = _feedback_matrix(rule, weight, feedback, aux)
    _, vjp_x = jax.vjp(lambda x_: fn(x_, b), x)
    (g_x,) = vjp_x(g)
    if rule == "kp":
        g_b = g_w
    elif rule == "wm":
        # Returned as a gradient (negated), so gradient *descent* on B moves it towards W.
        g_b = -_mirror(fn, aux, weight)
    else:
        g_b = jnp.zeros_like(feedback)
    return g_x, g_w, g_b, jnp.zeros_like(aux)


_transported.defvjp(_transported_fwd, _transported_bwd)


class Feedback(eqx.Module):
    """A :class:`~brainlike.circuits.Dense` or :class:`~brainlike.circuits.Conv` layer whose error is
    passed downwards by ``rule`` through ``feedback`` (same shape as the forward weight)."""

    layer: Dense | Conv
    feedback: Array
    rule: str = eqx.field(static=True)
    mirror_batch: int = eqx.field(static=True)

    def __init__(self, layer: Dense | Conv, rule: str, *, key: PRNGKeyArray, mirror_batch: int = 32):
        _check_rule(rule)
        if rule in ("bp", "dfa"):
            raise ConfigError(f"Feedback: rule {rule!r} is not a layer-wise feedback rule; use with_feedback")
        if not isinstance(layer, (Dense, Conv)):
            raise ConfigError(f"Feedback wraps Dense or Conv layers, got {type(layer).__name__}")
        w = layer.weight
        fan_in = math.prod(w.shape[1:])
        self.layer = layer
        self.feedback = jax.random.normal(key, w.shape) * math.sqrt(2.0 / fan_in)
        self.rule = rule
        self.mirror_batch = int(mirror_batch)

    def effective_feedback(self) -> Array:
        """The matrix the error goes through (for sign-concordant rules, with the current signs of W;
        ``brsf``'s magnitudes are redrawn each batch, so its expected direction, ``sign(W)``)."""
        if self.rule == "brsf":
            return jnp.sign(self.layer.weight)
        return _feedback_matrix(self.rule, self.layer.weight, self.feedback, None)

    def __call__(self, x: Array, *, key: PRNGKeyArray | None = None) -> Array:
        if self.rule in ("brsf", "wm") and key is None:
            raise ConfigError(f"Feedback rule {self.rule!r} draws random numbers: pass key=")
        if self.rule == "brsf":
            aux = random_magnitudes(key, self.layer.weight.shape)
        elif self.rule == "wm":
            aux = mirror_noise(key, (self.mirror_batch, *x.shape[1:]))
        else:
            aux = jnp.zeros(())
        y = _transported(self.layer.linear_map, self.rule, x, self.layer.weight, self.feedback, aux)
        return add_bias(y, self.layer.bias) if isinstance(self.layer, Conv) else y + self.layer.bias


@jax.custom_vjp
def _direct(logits: Array, hidden: tuple, feedbacks: tuple) -> Array:
    return logits


def _direct_fwd(logits, hidden, feedbacks):
    return logits, (tuple(h.shape for h in hidden), feedbacks)


def _direct_bwd(res, g):
    shapes, feedbacks = res
    g_hidden = tuple((g @ b).reshape(s) for s, b in zip(shapes, feedbacks))
    return g, g_hidden, tuple(jnp.zeros_like(b) for b in feedbacks)


_direct.defvjp(_direct_fwd, _direct_bwd)


class DirectFeedback(eqx.Module):
    """Direct feedback alignment (Nokland 2016) around a feed-forward circuit: no gradient flows from a
    layer into the one below; each hidden layer instead receives the output error ``e`` through its own
    fixed random matrix ``B_l`` ``[outputs units_l]``."""

    network: FeedForward
    feedbacks: tuple

    def __init__(self, network: FeedForward, *, key: PRNGKeyArray):
        shapes = network.hidden_shapes()
        (n_out,) = shapes[-1]
        keys = jax.random.split(key, len(shapes) - 1)
        self.network = network
        self.feedbacks = tuple(jax.random.normal(k, (n_out, math.prod(s))) / math.sqrt(n_out)
                               for k, s in zip(keys, shapes[:-1]))

    @property
    def input_shape(self):
        return self.network.input_shape

    def hidden(self, x: Array, *, key: PRNGKeyArray | None = None, detach: bool = False) -> list[Array]:
        hs = self.network.hidden(x, key=key, detach=True)
        return [*hs[:-1], _direct(hs[-1], tuple(hs[:-1]), self.feedbacks)]

    def __call__(self, x: Array, *, key: PRNGKeyArray | None = None) -> Array:
        return self.hidden(x, key=key)[-1]


def with_feedback(network: FeedForward, rule: str, *, key: PRNGKeyArray, mirror_batch: int = 64,
                  mirror_init: int = 1024):
    """``network`` learning by ``rule`` (see :data:`FEEDBACK_RULES`): its layers above the first get a
    feedback pathway (the first layer's error is never sent further down); ``bp`` returns it unchanged.
    A :class:`~brainlike.circuits.Network` of a CTRNN gets feedback on its recurrent step and its readout
    (:mod:`brainlike.plasticity._recurrent`).
    ``wm``: ``mirror_batch`` noise samples per step, ``mirror_init`` for the mirror phase before learning
    (0: start from random feedback)."""
    _check_rule(rule)
    if rule == "bp":
        return network
    if isinstance(network, Network):
        from ._recurrent import recurrent_with_feedback

        return recurrent_with_feedback(network, rule, key=key, mirror_batch=mirror_batch, mirror_init=mirror_init)
    if not isinstance(network, FeedForward):
        raise ConfigError(f"with_feedback: expected a FeedForward circuit (circuits.mlp/convnet) or a Network "
                          f"of a CTRNN, got {type(network).__name__}")
    if rule == "dfa":
        return DirectFeedback(network, key=jax.random.fold_in(key, 0xFEED))
    # a key of its own, so feedback never equals forward weights drawn from the same key
    keys = jax.random.split(jax.random.fold_in(key, 0xFEED), len(network.layers))
    layers = [network.layers[0]] + [Feedback(layer, rule, key=k, mirror_batch=mirror_batch)
                                    for layer, k in zip(network.layers[1:], keys[1:])]
    if rule == "wm" and mirror_init:
        # Start in mirror mode (Akrout et al. 2019 alternate learning and mirroring): B is first set to
        # the estimate of W from ``mirror_init`` noise samples, then tracks it during learning.
        shapes = [network.input_shape, *network.hidden_shapes()[:-1]]  # each layer's input
        for i in range(1, len(layers)):
            shape = shapes[i] if isinstance(layers[i].layer, Conv) else (math.prod(shapes[i]),)
            xi = mirror_noise(jax.random.fold_in(keys[i], 1), (mirror_init, *shape))
            layers[i] = eqx.tree_at(lambda f: f.feedback, layers[i], _mirror(layers[i].layer.linear_map, xi,
                                                                              layers[i].layer.weight))
    return eqx.tree_at(lambda n: n.layers, network, tuple(layers))


def without_feedback(network) -> FeedForward:
    """The same forward circuit learning by backpropagation (for the true gradient)."""
    if isinstance(network, Network):
        from ._recurrent import recurrent_without_feedback

        return recurrent_without_feedback(network)
    if isinstance(network, DirectFeedback):
        return network.network
    layers = tuple(layer.layer if isinstance(layer, Feedback) else layer for layer in network.layers)
    return eqx.tree_at(lambda n: n.layers, network, layers)


def _has_feedback(node) -> bool:
    """A layer with one feedback matrix ``.feedback`` (dense, conv, recurrent step, readout)."""
    return isinstance(node, eqx.Module) and isinstance(getattr(node, "feedback", None), jax.Array)


def _is_fb(node) -> bool:
    return isinstance(node, DirectFeedback) or _has_feedback(node)


def feedback_labels(tree) -> object:
    """``"feedback"`` for every feedback matrix in ``tree``, ``"forward"`` for everything else."""

    def label(node):
        if _has_feedback(node):
            return eqx.tree_at(lambda f: f.feedback, jax.tree.map(lambda _: "forward", node), "feedback")
        if isinstance(node, DirectFeedback):
            return eqx.tree_at(lambda f: f.feedbacks, jax.tree.map(lambda _: "forward", node),
                               tuple("feedback" for _ in node.feedbacks))
        return "forward"

    return jax.tree.map(label, tree, is_leaf=_is_fb)


def feedback_optimizer(rule: str, forward: optax.GradientTransformation, *,
                       mirror_lr: float | optax.Schedule = 0.05,
                       decay: float | optax.Schedule = 0.0) -> optax.GradientTransformation:
    """The optimiser for a circuit learning by ``rule``: ``forward`` for its forward weights and, for the
    feedback matrices, nothing (fixed: fa, dfa, frsf, brsf), SGD at ``mirror_lr`` with weight decay 1
    (``wm``: ``B`` relaxes to the noise estimate of ``W``), or ``forward`` itself (``kp``: the same update
    as ``W``). ``decay`` (per step, decoupled; a number or an Optax schedule) shrinks forward and feedback
    weights alike for ``kp``: ``W - B`` is multiplied by ``1 - decay`` at every step."""
    _check_rule(rule)
    if rule == "kp":
        rate = (lambda count: -decay(count)) if callable(decay) else -decay
        shrink = [optax.add_decayed_weights(rate)] if (callable(decay) or decay) else []
        transforms = {"forward": optax.chain(forward, *shrink), "feedback": optax.chain(forward, *shrink)}
    elif rule == "wm":
        transforms = {"forward": forward,
                      "feedback": optax.chain(optax.add_decayed_weights(1.0), optax.sgd(mirror_lr))}
    else:
        transforms = {"forward": forward, "feedback": optax.set_to_zero()}
    return optax.multi_transform(transforms, feedback_labels)


def angle(a: Array, b: Array) -> Array:
    """Angle in degrees between two arrays taken as vectors."""
    a, b = a.ravel(), b.ravel()
    cos = jnp.dot(a, b) / jnp.maximum(jnp.linalg.norm(a) * jnp.linalg.norm(b), 1e-30)
    return jnp.degrees(jnp.arccos(jnp.clip(cos, -1.0, 1.0)))


def _weights(grads) -> list[Array]:
    if isinstance(grads, Network):  # a recurrent network: input, recurrent and readout weights
        return [grads.circuit.w_in, grads.circuit.w_rec, grads.readout.weight]
    net = grads.network if isinstance(grads, DirectFeedback) else grads
    return [(layer.layer if isinstance(layer, Feedback) else layer).weight for layer in net.layers]


def gradient_angles(rule_grads, true_grads) -> Array:
    """Per-layer angle (degrees) between the weight updates in ``rule_grads`` (gradients of a circuit with
    feedback) and ``true_grads`` (of the same circuit without), ``[layers]``."""
    return jnp.stack([angle(a, b) for a, b in zip(_weights(rule_grads), _weights(true_grads))])


def update_angles(network, loss_fn, *args, key: PRNGKeyArray | None = None) -> Array:
    """Angle (degrees) between the rule's weight update and the true gradient, per layer ``[layers]``,
    for ``loss_fn(network, *args, key=key) -> scalar``. The last layer's is 0 for every rule."""
    g_rule = jax.grad(lambda n: loss_fn(n, *args, key=key))(network)
    g_true = jax.grad(lambda n: loss_fn(n, *args, key=key))(without_feedback(network))
    return gradient_angles(g_rule, g_true)


def feedback_angles(network) -> Array:
    """Angle (degrees) between each layer's feedback matrix and its forward weights ``[layers]``; NaN
    where the rule has none (first layer, bp, dfa whose ``B_l`` has no forward counterpart)."""
    if isinstance(network, DirectFeedback):
        return jnp.full(len(network.network.layers), jnp.nan)
    if isinstance(network, Network):
        out = [jnp.nan]
        for layer, w in ((network.circuit, network.circuit.w_rec), (network.readout, network.readout.weight)):
            b = layer.effective_feedback() if _has_feedback(layer) else None
            out.append(jnp.nan if b is None else angle(b, w))
        return jnp.stack([jnp.asarray(a, jnp.float32) for a in out])
    return jnp.stack([angle(layer.effective_feedback(), layer.layer.weight) if isinstance(layer, Feedback)
                      else jnp.nan for layer in network.layers])
