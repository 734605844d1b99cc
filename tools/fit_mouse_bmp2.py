"""Fit the free parameters of the mouse AdBMP2 model to the calibration targets (issue 3).

Each evaluation runs mouse-bmp2 and mouse-empty in 2-D (the windows and rules of
data/targets/mouse_bmp2.toml), mouse-bmp2 in 0-D (the event order) and, with --knockouts, each knockout
of the targets' [knockouts] in 2-D (its bound and further rule), with --injuries every rule of
targets/mouse_injury.toml on the injuries experiment's cases (2-D, 48 um), turns every check's margin into
a penalty (zero once the check holds with `--margin` to spare) and lets scipy.optimize.minimize
(Nelder-Mead, bounded) move the free parameters in log space inside their plausible ranges.

    python tools/fit_mouse_bmp2.py                 # fit from the shipped values, print the report
    python tools/fit_mouse_bmp2.py --write         # ... and write the fitted values into parameters.toml
    python tools/fit_mouse_bmp2.py --maxfev 0      # only evaluate the shipped values
    python tools/fit_mouse_bmp2.py --knockouts     # fit to the knockout bounds as well (7 more runs each)
    python tools/fit_mouse_bmp2.py --injuries      # ... and the injury rules (26 more runs each, ~3 min)
    python tools/fit_mouse_bmp2.py --maxfev 0 --knockouts --injuries --markdown docs/generated/fit_report.md

Set NUMBA_NUM_THREADS=1 on a busy machine: small grids gain nothing from threads.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from hosim.analysis.calibration import (
    Check,
    Run,
    control_check,
    hypoxia_check,
    order_checks,
    ratio_margin,
    rule_checks,
    window_checks,
)
from hosim.analysis.measures import compute_measures, compute_metrics, extra_keys
from hosim.analysis.targets import load_targets
from hosim.biology import load_parameters
from hosim.cohort.experiments import ALSO, injury_cases, ratio, run_options
from hosim.cohort.injury_rules import injury_checks
from hosim.engine import Recorder, run_setup
from hosim.errors import InputError, SimulationError
from hosim.files import write_text
from hosim.scenarios.spec import RunSpec

# The parameters set by calibration ("calibrated to <target>" in parameters.toml), one or two per event.
FREE = (
    "exocytosis_bmp2",  # substance_p
    "mast_recovery",  # mast_cells
    "bnb_closing",  # blood_nerve_barrier
    "endo_exit",  # endoneurial_progenitors, circulating_progenitors
    "circulating_clearance",  # circulating_progenitors
    "brown_differentiation",  # brown_fat
    "tbat_resolution",  # brown_fat
    "tbat_o2_uptake",  # hypoxia
    "angiogenesis",  # vessels
    "condensation_density",  # cartilage
    "cartilage_resorption",  # cartilage
    "osteogenesis",  # bone
    "bone_synthesis",  # bone
)
DATA_FILE = Path(__file__).resolve().parents[1] / "src" / "hosim" / "data" / "parameters.toml"


INJURY_RESOLUTION_UM = 48.0  # the grid tests/scenarios/test_injury_targets.py judges the injury rules on


def simulate(name: str, dims: int, parameters, resolution_um: float | None, interventions=(),
             options=None) -> Run:
    """One run of a scenario (with scenario options) and the given parameters; observables every 0.04 day."""
    setup = RunSpec.parse(name, interventions, dims=dims, resolution_um=resolution_um, parameters=parameters,
                          options=options).build()
    recorder = Recorder(setup.observables, every=2)
    run_setup(setup, recorder)
    times, series = recorder.series()
    return Run(times, series, compute_metrics(times, series))


def all_checks(parameters, resolution_um: float | None, targets: dict, knockouts: bool = False,
               injuries: bool = False) -> list:
    """Every check of the calibration bar for one parameter set (and the knockout bounds and injury rules
    if asked)."""
    bmp2 = simulate("mouse-bmp2", 2, parameters, resolution_um)
    empty = simulate("mouse-empty", 2, parameters, resolution_um)
    zero_d = simulate("mouse-bmp2", 0, parameters, None)
    checks = window_checks(bmp2.metrics, targets) + rule_checks(bmp2, empty) + [control_check(bmp2, empty)]
    checks += order_checks(bmp2.metrics)
    checks += [_relabel(c, "0-D ") for c in order_checks(zero_d.metrics) + [hypoxia_check(zero_d.metrics)]]
    if knockouts:
        checks += knockout_checks(parameters, resolution_um, targets, bmp2)
    if injuries:
        checks += injury_rule_checks(parameters)
    return checks


def injury_rule_checks(parameters) -> list[Check]:
    """Every inequality of targets/mouse_injury.toml's rules (cohort/injury_rules.py) on the injuries
    experiment's cases in 2-D at INJURY_RESOLUTION_UM."""
    runs = {}
    for case in injury_cases(run_options(resolution_um=INJURY_RESOLUTION_UM)):
        run = simulate(case.scenario, 2, parameters, INJURY_RESOLUTION_UM, case.interventions, case.params)
        runs[case.name] = {**run.metrics, **compute_measures(run.times, run.series, extra_keys())}
    return [_relabel(c, "injury ") for c in injury_checks(runs, load_targets("mouse_injury"))]


def knockout_checks(parameters, resolution_um: float | None, targets: dict, control: Run) -> list[Check]:
    """Each [knockouts] case in 2-D: heterotopic bone / control at most its bound, and its further rule
    (the knockouts experiment's ALSO) as a margin."""
    base = {**control.metrics, **compute_measures(control.times, control.series, extra_keys())}
    checks = []
    for name, entry in targets["knockouts"].items():
        run = simulate("mouse-bmp2", 2, parameters, resolution_um, interventions=[name])
        measured = {**run.metrics, **compute_measures(run.times, run.series, extra_keys())}
        bone = ratio(measured["heterotopic_bone_mm3"], base["heterotopic_bone_mm3"])
        bound = entry["max_ratio"]
        checks.append(Check(f"ko {name}", f"heterotopic bone / control <= {bound:g}", bone,
                            ratio_margin(bone, bound, above=False)))
        if name in ALSO:
            rule = ALSO[name]
            value = rule.measure(measured, base)
            margin = (0.0 if rule.undefined_holds else -10.0) if value is None else \
                ratio_margin(value, rule.limit, above=rule.op == ">=")
            checks.append(Check(f"ko {name}", f"{rule.quantity} {rule.op} {rule.limit:g}", value, margin))
    return checks


def _relabel(check, prefix):
    return type(check)(prefix + check.event, check.rule, check.value, check.margin)


def penalty(checks, margin: float) -> float:
    """Sum of squared shortfalls below the wanted margin (margins are capped at -10 for missing events)."""
    return float(sum(max(0.0, margin - max(c.margin, -10.0)) ** 2 for c in checks))


def report(checks) -> str:
    lines = []
    for c in checks:
        value = "None" if c.value is None else f"{c.value:.4g}"
        lines.append(f"{'ok  ' if c.ok else 'MISS'} {c.event:28s} {c.rule:62s} {value:>10s}  margin {c.margin:+.2f}")
    return "\n".join(lines)


def write_values(values: dict[str, float], path: Path = DATA_FILE) -> None:
    """Replace the `value =` line of each fitted parameter's table, leaving everything else as it is."""
    text = path.read_text(encoding="utf-8")
    for name, value in values.items():
        pattern = re.compile(rf"(\[{re.escape(name)}\]\nvalue = )[^\n]*")
        text, n = pattern.subn(lambda m: m.group(1) + f"{value:.4g}", text)
        if n != 1:
            raise RuntimeError(f"parameter {name} not found once in {path}")
    write_text(path, text)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--maxfev", type=int, default=150, help="objective evaluations (0: evaluate only)")
    ap.add_argument("--margin", type=float, default=0.3, help="wanted margin inside each window/rule")
    ap.add_argument("--step", type=float, default=0.15, help="initial simplex step in log10 units")
    ap.add_argument("--resolution", type=float, default=None, help="2-D grid spacing in um (default: scenario's)")
    ap.add_argument("--write", action="store_true", help="write the fitted values into parameters.toml")
    ap.add_argument("--json", type=Path, help="also write the report as JSON here")
    ap.add_argument("--markdown", type=Path, help="also write the report as a markdown page here")
    ap.add_argument("--knockouts", action="store_true", help="add the [knockouts] bounds to the objective")
    ap.add_argument("--injuries", action="store_true", help="add the injury rules to the objective")
    args = ap.parse_args(argv)

    base = load_parameters()
    targets = load_targets()
    lows = np.log10([base[n].low for n in FREE])
    highs = np.log10([base[n].high for n in FREE])
    x0 = np.log10([base.value(n) for n in FREE])
    history = []

    def objective(x):
        values = {n: float(10.0**v) for n, v in zip(FREE, np.clip(x, lows, highs))}
        try:
            checks = all_checks(base.with_values(values), args.resolution, targets, args.knockouts, args.injuries)
            loss = penalty(checks, args.margin)
        except (InputError, SimulationError):
            loss = 1e6
        history.append(loss)
        print(f"[{len(history):4d}] loss {loss:10.4f}  best {min(history):10.4f}", file=sys.stderr, flush=True)
        return loss

    start = time.time()
    best = x0
    if args.maxfev > 0:
        simplex = np.vstack([x0] + [x0 + args.step * e for e in np.eye(len(x0))])
        fit = minimize(objective, x0, method="Nelder-Mead", bounds=list(zip(lows, highs)),
                       options={"maxfev": args.maxfev, "initial_simplex": np.clip(simplex, lows, highs),
                                "xatol": 1e-3, "fatol": 1e-4})
        best = np.clip(fit.x, lows, highs)
    fitted = {n: float(f"{10.0**v:.4g}") for n, v in zip(FREE, best)}
    checks = all_checks(base.with_values(fitted), args.resolution, targets, args.knockouts, args.injuries)
    summary = [f"penalty {penalty(checks, args.margin):.4f} at margin {args.margin:g} after {len(history)} "
               f"evaluations, {time.time() - start:.0f} s"]
    summary += [f"  {n:24s} {base.value(n):10.4g} -> {fitted[n]:10.4g} {base[n].unit}" for n in FREE]
    print(report(checks) + "\n\n" + "\n".join(summary))
    if args.markdown:
        held = sum(c.ok for c in checks)
        write_text(args.markdown, (
            f"# Fit report (`python tools/fit_mouse_bmp2.py {' '.join(argv if argv is not None else sys.argv[1:])}`)"
            f"\n\n{held} of {len(checks)} checks hold. The margin is in half-widths of a window (or the rule's own "
            f"scale); the penalty sums the squared shortfalls below the wanted margin.\n\n```\n{report(checks)}\n\n"
            + "\n".join(summary) + "\n```\n"))
    if args.json:
        write_text(args.json, json.dumps({
            "fitted": fitted,
            "start": {n: base.value(n) for n in FREE},
            "evaluations": len(history),
            "checks": [{"event": c.event, "rule": c.rule, "value": c.value, "margin": c.margin} for c in checks],
        }, indent=1))
    if args.write:
        write_values(fitted)
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
