"""Tasks: trials and environments as pure JAX functions (the animal's ecological niche)."""

from ._base import Task, get, make, names, register
from ._context import ContextDecision
from ._perceptual import PerceptualDecision

__all__ = ["Task", "PerceptualDecision", "ContextDecision", "make", "names", "get", "register"]
