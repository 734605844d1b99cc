"""The model's fingerprint: a hash of what a run's numbers depend on, so a cached case, cohort chunk or
calibrated population made by other code is recomputed instead of reused (docs/architecture.md "Cached
results").

What counts is found from the code, not from a kept list of folders: the modules that the run path's entry
modules import at module level, transitively (with the packages that hold them; a package that loads its
names on first use, like hosim.engine, declares them in a `_HOMES` table, name -> submodule), and the data
files those modules name (a string constant that is the name of an entry of hosim/data). Only what decides a result
is hashed: a module's syntax tree without its docstrings, a table's data without its prose. Computed once
per process, under a lock, so request threads never parse source files.
"""

from __future__ import annotations

import ast
import hashlib
import json
import threading
import tomllib
from importlib.resources import files
from pathlib import Path

from hosim import __version__

# Where every run's numbers are computed: a single run, experiment cases and the batches of cohorts.
RUN_PATH = ("hosim.simulation", "hosim.cohort.virtual")
# Data made from the model (the calibrated people): checked against their own fingerprint (population_fit).
DERIVED_DATA = frozenset({"virtual_population.csv"})
# Keys of the data files that document a number rather than decide it.
PROSE_KEYS = frozenset({"source", "description", "evidence", "strength_source", "duration_source", "literature",
                        "reason"})

_lock = threading.Lock()
_cached: list[str] = []


def model_fingerprint() -> str:
    """SHA-256 of the installed package's run path: computed on the first call, then the same all process long."""
    with _lock:
        if not _cached:
            _cached.append(fingerprint_of(Path(files("hosim"))))
        return _cached[0]


def fingerprint_of(root: Path) -> str:
    """SHA-256 of the run path's code and data in the package folder `root` (computed afresh)."""
    digest = hashlib.sha256(__version__.encode())
    for name, path in run_path_files(root):
        digest.update(name.encode())
        digest.update(meaning(name, path.read_text(encoding="utf-8")).encode())
    return digest.hexdigest()


def run_path_files(root: Path) -> list[tuple[str, Path]]:
    """(name relative to the package, path) of every module on the run path and every data file it names."""
    modules = _imported_modules(root)
    data = root / "data"
    entries = {item.name for item in data.iterdir()} - DERIVED_DATA
    named: set[str] = set()
    for path in modules.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in entries:
                named.add(node.value)
    found = {str(p.relative_to(root)): p for p in modules.values()}
    for name in named:
        item = data / name
        for p in (sorted(item.rglob("*")) if item.is_dir() else [item]):
            if p.is_file() and p.suffix in (".toml", ".csv", ".json") and p.name not in DERIVED_DATA:
                found[str(p.relative_to(root))] = p
    return sorted(found.items())


def _imported_modules(root: Path) -> dict[str, Path]:
    """Module name -> file of every hosim module the entries import at module level, transitively."""
    seen: dict[str, Path] = {}
    todo = list(RUN_PATH)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        path = _module_file(root, name)
        if path is None:
            continue
        seen[name] = path
        parts = name.split(".")
        todo += [".".join(parts[:k]) for k in range(2, len(parts))]  # the packages that hold it
        todo += _module_imports(root, path, name)
    return seen


def _module_file(root: Path, name: str) -> Path | None:
    parts = name.split(".")
    if parts[0] != "hosim":
        return None
    base = root.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _module_imports(root: Path, path: Path, name: str) -> list[str]:
    """The hosim modules a module imports in its top-level statements (not inside functions or classes)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in _top_level(ast.parse(path.read_text(encoding="utf-8")).body):
        if isinstance(node, ast.Import):
            out += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            out.append(base)
            homes = _lazy_homes(root, base)
            for alias in node.names:  # `from hosim.x import module`, or a name a lazy package loads
                out.append(f"{base}.{homes.get(alias.name, alias.name)}")
    return [m for m in out if m.startswith("hosim")]


def _lazy_homes(root: Path, package: str) -> dict[str, str]:
    """The `_HOMES` table (name -> submodule) of a package that loads its names on first use, else {}."""
    init = _module_file(root, package)
    if init is None or init.name != "__init__.py":
        return {}
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_HOMES" for t in node.targets):
            return ast.literal_eval(node.value)
    return {}


def _top_level(body):
    """The statements run when a module is imported: its body, into if/try blocks."""
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.Try)):
            for block in (node.body, node.orelse, getattr(node, "finalbody", []),
                          *[h.body for h in getattr(node, "handlers", [])]):
                yield from _top_level(block)


def meaning(name: str, text: str) -> str:
    """The part of a source file that decides results: the syntax tree without docstrings, or the data
    without its prose (sources and descriptions)."""
    if name.endswith(".toml"):
        return json.dumps(_without_prose(tomllib.loads(text)), sort_keys=True)
    if not name.endswith(".py"):
        return text
    tree = ast.parse(text)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def _without_prose(data):
    """A parsed TOML table with every PROSE_KEYS entry removed, at any depth."""
    if isinstance(data, dict):
        return {k: _without_prose(v) for k, v in data.items() if k not in PROSE_KEYS}
    if isinstance(data, list):
        return [_without_prose(v) for v in data]
    return data


__all__ = ["DERIVED_DATA", "PROSE_KEYS", "RUN_PATH", "fingerprint_of", "meaning", "model_fingerprint", "run_path_files"]
