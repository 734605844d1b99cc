"""The table of docs/patients.md: every patient scenario (and the variants the page discusses) run in 2-D at
its default grid, with its heterotopic bone, imaging onset, grade and stages, and the reduced (0-D) model's
bone beside it (the model cohorts run).

    python tools/patient_table.py            # print the markdown table (about 25 s a run)
    python tools/patient_table.py burns      # only these scenarios' rows
"""

from __future__ import annotations

import sys

from hosim.simulation import simulate

RUNS = (
    ("tha", {}, []),
    ("tha", {}, ["prior-ho", "ankylosing-spondylitis"]),
    ("tha", {"approach": "lateral"}, []),
    ("tha", {"approach": "anterior"}, []),
    ("hip-fracture", {}, []),
    ("hip-fracture", {"treatment": "fixation"}, []),
    ("acetabular-fracture", {}, []),
    ("acetabular-fracture", {"approach": "ilioinguinal"}, []),
    ("acetabular-fracture", {"brain_injury": "severe"}, []),
    ("sci", {}, []),
    ("sci", {"level": "S3"}, []),
    ("sci", {"micro_trauma_every_days": 2.0}, []),
    ("tbi", {}, []),
    ("tbi", {"site": "elbow"}, []),
    ("tbi", {"site": "elbow"}, ["autonomic-dysregulation"]),
    ("elbow-trauma", {}, []),
    ("elbow-trauma", {"injury": "dislocation"}, []),
    ("elbow-trauma", {"injury": "distal-humerus"}, []),
    ("burns", {}, []),
    ("burns", {"tbsa": 10.0}, []),
    ("burns", {"grafted": "no"}, []),
    ("burns", {"tbsa": 10.0, "grafted": "no"}, []),
    ("amputation", {}, []),
    ("amputation", {"blast": "no", "zone_of_injury": "no"}, []),
    ("muscle-contusion", {}, []),
    ("muscle-contusion", {"site": "brachialis"}, []),
    ("fop-flare", {}, []),
    ("fop-flare", {"trigger": "injection"}, []),
    ("fop-flare", {"trigger": "viral"}, []),
)


def row(scenario: str, options: dict, factors: list[str]) -> str:
    result = simulate(scenario, dims=2, factors=factors, **options)
    summary = result.summary()
    grade = summary["grade"]
    onset = summary["imaging"]["onset_week"]
    stages = ", ".join(s["stage"].replace("_", " ") for s in summary["stages"])
    what = ", ".join([f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in options.items()] + factors)
    graded = "-" if grade is None else (
        f"{grade['brooker']} / {grade['della_valle']}" if grade["joint"] == "hip" else f"HG {grade['class']}") + (
        "" if grade["min_gap_mm"] is None else f" ({grade['min_gap_mm']:g} mm)")
    share = result.metrics["heterotopic_bone_resident_share"]
    reduced = simulate(scenario, dims=0, factors=factors, **options).metrics["heterotopic_bone_mm3"] / 1000
    return (f"| `{scenario}` | {what or 'defaults'} | {result.metrics['heterotopic_bone_mm3'] / 1000:.3g} | "
            f"{reduced:.3g} | "
            f"{'-' if onset is None else f'{onset:g}'} | {graded} | "
            f"{'-' if share is None else f'{share:.2f}'} | {stages} |")


def main() -> None:
    chosen = sys.argv[1:] or [scenario for scenario, _, _ in RUNS]
    print("| scenario | options and factors | heterotopic bone at 26 weeks (cm3) | 0-D (cm3) | shows on imaging "
          "(week) | grade: hip Brooker / Della Valle, elbow Hastings-Graham (HG) (gap) | resident share | stages |")
    print("|---|---|---|---|---|---|---|---|")
    for scenario, options, factors in RUNS:
        if scenario in chosen:
            print(row(scenario, options, factors))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
