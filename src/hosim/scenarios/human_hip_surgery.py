"""Human hip injuries and operations in the hip section of human_hip.py: total hip arthroplasty (`tha`), a
femoral neck fracture fixed or replaced (`hip-fracture`) and an acetabular fracture fixed through one of
its approaches (`acetabular-fracture`), optionally with a brain injury.

Each is made of the injuries of the model, with nothing set per outcome: an approach kills part of the
muscle it passes through and the capsule it opens (surgical_necrosis), tears capillaries and leaves a
haematoma (fibrin); a fracture crushes the tissue around it and bleeds; both raise systemic inflammation
(the stress response), which primes macrophages and drives the glucocorticoid response; a brain injury adds
the acute neural signal. What follows is the cascade's, at the human cell tempo.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from hosim.biology import Tissue
from hosim.biology.parameters import ParameterSet
from hosim.scenarios.human_hip import Hip, hip_section
from hosim.scenarios.human_section import PatientScenario, Zone, section_anatomy
from hosim.scenarios.injuries import crush, necrotize
from hosim.scenarios.kit import Anatomy, Choice, Injury, Option

# The muscle each approach passes through (projected into the coronal section): the direct lateral
# (Hardinge) splits gluteus medius and vastus lateralis over the greater trochanter; the posterior detaches
# the short external rotators behind the neck and trochanter; the direct anterior passes between tensor
# fasciae latae and sartorius in front of the neck.
HIP_APPROACHES: dict[str, Zone] = {
    "lateral": ((60.0, -20.0), (16.0, 42.0)),
    "posterior": ((38.0, -48.0), (14.0, 24.0)),
    "anterior": ((18.0, -52.0), (11.0, 20.0)),
}
# Fixation of a femoral neck fracture (screws or a sliding hip screw) through a lateral incision that splits
# vastus lateralis below the greater trochanter.
FIXATION_APPROACH: Zone = ((62.0, -62.0), (10.0, 24.0))
# Acetabular approaches: Kocher-Langenbeck (posterior: gluteus maximus split, abductors retracted off the
# posterior column), extended iliofemoral (the abductors stripped off the outer iliac wing) and ilioinguinal
# (inside the pelvis: iliacus lifted off the inner iliac fossa, no abductor dissection).
ACETABULAR_APPROACHES: dict[str, Zone] = {
    "kocher-langenbeck": ((46.0, 6.0), (14.0, 30.0)),
    "extended-iliofemoral": ((54.0, 26.0), (16.0, 40.0)),
    "ilioinguinal": ((-40.0, 36.0), (14.0, 22.0)),
}
NECK_FRACTURE: Zone = ((21.0, -18.0), (11.0, 11.0))  # around the neck; its haematoma stays inside the capsule
ACETABULAR_FRACTURE: Zone = ((34.0, 12.0), (10.0, 14.0))  # behind the posterior wall and rim
BRAIN_INJURIES = ("none", "moderate", "severe")  # GCS 9-12 and 3-8


class HipScenario(PatientScenario):
    """A patient scenario in the hip section: its injured zones, an arthroplasty or not, the capsule opened
    or not; graded like a radiograph."""

    joint = "hip"

    def zones(self, options: Mapping[str, Any]) -> dict[str, Zone]:
        """Injured zones: "injection" (the operation's) and others (a fracture)."""
        raise NotImplementedError

    def replaced(self, options: Mapping[str, Any]) -> bool:
        """Whether the section shows an arthroplasty."""
        return False

    def opens_capsule(self, options: Mapping[str, Any]) -> bool:
        """Whether the operation opens the joint capsule (then the capsule belongs to its injured zone)."""
        return True

    def inside_capsule(self, options: Mapping[str, Any]) -> tuple[str, ...]:
        """Injured zones that stay inside the joint capsule (an intracapsular fracture's bleeding)."""
        return ()

    def layout(self, options: Mapping[str, Any], dims: int, h: float) -> Anatomy:
        hip = Hip()
        section = hip_section(hip, h, self.replaced(options))
        zones = {name: hip.frame.ellipse(h, zone) * (section["tendon"] if name in self.inside_capsule(options) else 1.0)
                 for name, zone in self.zones(options).items()}
        if self.opens_capsule(options):
            zones["injection"] = np.maximum(zones["injection"], section["tendon"])
        return section_anatomy(section, zones, dims, h, hip.slab_thickness_mm)


class NativeHip(HipScenario):
    """A hip that is not operated on: no implant, the capsule closed; the injured zones are the scenario's."""

    def opens_capsule(self, options):
        return False


class TotalHipArthroplasty(HipScenario):
    """An elective total hip arthroplasty through one approach: the approach zone and the capsule injured."""

    def __init__(self, name: str, description: str, approach: str = "posterior"):
        self.name = name
        self.description = description
        self.options = {"approach": Choice(approach, tuple(HIP_APPROACHES), "surgical approach: lateral (direct "
                                           "lateral, through the abductors), posterior or anterior (direct anterior)")}

    def zones(self, options):
        return {"injection": HIP_APPROACHES[options["approach"]]}

    def replaced(self, options):
        return True

    def injuries(self, options):
        return surgery("total hip arthroplasty")


class HipFracture(HipScenario):
    """A femoral neck fracture on day 0, operated on after `delay_days`: fixed through a lateral incision or
    replaced through a posterior approach."""

    def __init__(self, name: str, description: str):
        self.name = name
        self.description = description
        self.options = {
            "treatment": Choice("arthroplasty", ("arthroplasty", "fixation"), "arthroplasty (the neck and head "
                                "replaced through a posterior approach; drawn as a total hip) or fixation (screws or "
                                "a sliding hip screw through a lateral incision; the head kept)"),
            "delay_days": Option(1.0, 0.0, 14.0, "days", "days from the fracture to the operation",
                                 "surgery within two weeks of the fracture"),
        }

    def zones(self, options):
        approach = HIP_APPROACHES["posterior"] if options["treatment"] == "arthroplasty" else FIXATION_APPROACH
        return {"injection": approach, "fracture": NECK_FRACTURE}

    def replaced(self, options):
        return options["treatment"] == "arthroplasty"

    def opens_capsule(self, options):
        return options["treatment"] == "arthroplasty"

    def inside_capsule(self, options):
        # the neck lies inside the capsule: its haemarthrosis stays there (a few mL at up to 68 mmHg; Clin Orthop
        # Relat Res 1984;182:172, doi 10.1097/00003086-198401000-00022) and crushes no muscle
        return ("fracture",)

    def injuries(self, options):
        fixed = options["treatment"] == "fixation"  # a muscle split, not a joint opened and retracted for hours
        return [*fracture("femoral neck fracture"),
                *surgery(f"hip {options['treatment']}", day=options["delay_days"],
                         extent="fixation_muscle_injury" if fixed else None)]


class AcetabularFracture(HipScenario):
    """An acetabular fracture on day 0 with an open reduction and fixation through one approach after
    `delay_days`, with or without a brain injury on the same day."""

    def __init__(self, name: str, description: str):
        self.name = name
        self.description = description
        self.options = {
            "approach": Choice("kocher-langenbeck", tuple(ACETABULAR_APPROACHES), "surgical approach"),
            "brain_injury": Choice("none", BRAIN_INJURIES, "a brain injury on the day of the fracture: none, "
                                   "moderate (GCS 9-12) or severe (GCS 3-8)"),
            "delay_days": Option(3.0, 0.0, 21.0, "days", "days from the fracture to the operation",
                                 "acetabular fixation within three weeks"),
        }

    def zones(self, options):
        return {"injection": ACETABULAR_APPROACHES[options["approach"]], "fracture": ACETABULAR_FRACTURE}

    def injuries(self, options):
        return [*fracture("acetabular fracture"), *brain_injury(options["brain_injury"]),
                *surgery(f"acetabular fixation ({options['approach']})", day=options["delay_days"])]


def surgery(what: str, day: float = 0.0, region: str = "injection", extent: str | None = None) -> list[Injury]:
    """An open operation: necrosis, torn capillaries and a haematoma in the injured zone (muscle and capsule
    alike), and the surgical stress response body-wide. `extent`: the parameter giving the operation's muscle
    necrosis as a fraction of an arthroplasty approach's (None: a full approach)."""

    def injure(fields: Mapping, tissue: Tissue, parameters: ParameterSet) -> None:
        p = parameters.namespace()
        zone = tissue.region(region)
        necrosis = p.surgical_necrosis * (1.0 if extent is None else parameters.value(extent))
        necrotize(fields, zone, necrosis)
        # the capsule lies inside the opened zone: min() is that overlap on a grid and in a 0-D compartment
        fields["necrosis"] += necrosis * np.minimum(tissue.region("tendon"), zone)
        fields["fibrin"] += p.injury_fibrin * zone
        fields["vessels"] *= 1.0 - p.crush_vessel_loss * zone
        fields["systemic_inflammation"] += p.surgery_inflammation

    return [Injury(day, injure, what)]


def fracture(what: str, day: float = 0.0, region: str = "fracture") -> list[Injury]:
    """A closed fracture: the soft tissue around it crushed (few fibres die, capillaries tear, a haematoma
    clots) and the trauma's stress response body-wide."""

    def injure(fields: Mapping, tissue: Tissue, parameters: ParameterSet) -> None:
        p = parameters.namespace()
        crush(fields, tissue.region(region), p)
        fields["systemic_inflammation"] += p.fracture_inflammation

    return [Injury(day, injure, what)]


# A brain injury's acute neural signal relative to a severe one's (brain_injury_signal), by parameter.
BRAIN_INJURY_SHARE = {"moderate": "moderate_brain_injury_share", "stroke": "stroke_neural_share"}


def brain_injury(kind: str, day: float = 0.0) -> list[Injury]:
    """A brain injury ("none", "moderate", "severe") or a stroke: the acute neural injury signal, body-wide."""
    if kind == "none":
        return []

    def injure(fields: Mapping, tissue: Tissue, parameters: ParameterSet) -> None:
        share = parameters.value(BRAIN_INJURY_SHARE[kind]) if kind in BRAIN_INJURY_SHARE else 1.0
        fields["neural_injury"] += share * parameters.value("brain_injury_signal")

    return [Injury(day, injure, "stroke" if kind == "stroke" else f"{kind} brain injury")]
