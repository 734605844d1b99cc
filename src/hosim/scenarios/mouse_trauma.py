"""Mouse muscle injuries without injected BMP2 (targets/mouse_injury.toml): cardiotoxin or a crush in the
hind limb, alone or with a spinal cord transection and repeated micro-trauma, in the wild type or (run
with -i acvr1-r206h) the FOP mouse. The limb is that of the AdBMP2 model (mouse_hindlimb.py); its "injection" region is where the
toxin is injected or the muscle crushed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hosim.scenarios.injuries import (
    limb_option,
    micro_trauma,
    micro_trauma_option,
    muscle_injury,
    muscle_injury_option,
    sci_option,
    spinal_cord_injury,
)
from hosim.scenarios.kit import Anatomy, Injury, Option, TissueScenario
from hosim.scenarios.mouse_hindlimb import HindLimb, hindlimb_anatomy


class MouseMuscleInjury(TissueScenario):
    """A local muscle injury (cardiotoxin, crush or none) with or without a spinal cord transection."""

    species = "mouse"

    def __init__(self, name: str, description: str, injury: str, sci_level: int):
        self.name = name
        self.description = description
        limb = HindLimb()
        radius = limb.injection_radius_um
        self.options = {
            "muscle_injury": muscle_injury_option(injury),
            "sci_level": sci_option(sci_level),
            "limb": limb_option(),
            "micro_trauma_every_days": micro_trauma_option(),
            "injury_distance_um": Option(
                limb.injection_distance_um, radius, 5000.0, "um", "from the periosteal surface to the injured zone's "
                "centre", f"the injured zone of radius {radius:g} um must not overlap the periosteum"),
            "slab_thickness_um": Option(limb.slab_thickness_um, 50.0, 5000.0, "um",
                                        "the limb length a 2-D section stands for (and the injured zone's length in 3-D)"),
        }

    def layout(self, options: Mapping[str, Any], dims: int, h: float) -> Anatomy:
        limb = HindLimb(injection_distance_um=options["injury_distance_um"],
                        slab_thickness_um=options["slab_thickness_um"])
        return hindlimb_anatomy(limb, dims, h)

    def injuries(self, options: Mapping[str, Any]) -> list[Injury]:
        return [*muscle_injury(options["muscle_injury"]), *spinal_cord_injury(int(options["sci_level"]), options["limb"]),
                *micro_trauma(options["micro_trauma_every_days"])]
