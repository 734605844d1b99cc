"""Patient factors of the model runs (data/factors.toml): each moves named mechanism parameters by a
multiplier, with its reading and source, or says it has no mechanistic reading and changes nothing.

Factors multiply one another; a combination that would leave a parameter's plausible range is refused
rather than clipped, so a run never leaves the evidence silently.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from hosim.biology.parameters import ParameterSet, load_parameters
from hosim.errors import InputError

FACTOR_KEYS = {"scenarios", "description", "moves", "reading", "size"}


@dataclass(frozen=True)
class Factor:
    """One patient factor: where it applies, what it moves (parameter -> multiplier) and why."""

    name: str
    scenarios: tuple[str, ...]
    description: str
    moves: Mapping[str, float]
    reading: str
    size: str

    @property
    def mechanistic(self) -> bool:
        return bool(self.moves)

    def to_json(self) -> dict:
        return {"name": self.name, "description": self.description, "moves": dict(self.moves),
                "applied": self.mechanistic, "reading": self.reading, "size": self.size}


@functools.cache
def factor_table() -> dict[str, Factor]:
    """Every factor of data/factors.toml, checked."""
    table = tomllib.loads(resources.files("hosim.data").joinpath("factors.toml").read_text(encoding="utf-8"))
    known = load_parameters()
    factors = {}
    for name, entry in table.items():
        if set(entry) != FACTOR_KEYS:
            raise ValueError(f"factor {name!r} needs exactly {', '.join(sorted(FACTOR_KEYS))}")
        moves = {k: float(v) for k, v in entry["moves"].items()}
        if any(not v > 0 for v in moves.values()):
            raise ValueError(f"factor {name!r}: multipliers must be positive")
        unknown = sorted(set(moves) - set(known))
        if unknown:
            raise ValueError(f"factor {name!r} moves {', '.join(unknown)}, not parameters of the model")
        factors[name] = Factor(name, tuple(entry["scenarios"]), entry["description"], moves, entry["reading"],
                               entry["size"])
    return factors


def factors_for(scenario: str) -> list[str]:
    """The factors a scenario accepts."""
    return [name for name, f in factor_table().items() if scenario in f.scenarios]


def check_factors(scenario: str, names: Sequence[str]) -> list[Factor]:
    """The named factors, each once and each applying to `scenario`; InputError naming the allowed ones."""
    if isinstance(names, str):
        names = [names]
    allowed = factors_for(scenario)
    for name in names:
        if name not in allowed:
            listed = ", ".join(allowed) if allowed else "none (this scenario takes no patient factors)"
            raise InputError(f"factor {name!r} does not apply to scenario {scenario}; allowed: {listed}")
    if len(set(names)) != len(names):
        raise InputError(f"a factor is given twice: {', '.join(names)}")
    return [factor_table()[name] for name in names]


def apply_factors(parameters: ParameterSet, factors: Sequence[Factor]) -> ParameterSet:
    """The parameter set with every factor's multipliers applied (a product where factors share one)."""
    scale: dict[str, float] = {}
    for factor in factors:
        for name, multiplier in factor.moves.items():
            scale[name] = scale.get(name, 1.0) * multiplier
    changed = {}
    for name, multiplier in scale.items():
        p = parameters[name]
        value = p.value * multiplier
        if not p.low <= value <= p.high:
            which = ", ".join(f.name for f in factors if name in f.moves)
            raise InputError(f"factors {which} together move {name} to {value:g} {p.unit}, outside its plausible "
                             f"range [{p.low:g}, {p.high:g}]")
        changed[name] = value
    return parameters.with_values(changed) if changed else parameters


def markdown_table() -> str:
    """The factor table of docs/patients.md (see tools/model_doc.py)."""
    lines = ["| factor | scenarios | moves | reading | size |", "|---|---|---|---|---|"]
    for f in factor_table().values():
        moves = ", ".join(f"`{k}` x{v:g}" for k, v in f.moves.items()) or "nothing (recorded only)"
        lines.append(f"| `{f.name}` | {', '.join(f.scenarios)} | {moves} | {f.reading} | {f.size} |")
    return "\n".join(lines) + "\n"
