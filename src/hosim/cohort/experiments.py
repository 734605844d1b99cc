"""Virtual experiments (`hosim experiment NAME`): knockouts against the mouse targets, the BMP2
dose-response and the window of opportunity of each prophylaxis.

Each experiment is a list of cases (cohort.runner), run in parallel and resumable, and a report: numbers
computed from the cases' metrics, written as CSV and markdown tables and a figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from hosim.cohort.injury_rules import injury_checks
from hosim.analysis.measures import DETECTION_MM3, METRIC_KEYS, extra_keys, measure
from hosim.analysis.targets import load_targets as load_target_set
from hosim.biology.interventions import INTERVENTIONS, TREATMENT
from hosim.biology.parameters import check_species
from hosim.checks import check_whole
from hosim.cohort import registry
from hosim.cohort.registry import RUN, Plan
from hosim.cohort.runner import Batch, Case, run_cases
from hosim.errors import InputError
from hosim.files import write_text
from hosim.io import experiment_figures as figures
from hosim.io.tables import csv_text, markdown_table
from hosim.biology.courses import check_interventions
from hosim.scenarios import get_scenario

SCENARIO = "mouse-bmp2"
CONTROL = "control"
MEASURES = (*METRIC_KEYS, *extra_keys())
HETERO = measure("heterotopic_bone_mm3")
ORTHO = measure("orthotopic_bone_mm3")

# Knockout rows without a target bound: the model's prediction where the literature conflicts (MODEL.md).
PREDICTIONS = ("plasminogen-deficient",)

@dataclass(frozen=True)
class AlsoRule:
    """One "also" rule of targets [knockouts] as a number: measure(case, control) compared with a limit.
    undefined_holds: whether the rule holds when the measure is undefined (nothing to contradict it)."""

    quantity: str
    measure: Callable[[dict, dict], float | None]
    op: str
    limit: float
    undefined_holds: bool = False

    def holds(self, value: float | None) -> bool:
        if value is None:
            return self.undefined_holds
        return {"<=": value <= self.limit, "<": value < self.limit, ">=": value >= self.limit}[self.op]


def _ratio_of(key: str) -> Callable[[dict, dict], float | None]:
    return lambda m, control: ratio(m[key], control[key])


def _orthotopic_share(m: dict, control: dict) -> float | None:
    """Orthotopic share of the bone that formed; None when no bone formed."""
    total = m[ORTHO] + m[HETERO]
    return m[ORTHO] / total if total > DETECTION_MM3 else None


# The words are the target file's; tests check that every "also" there has a rule here.
ALSO = {
    "trpv1-ko": AlsoRule("substance_p_peak / control", _ratio_of(measure("substance_p_peak")), "<=", 0.30),
    "cromolyn": AlsoRule("mast_degranulated_peak / control", _ratio_of(measure("mast_degranulated_peak")), "<", 1.0),
    "mmp9-inactive": AlsoRule("orthotopic share of the bone formed", _orthotopic_share, ">=", 0.5,
                              undefined_holds=True),
}

DOSES = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0)  # million AdBMP2 cells
STARTS = (0.0, 1.0, 2.0, 3.0, 5.0, 7.0)  # days after the trigger
HALF = 0.5  # a start "still works" while it keeps at least half of the day-0 effect
# Treatments left out of the timing experiment on the AdBMP2 model, and why.
NOT_TIMED = {
    "activin-a-antibody": "acts only through ACVR1 R206H, which the wild-type AdBMP2 mouse lacks",
    "glucocorticoid": "a trigger of HO (with myonecrosis), not a prophylaxis",
    "lps": "an inflammatory stimulus, not a prophylaxis",
    "clodronate": "a research tool of the injury models (targets/mouse_injury.toml), not a prophylaxis",
    "neutrophil-depletion": "a research tool of the injury models, not a prophylaxis",
    "gr-antagonist": "acts through the glucocorticoid reprogramming of resident progenitors, which the AdBMP2 lesion "
                     "barely uses (see the injuries experiment)",
}


@dataclass(frozen=True)
class Experiment:
    """A case experiment (registered in cohort/registry.py): its cases for given run options, and the
    report written from their outcomes."""

    cases: Callable[[dict], list[Case]]
    report: Callable[[dict, dict, Path], dict]

    def plan(self, name: str, given: dict, workers: int | None = None) -> Plan:
        """Every case's scenario, options and interventions checked against the run options given (dims 2
        unless given); the plan runs the cases, resumably, and writes the report."""
        options = self.check(workers, **{key: given.get(key) for key in RUN if key not in ("dims", "seed")},
                             dims=given.get("dims", 2), seed=given.get("seed", 0))

        def run(out: Path, client=None, progress=None) -> tuple[dict, dict, str]:
            report, batch = self.run(out, options, workers=workers, client=client, progress=progress)
            return report, {"computed": len(batch.computed), "reused": len(batch.reused)}, "cases"

        return Plan("", run)

    def check(self, workers: int | None = None, **run: object) -> dict:
        """Every input checked before any process starts or any folder is made: the run options against
        each case's scenario, each case's scenario options and interventions, the workers. Returns the run
        options."""
        if workers is not None:
            check_whole("--workers", workers, 1, 4096)
        options = run_options(**run)
        for case in self.cases(options):
            scenario = get_scenario(case.scenario)
            _, days, _, _ = scenario.check_run(options["dims"], options["days"], options["resolution_um"],
                                               options["seed"])
            scenario.check_options(case.params)
            check_interventions(case.interventions, scenario.run_species(options["species"]), days)
        return options

    def run(self, out: str | Path, options: dict, *, workers: int | None = None, client=None,
            progress=None) -> tuple[dict, Batch]:
        """Run (or resume) the cases into folder `out`; returns the report and the batch of cases."""
        out = Path(out)
        batch = run_cases(self.cases(options), out, options, workers=workers, client=client, progress=progress)
        return self.report(batch.outcomes, options, out), batch


def load_targets() -> dict:
    """The mouse AdBMP2 targets the experiments are judged against."""
    return load_target_set("mouse_bmp2")


def ratio(value, reference) -> float | None:
    """value / reference, None where either is missing or the reference is 0."""
    if value is None or reference is None or reference == 0:
        return None
    return float(value) / float(reference)


def measures(outcome: dict) -> dict:
    """Metrics and extra measures of one case outcome, in one mapping."""
    return {**outcome["metrics"], **outcome["extra"]}


# ------------------------------------------------------------------------------------------ knockouts
def knockout_cases(options: dict) -> list[Case]:
    """The control, each knockout or drug of targets [knockouts] at its default, and the predictions."""
    names = [*load_targets()["knockouts"], *PREDICTIONS]
    return [Case(CONTROL, SCENARIO)] + [Case(n, SCENARIO, ({"name": n},)) for n in names]


def knockout_rows(outcomes: dict) -> list[dict]:
    """One row per case: every measure as a ratio to the control, the target bound and whether it holds."""
    targets = load_targets()["knockouts"]
    control = measures(outcomes[CONTROL])
    rows = []
    for name, outcome in outcomes.items():
        m = measures(outcome)
        row = {"case": name, "role": "control" if name == CONTROL else ("target" if name in targets else "prediction")}
        row["heterotopic_bone_mm3"] = m[HETERO]
        row["heterotopic_ratio"] = ratio(m[HETERO], control[HETERO])
        bound = targets.get(name, {}).get("max_ratio")
        row["max_ratio"] = bound
        row["within_bound"] = None if bound is None else (row["heterotopic_ratio"] is not None
                                                          and row["heterotopic_ratio"] <= bound)
        row.update({f"ratio_{k}": ratio(m[k], control[k]) for k in MEASURES})
        rows.append(row)
    return rows


def also_checks(outcomes: dict) -> list[dict]:
    """The "also" rules of [knockouts] evaluated: case, rule, measured value, limit, whether it holds."""
    targets = load_targets()["knockouts"]
    control = measures(outcomes[CONTROL])
    checks = []
    for name, rule in ALSO.items():
        if name in outcomes:
            value = rule.measure(measures(outcomes[name]), control)
            checks.append({"case": name, "rule": targets[name]["also"], "quantity": rule.quantity, "value": value,
                           "limit": f"{rule.op} {rule.limit:g}", "holds": rule.holds(value)})
    return checks


def knockout_report(outcomes: dict, options: dict, out: Path) -> dict:
    """knockouts.csv (a row per case), knockouts.md (bounds, further rules, every measure) and the bar chart."""
    rows = knockout_rows(outcomes)
    checks = also_checks(outcomes)
    columns = ["case", "role", "heterotopic_bone_mm3", "heterotopic_ratio", "max_ratio", "within_bound",
               *(f"ratio_{k}" for k in MEASURES)]
    write_text(out / "knockouts.csv", csv_text(rows, columns))
    control = measures(outcomes[CONTROL])
    by_metric = [{"measure": k, "control value": control[k], **{r["case"]: r[f"ratio_{k}"] for r in rows}}
                 for k in MEASURES]
    text = (
        f"# Knockouts and drugs ({SCENARIO}, {_describe(options)})\n\n"
        "Heterotopic bone at the end of the run as a ratio to the control, against targets/mouse_bmp2.toml "
        "[knockouts] (predictions have no bound).\n\n"
        + markdown_table(rows, columns[:6],
                         ["case", "role", "heterotopic bone (mm3)", "ratio", "bound (at most)", "within bound"])
        + "\nThe targets' further rules:\n\n"
        + markdown_table(checks, ["case", "rule", "quantity", "value", "limit", "holds"])
        + "\nEvery measure as a ratio to the control (empty: undefined, e.g. an event that never happens):\n\n"
        + markdown_table(by_metric, ["measure", "control value", *(r["case"] for r in rows)])
    )
    write_text(out / "knockouts.md", text)
    figures.knockout_bars(rows, out / "knockouts.png")
    return {"rows": rows, "checks": checks, "files": ["knockouts.csv", "knockouts.md", "knockouts.png"]}


# ------------------------------------------------------------------------------------------ dose-response
def dose_name(dose: float) -> str:
    return f"dose-{dose:g}"


def dose_cases(options: dict) -> list[Case]:
    return [Case(dose_name(d), SCENARIO, (), {"dose": d}) for d in DOSES]


def dose_threshold(doses: Sequence[float], bone: Sequence[float], detection: float) -> dict:
    """The lowest dose above which every dose forms detectable heterotopic bone: the bracketing doses and
    an estimate interpolated linearly in log(bone) against log(dose) between them (None if no bracket)."""
    above = [b > detection for b in bone]
    if not any(above):
        return {"low": None, "high": None, "estimate": None}
    k = len(above)
    while k > 0 and above[k - 1]:
        k -= 1
    if k == 0:
        return {"low": None, "high": doses[0], "estimate": None}
    lo, hi = doses[k - 1], doses[k]
    if lo == 0:
        estimate = None  # only the upper bracket is known
    elif bone[k - 1] > 0:
        f = (math.log(detection) - math.log(bone[k - 1])) / (math.log(bone[k]) - math.log(bone[k - 1]))
        estimate = math.exp(math.log(lo) + f * (math.log(hi) - math.log(lo)))
    else:
        estimate = math.sqrt(lo * hi)  # no bone at all below: the bracket's geometric middle
    return {"low": lo, "high": hi, "estimate": estimate}


def dose_report(outcomes: dict, options: dict, out: Path) -> dict:
    """dose-response.csv/.md (bone by dose, the threshold) and the figure."""
    standard = float(get_scenario(SCENARIO).defaults["dose"])
    reference = measures(outcomes[dose_name(standard)])[HETERO] if standard in DOSES else None
    rows = []
    for d in DOSES:
        m = measures(outcomes[dose_name(d)])
        rows.append({"dose": d, "heterotopic_bone_mm3": m[HETERO], "orthotopic_bone_mm3": m[ORTHO],
                     "bone_onset_day": m[measure("bone_onset_day")], "of_standard_dose": ratio(m[HETERO], reference)})
    threshold = dose_threshold(DOSES, [r["heterotopic_bone_mm3"] for r in rows], DETECTION_MM3)
    columns = ["dose", "heterotopic_bone_mm3", "orthotopic_bone_mm3", "bone_onset_day", "of_standard_dose"]
    write_text(out / "dose-response.csv", csv_text(rows, columns))
    text = (
        f"# BMP2 dose-response ({SCENARIO}, {_describe(options)})\n\n"
        f"Dose in million AdBMP2 cells (standard {standard:g}). Threshold: the lowest dose above which every dose "
        f"forms more than {DETECTION_MM3:g} mm3 of heterotopic bone: between {_g(threshold['low'])} and "
        f"{_g(threshold['high'])}, about {_g(threshold['estimate'])} (log-log interpolation).\n\n"
        + markdown_table(rows, columns, ["dose", "heterotopic bone (mm3)", "orthotopic bone (mm3)", "bone onset (day)",
                                         "of standard dose"])
    )
    write_text(out / "dose-response.md", text)
    figures.dose_response(rows, threshold, standard, DETECTION_MM3, out / "dose-response.png")
    files = ["dose-response.csv", "dose-response.md", "dose-response.png"]
    return {"rows": rows, "threshold": threshold, "files": files}


# ------------------------------------------------------------------------------------------ timing
def anti_ho_treatments() -> list[str]:
    """Every timed intervention (a drug or radiation, not a genotype) that can act in the AdBMP2 model."""
    return [name for name, item in INTERVENTIONS.items() if item.kind == TREATMENT and name not in NOT_TIMED]


def timing_name(intervention: str, start: float) -> str:
    return f"{intervention}-day{start:g}"


def timing_cases(options: dict) -> list[Case]:
    days = options.get("days")
    if days is not None and days <= max(STARTS):
        raise InputError(f"the timing experiment starts treatments up to day {max(STARTS):g}; --days must exceed it")
    cases = [Case(CONTROL, SCENARIO)]
    for name in anti_ho_treatments():
        cases += [Case(timing_name(name, s), SCENARIO, ({"name": name, "start": s},)) for s in STARTS]
    return cases


def latest_effective_start(prevented: dict[float, float | None]) -> float | None:
    """The latest start day at which a treatment still prevents at least HALF of what it prevents when
    started on day 0 (None when it prevents nothing on day 0)."""
    first = prevented[STARTS[0]]
    if first is None or first <= 0.0:
        return None
    keeping = [s for s in STARTS if (prevented[s] or 0.0) >= HALF * first]
    return max(keeping)


def timing_report(outcomes: dict, options: dict, out: Path) -> dict:
    """timing.csv/.md (bone prevented by treatment and start day, the latest useful start) and the figure."""
    control = measures(outcomes[CONTROL])[HETERO]
    rows = []
    for name in anti_ho_treatments():
        prevented = {}
        for s in STARTS:
            bone = measures(outcomes[timing_name(name, s)])[HETERO]
            r = ratio(bone, control)
            prevented[s] = None if r is None else 1.0 - r
        row = {"intervention": name, **{f"day{s:g}": prevented[s] for s in STARTS}}
        row["latest_start_day"] = latest_effective_start(prevented)
        rows.append(row)
    columns = ["intervention", *(f"day{s:g}" for s in STARTS), "latest_start_day"]
    write_text(out / "timing.csv", csv_text(rows, columns))
    text = (
        f"# Window of opportunity ({SCENARIO}, {_describe(options)})\n\n"
        "Fraction of the control's heterotopic bone prevented when each treatment starts on the given day and "
        "acts at its default strength for its default duration. latest start: the latest start day that still "
        f"prevents at least {HALF:.0%} of what starting on day 0 prevents (how late prophylaxis can start).\n\n"
        + markdown_table(rows, columns, ["intervention", *(f"start day {s:g}" for s in STARTS), "latest start (day)"])
        + "\nNot timed here:\n\n" + "".join(f"- {name}: {why}\n" for name, why in NOT_TIMED.items())
    )
    write_text(out / "timing.md", text)
    figures.timing_curves(rows, STARTS, out / "timing.png")
    return {"rows": rows, "files": ["timing.csv", "timing.md", "timing.png"]}


# ------------------------------------------------------------------------------------------ injuries
SUBTHRESHOLD_DOSE = 1.4  # million AdBMP2 cells: no detectable bone in sham mice (2-D; see docs/model.md)
INJURY_CASES = (
    # (case, scenario, interventions, scenario options, what it shows)
    ("sci-cardiotoxin", "mouse-sci-cardiotoxin", (), {}, "two hits: SCI (T11) + cardiotoxin"),
    ("cardiotoxin", "mouse-cardiotoxin", (), {}, "one hit: cardiotoxin alone"),
    ("sci", "mouse-sci", (), {}, "one hit: SCI alone"),
    ("sci-lps", "mouse-sci", ("lps",), {}, "SCI + intramuscular LPS, no myonecrosis"),
    ("sci-crush", "mouse-sci", (), {"muscle_injury": "crush"}, "SCI + muscle crush (blunt)"),
    ("sci-crush-micro-trauma", "mouse-sci", (), {"muscle_injury": "crush", "micro_trauma_every_days": 2.0},
     "SCI + crush + micro-trauma every 2 days"),
    ("sci-cardiotoxin-lps", "mouse-sci-cardiotoxin", ("lps",), {}, "two hits + LPS"),
    ("sci-cardiotoxin-lps-half", "mouse-sci-cardiotoxin", ({"name": "lps", "strength": 0.5},), {},
     "two hits + half the LPS dose"),
    ("sci-cardiotoxin-clodronate", "mouse-sci-cardiotoxin", ("clodronate",), {}, "two hits, macrophages depleted"),
    ("sci-cardiotoxin-neutrophil-depletion", "mouse-sci-cardiotoxin", ("neutrophil-depletion",), {},
     "two hits, neutrophils depleted (prediction)"),
    ("sci-cardiotoxin-osmr-ko", "mouse-sci-cardiotoxin", ("osmr-ko",), {}, "two hits, no OSM receptor"),
    ("cardiotoxin-glucocorticoid", "mouse-cardiotoxin", ("glucocorticoid",), {},
     "cardiotoxin + glucocorticoid pulse, no SCI"),
    ("sci-cardiotoxin-gr-ko", "mouse-sci-cardiotoxin", ("gr-ko",), {}, "two hits, glucocorticoid receptor deleted"),
    ("sci-cardiotoxin-gr-antagonist", "mouse-sci-cardiotoxin", ("gr-antagonist",), {},
     "two hits, glucocorticoid receptor antagonist"),
    ("sci-cardiotoxin-t3", "mouse-sci-cardiotoxin", (), {"sci_level": 3}, "two hits, SCI at T3"),
    ("sci-cardiotoxin-l3", "mouse-sci-cardiotoxin", (), {"sci_level": 16}, "two hits, SCI at L3"),
    ("bmp2-sham", "mouse-bmp2", (), {"dose": SUBTHRESHOLD_DOSE}, "AdBMP2 below threshold, sham"),
    ("bmp2-sci", "mouse-bmp2", (), {"dose": SUBTHRESHOLD_DOSE, "sci_level": 11}, "AdBMP2 below threshold, SCI"),
    ("bmp2-sci-forelimb", "mouse-bmp2", (), {"dose": SUBTHRESHOLD_DOSE, "sci_level": 11, "limb": "fore"},
     "AdBMP2 below threshold, SCI, forelimb above the lesion"),
    ("burn-tenotomy", "mouse-burn-tenotomy", (), {}, "30% burn + Achilles tenotomy"),
    ("tenotomy", "mouse-burn-tenotomy", (), {"burn_area": 0.0}, "Achilles tenotomy alone"),
    ("fop-pinch", "mouse-fop-injury", ("acvr1-r206h",), {}, "FOP mouse, pinch"),
    ("fop-cardiotoxin", "mouse-fop-injury", ("acvr1-r206h",), {"muscle_injury": "cardiotoxin"},
     "FOP mouse, cardiotoxin"),
    ("wild-type-pinch", "mouse-fop-injury", (), {}, "wild type, pinch"),
    ("wild-type-cardiotoxin", "mouse-fop-injury", (), {"muscle_injury": "cardiotoxin"}, "wild type, cardiotoxin"),
    ("bmp2", "mouse-bmp2", (), {}, "AdBMP2 standard dose"),
)
INJURY_COLUMNS = ("heterotopic_bone_mm3", "bone_onset_day", "cartilage_peak_mm3", "heterotopic_bone_resident_share",
                  "heterotopic_bone_nerve_share", "circulating_progenitors_peak_fold")


def injury_cases(options: dict) -> list[Case]:
    """Every case of targets/mouse_injury.toml: the two hits and their controls, local hits, macrophages,
    glucocorticoid, SCI level and the BMP2 threshold, burn/tenotomy, the FOP injury, the AdBMP2 origin."""
    return [Case(name, scenario, interventions, params) for name, scenario, interventions, params, _ in INJURY_CASES]


def injury_report(outcomes: dict, options: dict, out: Path) -> dict:
    """injuries.csv/.md (bone, onset, cartilage, origin shares per case) and the bar chart by origin."""
    what = {name: text for name, _, _, _, text in INJURY_CASES}
    rows = [{"case": name, "what": what[name], **{k: measures(o)[k] for k in INJURY_COLUMNS}}
            for name, o in outcomes.items()]
    columns = ["case", "what", *INJURY_COLUMNS]
    write_text(out / "injuries.csv", csv_text(rows, columns))
    text = (
        f"# Injuries without injected BMP2 ({_describe(options)})\n\n"
        "The cases of targets/mouse_injury.toml (tests/scenarios/test_injury_targets.py checks each rule). Shares are "
        "fractions of the heterotopic bone laid down by resident (fibro-adipogenic) and nerve-derived cells; "
        "empty where no bone is detectable.\n\n"
        + markdown_table(rows, columns, ["case", "what", "heterotopic bone (mm3)", "bone onset (day)",
                                         "cartilage peak (mm3)", "resident share", "nerve share",
                                         "claudin-5+ blood fold"])
    )
    checks = rule_rows(outcomes)
    if checks:
        text += ("\nThe rules (cohort/injury_rules.py; margin: relative, >= 0 when it holds):\n\n"
                 + markdown_table(checks, ["rule", "check", "value", "margin", "holds"],
                                  ["rule", "check", "value", "margin", "holds"]))
    write_text(out / "injuries.md", text)
    figures.injury_bars(rows, DETECTION_MM3, out / "injuries.png")
    return {"rows": rows, "checks": checks, "files": ["injuries.csv", "injuries.md", "injuries.png"]}


def rule_rows(outcomes: dict) -> list[dict]:
    """Every inequality of the injury rules, when the outcomes hold every case they read (a whole run)."""
    if set(outcomes) != {name for name, *_ in INJURY_CASES}:
        return []
    runs = {name: measures(o) for name, o in outcomes.items()}
    return [{"rule": c.event, "check": c.rule, "value": c.value, "margin": round(c.margin, 3),
             "holds": "yes" if c.ok else "no"} for c in injury_checks(runs, load_target_set("mouse_injury"))]


def _g(value) -> str:
    return "-" if value is None else f"{value:.3g}"


def _describe(options: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in options.items() if v is not None)


KNOCKOUTS = Experiment(knockout_cases, knockout_report)
DOSE_RESPONSE = Experiment(dose_cases, dose_report)
TIMING = Experiment(timing_cases, timing_report)
INJURIES = Experiment(injury_cases, injury_report)


def get_experiment(name: str) -> Experiment:
    """The registered case experiment called `name` (cohort/registry.py); InputError otherwise."""
    experiment = registry.get_experiment(name).target()
    if not isinstance(experiment, Experiment):
        raise InputError(f"experiment {name} is a design, not a list of cases: plan it with "
                         f"hosim.cohort.registry.get_experiment({name!r}).plan(options)")
    return experiment


def run_options(dims: int = 2, days: float | None = None, resolution_um: float | None = None, seed: int = 0,
                species: str | None = None) -> dict:
    """The simulate() options every case of an experiment shares (None: the scenario's default)."""
    if isinstance(dims, bool) or dims not in (0, 1, 2, 3):
        raise InputError(f"--dims must be 0, 1, 2 or 3, got {dims}")
    return {"dims": dims, "days": days, "resolution_um": resolution_um, "seed": seed,
            "species": None if species is None else check_species(species)}


def run_experiment(name: str, out: str | Path, options: dict, *, workers: int | None = None, client=None,
                   progress=None) -> tuple[dict, Batch]:
    """Run (or resume) case experiment `name` into folder `out`; returns its report and the batch of cases."""
    return get_experiment(name).run(out, options, workers=workers, client=client, progress=progress)


__all__ = [
    "ALSO",
    "AlsoRule",
    "DOSES",
    "DOSE_RESPONSE",
    "INJURIES",
    "KNOCKOUTS",
    "TIMING",
    "PREDICTIONS",
    "STARTS",
    "Experiment",
    "also_checks",
    "dose_threshold",
    "get_experiment",
    "knockout_rows",
    "latest_effective_start",
    "load_targets",
    "run_experiment",
    "run_options",
]
