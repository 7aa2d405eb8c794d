"""Typed, frozen configuration: ``--set key=value`` overrides checked against the field types."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from typing import Any

from ._errors import ConfigError

__all__ = ["split_assignment", "apply_overrides", "config_to_dict", "config_from_dict", "parse_value"]


def _field_types(cls) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def parse_value(text: str, tp: Any, *, where: str) -> Any:
    """Parse ``text`` as a value of type ``tp`` (int, float, bool, str, tuples and unions of them; a tuple of
    tuples is written with ``;`` between its groups and ``,`` within one)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        errors = []
        for arg in typing.get_args(tp):
            if arg is type(None):
                if text.lower() in ("none", "null"):
                    return None
                continue
            try:
                return parse_value(text, arg, where=where)
            except ConfigError as e:
                errors.append(str(e))
        raise ConfigError(f"{where}: cannot read {text!r} as {_name(tp)}")
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis and typing.get_origin(args[0]) is tuple:
            # a tuple of tuples: groups separated by ";" ("go; dly_go; dm1, dm2")
            groups = [g for g in text.strip("()[] ").split(";") if g.strip(" ,()[]")]
            return tuple(parse_value(g.strip(), args[0], where=where) for g in groups)
        parts = [p for p in text.strip("()[] ").split(",") if p.strip()]
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(parse_value(p.strip(), args[0], where=where) for p in parts)
        if len(parts) != len(args):
            raise ConfigError(f"{where}: expected {len(args)} comma-separated values, got {text!r}")
        return tuple(parse_value(p.strip(), a, where=where) for p, a in zip(parts, args))
    if tp is bool:
        low = text.lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"{where}: expected true/false, got {text!r}")
    if tp is int:
        try:
            return int(text)
        except ValueError:
            raise ConfigError(f"{where}: expected an integer, got {text!r}") from None
    if tp is float:
        try:
            return float(text)
        except ValueError:
            raise ConfigError(f"{where}: expected a number, got {text!r}") from None
    if tp is str:
        return text
    raise ConfigError(f"{where}: fields of type {_name(tp)} cannot be set from the command line")


def _name(tp) -> str:
    return getattr(tp, "__name__", str(tp))


def apply_overrides(config, overrides: list[str] | dict[str, Any]):
    """A copy of the frozen dataclass ``config`` with ``key=value`` strings (or a dict) applied."""
    types_ = _field_types(type(config))
    names = [f.name for f in dataclasses.fields(config)]
    changes: dict[str, Any] = {}
    items = overrides.items() if isinstance(overrides, dict) else [split_assignment(o) for o in overrides]
    for key, value in items:
        if key not in names:
            shown = key if key.isidentifier() else repr(key)  # a key with a newline or a quote stays on one line
            raise ConfigError(f"--set {shown}: {type(config).__qualname__} has no field {key!r}; "
                              f"fields: {', '.join(names)}")
        changes[key] = parse_value(value, types_[key], where=f"--set {key}") if isinstance(value, str) \
            and types_[key] is not str else value
    try:
        return dataclasses.replace(config, **changes)
    except (ValueError, TypeError) as e:
        raise ConfigError(f"--set: {e}") from None


def split_assignment(item: str) -> tuple[str, str]:
    if "=" not in item:
        raise ConfigError(f"--set {item!r}: expected key=value")
    key, value = item.split("=", 1)
    return key.strip(), value.strip()


def config_to_dict(config) -> dict[str, Any]:
    return json.loads(json.dumps(dataclasses.asdict(config), default=list))


def config_from_dict(cls, data: dict[str, Any]):
    """Rebuild a config saved by :func:`config_to_dict` (lists become tuples again)."""
    types_ = _field_types(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            v = data[f.name]
            if typing.get_origin(types_[f.name]) is tuple and isinstance(v, list):
                v = tuple(tuple(x) if isinstance(x, list) else x for x in v)
            kwargs[f.name] = v
    return cls(**kwargs)
