"""The mouse AdBMP2 model of heterotopic ossification and its AdEmpty control (targets/mouse_bmp2.toml).

Transduced cells are injected into hind-limb muscle between the femur and a peripheral nerve; with the
BMP2 vector they secrete BMP2 for days until the immune response clears them; with the empty vector the
same injection only injures the muscle.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from hosim.biology import Cascade, Tissue, load_parameters, resting_state
from hosim.biology.parameters import ParameterSet
from hosim.biology.variables import COMPARTMENT_NAMES, VARIABLES, VARIABLE_NAMES, units
from hosim.engine import Grid, State, Transport
from hosim.errors import InputError
from hosim.scenarios.base import Setup
from hosim.scenarios.geometry import LimbGeometry, capillary_bed, check_geometry, compartment_regions, spatial_regions
from hosim.scenarios.observables import build_observables

STANDARD_DOSE = 5.0  # million transduced cells (the dose of the AdBMP2 papers)
DEFAULT_RESOLUTION_UM = {1: 24.0, 2: 24.0, 3: 37.5}
RESOLUTION_RANGE_UM = (5.0, 100.0)
TARGET_DT = {0: 0.02, 1: 0.02, 2: 0.02, 3: 0.04}  # day; 3-D takes longer steps to fit its time budget
OXYGEN_SOLVE_DAYS = 0.2  # between coupled oxygen solves (oxygen is quasi-steady: it relaxes in ~0.03 day)
SNAPSHOT_VARIABLES = [
    "bmp2", "activin_a", "substance_p", "mast_degranulated", "bnb_permeability", "endo_activated", "tbat", "oxygen",
    "vegf", "vessels", "tissue_progenitors", "chondrocytes", "cartilage", "osteoblasts", "bone_woven",
    "bone_mature", "muscle",
]


def _check_number(name: str, value: Any, low: float, high: float, unit: str) -> float:
    """value as a float in [low, high], else InputError naming the option and its range."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number in [{low:g}, {high:g}] {unit}, got {value!r}") from None
    if not (np.isfinite(v) and low <= v <= high):
        raise InputError(f"{name} must lie in [{low:g}, {high:g}] {unit}, got {value!r}")
    return v


def _parameter_set(given: Any) -> ParameterSet:
    """The default set, a given ParameterSet, or the defaults with a mapping of checked overrides."""
    if given is None:
        return load_parameters()
    if isinstance(given, ParameterSet):
        return given
    if isinstance(given, Mapping):
        return load_parameters().with_values(given)
    raise InputError(f"parameters must be a ParameterSet or a mapping of name -> value, got {type(given).__name__}")


def _overrides(parameters: ParameterSet) -> dict[str, float]:
    """Values that differ from the shipped defaults (what a run changed, for its summary)."""
    defaults = load_parameters()
    return {n: p.value for n, p in parameters.items() if n not in defaults or p.value != defaults.value(n)}


def _grid_and_tissue(geometry: LimbGeometry, dims: int, h: float, parameters: ParameterSet, seed: int):
    """The grid with its regions, the Tissue the cascade reads, and the voxel volume in mm^3."""
    rng = np.random.default_rng(seed)
    r = parameters.namespace()
    if dims == 0:
        volume_um3, regions = compartment_regions(geometry)
        grid = Grid((), spacing_um=h, regions=regions, volume_um3=volume_um3)
        voxel_mm3 = volume_um3 * 1e-9
    else:
        shape, regions = spatial_regions(geometry, dims, h)
        grid = Grid(shape, spacing_um=h, regions=regions)
        # the missing dimensions: a 2-D section stands for a slab, a 1-D line for a slab-wide square prism
        voxel_mm3 = grid.voxel_volume_um3 * geometry.slab_thickness_um ** (3 - dims) * 1e-9
    capillaries = capillary_bed(grid.regions, dims, h, r.capillary_density, r.capillary_radius, rng)
    tissue = Tissue({k: grid.region(k) for k in grid.regions}, capillaries, voxel_mm3)
    return grid, tissue, voxel_mm3


def _transports(parameters: ParameterSet, dt: float) -> dict[str, Transport]:
    """Diffusion of every moving variable; oxygen solved together with its reactions (stiff, fast)."""
    interval = max(1, round(OXYGEN_SOLVE_DAYS / dt))
    out = {}
    for v in VARIABLES:
        if v.diffusivity is None:
            continue
        D = parameters.value(v.diffusivity)
        if v.coupled:
            out[v.name] = Transport(D, method="coupled", interval=interval)
        else:
            out[v.name] = Transport(D)
    return out


def _inject(fields: dict[str, np.ndarray], tissue: Tissue, parameters: ParameterSet, dose: float) -> None:
    """Day 0: the bolus of transduced cells, its clot, and the muscle it displaced."""
    r = parameters.namespace()
    bolus = tissue.region("injection")
    fields["injected_cells"] += r.injected_cell_density * (dose / STANDARD_DOSE) * bolus
    fields["fibrin"] += r.injury_fibrin * bolus
    fields["muscle"] *= 1.0 - r.injection_damage * bolus


class MouseScenario:
    """mouse-bmp2 (BMP2 vector), mouse-empty (empty vector) or mouse-fop-injury (no cells) in hind-limb muscle."""

    defaults = {"dose": STANDARD_DOSE, "injection_distance_um": 1000.0, "slab_thickness_um": 1000.0, "parameters": None}

    def __init__(self, name: str, description: str, bmp2_vector: float, dose: float = STANDARD_DOSE):
        self.name = name
        self.description = description
        self.bmp2_vector = bmp2_vector
        self.defaults = {**MouseScenario.defaults, "dose": dose}  # dose 0: the needle injury alone

    def build(self, dims: int = 2, days: float = 21.0, resolution_um: float | None = None, seed: int = 0,
              **params: Any) -> Setup:
        """A fresh Setup; raises InputError naming any bad option and what is allowed."""
        unknown = sorted(set(params) - set(self.defaults))
        if unknown:
            raise InputError(
                f"unknown parameter(s) {', '.join(unknown)} for scenario {self.name}; "
                f"allowed: {', '.join(self.defaults)}"
            )
        opts = {**self.defaults, **params}
        if dims not in (0, 1, 2, 3):
            raise InputError(f"dims must be 0, 1, 2 or 3, got {dims!r}")
        days = _check_number("days", days, 0.02, 365.0, "days")
        dose = _check_number("dose", opts["dose"], 0.0, 50.0, "million cells")
        if resolution_um is None:
            h = DEFAULT_RESOLUTION_UM.get(dims, 24.0)
        else:
            h = _check_number("resolution_um", resolution_um, *RESOLUTION_RANGE_UM, "um")
        try:
            seed = int(seed)
        except (TypeError, ValueError):
            raise InputError(f"seed must be a whole number, got {seed!r}") from None
        geometry = LimbGeometry(
            injection_distance_um=_check_number("injection_distance_um", opts["injection_distance_um"], 0, 1e5, "um"),
            slab_thickness_um=_check_number("slab_thickness_um", opts["slab_thickness_um"], 0, 1e5, "um"),
        )
        check_geometry(geometry)
        parameters = _parameter_set(opts["parameters"])

        grid, tissue, voxel_mm3 = _grid_and_tissue(geometry, dims, h, parameters, seed)
        fields, scalars = resting_state(tissue, parameters)
        _inject(fields, tissue, parameters, dose)
        state = State.zeros(grid, VARIABLE_NAMES, COMPARTMENT_NAMES)
        for k, name in enumerate(VARIABLE_NAMES):
            state.fields[k] = fields[name]
        state.scalars[:] = [scalars[c] for c in COMPARTMENT_NAMES]

        nsteps = max(1, round(days / TARGET_DT[dims]))
        dt = days / nsteps
        observables, observable_units = build_observables(grid, voxel_mm3)
        options = {
            "dims": dims, "days": days, "resolution_um": h if dims else None, "seed": seed, "dose": dose,
            "injection_distance_um": geometry.injection_distance_um,
            "slab_thickness_um": geometry.slab_thickness_um,
            "parameters": _overrides(parameters),
        }
        return Setup(
            scenario=self.name,
            grid=grid,
            state=state,
            transports=_transports(parameters, dt),
            reactions=Cascade(parameters, tissue, bmp2_vector=self.bmp2_vector),
            dt=dt,
            days=days,
            units=units(),
            slab_thickness_um=geometry.slab_thickness_um if dims == 2 else None,
            voxel_volume_mm3=voxel_mm3,
            observables=observables,
            observable_units=observable_units,
            snapshot_variables=list(SNAPSHOT_VARIABLES),
            parameters=parameters,
            options=options,
        )
