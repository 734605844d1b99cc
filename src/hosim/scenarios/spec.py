"""A run's specification (docs/architecture.md "The run specification"): what to run, parsed and checked
once, frozen, and the one thing the CLI, the web app, `hosim.simulate`, experiments and cohorts hand on.

It holds the scenario, the interventions (as given and as timed courses), the run options (dims, days,
grid spacing, seed, species), the scenario's options (defaults filled in), the model parameter overrides,
the patient factors and, for the reduced model, an optional batch of patients. `to_json()` is
summary.json's `options`; `record()` (scenario, species, options, interventions) is what a results folder
and a checkpoint are compared with; `key()` its hash, the cache key of a case; `inputs()` the plain data that
parses back to the same spec (a web job's spec). `build()` makes the engine's Setup.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from hosim.biology.courses import Applied, check_interventions
from hosim.biology.factors import check_factors
from hosim.biology.parameters import ParameterSet, load_parameters
from hosim.errors import InputError


@dataclass(frozen=True)
class PatientBatch:
    """Patients stepped together in the reduced (0-D) model, each with its own parameter values: one
    multiplier (and one amount added: the factors that add) per patient and named parameter."""

    size: int
    multipliers: Mapping[str, np.ndarray] = field(default_factory=dict)
    offsets: Mapping[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def of(cls, size: Any, multipliers: Mapping | None = None, offsets: Mapping | None = None) -> PatientBatch:
        """A checked batch: a whole number of patients, one value per patient for each parameter."""
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise InputError(f"patients must be a whole number >= 1, got {size!r}")
        for name, values in {**(multipliers or {}), **(offsets or {})}.items():
            if np.shape(values) != (size,):
                raise InputError(f"parameter {name!r}: {np.shape(values)} values for {size} patients")
        return cls(int(size), MappingProxyType(dict(multipliers or {})), MappingProxyType(dict(offsets or {})))


@dataclass(frozen=True, eq=False)
class RunSpec:
    """One run, checked (see the module docstring); make one with `RunSpec.parse`."""

    scenario: str
    interventions: tuple[Mapping[str, Any], ...]  # as given: {"name": ..., "start": ..., ...}
    courses: tuple[Applied, ...]  # the same, checked and timed
    dims: int
    days: float
    spacing_um: float  # the grid spacing (um); no grid in 0-D, where it is unused
    seed: int
    species: str
    options: Mapping[str, Any]  # the scenario's own options, every one (defaults filled in)
    parameters: ParameterSet  # the species' set with the scenario's genotype and the overrides
    overrides: Mapping[str, float]  # the values that differ from the species' and genotype's
    factors: tuple[str, ...]  # patient factors (data/factors.toml); those a scenario holds as options are in options
    patients: PatientBatch | None = None

    @classmethod
    def parse(cls, scenario, interventions: Sequence = (), *, dims: Any = 2, days: Any = None,
              resolution_um: Any = None, seed: Any = 0, species: str | None = None, parameters: Any = None,
              factors: Sequence[str] = (), patients: PatientBatch | None = None,
              options: Mapping[str, Any] | None = None) -> RunSpec:
        """Check every input once (InputError naming the first bad value and what is allowed).
        scenario: a name or a scenario; options: the scenario's own (dose=1, approach=lateral);
        parameters: model parameter overrides (name -> value) or a whole ParameterSet."""
        if isinstance(scenario, str):
            from hosim.scenarios import get_scenario

            scenario = get_scenario(scenario)
        dims, days, h, seed = scenario.check_run(dims, days, resolution_um, seed)
        chosen, patient_factors = scenario.factors_as_options(dict(options or {}), factors)
        checked = scenario.check_options({**chosen, "parameters": parameters})
        names = tuple(f.name for f in check_factors(scenario.name, patient_factors))
        species = scenario.run_species(species, parameters)
        defaults = load_parameters(species)
        if scenario.genotype:
            defaults = defaults.with_values(scenario.genotype)
        parameter_set = _parameter_set(parameters, defaults)
        if patients is not None and dims != 0:
            raise InputError(f"a batch of patients runs the 0-D reduced model only, not {dims}-D")
        given = tuple(MappingProxyType({"name": i} if isinstance(i, str) else dict(i)) for i in interventions)
        courses = tuple(check_interventions(list(interventions), species, days))
        return cls(scenario.name, given, courses, dims, days, h, seed, species, MappingProxyType(checked),
                   parameter_set, MappingProxyType(_overrides(parameter_set, defaults)), names, patients)

    def to_json(self) -> dict[str, Any]:
        """summary.json's `options`: run options, the scenario's options, species, overrides, factors."""
        return {"dims": self.dims, "days": self.days, "resolution_um": self.spacing_um if self.dims else None,
                "seed": self.seed, **self.options, "species": self.species, "parameters": dict(self.overrides),
                "factors": list(self.factors), **({"patients": self.patients.size} if self.patients else {})}

    def record(self) -> dict[str, Any]:
        """What decides the run's results, as plain JSON data: compared with a results folder's summary.json
        and a checkpoint's before either is reused."""
        return json.loads(_canonical({"scenario": self.scenario, "species": self.species, "options": self.to_json(),
                                      "interventions": [a.record() for a in self.courses]}))

    def key(self) -> str:
        """SHA-256 of `record()`: equal for runs that compute the same thing."""
        return hashlib.sha256(_canonical(self.record()).encode()).hexdigest()

    def inputs(self) -> dict[str, Any]:
        """Plain data that `RunSpec.parse(**inputs)` turns back into this spec (a batch is not plain data)."""
        if self.patients is not None:
            raise InputError("a run with a batch of patients has no plain-data form")
        return {"scenario": self.scenario, "interventions": [dict(i) for i in self.interventions], "dims": self.dims,
                "days": self.days, "resolution_um": self.spacing_um if self.dims else None, "seed": self.seed,
                "species": self.species, "parameters": dict(self.overrides) or None, "factors": list(self.factors),
                "options": dict(self.options)}

    def build(self):
        """The engine's Setup of this run (docs/architecture.md): the scenario built with its interventions."""
        from hosim.scenarios import get_scenario

        return get_scenario(self.scenario).setup(self)


def _canonical(data) -> str:
    from hosim.files import to_json

    return to_json(data, indent=None)


def _parameter_set(given: Any, defaults: ParameterSet) -> ParameterSet:
    """The run's defaults (the species' set with the scenario's genotype), a given ParameterSet, or the
    defaults with a mapping of checked overrides (a user's value wins over the genotype's)."""
    if given is None:
        return defaults
    if isinstance(given, ParameterSet):
        return given
    if isinstance(given, Mapping):
        return defaults.with_values(given)
    raise InputError(f"parameters must be a ParameterSet or a mapping of name -> value, got {type(given).__name__}")


def _overrides(parameters: ParameterSet, defaults: ParameterSet) -> dict[str, float]:
    """Values that differ from the run's defaults (what a run changed, for its summary)."""
    return {n: p.value for n, p in parameters.items() if n not in defaults or p.value != defaults.value(n)}
