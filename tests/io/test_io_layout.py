"""The layout of io/ that docs/architecture.md promises, checked on the code: io/ draws and writes what the
layers below it computed, never importing cohort/ (or the web app and the CLI above it), and its modules
import one another without a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IO = ROOT / "src" / "hosim" / "io"
FORBIDDEN = ("hosim.cohort", "hosim.web", "hosim.cli")


def _modules() -> dict[str, ast.Module]:
    return {path.stem: ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for path in sorted(IO.glob("*.py"))}


def _imported(node: ast.AST) -> list[str]:
    """The dotted modules an import statement reads (`from a import b` reads a and, where b is one, a.b)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:  # relative: resolve against hosim.io
            base = ".".join(["hosim", "io"][: max(0, 3 - node.level)] + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        return [base] + [f"{base}.{alias.name}" for alias in node.names]
    return []


def _all_imports(tree: ast.Module) -> list[str]:
    """Every module a file imports, at module level or inside a function."""
    return [name for node in ast.walk(tree) for name in _imported(node)]


def _module_level_imports(tree: ast.Module) -> list[str]:
    """The modules a file imports when it is itself imported: not inside a function, nor under
    `if TYPE_CHECKING:`."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        found.extend(_imported(node))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _io_module(name: str, modules) -> str | None:
    """The io module (file stem) a dotted import names, or None when it is not one."""
    parts = name.split(".")
    if parts[:2] == ["hosim", "io"] and len(parts) >= 3 and parts[2] in modules:
        return parts[2]
    return None


def test_io_has_the_modules_this_test_reads():
    assert {"figures", "figure_plan", "painters", "patient_figures", "cohort_figures"} <= set(_modules())


@pytest.mark.parametrize("stem", sorted(path.stem for path in IO.glob("*.py")))
def test_io_never_imports_cohort_web_or_cli(stem):
    """Not at module level and not lazily inside a function either."""
    tree = _modules()[stem]
    bad = sorted({name for name in _all_imports(tree)
                  if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)})
    assert bad == [], f"src/hosim/io/{stem}.py imports {bad}"


def test_the_drawings_do_not_import_the_painters():
    """figures.py and patient_figures.py read the plan from figure_plan.py; only the painters import the
    drawings (lazily, in the painter processes)."""
    modules = _modules()
    for stem in ("figures", "patient_figures"):
        reads = {_io_module(name, modules) for name in _all_imports(modules[stem])}
        assert "painters" not in reads, f"src/hosim/io/{stem}.py imports hosim.io.painters"
        assert "figure_plan" in reads, f"src/hosim/io/{stem}.py should read FigureData from figure_plan"
    plan = {_io_module(name, modules) for name in _all_imports(modules["figure_plan"])} - {None}
    assert plan == set(), f"figure_plan.py imports other io modules: {plan}"


@pytest.mark.parametrize("imports", [_module_level_imports, _all_imports], ids=["module-level", "with-lazy"])
def test_io_modules_import_one_another_without_a_circle(imports):
    """Neither at import time nor counting the imports inside functions (the painters import the drawings
    lazily; the drawings never import the painters)."""
    modules = _modules()
    graph = {stem: sorted({m for name in imports(tree) if (m := _io_module(name, modules))} - {stem})
             for stem, tree in modules.items()}
    done: set[str] = set()

    def walk(stem: str, path: list[str]) -> None:  # path: the imports that led here, ending in stem
        for other in graph[stem]:
            if other in path:
                pytest.fail("import circle in src/hosim/io/: " + " -> ".join(path[path.index(other):] + [other]))
            if other not in done:
                walk(other, path + [other])
        done.add(stem)

    for stem in graph:
        if stem not in done:
            walk(stem, [stem])


def test_the_cohort_figures_grades_are_the_grade_maps():
    """cohort_figures.py spells the Brooker grades out (io/ does not import cohort/); they must agree."""
    from hosim.cohort.grade_map import GRADES as MAPPED
    from hosim.io.cohort_figures import GRADES

    assert GRADES == MAPPED == ("0", "I", "II", "III", "IV")
