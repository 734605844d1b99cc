"""The adult human elbow as a lateral (sagittal) section, on 0-D or 2-D grids, and its injuries: elbow trauma
(`elbow-trauma`: dislocation, terrible triad, distal humerus fracture, floating elbow) and burns (`burns`:
a burn of a share of the body surface: deep over the elbow and grafted, or partial-thickness there and left to heal).

Coordinates in mm from the centre of the trochlea; x runs anterior, y proximal (a lateral radiograph with
the front to the right). The section holds the distal humerus (shaft, supracondylar flare, trochlea), the
proximal ulna (olecranon, trochlear notch, coronoid, shaft), the radial head and shaft (projected), the
joint capsule, brachialis in front of the humerus, triceps behind it, and the median, radial and ulnar
nerves projected into the plane. It stands for a slab 40 mm wide, the middle of the joint. A 2-D run is
graded like a lateral radiograph: the humerus on one side of the joint, ulna and radius on the other, read as
the radiographic part of Hastings and Graham's class (III: bone bridges the joint; I-II: it shows without a
bridge, the range of motion telling I from II).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import ndimage

from hosim.biology import Tissue
from hosim.biology.parameters import ParameterSet
from hosim.scenarios.human_hip_surgery import fracture, surgery
from hosim.scenarios.human_section import MM, Frame, Nerve, PatientScenario, Zone, section_anatomy, tissue_regions
from hosim.scenarios.injuries import burn, crush, muscle_injury
from hosim.scenarios.kit import Anatomy, Choice, Injury, Option


@dataclass(frozen=True)
class Elbow:
    """Sizes in mm (adult)."""

    frame: Frame = Frame(-45.0, 55.0, -100.0, 90.0, 40.0)
    trochlea_radius: float = 11.0
    joint_space: float = 2.5
    humerus_half_width: float = 10.0
    capsule: float = 4.0
    periosteum_um: float = 100.0
    nerves: tuple[Nerve, ...] = (Nerve(32.0, 2.0, -100.0, 90.0), Nerve(22.0, 1.5, -40.0, 90.0),
                                 Nerve(-22.0, 1.5, 20.0, 90.0))  # median, radial, ulnar


def elbow_section(g: Elbow, h_um: float) -> dict[str, np.ndarray]:
    """Every region of the section (float fractions shaped (1, ny, nx))."""
    h = h_um / MM
    X, Y = g.frame.coordinates(h)
    r = np.hypot(X, Y)
    humerus = (r <= g.trochlea_radius) | ((np.abs(X) <= g.humerus_half_width) & (Y >= 20.0)) | \
        ((np.abs(X) <= 13.0) & (Y >= 0.0) & (Y < 20.0))
    notch = (r >= g.trochlea_radius + g.joint_space) & (r <= 24.0) & (Y <= 14.0) & ~((X > 0.0) & (Y > -6.0))
    ulna = notch | ((np.abs(X + 2.0) <= 8.0) & (Y <= -12.0) & (Y >= -100.0))
    ulna &= ~((X > 17.0) & (Y > -20.0))
    radius = ((X >= 4.0) & (X <= 18.0) & (Y >= -32.0) & (Y <= -17.0)) | ((np.abs(X - 10.0) <= 5.0) & (Y < -32.0))
    radius &= ~ulna
    bone = humerus | ulna | radius
    joint = ndimage.distance_transform_edt(~(r <= g.trochlea_radius + g.joint_space), sampling=h)
    capsule = (joint <= g.capsule) & ~bone & (r <= 28.0)
    regions = tissue_regions(bone, np.zeros_like(bone), capsule, list(g.nerves), X, Y, h_um, g.periosteum_um)
    regions.update(humerus=humerus * 1.0, ulna=ulna * 1.0, radius=radius * 1.0)
    return {k: v[None].astype(np.float64) for k, v in regions.items()}


# Zones of the section (ellipses, mm): where each injury tears or breaks, and where each operation goes in.
BRACHIALIS_TEAR: Zone = ((20.0, 4.0), (10.0, 18.0))
RADIAL_HEAD_AND_CORONOID: Zone = ((14.0, -18.0), (9.0, 10.0))
LATERAL_APPROACH: Zone = ((14.0, -20.0), (12.0, 16.0))  # Kocher interval over the radial head, projected
DISTAL_HUMERUS: Zone = ((0.0, 16.0), (17.0, 14.0))
POSTERIOR_APPROACH: Zone = ((-20.0, 22.0), (10.0, 32.0))  # triceps split or olecranon osteotomy
HUMERAL_SHAFT: Zone = ((0.0, 58.0), (15.0, 14.0))
FOREARM_SHAFTS: Zone = ((5.0, -70.0), (15.0, 14.0))
BURNED_SURFACE: Zone = ((-45.0, 0.0), (8.0, 60.0))  # the fascia and muscle under the burned skin behind the elbow

# injury -> (torn or broken zones, fractures, operated zones): the joint capsule tears in each.
ELBOW_INJURIES: dict[str, tuple[Sequence[Zone], Sequence[Zone], Sequence[Zone]]] = {
    "dislocation": ([BRACHIALIS_TEAR], [], []),
    "terrible-triad": ([BRACHIALIS_TEAR], [RADIAL_HEAD_AND_CORONOID], [LATERAL_APPROACH]),
    "distal-humerus": ([], [DISTAL_HUMERUS], [POSTERIOR_APPROACH]),
    "floating-elbow": ([], [HUMERAL_SHAFT, FOREARM_SHAFTS], [HUMERAL_SHAFT, FOREARM_SHAFTS]),
}


def elbow_layout(zones: Mapping[str, Sequence[Zone]], dims: int, h: float, open_capsule: bool = False) -> Anatomy:
    """The elbow section with its injured zones (name -> ellipses; "injection" the main one); an injury that
    opens the capsule puts it in the main zone and the tear."""
    elbow = Elbow()
    section = elbow_section(elbow, h)
    empty = np.zeros_like(section["muscle"])
    masks = {name: np.maximum.reduce([elbow.frame.ellipse(h, z) for z in parts] + [empty])
             for name, parts in zones.items()}
    if open_capsule:
        for name in ("injection", "tear"):
            masks[name] = np.maximum(masks[name], section["tendon"])
    return section_anatomy(section, masks, dims, h, elbow.frame.slab_thickness_mm)


class ElbowScenario(PatientScenario):
    """A patient scenario in the elbow section, graded like a lateral radiograph (Hastings-Graham)."""

    joint = "elbow"

    def opens_capsule(self, options: Mapping[str, Any]) -> bool:
        """Whether the injury tears the joint capsule (then it belongs to the torn and operated zones)."""
        return True

    def zones(self, options: Mapping[str, Any]) -> dict[str, Sequence[Zone]]:
        """Injured zones, each a union of ellipses: "injection" (the main one) and overlays."""
        raise NotImplementedError

    def layout(self, options: Mapping[str, Any], dims: int, h: float) -> Anatomy:
        return elbow_layout(self.zones(options), dims, h, self.opens_capsule(options))


class ElbowTrauma(ElbowScenario):
    """An elbow injury on day 0; the fractures of it fixed after `delay_days`."""

    # the risk's injury patterns; its "dislocation" factor is a fracture-dislocation, not the simple one here
    factor_options = {name: ("injury", name) for name in ("terrible-triad", "distal-humerus", "floating-elbow")}

    def __init__(self, name: str, description: str):
        self.name = name
        self.description = description
        self.options = {
            "injury": Choice("terrible-triad", tuple(ELBOW_INJURIES), "dislocation (capsule and brachialis torn), "
                             "terrible triad (dislocation with radial head and coronoid fractures, fixed through a "
                             "lateral approach), distal humerus fracture (fixed through a posterior approach), "
                             "floating elbow (humeral and forearm shaft fractures, both fixed)"),
            "delay_days": Option(2.0, 0.0, 21.0, "days", "days from the injury to the operation (if any)",
                                 "fixation within three weeks"),
        }

    def zones(self, options):
        torn, broken, operated = ELBOW_INJURIES[options["injury"]]
        return {"injection": [*torn, *operated], "tear": torn, "fracture": broken}

    def injuries(self, options):
        torn, broken, operated = ELBOW_INJURIES[options["injury"]]
        injuries = muscle_injury("crush", region="tear")  # the capsule and any torn muscle
        if broken:
            injuries += fracture(f"{options['injury']} fractures")
        if operated:
            injuries += surgery(f"{options['injury']} fixation", day=options["delay_days"])
        return injuries


class Burns(ElbowScenario):
    """A burn of `tbsa` % of the body surface including the skin behind the elbow, with that skin excised
    and grafted on `graft_day` or left to heal."""

    factor_options = {"arm-graft": ("grafted", "yes")}

    def __init__(self, name: str, description: str):
        self.name = name
        self.description = description
        self.options = {
            "tbsa": Option(40.0, 1.0, 90.0, "% body surface", "total burned body surface",
                           "burns over 90% are rarely survived"),
            "grafted": Choice("yes", ("yes", "no"), "yes: a deep burn over the elbow (through the dermis into the "
                              "fascia), excised and grafted; no: a partial-thickness burn there, left to heal"),
            "graft_day": Option(7.0, 1.0, 28.0, "days", "day of excision and grafting", "early excision"),
        }

    def opens_capsule(self, options):
        return False

    def zones(self, options):
        return {"injection": [BURNED_SURFACE], "tear": [], "fracture": []}

    def injuries(self, options):
        # A burn is grafted when it is too deep to heal from the dermis's own appendages in about three weeks
        # (deep partial or full thickness; Jeschke 2020 Nat Rev Dis Primers 6:11): only such a burn reaches
        # below the skin. A partial-thickness burn heals without harm to the fascia and muscle beneath it.
        # (Levi 2015 J Trauma Acute Care Surg 79:870: 96 of 98 burn patients with HO had arm grafts.)
        if options["grafted"] == "no":
            return burn(options["tbsa"])
        return [*burn(options["tbsa"]), Injury(0.0, _deep_burn, "deep burn of the skin behind the elbow"),
                *excision_and_graft(options["graft_day"])]


def excision_and_graft(day: float) -> list[Injury]:
    """Tangential excision of the burned skin down to bleeding, viable tissue and a skin graft on the bed
    (Janzekovic 1970 J Trauma 10:1103): a haematoma under the graft and the operation's stress response; no
    muscle is cut (the excision stops above the fascia, unlike an approach to a joint)."""

    def injure(fields: Mapping, tissue: Tissue, parameters: ParameterSet) -> None:
        p = parameters.namespace()
        fields["fibrin"] += p.injury_fibrin * tissue.region("injection")
        fields["systemic_inflammation"] += p.surgery_inflammation

    return [Injury(day, injure, "excision and grafting")]


def _deep_burn(fields: Mapping, tissue: Tissue, parameters: ParameterSet) -> None:
    """Heat through the skin: part of the fascia and muscle beneath dies (as in a crush), vessels clot,
    no haematoma forms."""
    crush(fields, tissue.region("injection"), parameters.namespace(), clot=False)
