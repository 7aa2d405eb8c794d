"""Real data: loaders that turn the shipped recordings into ``Recording`` objects.

Files are read from the data directory (``$BRAINLIKE_DATA``), never downloaded; each file is checked
against its published sha256 before it is read.
"""

from ._dabney import DABNEY_MAGNITUDES, DABNEY_PROBABILITIES, load_dabney2020
from ._files import data_dir, data_file

__all__ = ["data_dir", "data_file", "load_dabney2020", "DABNEY_MAGNITUDES", "DABNEY_PROBABILITIES"]
