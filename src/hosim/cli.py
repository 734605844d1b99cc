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
    """KEY=VALUE pairs; numbers become floats."""
    out: dict[str, float | str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InputError(f"{what} must look like KEY=VALUE, got {item!r}")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            out[key.strip()] = value.strip()
    return out


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
    param: list[str] = typer.Option([], "--param", "-p", help="Scenario parameter KEY=VALUE (e.g. dose=1.0)."),
    figures: bool = typer.Option(True, "--figures/--no-figures", help="Draw the figures."),
) -> None:
    """Run a scenario; write summary.json, result.nc and figures/; resume from DIR/checkpoint.npz."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from hosim.simulation import simulate

    params = parse_assignments(param, "--param")
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
def bench(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    sizes: str = typer.Option("64,128,256", help="Comma-separated cube edge lengths."),
) -> None:
    """Measure solver throughput (million voxel updates per second) and scenario wall times."""
    from hosim.benchmark import run_benchmark

    try:
        edges = [int(s) for s in sizes.split(",") if s.strip()]
    except ValueError:
        raise InputError(f"--sizes must be comma-separated integers, got {sizes!r}") from None
    if not edges or min(edges) < 4:
        raise InputError(f"--sizes needs edge lengths >= 4, got {sizes!r}")
    result = run_benchmark(edges)
    if as_json:
        typer.echo(json.dumps(result))
    else:
        for key, value in result.items():
            typer.echo(f"{key}: {value}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
