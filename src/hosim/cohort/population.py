"""Virtual patients of a clinical setting (data/population.toml): the setting's scenario and options, the
patient factors each patient has (drawn with their prevalence) and the patient's own mechanism parameters
(log-normal variability around the model's values).

Patient i of a cohort draws everything from its own random stream, seeded by (cohort seed, i), in a fixed
order, so a patient is the same whatever the chunking, the worker count or the cohort size.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from hosim.biology.factors import factor_table, factors_for
from hosim.biology.parameters import load_parameters
from hosim.errors import InputError
from hosim.scenarios import get_scenario


@dataclass(frozen=True)
class Variability:
    """A parameter that differs between people: log-normal with the model's value as median."""

    name: str
    sigma: float
    source: str


@dataclass(frozen=True)
class Draw:
    """A scenario option drawn per patient: its values with their shares."""

    values: tuple
    weights: tuple[float, ...]
    source: str


@dataclass(frozen=True)
class Setting:
    """A clinical setting of `hosim risk --list` as a patient scenario with its population."""

    name: str
    scenario: str
    options: Mapping[str, Any]
    draws: Mapping[str, Draw]
    factors: Mapping[str, tuple[float, str]]  # name -> (prevalence, source)


@dataclass(frozen=True)
class Patients:
    """Drawn patients: their indices in the cohort, options, factors and parameter multipliers (name -> one
    per patient: variability times factors, held inside the plausible range)."""

    index: np.ndarray
    options: list[dict]
    factors: list[tuple[str, ...]]
    multipliers: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.index)

    def subset(self, rows: Sequence[int]) -> "Patients":
        rows = list(rows)
        return Patients(self.index[rows], [self.options[k] for k in rows], [self.factors[k] for k in rows],
                        {name: values[rows] for name, values in self.multipliers.items()})


@functools.cache
def _table() -> tuple[dict[str, Variability], dict[str, Setting]]:
    text = resources.files("hosim.data").joinpath("population.toml").read_text(encoding="utf-8")
    table = tomllib.loads(text)
    human = load_parameters("human")
    variability = {}
    for name, entry in table["variability"].items():
        if name not in human or human[name].whole:
            raise ValueError(f"population.toml: {name!r} is not a parameter that can vary between patients")
        if not float(entry["sigma"]) > 0:
            raise ValueError(f"population.toml: {name}: sigma must be positive")
        variability[name] = Variability(name, float(entry["sigma"]), entry["source"])
    settings = {}
    for name, entry in table["settings"].items():
        scenario = get_scenario(entry["scenario"])
        draws = {}
        for option, d in entry.get("draw", {}).items():
            weights = tuple(float(w) for w in d["weights"])
            if len(weights) != len(d["values"]) or not np.isclose(sum(weights), 1.0) or min(weights) < 0:
                raise ValueError(f"population.toml: {name}.{option}: one share per value, adding up to 1")
            draws[option] = Draw(tuple(d["values"]), weights, d["source"])
        allowed = set(factors_for(scenario.name))
        factors = {}
        for factor, f in entry.get("factors", {}).items():
            if factor not in allowed or not 0 <= float(f["prevalence"]) <= 1:
                raise ValueError(f"population.toml: {name}: factor {factor!r} needs a prevalence in [0, 1] and "
                                 f"must apply to {scenario.name}")
            factors[factor] = (float(f["prevalence"]), f["source"])
        setting = Setting(name, scenario.name, dict(entry.get("options", {})), draws, factors)
        for values in _option_sets(setting):
            scenario.check_options(values)
        settings[name] = setting
    return variability, settings


def _option_sets(setting: Setting) -> list[dict]:
    """Every option combination the setting's draws can give (checked once when the table loads)."""
    combos = [dict(setting.options)]
    for option, draw in setting.draws.items():
        combos = [{**c, option: v} for c in combos for v in draw.values]
    return combos


def variability() -> dict[str, Variability]:
    return _table()[0]


def settings() -> dict[str, Setting]:
    return _table()[1]


def get_setting(name: str) -> Setting:
    """A setting by name; InputError naming the allowed ones."""
    try:
        return settings()[name]
    except (KeyError, TypeError):
        raise InputError(f"unknown setting {name!r}; allowed: {', '.join(settings())}") from None


def check_given_factors(setting: Setting, names: Sequence[str]) -> tuple[str, ...]:
    """Factors every patient of a cohort has (`--factor`): they must apply to the setting's scenario."""
    allowed = factors_for(setting.scenario)
    for name in names:
        if name not in allowed:
            raise InputError(f"factor {name!r} does not apply to setting {setting.name}; allowed: "
                             f"{', '.join(allowed) or 'none'}")
    if len(set(names)) != len(names):
        raise InputError(f"a factor is given twice: {', '.join(names)}")
    return tuple(names)


def draw_patients(setting: Setting, seed: int, index: np.ndarray, given_factors: Sequence[str] = ()) -> Patients:
    """Patients `index` of the cohort with this seed: options, factors and parameter multipliers."""
    table = factor_table()
    spread = variability()
    human = load_parameters("human")
    options, factors, z = [], [], np.zeros((len(index), len(spread)))
    for row, i in enumerate(index):
        rng = np.random.default_rng([int(seed), int(i)])
        chosen = dict(setting.options)
        for option, draw in setting.draws.items():
            chosen[option] = draw.values[int(rng.choice(len(draw.values), p=draw.weights))]
        has = [name for name, (prevalence, _) in setting.factors.items() if rng.random() < prevalence]
        z[row] = rng.standard_normal(len(spread))
        options.append(chosen)
        factors.append(tuple(sorted(set(has) | set(given_factors))))
    multipliers = {}
    for k, (name, v) in enumerate(spread.items()):
        multipliers[name] = np.exp(v.sigma * z[:, k])
    for row, names in enumerate(factors):
        for name in names:
            for parameter, m in table[name].moves.items():
                multipliers.setdefault(parameter, np.ones(len(index)))[row] *= m
    for name, m in multipliers.items():
        p = human[name]
        multipliers[name] = np.clip(p.value * m, p.low, p.high) / p.value
    return Patients(np.asarray(index), options, factors, multipliers)
