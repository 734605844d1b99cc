"""Interventions (MODEL.md table): knockouts, drugs and genotypes as changes to the cascade's mechanisms,
read from the packaged table data/interventions.toml (adding one is adding a table there).

An intervention never sets an outcome. It scales named parameters of the cascade (a rate, a receptor's
signalling, the home density of a cell population), moves a parameter towards a gain-of-function value,
or adds a loss rate to cell populations (radiation). Strength s in [0, 1] is the fraction of the mechanism
removed: each scaled parameter is multiplied by 1 - s * share, where share (1 unless stated, with its
source) is the part of that parameter the intervention can reach; factors of overlapping interventions
multiply. When and how long an intervention acts in a run is hosim.biology.courses's.
"""

from __future__ import annotations

import math

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from importlib import resources

from hosim.biology.parameters import ParameterSet, species_names
from hosim.biology.variables import VARIABLE_NAMES, VARIABLES
from hosim.errors import InputError

TRACERS = frozenset(v.name for v in VARIABLES if v.traces)  # lineage tracers: killed with their population

GENOTYPE = "genotype"
TREATMENT = "treatment"
DATA_FILE = "interventions.toml"
FULL_LOSS = "complete loss of the mechanism (a null allele, or the cited full-blocking dose)"


@dataclass(frozen=True)
class Scaling:
    """One parameter an intervention scales: factor 1 - strength * share."""

    parameter: str
    share: float = 1.0
    share_source: str = ""

    def factor(self, strength: float) -> float:
        return 1.0 - strength * self.share


@dataclass(frozen=True)
class Intervention:
    """A named change of mechanism, with the MODEL.md step it acts at and the evidence behind it.

    kills: cell populations given an extra loss during the window, so that a fraction `strength` of
    them dies in it (radiation). default_duration: days from start to end when no end is given (None:
    to the end of the run). not_in: (species, reason) where it does not apply; it applies to every
    other species, so a new species file runs every intervention without another edit.
    """

    name: str
    kind: str
    steps: str
    description: str
    evidence: str
    not_in: tuple[tuple[str, str], ...] = ()  # (species, reason): a knockout mouse line is no patient's genotype
    scales: tuple[Scaling, ...] = ()
    sets: tuple[tuple[str, float], ...] = ()  # (parameter, value it moves to at strength 1): gains of function
    kills: tuple[str, ...] = ()
    default_strength: float = 1.0
    strength_source: str = FULL_LOSS
    default_duration: float | None = None
    duration_source: str = ""
    dose_response: tuple[float, float] | None = None  # (alpha 1/Gy, beta 1/Gy^2): a dose in Gy kills 1 - S(D)
    dose_source: str = ""

    @property
    def exceptions(self) -> dict[str, str]:
        """species -> the reason this intervention does not apply to it."""
        return dict(self.not_in)

    @property
    def species(self) -> tuple[str, ...]:
        """The known species this intervention applies to (every one its table does not except)."""
        return tuple(s for s in species_names() if s not in self.exceptions)

    def check_species(self, species: str) -> None:
        """InputError, with the table's reason, where this intervention does not apply to `species`."""
        reason = self.exceptions.get(species)
        if reason is not None:
            raise InputError(f"intervention {self.name} does not apply to {species}: {reason}")

    def strength_of_dose(self, dose_gy: float) -> float:
        """The killed fraction at `dose_gy` by the linear-quadratic survival S = exp(-(alpha D + beta D^2))."""
        alpha, beta = self.dose_response
        return -math.expm1(-(alpha * dose_gy + beta * dose_gy**2))

    def scaled(self, strength: float) -> dict[str, float]:
        """name -> factor of every parameter this intervention changes at `strength`."""
        return {s.parameter: s.factor(strength) for s in self.scales}

    def effect(self) -> str:
        """One line: what is scaled or killed, for listings."""
        parts = [f"{s.parameter} x (1 - {'' if s.share == 1.0 else f'{s.share:g} '}s)" for s in self.scales]
        parts += [f"{name} -> {value:g} (x s)" for name, value in self.sets]
        if self.kills:
            parts.append(f"kills a fraction s of {', '.join(self.kills)} over the window")
        return "; ".join(parts)


def parse_interventions(text: str) -> dict[str, Intervention]:
    """The intervention table (TOML, one table per intervention); ValueError names a malformed entry."""
    out = {}
    for name, entry in tomllib.loads(text).items():
        try:
            entry = dict(entry)
            scales = tuple(Scaling(**s) for s in entry.pop("scales", ()))
            sets = tuple((s["parameter"], float(s["value"])) for s in entry.pop("sets", ()))
            dose = entry.pop("dose_response", None)
            not_in = tuple((e["species"], e["reason"]) for e in entry.pop("not_in", ()))
            if len(dict(not_in)) < len(not_in):
                raise ValueError(f"intervention {name!r} names a species twice in not_in")
            item = Intervention(name=name, scales=scales, sets=sets, not_in=not_in,
                                kills=tuple(entry.pop("kills", ())),
                                dose_response=None if dose is None else (float(dose[0]), float(dose[1])), **entry)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"intervention {name!r} is malformed in {DATA_FILE}: {exc}") from None
        if item.kind not in (GENOTYPE, TREATMENT):
            raise ValueError(f"intervention {name!r}: kind must be {GENOTYPE} or {TREATMENT}, got {item.kind!r}")
        out[name] = item
    return out


INTERVENTIONS: dict[str, Intervention] = parse_interventions(
    resources.files("hosim.data").joinpath(DATA_FILE).read_text(encoding="utf-8"))


def get_intervention(name: str) -> Intervention:
    """The intervention called `name`; InputError listing the allowed names otherwise."""
    try:
        return INTERVENTIONS[name]
    except (KeyError, TypeError):
        raise InputError(f"unknown intervention {name!r}; allowed: {', '.join(INTERVENTIONS)}") from None


def scaled_parameters(parameters: ParameterSet, changes: Iterable[tuple[Intervention, float]]) -> ParameterSet:
    """The parameter set with every (intervention, strength) scaling multiplied in, then every gain of
    function set (a fraction `strength` of the way to its target).

    dataclasses.replace, not ParameterSet.with_values: a knockout deliberately leaves the plausible range
    (to zero); the strength was checked instead.
    """
    changes = list(changes)
    factors: dict[str, float] = {}
    for item, strength in changes:
        for name, f in item.scaled(strength).items():
            if name not in parameters:
                raise InputError(f"intervention {item.name} scales {name!r}, which this parameter set lacks")
            factors[name] = factors.get(name, 1.0) * f
    params = {n: parameters[n] for n in parameters}
    for name, f in factors.items():
        params[name] = replace(params[name], value=params[name].value * f)
    for item, strength in changes:
        for name, target in item.sets:
            if name not in params:
                raise InputError(f"intervention {item.name} sets {name!r}, which this parameter set lacks")
            value = params[name].value
            params[name] = replace(params[name], value=value + strength * (target - value))
    return ParameterSet(params, parameters.species)


def transport_parameters() -> set[str]:
    """Parameters that set diffusion: the engine's transport is fixed for a run, so only genotypes may
    change them."""
    return {v.diffusivity for v in VARIABLES if v.diffusivity}


def check_registry(parameters: ParameterSet, species: Iterable[str],
                   registry: Mapping[str, Intervention] | None = None) -> None:
    """Every intervention (of `registry`, default the shipped table) names parameters, populations and
    species that exist (each exception with its reason), and kills populations, not their lineage tracers;
    treatments touch no diffusivity."""
    transport = transport_parameters()
    known_species = set(species)
    for item in (INTERVENTIONS if registry is None else registry).values():
        for s in item.scales:
            if s.parameter not in parameters:
                raise ValueError(f"{item.name}: unknown parameter {s.parameter}")
            if item.kind == TREATMENT and s.parameter in transport:
                raise ValueError(f"{item.name}: a treatment cannot change the diffusivity {s.parameter}")
            if not 0.0 < s.share <= 1.0:
                raise ValueError(f"{item.name}: share of {s.parameter} must lie in (0, 1]")
        for name, _ in item.sets:
            if name not in parameters:
                raise ValueError(f"{item.name}: unknown parameter {name}")
        for population in item.kills:
            if population not in VARIABLE_NAMES:
                raise ValueError(f"{item.name}: unknown population {population}")
            if population in TRACERS:
                raise ValueError(f"{item.name}: kills the lineage tracer {population}; name its population "
                                 "instead (tracers share their population's kills)")
        for name, reason in item.not_in:
            if name not in known_species:
                raise ValueError(f"{item.name}: not_in names {name!r}; species must be among "
                                 f"{', '.join(sorted(known_species))}")
            if not isinstance(reason, str) or not reason.strip():
                raise ValueError(f"{item.name}: not_in {name} needs a reason")


def listing() -> list[dict]:
    """Every intervention with what it does and its evidence (for `hosim interventions`)."""
    rows = []
    for item in INTERVENTIONS.values():
        rows.append({
            "name": item.name,
            "kind": item.kind,
            "steps": item.steps,
            "species": list(item.species),
            "exceptions": item.exceptions,
            "description": item.description,
            "acts_on": item.effect(),
            "default_strength": item.default_strength,
            "strength_source": item.strength_source,
            "default_window": "whole run" if item.kind == GENOTYPE else (
                f"start 0, for {item.default_duration:g} days ({item.duration_source})" if item.default_duration
                else "start 0, to the end of the run"),
            "evidence": item.evidence,
            "dose": None if item.dose_response is None else {
                "key": "dose_gy", "alpha_per_gy": item.dose_response[0], "beta_per_gy2": item.dose_response[1],
                "source": item.dose_source},
        })
    return rows


__all__ = [
    "GENOTYPE", "INTERVENTIONS", "TREATMENT", "Intervention", "Scaling", "check_registry", "get_intervention",
    "listing", "parse_interventions", "scaled_parameters",
]
