"""What every human joint section shares (the hip of human_hip.py, the elbow of human_elbow.py): coordinates
in mm on a grid of a few mm, zones as ellipses, nerves running in the plane, the soft tissue around the
bones (periosteum and the 250 um orthotopic band as voxel fractions, so that the cells they hold do not
depend on the grid), and the layout with its injured zones in 0-D or 2-D.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import ndimage

from hosim.errors import InputError
from hosim.scenarios.kit import ORTHOTOPIC_DISTANCE_UM, Anatomy, TissueScenario

MM = 1000.0  # um per mm
LESION_MARGIN_MM = 5.0  # the lesion is the injured zones and this much soft tissue around them
Zone = tuple[tuple[float, float], tuple[float, float]]  # centre and radii of an ellipse in the section, mm


@dataclass(frozen=True)
class Frame:
    """The section's extent in mm (x to the right, y up; row 0 is the top, as on a film) and the slab a 2-D
    section stands for."""

    left: float
    right: float
    bottom: float
    top: float
    slab_thickness_mm: float

    def coordinates(self, h_mm: float) -> tuple[np.ndarray, np.ndarray]:
        """X and Y (mm) of every voxel centre, shaped (ny, nx)."""
        nx = max(1, round((self.right - self.left) / h_mm))
        ny = max(1, round((self.top - self.bottom) / h_mm))
        x = self.left + (np.arange(nx) + 0.5) * h_mm
        y = self.top - (np.arange(ny) + 0.5) * h_mm
        Y, X = np.meshgrid(y, x, indexing="ij")
        return X, Y

    def ellipse(self, h_um: float, zone: Zone) -> np.ndarray:
        """A zone of the section (voxel 0/1, shaped (1, ny, nx))."""
        (cx, cy), (rx, ry) = zone
        X, Y = self.coordinates(h_um / MM)
        return ((((X - cx) / rx) ** 2 + ((Y - cy) / ry) ** 2) <= 1.0)[None].astype(np.float64)


@dataclass(frozen=True)
class Nerve:
    """A nerve running vertically in the plane (projected), between two heights, in mm."""

    x: float
    endoneurium: float
    low: float
    high: float
    epineurium: float = 2.0
    perineurium_um: float = 50.0

    def layers(self, X: np.ndarray, Y: np.ndarray, h_mm: float) -> dict[str, np.ndarray]:
        """Endoneurium, a perineurial sheath (its thickness over the spacing as a voxel fraction) and the
        epineurium, from the distance to the nerve's axis."""
        distance = np.abs(X - self.x)
        along = (Y >= self.low) & (Y <= self.high)
        inner = self.endoneurium
        sheath = ((distance >= inner) & (distance < inner + h_mm) & along) * min(1.0, self.perineurium_um / (h_mm * MM))
        epineurium = (distance >= inner) & (distance < inner + self.epineurium + h_mm) & along
        return {"nerve": ((distance < inner) & along) * 1.0, "perineurium": sheath, "epineurium": epineurium - sheath}


def tissue_regions(bone: np.ndarray, implant: np.ndarray, capsule: np.ndarray, nerves: list[Nerve],
                   X: np.ndarray, Y: np.ndarray, h_um: float, periosteum_um: float) -> dict[str, np.ndarray]:
    """The regions the biology and the observables read, around the given bones (bool, (ny, nx)): living
    bone has a periosteum on its soft-tissue side, implants none; the capsule is dense connective tissue
    (the model's tendon); nerves lie in soft tissue; muscle is the rest."""
    soft = ~bone
    near_bone = ndimage.binary_dilation(bone & ~implant, np.ones((3, 3), bool)) & soft
    periosteum = near_bone * min(1.0, periosteum_um / h_um)
    orthotopic = np.where(bone, 1.0, near_bone * min(1.0, ORTHOTOPIC_DISTANCE_UM / h_um))
    layers = {k: np.zeros(X.shape) for k in ("nerve", "perineurium", "epineurium")}
    for nerve in nerves:
        for name, values in nerve.layers(X, Y, h_um / MM).items():
            layers[name] = np.maximum(layers[name], values * soft)
    # where two nerves' layers meet, the inner layer wins and the voxel never holds more than itself
    layers["perineurium"] = np.minimum(layers["perineurium"], 1.0 - layers["nerve"])
    layers["epineurium"] = np.minimum(layers["epineurium"], 1.0 - layers["nerve"] - layers["perineurium"])
    nerve_any = layers["nerve"] + layers["perineurium"] + layers["epineurium"]
    tendon = (capsule & soft) * (1.0 - nerve_any)
    periosteum = periosteum * (1.0 - nerve_any - tendon)
    return {
        **layers,
        "muscle": np.clip(soft * 1.0 - nerve_any - tendon - periosteum, 0.0, 1.0),
        "tendon": tendon,
        "periosteum": periosteum,
        "skeleton": bone * 1.0,
        "orthotopic_zone": orthotopic,
        "implant": implant * 1.0,
    }


def section_anatomy(section: Mapping[str, np.ndarray], zones: Mapping[str, np.ndarray], dims: int, h_um: float,
                    slab_mm: float) -> Anatomy:
    """A section (regions shaped (1, ny, nx)) as a scenario layout with injured zones (name -> 0/1;
    "injection" is the main one, others are overlays such as a fracture) in its soft tissue; the lesion is
    their union and LESION_MARGIN_MM around. In 0-D one compartment holds the lesion's soft tissue, each
    zone in its share of the area."""
    soft = 1.0 - section["skeleton"]
    injured = {name: np.clip(zone, 0.0, 1.0) * soft for name, zone in zones.items()}
    union = np.maximum.reduce(list(injured.values()))
    grow = max(1, round(LESION_MARGIN_MM * MM / h_um))
    lesion = ndimage.binary_dilation(union[0] > 0, iterations=grow)[None] * soft
    slab_um = slab_mm * MM
    if dims == 0:
        area = float(lesion.sum())
        fractions = {k: np.full((1, 1, 1), float((v * lesion).sum()) / area) for k, v in section.items()}
        fractions.update({name: np.full((1, 1, 1), float(zone.sum()) / area) for name, zone in injured.items()})
        fractions.update(lesion=np.ones((1, 1, 1)), orthotopic_zone=np.zeros((1, 1, 1)),
                         skeleton=np.zeros((1, 1, 1)), periosteum=np.zeros((1, 1, 1)))
        return Anatomy((), fractions, slab_um, area * h_um**2 * slab_um)
    return Anatomy(section["muscle"].shape[1:], {**section, **injured, "lesion": lesion}, slab_um)


class PatientScenario(TissueScenario):
    """What every human patient scenario shares: the patient outputs (course, imaging, stages; a hip
    section adds its grade), the human tempo's run length, grid and time step, 0-D or 2-D only."""

    species = "human"
    patient = True
    default_days = 182.0  # 26 weeks
    default_resolution_um = {0: 2000.0, 2: 2000.0}
    resolution_range_um = (1000.0, 4000.0)
    # day; the mouse's 0.02 at the human tempo (x2.5) in 2-D; in 0-D 0.1 moves bone by under 1% (first order)
    target_dt = {0: 0.1, 1: 0.05, 2: 0.05, 3: 0.05}
    snapshot_days = (0, 7, 14, 21, 28, 42, 56, 84, 112, 140, 182, 273, 365)
    sample_interval_day = 0.5

    def check_run(self, dims: Any = 2, days: Any = None, resolution_um: Any = None, seed: Any = 0):
        """Patient sections are 0-D or 2-D: a 1-D line or a 3-D joint is not offered."""
        if dims in (1, 3):
            raise InputError(f"scenario {self.name} runs in 0 or 2 dimensions, got {dims}")
        return super().check_run(dims, days, resolution_um, seed)
