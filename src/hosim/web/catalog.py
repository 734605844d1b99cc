"""What the web app offers to choose from: scenarios with their options and factors, interventions,
cohort settings; read from the same registries the CLI lists, so a page never offers what a run refuses."""

from __future__ import annotations

from functools import cache

from hosim.errors import InputError


@cache
def scenarios() -> dict[str, dict]:
    """Every scenario: description, species, default days, the grid dimensions it runs in, its options
    (numbers with range and unit, or choices) and the patient factors it accepts."""
    from hosim.biology.factors import factor_table, factors_for
    from hosim.scenarios import SCENARIOS

    table = factor_table()
    out = {}
    for name, sc in SCENARIOS.items():
        options = {}
        for key, option in sc.options.items():
            if hasattr(option, "choices"):
                options[key] = {"default": option.default, "choices": list(option.choices),
                                "description": option.description}
            else:
                options[key] = {"default": option.default, "low": option.low, "high": option.high,
                                "unit": option.unit, "whole": option.whole, "description": option.description}
        out[name] = {"description": sc.description, "species": sc.species, "default_days": sc.default_days,
                     "dims": [d for d in (0, 1, 2, 3) if _runs_in(sc, d)], "options": options,
                     "factors": {f: table[f].description for f in factors_for(name)}}
    return out


def _runs_in(scenario, dims: int) -> bool:
    try:
        scenario.check_run(dims)
    except InputError:
        return False
    return True


@cache
def interventions() -> dict[str, dict]:
    """Every intervention as `hosim interventions --json` would describe it, by name."""
    from hosim.biology.interventions import listing

    return {row["name"]: row for row in listing()}


def interventions_for(species: str) -> dict[str, dict]:
    """The interventions a run of this species accepts."""
    return {name: row for name, row in interventions().items() if species in row["species"]}


@cache
def cohort_settings() -> dict[str, dict]:
    """The settings a virtual cohort or trial runs, with their scenario and the factors a cohort may fix."""
    from hosim.biology.factors import factor_table, factors_for
    from hosim.clinical.settings import SETTINGS
    from hosim.cohort.population import settings

    table = factor_table()
    return {name: {"label": SETTINGS[name].label if name in SETTINGS else name, "scenario": setting.scenario,
                   "factors": {f: table[f].description for f in factors_for(setting.scenario)}}
            for name, setting in settings().items()}
