"""The observable registry: every scalar a run records, declared once with its unit, meaning, the cascade
step it belongs to and the layout regions it reads. Metrics, calibration, experiments and figures name
observables through `observable(name)`, which fails at import time for a name nobody declared.

Each observable is built per run as f(fields, scalars) -> float over the engine's arrays (on a batch of
patients, engine Grid.patients, one value per patient). Domain totals of every variable and compartment are
generated from the variable table; the others are listed here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from hosim.biology.kinetics import weighted_sum
from hosim.biology.variables import COMPARTMENT_NAMES, COMPARTMENTS, FRACTION, VARIABLE_NAMES, VARIABLES
from hosim.engine.grid import Grid

HYPOXIA_MMHG = 10.0  # targets/mouse_bmp2.toml [hypoxia]: the lesion turns hypoxic below 10 mmHg

Observable = Callable[[np.ndarray, np.ndarray], float]


def _summer(grid: Grid) -> Callable[[np.ndarray, np.ndarray], float]:
    """sum(values * weights) over a run's voxels (weights flat): weighted_sum, or per patient on a batch."""
    if grid.patients:
        return lambda values, weights: values.reshape(-1) * weights
    return weighted_sum


def _per_run(grid: Grid, weights: np.ndarray) -> np.ndarray:
    """Weights (flat) normalised to sum to 1 over each run's voxels (each patient's, on a batch)."""
    total = grid.totals(weights) if grid.patients else weights.sum()
    return np.divide(weights, total, out=np.zeros_like(weights), where=np.asarray(total) > 0)


@dataclass(frozen=True)
class ObservableSpec:
    """One recorded quantity: make(grid, voxel_volume_mm3, p) builds its f(fields, scalars) for a run
    (p: the run's parameter values, for the few observables that count something the model holds fixed)."""

    name: str
    unit: str
    description: str
    cascade_step: int | None
    regions: tuple[str, ...]
    make: Callable[[Grid, float, SimpleNamespace], Observable]


def _total(i: int):
    return lambda grid, vol, p: (lambda f, s: grid.totals(f[i]) * vol)


def _scalar(i: int):
    return lambda grid, vol, p: (lambda f, s: s[i].reshape(-1).copy() if grid.patients else float(s[i]))


def weighted_mean(variable: str, *regions: str, fraction: bool = False):
    """Mean of a variable over the voxels of some regions (weighted by their fractions); a fraction's
    mean is kept in [0, 1] (normalised weights can sum to 1 + 1e-15)."""
    i = VARIABLE_NAMES.index(variable)

    def make(grid: Grid, vol: float, p: SimpleNamespace) -> Observable:
        flat = _per_run(grid, sum(grid.region(r) for r in regions).ravel())
        total = _summer(grid)
        if fraction:
            return lambda f, s: np.minimum(1.0, total(f[i], flat))
        return lambda f, s: total(f[i], flat)

    return make


def _bone(orthotopic: bool):
    """Bone matrix (woven and mature) inside or outside the orthotopic zone, in mm^3."""
    woven, mature = VARIABLE_NAMES.index("bone_woven"), VARIABLE_NAMES.index("bone_mature")

    def make(grid: Grid, vol: float, p: SimpleNamespace) -> Observable:
        ortho = grid.region("orthotopic_zone").ravel()
        zone = ortho if orthotopic else 1.0 - ortho
        total = _summer(grid)
        return lambda f, s: (total(f[woven], zone) + total(f[mature], zone)) * vol

    return make


def _lesion_leukocytes(grid: Grid, vol: float, p: SimpleNamespace) -> Observable:
    """Mean density of macrophages and neutrophils over the lesion (what makes a site warm and swollen)."""
    macrophages, neutrophils = VARIABLE_NAMES.index("macrophages"), VARIABLE_NAMES.index("neutrophils")
    weight = _per_run(grid, grid.region("lesion").ravel())
    total = _summer(grid)
    return lambda f, s: total(f[macrophages], weight) + total(f[neutrophils], weight)


RADIOGRAPH_MM = 1.0  # bone along the beam a radiograph shows (analysis/patient.py VISIBLE_BONE_MM)


def _radiographic_bone(grid: Grid, vol: float, p: SimpleNamespace) -> Observable:
    """Heterotopic bone in the voxels a radiograph shows: where the bone along the beam (a 2-D section's
    slab, a 3-D voxel's depth) adds up to RADIOGRAPH_MM. Below 2-D, with no pixels to judge, all of it."""
    woven, mature = VARIABLE_NAMES.index("bone_woven"), VARIABLE_NAMES.index("bone_mature")
    zone = 1.0 - grid.region("orthotopic_zone").ravel()
    if grid.ndim < 2:
        total = _summer(grid)
        return lambda f, s: (total(f[woven], zone) + total(f[mature], zone)) * vol
    depth_mm = vol / (grid.spacing_um * 1e-3) ** 2 if grid.ndim == 2 else grid.spacing_um * 1e-3
    level = RADIOGRAPH_MM / depth_mm

    def radiographic(f, s):
        bone = (f[woven] + f[mature]).ravel()
        return weighted_sum(bone, zone * (bone >= level)) * vol

    return radiographic


def _heterotopic_bone_of(origin: str):
    """Heterotopic bone (woven and mature, beyond the orthotopic zone) laid down by cells of one traced origin."""
    woven, mature = VARIABLE_NAMES.index(f"{origin}_bone_woven"), VARIABLE_NAMES.index(f"{origin}_bone_mature")

    def make(grid: Grid, vol: float, p: SimpleNamespace) -> Observable:
        zone = 1.0 - grid.region("orthotopic_zone").ravel()
        total = _summer(grid)
        return lambda f, s: (total(f[woven], zone) + total(f[mature], zone)) * vol

    return make


def _claudin5_blood(grid: Grid, vol: float, p: SimpleNamespace) -> Observable:
    """Claudin-5+ blood cells as Lazard 2015 counted them: nerve-derived progenitors plus the resting
    claudin-5+ background that is not this lineage."""
    circ = COMPARTMENT_NAMES.index("circulating_progenitors")
    blood = _scalar(circ)(grid, vol, p)
    return lambda f, s: blood(f, s) + p.claudin5_background


def _lesion_min_oxygen(grid: Grid, vol: float, p: SimpleNamespace) -> Observable:
    o2 = VARIABLE_NAMES.index("oxygen")
    in_lesion = grid.region("lesion").ravel() > 0
    if grid.patients:  # a patient's compartment is its lesion
        return lambda f, s: f[o2].reshape(-1).copy()
    return lambda f, s: float(f[o2].ravel()[in_lesion].min())


def _hypoxic_fraction(grid: Grid, vol: float, p: SimpleNamespace) -> Observable:
    o2 = VARIABLE_NAMES.index("oxygen")
    weight = _per_run(grid, grid.region("lesion").ravel())
    total = _summer(grid)
    return lambda f, s: np.minimum(1.0, total((f[o2] < HYPOXIA_MMHG).astype(np.float64), weight))


def _totals() -> list[ObservableSpec]:
    specs = []
    for k, v in enumerate(VARIABLES):
        unit = "mm^3" if v.unit == FRACTION else f"{v.unit} x mm^3"
        specs.append(ObservableSpec(f"{v.name}_total", unit, f"{v.description}: domain total", v.cascade_step, (),
                                    _total(k)))
    for k, c in enumerate(COMPARTMENTS):
        specs.append(ObservableSpec(f"{c.name}_total", c.unit, c.description, c.cascade_step, (), _scalar(k)))
    return specs


OBSERVABLES: dict[str, ObservableSpec] = {
    spec.name: spec
    for spec in (
        *_totals(),
        ObservableSpec("claudin5_blood_cells", "cells/uL blood", "claudin-5+ blood cells: circulating progenitors and "
                       "the resting claudin-5+ background", 5, (), _claudin5_blood),
        ObservableSpec("heterotopic_bone_mm3", "mm^3", "bone matrix farther than 250 um from the skeleton", 11,
                       ("orthotopic_zone",), _bone(orthotopic=False)),
        ObservableSpec("radiographic_bone_mm3", "mm^3", "heterotopic bone a radiograph shows: in voxels where the "
                       f"bone along the beam adds up to {RADIOGRAPH_MM:g} mm (below 2-D: all of it)", 11,
                       ("orthotopic_zone",), _radiographic_bone),
        ObservableSpec("orthotopic_bone_mm3", "mm^3", "bone matrix within 250 um of the skeleton", 14,
                       ("orthotopic_zone",), _bone(orthotopic=True)),
        ObservableSpec("heterotopic_bone_resident_mm3", "mm^3", "heterotopic bone laid down by cells of resident "
                       "(fibro-adipogenic) origin", 18, ("orthotopic_zone",), _heterotopic_bone_of("resident")),
        ObservableSpec("heterotopic_bone_periosteal_mm3", "mm^3", "heterotopic bone laid down by cells of periosteal "
                       "origin", 18, ("orthotopic_zone",), _heterotopic_bone_of("periosteal")),
        ObservableSpec("cartilage_mm3", "mm^3", "cartilage matrix", None, (),
                       _total(VARIABLE_NAMES.index("cartilage"))),
        ObservableSpec("tbat_mm3", "mm^3", "transient brown adipose tissue", None, (),
                       _total(VARIABLE_NAMES.index("tbat"))),
        ObservableSpec("lesion_leukocytes", "1e6 cells/mL", "mean macrophages and neutrophils in the lesion", 15,
                       ("lesion",), _lesion_leukocytes),
        ObservableSpec("lesion_min_oxygen_mmhg", "mmHg", "lowest pO2 in the lesion", 7, ("lesion",),
                       _lesion_min_oxygen),
        ObservableSpec("hypoxic_fraction", "1", f"fraction of the lesion below {HYPOXIA_MMHG:g} mmHg", 7, ("lesion",),
                       _hypoxic_fraction),
        ObservableSpec("lesion_vessels_mean", "volume fraction", "mean vessel volume fraction in the lesion", 9,
                       ("lesion",), weighted_mean("vessels", "lesion")),
        ObservableSpec("bnb_permeability_nerve_mean", "1", "mean open fraction of the blood-nerve barrier", 3,
                       ("nerve", "perineurium"), weighted_mean("bnb_permeability", "nerve", "perineurium",
                                                                  fraction=True)),
    )
}

# The layout regions observables read (the biology's own are hosim.biology.tissue.TISSUE_REGIONS).
OBSERVABLE_REGIONS: tuple[str, ...] = tuple(sorted({r for spec in OBSERVABLES.values() for r in spec.regions}))


def observable(name: str) -> str:
    """`name`, checked against the registry: modules that read an observable name it through this."""
    if name not in OBSERVABLES:
        raise KeyError(f"observable {name!r} is not declared in hosim.scenarios.observables")
    return name


def build_observables(grid: Grid, voxel_volume_mm3: float, p: SimpleNamespace
                      ) -> tuple[dict[str, Observable], dict[str, str]]:
    """Every registered observable for a run on `grid` with parameter values p, and their units."""
    observables = {name: spec.make(grid, voxel_volume_mm3, p) for name, spec in OBSERVABLES.items()}
    return observables, {name: spec.unit for name, spec in OBSERVABLES.items()}
