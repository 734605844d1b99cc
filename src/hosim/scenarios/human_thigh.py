"""Human muscle injuries without an operation: a contusion (`muscle-contusion`, myositis ossificans) of the
quadriceps in the hip section of human_hip.py or of brachialis in the elbow section of human_elbow.py, and
a flare-up of fibrodysplasia ossificans progressiva (`fop-flare`) in the thigh after an intramuscular
injection, a contusion or a viral illness.

The injured zone is the vastus lateralis and intermedius beside the femoral shaft (projected into the
coronal section). A contusion is the model's crush (few fibres die, capillaries tear, a haematoma clots);
an injection a needle track; a viral illness only systemic inflammation. The FOP genotype is the
scenario's own: every fop-flare patient carries ACVR1 R206H.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hosim.biology import Tissue
from hosim.biology.parameters import ParameterSet
from hosim.scenarios.human_elbow import elbow_layout
from hosim.scenarios.human_hip_surgery import NativeHip
from hosim.scenarios.human_section import Zone
from hosim.scenarios.injuries import muscle_injury, necrotize
from hosim.scenarios.kit import Anatomy, Choice, Injury

# The contused quadriceps beside the femoral shaft, by the size of the haematoma (mild to severe).
CONTUSIONS: dict[str, Zone] = {
    "mild": ((70.0, -95.0), (7.0, 12.0)),
    "moderate": ((71.0, -95.0), (10.0, 18.0)),
    "severe": ((72.0, -95.0), (14.0, 26.0)),
}
# The contused brachialis in front of the distal humerus (the elbow section), by size.
BRACHIALIS_CONTUSIONS: dict[str, Zone] = {
    "mild": ((20.0, 10.0), (5.0, 8.0)),
    "moderate": ((20.0, 8.0), (7.0, 12.0)),
    "severe": ((20.0, 6.0), (10.0, 18.0)),
}
INJECTION: Zone = ((70.0, -95.0), (3.0, 6.0))  # an intramuscular injection's needle track and bolus
FOP_TRIGGERS = ("injection", "contusion", "viral")


class ThighScenario(NativeHip):
    """A native hip and thigh with one injured zone in the quadriceps (not graded: the zone lies along the
    shaft, away from the joint)."""

    joint = ""


class MuscleContusion(ThighScenario):
    """A blunt impact: a contusion of the quadriceps (hip section) or of brachialis (elbow section)."""

    def __init__(self, name: str, description: str):
        self.name = name
        self.description = description
        self.options = {
            "site": Choice("quadriceps", ("quadriceps", "brachialis"), "the contused muscle: quadriceps beside the "
                           "femur (thigh) or brachialis in front of the distal humerus (elbow)"),
            "severity": Choice("severe", tuple(CONTUSIONS), "size of the contusion and its haematoma (severe: knee "
                               "flexion under 45 degrees at 24 h, the myositis ossificans risk group)"),
        }

    def zones(self, options):
        return {"injection": CONTUSIONS[options["severity"]]}

    def layout(self, options: Mapping[str, Any], dims: int, h: float) -> Anatomy:
        if options["site"] == "quadriceps":
            return super().layout(options, dims, h)
        return elbow_layout({"injection": [BRACHIALIS_CONTUSIONS[options["severity"]]]}, dims, h)

    def injuries(self, options):
        return muscle_injury("crush")


class FopFlare(ThighScenario):
    """A flare-up in a person with FOP (ACVR1 R206H) after a trigger in the thigh or body-wide."""

    genotype = {"acvr1_r206h": 1.0}

    def __init__(self, name: str, description: str):
        self.name = name
        self.description = description
        self.options = {"trigger": Choice("contusion", FOP_TRIGGERS, "what sets off the flare-up: an intramuscular "
                                          "injection, a contusion (a bump or fall), or a viral illness")}

    def zones(self, options):
        return {"injection": INJECTION if options["trigger"] == "injection" else CONTUSIONS["moderate"]}

    def injuries(self, options):
        trigger = options["trigger"]
        if trigger == "contusion":
            return muscle_injury("crush")
        if trigger == "injection":
            return [Injury(0.0, _needle, "intramuscular injection")]
        return [Injury(0.0, _viral_illness, "viral illness")]


def _needle(fields: Mapping, tissue: Tissue, parameters: ParameterSet) -> None:
    """A needle and a small bolus: the fibres along the track and some the injected fluid reaches die
    (needle_necrosis), a little blood clots."""
    p = parameters.namespace()
    zone = tissue.region("injection")
    necrotize(fields, zone, p.needle_necrosis)
    fields["fibrin"] += p.injury_fibrin * zone


def _viral_illness(fields: Mapping, tissue: Tissue, parameters: ParameterSet) -> None:
    fields["systemic_inflammation"] += parameters.value("viral_inflammation")
