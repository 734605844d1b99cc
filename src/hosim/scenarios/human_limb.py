"""A traumatic amputation (`amputation`): the residual thigh (transfemoral) or leg (transtibial) as a coronal
section along the limb, on 0-D or 2-D grids.

Coordinates in mm from the cut end of the (main) bone; x runs across the limb (lateral to the right), y
proximal. The section holds the bone (femur; or tibia and the shorter fibula) ending at the amputation
level, the muscle around it closed over the end (myodesis), and the main nerve of the limb cut with the
bone (sciatic or tibial), projected into the plane. It stands for a slab 80 mm deep, the middle of the limb;
the rounded end of the stump is drawn square. Brooker grades the hip, so a residual limb is not graded.

The injuries: on day 0 the trauma crushes the limb (a blast more widely) and, for a blast, raises systemic
inflammation; the amputation after `delay_days` cuts bone, muscle and nerve (the operation's necrosis,
haematoma and stress response in the distal residual limb). Amputated through the zone of injury, the
crushed tissue stays in the residual limb under the operation (two hits on the same tissue); above it, the
crushed tissue went with the amputated part and only the body-wide hit remains.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from hosim.biology import Tissue
from hosim.biology.parameters import ParameterSet
from hosim.scenarios.human_hip_surgery import fracture, surgery
from hosim.scenarios.human_section import MM, Frame, Nerve, PatientScenario, Zone, section_anatomy, tissue_regions
from hosim.scenarios.kit import Anatomy, Choice, Injury, Option

LIMB = Frame(-55.0, 55.0, -30.0, 150.0, 80.0)
# level -> bones as (x centre, half width, proximal from y) and the nerve (x, endoneurium radius)
LEVELS: dict[str, tuple[tuple[tuple[float, float, float], ...], Nerve]] = {
    "transfemoral": (((0.0, 14.0, 0.0),), Nerve(22.0, 4.0, -10.0, 150.0)),
    "transtibial": (((-12.0, 15.0, 0.0), (26.0, 6.0, 25.0)), Nerve(10.0, 2.5, -10.0, 150.0)),
}
STUMP: Zone = ((0.0, 0.0), (55.0, 35.0))  # the operation: the bone end, the muscle flaps closed over it
INJURED_ZONE: Zone = ((0.0, -10.0), (55.0, 70.0))  # crushed tissue left in the stump when cut through it
BLAST_SPREAD = 1.5  # a blast crushes the limb this much further up (assumption: blast zones reach higher)


@dataclass(frozen=True)
class ResidualLimb:
    """The residual limb at one level."""

    level: str
    periosteum_um: float = 100.0

    def section(self, h_um: float) -> dict[str, np.ndarray]:
        X, Y = LIMB.coordinates(h_um / MM)
        bones, nerve = LEVELS[self.level]
        bone = np.zeros(X.shape, bool)
        for cx, half, start in bones:
            bone |= (np.abs(X - cx) <= half) & (Y >= start)
        regions = tissue_regions(bone, np.zeros_like(bone), np.zeros_like(bone), [nerve], X, Y, h_um,
                                 self.periosteum_um)
        return {k: v[None].astype(np.float64) for k, v in regions.items()}


class Amputation(PatientScenario):
    """A traumatic amputation: the limb crushed on day 0, amputated after `delay_days`."""

    factor_options = {"transfemoral": ("level", "transfemoral"), "blast": ("blast", "yes"),
                      "zone-of-injury": ("zone_of_injury", "yes")}

    def __init__(self, name: str, description: str):
        self.name = name
        self.description = description
        self.options = {
            "level": Choice("transfemoral", tuple(LEVELS), "amputation level"),
            "blast": Choice("yes", ("yes", "no"), "a blast mechanism (wider crush, systemic inflammation)"),
            "zone_of_injury": Choice("yes", ("yes", "no"), "amputated through the zone of injury (the crushed "
                                     "tissue stays in the residual limb) or above it"),
            "delay_days": Option(3.0, 0.0, 21.0, "days", "days from the injury to the definitive amputation",
                                 "after debridement, within three weeks"),
        }

    def layout(self, options: Mapping[str, Any], dims: int, h: float) -> Anatomy:
        section = ResidualLimb(options["level"]).section(h)
        (cx, cy), (rx, ry) = INJURED_ZONE
        spread = BLAST_SPREAD if options["blast"] == "yes" else 1.0
        crushed = LIMB.ellipse(h, ((cx, cy), (rx, ry * spread)))
        zones = {"injection": LIMB.ellipse(h, STUMP),
                 "fracture": crushed if options["zone_of_injury"] == "yes" else np.zeros_like(crushed)}
        return section_anatomy(section, zones, dims, h, LIMB.slab_thickness_mm)

    def injuries(self, options: Mapping[str, Any]) -> list[Injury]:
        blast = [Injury(0.0, _blast, "blast")] if options["blast"] == "yes" else []
        return [*fracture("crush injury of the limb"), *blast,
                *surgery(f"{options['level']} amputation", day=options["delay_days"])]


def _blast(fields: Mapping, tissue: Tissue, parameters: ParameterSet) -> None:
    """A blast's polytrauma: systemic inflammation beyond the limb's own crush."""
    fields["systemic_inflammation"] += parameters.value("blast_inflammation")
