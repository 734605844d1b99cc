"""The mouse burn/tenotomy model of trauma-induced HO (targets/mouse_injury.toml [burn_tenotomy]): a
mid-substance Achilles tenotomy with, or without, a 30% body-surface dorsal burn (Peterson 2015 JoVE 52880;
HO over 5-9 weeks through a cartilage stage).

The limb is that of the AdBMP2 model (mouse_hindlimb.py) with the tendon in place of the bolus: a
hypovascular disc of tendon in muscle, between the bone and a nerve; its "injection" region is the cut
stump. The burn is elsewhere on the body and acts through systemic inflammation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hosim.biology import Tissue
from hosim.biology.parameters import ParameterSet
from hosim.scenarios.injuries import burn, burn_option
from hosim.scenarios.kit import Anatomy, Injury, TissueScenario
from hosim.scenarios.mouse_hindlimb import placed_anatomy, placement_options


def with_tendon(anatomy: Anatomy) -> Anatomy:
    """The limb's bolus region relabelled as tendon (no longer muscle); it stays the injured zone."""
    regions = dict(anatomy.regions)
    regions["tendon"] = regions["injection"].copy()
    regions["muscle"] = regions["muscle"] - regions["tendon"]
    return Anatomy(anatomy.shape, regions, anatomy.slab_thickness_um, anatomy.volume_um3)


def tenotomy(day: float = 0.0) -> list[Injury]:
    """A sharp transection of the tendon: necrosis at the stump, torn vessels and a haematoma."""

    def injure(fields: Mapping, tissue: Tissue, parameters: ParameterSet) -> None:
        p = parameters.namespace()
        stump = tissue.region("tendon")  # the cut runs through the whole tendon disc (the injured zone)
        fields["necrosis"] += p.tenotomy_necrosis * stump
        fields["fibrin"] += p.injury_fibrin * stump
        fields["vessels"] *= 1.0 - p.crush_vessel_loss * stump

    return [Injury(day, injure, "Achilles tenotomy")]


class MouseTenotomy(TissueScenario):
    """Achilles tenotomy, with a burn of `burn_area` % of the body surface (0: the tenotomy alone)."""

    species = "mouse"
    default_days = 63.0  # HO is read at weeks 5 and 9
    snapshot_days = (0, 3, 7, 14, 21, 35, 49, 63)
    sample_interval_day = 0.25

    def __init__(self, name: str, description: str, burn_area: float):
        self.name = name
        self.description = description
        self.options = {
            "burn_area": burn_option(burn_area),
            **placement_options("tendon_distance_um", "tendon"),
        }

    def layout(self, options: Mapping[str, Any], dims: int, h: float) -> Anatomy:
        return with_tendon(placed_anatomy(options, "tendon_distance_um", dims, h))

    def injuries(self, options: Mapping[str, Any]) -> list[Injury]:
        return [*tenotomy(), *burn(options["burn_area"])]
