"""Command line: ``brainlike list | run | runs | show-task``."""

from ._app import app, main

__all__ = ["app", "main"]
