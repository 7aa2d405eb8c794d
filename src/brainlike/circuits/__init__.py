"""Circuits: recurrent rate networks (CTRNN), gated networks (GRU, LSTM) and their runner."""

from ._base import ACTIVATIONS, Circuit, activation, make, names, register
from ._ctrnn import CTRNN
from ._gated import GRU, LSTM
from ._network import Network, forward, run, simulate

__all__ = ["Circuit", "CTRNN", "GRU", "LSTM", "Network", "simulate", "forward", "run",
           "make", "names", "register", "activation", "ACTIVATIONS"]
