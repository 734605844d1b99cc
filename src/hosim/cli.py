"""The `hosim` command: thin wrappers that parse options and call the library.

Every command turns bad input (an InputError, or a malformed option the parser catches) into one line on
stderr and exit code 2, before anything is written (DESIGN.md contract); a run that fails on its own
(SimulationError) is one line and exit code 1.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from typer.exceptions import TyperException

from hosim import __version__
from hosim.arguments import parse_arm, parse_assignments, parse_intervention, split_run_params
from hosim.clinical.settings import PROPHYLAXIS
from hosim.cohort.registry import EXPERIMENTS, METHODS
from hosim.errors import InputError, SimulationError

app = typer.Typer(
    name="hosim",
    help="hosim: a computable model of heterotopic ossification.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def main(argv: list[str] | None = None) -> int:
    """The `hosim` entry point: parse errors become one line on stderr and exit code 2."""
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        result = app(args=args, prog_name="hosim", standalone_mode=False, obj={"command": ["hosim", *args]})
    except TyperException as exc:  # typer's parser: an unknown option, a value of the wrong type, ...
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            typer.echo(ctx.get_help())
            return 0
        where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        message = " ".join(exc.format_message().split())
        typer.echo(f"hosim: error: {message}{where}", err=True)
        return 2
    except typer.Abort:
        typer.echo("hosim: interrupted", err=True)
        return 130
    return result if isinstance(result, int) else 0


def entry() -> None:
    """The console script: run main, flush, and leave at once. Every output is written, closed and synced
    by then; skipping the interpreter's teardown of xarray, pandas and dask saves about 0.2 s, a tenth of
    a quick run."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def fail(message: str, code: int = 2) -> None:
    """Print one clear line and exit (2: bad input; 1: the run itself failed)."""
    typer.echo(f"hosim: error: {message}", err=True)
    raise typer.Exit(code=code)


def user_errors(func: Callable) -> Callable:
    """Decorator: InputError -> one line on stderr, exit 2; SimulationError -> one line, exit 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            fail(str(exc))
        except SimulationError as exc:
            fail(str(exc), code=1)

    return wrapper


@contextmanager
def progress_reporter(label: str) -> Iterator[Callable[[int, int, str], None]]:
    """update(done, total, what): a live bar on a terminal, else a plain line on stderr every 10%."""
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        columns = (TextColumn(f"[bold]{label}[/]"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.description}"), TimeRemainingColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("", total=None)
            yield lambda done, total, what="": bar.update(task, completed=done, total=total, description=what)
        return
    shown = [-1]

    def update(done: int, total: int, what: str = "") -> None:
        tenth = 10 * done // max(total, 1)
        if tenth > shown[0]:
            shown[0] = tenth
            typer.echo(f"{label}: {10 * tenth}% ({done} of {total}{'; ' + what if what else ''})", err=True)

    yield update


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"hosim {__version__}")
        raise typer.Exit()


@app.callback()
def hosim_options(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """hosim: a computable model of heterotopic ossification."""


@app.command()
@user_errors
def run(
    ctx: typer.Context,
    scenario: str = typer.Argument(..., metavar="SCENARIO", help="Scenario name (see `hosim scenarios`)."),
    out: str = typer.Option(None, "--out", metavar="DIR", help="Output folder.  [default: runs/SCENARIO]"),
    days: float = typer.Option(None, "--days", metavar="DAYS", help="Days to simulate.  [default: the scenario's]"),
    dims: int = typer.Option(2, "--dims", metavar="0|1|2|3", help="Grid dimension: 0 is one well-mixed compartment."),
    resolution: float = typer.Option(None, "--resolution", metavar="UM",
                                     help="Grid spacing in micrometres.  [default: the scenario's]"),
    intervention: list[str] = typer.Option([], "-i", "--intervention", metavar="NAME[:KEY=VALUE,...]",
                                           help="An intervention (`hosim interventions` lists them; keys: strength, "
                                                "and for treatments start and end in days); repeatable."),
    seed: int = typer.Option(0, "--seed", metavar="N", help="Random seed (a whole number >= 0)."),
    species: str = typer.Option(None, "--species", metavar="SPECIES",
                                help="Parameter set: mouse or a species file of data/species (a wrong name lists them).  [default: the scenario's]"),
    param: list[str] = typer.Option([], "--param", "-p", metavar="KEY=VALUE",
                                    help="A scenario option (mouse scenarios: dose, injection_distance_um, "
                                         "slab_thickness_um) or a model parameter (`hosim parameters` lists them "
                                         "with their ranges); repeatable."),
    factor: list[str] = typer.Option([], "--factor", metavar="NAME",
                                     help="A patient factor of a patient scenario (`hosim scenarios` lists each "
                                          "scenario's); repeatable."),
    figures: bool = typer.Option(True, "--figures/--no-figures", help="Draw the figures."),
    fresh: bool = typer.Option(False, "--fresh", help="Discard a checkpoint left in DIR by an earlier run."),
    force: bool = typer.Option(False, "--force", help="Replace results of a different run already in DIR."),
) -> None:
    """Run a scenario; write summary.json, result.nc and figures/ into DIR; a killed run resumes from
    DIR/checkpoint.npz when run again."""
    from hosim.arguments import run_spec
    from hosim.files import check_output_folder
    from hosim.service import run_into_folder, written_files

    spec = run_spec(scenario, intervention, parse_assignments(param, "-p"), dims=dims, days=days,
                    resolution_um=resolution, seed=seed, species=species, factors=factor)
    out = check_output_folder(Path("runs") / scenario if out is None else out, "--out")
    with progress_reporter(scenario) as update:
        result = run_into_folder(spec, out, figures=figures, fresh=fresh, force=force,
                                 progress=lambda i, n: update(i, n, f"day {i * spec.days / n:.1f}"),
                                 command=(ctx.obj or {}).get("command", ["hosim", *sys.argv[1:]]))
    typer.echo(run_summary(result))
    typer.echo(f"files: {', '.join(str(f) for f in written_files(out, figures))}")


def run_summary(result) -> str:
    """The key numbers of a finished run, in one line."""
    m, o = result.metrics, result.options

    def day(value) -> str:
        return "never" if value is None else f"day {value:.1f}"

    return (f"{result.scenario} ({result.setup.species}, {o['dims']}-D, {o['days']:g} days, seed {o['seed']}): "
            f"heterotopic bone {m['heterotopic_bone_mm3']:.3g} mm^3 (onset {day(m['bone_onset_day'])}, "
            f"half by {day(m['bone_t50_day'])}); orthotopic bone {m['orthotopic_bone_mm3']:.3g} mm^3; "
            f"cartilage peak {m['cartilage_peak_mm3']:.3g} mm^3 ({day(m['cartilage_peak_day'])})"
            + ("" if result.patient is None else "\n" + patient_line(result.patient)))


def patient_line(patient: dict) -> str:
    """A patient run's course, imaging onset, grade and stages, in one line."""
    course = patient["course"]["heterotopic_bone_cm3"]
    onset = patient["imaging"]["onset_week"]
    grade = patient["grade"]
    stages = ", ".join(f"{s['stage'].replace('_', ' ')} (weeks {s['from_day'] / 7:.1f}-{s['to_day'] / 7:.1f})"
                       for s in patient["stages"])
    return (f"patient: {course[-1]:.3g} cm^3 of heterotopic bone at week {len(course) - 1}; on imaging "
            f"{'never' if onset is None else f'from week {onset:g}'}"
            + ("" if grade is None else f"; {grade['reading']}")
            + f"; stages: {stages}")


@app.command()
@user_errors
def scenarios(
    name: str = typer.Argument(None, metavar="[SCENARIO]", help="Show this scenario's options (the -p keys)."),
) -> None:
    """List the scenarios with a one-line description; with a name, that scenario's options."""
    from hosim.biology.factors import factor_table, factors_for
    from hosim.scenarios import SCENARIOS, get_scenario

    if name is None:
        for key, sc in SCENARIOS.items():
            typer.echo(f"{key:24s} {sc.description}")
        return
    sc = get_scenario(name)
    typer.echo(f"{name}: {sc.description}; {sc.default_days:g} days by default")
    for key, option in sc.options.items():
        allowed = (", ".join(option.choices) if hasattr(option, "choices")
                   else f"{option.low:g} - {option.high:g} {option.unit}".rstrip())
        typer.echo(f"  -p {key}={option.default}  ({allowed}) {option.description}")
    for factor in (factor_table()[n] for n in factors_for(name)):
        moves = factor.effects() or "no mechanistic reading: recorded only"
        typer.echo(f"  --factor {factor.name}  ({moves}) {factor.description}")
    for factor, (option, value) in sc.factor_options.items():
        typer.echo(f"  --factor {factor}  (the risk factor held as an option: -p {option}={value})")


@app.command()
@user_errors
def parameters(
    species: str = typer.Option("mouse", "--species", help="Species whose parameter set to list."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON list with every field."),
) -> None:
    """List the model parameters (the keys `hosim run -p` accepts): value, unit, plausible range, source."""
    from hosim.biology import load_parameters

    params = load_parameters(species)
    base = load_parameters()
    rows = [{"name": p.name, "value": p.value, "unit": p.unit, "range": [p.low, p.high], "cascade_step": p.cascade_step,
             "description": p.description, "source": p.source, "literature": p.literature,
             "species_value": p != base[p.name]}
            for p in (params[n] for n in params)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        mark = f" [{species}]" if row["species_value"] else ""
        typer.echo(f"{row['name']} = {row['value']:g} {row['unit']}  (range {row['range'][0]:g}-{row['range'][1]:g}; "
                   f"step {row['cascade_step']}){mark}")
        typer.echo(f"    {row['description']}; source: {row['source']}")


@app.command()
def interventions(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON list with every field."),
) -> None:
    """List the interventions: what each changes, at which step, and the evidence behind it."""
    from hosim.biology.interventions import listing

    rows = listing()
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        typer.echo(f"{row['name']:22s} [{row['kind']}, step {row['steps']}, {'/'.join(row['species'])}] "
                   f"{row['description']}")
        typer.echo(f"{'':22s}   acts on: {row['acts_on']}; default strength {row['default_strength']:g} "
                   f"({row['strength_source']}); window: {row['default_window']}")
        if row["dose"]:
            typer.echo(f"{'':22s}   dose: -i {row['name']}:dose_gy=D sets the strength ({row['dose']['source']})")
        for species, reason in row["exceptions"].items():
            typer.echo(f"{'':22s}   not in {species}: {reason}")
        typer.echo(f"{'':22s}   evidence: {row['evidence']}")


@app.command()
@user_errors
def experiment(
    name: str = typer.Argument(..., metavar="NAME", help=", ".join(EXPERIMENTS) + " (`hosim experiment` registry)."),
    out: str = typer.Option(None, "--out", metavar="DIR", help="Output folder.  [default: runs/experiments/NAME]"),
    dims: int = typer.Option(None, "--dims", metavar="0|1|2|3",
                             help="Grid dimension of every case.  [default: 2; sensitivity 0]"),
    days: float = typer.Option(None, "--days", metavar="DAYS", help="Days to simulate.  [default: the scenario's]"),
    resolution: float = typer.Option(None, "--resolution", metavar="UM",
                                     help="Grid spacing in micrometres.  [default: the scenario's]"),
    workers: int = typer.Option(None, "--workers", metavar="N", help="Cases run at once.  [default: one per core]"),
    seed: int = typer.Option(0, "--seed", metavar="N",
                             help="Random seed of every case, and of the sensitivity sample (a whole number >= 0)."),
    species: str = typer.Option(None, "--species", metavar="SPECIES",
                                help="Parameter set: mouse or a species file of data/species (a wrong name lists them).  [default: the scenario's]"),
    scenario: str = typer.Option(None, "--scenario", metavar="S", help="sensitivity: the scenario.  [default: mouse-bmp2]"),
    method: str = typer.Option(None, "--method", metavar="|".join(METHODS),
                               help=f"sensitivity: the method.  [default: {METHODS[0]}; with --setting sobol]"),
    n: int = typer.Option(None, "--n", metavar="N",
                          help="sensitivity: Morris trajectories or Sobol base samples (a power of 2).  [default: 10; 64]"),
    parameters: str = typer.Option(None, "--parameters", metavar="A,B,...",
                                   help="sensitivity: the parameters varied.  [default: every one with a range]"),
    setting: str = typer.Option(None, "--setting", metavar="NAME",
                                help="sensitivity: of a clinical setting's cohort incidence (hosim risk --list), "
                                     "grouped by cascade step, instead of one scenario's run."),
    patients: int = typer.Option(None, "--patients", metavar="N",
                                 help="sensitivity --setting: patients every point runs.  [default: 200]"),
    span: float = typer.Option(None, "--span", metavar="F",
                               help="sensitivity: move each parameter within a factor F of its value (inside its "
                                    "plausible range), a local design around the calibration.  [default: the "
                                    "whole plausible ranges]"),
) -> None:
    """Run a virtual experiment in parallel; finished cases are kept in DIR, so a re-run resumes."""
    from hosim.cohort.registry import get_experiment
    from hosim.files import FolderLock, check_output_folder

    plan = get_experiment(name).plan({"dims": dims, "days": days, "resolution_um": resolution, "seed": seed,
                                      "species": species, "scenario": scenario, "method": method, "n": n,
                                      "parameters": parameters, "setting": setting, "patients": patients,
                                      "span": span}, workers)
    if plan.line:
        typer.echo(plan.line, err=True)
    out = check_output_folder(Path("runs") / "experiments" / name if out is None else out, "--out")
    with FolderLock(out, f"hosim experiment {name}"), progress_reporter(name) as update:
        report, counts, unit = plan.run(out, None, update)
    typer.echo(f"{unit}: {counts['computed']} computed, {counts['reused']} reused from {out}/{unit}")
    typer.echo("report: " + ", ".join(f"{out}/{f}" for f in report["files"]))


# --workers and --scheduler of every command that runs tasks on a local pool or a Dask cluster
WORKERS = typer.Option(None, "--workers", metavar="N", help="Local processes.  [default: one per core]")
SCHEDULER = typer.Option(None, "--scheduler", metavar="ADDRESS", help="A Dask scheduler to run the tasks on.")


def _cohort_client(workers: int | None, scheduler: str | None):
    """A Dask client for --scheduler (None: the local pool); both at once is refused."""
    if scheduler is None:
        return None
    if workers is not None:
        raise InputError("give --workers (a local pool) or --scheduler (a Dask cluster), not both")
    from distributed import Client

    try:
        return Client(scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"--scheduler {scheduler}: no Dask scheduler answers there ({exc})") from None


def _run_population(spec: dict, out: str, workers: int | None, scheduler: str | None, trial: bool):
    """Run (or resume) a cohort or trial into `out` with a progress bar counting patients; returns (folder,
    summary, figure files)."""
    from hosim.files import check_output_folder
    from hosim.service import population_into_folder

    folder = check_output_folder(out, "--out")
    client = _cohort_client(workers, scheduler)
    patients = spec["n"] * len(spec["arms"])
    try:
        with progress_reporter("trial" if trial else "cohort") as update:
            summary, files = population_into_folder(
                spec, folder, trial=trial, workers=workers, client=client,
                progress=lambda done, total: update(min(patients, done * spec["chunk"] * len(spec["arms"])),
                                                    patients, "patients"))
    finally:
        if client is not None:
            client.close()
    return folder, summary, files


@app.command()
@user_errors
def cohort(
    setting: str = typer.Option(..., "--setting", metavar="NAME", help="A setting of `hosim risk --list`."),
    n: int = typer.Option(..., "--n", metavar="N", help="Number of virtual patients."),
    factor: list[str] = typer.Option([], "--factor", metavar="NAME", help="A factor every patient has (repeatable)."),
    intervention: list[str] = typer.Option([], "-i", "--intervention", metavar="NAME[:k=v,...]",
                                           help="A treatment every patient gets, as `hosim run -i` (repeatable)."),
    seed: int = typer.Option(0, "--seed", metavar="S", help="Cohort seed; patient i draws from (S, i)."),
    workers: int = WORKERS,
    scheduler: str = SCHEDULER,
    out: str = typer.Option(..., "--out", metavar="DIR", help="Output folder (resumed when it holds this cohort)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
) -> None:
    """A virtual cohort of one setting: every patient's outcome in DIR/cohort.zarr, incidence, grades and onset."""
    from hosim.cohort.cohorts import cohort_spec

    specs = [parse_intervention(text) for text in intervention]
    spec = cohort_spec(setting, n, {"cohort": specs}, factor, seed)
    folder, summary, files = _run_population(spec, out, workers, scheduler, trial=False)
    if as_json:
        typer.echo(json.dumps(summary))
        return
    any_ho, severe = summary["any_ho"], summary["severe_ho"]
    typer.echo(f"{setting}: {n} virtual patients; any HO {any_ho['incidence']:.1%} "
               f"({any_ho['low']:.1%}-{any_ho['high']:.1%})"
               + ("" if severe["incidence"] is None else f"; Brooker III-IV {severe['incidence']:.1%}"))
    typer.echo(f"store: {folder}/cohort.zarr; figures: " + ", ".join(str(f) for f in files))


@app.command()
@user_errors
def trial(
    setting: str = typer.Option(..., "--setting", metavar="NAME", help="A setting of `hosim risk --list`."),
    arm: list[str] = typer.Option(..., "--arm", metavar="NAME=SPEC",
                                  help="An arm: interventions as `-i` joined by '+' (empty: control). Repeatable; "
                                       "relative risks are against the first."),
    n: int = typer.Option(..., "--n", metavar="N", help="Virtual patients (every arm treats the same ones)."),
    factor: list[str] = typer.Option([], "--factor", metavar="NAME", help="A factor every patient has (repeatable)."),
    seed: int = typer.Option(0, "--seed", metavar="S", help="Cohort seed; patient i draws from (S, i)."),
    workers: int = WORKERS,
    scheduler: str = SCHEDULER,
    out: str = typer.Option(..., "--out", metavar="DIR", help="Output folder (resumed when it holds this trial)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
) -> None:
    """A virtual trial: the same patients in every arm; incidence per arm and relative risks with intervals."""
    from hosim.cohort.cohorts import cohort_spec

    arms = dict(parse_arm(text) for text in arm)
    if len(arms) != len(arm):
        raise InputError("each --arm needs its own name")
    spec = cohort_spec(setting, n, arms, factor, seed)
    folder, summary, files = _run_population(spec, out, workers, scheduler, trial=True)
    if as_json:
        typer.echo(json.dumps(summary))
        return
    for name, result in summary["arms"].items():
        any_ho = result["any_ho"]
        rr = summary["relative_risk"].get(name)
        typer.echo(f"{name}: any HO {any_ho['incidence']:.1%} ({any_ho['low']:.1%}-{any_ho['high']:.1%})"
                   + ("" if rr is None or rr["rr"] is None else f"; RR {rr['rr']:.2f} ({rr['low']:.2f}-{rr['high']:.2f})"))
    typer.echo(f"store: {folder}/cohort.zarr; figures: " + ", ".join(str(f) for f in files))


@app.command("calibrate-population")
@user_errors
def calibrate_population(
    pool: int = typer.Option(6000, "--pool", metavar="N", help="Plausible people to select from."),
    seed: int = typer.Option(0, "--seed", metavar="S", help="Seed of the pool and its draws."),
    check: int = typer.Option(1000, "--check", metavar="N",
                              help="Patients per setting in the out-of-sample check cohort (0: none)."),
    install: bool = typer.Option(False, "--install", help="Make the result the population cohorts draw from."),
    workers: int = WORKERS,
    scheduler: str = SCHEDULER,
    out: str = typer.Option(..., "--out", metavar="DIR", help="Output folder."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON object."),
) -> None:
    """Select the virtual population whose incidence per setting matches the literature (Allen 2016)."""
    from hosim.cohort.population_fit import calibrate_population as fit, check_arguments, install_folder
    from hosim.files import FolderLock, check_output_folder

    check_arguments(pool, seed, check)
    if install:
        install_folder()
    folder = check_output_folder(out, "--out")
    client = _cohort_client(workers, scheduler)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with FolderLock(folder, "hosim calibrate-population"), progress_reporter("calibrate") as update:
            report = fit(folder, pool, seed, check, install, workers, client, update)
    finally:
        if client is not None:
            client.close()
    if as_json:
        typer.echo(json.dumps(report))
        return
    typer.echo(f"{report['effective_people']['calibrated']:.0f} effective people of {pool} "
               f"(prior {report['effective_people']['prior']:.0f})")
    for name, c in report["check"]["settings"].items():
        m = c["model"]
        typer.echo(f"{name}: {m['incidence']:.1%} ({m['low']:.1%}-{m['high']:.1%})"
                   + {None: " (no literature range)", True: " inside the literature range",
                      False: " OUTSIDE the literature range"}[c["inside"]])
    typer.echo("files: " + ", ".join(report["files"]) + (f"; installed: {report['installed']}" if report["installed"] else ""))


@app.command()
@user_errors
def sbml(
    out: str = typer.Option(..., "--out", metavar="FILE", help="The SBML file to write (model.xml)."),
    scenario: str = typer.Option("mouse-bmp2", "--scenario", metavar="S", help="Scenario (see `hosim scenarios`)."),
    species: str = typer.Option(None, "--species", metavar="SPECIES",
                                help="Parameter set: mouse or a species file of data/species (a wrong name lists them).  [default: the scenario's]"),
    intervention: list[str] = typer.Option([], "-i", "--intervention", metavar="NAME[:KEY=VALUE,...]",
                                           help="An intervention, as in `hosim run`: timed treatments become "
                                                "events; repeatable."),
    param: list[str] = typer.Option([], "--param", "-p", metavar="KEY=VALUE",
                                    help="A scenario option or model parameter, as in `hosim run`; repeatable."),
    as_json: bool = typer.Option(False, "--json", help="Print what the model holds as one JSON object."),
) -> None:
    """Write the scenario's reduced (0-D) model as SBML Level 3 Version 2, checked by libSBML (docs/exchange.md)."""
    from hosim.files import check_output_file, write_text
    from hosim.sbml import sbml_model

    params = split_run_params(scenario, parse_assignments(param, "-p"), species)
    interventions = [parse_intervention(i) for i in intervention]
    path = check_output_file(out, "--out")
    text, info = sbml_model(scenario, species, interventions, params)
    write_text(path, text)
    if as_json:
        typer.echo(json.dumps({**info, "file": str(path)}))
        return
    typer.echo(f"{path}: {info['scenario']} ({info['species']}), {info['variables']} variables and "
               f"{info['compartments']} body-wide compartments as species with rate rules, {info['parameters']} "
               f"parameters, {info['signals']} shared signals as assignment rules, {info['events']} events; "
               "libSBML consistency checks: no errors")


@app.command()
@user_errors
def bench(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    sizes: str = typer.Option("64,128,256", "--sizes", metavar="N,N,...",
                              help="Cube edge lengths of the solver throughput runs.  [default: 64,128,256]"),
    scenarios: bool = typer.Option(True, "--scenarios/--no-scenarios",
                                   help="Also time the standard runs end to end (minutes)."),
) -> None:
    """Measure solver throughput (million voxel updates per second) and run times, end to end."""
    from hosim.benchmark import check_sizes, run_benchmark

    result = run_benchmark(check_sizes(sizes), scenarios=scenarios)
    if as_json:
        typer.echo(json.dumps(result))
    else:
        for key, value in result.items():
            typer.echo(f"{key}: {value}")


@app.command()
@user_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host", metavar="ADDRESS",
                             help="Address to listen on (127.0.0.1: this computer only)."),
    port: int = typer.Option(8000, "--port", metavar="PORT", help="Port to listen on (1024-65535)."),
    folder: str = typer.Option(None, "--folder", metavar="DIR",
                               help="Where jobs keep their files.  [default: a temporary folder, removed on exit]"),
    workers: int = typer.Option(1, "--workers", metavar="N", help="Jobs that run at once (1-16)."),
) -> None:
    """Start the browser app and its JSON API (docs/web.md); open http://HOST:PORT/ in a browser."""
    from hosim.checks import check_whole
    from hosim.files import check_output_folder

    check_whole("--port", port, 1024, 65535)
    check_whole("--workers", workers, 1, 16)
    out = None if folder is None else check_output_folder(folder, "--folder")
    import uvicorn

    from hosim.web.app import create_app

    typer.echo(f"hosim serve: http://{host if ':' not in host else f'[{host}]'}:{port}/ (Ctrl-C stops it)", err=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo("hosim serve: warning: the app has no accounts; anyone who can reach this address can use it",
                   err=True)
    uvicorn.run(create_app(out, host=host, workers=workers), host=host, port=port, log_level="warning")


@app.command()
@user_errors
def risk(
    setting: str = typer.Option(None, "--setting", metavar="NAME", help="Clinical setting (see --list)."),
    factor: list[str] = typer.Option([], "--factor", metavar="NAME",
                                     help="Risk factor, lower-case and hyphenated (see --list); repeatable."),
    prophylaxis: str = typer.Option(None, "--prophylaxis", metavar="|".join(PROPHYLAXIS),
                                    help="Prophylaxis (hip settings)."),
    tbsa: float = typer.Option(None, "--tbsa", metavar="PERCENT", help="Burned % of total body surface (burns only)."),
    delay_days: float = typer.Option(None, "--delay-days", metavar="DAYS", help="Days from hip fracture to surgery."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    fhir_out: str = typer.Option(None, "--fhir-out", metavar="FILE", help="Write a FHIR R4 RiskAssessment (JSON)."),
    fhir_in: str = typer.Option(None, "--fhir-in", metavar="FILE",
                                 help="Read setting and factors from a FHIR R4 Bundle (JSON, at most 10 MB)."),
    report: str = typer.Option(None, "--report", metavar="FILE", help="Write a plain-language HTML page for the patient."),
    show_list: bool = typer.Option(False, "--list", help="List the settings and the factors each accepts."),
    seed: int = typer.Option(None, "--seed", metavar="N",
                             help="Seed of the interval sampling (a whole number >= 0).  [default: fixed]"),
    mechanistic: bool = typer.Option(False, "--mechanistic",
                                     help="Also the patient's own virtual cohort (1000 patients like this one)."),
) -> None:
    """Evidence-based risk of heterotopic ossification, with its sources (a research tool, not a diagnosis)."""
    from rich.console import Console

    from hosim.clinical import console as clinical_console
    from hosim.files import check_distinct, check_output_file, write_text
    from hosim.service import RiskQuestion, answer_risk, question_from_bundle

    if show_list:
        if as_json:
            typer.echo(json.dumps(clinical_console.settings_listing()))
        else:
            clinical_console.print_settings(Console())
        return
    outputs = {option: check_output_file(path, option)
               for option, path in (("--fhir-out", fhir_out), ("--report", report)) if path is not None}
    check_distinct(outputs)
    question = RiskQuestion(setting, tuple(factor), prophylaxis, tbsa, delay_days, seed, mechanistic)
    inputs, notes = None, ()
    if fhir_in is not None:
        from hosim.clinical.fhir import read_bundle

        question, inputs, note = question_from_bundle(read_bundle(fhir_in), fhir_in, question)
        notes = (note,)
    if question.setting is None:
        raise InputError("--setting is required unless --fhir-in gives it; see `hosim risk --list`")
    answer = answer_risk(question, inputs, notes)
    make = {"--fhir-out": lambda: json.dumps(answer.fhir(), indent=2) + "\n", "--report": answer.report}
    documents = {option: make[option]() for option in outputs}  # every one made before any is written
    for option, text in documents.items():
        write_text(outputs[option], text)
    if as_json:
        typer.echo(json.dumps(answer.to_json()))
    else:
        clinical_console.print_risk(answer.estimate, Console(), answer.notes)
        if answer.cohort:
            clinical_console.print_mechanistic(answer.cohort, Console())


@app.command()
@user_errors
def grade(
    mask: str = typer.Argument(..., metavar="MASK",
                                help="Label image, .npy or NIfTI (.nii, .nii.gz): 0 soft tissue, 1 pelvis, "
                                     "2 femur, 3 heterotopic bone."),
    spacing_mm: float | None = typer.Option(
        None, "--spacing-mm", metavar="MM",
        help="Pixel (voxel) size in mm; required for .npy. A NIfTI header gives its own: leave this out, "
             "or it must agree (within 0.1%)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Brooker grade and Della Valle class of a hip label image (a 3-D volume is projected front to back;
    a NIfTI volume along its anterior-posterior axis)."""
    from rich.console import Console

    from hosim.clinical.console import print_grade
    from hosim.clinical.grading import grade_file

    result = grade_file(mask, spacing_mm)
    if as_json:
        typer.echo(json.dumps(result.to_json()))
    else:
        print_grade(result, Console())


if __name__ == "__main__":  # pragma: no cover
    entry()
