"""Circuits: recurrent rate networks (CTRNN, RateCTRNN), gated networks (GRU, LSTM), spiking networks (LIF, ALIF)
and their runner; feed-forward dense and convolutional networks (MLP, convnet)."""

from ._base import ACTIVATIONS, Circuit, activation, make, names, register
from ._constraints import EIRNN, Dale, Masked, balanced_weights, block_mask, sparse_mask
from ._ctrnn import CTRNN
from ._feedforward import Conv, Dense, FeedForward, convnet, mlp
from ._gated import GRU, LSTM
from ._lesion import lesion, unit_mask
from ._rate_ctrnn import RateCTRNN
from ._spiking import ALIF, LIF, SURROGATES, leaky_filter, log_uniform, spike
from ._network import Network, forward, hidden_states, run, simulate

__all__ = ["Circuit", "CTRNN", "RateCTRNN", "Dale", "EIRNN", "Masked", "sparse_mask", "block_mask", "balanced_weights", "GRU", "LSTM", "LIF", "ALIF", "spike", "SURROGATES", "leaky_filter", "log_uniform", "Dense", "Conv", "FeedForward", "mlp", "convnet", "Network", "simulate", "forward", "run", "hidden_states", "lesion", "unit_mask",
           "make", "names", "register", "activation", "ACTIVATIONS"]
