"""The clinical settings hosim can estimate, each tied to the evidence rows it rests on.

A setting names its baseline incidence (a product of rows where the event is a chain, as in
FOP), its severe-HO incidence where one was published, its onset window, and the factors it
accepts. Factors come in three kinds:

- odds factors: a published odds ratio (or relative risk) that multiplies the baseline odds;
- patterns: a subgroup with its own published incidence, which replaces the baseline
  (at most one per estimate);
- unquantified factors: named in the literature as raising the risk, with no usable figure;
  hosim records them and says the estimate leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hosim.errors import InputError

PROPHYLAXIS = ("nsaid", "radiotherapy")
GENERAL_ONSET = "onset_window"
# Levi 2015 (row burns_or_tbsa30) compares burns over 30% of the body surface with smaller ones.
TBSA_THRESHOLD_PCT = 30.0


@dataclass(frozen=True)
class Pattern:
    """A subgroup with its own incidence: replaces the setting's any-HO and/or severe-HO rows."""

    any_ho: tuple[str, ...] = ()
    severe_ho: tuple[str, ...] = ()
    severe_definition: str | None = None
    includes: frozenset[str] = frozenset()  # odds factors the pattern already contains


@dataclass(frozen=True)
class Setting:
    """One clinical setting and the evidence rows behind each part of its estimate."""

    name: str
    label: str
    event: str
    any_ho: tuple[str, ...]
    severe_ho: tuple[str, ...] = ()
    severe_definition: str | None = None
    onset: str | None = GENERAL_ONSET
    odds_factors: dict[str, str] = field(default_factory=dict)
    patterns: dict[str, Pattern] = field(default_factory=dict)
    unquantified: dict[str, str] = field(default_factory=dict)
    prophylaxis: bool = False
    uses_tbsa: bool = False
    uses_delay: bool = False

    @property
    def factor_names(self) -> tuple[str, ...]:
        """Every factor name this setting accepts, in a stable order."""
        return (*self.odds_factors, *self.patterns, *self.unquantified)


# Plain-language names, used by the terminal table and the patient report.
FACTOR_LABELS = {
    "male": "being male",
    "bilateral": "both hips replaced",
    "ankylosing-spondylitis": "ankylosing spondylitis",
    "ankylosed-hip": "a hip that had already fused stiff",
    "cemented": "a cemented implant",
    "rheumatoid-arthritis": "rheumatoid arthritis",
    "prior-ho": "extra bone after an earlier operation (prior HO)",
    "dish-paget": "DISH, Paget disease or hypertrophic osteoarthritis",
    "tbi": "a brain injury as well",
    "dislocation": "the elbow was also dislocated",
    "terrible-triad": "a terrible triad injury of the elbow",
    "distal-humerus": "a break of the lower end of the upper-arm bone (distal humerus)",
    "floating-elbow": "a floating elbow (breaks above and below the elbow)",
    "delayed-surgery": "a longer wait before the definitive operation",
    "complete-injury": "a complete spinal cord injury",
    "spasticity": "spasticity (stiff, tight muscles)",
    "pressure-ulcer": "a pressure ulcer",
    "uti": "a urinary tract infection",
    "pneumonia": "pneumonia",
    "dvt": "a deep vein thrombosis",
    "autonomic-dysregulation": "autonomic dysregulation (storming)",
    "fracture": "a broken arm or leg that needed surgery",
    "arm-graft": "an arm burn that needed a skin graft",
    "transfemoral": "an amputation above the knee",
    "blast": "a blast injury",
    "zone-of-injury": "an amputation level within the injured zone",
    "nsaid": "anti-inflammatory medicine (NSAID) around the operation",
}

_SETTINGS = (
    Setting(
        name="tha",
        label="total hip arthroplasty (hip replacement)",
        event="heterotopic ossification after the operation",
        any_ho=("tha_any",),
        severe_ho=("tha_severe",),
        severe_definition="Brooker III-IV",
        odds_factors={
            "male": "tha_or_male",
            "bilateral": "tha_or_bilateral",
            "ankylosing-spondylitis": "tha_or_ankylosing_spondylitis",
            "ankylosed-hip": "tha_or_ankylosed_hip",
            "cemented": "tha_or_cemented",
            "rheumatoid-arthritis": "tha_or_rheumatoid",
        },
        patterns={"prior-ho": Pattern(any_ho=("tha_prior_ho_incidence",))},
        unquantified={"dish-paget": "tha_dish_paget"},
        prophylaxis=True,
    ),
    Setting(
        name="hip-fracture-arthroplasty",
        label="hip fracture treated with a hip replacement (arthroplasty)",
        event="heterotopic ossification after the operation",
        any_ho=("hip_fracture_arthroplasty",),
        severe_ho=("hip_fracture_arthroplasty_severe",),
        severe_definition="Brooker III or higher",
        prophylaxis=True,
        uses_delay=True,
    ),
    Setting(
        name="hip-fracture-fixation",
        label="femoral neck fracture treated with internal fixation (screws or plate)",
        event="heterotopic ossification after the operation",
        any_ho=("hip_fracture_fixation",),
        prophylaxis=True,
    ),
    Setting(
        name="acetabular-fracture",
        label="fracture of the hip socket (acetabulum) fixed by surgery",
        event="heterotopic ossification after the operation",
        any_ho=("acetabular_orif",),
        severe_ho=("acetabular_severe",),
        severe_definition="Brooker III-IV",
        odds_factors={"tbi": "acetabular_or_tbi"},
        prophylaxis=True,
    ),
    Setting(
        name="elbow-fracture",
        label="elbow fracture treated by surgery",
        event="heterotopic ossification around the elbow",
        any_ho=("elbow_all_surgery",),
        severe_ho=("elbow_motion_restricting",),
        severe_definition="HO restricting motion (Hastings-Graham II-III)",
        odds_factors={"dislocation": "elbow_or_dislocation"},
        patterns={
            "terrible-triad": Pattern(any_ho=("elbow_terrible_triad",), includes=frozenset({"dislocation"})),
            "distal-humerus": Pattern(severe_ho=("elbow_distal_humerus",), severe_definition="Brooker III-IV"),
        },
        unquantified={"floating-elbow": "elbow_floating", "delayed-surgery": "elbow_timing"},
    ),
    Setting(
        name="sci",
        label="spinal cord injury",
        event="heterotopic ossification below the level of the injury (mostly at the hip)",
        any_ho=("sci",),
        onset="onset_sci",
        odds_factors={
            "complete-injury": "sci_or_complete",
            "spasticity": "sci_or_spasticity",
            "pressure-ulcer": "sci_or_pressure_ulcer",
            "uti": "sci_or_uti",
            "pneumonia": "sci_or_pneumonia",
            "male": "sci_or_male",
            "dvt": "sci_or_dvt",
        },
    ),
    Setting(
        name="tbi",
        label="traumatic brain injury",
        event="heterotopic ossification (hips, elbows, shoulders, knees)",
        any_ho=("tbi",),
        onset="onset_tbi",
        odds_factors={
            "autonomic-dysregulation": "tbi_rr_autonomic",
            "fracture": "tbi_rr_fracture",
            "spasticity": "tbi_spasticity",
        },
    ),
    Setting(
        name="burns",
        label="burn injury",
        event="heterotopic ossification (mostly at the elbows)",
        any_ho=("burns",),
        onset="onset_burns",
        odds_factors={"arm-graft": "burns_or_arm_graft"},
        uses_tbsa=True,
    ),
    Setting(
        name="amputation",
        label="traumatic or combat amputation",
        event="heterotopic ossification in the residual limb",
        any_ho=("amputation_combat",),
        severe_ho=("amputation_excision",),
        severe_definition="HO that needed surgical excision",
        patterns={"transfemoral": Pattern(any_ho=("amputation_transfemoral",))},
        unquantified={"blast": "amputation_blast", "zone-of-injury": "amputation_zone_of_injury"},
    ),
    Setting(
        name="fop",
        label="fibrodysplasia ossificans progressiva (FOP), after an intramuscular injection",
        event="new bone at the injection site (a flare-up that ossifies)",
        any_ho=("fop_im_flare", "fop_flare_to_ho"),
        onset=None,
    ),
)

SETTINGS: dict[str, Setting] = {setting.name: setting for setting in _SETTINGS}


def get_setting(name: str) -> Setting:
    """The setting called ``name``; an unknown name is an InputError listing the allowed ones."""
    try:
        return SETTINGS[name]
    except KeyError:
        raise InputError(f"unknown setting {name!r}; allowed: {', '.join(SETTINGS)}") from None


def settings_with_factor(factor: str) -> list[str]:
    """Names of the settings that accept ``factor`` (for error messages)."""
    return [s.name for s in SETTINGS.values() if factor in s.factor_names]
