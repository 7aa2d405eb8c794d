"""Lesions: silenced units send nothing to the rest of the circuit or to the readout."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from brainlike import ConfigError
from brainlike.circuits import CTRNN, EIRNN, GRU, LSTM, Network, RateCTRNN, forward, lesion, unit_mask

K = jax.random.PRNGKey


def _networks():
    return {"ctrnn": Network(CTRNN(3, 12, key=K(0), sigma_rec=0.0, rate_fn="softplus"), 2, key=K(1)),
            "rate_ctrnn": Network(RateCTRNN(3, 12, key=K(11), sigma_rec=0.0, rate_fn="softplus"), 2, key=K(12)),
            "eirnn": Network(EIRNN(3, 12, key=K(2), sigma_rec=0.0), 2, key=K(3)),
            "gru": Network(GRU(3, 12, key=K(4)), 2, key=K(5)),
            "lstm": Network(LSTM(3, 12, key=K(6)), 2, key=K(7))}


def _scramble_inputs_of(net, units):
    """The same network with new input weights onto ``units``: what those units do changes."""
    circuit = net.circuit
    noise = jax.random.normal(K(9), (circuit.n_units,))
    rows = jnp.zeros(circuit.n_units).at[jnp.asarray(units)].set(1.0)
    if isinstance(circuit, (CTRNN, RateCTRNN)):
        return eqx.tree_at(lambda m: m.circuit.w_in, net, circuit.w_in + 3 * (rows * noise)[:, None])
    if hasattr(circuit, "cell"):
        w = circuit.cell.weight_ih  # [gates * units, n_in]
        tiled = jnp.tile(rows * noise, w.shape[0] // circuit.n_units)
        return eqx.tree_at(lambda m: m.circuit.cell.weight_ih, net, w + 3 * tiled[:, None])
    return eqx.tree_at(lambda m: m.circuit.circuit.w_in, net, circuit.circuit.w_in + 3 * jnp.abs(rows * noise)[:, None])


@pytest.mark.parametrize("kind", ["ctrnn", "rate_ctrnn", "eirnn", "gru", "lstm"])
def test_silenced_units_do_not_reach_the_other_units_or_the_readout(kind):
    net = _networks()[kind]
    units = [1, 4, 7]
    others = np.setdiff1d(np.arange(12), units)
    x = jax.random.normal(K(8), (4, 25, 3))
    rates, out = forward(lesion(net, units), x, key=K(10))
    rates2, out2 = forward(lesion(_scramble_inputs_of(net, units), units), x, key=K(10))
    assert not np.allclose(rates[..., units], rates2[..., units])  # the silenced units themselves changed
    np.testing.assert_allclose(rates[..., others], rates2[..., others], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out, out2, rtol=1e-5, atol=1e-6)
    # and without the lesion they do matter
    _, out3 = forward(_scramble_inputs_of(net, units), x, key=K(10))
    assert not np.allclose(forward(net, x, key=K(10))[1], out3)


def test_ctrnn_lesion_is_zeroed_outgoing_weights_and_keeps_everything_else():
    net = _networks()["ctrnn"]
    hurt = lesion(net, np.arange(12) < 3)
    np.testing.assert_array_equal(hurt.circuit.w_rec[:, :3], 0)
    np.testing.assert_array_equal(hurt.circuit.w_rec[:, 3:], net.circuit.w_rec[:, 3:])
    np.testing.assert_array_equal(hurt.readout.weight[:, :3], 0)
    np.testing.assert_array_equal(hurt.circuit.w_in, net.circuit.w_in)
    # a bare circuit can be lesioned too, and an empty lesion changes nothing
    np.testing.assert_array_equal(lesion(net.circuit, []).w_rec, net.circuit.w_rec)
    # Dale's law still holds after a lesion (signed effective weights, zero columns)
    ei = lesion(_networks()["eirnn"], [0, 11]).circuit
    w = np.asarray(ei.effective().w_rec)
    assert not w[:, [0, 11]].any() and (w[:, 1:9] >= 0).all() and (w[:, 10:11] <= 0).all()


def test_bad_unit_lists_fail_clearly():
    with pytest.raises(ConfigError, match=r"in \[0, 12\)"):
        lesion(_networks()["ctrnn"], [12])
    with pytest.raises(ConfigError, match="shape"):
        unit_mask(np.ones(5, bool), 12)
