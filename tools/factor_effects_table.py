"""The factor table of docs/cohorts.md: for every risk factor the mechanism reads and the evidence
quantifies, the same virtual patients with and without it (cohort.factor_effects) beside the published
odds ratio, relative risk or pattern incidence.

    python tools/factor_effects_table.py [--n 1000] [--seed 0]   # writes docs/generated/factor_effects.{md,json}
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from hosim.cohort.factor_effects import factor_effects
from hosim.cohort.population import settings

ROOT = Path(__file__).resolve().parents[1]


def interval(low, high, percent: bool = False) -> str:
    if low is None:
        return "no spread reported"
    return f"{low:.0%}-{high:.0%}" if percent else f"{low:.3g}-{high:.3g}"


def line(r: dict) -> str:
    if r["kind"] == "incidence":
        model = f"{r['model']:.0%} with it"
        evidence = f"{r['evidence']:.0%} ({interval(r['evidence_low'], r['evidence_high'], True)})"
    else:
        model = (f"{r['kind']} {r['model']:.3g} ({r['model_low']:.3g}-{r['model_high']:.3g}); "
                 f"{r['with']:.0%} with, {r['without']:.0%} without")
        evidence = f"{r['kind']} {r['evidence']:.3g} ({interval(r['evidence_low'], r['evidence_high'])})"
    inside = "-" if r["inside"] is None else "yes" if r["inside"] else "no"
    return f"| {r['setting']} | `{r['factor']}` | {model} | {evidence} | `{r['row']}` | {inside} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    lines = [f"| setting | factor | mechanism (n={args.n}, paired; bootstrap 95%) | evidence (95% range) | row | "
             "inside |", "|---|---|---|---|---|---|"]
    rows = []
    for name in settings():
        for r in factor_effects(name, args.n, args.seed):
            rows.append(r)
            lines.append(line(r))
            print(lines[-1], flush=True)
    out = ROOT / "docs/generated"
    (out / "factor_effects.md").write_text("\n".join(lines) + "\n")
    (out / "factor_effects.json").write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
