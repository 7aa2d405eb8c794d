"""Data: loaders that turn the shipped recordings into ``Recording`` objects, and stimuli made on this
machine (MNIST-1D, rendered objects).

Files are read from the data directory (``$BRAINLIKE_DATA``), never downloaded; each file is checked
against its published sha256 before it is read.
"""

from ._choices import DEZFOULI_FILE, KOOL_COMMON, KOOL_FILES, load_dezfouli2019, load_kool2017
from ._dabney import DABNEY_MAGNITUDES, DABNEY_PROBABILITIES, load_dabney2020
from ._digits import CLASSIFICATION, Classification, load_classification, load_digits, load_mnist1d
from ._files import DATASETS, SHA256, data_dir, data_file
from ._kriegeskorte import ImageSet, load_kriegeskorte2008
from ._nwb import from_nwb, to_nwb
from ._padoa import (PADOA_CELLS, PADOA_CLASS_NAMES, PADOA_WINDOWS, PadoaSession, load_padoa_cell_classes,
                     load_padoa_session)
from ._trajectories import SARGOLINI_FILE, load_sargolini2006
from ._objects import OBJECT_CATEGORIES, render_object, render_objects

__all__ = ["load_dezfouli2019", "load_kool2017", "DEZFOULI_FILE", "KOOL_FILES", "KOOL_COMMON", "data_dir", "data_file", "DATASETS", "SHA256", "ImageSet", "load_kriegeskorte2008", "to_nwb", "from_nwb", "load_dabney2020", "load_padoa_session", "load_padoa_cell_classes", "PadoaSession",
           "PADOA_CELLS", "PADOA_WINDOWS", "PADOA_CLASS_NAMES", "DABNEY_MAGNITUDES", "DABNEY_PROBABILITIES",
           "Classification", "load_digits", "load_mnist1d", "load_classification", "CLASSIFICATION",
           "OBJECT_CATEGORIES", "render_object", "render_objects", "load_sargolini2006", "SARGOLINI_FILE"]
