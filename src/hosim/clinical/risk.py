"""Evidence-based risk of heterotopic ossification for one patient in one clinical setting.

Method (docs/clinical.md): the setting's baseline incidence becomes odds; each risk factor's
odds ratio multiplies the odds (which assumes the factors act independently); the odds go
back to a probability; prophylaxis then multiplies that probability as a relative risk.
Severe HO follows the same steps from its own baseline, with the same odds ratios (a
proportional-odds assumption) and is capped at the any-HO probability. The interval comes
from repeating the calculation with every evidence row drawn from its reported uncertainty
(hosim.clinical.sampling), with a fixed default seed so the same inputs give the same answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import special

from hosim.clinical.evidence import evidence_row
from hosim.clinical.sampling import draw, is_uncertain
from hosim.clinical.settings import (
    GENERAL_ONSET,
    PROPHYLAXIS,
    SETTINGS,
    TBSA_THRESHOLD_PCT,
    Setting,
    get_setting,
    settings_with_factor,
)
from hosim.errors import InputError

DEFAULT_SEED = 20240601
DEFAULT_SAMPLES = 20_000
INTERVAL_PERCENTILES = (2.5, 97.5)
NSAID_ROW = "nsaid_rrr"  # relative risk reduction; relative risk = 1 - value
RADIOTHERAPY_ROWS = {"any": "rt_vs_nsaid_any", "severe": "rt_vs_nsaid_severe"}  # versus NSAID
DELAY_ROW, DELAY_REFERENCE_ROW = "hip_fracture_delay", "hip_fracture_delay_reference"
TBSA_ROW = "burns_or_tbsa30"
MAX_DELAY_DAYS = 365.0


@dataclass(frozen=True)
class Probability:
    """A probability with its 95% interval (None where no input carried any spread)."""

    probability: float
    low: float | None
    high: float | None

    def to_json(self) -> dict:
        return {key: None if v is None else round(v, 4) for key, v in
                (("probability", self.probability), ("low", self.low), ("high", self.high))}


@dataclass(frozen=True)
class Effect:
    """One input that moved the estimate, for the table and the patient report."""

    name: str  # factor or prophylaxis name
    evidence_id: str
    kind: str  # "odds ratio", "relative risk", "odds ratio per day", "subgroup (severe-HO) incidence", "not quantified"
    value: float | None
    without: float | None = None  # the point probability of any HO had this not applied (the rest unchanged)


@dataclass(frozen=True)
class RiskEstimate:
    """The answer to "how likely is HO for this patient", with every evidence row it used."""

    setting: str
    factors: tuple[str, ...]
    prophylaxis: str | None
    tbsa: float | None
    delay_days: float | None
    any_ho: Probability
    severe_ho: Probability | None
    severe_definition: str | None
    onset_days: tuple[float, float] | None
    evidence: tuple[str, ...]
    effects: tuple[Effect, ...]
    notes: tuple[str, ...]
    seed: int
    samples: int
    typical_any_ho: float  # the setting's whole-cohort figure: no factors, no prophylaxis
    typical_severe_ho: float | None

    @property
    def setting_spec(self) -> Setting:
        return SETTINGS[self.setting]

    def to_json(self) -> dict:
        """The `hosim risk --json` document."""
        severe = self.severe_ho.to_json() if self.severe_ho else {"probability": None, "low": None, "high": None}
        onset = self.onset_days
        return {
            "setting": self.setting,
            "factors": list(self.factors),
            "prophylaxis": self.prophylaxis,
            "any_ho": self.any_ho.to_json(),
            "severe_ho": severe,
            "onset_days": {"low": onset[0] if onset else None, "high": onset[1] if onset else None},
            "evidence": list(self.evidence),
            "typical": {"any_ho": self.typical_any_ho, "severe_ho": self.typical_severe_ho},
        }


@dataclass(frozen=True)
class _Plan:
    """Which rows enter which step; evaluated once with point values and once with samples."""

    any_baseline: tuple[str, ...]
    severe_baseline: tuple[str, ...]
    odds_terms: tuple[tuple[str, float], ...]  # (row, exponent): log-odds += exponent * log(value)
    any_rr: tuple[tuple[str, bool], ...]  # (row, is_reduction): multiply by 1 - value or by value
    severe_rr: tuple[tuple[str, bool], ...]

    @property
    def rows(self) -> tuple[str, ...]:
        ordered = [*self.any_baseline, *self.severe_baseline, *(r for r, _ in self.odds_terms),
                   *(r for r, _ in self.any_rr), *(r for r, _ in self.severe_rr)]
        return tuple(dict.fromkeys(ordered))


def _evaluate(plan: _Plan, values: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray | None]:
    """Any-HO and severe-HO probabilities for one set of row values (arrays broadcast)."""
    shift = sum((exponent * np.log(values[row]) for row, exponent in plan.odds_terms), start=0.0)

    def through_odds(baseline: tuple[str, ...], relative: tuple[tuple[str, bool], ...]) -> np.ndarray:
        p = np.prod([values[row] for row in baseline], axis=0)
        p = special.expit(special.logit(p) + shift)
        for row, reduction in relative:
            p = p * ((1.0 - values[row]) if reduction else values[row])
        return np.clip(p, 0.0, 1.0)

    any_ho = through_odds(plan.any_baseline, plan.any_rr)
    if not plan.severe_baseline:
        return any_ho, None
    return any_ho, np.minimum(through_odds(plan.severe_baseline, plan.severe_rr), any_ho)


def _check_factors(setting: Setting, factors: tuple[str, ...]) -> None:
    accepted = ", ".join(setting.factor_names) or "none"
    for factor in factors:
        if factor in setting.factor_names:
            continue
        elsewhere = settings_with_factor(factor)
        if elsewhere:
            raise InputError(
                f"factor {factor!r} does not apply to setting {setting.name!r} (it belongs to "
                f"{', '.join(elsewhere)}); {setting.name} accepts: {accepted}"
            )
        raise InputError(f"unknown factor {factor!r}; setting {setting.name!r} accepts: {accepted}")
    patterns = [f for f in factors if f in setting.patterns]
    if len(patterns) > 1:
        raise InputError(f"factors {', '.join(patterns)} are alternative injury patterns; give at most one")
    for name in patterns:
        clash = setting.patterns[name].includes.intersection(factors)
        if clash:
            raise InputError(f"factor {name!r} already includes {', '.join(sorted(clash))}; drop one of them")


def _check_numbers(setting: Setting, tbsa: float | None, delay_days: float | None, prophylaxis: str | None) -> None:
    if prophylaxis is not None:
        if prophylaxis not in PROPHYLAXIS:
            raise InputError(f"unknown prophylaxis {prophylaxis!r}; allowed: {', '.join(PROPHYLAXIS)}")
        if not setting.prophylaxis:
            allowed = ", ".join(s.name for s in SETTINGS.values() if s.prophylaxis)
            raise InputError(
                f"no pooled prophylaxis evidence for setting {setting.name!r} (the trials are of hip "
                f"surgery: Neal 2000, Pakos 2004); --prophylaxis applies to: {allowed}"
            )
    if setting.uses_tbsa:
        if tbsa is None:
            raise InputError("setting 'burns' needs --tbsa PCT (burned % of total body surface, 0-100)")
        if not (math.isfinite(tbsa) and 0.0 < tbsa <= 100.0):
            raise InputError(f"--tbsa must be a percentage above 0 and at most 100, got {tbsa}")
    elif tbsa is not None:
        raise InputError(f"--tbsa applies only to setting 'burns', not {setting.name!r}")
    if setting.uses_delay:
        if delay_days is not None and not (math.isfinite(delay_days) and 0.0 <= delay_days <= MAX_DELAY_DAYS):
            raise InputError(f"--delay-days must lie in [0, {MAX_DELAY_DAYS:g}] days (a fracture operated on within a "
                             f"year; the delay studies span days to weeks), got {delay_days}")
    elif delay_days is not None:
        allowed = ", ".join(s.name for s in SETTINGS.values() if s.uses_delay)
        raise InputError(f"--delay-days applies only to: {allowed}; not to {setting.name!r}")


def _plan(setting: Setting, factors: tuple[str, ...], prophylaxis: str | None, tbsa: float | None,
          delay_days: float | None) -> tuple[_Plan, str | None, list[Effect]]:
    """The rows behind this estimate, the severe-HO definition, and the effects to report."""
    any_rows, severe_rows, severe_definition = setting.any_ho, setting.severe_ho, setting.severe_definition
    effects: list[Effect] = []
    for name in factors:
        pattern = setting.patterns.get(name)
        if pattern is None:
            continue
        if pattern.any_ho:  # a subgroup incidence: the setting's severe figure no longer applies
            any_rows = pattern.any_ho
        if pattern.any_ho or pattern.severe_ho:
            severe_rows, severe_definition = pattern.severe_ho, pattern.severe_definition
        row_id = (pattern.any_ho or pattern.severe_ho)[0]
        kind = "subgroup incidence" if pattern.any_ho else "subgroup severe-HO incidence"
        effects.append(Effect(name, row_id, kind, evidence_row(row_id).value))

    odds_terms = [(setting.odds_factors[f], 1.0) for f in factors if f in setting.odds_factors]
    effects += [Effect(f, setting.odds_factors[f], _ratio_kind(setting.odds_factors[f]),
                       evidence_row(setting.odds_factors[f]).value) for f in factors if f in setting.odds_factors]
    if tbsa is not None and tbsa > TBSA_THRESHOLD_PCT:
        odds_terms.append((TBSA_ROW, 1.0))
        effects.append(Effect(f"burn over {TBSA_THRESHOLD_PCT:g}% of body surface", TBSA_ROW, "odds ratio",
                              evidence_row(TBSA_ROW).value))
    if delay_days is not None:
        reference = evidence_row(DELAY_REFERENCE_ROW).require_value()
        odds_terms.append((DELAY_ROW, delay_days - reference))
        effects.append(Effect(f"{delay_days:g} days from fracture to surgery (typical: {reference:g})",
                              DELAY_ROW, "odds ratio per day", evidence_row(DELAY_ROW).value))
    effects += [Effect(f, setting.unquantified[f], "not quantified", None) for f in factors if f in setting.unquantified]

    any_rr: list[tuple[str, bool]] = []
    severe_rr: list[tuple[str, bool]] = []
    if prophylaxis is not None:  # radiotherapy is published against NSAIDs, so both steps apply
        any_rr.append((NSAID_ROW, True))
        severe_rr.append((NSAID_ROW, True))
        label = "nsaid" if prophylaxis == "nsaid" else "radiotherapy, step 1: the NSAID effect"
        effects.append(Effect(label, NSAID_ROW, "relative risk", 1.0 - evidence_row(NSAID_ROW).require_value()))
    if prophylaxis == "radiotherapy":
        any_rr.append((RADIOTHERAPY_ROWS["any"], False))
        severe_rr.append((RADIOTHERAPY_ROWS["severe"], False))
        effects.append(Effect("radiotherapy, step 2: compared with NSAID", RADIOTHERAPY_ROWS["any"],
                              "relative risk", evidence_row(RADIOTHERAPY_ROWS["any"]).value))
    plan = _Plan(tuple(any_rows), tuple(severe_rows), tuple(odds_terms), tuple(any_rr),
                 tuple(severe_rr) if severe_rows else ())
    return plan, (severe_definition if severe_rows else None), effects


def _ratio_kind(row_id: str) -> str:
    return "relative risk" if evidence_row(row_id).unit == "RR" else "odds ratio"


def _onset(setting: Setting) -> tuple[tuple[float, float] | None, list[str]]:
    """Expected onset window in days and the rows it came from (a missing low falls back)."""
    if setting.onset is None:
        return None, []
    row = evidence_row(setting.onset)
    rows = [row.id]
    low = row.low
    if low is None:
        low = evidence_row(GENERAL_ONSET).low
        rows.append(GENERAL_ONSET)
    return (low, row.high), rows


def _notes(setting: Setting, plan: _Plan, factors: tuple[str, ...], prophylaxis: str | None,
           severe_definition: str | None, interval: bool) -> list[str]:
    """Plain statements of every assumption and gap behind this particular estimate."""
    notes = []
    odds_rows = [row for row, _ in plan.odds_terms]
    if len(odds_rows) > 1:
        notes.append("Odds ratios are multiplied, which assumes the factors act independently; "
                     "the published ratios were mostly not estimated together.")
    for row_id in odds_rows:
        if evidence_row(row_id).unit == "RR":
            notes.append(f"{row_id} is a relative risk; hosim uses it as an odds ratio. For a harmful "
                         f"factor the odds ratio is larger than the relative risk, so this understates its effect.")
    if odds_rows:
        notes.append("Baseline incidences are for whole cohorts, patients with and without the factors, "
                     "so applying odds ratios on top is an approximation that overstates the risk most "
                     "when several factors apply.")
    for name in factors:
        if name in setting.unquantified:
            row = evidence_row(setting.unquantified[name])
            notes.append(f"{name} raises the risk ({row.id}: {row.source}) but no usable figure was "
                         f"found; the estimate leaves it out and may understate the risk.")
    if not setting.severe_ho:
        notes.append(f"No published severe-HO incidence for setting {setting.name}; severe HO is not estimated.")
    elif not plan.severe_baseline:
        pattern = next(name for name in factors if name in setting.patterns)
        notes.append(f"No published severe-HO figure for {pattern}; severe HO is not estimated.")
    if prophylaxis is not None and plan.severe_baseline:
        notes.append("The NSAID effect (Neal 2000) was reported for any HO; hosim applies the same "
                     "relative risk to severe HO.")
    fixed = [row for row in plan.rows if not is_uncertain(evidence_row(row))]
    if fixed and interval:
        notes.append(f"No uncertainty was reported for {', '.join(fixed)}; the interval treats "
                     f"{'it' if len(fixed) == 1 else 'them'} as exact and is too narrow.")
    if not interval:
        notes.append("No input carries a reported uncertainty, so no interval is given.")
    if setting.onset is None:
        notes.append("No published onset window was found for this setting.")
    if severe_definition:
        notes.append(f"Severe HO here means: {severe_definition}.")
    return notes


def estimate_risk(
    setting: str,
    factors: tuple[str, ...] | list[str] = (),
    prophylaxis: str | None = None,
    tbsa: float | None = None,
    delay_days: float | None = None,
    *,
    seed: int = DEFAULT_SEED,
    samples: int = DEFAULT_SAMPLES,
) -> RiskEstimate:
    """Probability of any and of severe HO, with 95% intervals, onset window and evidence ids.

    ``factors`` are lower-case hyphenated names (``hosim risk --list``); ``tbsa`` is the burned
    percentage of body surface (burns only); ``delay_days`` is days from hip fracture to surgery.
    """
    spec = get_setting(setting)
    chosen = tuple(dict.fromkeys(factors))
    _check_factors(spec, chosen)
    _check_numbers(spec, tbsa, delay_days, prophylaxis)
    if samples < 100:
        raise InputError(f"samples must be at least 100, got {samples}")

    plan, severe_definition, effects = _plan(spec, chosen, prophylaxis, tbsa, delay_days)
    point_any, point_severe = _point(plan)
    typical_any, typical_severe = _point(_plan(spec, (), None, None, None)[0])
    effects = [replace(e, without=_without(e, spec, chosen, prophylaxis, tbsa, delay_days)) for e in effects]
    interval = any(is_uncertain(evidence_row(row)) for row in plan.rows)
    rng = np.random.default_rng(seed)
    drawn = {row: draw(evidence_row(row), samples, rng) for row in plan.rows}
    sampled_any, sampled_severe = _evaluate(plan, drawn)

    def summarise(point: np.ndarray, sampled: np.ndarray) -> Probability:
        if not interval:
            return Probability(float(point), None, None)
        low, high = np.percentile(sampled, INTERVAL_PERCENTILES)
        return Probability(float(point), float(low), float(high))

    onset, onset_rows = _onset(spec)
    used = [*plan.rows, *(e.evidence_id for e in effects), *onset_rows]
    if delay_days is not None:
        used.append(DELAY_REFERENCE_ROW)
    return RiskEstimate(
        setting=spec.name,
        factors=tuple(sorted(chosen)),
        prophylaxis=prophylaxis,
        tbsa=tbsa,
        delay_days=delay_days,
        any_ho=summarise(point_any, sampled_any),
        severe_ho=None if point_severe is None else summarise(point_severe, sampled_severe),
        severe_definition=severe_definition,
        onset_days=onset,
        evidence=tuple(dict.fromkeys(used)),
        effects=tuple(effects),
        notes=tuple(_notes(spec, plan, chosen, prophylaxis, severe_definition, interval)),
        seed=seed,
        samples=samples,
        typical_any_ho=float(typical_any),
        typical_severe_ho=None if typical_severe is None else float(typical_severe),
    )


def _point(plan: _Plan) -> tuple[np.ndarray, np.ndarray | None]:
    """Any- and severe-HO probabilities from the rows' published values."""
    return _evaluate(plan, {row: np.float64(evidence_row(row).require_value()) for row in plan.rows})


def _without(effect: Effect, spec: Setting, factors: tuple[str, ...], prophylaxis: str | None,
             tbsa: float | None, delay_days: float | None) -> float | None:
    """The any-HO point probability with this one effect taken away (a factor absent, no prophylaxis, a
    burn under the threshold, surgery at the cohort's typical delay); None where it has no number."""
    if effect.kind == "not quantified":
        return None
    if effect.name in factors:
        factors = tuple(f for f in factors if f != effect.name)
    elif effect.evidence_id == TBSA_ROW:
        tbsa = None
    elif effect.evidence_id == DELAY_ROW:
        delay_days = evidence_row(DELAY_REFERENCE_ROW).require_value()
    else:  # a prophylaxis step
        prophylaxis = None
    return float(_point(_plan(spec, factors, prophylaxis, tbsa, delay_days)[0])[0])
