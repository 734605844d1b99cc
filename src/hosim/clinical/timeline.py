"""What HO feels like as it develops, when it tends to start, and when to call a doctor.

The stage descriptions follow the published reviews cited with each stage (the patient report links
them); the onset window comes from the risk estimate's evidence rows.
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
        source="Sullivan 2013 Bone Joint Res 2:51 (doi:10.1302/2046-3758.23.2000152); the brain injury evidence "
               "review ABIEBR (http://abiebr.com/set/11-heterotopic-ossification-venous-thromboembolism): Pape 2004; "
               "Varghese 1992; Watanabe & Sant 2001 (lost range of motion is often the earliest sign)",
    ),
    Stage(
        name="Firm lump",
        feels_like="A firm lump can be felt in the muscle. It does not move when pushed.",
        when="Days to weeks after the first signs.",
        source="Varghese 1992, in the ABIEBR review (http://abiebr.com/set/11-heterotopic-ossification-venous-"
               "thromboembolism): a periarticular mass",
    ),
    Stage(
        name="Hardening",
        feels_like="The lump turns into bone. The swelling settles but the joint gets stiffer and "
                   "loses range of motion.",
        when="Over the following months; most HO is visible on an X-ray by about 3 months, and it "
             "can keep growing for longer (after hip replacement, grades still rose up to 3 years).",
        source="Willburger 2022 J Orthop Surg Res 17:147 (after hip replacement, grades rose for up to 3 years)",
    ),
    Stage(
        name="Ankylosis",
        feels_like="In a few people the new bone bridges the joint, which then cannot move at all.",
        when="Months after onset, if it happens.",
        source="Brooker 1973 J Bone Joint Surg Am 55:1629 (grade IV: apparent ankylosis)",
    ),
)

CALL_A_DOCTOR = (
    "Call your care team the same day if an area near a joint or your wound becomes warm, swollen "
    "and painful, with or without fever: the same signs can mean an infection or a blood clot in a "
    "vein (deep vein thrombosis), which need checking quickly.",
    "Tell your care team at your next contact if you feel a new firm lump in a muscle, or a joint "
    "is getting harder to move.",
)
CALL_A_DOCTOR_SOURCE = ("the brain injury evidence review ABIEBR (http://abiebr.com/set/11-heterotopic-ossification-"
                        "venous-thromboembolism): early HO is hard to tell from infection (Citta-Pietrolungo 1992; "
                        "Garland 1991) and can be mistaken for deep vein thrombosis")


def onset_sentence(onset_days: tuple[float, float] | None) -> str:
    """The onset window in words a patient would use."""
    if onset_days is None:
        return "No published window tells when it usually starts in this situation."
    low, high = onset_days
    start = "It can start within a few days" if low < 14 else f"It usually starts after about {round(low / 7):g} weeks"
    return f"{start}, and usually shows by about {round(high / 7):g} weeks after the injury or operation."
