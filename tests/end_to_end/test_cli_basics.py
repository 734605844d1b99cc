"""The command line: version, benchmark JSON contract, and the bad-input contract (exit 2, one line)."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from hosim import __version__
from hosim.cli import app

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_bench_json_has_the_contract_keys():
    result = runner.invoke(app, ["bench", "--json", "--sizes", "16,24", "--no-scenarios"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"copy_gb_s", "explicit_mvox_s", "lod_mvox_s", "threads"}
    assert set(data["explicit_mvox_s"]) == {"16", "24"} and all(v > 0 for v in data["lod_mvox_s"].values())
    assert data["copy_gb_s"] > 0 and data["threads"] >= 1


def test_bad_input_is_one_line_and_exit_2():
    proc = subprocess.run([sys.executable, "-m", "hosim.cli", "bench", "--sizes", "abc"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "--sizes" in proc.stderr and "Traceback" not in proc.stderr


def _imported(*args) -> set[str]:
    """Top-level modules a fresh interpreter imports to run `args` (from -X importtime)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", *args], capture_output=True, text=True)
    return {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if "|" in line}


HEAVY = {"numba", "pyamg", "xarray"}


def test_the_clinical_layer_loads_no_engine():
    assert not HEAVY & _imported("-c", "import hosim.clinical")


@pytest.mark.slow
def test_risk_and_grade_commands_start_without_the_engine(tmp_path):
    import numpy as np

    mask = tmp_path / "mask.npy"
    np.save(mask, np.zeros((8, 8), dtype=np.int8))
    assert not HEAVY & _imported("-m", "hosim.cli", "risk", "--setting", "tha", "--json")
    assert not HEAVY & _imported("-m", "hosim.cli", "grade", str(mask), "--spacing-mm", "1")
    assert "numba" in _imported("-c", "import hosim.engine.diffusion")  # the check can see an import


def test_parameters_command_lists_the_species_values():
    result = runner.invoke(app, ["parameters", "--species", "human", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["blood_volume"]["species_value"] and rows["blood_volume"]["value"] == 5.0e6
    assert not rows["bmp2_decay"]["species_value"] and rows["bmp2_decay"]["unit"] == "1/day"
    assert all(row["source"] and row["unit"] for row in rows.values())
    plain = runner.invoke(app, ["parameters"])
    assert plain.exit_code == 0 and "bmp2_decay = 2 1/day" in plain.stdout
    bad = runner.invoke(app, ["parameters", "--species", "dog"])
    assert bad.exit_code == 2 and "allowed: mouse, human" in bad.output


def test_scenarios_command_lists_every_scenario_and_its_options():
    from hosim.scenarios import SCENARIOS

    listing = runner.invoke(app, ["scenarios"])
    assert listing.exit_code == 0 and all(name in listing.stdout for name in SCENARIOS)
    one = runner.invoke(app, ["scenarios", "mouse-sci-cardiotoxin"])
    assert one.exit_code == 0 and "-p sci_level=11" in one.stdout and "none, cardiotoxin, crush" in one.stdout
    bad = runner.invoke(app, ["scenarios", "mouse-nope"])
    assert bad.exit_code == 2 and "allowed: mouse-bmp2" in bad.output
