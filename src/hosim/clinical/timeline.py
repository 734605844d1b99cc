"""What HO feels like as it develops, when it tends to start, and when to call a doctor.

The stage descriptions follow MODEL.md (the project's seed review) and the clinical reviews
cited with each stage; the onset window comes from the risk estimate's evidence rows.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    """One stage of developing HO, in words a patient can check against."""

    name: str
    feels_like: str
    when: str
    source: str


STAGES = (
    Stage(
        name="Early (inflammation)",
        feels_like="The area near the joint or wound becomes warm, swollen and tender, sometimes red. "
                   "There may be a fever, often higher at night. The joint may already move less.",
        when="The first sign, inside the onset window.",
        source="MODEL.md (seed review); ERABI evidence review (Pape 2004; Varghese 1992; "
               "Watanabe & Sant 2001: lost range of motion is often the earliest sign)",
    ),
    Stage(
        name="Firm lump",
        feels_like="A firm lump can be felt in the muscle. It does not move when pushed.",
        when="Days to weeks after the first signs.",
        source="MODEL.md (seed review); ERABI evidence review (Varghese 1992: a periarticular mass)",
    ),
    Stage(
        name="Hardening",
        feels_like="The lump turns into bone. The swelling settles but the joint gets stiffer and "
                   "loses range of motion.",
        when="Over the following months; most HO is visible on an X-ray by about 3 months, and it "
             "can keep growing for longer (after hip replacement, grades still rose up to 3 years).",
        source="MODEL.md (human timing); Willburger 2022 J Orthop Surg Res 17:147",
    ),
    Stage(
        name="Ankylosis",
        feels_like="In a few people the new bone bridges the joint, which then cannot move at all.",
        when="Months after onset, if it happens.",
        source="MODEL.md (seed review); Brooker 1973 (grade IV: apparent ankylosis)",
    ),
)

CALL_A_DOCTOR = (
    "Call your care team the same day if an area near a joint or your wound becomes warm, swollen "
    "and painful, with or without fever: the same signs can mean an infection or a blood clot in a "
    "vein (deep vein thrombosis), which need checking quickly.",
    "Tell your care team at your next contact if you feel a new firm lump in a muscle, or a joint "
    "is getting harder to move.",
)
CALL_A_DOCTOR_SOURCE = ("ERABI evidence review: early HO is hard to tell from infection (Citta-Pietrolungo 1992; "
                        "Garland 1991) and can be mistaken for deep vein thrombosis (Buschbacher)")


def onset_sentence(onset_days: tuple[float, float] | None) -> str:
    """The onset window in words a patient would use."""
    if onset_days is None:
        return "No published window tells when it usually starts in this situation."
    low, high = onset_days
    start = "It can start within a few days" if low < 14 else f"It usually starts after about {round(low / 7):g} weeks"
    return f"{start}, and usually shows by about {round(high / 7):g} weeks after the injury or operation."
