"""Human hip operations: total hip arthroplasty (`tha`) in the hip section of human_hip.py.

The operation is the local and the body-wide hit of the injury model, with nothing set per outcome: the
approach kills part of the muscle it passes through and the capsule it opens (surgical_necrosis), tears its
capillaries and leaves a haematoma (fibrin), and the surgical stress raises systemic inflammation
(surgery_inflammation), which primes macrophages and drives the glucocorticoid response. What follows is
the cascade's, at the human cell tempo.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hosim.biology import Tissue
from hosim.biology.parameters import ParameterSet
from hosim.errors import InputError
from hosim.scenarios.human_hip import Hip, ellipse, hip_anatomy, hip_section
from hosim.scenarios.injuries import necrotize
from hosim.scenarios.kit import Anatomy, Choice, Injury, TissueScenario

# The muscle each approach passes through, as an ellipse of the coronal section (centre, radii; mm): the
# direct lateral (Hardinge) splits gluteus medius and vastus lateralis over the greater trochanter; the
# posterior detaches the short external rotators behind the neck and trochanter (projected); the direct
# anterior passes between tensor fasciae latae and sartorius in front of the neck (projected).
APPROACHES = {
    "lateral": ((60.0, -20.0), (16.0, 42.0)),
    "posterior": ((38.0, -48.0), (14.0, 24.0)),
    "anterior": ((18.0, -52.0), (11.0, 20.0)),
}


class HumanHipSurgery(TissueScenario):
    """An operation on the hip through one approach: the approach zone and the joint capsule injured."""

    species = "human"
    patient = True
    default_days = 182.0  # 26 weeks
    default_resolution_um = {0: 2000.0, 2: 2000.0}
    resolution_range_um = (1000.0, 4000.0)
    target_dt = {0: 0.05, 1: 0.05, 2: 0.05, 3: 0.05}
    snapshot_days = (0, 7, 14, 21, 28, 42, 56, 84, 112, 140, 182, 273, 365)
    sample_interval_day = 0.5

    def __init__(self, name: str, description: str, arthroplasty: bool, approach: str):
        self.name = name
        self.description = description
        self.arthroplasty = arthroplasty
        self.options = {
            "approach": Choice(approach, tuple(APPROACHES), "surgical approach: lateral (direct lateral, through "
                               "the abductors), posterior or anterior (direct anterior)"),
        }

    def check_run(self, dims: Any = 2, days: Any = None, resolution_um: Any = None, seed: Any = 0):
        """Patient sections are 0-D or 2-D: a 1-D line or a 3-D hip is not offered."""
        if dims in (1, 3):
            raise InputError(f"scenario {self.name} runs in 0 or 2 dimensions, got {dims}")
        return super().check_run(dims, days, resolution_um, seed)

    def layout(self, options: Mapping[str, Any], dims: int, h: float) -> Anatomy:
        hip = Hip()
        centre, radii = APPROACHES[options["approach"]]
        zone = ellipse(hip, h, centre, radii)
        capsule = hip_section(hip, h, self.arthroplasty)["tendon"]
        return hip_anatomy(hip, dims, h, (zone + capsule).clip(0.0, 1.0), self.arthroplasty)

    def injuries(self, options: Mapping[str, Any]) -> list[Injury]:
        return surgery("hip arthroplasty" if self.arthroplasty else "hip operation")


def surgery(what: str, day: float = 0.0) -> list[Injury]:
    """An open operation: necrosis, torn capillaries and a haematoma in the injured zone (muscle and capsule
    alike), and the surgical stress response body-wide."""

    def injure(fields: Mapping, tissue: Tissue, parameters: ParameterSet) -> None:
        p = parameters.namespace()
        zone = tissue.region("injection")
        necrotize(fields, zone, p.surgical_necrosis)
        fields["necrosis"] += p.surgical_necrosis * tissue.region("tendon") * zone
        fields["fibrin"] += p.injury_fibrin * zone
        fields["vessels"] *= 1.0 - p.crush_vessel_loss * zone
        fields["systemic_inflammation"] += p.surgery_inflammation

    return [Injury(day, injure, what)]
