"""Scalar observables a run records: domain totals of every variable, and the lesion and bone measures
the metrics need. Each is f(fields, scalars) -> float over the engine's arrays."""

from __future__ import annotations

import numpy as np

from hosim.biology.kinetics import weighted_sum
from hosim.biology.variables import COMPARTMENTS, VARIABLES
from hosim.engine import Grid

HYPOXIA_MMHG = 10.0  # targets/mouse_bmp2.toml: the lesion turns hypoxic below 10 mmHg


def _total(i: int, vol: float):
    return lambda f, s: float(f[i].sum()) * vol


def _scalar(i: int):
    return lambda f, s: float(s[i])


def _weighted_mean(i: int, weights: np.ndarray):
    w = weights / weights.sum() if weights.sum() > 0 else weights
    flat = w.ravel()
    return lambda f, s: weighted_sum(f[i], flat)


def build_observables(grid: Grid, voxel_volume_mm3: float) -> tuple[dict, dict]:
    """Observables and their units for the cascade's variables on `grid`."""
    index = {v.name: k for k, v in enumerate(VARIABLES)}
    vol = voxel_volume_mm3
    obs, units = {}, {}
    for k, v in enumerate(VARIABLES):
        obs[f"{v.name}_total"] = _total(k, vol)
        units[f"{v.name}_total"] = "mm^3" if v.unit == "volume fraction" else f"{v.unit} x mm^3"
    for k, c in enumerate(COMPARTMENTS):
        obs[f"{c.name}_total"] = _scalar(k)
        units[f"{c.name}_total"] = c.unit

    ortho = grid.region("orthotopic_zone").ravel()
    hetero = 1.0 - ortho
    lesion = grid.region("lesion")
    lesion_flat = lesion.ravel()
    lesion_weight = lesion_flat / lesion_flat.sum()
    in_lesion = lesion_flat > 0
    woven, mature, o2 = index["bone_woven"], index["bone_mature"], index["oxygen"]

    def bone_in(zone):
        return lambda f, s: (weighted_sum(f[woven], zone) + weighted_sum(f[mature], zone)) * vol

    obs["heterotopic_bone_mm3"] = bone_in(hetero)
    obs["orthotopic_bone_mm3"] = bone_in(ortho)
    obs["cartilage_mm3"] = _total(index["cartilage"], vol)
    obs["tbat_mm3"] = _total(index["tbat"], vol)
    obs["lesion_min_oxygen_mmhg"] = lambda f, s: float(f[o2].ravel()[in_lesion].min())
    obs["hypoxic_fraction"] = lambda f, s: weighted_sum((f[o2] < HYPOXIA_MMHG).astype(np.float64), lesion_weight)
    obs["lesion_vessels_mean"] = _weighted_mean(index["vessels"], lesion)
    obs["bnb_permeability_nerve_mean"] = _weighted_mean(
        index["bnb_permeability"], grid.region("nerve") + grid.region("perineurium")
    )
    units.update(
        heterotopic_bone_mm3="mm^3",
        orthotopic_bone_mm3="mm^3",
        cartilage_mm3="mm^3",
        tbat_mm3="mm^3",
        lesion_min_oxygen_mmhg="mmHg",
        hypoxic_fraction="1",
        lesion_vessels_mean="volume fraction",
        bnb_permeability_nerve_mean="1",
    )
    return obs, units
