"""Virtual patients run together: the reduced (0-D) patient model stepped as one batch per option set
(engine Grid.patients), each patient with its own parameters, and each patient's outcomes read by the
rules of a single patient run (analysis/patient.py): heterotopic bone, the day it shows on imaging, the
radiographic grade and the symptom stages.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hosim.analysis.patient import STAGES, VISIBLE_CM3, imaging_onset, stages
from hosim.cohort.grade_map import brooker_of_volumes
from hosim.clinical.settings import Setting
from hosim.cohort.population import Patients
from hosim.engine import Recorder, run_setup
from hosim.scenarios import get_scenario
from hosim.scenarios.spec import PatientBatch, RunSpec
from hosim.scenarios.observables import observable

RECORDED = tuple(observable(name) for name in
                 ("heterotopic_bone_mm3", "radiographic_bone_mm3", "lesion_leukocytes", "cartilage_mm3"))
STAGE_NAMES = tuple(STAGES)


def run_patients(setting: Setting, patients: Patients, interventions: Sequence = (), days: float | None = None
                 ) -> dict[str, np.ndarray]:
    """Outcomes of these patients (arrays with one row per patient, in their order): heterotopic bone each
    week (cm3), the final volume, the imaging onset day (NaN: never), the Brooker grade from the reduced
    model's volume (cohort.grade_map), and each stage's first and last day (NaN: not reached)."""
    scenario = get_scenario(setting.scenario)
    groups: dict[tuple, list[int]] = {}
    for row, options in enumerate(patients.options):
        groups.setdefault(tuple(sorted(options.items())), []).append(row)
    parts = []
    for key, rows in groups.items():
        group = patients.subset(rows)
        times, series = _run_batch(scenario, dict(key), group, interventions, days)
        parts.append((rows, _outcomes(times, series, scenario.graded)))
    out = {name: np.empty((len(patients),) + values.shape[1:], values.dtype) for name, values in parts[0][1].items()}
    for rows, values in parts:
        for name, array in values.items():
            out[name][rows] = array
    return out


def _run_batch(scenario, options: dict, group: Patients, interventions: Sequence, days: float | None):
    """One batch: patients sharing scenario options, stepped together."""
    batch = PatientBatch.of(len(group), group.multipliers, group.offsets)
    setup = RunSpec.parse(scenario, interventions, dims=0, days=days, patients=batch, options=options).build()
    recorder = Recorder({name: setup.observables[name] for name in RECORDED}, setup.sample_every)
    run_setup(setup, recorder)
    return recorder.series()


def _outcomes(times: np.ndarray, series: dict[str, np.ndarray], graded: bool) -> dict[str, np.ndarray]:
    n = series[RECORDED[0]].shape[1]
    weeks = np.arange(0, int(times[-1] // 7) + 1) * 7.0
    course = np.stack([np.interp(weeks, times, series["heterotopic_bone_mm3"][:, k]) for k in range(n)]) / 1000.0
    final = series["heterotopic_bone_mm3"][-1] / 1000.0
    onset = np.full(n, np.nan)
    stage_days = np.full((n, len(STAGE_NAMES), 2), np.nan)
    brooker = brooker_of_volumes(final).astype("<U3") if graded else np.full(n, "", dtype="<U3")
    for k in range(n):
        one = {name: values[:, k] for name, values in series.items()}
        day = imaging_onset(times, one, pixels=False)
        onset[k] = np.nan if day is None else day
        for stage in stages(times, one, brooker[k] == "IV", pixels=False):
            stage_days[k, STAGE_NAMES.index(stage["stage"])] = stage["from_day"], stage["to_day"]
    # a hip shows HO when its section would grade it (Brooker I or more, by the grade map fitted to sections);
    # elsewhere, without a grade, when the compartment holds VISIBLE_CM3
    visible = brooker != "0" if graded else final >= VISIBLE_CM3
    return {"course_cm3": course, "heterotopic_bone_cm3": final, "onset_day": onset, "brooker": brooker,
            "visible": visible, "stage_days": stage_days}
