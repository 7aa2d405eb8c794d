"""Property-based tests (hypothesis) of ``--set key=value`` on every experiment's config: whatever the
key and the value, the result is a valid config or one ConfigError of one line -- never another
exception, never a traceback."""

import dataclasses
import typing

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brainlike import ConfigError, experiments
from brainlike._config import apply_overrides

# numbers as a user types them, including the ones that break arithmetic
_NUMBERS = st.one_of(st.integers(-10**12, 10**12).map(str), st.floats(allow_nan=True, allow_infinity=True).map(str),
                     st.sampled_from(["0", "-0", "1e309", "-1e-320", "nan", "inf", "-inf", "1_000", "0x10", " 3 "]))
_VALUES = st.one_of(_NUMBERS, st.text(max_size=12), st.sampled_from(["true", "off", "none", "(1,2)", "[]", ","]))


def _fields(name):
    return [f.name for f in dataclasses.fields(experiments.get(name).Config)]


@pytest.mark.parametrize("name", experiments.names())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_override_gives_a_config_or_one_clear_error(name, data):
    exp = experiments.get(name)
    base = exp.config("smoke")
    key = data.draw(st.one_of(st.sampled_from(_fields(name)), st.text(min_size=1, max_size=10)), label="key")
    value = data.draw(_VALUES, label="value")
    try:
        cfg = apply_overrides(base, [f"{key}={value}"])
    except ConfigError as e:
        msg = str(e)
        assert msg and "\n" not in msg and len(msg) < 2000
        return
    assert isinstance(cfg, type(base))
    hints = typing.get_type_hints(type(base))
    got = getattr(cfg, key.strip())
    tp = hints[key.strip()]
    if tp in (int, float, bool, str):
        assert isinstance(got, tp) or (tp is float and isinstance(got, int))


def test_a_tuple_of_tuples_is_written_with_semicolons_and_survives_the_run_directory():
    from brainlike._config import config_from_dict, config_to_dict

    base = experiments.get("yang2019_continual").config("smoke")
    cfg = apply_overrides(base, ["phases=go; dly_go; dm1, dm2"])
    assert cfg.phases == (("go",), ("dly_go",), ("dm1", "dm2"))
    assert config_from_dict(type(cfg), config_to_dict(cfg)) == cfg
    with pytest.raises(ConfigError, match="unknown task"):
        apply_overrides(base, ["phases=go; gogo"])
