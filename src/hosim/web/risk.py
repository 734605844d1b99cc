"""The risk answer for the web app: the service layer's (hosim.service), as `hosim risk` gives it, with the
server's guard on the costly virtual cohort; and a FHIR Bundle upload read as `hosim risk --fhir-in` reads
a file."""

from __future__ import annotations

from contextlib import nullcontext

from hosim.errors import InputError
from hosim.service import RiskAnswer, RiskQuestion, answer_risk, question_from_bundle
from hosim.web.limits import costly


def answer(question: RiskQuestion, inputs=None, notes=()) -> RiskAnswer:
    """The service's answer; the virtual cohort, when asked, counts against the server's costly work."""
    with costly("virtual cohort") if question.mechanistic else nullcontext():
        return answer_risk(question, inputs, notes)


def bundle_question(data: bytes, name: str, setting: str | None = None, mechanistic: bool = False
                    ) -> tuple[RiskQuestion, object, str]:
    """The question an uploaded FHIR R4 Bundle (its bytes) answers, its inputs and the line that says what
    was read."""
    from hosim.clinical.fhir import check_bundle_size, parse_bundle

    check_bundle_size(len(data), name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name} is not valid JSON: {exc}") from None
    return question_from_bundle(parse_bundle(text, name), name, RiskQuestion(setting, mechanistic=mechanistic))
