"""Global sensitivity: the design (which parameters, their sampling scale, bad input), the reading of each
value's basis from its source, and a small Morris screen end to end that finds the obvious driver."""

import csv

import numpy as np
import pytest
from typer.testing import CliRunner

from hosim.biology import load_parameters
from hosim.biology.parameters import basis
from hosim.cli import app
from hosim.cohort.sensitivity import (
    OUTCOMES,
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
    held = held_parameters(params)
    assert held == {"acvr1_r206h", "lps_stimulus", "exogenous_glucocorticoid", "osmr_signalling", "gr_expression",
                    "complication_inflammation", "storm_signal"}  # the last two: what patient factors add
    assert set(varied_parameters(params)) == set(params) - held
    in_0d = set(varied_parameters(params, dims=0))
    assert "bmp2_diffusivity" not in in_0d and "bmp2_decay" in in_0d
    assert all(params[n].unit != "um^2/day" for n in in_0d)


def test_samples_cover_the_ranges_on_their_scales_and_hill_coefficients_stay_whole():
    design, _ = check_sensitivity(None, "morris", 4, "bmp2_secretion,bmp2_decay,activin_secretion,fap_necrosis_hill")
    params = load_parameters()
    X = sample(design)
    assert X.shape == (design.runs, 4) and design.runs == 4 * 5
    assert np.array_equal(X, sample(design))  # the seed fixes the sample, so a re-run resumes
    wide = params["activin_secretion"]
    assert log_scaled(wide.low, wide.high) and not log_scaled(params["fap_necrosis_hill"].low, 4.0)
    column = X[:, 2]  # sampled in log10: the Morris levels span the log range exactly
    assert column.min() == pytest.approx(np.log10(wide.low)) and column.max() == pytest.approx(np.log10(wide.high))
    values = [parameter_values(design, row) for row in X]
    assert {v["fap_necrosis_hill"] for v in values} <= {1.0, 2.0, 3.0, 4.0}
    assert all(params[n].low <= v[n] <= params[n].high for v in values for n in v)
    assert [c.name for c in sensitivity_cases(design)][:2] == ["s00", "s01"]


def test_a_span_keeps_each_parameter_near_its_value_inside_its_range():
    """--span F: a local design around the calibration, each value from value/F to value*F (log scale),
    cut by the plausible range; a factor not above 1 is refused."""
    design, _ = check_sensitivity(None, "sobol", 4, "bmp2_secretion,bmp2_decay,fap_density", span=2.0)
    params = load_parameters()
    for values in (parameter_values(design, row) for row in sample(design)):
        for name, v in values.items():
            p = params[name]
            assert max(p.low, p.value / 2.0) * (1 - 1e-9) <= v <= min(p.high, p.value * 2.0) * (1 + 1e-9)
    assert "within a factor of 2" in design.where
    with pytest.raises(InputError, match="--span must lie in"):
        check_sensitivity(None, "sobol", 4, "bmp2_secretion,bmp2_decay", span=1.0)


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
    assert len(rows) == len(OUTCOMES) * 3
    again = runner.invoke(app, args)  # resumes: every case reused
    assert again.exit_code == 0 and "0 computed, 12 reused" in again.output


@pytest.mark.slow
def test_a_sobol_design_runs_and_reports_total_indices(tmp_path):
    result = runner.invoke(app, ["experiment", "sensitivity", "--method", "sobol", "--n", "4", "--parameters",
                                 "bmp2_secretion,neutrophil_death", "--out", str(tmp_path), "--workers", "2"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((tmp_path / "sensitivity.csv").open()))
    assert len(rows) == len(OUTCOMES) * 2 and {"ST", "S1", "ST_conf"} <= set(rows[0])
    bone = [r for r in rows if r["outcome"] == "log10_heterotopic_bone"]
    assert bone[0]["parameter"] == "bmp2_secretion"
