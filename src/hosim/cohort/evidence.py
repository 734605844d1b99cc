"""The evidence estimate a virtual cohort's figures show beside it: `hosim risk` for the cohort's setting
and factors, at the setting's median drawn burn size where the calculator reads one."""

from __future__ import annotations

import numpy as np

from hosim.cohort.population import get_setting
from hosim.errors import InputError


def evidence_estimate(spec: dict) -> dict | None:
    """`hosim risk` for the cohort's setting (its given factors where the calculator knows them): any and
    severe HO with intervals, or None where the calculator cannot answer for this cohort."""
    from hosim.clinical.risk import estimate_risk
    from hosim.clinical.settings import SETTINGS

    setting = SETTINGS.get(spec["setting"])
    if setting is None:
        return None
    known = set(setting.odds_factors) | set(setting.patterns) | set(setting.unquantified)
    try:
        estimate = estimate_risk(spec["setting"], [f for f in spec["factors"] if f in known],
                                 tbsa=median_draw(spec["setting"], "tbsa") if setting.uses_tbsa else None)
    except InputError:
        return None
    return {"any_ho": estimate.any_ho.to_json(),
            "severe_ho": None if estimate.severe_ho is None else estimate.severe_ho.to_json()}


def median_draw(setting: str, option: str) -> float:
    """The weighted median of an option the setting's patients draw (data/settings/NAME.toml)."""
    draw = get_setting(setting).draws[option]
    k = int(np.searchsorted(np.cumsum(draw.weights), 0.5))
    return float(draw.values[k])
