"""Human choice data: the two-armed bandit of Dezfouli et al. (2019) and the two-step task of Kool,
Gershman & Cushman (2017), as tidy per-trial tables (``pandas.DataFrame``, one row per choice).

Dezfouli, Griffiths, Ramos, Dayan & Balleine (2019) PLoS Comput Biol 15:e1006903 (data of Dezfouli et al.
2018 NeurIPS; repository adezfouli/rnn_beh, Apache-2.0): 101 people (34 healthy, 34 depression, 33
bipolar) pressed two keys freely during 12 blocks of 40 s; each key paid off with its own probability,
constant within a block. ``choices_diagno.csv`` has one row per key press.

Kool, Gershman & Cushman (2017) Psychol Sci 28:1321 (repository wkool/arbitration): the Daw et al. (2011)
two-step task with stakes, 100 people x 200 trials (after 25 practice trials): a first-stage choice
between two spaceships leads to one of two planets, the common one with probability 0.7; on the planet a
second choice pays 1 or 0 with drifting probabilities. The novel version (102 people) has deterministic
transitions and is loaded the same way.
"""

from __future__ import annotations

import zipfile

import numpy as np

from .._errors import DataError
from ._files import data_file

__all__ = ["load_dezfouli2019", "load_kool2017", "DEZFOULI_FILE", "KOOL_FILES", "KOOL_COMMON"]

DEZFOULI_FILE = "dezfouli2019_bandit/choices_diagno.csv.zip"
KOOL_FILES = {"daw": "kool2017_twostep/daw_2step_stakes_data.mat",
              "novel": "kool2017_twostep/novel_2step_stakes_data.mat"}
#: Transition probability to the common planet in the Daw version of Kool et al. (2017).
KOOL_COMMON = 0.7

_KOOL_COLUMNS = {
    "daw": ("subject", "stim_1_left", "stim_1_right", "rt_1", "choice1", "response1", "stim_2_left",
            "stim_2_right", "rt_2", "choice2", "response2", "win", "state2", "stake", "score", "practice",
            "ps1a1", "ps1a2", "ps2a1", "ps2a2", "trial", "time_elapsed"),
    "novel": ("subject", "state1", "stim_left", "stim_right", "rt1", "choice1", "response1", "rt2", "points",
              "state2", "stake", "score", "practice", "rews1", "rews2", "trial", "time_elapsed"),
}


def load_dezfouli2019(*, root=None):
    """The bandit key presses: columns ``subject``, ``diagnosis`` (healthy, depression, bipolar),
    ``block`` (1-12: a 40 s period with fixed reward probabilities), ``press`` (order within the block),
    ``choice`` (0 for key R1, 1 for R2), ``reward`` (0/1), ``time`` (ms) and ``condition`` (the block's
    probability set, 1-6)."""
    import pandas as pd

    path = data_file(DEZFOULI_FILE, root=root)
    try:
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.endswith(".csv") and not n.startswith("__MACOSX")]
            if len(names) != 1:
                raise DataError(f"{path}: expected one csv inside, found {names}")
            with z.open(names[0]) as f:
                raw = pd.read_csv(f)
    except zipfile.BadZipFile as e:
        raise DataError(f"{path}: not a readable zip ({e})") from None
    need = {"ID", "trial", "choice", "reward", "diag", "time", "condition"}
    if not need <= set(raw.columns):
        raise DataError(f"{path}: missing columns {sorted(need - set(raw.columns))}")
    if not raw["choice"].isin(["R1", "R2"]).all():
        raise DataError(f"{path}: column 'choice' has values other than R1/R2")
    out = pd.DataFrame({
        "subject": raw["ID"].astype(str).str.strip("_"),
        "diagnosis": raw["diag"].astype(str).str.lower(),
        "block": raw["trial"].astype(int),  # the file's "trial" is the 40 s block (its "block" is the session half)
        "choice": (raw["choice"] == "R2").astype(np.int32),
        "reward": raw["reward"].astype(np.int32),
        "time": raw["time"].astype(float),
        "condition": raw["condition"].astype(int),
    })
    out["press"] = out.groupby(["subject", "block"]).cumcount().astype(np.int32)
    return out


def _cell(x):
    x = np.asarray(x).ravel()
    return x[0] if x.size else np.nan


def load_kool2017(version: str = "daw", *, root=None, include_practice: bool = False):
    """The two-step trials of one version (``"daw"`` or ``"novel"``), practice trials dropped.

    Columns: the file's own (see ``KOOL_COLUMNS``), plus for the Daw version ``choice`` (first-stage
    choice, 0/1; -1 where the person did not respond in time), ``state`` (second-stage planet, 0/1; -1 if
    none), ``common`` (the planet was the common one of the chosen ship: ship 1 -> planet 1 and ship 2 ->
    planet 2 with probability 0.7), ``rewarded`` (``win`` > 0) and ``missed``."""
    import pandas as pd

    if version not in KOOL_FILES:
        raise DataError(f"unknown Kool 2017 version {version!r}; known: {', '.join(KOOL_FILES)}")
    import scipy.io

    path = data_file(KOOL_FILES[version], root=root)
    try:
        data = scipy.io.loadmat(path)["data"]
    except (ValueError, KeyError, OSError) as e:
        raise DataError(f"{path}: cannot read the MATLAB cell array 'data' ({e})") from None
    cols = _KOOL_COLUMNS[version]
    if data.ndim != 2 or data.shape[1] != len(cols):
        raise DataError(f"{path}: 'data' has shape {data.shape}, expected (trials, {len(cols)})")
    table = pd.DataFrame({c: [_cell(v) for v in data[:, j]] for j, c in enumerate(cols)})
    table["subject"] = table["subject"].astype(str)
    for c in cols[1:]:
        table[c] = pd.to_numeric(table[c], errors="coerce")
    if not include_practice:
        table = table[table["practice"] == 0].reset_index(drop=True)
    if version == "daw":
        missed = (table["choice1"] < 1) | (table["state2"] < 1) | (table["choice2"] < 1)
        table["missed"] = missed
        table["choice"] = np.where(missed, -1, table["choice1"] - 1).astype(np.int32)
        table["state"] = np.where(missed, -1, table["state2"] - 1).astype(np.int32)
        table["common"] = ~missed & (table["choice"] == table["state"])
        table["rewarded"] = ~missed & (table["win"] > 0)
    return table
