"""Calibration of the virtual population (not of individuals): which people, among the plausible ones, make
up the population whose incidence of HO after each injury matches the literature.

The method is selection of plausible patients (Allen 2016 CPT Pharmacometrics Syst Pharmacol 5:140), with
the selection weights found by maximum entropy (ensemble refinement; Hummer & Koefinger 2015 J Chem Phys
143:243150):
1. A pool of plausible people: each a row of multipliers of the varying parameters (population.toml
   [variability]), drawn half from the uncalibrated log-normal prior and half log-uniformly across each
   parameter's plausible range (a defensive mixture, Hesterberg 1995 Technometrics 37:185), so that people
   the prior finds unlikely but the data may need are in the pool.
2. Every person meets every calibrated setting: one outcome row per person, the same person in every
   setting, each outcome its expectation over the setting's options (every option set, by its share) and
   over FACTOR_DRAWS draws of its factors (drawn as in a cohort), so that the selection picks people, not
   lucky draws.
3. Weights w = prior x exp(lambda . outcomes), normalised, with lambda minimising the convex dual of
   "stay closest to the prior (relative entropy) while each target is met within its reported spread"
   (a Gaussian error of sd = the width of the literature's 95% range / 3.92).
A cohort then draws each patient's person by these weights (cohort.population.draw_patients). The targets:
every setting's any-HO row(s) with a reported spread (clinical_evidence.csv via `hosim risk`), and the THA
Brooker grades among patients with HO (population.toml [calibration.tha_brooker]). Where a setting's risk rows
carry no spread, population.toml [calibration.incidence_rows] names a row with counts (FOP: Lanchoney 1995).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from scipy import optimize, stats

from hosim.biology.factors import factor_table
from hosim.biology.parameters import load_parameters
from hosim.clinical.evidence import evidence_row, uncertainty_of
from hosim.clinical.sampling import Z95, p_value_sd
from hosim.clinical.settings import SETTINGS
from hosim.cohort.population import (POPULATION_FILE, People, calibrated_people, calibration_table, draw,
                                     draw_patients, effective_size, get_setting, option_sets, patients_of, settings,
                                     variability)
from hosim.errors import InputError, SimulationError
from hosim.files import write_text

GRADES_WITH_HO = {"I": ("I",), "II": ("II",), "III-IV": ("III", "IV")}
# Draws of each pool person's factors a feature averages over, where the setting's factors act: with one
# draw the selection would pick people for the factors they happened to draw (a storm, an infection)
# rather than for their own parameters, and a fresh cohort would then miss the target.
FACTOR_DRAWS = 8
BATCH_PATIENTS = 6000  # patients stepped together at most (the recorded series of a batch grow with it)
MAX_POOL = 200_000


@dataclass(frozen=True)
class Target:
    """One calibration target, its value and reported 95% range: a setting's incidence of HO, or (grades
    given) the share of these grades among the setting's patients with HO."""

    name: str
    setting: str
    value: float
    low: float
    high: float
    source: str
    grades: tuple[str, ...] = ()

    @property
    def sd(self) -> float:
        """The Gaussian error the fit allows: a 95% range is about 3.92 standard deviations wide."""
        return (self.high - self.low) / (2 * stats.norm.ppf(0.975))


def literature_range(row_id: str) -> tuple[float, float] | None:
    """The 95% range of an evidence row as `hosim risk` samples it: a reported range, the Jeffreys
    interval of reported counts, a ratio's interval back-calculated from its p-value (on the log scale), or
    None (a figure without a spread)."""
    spec = uncertainty_of(row_id)
    if spec.kind == "range95":
        return spec.a, spec.b
    if spec.kind == "counts":
        beta = stats.beta(spec.a + 0.5, spec.b - spec.a + 0.5)
        return float(beta.ppf(0.025)), float(beta.ppf(0.975))
    if spec.kind == "p_value":
        centre = np.log(evidence_row(row_id).require_value())
        half = Z95 * p_value_sd(centre, spec.a)
        return float(np.exp(centre - half)), float(np.exp(centre + half))
    return None


def incidence_rows(name: str) -> tuple[str, ...]:
    """The evidence rows a setting's incidence is judged by: `hosim risk`'s any-HO rows, or the row
    population.toml [calibration.incidence_rows.NAME] names where those carry no spread (FOP)."""
    entry = calibration_table().get("incidence_rows", {}).get(name)
    return (entry["row"],) if entry is not None else SETTINGS[name].any_ho


def incidence_targets() -> tuple[list[Target], dict[str, str]]:
    """Every setting's any-HO target (its first row with a spread) and, for the settings left out, why."""
    targets = []
    left_out = {name: entry["reason"] for name, entry in calibration_table().get("not_fitted", {}).items()}
    for name in settings():
        if name in left_out:
            continue
        rows = [(row_id, literature_range(row_id)) for row_id in incidence_rows(name)]
        ranged = [(row_id, bounds) for row_id, bounds in rows if bounds is not None]
        if not ranged:
            left_out[name] = "its incidence rows (" + ", ".join(incidence_rows(name)) + ") report no spread"
            continue
        row_id, (low, high) = ranged[0]
        row = evidence_row(row_id)
        targets.append(Target(name, name, row.require_value(), low, high, f"{row_id}: {row.source}"))
    return targets, left_out


def brooker_targets() -> list[Target]:
    """THA Brooker grades among hips with HO (the placebo arm's counts): I, II and III-IV."""
    entry = calibration_table()["tha_brooker"]
    counts = {label: sum(int(entry["counts"][g]) for g in grades) for label, grades in GRADES_WITH_HO.items()}
    with_ho = sum(counts.values())
    out = []
    for label, grades in GRADES_WITH_HO.items():
        beta = stats.beta(counts[label] + 0.5, with_ho - counts[label] + 0.5)
        out.append(Target(f"tha-brooker-{label}", entry["setting"], counts[label] / with_ho,
                          float(beta.ppf(0.025)), float(beta.ppf(0.975)), entry["source"], grades))
    return out


def draw_pool(size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Plausible people: (multipliers (size, varying parameters), log prior/proposal density ratio)."""
    human = load_parameters("human")
    spread = variability()
    sigma = np.array([v.sigma for v in spread.values()])
    low = np.array([np.log(human[n].low / human[n].value) for n in spread])
    high = np.array([np.log(human[n].high / human[n].value) for n in spread])
    rng = np.random.default_rng([seed, 2])
    wide = rng.random(size) < 0.5
    x = np.where(wide[:, None], low + (high - low) * rng.random((size, len(sigma))),
                 sigma * rng.standard_normal((size, len(sigma))))
    log_prior = stats.norm.logpdf(x, 0.0, sigma).sum(axis=1)
    inside = np.all((x >= low) & (x <= high), axis=1)
    log_uniform = np.where(inside, -np.log(high - low).sum(), -np.inf)
    log_ratio = log_prior - np.logaddexp(log_prior, log_uniform) + np.log(2.0)
    return np.exp(x), log_ratio


def pool_outcomes(task: dict) -> dict:
    """Every person of the pool in one setting with one set of options: per person, the share of
    FACTOR_DRAWS draws of their factors (drawn as in a cohort) in which HO shows, and (hips) each Brooker
    grade's share. One draw where no factor of the setting acts on the mechanism."""
    from hosim.cohort.virtual import run_patients

    setting = get_setting(task["setting"])
    people = np.asarray(task["people"])
    n = len(people)
    index = np.arange(n)
    table = factor_table()
    draws = FACTOR_DRAWS if any(table[f].mechanistic for f in setting.factors) else 1
    visible = np.zeros(n)
    grades: dict[str, np.ndarray] = {}
    together = max(1, BATCH_PATIENTS // n)  # draws stepped in one batch (a patient's outcome is the same in any)
    for first in range(0, draws, together):
        rounds = range(first, min(draws, first + together))
        # draw r of person i is cohort patient i + r n: its own random stream
        factors = [f for r in rounds for f in draw(setting, task["seed"], index + r * n)[1]]
        out = run_patients(setting, patients_of(np.arange(n * len(rounds)), [dict(task["options"])] * len(factors),
                                                factors, np.tile(people, (len(rounds), 1))))
        seen = out["visible"].reshape(len(rounds), n)
        brooker = out["brooker"].reshape(len(rounds), n)
        visible += seen.sum(axis=0) / draws
        for grade in np.unique(brooker):
            grades[str(grade)] = grades.get(str(grade), np.zeros(n)) + (brooker == grade).sum(axis=0) / draws
    return {"visible": visible, "grades": grades}


def pool_tasks(names: list[str], people: np.ndarray, seed: int) -> dict[str, dict]:
    """One task per setting and option set, so that each person's outcome is its expectation over the
    setting's options (their shares), not one draw of them: selecting people cannot then select lucky draws."""
    tasks = {}
    for name in names:
        for k, (options, share) in enumerate(option_sets(get_setting(name))):
            tasks[f"{name}/{k:03d}"] = {"setting": name, "options": options, "share": share, "seed": seed, "people": people}
    return tasks


def features(targets: list[Target], outcomes: dict[str, dict]) -> np.ndarray:
    """Per person, the quantity each target is the mean of: the chance of HO seen in a setting (over its
    option sets), or for a Brooker target, the chance of that grade minus its target share of the chance of
    any HO (mean 0 when the share is met). `outcomes`: setting -> [(share, outcome of pool_outcomes)]."""
    columns = []
    for target in targets:
        parts = outcomes[target.setting]
        seen = sum(share * out["visible"] for share, out in parts)
        if target.grades:
            has = sum(share * out["grades"].get(g, 0.0) for share, out in parts for g in target.grades)
            columns.append(has - target.value * seen)
        else:
            columns.append(seen)
    return np.stack(columns, axis=1)


def aims(targets: list[Target]) -> tuple[np.ndarray, np.ndarray]:
    """The feature means the fit aims at and their allowed errors (a Brooker share's error scaled by the
    setting's incidence, as its feature is)."""
    incidence = {t.setting: t.value for t in targets if not t.grades}
    aim = np.array([0.0 if t.grades else t.value for t in targets])
    sd = np.array([t.sd * (incidence[t.setting] if t.grades else 1.0) for t in targets])
    return aim, sd


def fit_weights(f: np.ndarray, aim: np.ndarray, sd: np.ndarray, log_prior: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-entropy weights: w ~ prior exp(f lambda), lambda minimising log Z - lambda.aim + |sd lambda|^2/2
    (convex; its optimum meets each aim within about its sd). Returns (weights, lambda)."""

    def dual(lam):
        a = log_prior + f @ lam
        top = a.max()
        w = np.exp(a - top)
        z = w.sum()
        w /= z
        return top + np.log(z) - lam @ aim + 0.5 * np.sum((sd * lam) ** 2), f.T @ w - aim + sd**2 * lam

    result = optimize.minimize(dual, np.zeros(f.shape[1]), jac=True, method="L-BFGS-B",
                               options={"maxiter": 10_000, "gtol": 1e-10})
    a = log_prior + f @ result.x
    w = np.exp(a - a.max())
    return w / w.sum(), result.x


def check_arguments(pool: int, seed: int, check: int) -> None:
    """InputError naming the first bad argument of `hosim calibrate-population`."""
    for option, value, low, high in (("--pool", pool, 100, MAX_POOL), ("--seed", seed, 0, 2**63 - 2),
                                     ("--check", check, 0, MAX_POOL)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
            raise InputError(f"{option} must be a whole number from {low} to {high}, got {value!r}")


def calibrate(pool: int, seed: int, workers: int | None = None, client=None,
              progress: Callable[[int, int], None] | None = None) -> tuple[People, dict]:
    """Fit the population; returns the calibrated people and the report (targets, prior and fitted means)."""
    from hosim.cohort.runner import execute_tasks

    check_arguments(pool, seed, 0)
    incidence, left_out = incidence_targets()
    targets = incidence + brooker_targets()
    people, log_prior = draw_pool(pool, seed)
    tasks = pool_tasks(sorted({t.setting for t in targets}), people, seed)
    outcomes: dict[str, list] = {}
    done = 0
    if progress is not None:
        progress(0, len(tasks))
    for name, outcome, error in execute_tasks(tasks, pool_outcomes, workers, client):
        if error is not None:
            raise SimulationError(f"{name}: {error}")
        outcomes.setdefault(tasks[name]["setting"], []).append((name, tasks[name]["share"], outcome))
        done += 1
        if progress is not None:
            progress(done, len(tasks))
    # in task order, not finishing order: sums of floats then agree bit for bit at any worker count
    outcomes = {setting: [(share, out) for _, share, out in sorted(parts, key=lambda part: part[0])]
                for setting, parts in outcomes.items()}
    f = features(targets, outcomes)
    seen = {t.setting: f[:, k] for k, t in enumerate(targets) if not t.grades}
    aim, sd = aims(targets)
    weights, lam = fit_weights(f, aim, sd, log_prior)
    prior = np.exp(log_prior - log_prior.max())
    prior /= prior.sum()
    report = {
        "pool": int(pool), "seed": int(seed),
        "effective_people": {"prior": round(effective_size(prior), 1), "calibrated": round(effective_size(weights), 1)},
        "targets": [_target_report(t, f[:, k], seen[t.setting], prior, weights, lam[k]) for k, t in enumerate(targets)],
        "not_fitted": left_out,
        "people": _people_report(people, prior, weights),
    }
    return People(people, weights), report


def _target_report(t: Target, column: np.ndarray, seen: np.ndarray, prior: np.ndarray, weights: np.ndarray,
                   lam: float) -> dict:
    """A target beside the prior's and the calibrated population's value of it (a Brooker share as a share
    of hips with HO)."""
    if not t.grades:
        before, after = float(column @ prior), float(column @ weights)
    else:
        before = float((column + t.value * seen) @ prior / max(seen @ prior, 1e-12))
        after = float((column + t.value * seen) @ weights / max(seen @ weights, 1e-12))
    return {"name": t.name, "setting": t.setting, "grades": list(t.grades), "target": t.value, "low": round(t.low, 4), "high": round(t.high, 4),
            "prior": round(before, 4), "calibrated": round(after, 4), "lambda": round(float(lam), 4),
            "source": t.source}


def _people_report(people: np.ndarray, prior: np.ndarray, weights: np.ndarray) -> dict:
    """Each varying parameter's median and log-spread (sd of ln multiplier) before and after."""
    out = {}
    for k, name in enumerate(variability()):
        x = np.log(people[:, k])
        out[name] = {}
        for label, w in (("prior", prior), ("calibrated", weights)):
            order = np.argsort(x)
            median = x[order][np.searchsorted(np.cumsum(w[order]), 0.5)]
            mean = x @ w
            out[name][label] = {"median_multiplier": round(float(np.exp(median)), 3),
                                "log_sd": round(float(np.sqrt(max((x - mean) ** 2 @ w, 0.0))), 3)}
    return out


def population_fingerprint() -> str:
    """What a calibrated population was fitted on: the model, population.toml and grade_map.toml (data,
    not prose). A population fitted on another model is stale (tests/cohort/test_population_fit.py says so)."""
    from hosim.fingerprint import meaning, model_fingerprint

    digest = hashlib.sha256(model_fingerprint().encode())
    for name in ("population.toml", "grade_map.toml"):
        digest.update(meaning(name, resources.files("hosim.data").joinpath(name).read_text(encoding="utf-8")).encode())
    return digest.hexdigest()


def people_csv(people: People, pool: int, seed: int) -> str:
    """The calibrated people as CSV: two comment lines (how it was made, on what), then one row per person
    with a weight above 1e-9 of the largest (weights renormalised)."""
    keep = people.weights >= 1e-9 * people.weights.max()
    weights = people.weights[keep] / people.weights[keep].sum()
    out = io.StringIO()
    out.write(f"# hosim virtual population: `hosim calibrate-population --pool {pool} --seed {seed}`; "
              "weight = the share of patients drawn as this person; the others are multipliers of the model's value\n")
    out.write(f"# fitted on {population_fingerprint()}\n")
    out.write(",".join(["person", "weight", *variability()]) + "\n")
    for k, (w, row) in enumerate(zip(weights, people.multipliers[keep])):
        out.write(",".join([str(k), f"{w:.9g}", *(f"{m:.9g}" for m in row)]) + "\n")
    return out.getvalue()


def check_task(task: dict) -> dict:
    """A fresh cohort of one setting drawn from the calibrated people: the share with HO seen."""
    from hosim.cohort.virtual import run_patients

    setting = get_setting(task["setting"])
    patients = draw_patients(setting, task["seed"], np.arange(task["n"]), people=task["people"])
    return {"visible": int(run_patients(setting, patients)["visible"].sum())}


def check_population(people: People, n: int, seed: int, workers: int | None = None, client=None,
                     progress: Callable[[int, int], None] | None = None) -> dict:
    """Out-of-sample check: a cohort of n per setting (every setting, fitted or not) from the calibrated
    people with fresh draws of options and factors (seed + 1), its incidence with a Wilson interval beside
    the literature's 95% range."""
    from hosim.cohort.cohorts import proportion
    from hosim.cohort.runner import execute_tasks

    tasks = {name: {"setting": name, "n": n, "seed": seed + 1, "people": people} for name in settings()}
    out = {}
    for name, outcome, error in execute_tasks(tasks, check_task, workers, client):
        if error is not None:
            raise SimulationError(f"check of {name}: {error}")
        ranges = [(row_id, literature_range(row_id)) for row_id in incidence_rows(name)]
        model = proportion(outcome["visible"], n)
        inside = [row_id for row_id, bounds in ranges
                  if bounds is not None and bounds[0] <= model["incidence"] <= bounds[1]]
        if progress is not None:
            progress(len(out) + 1, len(tasks))
        out[name] = {"model": model, "literature": {row_id: None if b is None else [round(b[0], 4), round(b[1], 4)]
                                                    for row_id, b in ranges},
                     "inside": bool(inside) if any(b is not None for _, b in ranges) else None}
    return {name: out[name] for name in settings()}


def install_folder() -> Path:
    """The package's data folder, where --install puts the population (an editable install or a source
    checkout); InputError when it cannot be written, checked before any work."""
    import hosim

    folder = Path(hosim.__file__).resolve().parent / "data"
    if not os.access(folder, os.W_OK):
        raise InputError(f"--install: {folder} cannot be written (an installed package); run without --install "
                         f"and copy {POPULATION_FILE} there by hand, or install hosim editable")
    return folder


def install_people(csv_text: str) -> Path:
    """Make a fitted population the one cohorts draw from."""
    target = install_folder() / POPULATION_FILE
    write_text(target, csv_text)
    calibrated_people.cache_clear()
    return target


def calibrate_population(out: Path, pool: int, seed: int, check: int, install: bool, workers: int | None = None,
                         client=None, progress: Callable[[int, int, str], None] | None = None) -> dict:
    """The whole command: fit, check, write (virtual_population.csv, population_fit.json and .md, figures)
    and optionally install; returns the JSON report."""
    from hosim.io.population_figures import fit_figure, fit_table, people_figure

    check_arguments(pool, seed, check)
    if install:
        install_folder()
    people, report = calibrate(pool, seed, workers, client,
                               None if progress is None else lambda d, t: progress(d, t, "pool runs"))
    checked = check_population(people, check, seed, workers, client,
                               None if progress is None else lambda d, t: progress(d, t, "check cohorts")) if check else {}
    report["check"] = {"n": check, "seed": seed + 1, "settings": checked}
    (out / "figures").mkdir(parents=True, exist_ok=True)
    csv_text = people_csv(people, pool, seed)
    write_text(out / POPULATION_FILE, csv_text)
    files = [out / POPULATION_FILE]
    if checked:
        files.append(write_text(out / "population_fit.md", fit_table(report, checked)))
        files.append(fit_figure(report, checked, out / "figures" / "population_fit.png"))
    files.append(people_figure(report, people.multipliers, people.weights,
                               {k: v.sigma for k, v in variability().items()}, out / "figures" / "people.png"))
    report["installed"] = str(install_people(csv_text)) if install else None
    report["files"] = [str(f) for f in files] + [str(out / "population_fit.json")]
    write_text(out / "population_fit.json", json.dumps(report, indent=1))
    return report
