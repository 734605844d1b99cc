"""The `hosim` command: thin wrappers that parse options and call the library.

Every command turns an InputError into one line on stderr and exit code 2 (DESIGN.md contract).
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Callable

import typer

from hosim import __version__
from hosim.errors import InputError

app = typer.Typer(
    name="hosim",
    help="hosim: a computable model of heterotopic ossification.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(message: str) -> None:
    """Print one clear line and exit with the bad-input code."""
    typer.echo(f"hosim: error: {message}", err=True)
    raise typer.Exit(code=2)


def user_errors(func: Callable) -> Callable:
    """Decorator: InputError -> one line on stderr, exit 2, no traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            fail(str(exc))

    return wrapper


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"hosim {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """hosim: a computable model of heterotopic ossification."""


def parse_assignments(items: list[str], what: str) -> dict[str, float | str]:
    """KEY=VALUE pairs; numbers become floats; a key given twice is refused (which one was meant?)."""
    out: dict[str, float | str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key or not value.strip():
            raise InputError(f"{what} must look like KEY=VALUE, got {item!r}")
        if key in out:
            raise InputError(f"{what} {key} is given twice; give it once")
        try:
            out[key] = float(value)
        except ValueError:
            out[key] = value.strip()
    return out


RUN_OPTIONS = {"dims": "--dims", "days": "--days", "resolution_um": "--resolution", "seed": "--seed",
               "species": "--species", "parameters": "-p NAME=VALUE for each model parameter"}


def split_run_params(scenario: str, assigned: dict, species: str | None) -> dict:
    """-p KEY=VALUE pairs of `hosim run` as simulate() keywords: the scenario's own options (dose, ...)
    as themselves, model parameters (see `hosim parameters`) gathered under `parameters`."""
    from hosim.biology import load_parameters
    from hosim.scenarios import get_scenario

    own = get_scenario(scenario)
    model = load_parameters(own.run_species(species))
    params, overrides = {}, {}
    for key, value in assigned.items():
        if key in RUN_OPTIONS:
            raise InputError(f"-p {key}: {key} is set with {RUN_OPTIONS[key]}, not with -p")
        if key in own.options:
            params[key] = value
        elif key in model:
            overrides[key] = value
        else:
            raise InputError(f"-p {key}: not an option of scenario {scenario} ({', '.join(own.options) or 'none'}) "
                             "nor a model parameter (listed by `hosim parameters`)")
    return {**params, "parameters": overrides} if overrides else params


def parse_intervention(text: str) -> dict:
    """NAME[:key=value,...] -> {"name": NAME, key: value, ...}."""
    name, _, rest = text.partition(":")
    if not name.strip():
        raise InputError(f"-i needs NAME[:key=value,...], got {text!r}")
    spec = {"name": name.strip()}
    spec.update(parse_assignments([p for p in rest.split(",") if p.strip()], f"-i {name} option"))
    return spec


@app.command()
@user_errors
def run(
    scenario: str = typer.Argument(..., help="Scenario name (see `hosim scenarios`)."),
    out: Path = typer.Option(None, "--out", help="Output folder (default runs/SCENARIO)."),
    days: float = typer.Option(None, "--days", help="Days to simulate (default: the scenario's)."),
    dims: int = typer.Option(2, "--dims", help="Grid dimension: 0 (well mixed), 1, 2 or 3."),
    resolution: float = typer.Option(None, "--resolution", help="Grid spacing in micrometres."),
    intervention: list[str] = typer.Option([], "-i", "--intervention", help="NAME[:key=value,...]; repeatable."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    species: str = typer.Option(None, "--species", help="mouse or human (default: the scenario's)."),
    param: list[str] = typer.Option([], "--param", "-p", help="KEY=VALUE: a scenario option (e.g. dose=1.0) or a "
                                    "model parameter (see `hosim parameters`); repeatable."),
    figures: bool = typer.Option(True, "--figures/--no-figures", help="Draw the figures."),
) -> None:
    """Run a scenario; write summary.json, result.nc and figures/; resume from DIR/checkpoint.npz."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from hosim.simulation import simulate

    params = split_run_params(scenario, parse_assignments(param, "-p"), species)
    interventions = [parse_intervention(i) for i in intervention]
    out = out or Path("runs") / scenario
    checkpoint = out / "checkpoint.npz"
    columns = (TextColumn(f"[bold]{scenario}[/]"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"), TimeRemainingColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("run", total=None)
        result = simulate(
            scenario,
            interventions,
            dims=dims,
            days=days,
            resolution_um=resolution,
            seed=seed,
            species=species,
            checkpoint_path=checkpoint,
            progress=lambda i, n: bar.update(task, completed=i, total=n),
            **params,
        )
    result.save(out, figures=figures)
    checkpoint.unlink(missing_ok=True)
    typer.echo(f"report: {out}/summary.json, {out}/result.nc" + (f", {out}/figures/" if figures else ""))


@app.command()
def scenarios() -> None:
    """List the scenarios with a one-line description."""
    from hosim.scenarios import SCENARIOS

    for name, sc in SCENARIOS.items():
        typer.echo(f"{name:24s} {sc.description}")


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
             "description": p.description, "source": p.source, "species_value": p != base[p.name]}
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
        typer.echo(f"{'':22s}   evidence: {row['evidence']}")


@app.command()
@user_errors
def experiment(
    name: str = typer.Argument(..., help="knockouts, dose-response or timing."),
    out: Path = typer.Option(None, "--out", help="Output folder (default runs/experiments/NAME)."),
    dims: int = typer.Option(2, "--dims", help="Grid dimension of every case: 0 (well mixed), 1, 2 or 3."),
    days: float = typer.Option(None, "--days", help="Days to simulate (default: the scenario's)."),
    resolution: float = typer.Option(None, "--resolution", help="Grid spacing in micrometres."),
    workers: int = typer.Option(None, "--workers", help="Cases run at once (default: one per core)."),
    seed: int = typer.Option(0, "--seed", help="Random seed of every case."),
    species: str = typer.Option(None, "--species", help="mouse or human (default: the scenario's)."),
) -> None:
    """Run a virtual experiment in parallel; finished cases are kept in DIR/cases, so a re-run resumes."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from hosim.cohort.experiments import get_experiment, run_experiment, run_options
    from hosim.errors import SimulationError

    get_experiment(name)
    options = run_options(dims=dims, days=days, resolution_um=resolution, seed=seed, species=species)
    out = out or Path("runs") / "experiments" / name
    columns = (TextColumn(f"[bold]{name}[/]"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
               TimeElapsedColumn())
    try:
        with Progress(*columns) as bar:
            task = bar.add_task("", total=None)
            report, batch = run_experiment(
                name, out, options, workers=workers,
                progress=lambda done, total, case: bar.update(task, completed=done, total=total, description=case),
            )
    except SimulationError as exc:
        typer.echo(f"hosim: error: {exc}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"cases: {len(batch.computed)} computed, {len(batch.reused)} reused from {out}/cases")
    typer.echo("report: " + ", ".join(f"{out}/{f}" for f in report["files"]))


@app.command()
@user_errors
def bench(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    sizes: str = typer.Option("64,128,256", help="Comma-separated cube edge lengths."),
    scenarios: bool = typer.Option(True, "--scenarios/--no-scenarios", help="Also time the standard scenario runs (minutes)."),
) -> None:
    """Measure solver throughput (million voxel updates per second) and scenario wall times."""
    from hosim.benchmark import run_benchmark

    try:
        edges = [int(s) for s in sizes.split(",") if s.strip()]
    except ValueError:
        raise InputError(f"--sizes must be comma-separated integers, got {sizes!r}") from None
    if not edges or min(edges) < 4:
        raise InputError(f"--sizes needs edge lengths >= 4, got {sizes!r}")
    result = run_benchmark(edges, scenarios=scenarios)
    if as_json:
        typer.echo(json.dumps(result))
    else:
        for key, value in result.items():
            typer.echo(f"{key}: {value}")


@app.command()
@user_errors
def risk(
    setting: str = typer.Option(None, "--setting", help="Clinical setting (see --list)."),
    factor: list[str] = typer.Option([], "--factor", help="Risk factor, lower-case and hyphenated; repeatable."),
    prophylaxis: str = typer.Option(None, "--prophylaxis", help="nsaid or radiotherapy (hip settings)."),
    tbsa: float = typer.Option(None, "--tbsa", help="Burned % of total body surface (burns only)."),
    delay_days: float = typer.Option(None, "--delay-days", help="Days from hip fracture to surgery."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    fhir_out: Path = typer.Option(None, "--fhir-out", help="Write a FHIR R4 RiskAssessment (JSON) here."),
    fhir_in: Path = typer.Option(None, "--fhir-in", help="Read setting and factors from a FHIR R4 Bundle."),
    report: Path = typer.Option(None, "--report", help="Write a plain-language HTML page for the patient."),
    show_list: bool = typer.Option(False, "--list", help="List the settings and the factors each accepts."),
    seed: int = typer.Option(None, "--seed", help="Seed of the interval sampling (default fixed)."),
) -> None:
    """Evidence-based risk of heterotopic ossification, with its sources (a research tool, not a diagnosis)."""
    from rich.console import Console

    from hosim.clinical import console as clinical_console
    from hosim.clinical.files import check_output_path
    from hosim.clinical.risk import DEFAULT_SEED, estimate_risk
    from hosim.files import write_text

    if show_list:
        if as_json:
            typer.echo(json.dumps(clinical_console.settings_listing()))
        else:
            clinical_console.print_settings(Console())
        return
    outputs = {option: check_output_path(path, option)
               for option, path in (("--fhir-out", fhir_out), ("--report", report)) if path is not None}
    inputs, fhir_notes = None, ()
    if fhir_in is not None:
        from hosim.clinical.fhir import read_bundle, risk_inputs

        inputs = risk_inputs(read_bundle(fhir_in), setting)
        setting, factor = inputs.setting, [*factor, *inputs.factors]
        tbsa = tbsa if tbsa is not None else inputs.tbsa
        fhir_notes = (f"From {fhir_in}: setting {inputs.setting}; factors {', '.join(inputs.factors) or 'none'}"
                      + (f"; mapped but not used by this setting: {', '.join(inputs.ignored)}" if inputs.ignored else ""),)
    if setting is None:
        raise InputError("--setting is required unless --fhir-in gives it; see `hosim risk --list`")
    estimate = estimate_risk(setting, factor, prophylaxis, tbsa, delay_days,
                             seed=DEFAULT_SEED if seed is None else seed)
    documents = {}
    if "--fhir-out" in outputs:
        from hosim.clinical.fhir import risk_assessment

        documents["--fhir-out"] = json.dumps(risk_assessment(estimate, inputs), indent=2) + "\n"
    if "--report" in outputs:
        from hosim.clinical.report import render_report

        documents["--report"] = render_report(estimate)
    for option, text in documents.items():
        write_text(outputs[option], text)
    if as_json:
        typer.echo(json.dumps(estimate.to_json()))
    else:
        clinical_console.print_risk(estimate, Console(), fhir_notes)


@app.command()
@user_errors
def grade(
    mask: Path = typer.Argument(..., help="Label image .npy: 0 soft tissue, 1 pelvis, 2 femur, 3 heterotopic bone."),
    spacing_mm: float = typer.Option(..., "--spacing-mm", help="Pixel (voxel) size in mm."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Brooker grade and Della Valle class of a hip label image (a 3-D volume is projected front to back)."""
    from rich.console import Console

    from hosim.clinical.console import print_grade
    from hosim.clinical.grading import grade_mask, load_mask

    result = grade_mask(load_mask(mask), spacing_mm)
    if as_json:
        typer.echo(json.dumps(result.to_json()))
    else:
        print_grade(result, Console())

if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
