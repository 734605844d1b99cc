"""The scenario kit: what every tissue scenario does, once, with hooks for what differs.

A scenario subclasses TissueScenario and provides
- `layout(options, dims, h) -> Anatomy`: the anatomy as labelled regions (voxel fractions) on a 0-D to 3-D
  grid of spacing h (um); it must label every region the biology and the observables read;
- `injuries(options) -> [Injury]`: what happens to the tissue at day 0 and later (repeated injuries are
  several Injury entries);
- its own options (name -> Option with default, range and unit), species, run length, time steps and
  sampling as class attributes.
The kit does the rest: checks every option (InputError naming the allowed values), picks the species'
parameter set and the user's overrides, builds the grid, the capillary bed and the resting tissue, applies
the injuries, chooses the time step, and hands the engine a Setup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hosim.biology import Cascade, Tissue, resting_state
from hosim.biology.courses import TimedReactions
from hosim.biology.factors import apply_factors, factor_table, factors_for
from hosim.biology.interventions import GENOTYPE, TREATMENT, scaled_parameters
from hosim.biology.parameters import BASE_SPECIES, ParameterSet, check_species
from hosim.biology.tissue import TISSUE_REGIONS
from hosim.biology.transport import Surroundings, transports
from hosim.biology.variables import COMPARTMENT_NAMES, VARIABLE_NAMES, units
from hosim.checks import check_number, check_seed, check_whole
from hosim.engine import Event, Grid, State, Transport
from hosim.errors import InputError
from hosim.scenarios.capillaries import capillary_bed
from hosim.scenarios.observables import (
    OBSERVABLE_REGIONS,
    Observable,
    build_observables,
)
from hosim.scenarios.spec import PatientBatch, RunSpec

ORTHOTOPIC_DISTANCE_UM = 250.0  # DESIGN.md: bone within 250 um of the skeleton counts as orthotopic
REQUIRED_REGIONS = tuple(sorted(set(TISSUE_REGIONS) | set(OBSERVABLE_REGIONS)))
DAYS_RANGE = (0.02, 365.0)
SNAPSHOT_VARIABLES = (
    "bmp2", "activin_a", "substance_p", "mast_degranulated", "bnb_permeability", "endo_activated", "tbat", "oxygen",
    "vegf", "vessels", "tissue_progenitors", "chondrocytes", "cartilage", "osteoblasts", "bone_woven",
    "bone_mature", "muscle", "necrosis", "osm", "fap_active", "fap_reprogrammed", "resident_bone_woven",
)


@dataclass(frozen=True)
class Option:
    """One numeric scenario option: its default, allowed range and unit, what it means, and why the range;
    whole: only whole numbers (a spinal segment)."""

    default: float
    low: float
    high: float
    unit: str
    description: str
    why: str = ""
    whole: bool = False

    def check(self, name: str, value: Any) -> float | int:
        if self.whole:
            return check_whole(name, value, int(self.low), int(self.high))
        return check_number(name, value, self.low, self.high, self.unit, self.why)


@dataclass(frozen=True)
class Choice:
    """One scenario option that names one of a few kinds (of injury, say)."""

    default: str
    choices: tuple[str, ...]
    description: str

    def check(self, name: str, value: Any) -> str:
        if not isinstance(value, str) or value not in self.choices:
            raise InputError(f"{name} must be one of {', '.join(self.choices)}, got {value!r}")
        return value


@dataclass(frozen=True)
class Anatomy:
    """A layout: grid shape (() for one well-mixed compartment), regions as voxel fractions shaped
    (nz, ny, nx), the thickness a missing dimension stands for (um), and the 0-D compartment volume."""

    shape: tuple[int, ...]
    regions: Mapping[str, np.ndarray]
    slab_thickness_um: float
    volume_um3: float | None = None


@dataclass(frozen=True)
class Injury:
    """What happens to the tissue on `day`: apply(fields, tissue, parameters) changes, in place, the named
    fields (name -> array shaped like the tissue) and body-wide compartments (name -> one-element array).
    A later injury happens at the time step nearest its day; one on or after the end of the run does
    not happen."""

    day: float
    apply: Callable[[Mapping[str, np.ndarray], Tissue, ParameterSet], None]
    description: str = ""


@dataclass
class Setup:
    """Everything needed to run one scenario (docs/architecture.md, docs/engine.md).

    voxel_volume_mm3: real tissue volume one voxel stands for (2-D slab included);
    slab_thickness_um: the slab a 2-D section stands for (None in 0-D, 1-D and 3-D);
    events: later injuries, applied by the engine before the step they fall on;
    sample_every: steps between recorded samples of the observables.
    """

    scenario: str
    species: str
    grid: Grid
    state: State
    transports: dict[str, Transport]
    reactions: Callable
    dt: float
    days: float
    units: dict[str, str]
    slab_thickness_um: float | None
    voxel_volume_mm3: float
    observables: dict[str, Observable]
    observable_units: dict[str, str]
    snapshot_variables: list[str]
    snapshot_days: list[float]
    sample_every: int
    parameters: ParameterSet
    events: tuple[Event, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    patient: bool = False
    joint: str = ""
    spec: RunSpec | None = None  # the run it was built from


class TissueScenario:
    """Base of every tissue scenario; subclasses give a layout, injuries and their own options."""

    name: str = ""
    description: str = ""
    species: str = BASE_SPECIES
    patient: bool = False  # a patient run: its summary adds the course in cm3, imaging onset, grade and stages
    genotype: Mapping[str, float] = {}  # parameter values every patient of the scenario has (FOP: ACVR1 R206H)
    joint: str = ""  # the joint a patient run's 2-D section is graded at like a radiograph: "hip" or "elbow"
    options: Mapping[str, Option | Choice] = {}
    # risk factors (`hosim risk --list` names) the scenario holds as options: --factor NAME is -p OPTION=VALUE
    factor_options: Mapping[str, tuple[str, str]] = {}
    bmp2_vector: float = 0.0  # BMP2 released per injected cell, relative to AdBMP2 cells (0: no transgene)
    default_days: float = 21.0
    default_resolution_um: Mapping[int, float] = {1: 24.0, 2: 24.0, 3: 37.5}
    resolution_range_um: tuple[float, float] = (5.0, 100.0)
    target_dt: Mapping[int, float] = {0: 0.02, 1: 0.02, 2: 0.02, 3: 0.04}  # day
    snapshot_days: tuple[float, ...] = (0, 1, 2, 3, 5, 7, 10, 14, 21)
    sample_interval_day: float = 0.05
    snapshot_variables: tuple[str, ...] = SNAPSHOT_VARIABLES

    # ------------------------------------------------------------------ hooks
    def layout(self, options: Mapping[str, Any], dims: int, h: float) -> Anatomy:
        """The anatomy as labelled regions on a grid of `dims` dimensions and spacing h (um)."""
        raise NotImplementedError

    def injuries(self, options: Mapping[str, Any]) -> Sequence[Injury]:
        """The injuries of this scenario, at day 0 and later (none by default)."""
        return ()

    # ------------------------------------------------------------------ what the kit does
    def joint_of(self, options: Mapping[str, Any]) -> str:
        """The joint a run with these options grades (a scenario whose site is an option overrides it)."""
        return self.joint

    @property
    def graded(self) -> bool:
        """Whether cohorts give the scenario's patients a Brooker grade (data/grade_map.toml maps a 0-D
        volume to it; the map is the hip's)."""
        return self.joint == "hip"

    @property
    def defaults(self) -> dict[str, Any]:
        """Every option with its default; `parameters` (overrides of the model parameters) too."""
        return {**{k: o.default for k, o in self.options.items()}, "parameters": None}

    def run_species(self, species: str | None = None, parameters: Any = None) -> str:
        """The species a run uses: the one asked for, else that of a given ParameterSet, else the scenario's."""
        if species is not None:
            species = check_species(species)
            if isinstance(parameters, ParameterSet) and parameters.species != species:
                raise InputError(f"the parameter set given is for {parameters.species}, the run asks for {species}")
            return species
        return parameters.species if isinstance(parameters, ParameterSet) else self.species

    def check_run(self, dims: Any = 2, days: Any = None, resolution_um: Any = None, seed: Any = 0
                  ) -> tuple[int, float, float, int]:
        """The run options checked (InputError naming the bad one): dims, days, grid spacing (um), seed;
        None means the scenario's default."""
        if isinstance(dims, bool) or dims not in (0, 1, 2, 3):
            raise InputError(f"dims must be 0, 1, 2 or 3, got {dims!r}")
        dims = int(dims)
        days = check_number("days", self.default_days if days is None else days, *DAYS_RANGE, "days")
        if resolution_um is None:
            h = self.default_resolution_um.get(dims, 24.0)
        else:
            h = check_number("resolution_um", resolution_um, *self.resolution_range_um, "um")
        return dims, days, h, check_seed(seed)

    def accepted_factors(self) -> list[str]:
        """Every factor name the scenario takes: patient factors (data/factors.toml), then risk factors it
        holds as options."""
        return [*factors_for(self.name), *self.factor_options]

    def factors_as_options(self, params: Mapping[str, Any], factors: Sequence[str]) -> tuple[dict, list[str]]:
        """The options with the risk factors the scenario holds as options set (`--factor arm-graft` is
        `-p grafted=yes`), and the other factors; a factor that contradicts an option given is refused."""
        chosen, rest = dict(params), []
        for name in [factors] if isinstance(factors, str) else factors:
            if name not in self.factor_options:
                rest.append(name)
                continue
            option, value = self.factor_options[name]
            if option in chosen and chosen[option] != value:
                raise InputError(f"factor {name} means -p {option}={value} in scenario {self.name}, but {option} is "
                                 f"already {chosen[option]}")
            chosen[option] = value
        allowed = self.accepted_factors()
        unknown = [name for name in rest if name not in allowed]
        if unknown:
            listed = ", ".join(allowed) if allowed else "none (this scenario takes no patient factors)"
            raise InputError(f"factor {unknown[0]!r} does not apply to scenario {self.name}; allowed: {listed}")
        return chosen, rest

    def check_options(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The scenario's own options, checked against their ranges (defaults filled in); unknown names
        are refused with the allowed ones."""
        unknown = sorted(set(params) - set(self.defaults))
        if unknown:
            raise InputError(f"unknown parameter(s) {', '.join(unknown)} for scenario {self.name}; "
                             f"allowed: {', '.join(self.defaults)}")
        return {name: option.check(name, params.get(name, option.default)) for name, option in self.options.items()}

    def build(self, dims: Any = 2, days: Any = None, resolution_um: Any = None, seed: Any = 0,
              species: str | None = None, parameters: Any = None, factors: Sequence[str] = (),
              interventions: Sequence = (), patients: int = 0,
              patient_multipliers: Mapping[str, np.ndarray] | None = None,
              patient_offsets: Mapping[str, np.ndarray] | None = None, **options: Any) -> Setup:
        """A fresh Setup of the run these arguments specify (RunSpec.parse's, the scenario's options as
        keywords; patients: a batch of that many patients in 0-D with per-patient multipliers and offsets)."""
        if patient_multipliers or patient_offsets or patients:
            batch = PatientBatch.of(patients, patient_multipliers, patient_offsets)
        else:
            batch = None
        return self.setup(RunSpec.parse(self, interventions, dims=dims, days=days, resolution_um=resolution_um,
                                        seed=seed, species=species, parameters=parameters, factors=factors,
                                        patients=batch, options=options))

    def setup(self, spec: RunSpec) -> Setup:
        """The Setup of a checked run (docs/architecture.md): the parameters with the patient factors, the
        batch's own values and the genotypes; the grid, the capillary bed, the resting tissue and the
        injuries; the time step; the reactions, switched by time where treatments act."""
        dims, days, h, options = spec.dims, spec.days, spec.spacing_um, spec.options
        parameters = apply_factors(spec.parameters, [factor_table()[name] for name in spec.factors])
        batch = spec.patients
        if batch is not None and (batch.multipliers or batch.offsets):
            parameters = parameters.per_patient(batch.multipliers, batch.offsets)
        genotypes = [(a.intervention, a.strength) for a in spec.courses if a.intervention.kind == GENOTYPE]
        if genotypes:
            parameters = scaled_parameters(parameters, genotypes)

        anatomy = self.layout(options, dims, h)
        grid, tissue = self._tissue(anatomy, dims, h, parameters, spec.seed, batch.size if batch else 0)
        voxel_mm3 = tissue.voxel_volume_mm3
        fields, scalars = resting_state(tissue, parameters)
        around = None if dims == 3 else surroundings(anatomy, dims, fields)
        injuries = list(self.injuries(options))
        if any(not injury.day >= 0 for injury in injuries):
            raise InputError(f"scenario {self.name}: injuries happen on day 0 or later")
        state = State.zeros(grid, VARIABLE_NAMES, COMPARTMENT_NAMES)
        for k, name in enumerate(VARIABLE_NAMES):
            state.fields[k] = fields[name]
        for k, name in enumerate(COMPARTMENT_NAMES):
            state.scalars[k] = scalars[name]
        for injury in injuries:
            if injury.day == 0:
                injury.apply(_named(state), tissue, parameters)

        nsteps = max(1, round(days / self.target_dt[dims]))
        dt = days / nsteps
        events = tuple(Event(round(injury.day / dt), _injure(injury, tissue, parameters))
                       for injury in injuries if 0 < injury.day < days)
        observables, observable_units = build_observables(grid, voxel_mm3, parameters.namespace())
        reactions = Cascade(parameters, tissue, self.bmp2_vector, around)
        treatments = [a for a in spec.courses if a.intervention.kind == TREATMENT]
        return Setup(
            scenario=self.name,
            species=spec.species,
            grid=grid,
            state=state,
            transports=transports(parameters, dt),
            reactions=TimedReactions(reactions, treatments) if treatments else reactions,
            dt=dt,
            days=days,
            units=units(),
            slab_thickness_um=anatomy.slab_thickness_um if dims == 2 else None,
            voxel_volume_mm3=voxel_mm3,
            observables=observables,
            observable_units=observable_units,
            snapshot_variables=list(self.snapshot_variables),
            snapshot_days=[float(d) for d in self.snapshot_days if d <= days + 1e-9],
            sample_every=max(1, int(round(self.sample_interval_day / dt))),
            parameters=parameters,
            events=events,
            options=spec.to_json(),
            patient=self.patient,
            joint=self.joint_of(options),
            spec=spec,
        )

    def _tissue(self, anatomy: Anatomy, dims: int, h: float, parameters: ParameterSet, seed: int, patients: int = 0
                ) -> tuple[Grid, Tissue]:
        """The grid with the layout's regions, and the tissue the cascade reads: the regions, a seeded
        capillary bed, and the volume one voxel stands for (a 2-D section a slab, a 1-D line a slab-wide
        square prism)."""
        missing = [r for r in REQUIRED_REGIONS if r not in anatomy.regions]
        if missing:
            raise InputError(f"scenario {self.name}: the layout lacks region(s) {', '.join(missing)}; "
                             f"every layout labels {', '.join(REQUIRED_REGIONS)}")
        grid = Grid(anatomy.shape, spacing_um=h, regions=anatomy.regions, volume_um3=anatomy.volume_um3,
                    patients=patients)
        voxel_mm3 = grid.voxel_volume_um3 * (anatomy.slab_thickness_um ** (3 - dims) if dims else 1.0) * 1e-9
        p = parameters.namespace()
        capillaries = capillary_bed(grid.regions, dims, h, p.capillary_density, p.capillary_radius, p.tendon_vascularity,
                                    np.random.default_rng(seed))
        return grid, Tissue({k: grid.region(k) for k in grid.regions}, capillaries, voxel_mm3, patients)


def surroundings(anatomy: Anatomy, dims: int, fields: Mapping[str, np.ndarray]) -> Surroundings:
    """What a run below 3-D leaks its signals into: the resting limb beyond the slab's ends and, around a
    0-D compartment (a cylinder one slab long), the resting section around it."""
    radius = np.sqrt(anatomy.volume_um3 / (np.pi * anatomy.slab_thickness_um)) if dims == 0 else None
    return Surroundings(anatomy.slab_thickness_um, np.stack([fields[name] for name in VARIABLE_NAMES]), radius)


def _named(state: State) -> dict[str, np.ndarray]:
    """Writable views of a state's fields and (as one-element arrays) compartments, by name."""
    compartments = state.scalars if state.per_patient else [state.scalars[k:k + 1] for k in range(len(state.scalars))]
    return {**dict(zip(state.variables, state.fields)), **dict(zip(state.compartments, compartments))}


def _injure(injury: Injury, tissue: Tissue, parameters: ParameterSet) -> Callable[[State], None]:
    """An engine event applying a later injury to the named fields and compartments of the state."""
    return lambda state: injury.apply(_named(state), tissue, parameters)
