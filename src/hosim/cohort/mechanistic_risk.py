"""`hosim risk --mechanistic`: the patient's own virtual cohort, i.e. patients of the setting who share the
patient's factors, burn size, delay and prophylaxis but differ in everything else the population draws
(options, other factors, mechanism parameters), so that the mechanism's answer stands beside the
evidence's, each with its interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from hosim.cohort.cohorts import DEFINITIONS, cohort_people, people_summary, proportion
from hosim.cohort.population import draw_patients, get_setting, modelled_factors
from hosim.cohort.virtual import run_patients
from hosim.errors import InputError
from hosim.biology.courses import check_interventions
from hosim.scenarios import get_scenario

# The prophylaxis of `hosim risk` as the model's interventions: a six-week NSAID course from the day of the
# operation (indomethacin 75 mg/day for six weeks is the longest common course; Neal 2000 pooled courses of
# one to six weeks) and 7 Gy given a few hours before it (Pakos 2004: 7-8 Gy within hours before or 72 h after).
PROPHYLAXIS_INTERVENTIONS = {
    "nsaid": [{"name": "nsaid", "end": 42.0}],
    "radiotherapy": [{"name": "radiation", "start": -0.2, "dose_gy": 7.0}],
}
PATIENTS = 1000


def mechanistic_estimate(setting: str, factors: Sequence[str], prophylaxis: str | None = None,
                         tbsa: float | None = None, delay_days: float | None = None, n: int = PATIENTS,
                         seed: int = 0) -> dict:
    """Any and severe HO among n virtual patients like this one (Wilson intervals), with what the
    mechanism could and could not take from the inputs."""
    chosen = get_setting(setting)
    scenario = get_scenario(chosen.scenario)
    modelled = set(modelled_factors(chosen))
    used = [f for f in dict.fromkeys(factors) if f in modelled]
    fixed = {name: value for name, value in (("tbsa", tbsa), ("delay_days", delay_days))
             if value is not None and name in scenario.options}
    try:
        scenario.check_options({**chosen.options, **fixed})
    except InputError as exc:
        raise InputError(f"--mechanistic: the {chosen.scenario} scenario cannot run this patient: {exc}") from None
    chosen = replace(chosen, options={**chosen.options, **fixed},
                     draws={k: v for k, v in chosen.draws.items() if k not in fixed})
    interventions = PROPHYLAXIS_INTERVENTIONS.get(prophylaxis, []) if prophylaxis else []
    check_interventions(interventions, scenario.species, scenario.default_days)
    patients = draw_patients(chosen, seed, np.arange(n), used, people=cohort_people())
    out = run_patients(chosen, patients, interventions)
    graded = bool(np.all(out["brooker"] != ""))
    return {
        "n": n, "seed": seed,
        "any_ho": _probability(int(out["visible"].sum()), n),
        "severe_ho": _probability(int(np.isin(out["brooker"], ["III", "IV"]).sum()), n) if graded
        else {"probability": None, "low": None, "high": None},
        "factors_used": used,
        "factors_not_modelled": [f for f in dict.fromkeys(factors) if f not in modelled],
        "interventions": interventions,
        "people": people_summary(),
        "definitions": {k: DEFINITIONS[k] for k in ("any_ho", "severe_ho", "interval")},
    }


def _probability(successes: int, n: int) -> dict:
    p = proportion(successes, n)
    return {"probability": p["incidence"], "low": p["low"], "high": p["high"]}
