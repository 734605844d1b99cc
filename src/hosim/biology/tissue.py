"""The tissue layout the cascade needs: where nerve, sheath, muscle and periosteum are, and how big a voxel is.

The biology reads only voxel fractions (as the engine's Grid regions hold them), so the same cascade runs
on a single well-mixed compartment (fractions) and on 2-D or 3-D grids (0/1 masks).

Anatomy of a peripheral nerve as modelled: the endoneurium ("nerve": axons, Schwann cells, endoneurial
progenitors) inside the perineurial sheath ("perineurium"), wrapped in epineurial connective tissue
("epineurium": nervi nervorum, mast cells, vessels).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from hosim.errors import InputError

# Regions the cascade reads; a scenario must provide all of them (zeros where a tissue is absent).
TISSUE_REGIONS = ("nerve", "perineurium", "epineurium", "muscle", "tendon", "periosteum", "skeleton", "injection")


@dataclass(frozen=True)
class Tissue:
    """Voxel fractions of each tissue (arrays shaped (nz, ny, nx)) and the real volume of one voxel.

    capillaries: the resting capillary volume fraction of each voxel (vessels relax back to it).
    voxel_volume_mm3: the tissue volume one voxel stands for (2-D slab thickness included).
    patients: on a batch of 0-D patients (engine Grid.patients), their number: each voxel is one patient.
    """

    regions: Mapping[str, np.ndarray]
    capillaries: np.ndarray
    voxel_volume_mm3: float
    patients: int = 0

    def __post_init__(self):
        missing = [r for r in TISSUE_REGIONS if r not in self.regions]
        if missing:
            raise InputError(f"tissue lacks region(s) {', '.join(missing)}; needed: {', '.join(TISSUE_REGIONS)}")
        if not self.voxel_volume_mm3 > 0:
            raise InputError(f"voxel volume must be positive, got {self.voxel_volume_mm3}")

    def region(self, name: str) -> np.ndarray:
        return self.regions[name]
