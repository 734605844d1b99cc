"""The Brooker grade of a reduced-model (0-D) hip patient, from its heterotopic volume: thresholds fitted
to paired 0-D and 2-D runs of the same virtual patients (data/grade_map.toml, tools/grade_map.py)."""

from __future__ import annotations

import functools
import tomllib
from importlib import resources

import numpy as np

GRADES = ("0", "I", "II", "III", "IV")


@functools.cache
def grade_map() -> dict:
    """The fitted thresholds (cm3, lower bound of each grade above 0) with how they were fitted."""
    table = tomllib.loads(resources.files("hosim.data").joinpath("grade_map.toml").read_text(encoding="utf-8"))
    bounds = [float(table["thresholds_cm3"][g]) for g in GRADES[1:]]
    if bounds != sorted(bounds) or bounds[0] <= 0:
        raise ValueError("grade_map.toml: thresholds must be positive and rise with the grade")
    return table


def brooker_of_volumes(cm3: np.ndarray) -> np.ndarray:
    """The Brooker grade whose volume band holds each volume (cm3)."""
    bounds = [grade_map()["thresholds_cm3"][g] for g in GRADES[1:]]
    return np.array(GRADES)[np.searchsorted(bounds, np.asarray(cm3, dtype=np.float64), side="right")]
