"""What each risk factor does in the mechanism, beside what the evidence says it does: the same virtual
patients run with and without the factor (paired), their odds ratio (or relative risk, as the row reports)
of HO beside the published one that `hosim risk` multiplies by, and a pattern's incidence beside its
published one.

The mechanism's odds ratio is causal by construction (only the factor differs); a published one is mostly
crude, so a factor that travels with a worse injury (an infection after a complete lesion) carries that
injury's risk too. Where the two differ, the table says which reading the mechanism supports.
"""

from __future__ import annotations

import numpy as np

from hosim.biology.factors import factor_table
from hosim.clinical.evidence import evidence_row
from hosim.clinical.settings import SETTINGS
from hosim.cohort.cohorts import cohort_people
from hosim.clinical.settings import Setting
from hosim.cohort.population import Patients, draw, get_setting, modelled_factors, patients_of
from hosim.cohort.population_fit import literature_range
from hosim.scenarios import get_scenario

BOOTSTRAP = 1000


def _odds(seen: np.ndarray, axis: int = -1) -> np.ndarray:
    """Odds of HO among patients (1: HO seen), with half a patient added to each side (Haldane-Anscombe),
    so that a factor without which no patient forms HO gets a finite, if large, odds ratio."""
    k = seen.sum(axis=axis)
    return (k + 0.5) / (seen.shape[axis] - k + 0.5)


def _risk(seen: np.ndarray, axis: int = -1) -> np.ndarray:
    """Risk of HO among patients, with half a patient added (a finite ratio where none forms HO)."""
    return (seen.sum(axis=axis) + 0.5) / (seen.shape[axis] + 0.5)


def _switched(setting: Setting, drawn: tuple, factor: str, on: bool) -> Patients | None:
    """The same drawn patients (options, factors, persons) with the factor on or off: a factor of
    data/factors.toml added or removed, or the option a scenario holds it as set to its value or (a two-way
    choice) to the other value; None for a pattern among several (judged by its incidence)."""
    options, factors, persons = drawn
    index = np.arange(len(persons))
    scenario = get_scenario(setting.scenario)
    if factor in scenario.factor_options:
        option, value = scenario.factor_options[factor]
        if not on:
            others = [c for c in scenario.options[option].choices if c != value]
            if len(others) != 1:
                return None
            value = others[0]
        return patients_of(index, [{**o, option: value} for o in options], factors, persons)
    switched = [tuple(sorted((set(f) | {factor}) if on else (set(f) - {factor}))) for f in factors]
    return patients_of(index, options, switched, persons)


def ratio(on: np.ndarray, off: np.ndarray, kind: str) -> np.ndarray:
    """The paired ratio the evidence row reports: a relative risk (RR) or an odds ratio (else)."""
    measure = _risk if kind == "RR" else _odds
    return measure(on) / measure(off)


def _bootstrap(on: np.ndarray, off: np.ndarray, kind: str, seed: int) -> tuple[float, float]:
    """95% interval of the paired ratio over resampled patients (the cohort's sampling uncertainty)."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(on), size=(BOOTSTRAP, len(on)))
    ratios = ratio(on[rows], off[rows], kind)
    return float(np.quantile(ratios, 0.025)), float(np.quantile(ratios, 0.975))


def factor_effects(setting_name: str, n: int = 1000, seed: int = 0) -> list[dict]:
    """Every factor the mechanism reads in this setting that the evidence quantifies: the paired odds ratio
    (an odds factor) or the incidence with the factor (a pattern), beside the evidence."""
    from hosim.cohort.virtual import run_patients

    setting = SETTINGS[setting_name]
    population = get_setting(setting_name)
    drawn = draw(population, seed, np.arange(n), people=cohort_people())
    table = factor_table()
    rows = []
    for factor in modelled_factors(population):
        if factor in table and not table[factor].mechanistic:
            continue
        row_id = setting.odds_factors.get(factor)
        pattern = setting.patterns.get(factor)
        if row_id is None and (pattern is None or not pattern.any_ho):
            continue
        switched_off = _switched(population, drawn, factor, False) if row_id is not None else None
        if row_id is not None and switched_off is None:
            continue
        on = run_patients(population, _switched(population, drawn, factor, True))["visible"].astype(float)
        entry = {"setting": setting_name, "factor": factor, "n": n, "with": round(float(on.mean()), 4)}
        if row_id is not None:
            off = run_patients(population, switched_off)["visible"].astype(float)
            kind = evidence_row(row_id).unit
            low, high = _bootstrap(on, off, kind, seed)
            entry.update(kind=kind, without=round(float(off.mean()), 4), model=round(float(ratio(on, off, kind)), 3),
                         model_low=round(low, 3), model_high=round(high, 3))
        else:
            row_id = pattern.any_ho[0]
            entry.update(kind="incidence", model=entry["with"])
        bounds = literature_range(row_id)
        entry.update(row=row_id, evidence=evidence_row(row_id).value,
                     evidence_low=None if bounds is None else round(bounds[0], 4),
                     evidence_high=None if bounds is None else round(bounds[1], 4))
        entry["inside"] = (None if entry["evidence_low"] is None else
                           bool(entry["evidence_low"] <= entry["model"] <= entry["evidence_high"]))
        rows.append(entry)
    return rows

