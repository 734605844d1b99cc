"""SBML export of the reduced model (`hosim sbml`): the document passes libSBML's consistency checks, says
what every number is, and libRoadRunner integrating it reproduces hosim's own 0-D run, variable by
variable, for the AdBMP2 mouse and for a human injury scenario with a later second injury and timed
treatments (events)."""

import json

import libsbml
import numpy as np
import pytest
import roadrunner
from typer.testing import CliRunner

from hosim.biology.variables import COMPARTMENT_NAMES, VARIABLE_NAMES
from hosim.cli import app
from hosim.sbml import own_series, sbml_model

runner = CliRunner()
NAMES = VARIABLE_NAMES + COMPARTMENT_NAMES
TREATED = ("hip-fracture", [{"name": "nsaid", "end": 42.0}, {"name": "radiation", "start": -0.2, "dose_gy": 7.0}])


@pytest.mark.slow
@pytest.mark.parametrize("scenario, specs, dt", [("mouse-bmp2", [], 0.004), (*TREATED, 0.02)])
def test_libroadrunner_reproduces_hosim_within_one_percent_of_each_peak(scenario, specs, dt):
    """hosim's scheme is first order in time, so its run is extrapolated to step 0 from steps dt and dt/2
    (Richardson); samples fall between the whole days the events happen on."""
    text, info = sbml_model(scenario, specs=specs)
    times = np.arange(0.5, info["days"], 1.0)
    model = roadrunner.RoadRunner(text)
    model.integrator.absolute_tolerance = 1e-12
    model.integrator.relative_tolerance = 1e-9
    model.timeCourseSelections = ["time"] + [f"[{name}]" for name in NAMES]
    exported = np.asarray(model.simulate(times=np.concatenate([[0.0], times])))[1:, 1:]
    coarse, fine = own_series(scenario, specs, dt, times), own_series(scenario, specs, dt / 2, times)
    own = 2.0 * fine - coarse
    peak = np.max(np.abs(own), axis=0)
    error = np.max(np.abs(exported - own), axis=0)
    worst = {name: round(float(e / p), 5) for name, e, p in zip(NAMES, error, peak) if p > 0 and e > 0.01 * p}
    assert not worst, f"{scenario}: variables off by more than 1% of their peak: {worst}"
    assert np.all(error[peak == 0] < 1e-9)
    assert peak[NAMES.index("bone_woven")] > 0 or scenario != "mouse-bmp2"  # bone forms: the check means something


def test_the_document_is_consistent_and_says_what_every_number_is():
    text, info = sbml_model(TREATED[0], specs=TREATED[1])
    doc = libsbml.readSBMLFromString(text)
    assert doc.getLevel() == 3 and doc.getVersion() == 2
    assert doc.checkConsistency() == 0 or all(doc.getError(k).getSeverity() < libsbml.LIBSBML_SEV_ERROR
                                              for k in range(doc.getNumErrors()))
    model = doc.getModel()
    assert [c.getId() for c in model.getListOfCompartments()] == ["lesion", "blood", "body"]
    assert model.getNumSpecies() == len(NAMES) and model.getNumRules() == len(NAMES) + info["signals"]
    assert model.getSpecies("circulating_progenitors").getCompartment() == "blood"
    fap = model.getParameter("fap_bmp2_half")
    assert fap.getSBOTermID() == "SBO:0000027" and "Source:" in fap.getNotesString()
    assert 'unit="ng/mL"' in fap.getAnnotationString() and "low=" in fap.getAnnotationString()
    assert model.getParameter("bmp2_decay").getUnits() == "per_day" and model.getTimeUnits() == "day"
    events = {e.getName(): e for e in model.getListOfEvents()}
    assert {"femoral neck fracture", "hip arthroplasty"} <= set(events) and info["events"] == 5  # 2 injuries, 3 edges
    assert not model.getParameter("kill_tissue_progenitors").getConstant()  # radiation kills dividing cells
    assert not model.getParameter("fap_commitment").getConstant()  # the NSAID lowers it while it is given


@pytest.mark.parametrize("args, message", [
    (["--scenario", "knee"], "unknown scenario 'knee'"),
    (["-i", "radiation:strength=1"], "strength below 1"),
    (["-i", "aspirin"], "unknown intervention 'aspirin'"),
    (["--species", "rat"], "species"),
    (["-p", "no_such=1"], "no_such"),
])
def test_bad_input_is_one_clear_error_and_no_file(tmp_path, args, message):
    out = tmp_path / "model.xml"
    result = runner.invoke(app, ["sbml", *args, "--out", str(out)])
    assert result.exit_code == 2 and message in result.output, result.output
    assert not out.exists()


def test_the_command_writes_the_model_and_says_what_it_holds(tmp_path):
    out = tmp_path / "model.xml"
    result = runner.invoke(app, ["sbml", "--scenario", "tha", "-i", "nsaid:end=42", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["scenario"] == "tha" and info["species"] == "human" and info["file"] == str(out)
    doc = libsbml.readSBMLFromFile(str(out))
    assert doc.getModel().getNumEvents() == info["events"] == 3


def test_model_parameters_and_scenario_options_reach_the_file():
    text, _ = sbml_model("mouse-bmp2", options={"parameters": {"bmp2_decay": 0.5}})
    doc = libsbml.readSBMLFromString(text)
    assert doc.getModel().getParameter("bmp2_decay").getValue() == 0.5
    small, _ = sbml_model("tha", options={"parameters": {"surgical_necrosis": 0.2}})
    default, _ = sbml_model("tha")
    docs = [libsbml.readSBMLFromString(t) for t in (small, default)]  # held: libSBML's objects live in them
    necrosis = [libsbml.formulaToL3String(doc.getModel().getEvent("injury_0").getEventAssignment(
        "necrosis").getMath()) for doc in docs]
    assert necrosis[0] != necrosis[1]  # the operation's size is the exported run's
