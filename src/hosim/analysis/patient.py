"""What a patient run adds to summary.json: heterotopic bone in cm3 week by week, the day it shows on
imaging, the radiographic grade of the simulated section over time, and the symptom stages a patient
would notice, each derived from the model's state by a stated rule (docs/patients.md).

The grade reuses the clinical grading code on a label image made from the section: the joint's two sides
(the hip's pelvis and femur, implants drawn as the bone they replace; the elbow's humerus, and ulna with
radius), and heterotopic bone where the bone along the beam through the slab adds up to at least
RADIOGRAPH_MM. A hip is read as Brooker grade and Della Valle class, an elbow as the radiographic part of
Hastings and Graham's class.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from hosim.analysis.measures import first_crossing
from hosim.biology.factors import factor_table
from hosim.clinical.grading import FEMUR, HETEROTOPIC, PELVIS, Grade, grade_mask, hastings_graham
from hosim.scenarios.observables import RADIOGRAPH_MM

VISIBLE_CM3 = 0.1  # without pixels (0-D): bone that shows as HO on a film (assumption: a nodule about 5 mm across)
INFLAMED = 0.25  # the inflammatory stage lasts while leukocytes exceed rest by 25% of their peak excess
INFLAMED_RISE = 0.05  # ... and there is one only if leukocytes rise by 5% of rest (not numerical drift)
GROWN = 0.9  # bone has stopped growing (matured) once it reaches 90% of its final volume


@dataclass(frozen=True)
class Joint:
    """A joint as a radiograph of its section is read: the regions on each side of it (the grading code's
    labels 1 and 2), their names, and the classification."""

    sides: tuple[tuple[str, ...], tuple[str, ...]]
    side_names: tuple[str, str]
    system: str

    def classify(self, grade: Grade) -> dict:
        """The system's class of one graded image (and the hip's Della Valle class)."""
        if self.system == "Brooker":
            return {"class": grade.brooker, "brooker": grade.brooker, "della_valle": grade.della_valle,
                    "reading": f"Brooker {grade.brooker}, Della Valle {grade.della_valle}"}
        cls = hastings_graham(grade)
        return {"class": cls, "hastings_graham": cls, "brooker": None, "della_valle": None,
                "reading": f"Hastings-Graham {cls}"}


JOINTS = {
    "hip": Joint((("pelvis",), ("femur",)), ("pelvis", "femur"), "Brooker"),
    "elbow": Joint((("humerus",), ("ulna", "radius")), ("humerus", "ulna and radius"), "Hastings-Graham"),
}

STAGES = {
    "inflammation": ("warm, swollen, tender site; fever in the first days",
                     "from the injury while lesion leukocytes (macrophages and neutrophils) exceed rest by more "
                     f"than {INFLAMED:.0%} of their peak rise (none if they never rise {INFLAMED_RISE:.0%} "
                     "above rest)"),
    "firm_lump": ("a firm, fixed, tender mass before anything shows on a radiograph",
                  "from the day cartilage and heterotopic bone together pass 5% of the final heterotopic bone to "
                  "the day bone shows on imaging"),
    "hardening": ("the mass hardens; range of motion is lost as it grows",
                  f"from the day heterotopic bone shows on imaging (the imaging rule) to the day it reaches "
                  f"{GROWN:.0%} of its final volume"),
    "ankylosis": ("the joint is fused by bone (no motion)",
                  "after growth stops, when heterotopic bone bridges the joint on the section (Brooker IV at the "
                  "hip, Hastings-Graham III at the elbow)"),
    "mature": ("stable, mature heterotopic bone; the motion lost stays lost",
               "after growth stops, when no heterotopic bone bridges the joint on the section (or there is no "
               "joint in it)"),
    "resolved": ("the site settles; nothing shows on imaging",
                 "after the inflammatory stage (or from the start without one), when no heterotopic bone shows on "
                 "imaging"),
}


def radiograph_labels(regions: Mapping[str, np.ndarray], bone: np.ndarray, slab_mm: float, joint: str = "hip"
                      ) -> np.ndarray:
    """A label image of a 2-D section as the grading code reads it (0 soft tissue, 1 and 2 the joint's two
    sides, 3 heterotopic bone): bone outside the skeleton counts where it adds up to RADIOGRAPH_MM along the
    beam."""
    labels = np.zeros(bone.shape, dtype=np.int8)
    for label, side in zip((PELVIS, FEMUR), JOINTS[joint].sides):
        for name in side:
            labels[regions[name] > 0.5] = label
    visible = (bone * slab_mm >= RADIOGRAPH_MM) & (regions["skeleton"] < 0.5)
    labels[visible] = HETEROTOPIC
    return labels


def grades(regions: Mapping[str, np.ndarray], days: Sequence[float], bone: np.ndarray, spacing_mm: float,
           slab_mm: float, joint: str = "hip") -> list[dict]:
    """The grade of the section at each snapshot day (bone: the bone fraction, shaped (day, y, x))."""
    out = []
    for day, field in zip(days, bone):
        grade = grade_mask(radiograph_labels(regions, field, slab_mm, joint), spacing_mm)
        out.append({"day": float(day), "week": round(float(day) / 7.0, 2), **JOINTS[joint].classify(grade),
                    "bridged": grade.bridged,
                    "min_gap_mm": None if grade.min_gap_mm is None else round(grade.min_gap_mm, 2),
                    "heterotopic_area_mm2": round(grade.heterotopic_area_mm2, 1)})
    return out


def _stage(name: str, start: float, end: float) -> dict:
    signs, rule = STAGES[name]
    return {"stage": name, "from_day": round(float(start), 2), "to_day": round(float(end), 2), "signs": signs,
            "rule": rule}


def stages(times: np.ndarray, series: Mapping[str, np.ndarray], bridged: bool, pixels: bool = True) -> list[dict]:
    """The symptom stages of one run, in order, by the rules of STAGES (bridged: heterotopic bone bridges
    the joint at the end; pixels: a section's imaging rule)."""
    end = float(times[-1])
    leukocytes = series["lesion_leukocytes"]
    excess = leukocytes - leukocytes[0]
    peak = int(np.argmax(excess))
    inflamed_until = 0.0
    out = []
    if excess[peak] > INFLAMED_RISE * leukocytes[0]:
        calm = first_crossing(times[peak:], -excess[peak:], -INFLAMED * float(excess[peak]))
        inflamed_until = end if calm is None else float(calm)
        out.append(_stage("inflammation", 0.0, inflamed_until))
    bone = series["heterotopic_bone_mm3"] / 1000.0
    visible = imaging_onset(times, series, pixels)
    if visible is None:
        if inflamed_until < end:
            out.append(_stage("resolved", inflamed_until, end))
        return out
    final = float(bone[-1])
    matrix = first_crossing(times, bone + series["cartilage_mm3"] / 1000.0, 0.05 * final)
    if matrix is not None and matrix < visible:
        out.append(_stage("firm_lump", matrix, visible))
    grown = first_crossing(times, bone, GROWN * final)
    grown = end if grown is None else max(float(grown), float(visible))
    if grown > visible:
        out.append(_stage("hardening", visible, grown))
    if grown < end:
        out.append(_stage("ankylosis" if bridged else "mature", grown, end))
    return out


def imaging_onset(times: np.ndarray, series: Mapping[str, np.ndarray], pixels: bool) -> float | None:
    """First day imaging shows heterotopic bone (None: never): on a section (pixels) the first day a pixel
    shows it, as the grade reads it; in one well-mixed compartment the first day it reaches VISIBLE_CM3."""
    return first_crossing(times, series["radiographic_bone_mm3"] / 1000.0, 0.0 if pixels else VISIBLE_CM3)


def course(times: np.ndarray, series: Mapping[str, np.ndarray]) -> dict:
    """Heterotopic bone in cm3 at each whole week of the run."""
    weeks = np.arange(0, int(times[-1] // 7) + 1)
    return {"week": weeks.tolist(),
            "heterotopic_bone_cm3": np.round(np.interp(weeks * 7.0, times, series["heterotopic_bone_mm3"]) / 1000.0,
                                             4).tolist()}


def patient_outcomes(setup, times: np.ndarray, series: Mapping[str, np.ndarray], snapshots: Mapping) -> dict:
    """summary.json's patient keys: course, imaging, grade (graded 2-D joint sections), stages and factors."""
    pixels = setup.grid.ndim >= 2
    visible = imaging_onset(times, series, pixels)
    outcome = {
        "course": course(times, series),
        "imaging": {"onset_day": None if visible is None else round(float(visible), 2),
                    "onset_week": None if visible is None else round(float(visible) / 7.0, 1),
                    "visible_cm3": VISIBLE_CM3, "visible_bone_mm": RADIOGRAPH_MM,
                    "rule": f"a pixel of the section shows heterotopic bone where the bone along the beam adds up to "
                            f"{RADIOGRAPH_MM:g} mm; imaging shows HO from the first such pixel (0-D, without "
                            f"pixels: once heterotopic bone reaches {VISIBLE_CM3:g} cm3)"},
        "grade": None,
    }
    regions = setup.grid.regions
    joint = setup.joint
    if joint and setup.grid.ndim == 2 and snapshots:
        days = sorted(snapshots)
        k_woven = setup.snapshot_variables.index("bone_woven")
        k_mature = setup.snapshot_variables.index("bone_mature")
        bone = np.stack([(snapshots[d][k_woven] + snapshots[d][k_mature])[0] for d in days])
        plane = {name: values[0] for name, values in regions.items()}
        over_time = grades(plane, days, bone, setup.grid.spacing_um / 1000.0, setup.slab_thickness_um / 1000.0,
                           joint)
        last = over_time[-1]
        outcome["grade"] = {"joint": joint, "system": JOINTS[joint].system,
                            **{k: v for k, v in last.items() if k not in ("week", "heterotopic_area_mm2")},
                            "over_time": over_time}
    bridged = bool(outcome["grade"] and outcome["grade"]["bridged"])
    outcome["stages"] = stages(times, series, bridged, pixels)
    outcome["factors"] = [factor_table()[name].to_json() for name in setup.options.get("factors", ())]
    return outcome
