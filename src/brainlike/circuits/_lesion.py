"""Lesions: silence a set of units of a trained circuit, the in-silico version of an inactivation.

A silenced unit still receives input but sends nothing: its outgoing recurrent connections and its
readout weights are set to zero, so no other unit and no downstream area sees it (Yang et al. 2019 Nat
Neurosci, Fig. 4: "lesioning" a cluster of units). Works on a :class:`~brainlike.circuits.Network` or a
bare circuit: CTRNN, RateCTRNN, the constrained CTRNNs (Dale's law, masks), GRU and LSTM.
"""

from __future__ import annotations

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from .._errors import ConfigError
from ._constraints import _Reparametrised
from ._ctrnn import LeakyUnits
from ._gated import GRU, LSTM
from ._network import Network

__all__ = ["lesion", "unit_mask"]


def unit_mask(units, n_units: int) -> np.ndarray:
    """``[n_units]`` float mask, 0 for the ``units`` to silence (indices or a boolean mask), 1 elsewhere."""
    units = np.asarray(units)
    if units.dtype == bool:
        if units.shape != (n_units,):
            raise ConfigError(f"lesion: boolean unit mask has shape {units.shape}, expected ({n_units},)")
        silenced = units
    else:
        units = units.astype(int).ravel()
        if units.size and (units.min() < 0 or units.max() >= n_units):
            raise ConfigError(f"lesion: unit indices must be in [0, {n_units}), got {units.min()}..{units.max()}")
        silenced = np.zeros(n_units, bool)
        silenced[units] = True
    return (~silenced).astype(np.float32)


def _lesion_circuit(circuit, keep):
    if isinstance(circuit, LeakyUnits):  # CTRNN, RateCTRNN
        return eqx.tree_at(lambda c: c.w_rec, circuit, circuit.w_rec * keep[None, :])
    if isinstance(circuit, _Reparametrised):
        return eqx.tree_at(lambda c: c.circuit, circuit, _lesion_circuit(circuit.circuit, keep))
    if isinstance(circuit, (GRU, LSTM)):
        w = circuit.cell.weight_hh  # [gates * units, units]: columns are the presynaptic units
        return eqx.tree_at(lambda c: c.cell.weight_hh, circuit, w * keep[None, :])
    inner = getattr(circuit, "circuit", None)  # other wrappers around a circuit (e.g. a feedback pathway)
    if inner is not None:
        return eqx.tree_at(lambda c: c.circuit, circuit, _lesion_circuit(inner, keep))
    raise ConfigError(f"lesion: no rule for silencing units of {type(circuit).__name__}; "
                      "supported: CTRNN, RateCTRNN, Dale/EIRNN, Masked, GRU, LSTM")


def lesion(model, units):
    """A copy of ``model`` (a Network or a circuit) with ``units`` silenced: their outgoing recurrent
    weights and readout weights are zero. ``units`` are indices or a boolean ``[units]`` mask."""
    circuit = model.circuit if isinstance(model, Network) else model
    keep = jnp.asarray(unit_mask(units, circuit.n_units))
    lesioned = _lesion_circuit(circuit, keep)
    if not isinstance(model, Network):
        return lesioned
    model = eqx.tree_at(lambda m: m.circuit, model, lesioned)
    return eqx.tree_at(lambda m: m.readout.weight, model, model.readout.weight * keep[None, :])
