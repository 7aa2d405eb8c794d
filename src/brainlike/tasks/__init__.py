"""Tasks: trials and environments as pure JAX functions (the animal's ecological niche)."""

from ._base import Task, get, make, materialize, names, register
from ._bandits import (BANDIT_STRUCTURES, Bandit, Harlow, TwoStep, environment_names, make_environment,
                       register_environment)
from ._context import ContextDecision
from ._economic import PADOA_OFFERS, EconomicChoice
from ._environment import Environment, TaskEnvironment
from ._gymnasium import to_gymnasium
from ._digits import SequentialDigits, digit_split
from ._evidence import EvidenceAccumulation
from ._encoding import ENCODINGS, Encoded, latency_spikes, poisson_spikes
from ._flipflop import FlipFlop
from ._match import DelayedMatch
from ._pavlovian import REPRESENTATIONS, Phase, Protocol, microstimulus, tapped_delay_line
from ._perceptual import PerceptualDecision
from ._store_recall import StoreRecall
from ._spatial import OpenField, Track, random_walk
from ._trajectory import ARENA_SHAPES, Arena, RatMotion, rat_trajectories, rat_trajectory
from ._place_cells import PLACE_CODES, HeadDirectionCells, PlaceCells
from ._yang2019 import TASK_LABELS as YANG2019_LABELS
from ._yang2019 import TASKS as YANG2019_TASKS
from ._yang2019 import Yang2019

__all__ = ["Task", "Environment", "TaskEnvironment", "Bandit", "TwoStep", "Harlow", "BANDIT_STRUCTURES",
           "make_environment", "environment_names", "register_environment", "to_gymnasium", "EconomicChoice", "PADOA_OFFERS", "PerceptualDecision", "ContextDecision", "DelayedMatch", "FlipFlop", "StoreRecall", "EvidenceAccumulation", "SequentialDigits", "digit_split", "Encoded", "ENCODINGS", "poisson_spikes", "latency_spikes", "Phase", "Protocol", "tapped_delay_line", "microstimulus", "REPRESENTATIONS", "Track", "OpenField", "random_walk", "Arena", "RatMotion", "rat_trajectory", "rat_trajectories", "ARENA_SHAPES", "PlaceCells", "HeadDirectionCells", "PLACE_CODES", "Yang2019", "YANG2019_TASKS", "YANG2019_LABELS", "make", "names", "get", "register", "materialize"]
