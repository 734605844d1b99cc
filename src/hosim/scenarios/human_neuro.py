"""Neurogenic HO at the hip of a person with a spinal cord injury (`sci`), and at the hip or the elbow of
a person with a brain injury or stroke (`tbi`), in the native hip section of human_hip.py or the elbow
section of human_elbow.py.

The two hits of the injury model: the central nervous system injury is the body-wide one (the acute neural
signal, which opens nerve barriers, raises sympathetic tone and drives the glucocorticoid response; below a
spinal lesion the limb is also denervated, and muscle regenerates less); the local one is repeated
micro-trauma of the muscles around the joint (passive range-of-motion exercise, transfers, spastic
contractions), every `micro_trauma_every_days`, in proportion to the limb's paralysis: these are hits a
paralysed limb takes (at the elbow, the spastic flexors in front of it). So HO can form only where both
reach: a hip above a spinal lesion (a low sacral one) moves on its own, takes no such micro-trauma, keeps
its innervation and regenerates normally. Infections
and pressure ulcers in the weeks after the injury (patient factors) add an episode of systemic inflammation,
which primes the macrophages where the micro-trauma leaves damage.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hosim.biology import Tissue
from hosim.biology.parameters import ParameterSet
from hosim.scenarios.human_elbow import elbow_layout
from hosim.scenarios.human_hip_surgery import NativeHip, Zone, brain_injury
from hosim.scenarios.injuries import micro_trauma, necrotize
from hosim.scenarios.kit import Anatomy, Choice, Injury, Option

HUMAN_SEGMENTS = tuple([f"C{k}" for k in range(1, 9)] + [f"T{k}" for k in range(1, 13)]
                       + [f"L{k}" for k in range(1, 6)] + [f"S{k}" for k in range(1, 6)])
SYMPATHETIC = range(HUMAN_SEGMENTS.index("T1"), HUMAN_SEGMENTS.index("L2") + 1)  # thoracolumbar outflow T1-L2
HIP_SEGMENTS = range(HUMAN_SEGMENTS.index("L2"), HUMAN_SEGMENTS.index("S2") + 1)  # lumbar and sacral plexus L2-S2
HIP_MUSCLES: Zone = ((8.0, -48.0), (14.0, 24.0))  # iliopsoas and adductors below the joint, projected
ELBOW_FLEXORS: Zone = ((17.5, 20.0), (7.5, 35.0))  # brachialis on the front of the distal humerus, to the coronoid


def below(level: str, segments: range) -> float:
    """The share of `segments` at or below a spinal lesion at `level`."""
    k = HUMAN_SEGMENTS.index(level)
    return sum(1 for s in segments if s >= k) / len(segments)


def paralysis_share(complete: bool, parameters: ParameterSet) -> float:
    """How much of a complete lesion's neural signal and denervation a lesion of this completeness has."""
    return 1.0 if complete else parameters.value("incomplete_sci_share")


def paralysed_micro_trauma(every_days: float, paralysed: float, complete: bool = True) -> list[Injury]:
    """Micro-trauma of the hip muscles every `every_days` (0: none), each episode killing the share
    micro_trauma_necrosis of the zone's muscle times the hip's paralysis: the share `paralysed` of its plexus
    below the lesion, less for an incomplete lesion."""
    episodes = micro_trauma(every_days)  # checks every_days
    if paralysed == 0:
        return []

    def injure(fields: Mapping, tissue: Tissue, parameters: ParameterSet) -> None:
        share = paralysed * paralysis_share(complete, parameters)
        necrotize(fields, tissue.region("injection"), share * parameters.value("micro_trauma_necrosis"))

    return [Injury(e.day, injure, "micro-trauma of the paralysed hip") for e in episodes]


def complications(day: float) -> list[Injury]:
    """The complications of the weeks after the injury that the patient has (infections, pressure ulcers,
    as patient factors): their systemic inflammation, complication_inflammation (0 without any), on `day`."""

    def inflame(fields: Mapping, tissue: Tissue, parameters: ParameterSet) -> None:
        fields["systemic_inflammation"] += parameters.value("complication_inflammation")

    return [Injury(day, inflame, "complications (infection, pressure ulcer) if the patient has them")]


def human_sci(level: str, complete: bool, day: float = 0.0) -> list[Injury]:
    """A spinal cord injury at `level`: the neural signal of the sympathetic outflow below it, body-wide,
    and the hip's plexus segments below it denervated (less of each for an incomplete lesion)."""

    def injure(fields: Mapping, tissue: Tissue, parameters: ParameterSet) -> None:
        scale = paralysis_share(complete, parameters)
        fields["neural_injury"] += scale * below(level, SYMPATHETIC)
        fields["denervation"][...] = scale * below(level, HIP_SEGMENTS)

    kind = "complete" if complete else "incomplete"
    return [Injury(day, injure, f"{kind} spinal cord injury at {level}")]


class NeuroHip(NativeHip):
    """A native hip with micro-trauma of the muscles below the joint; not operated on."""

    def zones(self, options):
        return {"injection": HIP_MUSCLES}


def micro_trauma_days_option() -> Option:
    return Option(7.0, 0.0, 60.0, "days", "days between episodes of micro-trauma of the hip muscles (range-of-motion "
                  "exercise, transfers, spastic contractions); 0: none")


class SpinalCordInjury(NeuroHip):
    """The hip below (or above) a spinal cord injury."""

    factor_options = {"complete-injury": ("completeness", "complete")}

    def __init__(self, name: str, description: str):
        self.name = name
        self.description = description
        self.options = {
            "level": Choice("T6", HUMAN_SEGMENTS, "neurological level of the lesion (C1-S5)"),
            "completeness": Choice("complete", ("complete", "incomplete"), "ASIA A (complete) or B-D (incomplete)"),
            "micro_trauma_every_days": micro_trauma_days_option(),
            "complication_day": Option(14.0, 1.0, 120.0, "days", "day of the infection or pressure ulcer that "
                                       "the factors uti, pneumonia and pressure-ulcer add (pneumonia mostly in "
                                       "acute care, UTIs and ulcers through rehabilitation)"),
        }

    def injuries(self, options):
        complete = options["completeness"] == "complete"
        return [*human_sci(options["level"], complete),
                *paralysed_micro_trauma(options["micro_trauma_every_days"], below(options["level"], HIP_SEGMENTS),
                                        complete),
                *complications(options["complication_day"])]


def paroxysms(days: float) -> list[Injury]:
    """Paroxysmal sympathetic hyperactivity, if the patient has it: the neural signal storm_signal (0
    without it) added every day from day 1 to `days`."""

    def storm(fields: Mapping, tissue: Tissue, parameters: ParameterSet) -> None:
        fields["neural_injury"] += parameters.value("storm_signal")

    return [Injury(float(day), storm, "paroxysm of sympathetic hyperactivity if the patient has them")
            for day in range(1, int(days) + 1)]


class BrainInjury(NeuroHip):
    """The hip or the elbow on the affected (spastic) side after a traumatic brain injury or a stroke."""

    def __init__(self, name: str, description: str):
        self.name = name
        self.description = description
        self.options = {
            "site": Choice("hip", ("hip", "elbow"), "the joint on the affected side: the hip (micro-trauma of the "
                           "muscles below it) or the elbow (of the spastic flexors in front of it)"),
            "cause": Choice("tbi", ("tbi", "stroke"), "traumatic brain injury or stroke"),
            "severity": Choice("severe", ("moderate", "severe"), "of a brain injury: moderate (GCS 9-12) or severe "
                               "(GCS 3-8); a stroke has its own signal and ignores it"),
            "micro_trauma_every_days": micro_trauma_days_option(),
            "storm_days": Option(21.0, 0.0, 180.0, "days", "days the daily paroxysms of the factor "
                                 "autonomic-dysregulation recur (weeks to months; Meyfroidt 2017)"),
        }

    def joint_of(self, options: Mapping[str, Any]) -> str:
        return options["site"]

    def layout(self, options: Mapping[str, Any], dims: int, h: float) -> Anatomy:
        if options["site"] == "hip":
            return super().layout(options, dims, h)
        return elbow_layout({"injection": [ELBOW_FLEXORS]}, dims, h)

    def injuries(self, options):
        kind = "stroke" if options["cause"] == "stroke" else options["severity"]
        return [*brain_injury(kind), *paralysed_micro_trauma(options["micro_trauma_every_days"], 1.0),
                *paroxysms(options["storm_days"])]
