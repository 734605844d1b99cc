"""What prevention exists in each setting, in plain words, with the figures from the evidence table."""

from __future__ import annotations

from dataclasses import dataclass

from hosim.clinical.evidence import evidence_row
from hosim.clinical.settings import Setting


@dataclass(frozen=True)
class Advice:
    """One statement about prevention and the sources behind it."""

    text: str
    sources: str


def _hip_surgery_advice() -> tuple[Advice, ...]:
    nsaid, bleeding = evidence_row("nsaid_rrr"), evidence_row("nsaid_bleeding")
    radiotherapy = evidence_row("rt_vs_nsaid_severe")
    return (
        Advice(
            text=(f"A short course of anti-inflammatory medicine (an NSAID such as indomethacin, ibuprofen "
                  f"or celecoxib) started around the operation lowered the chance of HO by about "
                  f"{nsaid.require_value():.0%} in trials of major hip surgery; low-dose aspirin did not work. "
                  f"NSAIDs can cause bleeding: in one large trial, major bleeding was about "
                  f"{bleeding.require_value():.1f} times as common on ibuprofen."),
            sources=f"{nsaid.source}; {bleeding.source}",
        ),
        Advice(
            text=(f"A single dose of radiotherapy to the hip, usually given within 72 hours after the "
                  f"operation, works at least as well: severe HO was about {radiotherapy.require_value():.2f} "
                  f"times as common as with NSAIDs, though the absolute difference was only about 1 in 100."),
            sources=radiotherapy.source,
        ),
    )


_OTHER_ADVICE = {
    "elbow-fracture": (
        Advice("There is little evidence on preventing HO around the elbow with medicines or radiotherapy. "
               "Earlier definitive surgery and earlier movement of the elbow went with less HO.",
               "Zeckey 2011 Semin Immunopathol 33:273; " + evidence_row("elbow_timing").source),
    ),
    "sci": (
        Advice("After spinal cord injury, NSAIDs started early showed the greatest preventive effect in a "
               "systematic review; ask your team whether they suit you.",
               "Systematic review of HO treatment after brain and spinal cord injury (PMC3206088)"),
    ),
    "tbi": (
        Advice("No prevention has been proven after brain injury; once HO has formed and matured, surgery to "
               "remove it was the most effective treatment.",
               "Systematic review of HO treatment after brain and spinal cord injury (PMC3206088)"),
    ),
    "burns": (
        Advice("No fully effective way to prevent HO after burns is known yet.",
               "Schneider 2017 Ann Surg 266:179"),
    ),
    "amputation": (
        Advice("Preventive medicines or radiotherapy are usually not practical after severe war wounds. "
               "Symptoms are first eased by adjusting the prosthesis; bone is removed by surgery only "
               "if that fails.",
               "Forsberg & Potter 2010 J Surg Orthop Adv 19:54; Melcer 2011 J Rehabil Res Dev 48:1"),
    ),
    "fop": (
        Advice("In FOP, avoid injections into muscle, biopsies, removal of the extra bone and overstretching "
               "the jaw, and take care to prevent falls: each can start a flare-up.",
               "GeneReviews: Fibrodysplasia Ossificans Progressiva (NBK558090), Table 8"),
    ),
}


def prevention_for(setting: Setting) -> tuple[Advice, ...]:
    """The prevention statements that apply to this setting."""
    if setting.prophylaxis:
        return _hip_surgery_advice()
    return _OTHER_ADVICE[setting.name]
