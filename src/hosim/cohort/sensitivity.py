"""Global sensitivity (`hosim experiment sensitivity`): how much heterotopic bone (in mm3 and, since it spans
orders of magnitude, in log10), its onset and the cells that laid it down hinge on each model parameter,
every parameter moving across its plausible range.

Two SALib methods: Morris elementary effects (screening: `n` trajectories, n (k + 1) runs for k
parameters; mu* ranks the parameters, sigma flags interactions and non-linearity) and Sobol indices
(variance shares: n (k + 2) runs; S1 first order, ST total). A range that spans a factor of ten or more
(and stays above 0) is sampled on a log scale, since its literature spans orders of magnitude.
The parameters that interventions set (the LPS and glucocorticoid stimuli) and the genotype dials
(ACVR1 R206H, OSMR, GR) are inputs of a scenario, not biology, and are held at their values; in 0-D the
diffusivities are too, since nothing moves there. Hill coefficients are rounded to whole numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hosim.biology.factors import factor_table
from hosim.biology.interventions import INTERVENTIONS
from hosim.biology.parameters import ParameterSet, load_parameters
from hosim.checks import check_number, check_whole
from hosim.cohort.experiments import run_options
from hosim.cohort.registry import METHODS
from hosim.cohort.runner import Batch, Case, run_cases
from hosim.errors import InputError
from hosim.files import write_text
from hosim.io import experiment_figures as figures
from hosim.io.tables import csv_text, markdown_table
from hosim.scenarios import get_scenario

DEFAULT_SCENARIO = "mouse-bmp2"
DEFAULT_DIMS = 0  # the reduced model: a Morris screen of every parameter is thousands of runs
DEFAULT_N = {"morris": 10, "sobol": 64}
DIFFUSIVITY_UNIT = "um^2/day"
LOG_SPAN = 10.0  # a range spanning at least this ratio (and above 0) is sampled in log10
MORRIS_LEVELS = 4
TOP = 15  # parameters per outcome in the markdown ranking and the figure

BONE_FLOOR_MM3 = 1e-6  # log10 of the bone is taken above this floor (a thousandth of microCT detection)
# Outcomes (from summary.json's metrics) and what stands in where a run leaves one undefined.
OUTCOMES = {
    "heterotopic_bone_mm3": ("heterotopic bone (mm3)", "never undefined"),
    "log10_heterotopic_bone": ("heterotopic bone (log10 mm3)",
                               f"never undefined; bone under {BONE_FLOOR_MM3:g} mm3 counts as {BONE_FLOOR_MM3:g}"),
    "bone_onset_day": ("bone onset (day)", "no bone: the run's length (censored)"),
    "heterotopic_bone_nerve_share": ("nerve share (1)", "no detectable bone: 0"),
    "heterotopic_bone_resident_share": ("resident share (1)", "no detectable bone: 0"),
}


@dataclass(frozen=True)
class Design:
    """What a sensitivity experiment samples: scenario, method, size, the parameters varied, the seed."""

    scenario: str
    method: str
    n: int
    parameters: tuple[str, ...]
    species: str
    seed: int
    groups: tuple[str, ...] = ()  # one label per parameter: indices per group (SALib groups); () none
    span: float | None = None  # each parameter within this factor of its value (inside its range); None: the range

    def bounds(self, params: ParameterSet, name: str) -> tuple[float, float, bool]:
        """Where the design moves a parameter: (low, high, whether sampled in log10)."""
        p = params[name]
        if self.span is not None and p.value > 0:
            return max(p.low, p.value / self.span), min(p.high, p.value * self.span), True
        return p.low, p.high, log_scaled(p.low, p.high)

    @property
    def where(self) -> str:
        """Where the parameters move, in words (for the reports)."""
        if self.span is None:
            return f"across their plausible ranges (log scale where a range spans a factor of {LOG_SPAN:g} or more)"
        return (f"within a factor of {self.span:g} of their values (log scale), inside their plausible ranges "
                "(a parameter at 0 across its range)")

    @property
    def factors(self) -> tuple[str, ...]:
        """What the indices are of: the groups (in order of first appearance), else the parameters."""
        return tuple(dict.fromkeys(self.groups)) if self.groups else self.parameters

    @property
    def runs(self) -> int:
        k = len(self.factors)
        return self.n * (k + 1) if self.method == "morris" else self.n * (k + 2)


def held_parameters(params: ParameterSet) -> set[str]:
    """Scenario inputs, held at their values: the parameters an intervention sets (stimuli), the genotype
    dials (their source says 'genotype') and the parameters patient factors add to (0 without them)."""
    sets = {name for i in INTERVENTIONS.values() for name, _ in i.sets}
    added = {name for f in factor_table().values() for name in f.adds}
    return sets | added | {n for n in params if params[n].source.startswith("genotype")}


def varied_parameters(params: ParameterSet, dims: int = 2) -> tuple[str, ...]:
    """Every parameter with a range, except the held ones and, in 0-D, the transport ones (diffusivities
    and motilities cannot act in one well-mixed compartment)."""
    held = held_parameters(params)
    return tuple(n for n in params if n not in held and params[n].high > params[n].low
                 and not (dims == 0 and params[n].unit == DIFFUSIVITY_UNIT))


def check_design(scenario: str, method: str, n: int | None, parameters: str | None, species: str, seed: int,
                 dims: int = 2, span: float | None = None) -> Design:
    """The design checked (InputError naming the bad option and the allowed values)."""
    if span is not None:
        span = check_number("--span", span, 1.01, 1000.0, "", "a factor above 1: 2 moves each value from half to "
                            "twice itself")
    if method not in METHODS:
        raise InputError(f"--method must be one of {', '.join(METHODS)}, got {method!r}")
    n = DEFAULT_N[method] if n is None else check_whole("--n", n, 2, 100000)
    if method == "sobol" and n & (n - 1):
        raise InputError(f"--n must be a power of 2 for Sobol sampling (e.g. 32, 64, 128), got {n}")
    params = load_parameters(species)
    allowed = varied_parameters(params, dims)
    if parameters is None:
        names = allowed
    else:
        names = tuple(dict.fromkeys(s.strip() for s in str(parameters).split(",") if s.strip()))
        unknown = [s for s in names if s not in allowed]
        if unknown or not names:
            held = ", ".join(sorted(held_parameters(params)))
            raise InputError(f"--parameters: unknown or held parameter(s) {', '.join(unknown) or '(none given)'}; "
                             f"allowed: any name `hosim parameters` lists except {held}"
                             + (" and, in 0-D, the diffusivities" if dims == 0 else ""))
    if len(names) < 2:
        raise InputError(f"--parameters: name at least two parameters to compare, got {', '.join(names)}")
    return Design(scenario, method, n, names, species, check_whole("--seed", seed, 0, 2**32 - 1), span=span)


def check_sensitivity(scenario: str | None, method: str | None, n: int | None, parameters: str | None, *,
                      dims: int | None = None, workers: int | None = None, span: float | None = None,
                      **run: object) -> tuple[Design, dict]:
    """Every input checked before any process starts or any folder is made; returns the design and the
    run options every case shares (0-D unless `dims` says otherwise: thousands of runs)."""
    sc = get_scenario(DEFAULT_SCENARIO if scenario is None else scenario)
    if workers is not None:
        check_whole("--workers", workers, 1, 4096)
    options = run_options(dims=DEFAULT_DIMS if dims is None else dims, **run)
    sc.check_run(options["dims"], options["days"], options["resolution_um"], options["seed"])
    design = check_design(sc.name, method or METHODS[0], n, parameters, sc.run_species(options["species"]),
                          options["seed"], options["dims"], span)
    return design, options


def log_scaled(low: float, high: float) -> bool:
    return low > 0 and high / low >= LOG_SPAN


def problem(design: Design) -> dict:
    """The SALib problem in sampling space (log10 of the wide ranges)."""
    params = load_parameters(design.species)
    bounds = []
    for name in design.parameters:
        low, high, log = design.bounds(params, name)
        bounds.append([np.log10(low), np.log10(high)] if log else [low, high])
    grouped = {"groups": list(design.groups)} if design.groups else {}
    return {"num_vars": len(design.parameters), "names": list(design.parameters), "bounds": bounds, **grouped}


def sample(design: Design) -> np.ndarray:
    """The design's points in sampling space, one row per run (deterministic for the seed)."""
    from SALib.sample import morris, sobol

    if design.method == "morris":
        return morris.sample(problem(design), design.n, num_levels=MORRIS_LEVELS, seed=design.seed)
    return sobol.sample(problem(design), design.n, calc_second_order=False, seed=design.seed)


def parameter_values(design: Design, row: np.ndarray) -> dict[str, float]:
    """One sampled row as parameter values (log-scaled ranges back from log10)."""
    params = load_parameters(design.species)
    values = {}
    for name, x in zip(design.parameters, row):
        low, high, log = design.bounds(params, name)
        value = 10.0 ** x if log else x
        value = min(max(value, low), high)  # round-off at the range's ends
        values[name] = float(round(value) if params[name].whole else value)
    return values


def sensitivity_cases(design: Design) -> list[Case]:
    """One case per sampled point, named by its row."""
    X = sample(design)
    width = len(str(len(X) - 1))
    return [Case(f"s{k:0{width}d}", design.scenario, (), {"parameters": parameter_values(design, row)})
            for k, row in enumerate(X)]


def outcome_values(outcome: dict) -> dict[str, float]:
    """The outcomes of one run, undefined ones replaced as OUTCOMES says."""
    m = outcome["metrics"]
    days = outcome["run_options"]["days"]
    return {
        "heterotopic_bone_mm3": m["heterotopic_bone_mm3"],
        "log10_heterotopic_bone": float(np.log10(max(m["heterotopic_bone_mm3"], BONE_FLOOR_MM3))),
        "bone_onset_day": days if m["bone_onset_day"] is None else m["bone_onset_day"],
        "heterotopic_bone_nerve_share": m["heterotopic_bone_nerve_share"] or 0.0,
        "heterotopic_bone_resident_share": m["heterotopic_bone_resident_share"] or 0.0,
    }


def analyse(design: Design, outcomes: dict) -> list[dict]:
    """One row per (outcome, parameter) with the method's indices, ranked within each outcome."""
    values = [outcome_values(o) for o in outcomes.values()]
    return indices(design, {key: np.array([v[key] for v in values], dtype=np.float64) for key in OUTCOMES})


def indices(design: Design, outputs: dict[str, np.ndarray]) -> list[dict]:
    """One row per (output, factor: parameter or group) with the method's indices, ranked within each
    output; outputs hold one value per row of the design's sample."""
    from SALib.analyze import morris, sobol

    X = sample(design)
    seed = design.seed + 1  # the bootstrap's seed: SALib ignores a seed of 0 (`if seed:`) and draws unseeded
    rows = []
    for key, Y in outputs.items():
        if design.method == "morris":
            result = morris.analyze(problem(design), X, Y, num_levels=MORRIS_LEVELS, seed=seed)
            index = {"mu_star": result["mu_star"], "mu_star_conf": result["mu_star_conf"], "mu": result["mu"],
                     "sigma": result["sigma"]}
            rank_by = "mu_star"
        else:
            result = sobol.analyze(problem(design), Y, calc_second_order=False, seed=seed)
            index = {"ST": result["ST"], "ST_conf": result["ST_conf"], "S1": result["S1"], "S1_conf": result["S1_conf"]}
            rank_by = "ST"
        order = np.argsort(-np.nan_to_num(np.asarray(index[rank_by], dtype=np.float64), nan=-np.inf), kind="stable")
        for rank, j in enumerate(order, start=1):
            rows.append({"outcome": key, "rank": rank, "parameter": design.factors[j],
                         **{name: float(v[j]) for name, v in index.items()}})
    return rows


INDICES = {"morris": ["mu_star", "mu_star_conf", "mu", "sigma"], "sobol": ["ST", "ST_conf", "S1", "S1_conf"]}
METHOD_TEXT = {
    "morris": "Morris elementary effects (mu*: mean absolute effect of moving the parameter across its range, in "
              "the outcome's unit; sigma: their spread, large where the parameter interacts or acts non-linearly)",
    "sobol": "Sobol indices (ST: share of the outcome's variance the parameter takes part in; S1: its share alone)",
}


def run_sensitivity(design: Design, out: str | Path, options: dict, *, workers: int | None = None, client=None,
                    progress=None) -> tuple[dict, Batch]:
    """Run (or resume) the design's cases into folder `out`; returns the report and the batch."""
    out = Path(out)
    batch = run_cases(sensitivity_cases(design), out, options, workers=workers, client=client, progress=progress)
    return sensitivity_report(design, batch.outcomes, out), batch


def sensitivity_report(design: Design, outcomes: dict, out: Path) -> dict:
    """sensitivity.csv (every index), sensitivity.md (the top of each ranking with what each value rests
    on) and sensitivity.png (ranked bars per outcome)."""
    rows = analyse(design, outcomes)
    params = load_parameters(design.species)
    for row in rows:
        row["basis"] = params[row["parameter"]].basis
    heading = (f"# Global sensitivity ({design.scenario}, {design.method}, n {design.n}, {len(outcomes)} runs, "
               f"{len(design.parameters)} parameters, species {design.species}, seed {design.seed})\n\n"
               f"{METHOD_TEXT[design.method]}. The varied parameters move {design.where}. basis: what the value "
               "rests on, from its source text.\n\n")
    title = f"Global sensitivity, {design.scenario}: the parameters each outcome hinges on (95% confidence bars)"
    return write_report(design, rows, OUTCOMES, ["parameter"], heading, title, out)


def write_report(design: Design, rows: list[dict], outcomes: dict, named: list[str], heading: str, title: str,
                 out: Path, legend: str = "value rests on") -> dict:
    """The report files from ranked rows: sensitivity.csv, sensitivity.md (the top of each ranking under
    `heading`; `named`: the columns that name a row) and sensitivity.png (`title`)."""
    columns = ["outcome", "rank", *named, *INDICES[design.method], "basis"]
    write_text(out / "sensitivity.csv", csv_text(rows, columns))
    sections = []
    for key, (label, undefined) in outcomes.items():
        top = [r for r in rows if r["outcome"] == key][:TOP]
        sections.append(f"## {label}\n\nUndefined runs: {undefined}.\n\n"
                        + markdown_table(top, ["rank", *named, *INDICES[design.method], "basis"]))
    write_text(out / "sensitivity.md", heading + "\n".join(sections))
    figures.sensitivity_bars(rows, outcomes, INDICES[design.method][0], TOP, title, out / "sensitivity.png", legend)
    return {"rows": rows, "files": ["sensitivity.csv", "sensitivity.md", "sensitivity.png"]}


__all__ = ["METHODS", "OUTCOMES", "Design", "analyse", "check_design", "check_sensitivity", "indices",
           "run_sensitivity", "sensitivity_cases", "sensitivity_report", "varied_parameters", "write_report"]
