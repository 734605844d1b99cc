"""The injuries scenarios combine, each a change of the tissue or the body at one moment (docs/model.md,
"Injury without injected BMP2"). Local injuries act on a zone (voxel weights of a layout region); body-wide
ones on the compartments. None sets an outcome: what follows is the cascade's.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from hosim.biology import Tissue
from hosim.biology.parameters import ParameterSet
from hosim.errors import InputError
from hosim.scenarios.kit import Choice, Injury, Option

MUSCLE_INJURIES = ("none", "cardiotoxin", "crush")
SPINAL_SEGMENTS = tuple([f"T{k}" for k in range(1, 14)] + [f"L{k}" for k in range(1, 7)])
LIMBS = ("hind", "fore")
# The lumbar plexus (L2-L6, segments 15-19) innervates the mouse hind limb; the forelimb's (C5-T1) lies
# above every lesion here.
HINDLIMB_SEGMENTS = range(15, 20)


def necrotize(fields: Mapping[str, np.ndarray], zone: np.ndarray, fraction: float) -> None:
    """A fraction of the intact muscle in `zone` dies: it becomes necrotic debris in place."""
    dead = fraction * zone * fields["muscle"]
    fields["muscle"] -= dead
    fields["necrosis"] += dead


def crush(fields: Mapping[str, np.ndarray], zone: np.ndarray, p, clot: bool = True) -> None:
    """Blunt or thermal damage to a zone: few fibres die (crush_necrosis), capillaries tear or clot
    (crush_vessel_loss) and, unless `clot` is False, a haematoma leaves fibrin."""
    necrotize(fields, zone, p.crush_necrosis)
    if clot:
        fields["fibrin"] += p.injury_fibrin * zone
    fields["vessels"] *= 1.0 - p.crush_vessel_loss * zone


def muscle_injury(kind: str, region: str = "injection", day: float = 0.0) -> list[Injury]:
    """Cardiotoxin (myonecrosis of nearly every fibre it reaches; vessels spared) or a crush (a forceps
    pinch or a blunt impact: few fibres die, capillaries tear, a haematoma clots) in a layout region."""
    if kind == "none":
        return []

    def injure(fields: Mapping, tissue: Tissue, parameters: ParameterSet) -> None:
        p = parameters.namespace()
        zone = tissue.region(region)
        if kind == "cardiotoxin":
            necrotize(fields, zone, p.cardiotoxin_necrosis)
        else:
            crush(fields, zone, p)

    what = {"cardiotoxin": "intramuscular cardiotoxin (myonecrosis)", "crush": "muscle crush (pinch or blunt impact)"}
    return [Injury(day, injure, what[kind])]


MICRO_TRAUMA_MIN_DAYS = 0.5  # at most two episodes a day: each one's necrosis takes days to clear


def micro_trauma(every_days: float, region: str = "injection", last_day: float = 365.0) -> list[Injury]:
    """Repeated micro-trauma (spasticity, forced motion of an immobile joint): every `every_days` from then
    on, a few more fibres of the injured zone die (0: none). Episodes after the run's end do not happen."""
    if every_days == 0:
        return []
    if every_days < MICRO_TRAUMA_MIN_DAYS:
        raise InputError(f"micro_trauma_every_days must be 0 (none) or at least {MICRO_TRAUMA_MIN_DAYS:g} days, "
                         f"got {every_days:g}")

    def injure(fields: Mapping, tissue: Tissue, parameters: ParameterSet) -> None:
        necrotize(fields, tissue.region(region), parameters.value("micro_trauma_necrosis"))

    count = int(last_day // every_days)
    return [Injury(k * every_days, injure, "micro-trauma") for k in range(1, count + 1)]


def micro_trauma_option() -> Option:
    return Option(0.0, 0.0, 60.0, "days", "days between episodes of micro-trauma (spasticity, forced motion) that "
                  "re-injure the injured zone; 0: none")


def segment_name(level: int) -> str:
    """1 -> T1, 13 -> T13, 14 -> L1 (the mouse has 13 thoracic segments)."""
    return SPINAL_SEGMENTS[level - 1]


def neural_signal(level: int, parameters: ParameterSet) -> float:
    """The acute body-wide signal of a complete transection at spinal segment `level` (1 = T1): the share
    of the sympathetic outflow (segments 1..sci_reference_segment) at or below the lesion."""
    last = parameters.value("sci_reference_segment")
    return float(np.clip((last - level + 1.0) / last, 0.0, 1.0))


def hindlimb_denervation(level: int) -> float:
    """The share of the hind limb's plexus segments at or below a transection at `level`: all of it above
    L2, part of it for a lumbar lesion (an L4 lesion leaves L2-L3 connected)."""
    below = sum(1 for segment in HINDLIMB_SEGMENTS if segment >= level)
    return below / len(HINDLIMB_SEGMENTS)


def spinal_cord_injury(level: int, limb: str = "hind", day: float = 0.0) -> list[Injury]:
    """A complete spinal cord transection at segment `level` (0: none): raises the acute neural injury
    signal (body-wide) and leaves a limb below the lesion lastingly denervated."""
    if level == 0:
        return []

    def injure(fields: Mapping, tissue: Tissue, parameters: ParameterSet) -> None:
        fields["neural_injury"] += neural_signal(level, parameters)
        if limb == "hind":
            fields["denervation"][...] = hindlimb_denervation(level)

    return [Injury(day, injure, f"spinal cord transection at {segment_name(level)}")]


def burn(percent: float, day: float = 0.0) -> list[Injury]:
    """A burn of `percent` of the body surface (0: none): raises systemic inflammation in proportion."""
    if percent == 0:
        return []

    def injure(fields: Mapping, tissue: Tissue, parameters: ParameterSet) -> None:
        fields["systemic_inflammation"] += parameters.value("burn_inflammation") * percent

    return [Injury(day, injure, f"{percent:g}% body-surface burn")]


def muscle_injury_option(default: str) -> Choice:
    return Choice(default, MUSCLE_INJURIES, "the local muscle injury: cardiotoxin (myonecrosis), crush (a forceps "
                  "pinch or blunt impact) or none")


def sci_option(default: int) -> Option:
    return Option(default, 0, len(SPINAL_SEGMENTS), "spinal segment",
                  "level of a complete spinal cord transection, counted from T1 (11 = T11, 14 = L1); 0: no spinal "
                  "cord injury", whole=True)


def limb_option() -> Choice:
    return Choice("hind", LIMBS, "the limb modelled: hind (below a thoracic spinal cord lesion, denervated) or fore "
                  "(above it: only the body-wide effects of the lesion reach it)")


def burn_option(default: float) -> Option:
    return Option(default, 0.0, 60.0, "% body surface", "burned body surface (0: no burn)",
                  "mouse burn models reach about 30%; larger burns are not survivable")
