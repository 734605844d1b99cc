"""The mouse hind-limb cross-section as voxel fractions, on 0-D to 3-D grids.

Along x: femoral cortex (skeleton) and its periosteum at the left edge, then muscle with the injection
bolus at `injection_distance_um` from the periosteal surface, then a peripheral nerve (endoneurium inside
its perineurial sheath, wrapped in epineurium) a short gap beyond the bolus. In 2-D the picture is a
cross-section standing for a slab of `slab_thickness_um`; in 3-D the nerve runs along z (with the muscle
fibres and capillaries) and the bolus is the cylinder the 2-D section stands for, one slab long, so both
hold the same cells at the same density; in 1-D the line runs through the
bolus and the nerve; in 0-D one well-mixed compartment holds the lesion and the nerve segment beside
it, in their 2-D area fractions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from hosim.scenarios.kit import ORTHOTOPIC_DISTANCE_UM, Anatomy, Option

LESION_MARGIN_UM = 200.0  # the lesion region reaches this far beyond the bolus


@dataclass(frozen=True)
class HindLimb:
    """Sizes in um. The defaults give a 2.4 mm square cross-section."""

    injection_distance_um: float = 1000.0
    slab_thickness_um: float = 1000.0
    cortex_um: float = 216.0
    periosteum_um: float = 48.0
    injection_radius_um: float = 300.0
    nerve_gap_um: float = 100.0
    endoneurium_radius_um: float = 110.0
    perineurium_um: float = 24.0
    epineurium_um: float = 48.0
    far_margin_um: float = 372.0
    height_um: float = 2400.0

    @property
    def skeleton_surface(self) -> float:
        return self.cortex_um + self.periosteum_um

    @property
    def injection_x(self) -> float:
        return self.skeleton_surface + self.injection_distance_um

    @property
    def sheath_radius(self) -> float:
        return self.endoneurium_radius_um + self.perineurium_um

    @property
    def nerve_outer_radius(self) -> float:
        return self.sheath_radius + self.epineurium_um

    @property
    def nerve_x(self) -> float:
        return self.injection_x + self.injection_radius_um + self.nerve_gap_um + self.nerve_outer_radius

    @property
    def width_um(self) -> float:
        return self.nerve_x + self.nerve_outer_radius + self.far_margin_um

    @property
    def lesion_radius(self) -> float:
        return self.injection_radius_um + LESION_MARGIN_UM


def _nerve_layers(rn: np.ndarray, g: HindLimb, h: float) -> dict[str, np.ndarray]:
    """Endoneurium, a sheath at least one voxel thick, and epineurium, from the distance to the nerve axis."""
    inner = g.endoneurium_radius_um
    sheath = inner + max(g.perineurium_um, h)
    outer = sheath + max(g.epineurium_um, h)
    return {
        "nerve": rn < inner,
        "perineurium": (rn >= inner) & (rn < sheath),
        "epineurium": (rn >= sheath) & (rn < outer),
    }


def hindlimb_regions(g: HindLimb, dims: int, h: float) -> tuple[tuple[int, ...], dict[str, np.ndarray]]:
    """Grid shape and region masks (float 0/1, shaped (nz, ny, nx)) on a 1-D, 2-D or 3-D grid."""
    nx = max(1, round(g.width_um / h))
    ny = max(1, round(g.height_um / h)) if dims >= 2 else 1
    nz = max(1, round(g.height_um / h)) if dims == 3 else 1
    x = (np.arange(nx) + 0.5) * h
    y = ((np.arange(ny) + 0.5) * h - 0.5 * ny * h) if dims >= 2 else np.zeros(1)
    z = ((np.arange(nz) + 0.5) * h - 0.5 * nz * h) if dims == 3 else np.zeros(1)
    Z, Y, X = np.meshgrid(z, y, x, indexing="ij")
    rn = np.hypot(X - g.nerve_x, Y)
    layers = _nerve_layers(rn, g, h)
    skeleton = X < g.cortex_um
    periosteum = (X >= g.cortex_um) & (X < g.skeleton_surface)
    d = np.hypot(X - g.injection_x, Y)
    bolus = d < g.injection_radius_um
    lesion = d < g.lesion_radius
    if dims == 3:  # the same cylinder the 2-D section stands for, one slab long
        half_length = 0.5 * g.slab_thickness_um
        bolus &= np.abs(Z) < half_length
        lesion &= np.abs(Z) < half_length + LESION_MARGIN_UM
    nerve_any = layers["nerve"] | layers["perineurium"] | layers["epineurium"]
    regions = dict(layers)
    regions.update(
        skeleton=skeleton,
        periosteum=periosteum,
        muscle=~(skeleton | periosteum | nerve_any),
        injection=bolus & ~(skeleton | periosteum | nerve_any),
        tendon=np.zeros_like(skeleton),
        lesion=lesion,
        orthotopic_zone=X < g.cortex_um + ORTHOTOPIC_DISTANCE_UM,
    )
    shape = {1: (nx,), 2: (ny, nx), 3: (nz, ny, nx)}[dims]
    return shape, {k: v.astype(np.float64) for k, v in regions.items()}


def hindlimb_compartment(g: HindLimb) -> tuple[float, dict[str, np.ndarray]]:
    """0-D: the lesion (the bolus and its margin) and the segment of nerve beside it as one well-mixed
    compartment, one slab long; each tissue takes its share of the summed cross-section."""
    inner, sheath, outer = g.endoneurium_radius_um, g.sheath_radius, g.nerve_outer_radius
    area = g.lesion_radius**2 + outer**2
    frac = {
        "nerve": inner**2 / area,
        "perineurium": (sheath**2 - inner**2) / area,
        "epineurium": (outer**2 - sheath**2) / area,
        "injection": g.injection_radius_um**2 / area,
        "skeleton": 0.0,
        "periosteum": 0.0,
        "tendon": 0.0,
        "orthotopic_zone": 0.0,
        "lesion": 1.0,
    }
    frac["muscle"] = 1.0 - frac["nerve"] - frac["perineurium"] - frac["epineurium"]
    volume_um3 = np.pi * area * g.slab_thickness_um
    return volume_um3, {k: np.full((1, 1, 1), v) for k, v in frac.items()}


def hindlimb_anatomy(g: HindLimb, dims: int, h: float) -> Anatomy:
    """The hind limb as a scenario layout: the cross-section's regions, or in 0-D the well-mixed lesion."""
    if dims == 0:
        volume_um3, regions = hindlimb_compartment(g)
        return Anatomy((), regions, g.slab_thickness_um, volume_um3)
    shape, regions = hindlimb_regions(g, dims, h)
    return Anatomy(shape, regions, g.slab_thickness_um)


def placement_options(key: str, site: str) -> dict[str, Option]:
    """The options that place the limb's one lesion site (a bolus, an injured zone, a tendon): `key`, its
    distance from the periosteum, and the slab thickness."""
    limb = HindLimb()
    radius = limb.injection_radius_um
    return {
        key: Option(limb.injection_distance_um, radius, 5000.0, "um", f"from the periosteal surface to the {site}'s centre",
                    f"the {site} of radius {radius:g} um must not overlap the periosteum"),
        "slab_thickness_um": Option(limb.slab_thickness_um, 50.0, 5000.0, "um",
                                    f"the limb length a 2-D section stands for (and the {site}'s length in 3-D)"),
    }


def placed_anatomy(options: Mapping[str, Any], key: str, dims: int, h: float) -> Anatomy:
    """The limb with its lesion site where the placement options (`placement_options(key, ...)`) put it."""
    limb = HindLimb(injection_distance_um=options[key], slab_thickness_um=options["slab_thickness_um"])
    return hindlimb_anatomy(limb, dims, h)
