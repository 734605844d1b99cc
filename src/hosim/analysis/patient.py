"""What a patient run adds to summary.json: heterotopic bone in cm3 week by week, the day it shows on
imaging, the radiographic grade of the simulated section over time, and the symptom stages a patient
would notice, each derived from the model's state by a stated rule (docs/patients.md).

The grade reuses the clinical grading code (Brooker, Della Valle) on a label image made from the section:
pelvis and femur (implants drawn as the bone they replace), and heterotopic bone where the bone along the
beam through the slab adds up to at least RADIOGRAPH_MM.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from hosim.analysis.measures import first_crossing
from hosim.biology.factors import factor_table
from hosim.clinical.grading import FEMUR, HETEROTOPIC, PELVIS, grade_mask
from hosim.scenarios.observables import RADIOGRAPH_MM

VISIBLE_CM3 = 0.1  # without pixels (0-D): bone that shows as HO on a film (assumption: a nodule about 5 mm across)
INFLAMED = 0.25  # the inflammatory stage lasts while leukocytes exceed rest by 25% of their peak excess
INFLAMED_RISE = 0.05  # ... and there is one only if leukocytes rise by 5% of rest (not numerical drift)
GROWN = 0.9  # bone has stopped growing (matured) once it reaches 90% of its final volume
BONES = ("pelvis", "femur")

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
                  "after growth stops, when the section's grade is Brooker IV (bone bridges pelvis and femur)"),
    "mature": ("stable, mature heterotopic bone; the motion lost stays lost",
               "after growth stops, when the section's grade is below Brooker IV"),
    "resolved": ("the site settles; nothing shows on imaging",
                 "after the inflammatory stage (or from the start without one), when no heterotopic bone shows on "
                 "imaging"),
}


def radiograph_labels(regions: Mapping[str, np.ndarray], bone: np.ndarray, slab_mm: float) -> np.ndarray:
    """A label image of a 2-D section as the grading code reads it (0 soft tissue, 1 pelvis, 2 femur,
    3 heterotopic bone): bone outside the skeleton counts where it adds up to RADIOGRAPH_MM along the beam."""
    labels = np.zeros(bone.shape, dtype=np.int8)
    labels[regions["pelvis"] > 0.5] = PELVIS
    labels[regions["femur"] > 0.5] = FEMUR
    visible = (bone * slab_mm >= RADIOGRAPH_MM) & (regions["skeleton"] < 0.5)
    labels[visible] = HETEROTOPIC
    return labels


def grades(regions: Mapping[str, np.ndarray], days: Sequence[float], bone: np.ndarray, spacing_mm: float,
           slab_mm: float) -> list[dict]:
    """The grade of the section at each snapshot day (bone: the bone fraction, shaped (day, y, x))."""
    out = []
    for day, field in zip(days, bone):
        grade = grade_mask(radiograph_labels(regions, field, slab_mm), spacing_mm)
        out.append({"day": float(day), "week": round(float(day) / 7.0, 2), "brooker": grade.brooker,
                    "della_valle": grade.della_valle,
                    "min_gap_mm": None if grade.min_gap_mm is None else round(grade.min_gap_mm, 2),
                    "heterotopic_area_mm2": round(grade.heterotopic_area_mm2, 1)})
    return out


def _stage(name: str, start: float, end: float) -> dict:
    signs, rule = STAGES[name]
    return {"stage": name, "from_day": round(float(start), 2), "to_day": round(float(end), 2), "signs": signs,
            "rule": rule}


def stages(times: np.ndarray, series: Mapping[str, np.ndarray], final_brooker: str | None,
           pixels: bool = True) -> list[dict]:
    """The symptom stages of one run, in order, by the rules of STAGES (pixels: a section's imaging rule)."""
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
        out.append(_stage("ankylosis" if final_brooker == "IV" else "mature", grown, end))
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
    """summary.json's patient keys: course, imaging, grade (graded 2-D hip sections), stages and factors."""
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
    if setup.graded and setup.grid.ndim == 2 and all(b in regions for b in BONES) and snapshots:
        days = sorted(snapshots)
        k_woven = setup.snapshot_variables.index("bone_woven")
        k_mature = setup.snapshot_variables.index("bone_mature")
        bone = np.stack([(snapshots[d][k_woven] + snapshots[d][k_mature])[0] for d in days])
        plane = {name: values[0] for name, values in regions.items()}
        over_time = grades(plane, days, bone, setup.grid.spacing_um / 1000.0, setup.slab_thickness_um / 1000.0)
        last = over_time[-1]
        outcome["grade"] = {"brooker": last["brooker"], "della_valle": last["della_valle"],
                            "min_gap_mm": last["min_gap_mm"], "day": last["day"], "over_time": over_time}
    final = outcome["grade"]["brooker"] if outcome["grade"] else None
    outcome["stages"] = stages(times, series, final, pixels)
    outcome["factors"] = [factor_table()[name].to_json() for name in setup.options.get("factors", ())]
    return outcome
