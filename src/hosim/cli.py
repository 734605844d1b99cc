"""The `hosim` command: thin wrappers that parse options and call the library.

Every command turns an InputError into one line on stderr and exit code 2 (DESIGN.md contract).
"""

from __future__ import annotations

import functools
import json
import sys
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
