"""Virtual patients of a clinical setting (data/settings/NAME.toml: the setting's scenario and options, the
options drawn per patient, the patient factors each patient has, drawn with their prevalence) and the
patient's own mechanism parameters (data/population.toml: log-normal variability around the model's values).

Patient i of a cohort draws everything from its own random stream, seeded by (cohort seed, i), in a fixed
order, so a patient is the same whatever the chunking, the worker count or the cohort size.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from hosim.biology.factors import factor_moves, factor_table, factors_for
from hosim.biology.parameters import load_parameters
from hosim.clinical.settings import SETTINGS, Setting
from hosim.errors import InputError
from hosim.scenarios import get_scenario


@dataclass(frozen=True)
class Variability:
    """A parameter that differs between people: log-normal with the model's value as median."""

    name: str
    sigma: float
    source: str


@dataclass(frozen=True)
class People:
    """A population of persons: each a row of variability multipliers (population.toml's order) with the
    weight it is drawn with (adding up to 1)."""

    multipliers: np.ndarray  # (persons, varying parameters)
    weights: np.ndarray

    def __len__(self) -> int:
        return len(self.weights)

    @property
    def effective_size(self) -> float:
        return effective_size(self.weights)


def effective_size(w: np.ndarray) -> float:
    """Kish's effective sample size of normalised weights: how many equally weighted people they are worth."""
    return float(1.0 / np.sum(w**2))


@dataclass(frozen=True)
class Patients:
    """Drawn patients: their indices in the cohort, options, factors, parameter multipliers (name -> one
    per patient: variability times factors, held inside the plausible range) and the amounts factors add
    to parameters that are 0 without them (offsets: name -> one per patient)."""

    index: np.ndarray
    options: list[dict]
    factors: list[tuple[str, ...]]
    multipliers: dict[str, np.ndarray]
    offsets: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.index)

    def subset(self, rows: Sequence[int]) -> "Patients":
        rows = list(rows)
        return Patients(self.index[rows], [self.options[k] for k in rows], [self.factors[k] for k in rows],
                        {name: values[rows] for name, values in self.multipliers.items()},
                        {name: values[rows] for name, values in self.offsets.items()})


@functools.cache
def _raw_table() -> dict:
    return tomllib.loads(resources.files("hosim.data").joinpath("population.toml").read_text(encoding="utf-8"))


def calibration_table() -> dict:
    """population.toml [calibration]: what `hosim calibrate-population` fits besides the incidence rows."""
    return _raw_table()["calibration"]


@functools.cache
def _table() -> tuple[dict[str, Variability], dict[str, Setting]]:
    table = _raw_table()
    human = load_parameters("human")
    variability = {}
    for name, entry in table["variability"].items():
        if name not in human or human[name].whole:
            raise ValueError(f"population.toml: {name!r} is not a parameter that can vary between patients")
        if not float(entry["sigma"]) > 0:
            raise ValueError(f"population.toml: {name}: sigma must be positive")
        variability[name] = Variability(name, float(entry["sigma"]), entry["source"])
    settings = {}
    for name, setting in SETTINGS.items():  # data/settings/NAME.toml, checked against the model here
        scenario = get_scenario(setting.scenario)
        allowed = set(factors_for(scenario.name))
        foreign = [factor for factor in setting.factors if factor not in allowed]
        if foreign:
            raise ValueError(f"data/settings/{name}.toml: factor {foreign[0]!r} must apply to {scenario.name}")
        for values, _ in option_sets(setting):
            scenario.check_options(values)
        settings[name] = setting
    return variability, settings


def option_sets(setting: Setting) -> list[tuple[dict, float]]:
    """Every option combination the setting's draws can give, with its share of the setting's patients."""
    combos = [(dict(setting.options), 1.0)]
    for option, draw in setting.draws.items():
        combos = [({**c, option: v}, share * w) for c, share in combos for v, w in zip(draw.values, draw.weights)]
    return combos


POPULATION_FILE = "virtual_population.csv"


def read_people(text: str, where: str) -> tuple[People, str]:
    """People from their CSV (cohort.population_fit.people_csv) and the fingerprint they were fitted on;
    ValueError naming the file."""
    lines = text.splitlines()
    if len(lines) < 4 or not lines[1].startswith("# fitted on "):
        raise ValueError(f"{where}: not a hosim virtual population (two comment lines, a header, rows)")
    header = lines[2].split(",")
    if header != ["person", "weight", *variability()]:
        raise ValueError(f"{where}: columns {header} are not person, weight and {', '.join(variability())}")
    data = np.loadtxt(lines[3:], delimiter=",", ndmin=2)
    weights = data[:, 1]
    if np.any(weights < 0) or not np.isclose(weights.sum(), 1.0) or np.any(data[:, 2:] <= 0):
        raise ValueError(f"{where}: weights must be >= 0 and add up to 1, multipliers > 0")
    return People(data[:, 2:], weights / weights.sum()), lines[1].removeprefix("# fitted on ").strip()


@functools.cache
def calibrated_people() -> tuple[People, str] | None:
    """The packaged calibrated population (`hosim calibrate-population --install`) and what it was fitted on;
    None before one is installed (cohorts then draw from the uncalibrated prior)."""
    item = resources.files("hosim.data").joinpath(POPULATION_FILE)
    if not item.is_file():
        return None
    return read_people(item.read_text(encoding="utf-8"), f"hosim/data/{POPULATION_FILE}")


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


def modelled_factors(setting: Setting) -> list[str]:
    """The factors the mechanism reads in this setting: patient factors of its scenario (data/factors.toml)
    and the risk factors the scenario holds as options (`arm-graft` is grafted=yes)."""
    return get_scenario(setting.scenario).accepted_factors()


def check_given_factors(setting: Setting, names: Sequence[str]) -> tuple[str, ...]:
    """Factors every patient of a cohort has (`--factor`): they must apply to the setting's scenario, and
    those held as options must not contradict one another."""
    allowed = modelled_factors(setting)
    for name in names:
        if name not in allowed:
            raise InputError(f"factor {name!r} does not apply to setting {setting.name}; allowed: "
                             f"{', '.join(allowed) or 'none'}")
    if len(set(names)) != len(names):
        raise InputError(f"a factor is given twice: {', '.join(names)}")
    get_scenario(setting.scenario).factors_as_options({}, names)
    return tuple(names)


def draw_patients(setting: Setting, seed: int, index: np.ndarray, given_factors: Sequence[str] = (),
                  people: "People | None" = None) -> Patients:
    """Patients `index` of the cohort with this seed: options, factors and parameter multipliers. The person
    (the multipliers of the varying parameters, before factors) is drawn from `people` by its weights, or,
    without people, from the log-normal variability of population.toml (the uncalibrated prior)."""
    return patients_of(index, *draw(setting, seed, index, given_factors, people))


def draw(setting: Setting, seed: int, index: np.ndarray, given_factors: Sequence[str] = (),
         people: "People | None" = None) -> tuple[list[dict], list[tuple[str, ...]], np.ndarray]:
    """What draw_patients draws, before the factors act: each patient's options, factors and person (one
    row of variability multipliers)."""
    spread = variability()
    held, _ = get_scenario(setting.scenario).factors_as_options({}, given_factors)  # `arm-graft`: grafted=yes
    options, factors, persons = [], [], np.zeros((len(index), len(spread)))
    for row, i in enumerate(index):
        rng = np.random.default_rng([int(seed), int(i)])
        chosen = dict(setting.options)
        for option, draw in setting.draws.items():  # drawn even where a factor holds it: the same random stream
            chosen[option] = draw.values[int(rng.choice(len(draw.values), p=draw.weights))]
        chosen.update(held)
        has = [name for name, (prevalence, _) in setting.factors.items() if rng.random() < prevalence]
        if people is None:
            persons[row] = np.exp(np.array([v.sigma for v in spread.values()]) * rng.standard_normal(len(spread)))
        else:
            persons[row] = people.multipliers[int(rng.choice(len(people), p=people.weights))]
        options.append(chosen)
        factors.append(tuple(sorted(set(has) | set(given_factors))))
    return options, factors, persons


def patients_of(index: np.ndarray, options: list[dict], factors: list[tuple[str, ...]], persons: np.ndarray
                ) -> Patients:
    """Patients from their options, factors and persons (one row of variability multipliers each, in
    population.toml's order): the factors' moves on top, every value held inside its plausible range."""
    table = factor_table()
    human = load_parameters("human")
    multipliers = {name: persons[:, k].copy() for k, name in enumerate(variability())}
    offsets: dict[str, np.ndarray] = {}
    for row, names in enumerate(factors):
        scale, added = factor_moves([table[name] for name in names if name in table])  # others: options
        for parameter, m in scale.items():
            multipliers.setdefault(parameter, np.ones(len(index)))[row] *= m
        for parameter, amount in added.items():
            offsets.setdefault(parameter, np.zeros(len(index)))[row] += amount
    for name, m in multipliers.items():
        p = human[name]
        multipliers[name] = np.clip(p.value * m, p.low, p.high) / p.value
    for name, amount in offsets.items():  # held inside the range with the patient's multiplier
        p = human[name]
        value = p.value * multipliers.get(name, 1.0)
        offsets[name] = np.clip(value + amount, p.low, p.high) - value
    return Patients(np.asarray(index), options, factors, multipliers, offsets)
