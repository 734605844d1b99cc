"""FHIR: Bundles map to settings and factors; the RiskAssessment validates as R4 and carries the evidence."""

import json

import pytest
from fhir.resources.R4B.riskassessment import RiskAssessment

from hosim.clinical import estimate_risk
from hosim.clinical.fhir import (
    EVIDENCE_SYSTEM,
    read_bundle,
    risk_assessment,
    risk_inputs,
)
from hosim.errors import InputError

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
PCS = "http://www.cms.gov/Medicare/Coding/ICD10"
SNOMED = "http://snomed.info/sct"


def bundle(tmp_path, *codes, gender="male", procedures=(), name="bundle.json", **condition_extra):
    """A collection Bundle: one Patient, a Condition per ICD-10-CM code, a Procedure per (system, code)."""
    entries = [{"fullUrl": "urn:uuid:patient-1", "resource": {"resourceType": "Patient", "id": "p1", "gender": gender}}]
    for i, code in enumerate(codes):
        condition = {"resourceType": "Condition", "id": f"c{i}", "subject": {"reference": "urn:uuid:patient-1"},
                     "code": {"coding": [{"system": ICD10CM, "code": code}]}, **condition_extra}
        entries.append({"resource": condition})
    for i, (system, code) in enumerate(procedures):
        entries.append({"resource": {"resourceType": "Procedure", "id": f"pr{i}", "status": "completed",
                                     "subject": {"reference": "urn:uuid:patient-1"},
                                     "code": {"coding": [{"system": system, "code": code}]}}})
    path = tmp_path / name
    path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}))
    return path


def test_tha_bundle_maps_prior_ho_spondylitis_and_sex(tmp_path):
    path = bundle(tmp_path, "M61.051", "M45.9", "N39.0", procedures=[(SNOMED, "52734007")])
    inputs = risk_inputs(read_bundle(path))
    assert inputs.setting == "tha"
    assert inputs.factors == ("ankylosing-spondylitis", "male", "prior-ho")
    assert inputs.patient == "urn:uuid:patient-1"
    assert set(inputs.basis) == {"Condition/c0", "Condition/c1", "Procedure/pr0"}
    assert inputs.ignored == ("uti",)  # a real code, but no THA factor


@pytest.mark.parametrize(
    "procedure, setting",
    [((PCS, "0SRR0J9"), "hip-fracture-arthroplasty"), ((PCS, "0SR9019"), "hip-fracture-arthroplasty"),
     ((PCS, "0QS604Z"), "hip-fracture-fixation"), (("http://www.ama-assn.org/go/cpt", "27125"), "hip-fracture-arthroplasty")],
)
def test_a_hip_fracture_takes_its_setting_from_the_procedure(tmp_path, procedure, setting):
    assert risk_inputs(read_bundle(bundle(tmp_path, "S72.001A", procedures=[procedure]))).setting == setting


def test_a_hip_fracture_without_a_procedure_asks_for_the_setting(tmp_path):
    with pytest.raises(InputError, match="hip-fracture-arthroplasty or hip-fracture-fixation"):
        risk_inputs(read_bundle(bundle(tmp_path, "S72.001A")))


def test_brain_injury_with_an_acetabular_fracture_is_a_factor_not_a_setting(tmp_path):
    inputs = risk_inputs(read_bundle(bundle(tmp_path, "S32.401A", "S06.2X9A")))
    assert inputs.setting == "acetabular-fracture" and inputs.factors == ("tbi",)


def test_complete_cord_injury_and_its_complications(tmp_path):
    inputs = risk_inputs(read_bundle(bundle(tmp_path, "S14.111A", "L89.154", "J18.9", gender="female")))
    assert inputs.setting == "sci"
    assert inputs.factors == ("complete-injury", "pneumonia", "pressure-ulcer")


def test_burn_extent_code_gives_the_burned_surface(tmp_path):
    inputs = risk_inputs(read_bundle(bundle(tmp_path, "T22.312A", "T31.32XA")))
    assert inputs.setting == "burns" and inputs.tbsa == 35.0
    estimate = estimate_risk(inputs.setting, inputs.factors, tbsa=inputs.tbsa)
    assert "burns_or_tbsa30" in estimate.evidence


def test_fop_code_and_refuted_conditions(tmp_path):
    assert risk_inputs(read_bundle(bundle(tmp_path, "M61.10"))).setting == "fop"
    refuted = {"verificationStatus": {"coding": [{"code": "refuted"}]}}
    with pytest.raises(InputError, match="no Condition or Procedure"):
        risk_inputs(read_bundle(bundle(tmp_path, "M61.10", name="refuted.json", **refuted)))


def test_two_settings_in_one_bundle_need_a_choice(tmp_path):
    path = bundle(tmp_path, "S14.111A", "T22.312A")
    with pytest.raises(InputError, match=r"several settings \(burns, sci\)"):
        risk_inputs(read_bundle(path))
    assert risk_inputs(read_bundle(path), "sci").factors == ("complete-injury", "male")


@pytest.mark.parametrize(
    "text, words",
    [
        ("{not json", ["not valid JSON"]),
        ('{"resourceType": "Patient", "id": "x"}', ["must hold a FHIR Bundle", "Patient"]),
        ('{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient", '
         '"gender": 5}}]}', ["not a valid FHIR R4 Bundle", "gender"]),
    ],
)
def test_malformed_files_are_refused(tmp_path, text, words):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        read_bundle(path)
    for word in words:
        assert word in str(info.value)


def test_risk_assessment_validates_and_carries_predictions_basis_and_mitigation(tmp_path):
    inputs = risk_inputs(read_bundle(bundle(tmp_path, "M45.9", procedures=[(SNOMED, "52734007")])))
    estimate = estimate_risk(inputs.setting, inputs.factors, prophylaxis="nsaid")
    document = risk_assessment(estimate, inputs)
    resource = RiskAssessment.model_validate(document)  # raises if not valid R4(B)
    assert resource.subject.reference == "urn:uuid:patient-1" and resource.status == "final"
    any_ho, severe = resource.prediction
    assert float(any_ho.probabilityDecimal) == pytest.approx(estimate.any_ho.probability, abs=1e-4)
    assert float(severe.probabilityDecimal) == pytest.approx(estimate.severe_ho.probability, abs=1e-4)
    assert float(any_ho.whenRange.low.value) == estimate.onset_days[0] and any_ho.whenRange.high.code == "d"
    cited = {b.identifier.value for b in resource.basis if b.identifier and b.identifier.system == EVIDENCE_SYSTEM}
    assert cited == set(estimate.evidence)
    assert {b.reference for b in resource.basis if b.reference} == set(inputs.basis)
    assert "NSAID" in resource.mitigation and any("not a diagnosis" in n.text for n in resource.note)


def test_risk_assessment_without_a_bundle_or_severe_figure(tmp_path):
    document = risk_assessment(estimate_risk("tbi", ["spasticity"]))
    resource = RiskAssessment.model_validate(document)
    assert len(resource.prediction) == 1 and resource.subject.display
