"""The risk estimate for the web app, computed by the same calls as `hosim risk`, so the API returns what
`hosim risk --json` prints and the page, the report and the FHIR document agree with it."""

from __future__ import annotations

from dataclasses import dataclass

from hosim.checks import check_seed
from hosim.errors import InputError
from hosim.web.limits import costly


@dataclass(frozen=True)
class RiskQuery:
    """One patient's risk question, as `hosim risk`'s options."""

    setting: str
    factors: tuple[str, ...] = ()
    prophylaxis: str | None = None
    tbsa: float | None = None
    delay_days: float | None = None
    seed: int | None = None
    mechanistic: bool = False


def estimate(query: RiskQuery):
    """The evidence estimate and, when asked, the patient's own virtual cohort (None otherwise)."""
    from hosim.clinical.risk import DEFAULT_SEED, estimate_risk

    seed = DEFAULT_SEED if query.seed is None else check_seed(query.seed)
    result = estimate_risk(query.setting, list(query.factors), query.prophylaxis, query.tbsa, query.delay_days,
                           seed=seed)
    cohort = None
    if query.mechanistic:
        from hosim.cohort.mechanistic_risk import mechanistic_estimate

        with costly("virtual cohort"):
            cohort = mechanistic_estimate(query.setting, result.factors, query.prophylaxis, query.tbsa,
                                          query.delay_days, seed=seed)
    return result, cohort


def risk_document(query: RiskQuery) -> dict:
    """What `hosim risk --json` prints."""
    result, cohort = estimate(query)
    return {**result.to_json(), **({"mechanistic": cohort} if cohort else {})}


def report_page(query: RiskQuery) -> str:
    """The plain-language patient report `hosim risk --report` writes."""
    from hosim.clinical.report import render_report
    from hosim.io.patient_report import mechanistic_section

    result, cohort = estimate(query)
    return render_report(result, mechanistic_section(cohort) if cohort else "")


def fhir_document(query: RiskQuery) -> dict:
    """The FHIR R4 RiskAssessment `hosim risk --fhir-out` writes."""
    from hosim.clinical.fhir import risk_assessment

    return risk_assessment(estimate(query)[0])


def bundle_query(data: bytes, name: str, setting: str | None = None, prophylaxis: str | None = None,
                 mechanistic: bool = False) -> tuple[RiskQuery, str]:
    """The risk question a FHIR R4 Bundle (an upload's bytes) answers, as `hosim risk --fhir-in` reads it,
    and the line that says what was read."""
    from hosim.clinical.fhir import check_bundle_size, parse_bundle, risk_inputs

    check_bundle_size(len(data), name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name} is not valid JSON: {exc}") from None
    inputs = risk_inputs(parse_bundle(text, name), setting or None)
    note = (f"From {name}: setting {inputs.setting}; factors {', '.join(inputs.factors) or 'none'}"
            + (f"; mapped but not used by this setting: {', '.join(inputs.ignored)}" if inputs.ignored else ""))
    return RiskQuery(inputs.setting, tuple(inputs.factors), prophylaxis, inputs.tbsa, None, None, mechanistic), note
