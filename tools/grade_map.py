"""Fit the reduced model's grade map (src/hosim/data/grade_map.toml): virtual hip patients run in 0-D
(the cohort's batch) and as 2-D sections graded like radiographs; the 0-D volume thresholds of each Brooker
grade are the ones that agree best with the sections' grades. Writes the table and
docs/generated/grade_map.md (the sample, patient by patient).

    python tools/grade_map.py [--n 24] [--seed 7] [--workers 2]

With --check SETTING, fits nothing: patients of another hip setting (drawn from the calibrated population
as a cohort draws them) are graded both ways with the installed map, and the agreement is written to
docs/generated/grade_map_check_SETTING.md.

    python tools/grade_map.py --check sci [--n 12] [--seed 7] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from hosim.biology.parameters import load_parameters
from hosim.cohort.grade_map import GRADES
from hosim.cohort.cohorts import cohort_people
from hosim.cohort.population import draw_patients, get_setting
from hosim.cohort.virtual import run_patients

ROOT = Path(__file__).resolve().parents[1]
# (setting, factors every patient of that part has): the spread of grades a fit needs
SAMPLE = (("tha", ()), ("tha", ("prior-ho",)), ("tha", ("prior-ho", "ankylosing-spondylitis")))


def section(job):
    """One patient as a 2-D section: heterotopic volume (cm3) and Brooker grade."""
    from hosim.simulation import simulate

    scenario, options, values = job
    result = simulate(scenario, dims=2, parameters=values, **options)
    return result.patient["course"]["heterotopic_bone_cm3"][-1], result.patient["grade"]["brooker"]


def fit(volumes: np.ndarray, grades: list[str]) -> dict[str, float]:
    """Lower bound of each grade: the cut (midway between two sample volumes) above the previous grade's
    bound with fewest patients on the wrong side of it; a grade the sections never showed gets the cut
    next to its neighbour's, which the source line says."""
    rank = np.array([GRADES.index(g) for g in grades])
    order = np.sort(volumes)
    cuts = np.concatenate([[order[0] / 2], (order[1:] + order[:-1]) / 2, [order[-1] * 2]])
    bounds, low = {}, 0.0
    for k, name in enumerate(GRADES[1:], start=1):
        above = [c for c in cuts if c > low]
        errors = [np.sum((volumes >= c) & (rank < k)) + np.sum((volumes < c) & (rank >= k)) for c in above]
        low = bounds[name] = float(above[int(np.argmin(errors))])
    return bounds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=24, help="patients in all (split over the sample's parts)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--check", help="a hip setting to check the installed map on (fits nothing)")
    args = ap.parse_args()
    if args.check:
        rows = paired(((args.check, ()),), args.n, args.seed, args.workers, cohort_people())
        check(rows, args.check, args.seed)
        return
    summarise(paired(SAMPLE, args.n // len(SAMPLE), args.seed, args.workers, None), args.seed)


def paired(sample, per: int, seed: int, workers: int, people) -> list[dict]:
    """`per` patients of each (setting, factors) part, each run in 0-D and as a 2-D section."""
    human = load_parameters("human")
    rows, jobs = [], []
    for part, (name, given) in enumerate(sample):
        setting = get_setting(name)
        patients = draw_patients(setting, seed + part, np.arange(per), given, people=people)
        reduced = run_patients(setting, patients)
        for k in range(per):
            values = {p: human.value(p) * float(m[k]) for p, m in patients.multipliers.items()}
            values.update({p: human.value(p) + float(a[k]) for p, a in patients.offsets.items()})
            jobs.append((setting.scenario, patients.options[k], values))
            rows.append({"setting": name, "factors": list(patients.factors[k]), "options": patients.options[k],
                         "volume_0d_cm3": float(reduced["heterotopic_bone_cm3"][k]),
                         "brooker_0d": str(reduced["brooker"][k])})
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        for row, (volume, grade) in zip(rows, pool.map(section, jobs)):
            row.update(volume_2d_cm3=float(volume), brooker_2d=grade)
            print(json.dumps(row), flush=True)
    return rows


def check(rows: list[dict], name: str, seed: int) -> None:
    """The installed map on another setting's patients: agreement with the sections, patient by patient."""
    predicted = [GRADES.index(r["brooker_0d"]) for r in rows]
    actual = [GRADES.index(r["brooker_2d"]) for r in rows]
    exact = float(np.mean([p == a for p, a in zip(predicted, actual)]))
    within = float(np.mean([abs(p - a) <= 1 for p, a in zip(predicted, actual)]))
    lines = [f"Grade map check on `{name}` (tools/grade_map.py --check {name} --n {len(rows)} --seed {seed}; "
             f"calibrated people): exact agreement {exact:.0%}, within one grade {within:.0%}.", "",
             "| options | factors | 0-D volume (cm3) | 2-D volume (cm3) | 2-D Brooker | 0-D Brooker (map) |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        options = ", ".join(f"{k}={v}" for k, v in r["options"].items()) or "-"
        lines.append(f"| {options} | {', '.join(r['factors']) or '-'} | {r['volume_0d_cm3']:.3f} | "
                     f"{r['volume_2d_cm3']:.3f} | {r['brooker_2d']} | {r['brooker_0d']} |")
    (ROOT / "docs/generated" / f"grade_map_check_{name}.md").write_text("\n".join(lines) + "\n")
    print(lines[0])


def summarise(rows: list[dict], seed: int) -> None:
    """Fit the bounds to the sample and write the table and the sample page."""
    volumes = np.array([r["volume_0d_cm3"] for r in rows])
    grades = [r["brooker_2d"] for r in rows]
    bounds = fit(volumes, grades)
    predicted = [sum(v >= b for b in bounds.values()) for v in volumes]
    actual = [GRADES.index(g) for g in grades]
    exact = float(np.mean([p == a for p, a in zip(predicted, actual)]))
    within = float(np.mean([abs(p - a) <= 1 for p, a in zip(predicted, actual)]))
    seen = sorted(set(grades), key=GRADES.index)
    write_table(bounds, len(rows), exact, within, seen, seed)
    write_sample(rows, predicted)
    print(f"thresholds {bounds}; exact agreement {exact:.0%}, within one grade {within:.0%}; grades seen {seen}")


def write_table(bounds, n, exact, within, seen, seed) -> None:
    text = (Path(ROOT / "src/hosim/data/grade_map.toml").read_text().split("# lower bound")[0]
            + "# lower bound of each grade, cm3 of heterotopic bone in the 0-D run (grade 0 below the first)\n"
            + "thresholds_cm3 = { " + ", ".join(f"{g} = {b:.4g}" for g, b in bounds.items()) + " }\n"
            + f'source = "fitted by tools/grade_map.py --n {n} --seed {seed}: paired 0-D and 2-D runs of virtual THA '
            + f'patients; grades seen in the sections: {", ".join(seen)} (a grade not seen has no fitted bound)"\n'
            + f"sample = {n}\nagreement = {exact:.3f}\nwithin_one_grade = {within:.3f}\n")
    (ROOT / "src/hosim/data/grade_map.toml").write_text(text)


def write_sample(rows, predicted) -> None:
    lines = ["| setting | factors | 0-D volume (cm3) | 2-D volume (cm3) | 2-D Brooker | 0-D Brooker (map) |",
             "|---|---|---|---|---|---|"]
    for row, p in zip(rows, predicted):
        lines.append(f"| {row['setting']} | {', '.join(row['factors']) or '-'} | {row['volume_0d_cm3']:.3f} | "
                     f"{row['volume_2d_cm3']:.3f} | {row['brooker_2d']} | {GRADES[p]} |")
    out = ROOT / "docs/generated"
    out.mkdir(parents=True, exist_ok=True)
    (out / "grade_map.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
