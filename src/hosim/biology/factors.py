"""Patient factors of the model runs (data/factors.toml): each moves named mechanism parameters by a
multiplier, or adds to a parameter that is 0 without it (an episode's size), with its reading and source,
or says it has no mechanistic reading and changes nothing.

Factors multiply one another (and their additions sum); a combination that would leave a parameter's
plausible range is refused rather than clipped, so a run never leaves the evidence silently.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources

from hosim.biology.parameters import ParameterSet, load_parameters
from hosim.errors import InputError

FACTOR_KEYS = {"scenarios", "description", "moves", "reading", "size"}
OPTIONAL_KEYS = {"adds"}


@dataclass(frozen=True)
class Factor:
    """One patient factor: where it applies, what it moves (parameter -> multiplier) or adds (parameter ->
    amount) and why."""

    name: str
    scenarios: tuple[str, ...]
    description: str
    moves: Mapping[str, float]
    reading: str
    size: str
    adds: Mapping[str, float] = field(default_factory=dict)

    @property
    def mechanistic(self) -> bool:
        return bool(self.moves) or bool(self.adds)

    def effects(self, quote: str = "") -> str:
        """What it does in words: 'name x2, other +0.35' (empty without a mechanistic reading)."""
        return ", ".join([*(f"{quote}{k}{quote} x{v:g}" for k, v in self.moves.items()),
                          *(f"{quote}{k}{quote} +{v:g}" for k, v in self.adds.items())])

    def to_json(self) -> dict:
        return {"name": self.name, "description": self.description, "moves": dict(self.moves),
                "adds": dict(self.adds), "applied": self.mechanistic, "reading": self.reading, "size": self.size}


@functools.cache
def factor_table() -> dict[str, Factor]:
    """Every factor of data/factors.toml, checked."""
    table = tomllib.loads(resources.files("hosim.data").joinpath("factors.toml").read_text(encoding="utf-8"))
    known = load_parameters()
    factors = {}
    for name, entry in table.items():
        if not FACTOR_KEYS <= set(entry) <= FACTOR_KEYS | OPTIONAL_KEYS:
            raise ValueError(f"factor {name!r} needs {', '.join(sorted(FACTOR_KEYS))} (optional: "
                             f"{', '.join(sorted(OPTIONAL_KEYS))})")
        moves = {k: float(v) for k, v in entry["moves"].items()}
        adds = {k: float(v) for k, v in entry.get("adds", {}).items()}
        if any(not v > 0 for v in [*moves.values(), *adds.values()]):
            raise ValueError(f"factor {name!r}: multipliers and additions must be positive")
        unknown = sorted((set(moves) | set(adds)) - set(known))
        if unknown:
            raise ValueError(f"factor {name!r} moves {', '.join(unknown)}, not parameters of the model")
        factors[name] = Factor(name, tuple(entry["scenarios"]), entry["description"], moves, entry["reading"],
                               entry["size"], adds)
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


def factor_moves(factors: Sequence[Factor]) -> tuple[dict[str, float], dict[str, float]]:
    """What the factors do together: parameter -> product of their multipliers, and -> sum of their additions."""
    scale: dict[str, float] = {}
    added: dict[str, float] = {}
    for factor in factors:
        for name, multiplier in factor.moves.items():
            scale[name] = scale.get(name, 1.0) * multiplier
        for name, amount in factor.adds.items():
            added[name] = added.get(name, 0.0) + amount
    return scale, added


def apply_factors(parameters: ParameterSet, factors: Sequence[Factor]) -> ParameterSet:
    """The parameter set with every factor applied: multipliers first (a product where factors share one),
    then additions (a sum)."""
    scale, added = factor_moves(factors)
    changed = {}
    for name in dict.fromkeys([*scale, *added]):
        p = parameters[name]
        value = p.value * scale.get(name, 1.0) + added.get(name, 0.0)
        if not p.low <= value <= p.high:
            which = ", ".join(f.name for f in factors if name in f.moves or name in f.adds)
            raise InputError(f"factors {which} together move {name} to {value:g} {p.unit}, outside its plausible "
                             f"range [{p.low:g}, {p.high:g}]")
        changed[name] = value
    return parameters.with_values(changed) if changed else parameters


def markdown_table() -> str:
    """The factor table of docs/patients.md (see tools/model_doc.py)."""
    lines = ["| factor | scenarios | moves | reading | size |", "|---|---|---|---|---|"]
    for f in factor_table().values():
        moves = f.effects("`") or "nothing (recorded only)"
        lines.append(f"| `{f.name}` | {', '.join(f.scenarios)} | {moves} | {f.reading} | {f.size} |")
    return "\n".join(lines) + "\n"
