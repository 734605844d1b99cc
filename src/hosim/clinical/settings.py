"""The clinical settings hosim can estimate, each defined once in its own file, data/settings/NAME.toml:
the evidence rows it rests on and the virtual patients that run it (docs/architecture.md "How to add a
setting"). Standard library only: the clinical layer and the cohorts read the same type.

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

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

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
class Draw:
    """A scenario option a setting's virtual patients draw: its values with their shares."""

    values: tuple
    weights: tuple[float, ...]
    source: str


@dataclass(frozen=True)
class Setting:
    """One clinical setting (data/settings/NAME.toml): the evidence rows behind each part of its estimate,
    and its virtual patients: the scenario they run, the options every one has, the options drawn per
    patient and the patient factors drawn with their prevalence (name -> (prevalence, source))."""

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
    scenario: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    draws: Mapping[str, Draw] = field(default_factory=dict)
    factors: Mapping[str, tuple[float, str]] = field(default_factory=dict)
    match: tuple[str, ...] | None = None  # the options a run must share to belong here (None: every one)
    option_factors: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # option -> value -> factor

    def holds(self, scenario: str, options: Mapping[str, Any]) -> bool:
        """Whether a patient run of `scenario` with `options` belongs to this setting."""
        keys = self.options if self.match is None else self.match
        return scenario == self.scenario and all(options.get(k) == self.options[k] for k in keys)

    def question(self, options: Mapping[str, Any], factors: Sequence[str]) -> dict[str, Any]:
        """estimate_risk's arguments for a run in this setting: its factors this setting reads, those its
        options stand for, and the burned surface or the delay where the setting uses them."""
        named = [table[options[option]] for option, table in self.option_factors.items()
                 if options.get(option) in table]
        named += [f for f in factors if f in self.factor_names]
        return {"setting": self.name, "factors": list(dict.fromkeys(named)),
                **({"tbsa": options["tbsa"]} if self.uses_tbsa else {}),
                **({"delay_days": options["delay_days"]} if self.uses_delay else {})}

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

def settings_folder():
    """Where the settings live: one file per setting, data/settings/NAME.toml."""
    return resources.files("hosim.data").joinpath("settings")


def parse_setting(name: str, text: str) -> Setting:
    """One setting file; ValueError naming the file and what is wrong."""
    where = f"data/settings/{name}.toml"
    try:
        entry = tomllib.loads(text)
        patients = entry.get("patients", {})
        draws = {}
        for option, d in patients.get("draw", {}).items():
            weights = tuple(float(w) for w in d["weights"])
            if len(weights) != len(d["values"]) or abs(sum(weights) - 1.0) > 1e-9 or min(weights) < 0:
                raise ValueError(f"draw.{option}: one share per value, adding up to 1")
            draws[option] = Draw(tuple(d["values"]), weights, d["source"])
        factors = {}
        for factor, f in patients.get("factors", {}).items():
            if not 0 <= float(f["prevalence"]) <= 1:
                raise ValueError(f"factor {factor}: prevalence must lie in [0, 1]")
            factors[factor] = (float(f["prevalence"]), f["source"])
        patterns = {k: Pattern(tuple(p.get("any_ho", ())), tuple(p.get("severe_ho", ())), p.get("severe_definition"),
                               frozenset(p.get("includes", ()))) for k, p in entry.get("patterns", {}).items()}
        return Setting(name, entry["label"], entry["event"], tuple(entry["any_ho"]), tuple(entry.get("severe_ho", ())),
                       entry.get("severe_definition"), entry.get("onset", GENERAL_ONSET) or None,
                       dict(entry.get("odds_factors", {})), patterns, dict(entry.get("unquantified", {})),
                       bool(entry.get("prophylaxis", False)), bool(entry.get("uses_tbsa", False)),
                       bool(entry.get("uses_delay", False)), patients["scenario"], dict(patients.get("options", {})),
                       draws, factors, None if "match" not in patients else tuple(patients["match"]),
                       {k: dict(v) for k, v in patients.get("option_factors", {}).items()})
    except (KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{where}: {exc}") from None


def load_settings(folder=None) -> dict[str, Setting]:
    """Every setting file, in the order their `order` keys give (the order `hosim risk --list` shows)."""
    folder = settings_folder() if folder is None else folder
    ranked = []
    for item in folder.iterdir():
        if item.name.endswith(".toml"):
            text = item.read_text(encoding="utf-8")
            ranked.append((tomllib.loads(text).get("order", 0), item.name.removesuffix(".toml"), text))
    return {name: parse_setting(name, text) for _, name, text in sorted(ranked)}


SETTINGS: dict[str, Setting] = load_settings()


def get_setting(name: str) -> Setting:
    """The setting called ``name``; an unknown name is an InputError listing the allowed ones."""
    try:
        return SETTINGS[name]
    except KeyError:
        raise InputError(f"unknown setting {name!r}; allowed: {', '.join(SETTINGS)}") from None


def setting_of_run(scenario: str, options: Mapping[str, Any], factors: Sequence[str]) -> dict[str, Any] | None:
    """estimate_risk's arguments for a patient run (the first setting, in order, that holds it), or None
    where no setting does: the report of a run puts this estimate beside the simulation."""
    for setting in SETTINGS.values():
        if setting.holds(scenario, options):
            return setting.question(options, factors)
    return None


def settings_with_factor(factor: str) -> list[str]:
    """Names of the settings that accept ``factor`` (for error messages)."""
    return [s.name for s in SETTINGS.values() if factor in s.factor_names]
