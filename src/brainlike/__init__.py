"""brainlike: task-driven modelling of brain circuits.

Four choices make a model of a brain area: the task (``brainlike.tasks``), the circuit
(``brainlike.circuits``), the learning rule (``brainlike.plasticity``) and the environment or data.
Trained networks are studied on a common ``Recording`` with ``brainlike.analysis``.
"""

from ._errors import BrainlikeError, ConfigError, DataError, TrainingDiverged
from ._recording import Recording
from ._trials import Trials

__version__ = "0.1.0"
__all__ = ["Trials", "Recording", "BrainlikeError", "ConfigError", "DataError", "TrainingDiverged", "__version__"]
