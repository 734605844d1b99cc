"""`hosim risk`: the JSON contract, the output files, and bad input (one line, exit 2, nothing written)."""

import json
import subprocess
import sys

import pytest
from fhir.resources.R4B.riskassessment import RiskAssessment
from typer.testing import CliRunner

from hosim.cli import app
from hosim.clinical import estimate_risk
from hosim.clinical.settings import SETTINGS

runner = CliRunner()


def test_json_matches_the_library():
    result = runner.invoke(app, ["risk", "--setting", "tha", "--factor", "male", "--factor", "prior-ho", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document == estimate_risk("tha", ["male", "prior-ho"]).to_json()


def test_table_shows_estimate_evidence_seed_figures_and_notes():
    result = runner.invoke(app, ["risk", "--setting", "tha", "--factor", "male", "--prophylaxis", "radiotherapy"])
    assert result.exit_code == 0, result.output
    for words in ("Estimate", "tha_or_male", "seed: men ~2x", "rt_vs_nsaid_severe", "not a diagnosis"):
        assert words in result.stdout


def test_list_names_every_setting_and_its_factors():
    result = runner.invoke(app, ["risk", "--list"])
    assert result.exit_code == 0
    for name, spec in SETTINGS.items():
        assert name in result.stdout
        for factor in spec.factor_names:
            assert factor in result.stdout
    listing = json.loads(runner.invoke(app, ["risk", "--list", "--json"]).stdout)
    assert listing["burns"]["needs_tbsa"] is True and "prior-ho" in listing["tha"]["patterns"]


def test_report_and_fhir_files_are_written(tmp_path):
    report, fhir = tmp_path / "report.html", tmp_path / "risk.json"
    result = runner.invoke(app, ["risk", "--setting", "sci", "--factor", "complete-injury",
                                 "--report", str(report), "--fhir-out", str(fhir)])
    assert result.exit_code == 0, result.output
    assert "in 100</b>" in report.read_text()
    resource = RiskAssessment.model_validate(json.loads(fhir.read_text()))
    assert resource.prediction[0].probabilityDecimal is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "risk.json"]  # no temporary files left


def test_fhir_bundle_in_gives_setting_and_factors(tmp_path):
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "Patient", "id": "p", "gender": "male"}},
        {"resource": {"resourceType": "Condition", "id": "c", "subject": {"reference": "Patient/p"},
                      "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "S32.401A"}]}}},
        {"resource": {"resourceType": "Condition", "id": "d", "subject": {"reference": "Patient/p"},
                      "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "S06.5X0A"}]}}},
    ]}
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    result = runner.invoke(app, ["risk", "--fhir-in", str(path), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["setting"] == "acetabular-fracture" and document["factors"] == ["tbi"]


@pytest.mark.parametrize(
    "args, words",
    [
        (["--setting", "tha", "--factor", "complete-injury"], ["complete-injury", "does not apply", "male"]),
        (["--setting", "hip"], ["unknown setting", "hip-fracture-fixation"]),
        (["--setting", "burns", "--tbsa", "-5"], ["--tbsa"]),
        (["--factor", "male"], ["--setting is required"]),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, args, words):
    report, fhir = tmp_path / "report.html", tmp_path / "risk.json"
    proc = subprocess.run([sys.executable, "-m", "hosim.cli", "risk", *args, "--report", str(report),
                           "--fhir-out", str(fhir)], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr
    for word in words:
        assert word in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_output_path_in_a_missing_folder_is_refused_before_any_work(tmp_path):
    result = runner.invoke(app, ["risk", "--setting", "tha", "--fhir-out", str(tmp_path / "a.json"),
                                 "--report", str(tmp_path / "missing" / "r.html")])
    assert result.exit_code == 2 and "does not exist" in result.stderr
    assert list(tmp_path.iterdir()) == []
