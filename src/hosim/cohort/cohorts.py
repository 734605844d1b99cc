"""Virtual cohorts and trials: many patients of one setting, drawn (cohort.population), run by the batched
reduced model (cohort.virtual) in chunks, each chunk saved as it finishes so that a killed run resumes
without recomputing or duplicating a chunk, on a local process pool or a Dask cluster. A trial's arms run
the same patients (paired): a chunk runs every arm.

Layout of the output folder: cohort.json (the spec and, once done, the summary), chunks/NNNNN.nc (one per
finished chunk), cohort.zarr (every patient's outcomes in one labelled store, written once all chunks are in).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import xarray as xr

from hosim import __version__
from hosim.cohort.grade_map import GRADES
from hosim.cohort.population import (POPULATION_FILE, calibrated_people, check_given_factors, draw_patients,
                                     get_setting, variability)
from hosim.cohort.runner import execute_tasks
from hosim.fingerprint import meaning, model_fingerprint
from hosim.errors import InputError, SimulationError
from hosim.files import LOCK_NAME, write_atomic, write_json
from hosim.biology.courses import check_interventions
from hosim.scenarios import get_scenario

CHUNK = 1000  # patients per chunk: one task, one batch per option set, one file
MAX_PATIENTS = 10_000_000
POPULATION_TABLES = ("population.toml", "grade_map.toml")
Z95 = 1.959963984540054


def cohort_spec(setting: str, n: int, arms: Mapping[str, Sequence] | None = None, factors: Sequence[str] = (),
                seed: int = 0, chunk: int = CHUNK) -> dict:
    """The checked, plain-data definition of a cohort (one arm, "cohort", unless a trial gives arms):
    InputError naming the first bad value."""
    chosen = get_setting(setting)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_PATIENTS:
        raise InputError(f"--n must be a whole number of patients from 1 to {MAX_PATIENTS}, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**63:
        raise InputError(f"--seed must be a whole number >= 0, got {seed!r}")
    if not 1 <= chunk <= 100_000:
        raise InputError(f"chunk must be 1 to 100000 patients, got {chunk}")
    scenario = get_scenario(chosen.scenario)
    arms = {"cohort": []} if arms is None else dict(arms)
    if not arms:
        raise InputError("a trial needs at least one --arm NAME=SPEC")
    for name, specs in arms.items():
        if not name or not set(name) <= set("abcdefghijklmnopqrstuvwxyz0123456789-_"):
            raise InputError(f"arm name {name!r} must be lower-case letters, digits, '-' or '_'")
        check_interventions(list(specs), scenario.species, scenario.default_days)
    return {"setting": chosen.name, "scenario": chosen.scenario, "n": int(n), "seed": int(seed), "chunk": int(chunk),
            "factors": list(check_given_factors(chosen, list(factors))),
            "arms": {name: list(specs) for name, specs in arms.items()},
            "model": model_fingerprint(), "population": people_fingerprint(), "version": __version__}


def people_fingerprint() -> str:
    """The population and grade-map tables as data (their prose excluded, as the model's fingerprint
    reads its tables), so edited tables recompute."""
    from importlib.resources import files

    digest = hashlib.sha256()
    for name in POPULATION_TABLES:
        digest.update(meaning(name, files("hosim.data").joinpath(name).read_text(encoding="utf-8")).encode())
    people = files("hosim.data").joinpath(POPULATION_FILE)
    if people.is_file():
        digest.update(people.read_bytes())
    return digest.hexdigest()


def run_chunk(task: dict) -> dict:
    """One chunk of a cohort (every arm): plain arrays of each patient's draws and outcomes."""
    from hosim.cohort.virtual import run_patients

    spec, k = task["spec"], task["chunk_index"]
    setting = get_setting(spec["setting"])
    start = k * spec["chunk"]
    index = np.arange(start, min(spec["n"], start + spec["chunk"]))
    patients = draw_patients(setting, spec["seed"], index, spec["factors"], people=cohort_people())
    arms = {name: run_patients(setting, patients, specs) for name, specs in spec["arms"].items()}
    return {"index": index, "options": patients.options, "factors": patients.factors,
            "multipliers": patients.multipliers, "arms": arms}


def cohort_people():
    """The people cohorts draw from: the calibrated population once one is installed, else None (the
    uncalibrated log-normal prior of population.toml)."""
    calibrated = calibrated_people()
    return None if calibrated is None else calibrated[0]


def people_summary() -> str:
    """Which people a cohort's patients are, in words."""
    people = cohort_people()
    if people is None:
        return "uncalibrated: log-normal variability around the model's values (population.toml)"
    return (f"calibrated by `hosim calibrate-population`: {len(people)} people, {people.effective_size:.0f} "
            "effective, drawn by their weights")


def chunk_dataset(spec: dict, chunk: dict) -> xr.Dataset:
    """A finished chunk as a labelled dataset (patient, arm, week, stage, factor, parameter)."""
    from hosim.cohort.virtual import STAGE_NAMES

    arms = list(spec["arms"])
    first = chunk["arms"][arms[0]]
    weeks = np.arange(first["course_cm3"].shape[1])
    setting = get_setting(spec["setting"])
    factor_names = sorted(set(setting.factors) | set(spec["factors"]))
    stacked = {name: np.stack([chunk["arms"][a][name] for a in arms]) for name in first}
    data = {
        "heterotopic_bone_cm3": (("arm", "patient"), stacked["heterotopic_bone_cm3"],
                                 {"units": "cm3", "long_name": "heterotopic bone at the end of the run"}),
        "course_cm3": (("arm", "patient", "week"), stacked["course_cm3"], {"units": "cm3"}),
        "onset_day": (("arm", "patient"), stacked["onset_day"],
                      {"units": "day", "long_name": "first day imaging shows HO (NaN: never)"}),
        "visible": (("arm", "patient"), stacked["visible"], {"long_name": "HO visible on imaging by the end"}),
        "brooker": (("arm", "patient"), stacked["brooker"].astype("<U3"),
                    {"long_name": "Brooker grade from the reduced model's volume (empty: not a hip)"}),
        "stage_from_day": (("arm", "patient", "stage"), stacked["stage_days"][..., 0], {"units": "day"}),
        "stage_to_day": (("arm", "patient", "stage"), stacked["stage_days"][..., 1], {"units": "day"}),
        "has_factor": (("patient", "factor"),
                       np.array([[f in had for f in factor_names] for had in chunk["factors"]], bool).reshape(
                           len(chunk["index"]), len(factor_names))),
        "parameter_multiplier": (("patient", "parameter"),
                                 np.stack([chunk["multipliers"][p] for p in chunk["multipliers"]], axis=1),
                                 {"long_name": "the patient's value over the model's (variability x factors)"}),
    }
    for option in sorted(chunk["options"][0]) if chunk["options"] else ():
        values = [o[option] for o in chunk["options"]]
        data[f"option_{option}"] = (("patient",), np.array(values, dtype=str if isinstance(values[0], str) else float))
    coords = {"patient": chunk["index"], "arm": arms, "week": weeks, "stage": list(STAGE_NAMES),
              "factor": factor_names, "parameter": list(chunk["multipliers"])}
    return xr.Dataset(data, coords=coords, attrs={"spec": json.dumps(spec, sort_keys=True)})


def run_cohort(spec: dict, out: str | os.PathLike, *, workers: int | None = None, client=None,
               progress: Callable[[int, int], None] | None = None) -> dict:
    """Run (or resume) the cohort of `spec` into folder `out`; returns the summary (also in cohort.json)."""
    folder = Path(out)
    chunks = folder / "chunks"
    _claim(folder, spec)
    chunks.mkdir(parents=True, exist_ok=True)
    total = -(-spec["n"] // spec["chunk"])
    done = {k for k in range(total) if _finished(chunks / f"{k:05d}.nc", spec)}
    todo = {f"chunk-{k:05d}": {"spec": spec, "chunk_index": k} for k in range(total) if k not in done}
    if progress is not None:
        progress(len(done), total)
    failures = []
    for name, outcome, error in execute_tasks(todo, run_chunk, workers, client):
        if error is not None:
            failures.append(f"{name}: {error}")
            continue
        k = todo[name]["chunk_index"]
        dataset = chunk_dataset(spec, outcome)
        write_atomic(chunks / f"{k:05d}.nc", lambda tmp, ds=dataset: ds.to_netcdf(tmp, engine="netcdf4"))
        done.add(k)
        if progress is not None:
            progress(len(done), total)
    if failures:
        raise SimulationError(f"{len(failures)} chunk(s) failed (the others are saved; re-run to resume): "
                              + "; ".join(failures))
    cohort = xr.open_mfdataset([chunks / f"{k:05d}.nc" for k in range(total)], combine="nested",
                               concat_dim="patient", data_vars="minimal", coords="minimal", compat="override")
    with cohort:
        cohort = cohort.load()
    store = folder / "cohort.zarr"
    staging = folder / ".cohort.zarr.partial"
    shutil.rmtree(staging, ignore_errors=True)
    cohort.to_zarr(staging, mode="w", consolidated=True, zarr_format=2)
    shutil.rmtree(store, ignore_errors=True)
    os.replace(staging, store)
    summary = summarise(spec, cohort)
    write_json(folder / "cohort.json", {"spec": spec, "summary": summary})
    return summary


def _claim(folder: Path, spec: dict) -> None:
    """Refuse a folder that holds a different cohort (its chunks would be mixed in); mark it as this one's."""
    path = folder / "cohort.json"
    if path.exists():
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))["spec"]
        except (OSError, ValueError, KeyError):
            raise InputError(f"{path} is not a hosim cohort file; choose an empty --out folder") from None
        if _defining(saved) != _defining(spec):
            raise InputError(f"{folder} holds a different cohort (setting {saved.get('setting')}, n {saved.get('n')}, "
                             f"seed {saved.get('seed')}); choose another --out folder or delete it")
        return
    if folder.exists() and any(item.name != LOCK_NAME for item in folder.iterdir()):
        raise InputError(f"{folder} is not empty and holds no cohort; choose an empty or new --out folder")
    folder.mkdir(parents=True, exist_ok=True)
    write_json(path, {"spec": spec, "summary": None})


def _defining(spec: dict) -> dict:
    """What decides a cohort's patients and outcomes (a changed model or population recomputes chunks, but
    the folder is still this cohort's)."""
    return {k: spec[k] for k in ("setting", "n", "seed", "chunk", "factors", "arms")}


def _finished(path: Path, spec: dict) -> bool:
    """Whether a chunk file exists and was made with exactly this spec (model and population included)."""
    if not path.exists():
        return False
    try:
        with xr.open_dataset(path, engine="netcdf4") as ds:
            return json.loads(ds.attrs["spec"]) == json.loads(json.dumps(spec, sort_keys=True))
    except (OSError, ValueError, KeyError):
        return False


def proportion(successes: int, n: int) -> dict:
    """A proportion with its Wilson score 95% interval (sampling uncertainty of a cohort of n)."""
    if n == 0:
        return {"incidence": None, "low": None, "high": None}
    p = successes / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * np.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
    return {"incidence": round(p, 4), "low": round(max(0.0, centre - half), 4), "high": round(min(1.0, centre + half), 4)}


def arm_summary(arm: xr.Dataset) -> dict:
    """An arm's any-HO and severe-HO incidence, Brooker distribution and onset quartiles."""
    n = arm.sizes["patient"]
    visible = arm["visible"].values.astype(bool)
    grades = arm["brooker"].values.astype(str)
    graded = bool(np.all(grades != ""))
    onset = arm["onset_day"].values[visible]
    return {
        "any_ho": proportion(int(visible.sum()), n),
        "severe_ho": proportion(int(np.isin(grades, ["III", "IV"]).sum()), n) if graded
        else {"incidence": None, "low": None, "high": None},
        "brooker": {g: round(float(np.mean(grades == g)), 4) for g in GRADES} if graded
        else {g: None for g in GRADES},
        "onset_days": {"median": _round(np.median(onset)) if onset.size else None,
                       "q25": _round(np.percentile(onset, 25)) if onset.size else None,
                       "q75": _round(np.percentile(onset, 75)) if onset.size else None},
        "heterotopic_bone_cm3": {"median": _round(np.median(arm["heterotopic_bone_cm3"].values), 4),
                                 "q90": _round(np.percentile(arm["heterotopic_bone_cm3"].values, 90), 4)},
    }


def _round(value: float, digits: int = 1) -> float:
    return round(float(value), digits)


def summarise(spec: dict, cohort: xr.Dataset) -> dict:
    """The --json summary: a cohort's one arm flat (the contract's keys), a trial's arms with relative risks."""
    arms = {name: arm_summary(cohort.sel(arm=name)) for name in spec["arms"]}
    base = {"setting": spec["setting"], "n": spec["n"], "seed": spec["seed"], "factors": spec["factors"],
            "definitions": DEFINITIONS, "variability": {k: v.sigma for k, v in variability().items()},
            "people": people_summary()}
    if list(spec["arms"]) == ["cohort"]:
        return {**base, "interventions": spec["arms"]["cohort"], **arms["cohort"]}
    return {**base, "arms": arms, "relative_risk": relative_risks(spec, cohort)}


DEFINITIONS = {
    "any_ho": "heterotopic bone visible on imaging by the end of the run: Brooker I or more at the hip (the grade map), "
              "elsewhere at least 0.1 cm3 in the reduced model",
    "severe_ho": "Brooker III-IV (hip settings; from the reduced model's volume by the fitted grade map)",
    "onset_days": "day imaging first shows HO, among patients in whom it does",
    "interval": "Wilson 95% interval: the sampling uncertainty of a cohort this size, not the model's",
}


def relative_risks(spec: dict, cohort: xr.Dataset, resamples: int = 2000) -> dict:
    """Each arm's risk of any HO relative to the first arm, on the same (paired) patients, with a paired
    bootstrap 95% interval over patients (seeded by the cohort seed)."""
    arms = list(spec["arms"])
    visible = {a: cohort["visible"].sel(arm=a).values.astype(float) for a in arms}
    n = len(visible[arms[0]])
    rng = np.random.default_rng([spec["seed"], 1])
    draws = rng.integers(0, n, size=(resamples, n))
    control = visible[arms[0]][draws].mean(axis=1)
    base = visible[arms[0]].mean()
    out = {}
    for a in arms[1:]:
        rr = visible[a].mean() / base if base > 0 else None
        with np.errstate(divide="ignore", invalid="ignore"):
            boot = visible[a][draws].mean(axis=1) / control
        boot = boot[np.isfinite(boot)]
        out[a] = {"rr": None if rr is None else round(float(rr), 4),
                  "low": round(float(np.percentile(boot, 2.5)), 4) if boot.size else None,
                  "high": round(float(np.percentile(boot, 97.5)), 4) if boot.size else None}
    return out
