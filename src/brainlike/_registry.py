"""A name -> object registry shared by tasks, circuits and experiments."""

from __future__ import annotations

from typing import Generic, TypeVar

from ._errors import ConfigError

__all__ = ["Registry"]

T = TypeVar("T")


class Registry(Generic[T]):
    """Names of ``kind`` (``"task"``, ``"circuit"``...); an unknown name's error lists the known ones."""

    def __init__(self, kind: str):
        self.kind = kind
        self._items: dict[str, T] = {}

    def add(self, name: str, item: T) -> T:
        if name in self._items and self._items[name] is not item:
            raise ValueError(f"{self.kind} name {name!r} is already registered")
        self._items[name] = item
        return item

    def names(self) -> list[str]:
        return sorted(self._items)

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise ConfigError(f"unknown {self.kind} {name!r}; known {self.kind}s: {', '.join(self.names())}") from None

    def __contains__(self, name: str) -> bool:
        return name in self._items
