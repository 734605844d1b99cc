"""Which mechanism carries a setting's risk (`hosim experiment sensitivity --setting NAME`): Sobol indices
(or Morris effects) of a virtual cohort's incidence of HO when the human parameters move across their
plausible ranges in groups, one group per cascade step (docs/model.md), so that each index is a step of
the mechanism rather than one of 170 numbers.

Every point of the design runs the same panel of patients: the first `patients` of the setting's cohort
with the design's seed, drawn as `hosim cohort` draws them (options, factors, person from the calibrated
population). These common random numbers make the differences between points the parameters' alone. A
point sets each varied parameter's population value; each patient's own multiplier (variability times
factors) acts on top of it, the product held inside the plausible range as in a cohort. Hill coefficients
are held (a batch of patients cannot vary a whole-number exponent), as are the scenario inputs and, in
0-D, the diffusivities (cohort/sensitivity.py).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hosim.biology.cascade import CASCADE_STEPS
from hosim.biology.parameters import load_parameters
from hosim.checks import check_whole
from hosim.cohort.cohorts import cohort_people, people_fingerprint
from hosim.cohort.population import Patients, draw_patients, get_setting
from hosim.cohort.registry import FLAGS, Plan
from hosim.cohort.runner import execute_tasks
from hosim.fingerprint import model_fingerprint
from hosim.cohort.sensitivity import (
    METHOD_TEXT,
    METHODS,
    Design,
    check_design,
    indices,
    parameter_values,
    sample,
    write_report,
)
from hosim.errors import InputError, SimulationError
from hosim.files import write_json
from hosim.scenarios import get_scenario

SPECIES = "human"
DEFAULT_PATIENTS = 200
DEFAULT_N = {"morris": 10, "sobol": 16}
PATIENTS_PER_TASK = 2000  # a task runs whole points, about this many patient runs at once

OUTCOMES = {
    "any_ho": ("any HO (share of patients)", "never: a point's incidence is the share of its panel with HO visible "
               "on imaging (cohort definition)"),
    "severe_ho": ("severe HO, Brooker III-IV (share of patients)", "never: hips only (the grade map)"),
}


@dataclass(frozen=True)
class CohortDesign:
    """A sensitivity design over a setting's cohort: the parameter design (grouped by cascade step) and the
    size of the panel every point runs."""

    setting: str
    design: Design
    patients: int

    @property
    def outcomes(self) -> dict:
        graded = _graded(self.setting)
        return {k: v for k, v in OUTCOMES.items() if graded or k != "severe_ho"}


def _graded(setting: str) -> bool:
    return bool(get_scenario(get_setting(setting).scenario).graded)


def step_label(step: int) -> str:
    """A cascade step as its number and name (docs/model.md): '15 innate inflammation'."""
    return f"{step:02d} {CASCADE_STEPS[step - 1].__name__.replace('_', ' ')}"


def check_incidence_sensitivity(setting: str, method: str | None, n: int | None, parameters: str | None,
                                patients: int | None, seed: int, workers: int | None = None,
                                span: float | None = None) -> CohortDesign:
    """Every input checked before any work (InputError naming the bad option and the allowed values)."""
    chosen = get_setting(setting)
    method = method or "sobol"
    if method not in METHODS:
        raise InputError(f"--method must be one of {', '.join(METHODS)}, got {method!r}")
    if workers is not None:
        check_whole("--workers", workers, 1, 4096)
    patients = DEFAULT_PATIENTS if patients is None else check_whole("--patients", patients, 10, 100_000)
    params = load_parameters(SPECIES)
    if parameters is not None:
        hill = [s.strip() for s in str(parameters).split(",") if s.strip() in params and params[s.strip()].whole]
        if hill:
            raise InputError(f"--parameters: {', '.join(hill)} are Hill coefficients, held in a cohort (a batch of "
                             "patients cannot vary a whole-number exponent)")
    base = check_design(chosen.scenario, method, DEFAULT_N[method] if n is None else n, parameters, SPECIES,
                        seed, dims=0, span=span)
    names = tuple(name for name in base.parameters if not params[name].whole)
    groups = tuple(step_label(params[name].cascade_step) for name in names)
    if len(set(groups)) < 2:
        raise InputError(f"--parameters: name parameters of at least two cascade steps to compare, got "
                         f"{', '.join(sorted(set(groups)))}")
    return CohortDesign(chosen.name, Design(chosen.name, base.method, base.n, names, SPECIES, base.seed, groups,
                                            base.span), patients)


def point_values(cohort: CohortDesign) -> list[dict[str, float]]:
    """Each point of the design as population values of the varied parameters."""
    return [parameter_values(cohort.design, row) for row in sample(cohort.design)]


def run_points(task: dict) -> dict:
    """Points of the design, each over the same panel: the panel's share with any HO and with severe HO."""
    from hosim.cohort.virtual import run_patients  # the engine, loaded in the worker that runs the points

    setting = get_setting(task["setting"])
    panel = draw_patients(setting, task["seed"], np.arange(task["patients"]), people=cohort_people())
    stacked = _stack(panel, task["points"])
    out = run_patients(setting, stacked)
    m = len(panel)
    visible = out["visible"].reshape(len(task["points"]), m)
    severe = np.isin(out["brooker"], ["III", "IV"]).reshape(len(task["points"]), m)
    return {"any_ho": visible.mean(axis=1).tolist(), "severe_ho": severe.mean(axis=1).tolist()}


def _stack(panel: Patients, points: list[dict[str, float]]) -> Patients:
    """The panel once per point, each point's population values under the patients' own multipliers."""
    human = load_parameters(SPECIES)
    k, m = len(points), len(panel)
    names = list(dict.fromkeys([*panel.multipliers, *points[0]]))
    multipliers = {}
    for name in names:
        p = human[name]
        own = panel.multipliers.get(name, np.ones(m))
        value = np.array([point.get(name, p.value) for point in points])
        multipliers[name] = (np.clip(value[:, None] * own[None, :], p.low, p.high) / p.value).ravel()
    offsets = {name: np.tile(values, k) for name, values in panel.offsets.items()}
    return Patients(np.arange(k * m), panel.options * k, panel.factors * k, multipliers, offsets)


def _tasks(cohort: CohortDesign) -> dict[str, dict]:
    """Whole points per task, about PATIENTS_PER_TASK patient runs each, named in order."""
    points = point_values(cohort)
    size = max(1, PATIENTS_PER_TASK // cohort.patients)
    return {f"points-{start:06d}": {"setting": cohort.setting, "seed": cohort.design.seed,
                                    "patients": cohort.patients, "points": points[start:start + size]}
            for start in range(0, len(points), size)}


def run_incidence_sensitivity(cohort: CohortDesign, out: str | Path, *, workers: int | None = None, client=None,
                              progress=None) -> tuple[dict, dict]:
    """Run (or resume: finished tasks are kept in out/points) the design into folder `out`; returns the
    report and {"computed": n, "reused": n} tasks."""
    out = Path(out)
    folder = out / "points"
    folder.mkdir(parents=True, exist_ok=True)
    tasks = _tasks(cohort)
    stamp = _stamp(cohort)
    results, todo = {}, {}
    for name, task in tasks.items():
        saved = _load(folder / f"{name}.json", stamp)
        if saved is None:
            todo[name] = task
        else:
            results[name] = saved
    reused = len(results)
    if progress is not None:
        progress(len(results), len(tasks))
    failures = []
    for name, outcome, error in execute_tasks(todo, run_points, workers, client):
        if error is not None:
            failures.append(f"{name}: {error}")
            continue
        write_json(folder / f"{name}.json", {"stamp": stamp, **outcome})
        results[name] = outcome
        if progress is not None:
            progress(len(results), len(tasks))
    if failures:
        raise SimulationError(f"{len(failures)} task(s) failed (the others are saved; re-run to resume): "
                              + "; ".join(failures))
    outputs = {key: np.concatenate([results[name][key] for name in tasks]) for key in cohort.outcomes}
    report = incidence_report(cohort, outputs, out)
    return report, {"computed": len(tasks) - reused, "reused": reused}


def _stamp(cohort: CohortDesign) -> str:
    """What a saved task was computed with: the design, the model and the population."""
    text = json.dumps([cohort.setting, cohort.patients, cohort.design.method, cohort.design.n,
                       list(cohort.design.parameters), cohort.design.seed, cohort.design.span, model_fingerprint(),
                       people_fingerprint()])
    return hashlib.sha256(text.encode()).hexdigest()


def _load(path: Path, stamp: str) -> dict | None:
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return saved if isinstance(saved, dict) and saved.get("stamp") == stamp else None


def incidence_report(cohort: CohortDesign, outputs: dict[str, np.ndarray], out: Path) -> dict:
    """sensitivity.csv, .md and .png with one row per (outcome, cascade step), the step's parameters and
    what most of their values rest on; the points' incidence range is stated beside the indices."""
    design = cohort.design
    rows = indices(design, outputs)
    params = load_parameters(SPECIES)
    members: dict[str, list[str]] = {}
    for name, group in zip(design.parameters, design.groups):
        members.setdefault(group, []).append(name)
    for row in rows:
        names = members[row["parameter"]]
        bases = Counter(params[n].basis for n in names)
        row["mechanism"] = row["parameter"]
        row["basis"] = bases.most_common(1)[0][0]
        row["parameters"] = " ".join(names)
        row["bases"] = ", ".join(f"{b} {c}" for b, c in bases.most_common())
    spread = "; ".join(f"{OUTCOMES[k][0].split(' (')[0]} {np.min(v):.0%} to {np.max(v):.0%} (median {np.median(v):.0%}; "
                       f"{saturated(v):.0%} of the points at none or all)" for k, v in outputs.items())
    heading = (f"# Which mechanism carries the risk: {cohort.setting} ({design.method}, n {design.n}, "
               f"{design.runs} points x {cohort.patients} patients, {len(design.parameters)} human parameters in "
               f"{len(design.factors)} cascade steps, seed {design.seed})\n\n"
               f"{METHOD_TEXT[design.method]}; here each index is a cascade step: all its parameters move "
               f"together {design.where}. Every point runs the same panel of patients (the cohort's first, with their own "
               "variability and factors on top of the point's values). Incidence across the points: "
               f"{spread}. A point where no patient or every patient forms HO tells only which steps switch the "
               "whole panel; the more points are so, the less the indices say about the range between. basis: "
               "what most of the step's values rest on (bases: all of them).\n\n")
    title = f"Which cascade step carries the risk of HO, {cohort.setting} (95% confidence bars)"
    report = write_report(design, rows, cohort.outcomes, ["mechanism", "parameters", "bases"], heading, title, out,
                          legend="most of the step's values rest on")
    write_json(out / "sensitivity.json", {
        "setting": cohort.setting, "method": design.method, "n": design.n, "span": design.span, "points": design.runs,
        "patients": cohort.patients, "seed": design.seed,
        "incidence": {k: {"min": float(np.min(v)), "median": float(np.median(v)), "max": float(np.max(v)),
                          "saturated": saturated(v)} for k, v in outputs.items()},
        "indices": [{k: v for k, v in row.items() if k != "parameter"} for row in rows]})
    report["files"].append("sensitivity.json")
    return report


def saturated(incidence: np.ndarray) -> float:
    """The share of the design's points at which no patient, or every patient, of the panel forms HO."""
    return float(np.mean((incidence == 0.0) | (incidence == 1.0)))



class SensitivityDesigns:
    """The sensitivity experiment (cohort/registry.py) in its two forms: one scenario's run against its
    parameters, or with a setting given, a setting's cohort incidence grouped by cascade step."""

    def plan(self, name: str, given: dict, workers: int | None = None) -> Plan:
        if "setting" in given:
            return self._cohort(given, workers)
        if "patients" in given:
            raise InputError("--patients: only a --setting sensitivity takes it")
        from hosim.cohort.sensitivity import check_sensitivity, run_sensitivity

        design, options = check_sensitivity(given.get("scenario"), given.get("method"), given.get("n"),
                                            given.get("parameters"), dims=given.get("dims"), days=given.get("days"),
                                            resolution_um=given.get("resolution_um"), seed=given.get("seed", 0),
                                            species=given.get("species"), workers=workers, span=given.get("span"))

        def run(out: Path, client=None, progress=None) -> tuple[dict, dict, str]:
            report, batch = run_sensitivity(design, out, options, workers=workers, client=client, progress=progress)
            return report, {"computed": len(batch.computed), "reused": len(batch.reused)}, "cases"

        return Plan(f"sensitivity: {design.method}, {len(design.parameters)} parameters, {design.runs} runs of "
                    f"{design.scenario} in {options['dims']}-D", run)

    @staticmethod
    def _cohort(given: dict, workers: int | None) -> Plan:
        fixed = [FLAGS[key] for key in ("scenario", "dims", "days", "resolution_um", "species") if key in given]
        if fixed:
            raise InputError(f"{', '.join(fixed)}: a --setting sensitivity runs the setting's own scenario, human, "
                             "in 0-D; leave these out")
        cohort = check_incidence_sensitivity(given["setting"], given.get("method"), given.get("n"),
                                             given.get("parameters"), given.get("patients"), given.get("seed", 0),
                                             workers, given.get("span"))

        def run(out: Path, client=None, progress=None) -> tuple[dict, dict, str]:
            report, counts = run_incidence_sensitivity(cohort, out, workers=workers, client=client, progress=progress)
            return report, counts, "points"

        return Plan(f"sensitivity of {cohort.setting} incidence: {cohort.design.method}, "
                    f"{len(cohort.design.factors)} cascade steps ({len(cohort.design.parameters)} parameters), "
                    f"{cohort.design.runs} points x {cohort.patients} patients", run)


SENSITIVITY = SensitivityDesigns()

__all__ = ["SENSITIVITY", "CohortDesign", "SensitivityDesigns", "check_incidence_sensitivity", "incidence_report",
           "run_incidence_sensitivity", "step_label"]
