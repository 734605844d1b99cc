"""FHIR in and out: read a patient's Bundle into risk inputs; write the estimate as a RiskAssessment.

hosim validates against FHIR R4B with fhir.resources (its ``R4B`` subpackage). R4B is the
R4-compatible release: Bundle, Patient, Condition, Procedure and RiskAssessment have the same
elements as in R4 (R5, the package's default, renamed several of them). The code mapping lives
in package data (fhir_code_map.csv) and is documented in docs/clinical.md.
"""

from __future__ import annotations

import csv
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.riskassessment import RiskAssessment
from pydantic import ValidationError

from hosim import __version__
from hosim.clinical.evidence import DATA, evidence_row
from hosim.clinical.prevention import prevention_for
from hosim.clinical.risk import RiskEstimate
from hosim.clinical.settings import SETTINGS, get_setting
from hosim.errors import InputError

EVIDENCE_SYSTEM = "urn:hosim:evidence"
UCUM = "http://unitsofmeasure.org"
SKIPPED_CONDITION_STATUS = {"refuted", "entered-in-error"}
SKIPPED_PROCEDURE_STATUS = {"not-done", "entered-in-error"}
HIP_ARTHROPLASTY = {"total-hip-replacement", "hip-hemiarthroplasty"}
MAX_BUNDLE_BYTES = 10 * 2**20  # a patient's Bundle for one risk question is kilobytes; 10 MB bounds time and memory


@dataclass(frozen=True)
class CodeRule:
    system: str
    code: str
    match: str  # "prefix" or "exact"
    concept: str
    display: str

    def matches(self, system: str, code: str) -> bool:
        if system != self.system:
            return False
        code = code.replace(".", "").strip().upper()
        return code.startswith(self.code) if self.match == "prefix" else code == self.code


@functools.cache
def code_rules() -> tuple[CodeRule, ...]:
    """The code mapping table from package data."""
    with DATA.joinpath("fhir_code_map.csv").open(newline="", encoding="utf-8") as handle:
        return tuple(CodeRule(**{k: v.strip() for k, v in row.items()}) for row in csv.DictReader(handle))


@dataclass
class BundleFindings:
    """What a Bundle says that matters for HO risk, and which resources said it."""

    patient: str | None = None
    male: bool = False
    concepts: dict[str, list[str]] = field(default_factory=dict)  # concept -> resource references
    tbsa: float | None = None

    def add(self, concept: str, reference: str) -> None:
        if concept.startswith("tbsa="):
            band_middle = float(concept.split("=", 1)[1])
            self.tbsa = band_middle if self.tbsa is None else max(self.tbsa, band_middle)
            concept = "burns"
        self.concepts.setdefault(concept, []).append(reference)


@dataclass(frozen=True)
class RiskInputs:
    """A setting and factors read from a Bundle, ready for estimate_risk."""

    setting: str
    factors: tuple[str, ...]
    tbsa: float | None
    patient: str | None
    basis: tuple[str, ...]  # references of the resources that contributed
    ignored: tuple[str, ...]  # mapped concepts the setting does not use


def read_bundle(path: str | Path) -> BundleFindings:
    """Parse and validate a FHIR R4 Bundle file and map its Patient, Conditions and Procedures."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"FHIR file not found: {path}")
    if not path.is_file():
        raise InputError(f"--fhir-in {path} is not a regular file; give a FHIR Bundle saved as JSON")
    check_bundle_size(path.stat().st_size, str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not valid JSON: {exc}") from None
    return parse_bundle(text, str(path))


def check_bundle_size(size: int, name: str) -> None:
    """A Bundle larger than one patient's record is refused before it is read."""
    if size > MAX_BUNDLE_BYTES:
        raise InputError(f"{name} is {size / 2**20:.1f} MB; a FHIR Bundle given to hosim may be at most "
                         f"{MAX_BUNDLE_BYTES // 2**20} MB (one patient's conditions and procedures)")


def parse_bundle(text: str, path: str) -> BundleFindings:
    """Validate a FHIR R4 Bundle held as JSON text (`path` names it in messages) and map its Patient,
    Conditions and Procedures."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not valid JSON: {exc}") from None
    except RecursionError:
        raise InputError(f"{path} is nested too deeply to be a FHIR Bundle") from None
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise InputError(f"{path} is not usable JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("resourceType") != "Bundle":
        found = document.get("resourceType") if isinstance(document, dict) else type(document).__name__
        raise InputError(f"{path} must hold a FHIR Bundle (resourceType 'Bundle'), found {found!r}")
    _check_resource_types(document, path)
    try:
        bundle = Bundle.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InputError(f"{path} is not a valid FHIR R4 Bundle: {where}: {first['msg']} "
                         f"({exc.error_count()} problem(s))") from None
    except RecursionError:
        raise InputError(f"{path} is nested too deeply to be a FHIR Bundle") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path} is not a valid FHIR R4 Bundle: {exc}") from None
    findings = BundleFindings()
    for number, entry in enumerate(bundle.entry or []):
        resource = entry.resource
        if resource is None:
            continue
        kind = resource.get_resource_type()
        reference = entry.fullUrl or (f"{kind}/{resource.id}" if resource.id else f"{kind} (entry {number})")
        if kind == "Patient":
            findings.patient = entry.fullUrl or (f"Patient/{resource.id}" if resource.id else None)
            findings.male = resource.gender == "male"
        elif kind == "Condition" and not _condition_skipped(resource):
            _map_codes(resource.code, reference, findings)
        elif kind == "Procedure" and resource.status not in SKIPPED_PROCEDURE_STATUS:
            _map_codes(resource.code, reference, findings)
    return findings


def _check_resource_types(document: dict, path: str) -> None:
    """Every entry's resource names a FHIR R4 resource type (the validator fails obscurely otherwise)."""
    entries = document.get("entry") or []
    if not isinstance(entries, list):
        raise InputError(f"{path}: Bundle.entry must be a list of entries")
    for number, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            continue
        kind = resource.get("resourceType")
        try:
            get_fhir_model_class(kind)
        except (KeyError, ValueError, TypeError):
            raise InputError(f"{path}: entry {number} has resourceType {kind!r}, which is not a FHIR R4 resource "
                             "(hosim reads Patient, Condition and Procedure and skips other valid resources)") from None


def _condition_skipped(condition) -> bool:
    status = condition.verificationStatus
    codes = {coding.code for coding in (status.coding or [])} if status else set()
    return bool(codes & SKIPPED_CONDITION_STATUS)


def _map_codes(concept, reference: str, findings: BundleFindings) -> None:
    for coding in (concept.coding or []) if concept else []:
        if not coding.system or not coding.code:
            continue
        for rule in code_rules():
            if rule.matches(coding.system, coding.code):
                findings.add(rule.concept, reference)


def _candidate_settings(concepts: dict[str, list[str]]) -> list[str]:
    found = set(concepts)
    candidates = {name for name in found if name in SETTINGS}
    if "hip-fracture" in found:
        if found & HIP_ARTHROPLASTY:
            candidates.add("hip-fracture-arthroplasty")
        elif "hip-fixation" in found:
            candidates.add("hip-fracture-fixation")
        else:
            raise InputError("the Bundle has a femoral neck fracture (S72.0) but no arthroplasty or fixation "
                             "procedure; give --setting hip-fracture-arthroplasty or hip-fracture-fixation")
    elif "total-hip-replacement" in found:
        candidates.add("tha")
    if "tbi" in candidates and any("tbi" in SETTINGS[c].odds_factors for c in candidates - {"tbi"}):
        candidates.discard("tbi")  # the brain injury is then a risk factor of the other setting
    return sorted(candidates)


def risk_inputs(findings: BundleFindings, setting: str | None = None) -> RiskInputs:
    """Setting (given, or inferred from the Bundle) and the factors the Bundle supports for it."""
    if setting is None:
        candidates = _candidate_settings(findings.concepts)
        if not candidates:
            raise InputError("no Condition or Procedure in the Bundle maps to a setting (docs/clinical.md lists "
                             f"the codes); give --setting, one of: {', '.join(SETTINGS)}")
        if len(candidates) > 1:
            raise InputError(f"the Bundle matches several settings ({', '.join(candidates)}); "
                             "choose one with --setting")
        setting = candidates[0]
    if "fop" in findings.concepts and setting != "fop":
        where = ", ".join(findings.concepts["fop"])
        raise InputError(f"the Bundle's patient has fibrodysplasia ossificans progressiva ({where}); the {setting} "
                         "estimate is for people without it and would hide the FOP risk (any operation can "
                         "trigger a flare-up); use --setting fop")
    spec = get_setting(setting)
    accepted = set(spec.factor_names)
    factors = [c for c in findings.concepts if c in accepted]
    if findings.male and "male" in accepted:
        factors.append("male")
    used = [c for c in findings.concepts if c in accepted or c == setting or _supports(c, setting)]
    ignored = sorted(set(findings.concepts) - set(used))
    basis = [ref for concept in used for ref in findings.concepts[concept]]
    return RiskInputs(
        setting=setting,
        factors=tuple(sorted(factors)),
        tbsa=findings.tbsa if spec.uses_tbsa else None,
        patient=findings.patient,
        basis=tuple(dict.fromkeys(basis)),
        ignored=tuple(ignored),
    )


def _supports(concept: str, setting: str) -> bool:
    """Concepts that define a setting without being a factor of it (fracture, operation, burn)."""
    if setting in ("hip-fracture-arthroplasty", "hip-fracture-fixation"):
        return concept == "hip-fracture" or concept in HIP_ARTHROPLASTY | {"hip-fixation"}
    if setting == "tha":
        return concept == "total-hip-replacement"
    return False


def _days(value: float) -> dict:
    return {"value": value, "unit": "days", "system": UCUM, "code": "d"}


def _prediction(outcome: str, probability, onset) -> dict:
    prediction = {"outcome": {"text": outcome}, "probabilityDecimal": round(probability.probability, 4)}
    if probability.low is not None:
        prediction["rationale"] = (f"95% interval {probability.low:.3f}-{probability.high:.3f} from sampling "
                                   "the reported uncertainty of every evidence row used")
    if onset is not None:
        prediction["whenRange"] = {"low": _days(onset[0]), "high": _days(onset[1])}
    return prediction


def risk_assessment(estimate: RiskEstimate, inputs: RiskInputs | None = None) -> dict:
    """The estimate as a FHIR R4 RiskAssessment, validated; returns plain JSON-ready data."""
    spec = estimate.setting_spec
    basis = [{"reference": ref} for ref in (inputs.basis if inputs else ())]
    basis += [{"identifier": {"system": EVIDENCE_SYSTEM, "value": row_id}, "display": evidence_row(row_id).source}
              for row_id in estimate.evidence]
    predictions = [_prediction(f"Any {spec.event}", estimate.any_ho, estimate.onset_days)]
    if estimate.severe_ho is not None:
        predictions.append(_prediction(f"Severe {spec.event} ({estimate.severe_definition})",
                                       estimate.severe_ho, estimate.onset_days))
    subject = {"reference": inputs.patient} if inputs and inputs.patient else {"display": "patient not identified"}
    factors = ", ".join(estimate.factors) or "none"
    document = {
        "resourceType": "RiskAssessment",
        "status": "final",
        "subject": subject,
        "method": {"text": f"hosim {__version__} evidence-based odds model (docs/clinical.md)"},
        "code": {"text": f"Risk of heterotopic ossification after {spec.label}"},
        "basis": basis,
        "prediction": predictions,
        "mitigation": " ".join(advice.text for advice in prevention_for(spec)),
        "note": [{"text": f"Setting {estimate.setting}; factors: {factors}; prophylaxis: "
                          f"{estimate.prophylaxis or 'none'}."}]
                + [{"text": note} for note in estimate.notes]
                + [{"text": "Research tool, not a diagnosis."}],
    }
    try:
        return RiskAssessment.model_validate(document).model_dump(mode="json", exclude_none=True)
    except ValidationError as exc:  # a bug in hosim, not in the user's input
        raise RuntimeError(f"hosim built an invalid RiskAssessment: {exc}") from exc
