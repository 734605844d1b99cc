"""Model parameters: value, unit, plausible range, source and the cascade step, from package data.

The mouse base (hosim/data/parameters.toml) holds every parameter; a species is an overlay file
(hosim/data/species/NAME.toml) holding only the values that differ, each with its source (and its own
plausible range where the species' differs). The cascade reads values through `ParameterSet.namespace()`.
Overrides outside the plausible range, or of unknown names, are refused, so a run can never silently
leave the evidence.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from types import SimpleNamespace

import numpy as np

from hosim.errors import InputError

DATA_FILE = "parameters.toml"
SPECIES_FOLDER = "species"
BASE_SPECIES = "mouse"
OVERLAY_KEYS = {"value", "source", "range", "description", "literature"}
TEMPO_TABLE = "cell_tempo"  # a species overlay's one scaling of the cell-level rates (data/species/human.toml)
TEMPO_KEYS = {"value", "range", "source", "parameters"}


@dataclass(frozen=True)
class Parameter:
    """One number of the model with where it comes from."""

    name: str
    value: float
    unit: str
    low: float
    high: float
    cascade_step: int
    source: str
    description: str
    literature: float | None = None  # the number the cited source gives, in this unit, where it gives one

    def check(self, value: float) -> float:
        """Return value as float if it lies in the plausible range, else raise InputError."""
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise InputError(f"parameter {self.name!r} needs a number, got {value!r}") from None
        if not np.isfinite(v) or not (self.low <= v <= self.high):
            raise InputError(
                f"parameter {self.name!r} = {value!r} is outside its plausible range "
                f"[{self.low:g}, {self.high:g}] {self.unit}"
            )
        if self.whole and v != round(v):
            raise InputError(f"parameter {self.name!r} is a Hill coefficient, a whole number, got {value!r}")
        return v

    @property
    def basis(self) -> str:
        """What the value rests on, read from its source: fitted, hand-calibrated, assumption or literature."""
        return basis(self.source)

    @property
    def whole(self) -> bool:
        """Hill coefficients are whole numbers (the kinetics raise to an integer power)."""
        return self.name.endswith("_hill")


def basis(source: str) -> str:
    """What a value rests on, read from its source text (the labels parameters.toml's header defines):
    fitted, hand-calibrated, assumption or literature."""
    text = source.lower()
    if "fitted" in text:
        return "fitted"
    if "calibrated" in text:
        return "hand-calibrated"
    if "assumption" in text:
        return "assumption"
    return "literature"


class ParameterSet(Mapping[str, Parameter]):
    """An immutable, ordered set of Parameters of one species; `with_values` gives a checked copy."""

    def __init__(self, parameters: Mapping[str, Parameter], species: str = BASE_SPECIES):
        self._params = dict(parameters)
        self.species = species

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self._params[name]
        except KeyError:
            raise InputError(f"unknown parameter {name!r}; `hosim parameters` lists them") from None

    def __contains__(self, name: object) -> bool:
        return name in self._params

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def value(self, name: str) -> float:
        return self[name].value

    def values(self) -> dict[str, float]:  # type: ignore[override]
        """Plain name -> value mapping."""
        return {n: p.value for n, p in self._params.items()}

    def with_values(self, overrides: Mapping[str, float] | None = None, **kw: float) -> "ParameterSet":
        """A copy with some values replaced; unknown names or values out of range raise InputError."""
        changes = dict(overrides or {}, **kw)
        unknown = sorted(set(changes) - set(self._params))
        if unknown:
            raise InputError(f"unknown parameter(s) {', '.join(unknown)}; allowed: {', '.join(self._params)}")
        params = dict(self._params)
        for name, v in changes.items():
            params[name] = replace(params[name], value=params[name].check(v))
        return ParameterSet(params, self.species)

    def per_patient(self, multipliers: Mapping[str, np.ndarray],
                    offsets: Mapping[str, np.ndarray] | None = None) -> "ParameterSet":
        """A batch's set (a cohort's patients stepped together): each named parameter times one multiplier
        per patient, plus one offset per patient where given (a factor's addition to a parameter that is 0
        without it), held as an array shaped (1, 1, n) like a batch grid's voxels, every value inside the
        parameter's plausible range. Hill coefficients (whole numbers) cannot vary."""
        params = dict(self._params)
        offsets = offsets or {}
        for name in dict.fromkeys([*multipliers, *offsets]):
            parameter = self[name]
            if parameter.whole:
                raise InputError(f"parameter {name!r} is a Hill coefficient; it cannot vary between patients")
            values = parameter.value * np.asarray(multipliers.get(name, 1.0), dtype=np.float64).reshape(1, 1, -1)
            if name in offsets:
                values = values + np.asarray(offsets[name], dtype=np.float64).reshape(1, 1, -1)
            slack = 1e-12 * max(abs(parameter.low), abs(parameter.high))  # a multiplier made as bound / value
            outside = ~np.isfinite(values) | (values < parameter.low - slack) | (values > parameter.high + slack)
            if outside.any():
                k = int(np.flatnonzero(outside.ravel())[0])
                raise InputError(f"parameter {name!r} of patient {k} = {values.ravel()[k]:g} is outside its "
                                 f"plausible range [{parameter.low:g}, {parameter.high:g}] {parameter.unit}")
            params[name] = replace(parameter, value=np.clip(values, parameter.low, parameter.high))
        return ParameterSet(params, self.species)

    def namespace(self) -> SimpleNamespace:
        """Values as attributes (fast access inside the reaction function)."""
        return SimpleNamespace(**self.values())


def parse_parameters(text: str) -> ParameterSet:
    """Read the TOML parameter table; every entry needs value, unit, range, cascade_step and source."""
    table = tomllib.loads(text)
    params = {}
    for name, entry in table.items():
        missing = {"value", "unit", "range", "cascade_step", "source", "description"} - set(entry)
        if missing:
            raise ValueError(f"parameter {name!r} lacks {', '.join(sorted(missing))}")
        low, high = (float(x) for x in entry["range"])
        literature = entry.get("literature")
        p = Parameter(
            name, float(entry["value"]), entry["unit"], low, high, int(entry["cascade_step"]), entry["source"],
            entry["description"], None if literature is None else float(literature),
        )
        if not (low <= p.value <= high):
            raise ValueError(f"parameter {name!r}: value {p.value} outside its range [{low}, {high}]")
        params[name] = p
    return ParameterSet(params)


def species_folder():
    """Where the species overlay files live (package data)."""
    return resources.files("hosim.data").joinpath(SPECIES_FOLDER)


def species_names() -> tuple[str, ...]:
    """The species hosim has parameters for: the mouse base and one name per overlay file."""
    overlays = sorted(item.name.removesuffix(".toml") for item in species_folder().iterdir()
                      if item.name.endswith(".toml"))
    return (BASE_SPECIES, *overlays)


def check_species(species: str) -> str:
    """`species` if hosim has parameters for it, else InputError listing the species it has."""
    names = species_names()
    if species not in names:
        raise InputError(f"unknown species {species!r}; allowed: {', '.join(names)}")
    return species


def load_parameters(species: str = BASE_SPECIES) -> ParameterSet:
    """The parameter set shipped for `species`: the mouse base with the species' overlay applied."""
    return _load(check_species(species))


@functools.cache
def _load(species: str) -> ParameterSet:
    data = resources.files("hosim.data")
    base = parse_parameters(data.joinpath(DATA_FILE).read_text(encoding="utf-8"))
    if species == BASE_SPECIES:
        return base
    overlay = species_folder().joinpath(f"{species}.toml").read_text(encoding="utf-8")
    return apply_overlay(base, overlay, species)


def apply_overlay(base: ParameterSet, text: str, species: str) -> ParameterSet:
    """The base set with a species overlay (TOML: value and source, optionally range and description)."""
    params = dict(base.items())
    table = tomllib.loads(text)
    tempo = table.pop(TEMPO_TABLE, None)
    if tempo is not None:
        params.update(_scaled_by_tempo(params, tempo, set(table), species))
    for name, entry in table.items():
        if name not in params:
            raise ValueError(f"species {species}: {name!r} is not a parameter of the base set")
        if not isinstance(entry, dict) or {"value", "source"} - set(entry) or set(entry) - OVERLAY_KEYS:
            raise ValueError(f"species {species}: {name!r} needs value and source (optional: range, description, "
                             "literature)")
        low, high = (float(x) for x in entry.get("range", (params[name].low, params[name].high)))
        literature = entry.get("literature")  # the base's number belongs to the base's source
        changed = replace(params[name], value=float(entry["value"]), low=low, high=high, source=entry["source"],
                          description=entry.get("description", params[name].description),
                          literature=None if literature is None else float(literature))
        if not low <= changed.value <= high:
            raise ValueError(f"species {species}: {name!r} value {changed.value} outside its range [{low}, {high}]")
        params[name] = changed
    return ParameterSet(params, species)


def _scaled_by_tempo(params: Mapping[str, Parameter], tempo: dict, own: set[str], species: str
                     ) -> dict[str, Parameter]:
    """The cell-level rates a species' tempo scales (those the overlay does not set itself): value times the
    factor, range times the factor's range, the base source kept after the scaling's."""
    if not isinstance(tempo, dict) or set(tempo) != TEMPO_KEYS:
        raise ValueError(f"species {species}: [{TEMPO_TABLE}] needs exactly {', '.join(sorted(TEMPO_KEYS))}")
    factor, (low, high) = float(tempo["value"]), (float(x) for x in tempo["range"])
    if not 0 < low <= factor <= high:
        raise ValueError(f"species {species}: [{TEMPO_TABLE}] value {factor} outside its range [{low}, {high}]")
    scaled = {}
    for name in tempo["parameters"]:
        if name not in params:
            raise ValueError(f"species {species}: [{TEMPO_TABLE}] names {name!r}, not a parameter of the base set")
        if name in own:
            continue
        p = params[name]
        source = f"mouse value x {factor:g} (the {species} cell tempo, [{TEMPO_TABLE}] of data/species/{species}.toml); mouse: {p.source}"
        scaled[name] = replace(p, value=p.value * factor, low=p.low * low, high=p.high * high, source=source,
                               literature=None)
    return scaled


def markdown_table(parameters: ParameterSet) -> str:
    """The parameter table of docs/model.md, by cascade step (generated; see tools/model_doc.py)."""
    lines = ["| step | parameter | value | unit | plausible range | source |", "|---|---|---|---|---|---|"]
    for p in sorted((parameters[n] for n in parameters), key=lambda p: p.cascade_step):
        source = p.source.replace("|", "/")
        lines.append(
            f"| {p.cascade_step} | `{p.name}`: {p.description} | {p.value:.4g} | {p.unit} | "
            f"{p.low:.4g} - {p.high:.4g} | {source} |"
        )
    return "\n".join(lines) + "\n"


def species_table(species: str) -> str:
    """The values a species overlay changes, beside the mouse's (docs/model.md; see tools/model_doc.py)."""
    mouse, other = load_parameters(), load_parameters(species)
    lines = [f"| step | parameter | mouse | {species} | unit | {species} range | basis | {species} source |",
             "|---|---|---|---|---|---|---|---|"]
    changed = sorted((n for n in mouse if other[n] != mouse[n]), key=lambda n: (mouse[n].cascade_step, n))
    for name in changed:
        p, q = mouse[name], other[name]
        source = q.source.split("; mouse: ")[0].replace("|", "/")
        lines.append(f"| {p.cascade_step} | `{name}` | {p.value:.4g} | {q.value:.4g} | {p.unit} | "
                     f"{q.low:.4g} - {q.high:.4g} | {q.basis} | {source} |")
    return "\n".join(lines) + "\n"
