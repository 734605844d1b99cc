"""Global sensitivity: the design (which parameters, their sampling scale, bad input), the reading of each
value's basis from its source, and a small Morris screen end to end that finds the obvious driver."""

import csv

import numpy as np
import pytest
from typer.testing import CliRunner

from hosim.biology import load_parameters
from hosim.cli import app
from hosim.cohort.sensitivity import (
    basis,
    check_sensitivity,
    held_parameters,
    log_scaled,
    parameter_values,
    sample,
    sensitivity_cases,
    varied_parameters,
)
from hosim.errors import InputError

runner = CliRunner()


def test_every_parameter_with_a_range_varies_except_the_scenario_inputs():
    params = load_parameters()
    varied = varied_parameters(params)
    assert held_parameters() == {"acvr1_r206h", "lps_stimulus", "exogenous_glucocorticoid"}
    assert set(varied) == set(params) - held_parameters()


def test_samples_stay_in_range_and_wide_ranges_are_log_scaled():
    design, _ = check_sensitivity(None, "morris", 4, "bmp2_secretion,bmp2_decay,activin_secretion")
    params = load_parameters()
    assert log_scaled(params["activin_secretion"].low, params["activin_secretion"].high)
    X = sample(design)
    assert X.shape == (design.runs, 3) and design.runs == 4 * 4
    assert np.array_equal(X, sample(design))  # the seed fixes the sample, so a re-run resumes
    for row in X:
        for name, value in parameter_values(design, row).items():
            assert params[name].low <= value <= params[name].high
    assert [c.name for c in sensitivity_cases(design)][:2] == ["s00", "s01"]


@pytest.mark.parametrize("kw, message", [
    ({"method": "anova"}, "--method must be one of morris, sobol"),
    ({"method": "sobol", "n": 12}, "power of 2"),
    ({"n": 1}, "--n"),
    ({"parameters": "bmp2_decay,no_such"}, "no_such"),
    ({"parameters": "acvr1_r206h,bmp2_decay"}, "acvr1_r206h"),
    ({"parameters": "bmp2_decay"}, "at least two"),
    ({"scenario": "mouse-nope"}, "unknown scenario"),
])
def test_bad_designs_name_the_problem(kw, message):
    args = {"scenario": None, "method": None, "n": None, "parameters": None, **kw}
    with pytest.raises(InputError, match=message):
        check_sensitivity(args["scenario"], args["method"], args["n"], args["parameters"])


def test_the_basis_of_a_value_is_read_from_its_source():
    assert basis("Salisbury 2011; fitted to substance_p (tools/fit_mouse_bmp2.py)") == "fitted"
    assert basis("assumption; hand-calibrated to brown_fat") == "hand-calibrated"
    assert basis("assumption: a few times cell_o2_uptake") == "assumption"
    assert basis("Lazard 2015 Clin Orthop Relat Res 473:2790") == "literature"


def test_only_sensitivity_takes_the_design_options():
    result = runner.invoke(app, ["experiment", "knockouts", "--method", "morris"])
    assert result.exit_code == 2 and "only the sensitivity experiment" in result.output


@pytest.mark.slow
def test_a_small_morris_screen_ranks_the_bmp2_source_first(tmp_path):
    args = ["experiment", "sensitivity", "--parameters", "bmp2_secretion,muscle_o2_uptake,neutrophil_death",
            "--n", "3", "--out", str(tmp_path), "--workers", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert {p.name for p in tmp_path.iterdir()} >= {"sensitivity.csv", "sensitivity.md", "sensitivity.png", "cases"}
    rows = list(csv.DictReader((tmp_path / "sensitivity.csv").open()))
    bone = [r for r in rows if r["outcome"] == "heterotopic_bone_mm3"]
    assert bone[0]["parameter"] == "bmp2_secretion" and float(bone[0]["mu_star"]) > 0
    assert len(rows) == 4 * 3
    again = runner.invoke(app, args)  # resumes: every case reused
    assert again.exit_code == 0 and "0 computed, 12 reused" in again.output
