"""bellec2020: e-prop computed from forward eligibility traces or by reverse mode trains the same networks."""

import dataclasses

import equinox as eqx
import numpy as np
import pytest

from brainlike import ConfigError, experiments
from brainlike.runs import seed_keys


def test_both_eprop_methods_train_the_same_networks():
    exp = experiments.get("bellec2020")
    smoke = exp.config("smoke")
    losses = {}
    for method in ("traces", "autodiff"):
        cfg = dataclasses.replace(smoke, eprop_method=method)
        _, losses[method] = eqx.filter_jit(eqx.filter_vmap(exp.make_train(cfg)))(seed_keys(cfg.seed, 1))
    np.testing.assert_allclose(np.asarray(losses["autodiff"]), np.asarray(losses["traces"]), rtol=1e-4)
    with pytest.raises(ConfigError, match="eprop_method must be one of traces, autodiff"):
        dataclasses.replace(smoke, eprop_method="adjoint")
