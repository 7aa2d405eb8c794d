"""Errors that end in one clear line (the CLI prints ``error: <message>`` and exits non-zero)."""

from __future__ import annotations

__all__ = ["BrainlikeError", "ConfigError", "TrainingDiverged", "DataError"]


class BrainlikeError(Exception):
    """Base class: a user-facing error whose message says what went wrong and where."""


class ConfigError(BrainlikeError, ValueError):
    """A configuration value, name or shape that cannot be used."""


class TrainingDiverged(BrainlikeError, FloatingPointError):
    """Training produced a non-finite loss or parameters."""

    def __init__(self, step: int, checkpoint: str | None = None):
        self.step = step
        self.checkpoint = checkpoint
        where = f"; last good checkpoint kept at {checkpoint}" if checkpoint else ""
        super().__init__(f"training diverged: non-finite loss at step {step}{where}")


class DataError(BrainlikeError, OSError):
    """A data file that is missing, corrupt or lacks a field."""
