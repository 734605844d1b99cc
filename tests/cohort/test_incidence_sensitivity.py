"""Sensitivity of a setting's cohort incidence (`hosim experiment sensitivity --setting`): the design groups
the human parameters by cascade step, holds what a batch cannot vary, refuses bad input before any work,
runs every point on the same panel, resumes, and gives the same indices at any worker count."""

import csv
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from hosim.biology import load_parameters
from hosim.cli import app
from hosim.cohort import incidence_sensitivity
from hosim.cohort.incidence_sensitivity import check_incidence_sensitivity, point_values, step_label

runner = CliRunner()
SMALL = ["--setting", "tha", "--n", "2", "--patients", "10", "--parameters",
         "surgical_necrosis,fap_density,necrosis_clearance,bone_maturation"]


def test_the_design_groups_parameters_by_cascade_step_and_holds_hill_coefficients():
    cohort = check_incidence_sensitivity("tha", None, None, None, None, 0)
    human = load_parameters("human")
    design = cohort.design
    assert design.method == "sobol" and design.species == "human" and cohort.patients == 200
    assert not any(human[n].whole for n in design.parameters)
    assert all(g == step_label(human[n].cascade_step) for n, g in zip(design.parameters, design.groups))
    assert step_label(15) == "15 innate inflammation" and "01 trigger" in design.factors
    assert design.runs == design.n * (len(design.factors) + 2)  # Sobol over groups, not parameters
    small = check_incidence_sensitivity("tha", "sobol", 2, SMALL[-1], 10, 0)
    assert small.design.factors == ("01 trigger", "16 resident progenitors", "15 innate inflammation",
                                    "13 resolution and maturation")
    values = point_values(small)
    assert len(values) == 12 and all(human[n].low <= v[n] <= human[n].high for v in values for n in v)


@pytest.mark.parametrize("args, message", [
    (["--setting", "knee"], "unknown setting 'knee'"),
    (["--setting", "tha", "--patients", "3"], "--patients"),
    (["--setting", "tha", "--method", "sobol", "--n", "6"], "power of 2"),
    (["--setting", "tha", "--parameters", "bmp2_hill,fap_density"], "Hill coefficients"),
    (["--setting", "tha", "--parameters", "fap_density,fap_activation"], "at least two cascade steps"),
    (["--setting", "tha", "--scenario", "tha"], "--scenario"),
    (["--setting", "tha", "--dims", "2"], "--dims"),
    (["--patients", "100"], "only a --setting sensitivity"),
    (["--setting", "tha"], "only the sensitivity experiment"),
])
def test_bad_input_is_one_clear_error_and_no_folder(tmp_path, args, message):
    name = "knockouts" if "only the sensitivity" in message else "sensitivity"
    result = runner.invoke(app, ["experiment", name, *args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and message in result.output, result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_small_design_runs_resumes_and_agrees_at_any_worker_count(tmp_path, monkeypatch):
    monkeypatch.setattr(incidence_sensitivity, "PATIENTS_PER_TASK", 40)  # 4 points a task: 3 tasks, so order matters
    one = runner.invoke(app, ["experiment", "sensitivity", *SMALL, "--workers", "1", "--out", str(tmp_path / "a")])
    assert one.exit_code == 0, one.output
    assert {p.name for p in (tmp_path / "a").iterdir()} >= {"sensitivity.csv", "sensitivity.md", "sensitivity.png",
                                                          "sensitivity.json", "points"}
    rows = list(csv.DictReader((tmp_path / "a" / "sensitivity.csv").open()))
    assert {r["outcome"] for r in rows} == {"any_ho", "severe_ho"} and len(rows) == 2 * 4
    assert {"mechanism", "parameters", "bases", "ST", "S1", "basis"} <= set(rows[0])
    report = json.loads((tmp_path / "a" / "sensitivity.json").read_text())
    assert report["points"] == 12 and report["patients"] == 10
    assert 0.0 <= report["incidence"]["any_ho"]["min"] <= report["incidence"]["any_ho"]["max"] <= 1.0
    assert 0.0 <= report["incidence"]["any_ho"]["saturated"] <= 1.0
    again = runner.invoke(app, ["experiment", "sensitivity", *SMALL, "--out", str(tmp_path / "a")])
    assert again.exit_code == 0 and "points: 0 computed, 3 reused" in again.output
    two = runner.invoke(app, ["experiment", "sensitivity", *SMALL, "--workers", "2", "--out", str(tmp_path / "b")])
    assert two.exit_code == 0, two.output
    assert ((tmp_path / "a" / "sensitivity.csv").read_text() == (tmp_path / "b" / "sensitivity.csv").read_text())
    ST = {r["mechanism"]: float(r["ST"]) for r in rows if r["outcome"] == "any_ho"}
    assert np.all(np.isfinite(list(ST.values())))
