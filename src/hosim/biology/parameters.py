"""Model parameters: value, unit, plausible range, source and the cascade step, from package data.

The data file (hosim/data/parameters.toml) is the single place a number lives; the cascade reads the
values through `ParameterSet.namespace()`. Overrides outside the plausible range, or of unknown names,
are refused, so a run can never silently leave the evidence.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from types import SimpleNamespace

import numpy as np

from hosim.errors import InputError

DATA_FILE = "parameters.toml"


@dataclass(frozen=True)
class Parameter:
    """One number of the model with where it comes from."""

    name: str
    value: float
    unit: str
    low: float
    high: float
    step: int
    source: str
    description: str

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
        return v


class ParameterSet(Mapping[str, Parameter]):
    """An immutable, ordered set of Parameters; `with_values` gives a checked copy."""

    def __init__(self, parameters: Mapping[str, Parameter]):
        self._params = dict(parameters)

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self._params[name]
        except KeyError:
            raise InputError(f"unknown parameter {name!r}; see `hosim.biology.load_parameters()` for the names") from None

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
        return ParameterSet(params)

    def namespace(self) -> SimpleNamespace:
        """Values as attributes (fast access inside the reaction function)."""
        return SimpleNamespace(**self.values())


def parse_parameters(text: str) -> ParameterSet:
    """Read the TOML parameter table; every entry needs value, unit, range, step and source."""
    table = tomllib.loads(text)
    params = {}
    for name, entry in table.items():
        missing = {"value", "unit", "range", "step", "source", "description"} - set(entry)
        if missing:
            raise ValueError(f"parameter {name!r} lacks {', '.join(sorted(missing))}")
        low, high = (float(x) for x in entry["range"])
        p = Parameter(
            name, float(entry["value"]), entry["unit"], low, high, int(entry["step"]), entry["source"], entry["description"]
        )
        if not (low <= p.value <= high):
            raise ValueError(f"parameter {name!r}: value {p.value} outside its range [{low}, {high}]")
        params[name] = p
    return ParameterSet(params)


def load_parameters() -> ParameterSet:
    """The default parameter set shipped with hosim (mouse)."""
    text = resources.files("hosim.data").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return parse_parameters(text)


def markdown_table(parameters: ParameterSet) -> str:
    """The parameter table of docs/model.md, by cascade step (generated; see tools/model_doc.py)."""
    lines = ["| step | parameter | value | unit | plausible range | source |", "|---|---|---|---|---|---|"]
    for p in sorted((parameters[n] for n in parameters), key=lambda p: p.step):
        source = p.source.replace("|", "/")
        lines.append(
            f"| {p.step} | `{p.name}`: {p.description} | {p.value:.4g} | {p.unit} | {p.low:.4g} - {p.high:.4g} | {source} |"
        )
    return "\n".join(lines) + "\n"
