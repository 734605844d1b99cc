"""Mouse muscle injuries without injected BMP2 (targets/mouse_injury.toml): cardiotoxin or a crush in the
hind limb, alone or with a spinal cord transection and repeated micro-trauma, in the wild type or (run
with -i acvr1-r206h) the FOP mouse. The limb is that of the AdBMP2 model (mouse_hindlimb.py); its
"injection" region is where the toxin is injected or the muscle crushed.
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
from hosim.scenarios.kit import Anatomy, Injury, TissueScenario
from hosim.scenarios.mouse_hindlimb import placed_anatomy, placement_options


class MouseMuscleInjury(TissueScenario):
    """A local muscle injury (cardiotoxin, crush or none) with or without a spinal cord transection."""

    species = "mouse"

    def __init__(self, name: str, description: str, injury: str, sci_level: int):
        self.name = name
        self.description = description
        self.options = {
            "muscle_injury": muscle_injury_option(injury),
            "sci_level": sci_option(sci_level),
            "limb": limb_option(),
            "micro_trauma_every_days": micro_trauma_option(),
            **placement_options("injury_distance_um", "injured zone"),
        }

    def layout(self, options: Mapping[str, Any], dims: int, h: float) -> Anatomy:
        return placed_anatomy(options, "injury_distance_um", dims, h)

    def injuries(self, options: Mapping[str, Any]) -> list[Injury]:
        return [*muscle_injury(options["muscle_injury"]), *spinal_cord_injury(int(options["sci_level"]), options["limb"]),
                *micro_trauma(options["micro_trauma_every_days"])]
