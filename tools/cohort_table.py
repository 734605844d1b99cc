"""The per-setting table of docs/cohorts.md: each setting's virtual cohort (the mechanism, drawn from the
calibrated population as `hosim cohort` draws) beside the evidence rows of `hosim risk` (the literature's
incidence and range; the row population.toml names where those carry no spread).

    python tools/cohort_table.py [--n 2000] [--seed 0]   # writes docs/generated/cohort_table.md
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from hosim.clinical.evidence import evidence_row
from hosim.clinical.settings import SETTINGS
from hosim.cohort.cohorts import cohort_people, proportion
from hosim.cohort.population import draw_patients, settings
from hosim.cohort.population_fit import incidence_rows, literature_range
from hosim.cohort.virtual import run_patients

ROOT = Path(__file__).resolve().parents[1]


def literature(ids) -> str:
    """Each row's value and its 95% range as the calibration reads it (a reported range or counts)."""
    out = []
    for i in ids:
        bounds = literature_range(i)
        out.append(f"{evidence_row(i).value:.0%}" + (f" ({bounds[0]:.0%}-{bounds[1]:.0%})" if bounds else ""))
    return "; ".join(out)


def cell(p: dict) -> str:
    return f"{p['incidence']:.0%} ({p['low']:.0%}-{p['high']:.0%})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    lines = [f"| setting | scenario | any HO, model (n={args.n}) | any HO, literature | severe, model | severe, "
             "literature (definition) | inside the 95% range |", "|---|---|---|---|---|---|---|"]
    for name, setting in settings().items():
        out = run_patients(setting, draw_patients(setting, args.seed, np.arange(args.n), people=cohort_people()))
        any_ho = proportion(int(out["visible"].sum()), args.n)
        clinical = SETTINGS[name]
        rows = incidence_rows(name)
        ranges = [r for r in (literature_range(i) for i in rows) if r is not None]
        inside = "-" if not ranges else "yes" if any(lo <= any_ho["incidence"] <= hi for lo, hi in ranges) else "no"
        graded = bool(np.all(out["brooker"] != ""))
        severe = cell(proportion(int(np.isin(out["brooker"], ["III", "IV"]).sum()), args.n)) if graded else "-"
        lines.append(f"| {name} | {setting.scenario} | {cell(any_ho)} | {literature(rows)} | {severe} | "
                     f"{literature(clinical.severe_ho) if clinical.severe_ho else '-'}"
                     f"{' (' + clinical.severe_definition + ')' if clinical.severe_definition else ''} | "
                     f"{inside} |")
        print(lines[-1], flush=True)
    out = ROOT / "docs/generated"
    out.mkdir(parents=True, exist_ok=True)
    (out / "cohort_table.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
