"""The layout docs/architecture.md promises, checked on the code: one place builds a Stepper and runs it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "hosim"


def _python_files():
    yield from sorted(PACKAGE.rglob("*.py"))
    yield from sorted((ROOT / "tools").glob("*.py"))
    yield from sorted((ROOT / "benchmarks").glob("*.py"))


def _calls(path: Path, names: set[str]) -> list[str]:
    """`file:function` of every call of one of `names` (as a name or an attribute) in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for function in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
        for node in ast.walk(function):
            if isinstance(node, ast.Call):
                called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if called in names:
                    found.append(f"{path.relative_to(ROOT)}:{function.name}")
    return found


def test_exactly_one_place_builds_the_stepper_and_runs_it():
    builders = [where for path in _python_files() for where in _calls(path, {"Stepper"})]
    assert builders == ["src/hosim/engine/runner.py:run_setup"], builders
    steppers = [where for path in _python_files() for where in _calls(path, {"step"})
                if not where.startswith("src/hosim/engine/")]
    assert steppers == [], f"a time loop outside the engine: {steppers}"


def test_the_docs_table_of_what_hosim_offers_is_made_from_the_registries():
    import importlib.util

    spec = importlib.util.spec_from_file_location("registries_table", ROOT / "tools" / "registries_table.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.OUT.read_text(encoding="utf-8") == tool.registries_markdown(), (
        "docs/generated/registries.md is stale: run python tools/registries_table.py")


def test_the_experiment_help_lists_the_registry():
    from hosim.cli import app
    from hosim.cohort.registry import EXPERIMENTS
    from typer.testing import CliRunner

    text = " ".join(CliRunner().invoke(app, ["experiment", "--help"]).output.split())
    assert ", ".join(EXPERIMENTS) in text
