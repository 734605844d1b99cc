"""The model's fingerprint follows what a run's numbers depend on, found from the code."""

from __future__ import annotations

import shutil
import threading
from importlib.resources import files
from pathlib import Path

import pytest

from hosim.fingerprint import fingerprint_of, model_fingerprint, run_path_files

PACKAGE = Path(files("hosim"))


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("package") / "hosim"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return copy


ADDED = "\n\ndef _added():\n    return 1\n"  # a function appended to a module


def _edited(root: Path, name: str, old: str, new: str) -> str:
    """The fingerprint with one edit made (old -> new; old None: `new` appended), then undone."""
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old is None or old in text, f"{old!r} not in {name}"
    try:
        path.write_text(text + new if old is None else text.replace(old, new, 1), encoding="utf-8")
        return fingerprint_of(root)
    finally:
        path.write_text(text, encoding="utf-8")


def test_the_run_path_holds_the_cohort_batches_and_the_tables_they_read_not_the_outputs():
    names = {name for name, _ in run_path_files(PACKAGE)}
    assert {"cohort/virtual.py", "cohort/population.py", "scenarios/spec.py", "engine/runner.py", "simulation.py",
            "data/parameters.toml", "data/species/human.toml", "data/population.toml", "data/settings/tha.toml"} <= names
    assert not {n for n in names if n.startswith(("io/", "web/", "cli.py"))}, names
    assert "data/virtual_population.csv" not in names  # made from the model: checked by its own fingerprint


@pytest.mark.parametrize("name, old, new", [
    ("cohort/virtual.py", "/ 1000.0", "/ 1000.5"),
    ("cohort/population.py", None, ADDED),
    ("biology/cascade.py", None, ADDED),
    ("data/parameters.toml", "value = ", "value = 1e-9 + "),
])
def test_an_edit_on_the_run_path_moves_the_fingerprint(package_copy, name, old, new):
    if name.endswith(".toml"):
        path = package_copy / name
        text = path.read_text(encoding="utf-8")
        value = text.split("value = ", 1)[1].split("\n", 1)[0]
        new, old = f"value = {float(value) * 1.01!r}", f"value = {value}"
    assert _edited(package_copy, name, old, new) != fingerprint_of(package_copy)


def test_docstrings_sources_and_the_output_layer_leave_it(package_copy):
    before = fingerprint_of(package_copy)
    assert _edited(package_copy, "cohort/virtual.py", '"""Virtual patients', '"""Virtual people') == before
    assert _edited(package_copy, "data/parameters.toml", 'source = "', 'source = "see also: ') == before
    assert _edited(package_copy, "io/netcdf.py", None, ADDED) == before


def test_it_is_computed_once_per_process_and_the_same_from_every_thread():
    first = model_fingerprint()
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(model_fingerprint())) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [first] * 16 and first == fingerprint_of(PACKAGE)
