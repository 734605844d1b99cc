"""Scenarios: anatomy and injuries on the cascade, built with the scenario kit (docs/architecture.md).

Registering a scenario is one line in SCENARIOS.
"""

from hosim.errors import InputError
from hosim.scenarios.human_elbow import Burns, ElbowTrauma
from hosim.scenarios.human_limb import Amputation
from hosim.scenarios.human_hip_surgery import AcetabularFracture, HipFracture, TotalHipArthroplasty
from hosim.scenarios.human_neuro import BrainInjury, SpinalCordInjury
from hosim.scenarios.human_thigh import FopFlare, MuscleContusion
from hosim.scenarios.kit import Anatomy, Choice, Injury, Option, Setup, TissueScenario
from hosim.scenarios.mouse_injection import MouseInjection
from hosim.scenarios.mouse_tendon import MouseTenotomy
from hosim.scenarios.mouse_trauma import MouseMuscleInjury

GENET_LEVEL = 11  # T11: the transection of the mouse NHO model (Genet 2015 J Pathol 236:229)

SCENARIOS: dict[str, TissueScenario] = {
    s.name: s
    for s in (
        MouseInjection("mouse-bmp2", "Mouse hind limb injected with AdBMP2-transduced cells between femur and nerve "
                       "(the HO model)", bmp2_vector=1.0),
        MouseInjection("mouse-empty", "Control: the same injection of AdEmpty-transduced cells (needle injury and "
                       "cells, no BMP2)", bmp2_vector=0.0),
        MouseMuscleInjury("mouse-cardiotoxin", "Cardiotoxin injected into hind-limb muscle (myonecrosis), no other "
                          "injury: one of the two hits", "cardiotoxin", 0),
        MouseMuscleInjury("mouse-sci", "Spinal cord transection (level: -p sci_level, default T11), no muscle injury: "
                          "the other hit", "none", GENET_LEVEL),
        MouseMuscleInjury("mouse-sci-cardiotoxin", "Spinal cord transection plus intramuscular cardiotoxin: the "
                          "two-hit model of neurogenic HO", "cardiotoxin", GENET_LEVEL),
        MouseMuscleInjury("mouse-fop-injury", "Muscle crush (a forceps pinch; -p muscle_injury=cardiotoxin for the "
                          "toxin); run with -i acvr1-r206h for the FOP mouse", "crush", 0),
        MouseTenotomy("mouse-burn-tenotomy", "Achilles tenotomy with a 30% body-surface burn (-p burn_area=0: the "
                      "tenotomy alone), 9 weeks", 30.0),
        TotalHipArthroplasty("tha", "Total hip arthroplasty in an adult (hip section; -p approach=posterior|lateral|"
                             "anterior), 26 weeks"),
        HipFracture("hip-fracture", "Femoral neck fracture, then arthroplasty or fixation (-p treatment, -p delay_days), "
                    "26 weeks"),
        AcetabularFracture("acetabular-fracture", "Acetabular fracture fixed through an approach, with or without a "
                           "brain injury (-p approach, -p brain_injury, -p delay_days), 26 weeks"),
        SpinalCordInjury("sci", "The hip below a spinal cord injury, with micro-trauma of its muscles and the "
                         "infections or ulcers the patient has (-p level, -p completeness, -p micro_trauma_every_days, "
                         "-p complication_day), 26 weeks"),
        BrainInjury("tbi", "The hip or elbow on the affected side after a brain injury or a stroke, with micro-trauma "
                    "of its muscles and the autonomic storms the patient has (-p site, -p cause, -p severity, "
                    "-p storm_days), 26 weeks"),
        ElbowTrauma("elbow-trauma", "Elbow dislocation or fracture (-p injury=dislocation|terrible-triad|distal-humerus|"
                    "floating-elbow), fixed after -p delay_days, 26 weeks"),
        Burns("burns", "Burn of -p tbsa % of the body surface including the skin behind the elbow, grafted or not "
              "(-p grafted, -p graft_day), 26 weeks"),
        Amputation("amputation", "Traumatic amputation, transfemoral or transtibial, blast or not, through the zone "
                   "of injury or above it (-p level, -p blast, -p zone_of_injury, -p delay_days), 26 weeks"),
        MuscleContusion("muscle-contusion", "Muscle contusion, quadriceps beside the femur or brachialis at the elbow "
                        "(myositis ossificans; -p site, -p severity), 26 weeks"),
        FopFlare("fop-flare", "FOP (ACVR1 R206H) flare-up in the thigh after an injection, a contusion or a viral "
                 "illness (-p trigger), 26 weeks"),
    )
}


def get_scenario(name: str) -> TissueScenario:
    """The scenario called `name`; InputError listing the allowed names otherwise."""
    try:
        return SCENARIOS[name]
    except (KeyError, TypeError):
        raise InputError(f"unknown scenario {name!r}; allowed: {', '.join(SCENARIOS)}") from None


__all__ = ["SCENARIOS", "Anatomy", "Choice", "Injury", "Option", "Setup", "TissueScenario", "get_scenario"]
