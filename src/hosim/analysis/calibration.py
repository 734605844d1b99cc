"""The mouse AdBMP2 calibration targets (data/targets/mouse_bmp2.toml) as checks on runs.

Each check reads a finished run (its sampled observables and metrics) and says whether one event of the
targets file holds, with a signed margin: >= 0 inside the window (or rule), < 0 outside, in units of
the window's half-width (or of the rule's own scale), so the fitting script can minimise violations and
the tests can assert them. Nothing here feeds back into the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from hosim.analysis.measures import MEASURES, measure, value_at
from hosim.analysis.targets import load_targets
from hosim.scenarios.observables import observable

SUBSTANCE_P = observable("substance_p_total")
BARRIER = observable("bnb_permeability_nerve_mean")
CIRCULATING = observable("circulating_progenitors_total")
TBAT = observable("tbat_mm3")
CARTILAGE = observable("cartilage_mm3")
HETERO = observable("heterotopic_bone_mm3")

# Causal order of the cascade's events (MODEL.md steps 2 -> 11): earlier day first. Holds in 0-D and 3-D
# as well as in 2-D, where the windows apply.
EVENT_ORDER = (
    (measure("substance_p_peak_day"), measure("mast_degranulation_peak_day")),
    (measure("substance_p_peak_day"), measure("bnb_permeability_peak_day")),
    (measure("substance_p_peak_day"), measure("endoneurial_activation_peak_day")),
    (measure("endoneurial_activation_peak_day"), measure("circulating_progenitors_peak_day")),
    (measure("substance_p_peak_day"), measure("tbat_peak_day")),
    (measure("vessel_growth_onset_day"), measure("cartilage_onset_day")),
    (measure("circulating_progenitors_peak_day"), measure("cartilage_onset_day")),
    (measure("hypoxic_fraction_peak_day"), measure("cartilage_peak_day")),
    (measure("cartilage_onset_day"), measure("bone_onset_day")),
)


CALIBRATED_SCENARIO = "mouse-bmp2"  # the scenario the AdBMP2 targets (targets/mouse_bmp2.toml) describe


def target_windows(scenario: str) -> list[tuple[str, str, float, float]]:
    """(observable, metric, low, high) of every calibration window that applies to runs of `scenario`:
    the observable is the one the window's metric reads (for figures to draw the window on)."""
    if scenario != CALIBRATED_SCENARIO:
        return []
    windows = []
    for entry in load_targets("mouse_bmp2").values():
        if isinstance(entry, dict) and "window" in entry and entry.get("metric") in MEASURES:
            low, high = entry["window"]
            windows.append((MEASURES[entry["metric"]].observables[0], entry["metric"], float(low), float(high)))
    return windows


@dataclass(frozen=True)
class Run:
    """What the checks read from one run: sample times (days), observables, metrics."""

    times: np.ndarray
    series: Mapping[str, np.ndarray]
    metrics: Mapping[str, float | None]


@dataclass(frozen=True)
class Check:
    """One target: `margin` >= 0 when it holds (0 on the edge), negative by how far it misses."""

    event: str
    rule: str
    value: float | None
    margin: float

    @property
    def ok(self) -> bool:
        return self.margin >= 0.0


def _window_margin(value: float | None, low: float, high: float) -> float:
    """Distance inside [low, high] in half-widths (1 at the centre, 0 on an edge); -10 if no value."""
    if value is None:
        return -10.0
    half = 0.5 * (high - low)
    return 1.0 - abs(value - 0.5 * (low + high)) / half


def window_checks(metrics: Mapping[str, float | None], targets: dict) -> list[Check]:
    """Every [event] with a metric and a window (the [knockouts] are issue 4's)."""
    out = []
    for event, entry in targets.items():
        if event == "knockouts" or "window" not in entry:
            continue
        low, high = entry["window"]
        value = metrics.get(entry["metric"])
        out.append(Check(event, f"{entry['metric']} in [{low}, {high}]", value, _window_margin(value, low, high)))
    return out


def ratio_margin(value: float | None, limit: float, above: bool) -> float:
    """Relative margin of value against limit: value/limit - 1 when it must be above, 1 - value/limit
    when it must be below (>= 0 when the rule holds); -10 if there is no value."""
    if value is None or not np.isfinite(value) or limit <= 0:
        return -10.0
    return float(value / limit - 1.0 if above else 1.0 - value / limit)


def rule_checks(run: Run, control: Run) -> list[Check]:
    """The "also" rules of the targets file, each read from the run (and the control for substance P)."""
    t, s, m = run.times, run.series, run.metrics
    checks = []

    sp, sp0 = s[SUBSTANCE_P], np.interp(t, control.times, control.series[SUBSTANCE_P])
    through = (t > 0) & (t <= 6.0 + 1e-9)
    worst = float(np.min(sp[through] / sp0[through]))
    checks.append(Check("substance_p", "substance P above 2x control through day 6", worst, ratio_margin(worst, 2.0, True)))

    bnb = s[BARRIER]
    day7 = value_at(t, bnb, 7.0)
    checks.append(Check("blood_nerve_barrier", "below half its peak by day 7", day7,
                        ratio_margin(day7, 0.5 * bnb.max(), False)))

    circ = s[CIRCULATING]
    fold = m[measure("circulating_progenitors_peak_fold")]
    checks.append(Check("circulating_progenitors", "peak fold >= 4", fold, ratio_margin(fold, 4.0, True)))
    day5 = value_at(t, circ, 5.0)
    checks.append(Check("circulating_progenitors", "below 25% of peak by day 5", day5,
                        ratio_margin(day5, 0.25 * circ.max(), False)))

    tbat = s[TBAT]
    day1, day14 = value_at(t, tbat, 1.0), value_at(t, tbat, 14.0)
    checks.append(Check("brown_fat", "tBAT above 10% of its peak by day 1", day1, ratio_margin(day1, 0.1 * tbat.max(), True)))
    checks.append(Check("brown_fat", "tBAT below 30% of its peak by day 14", day14,
                        ratio_margin(day14, 0.3 * tbat.max(), False)))

    checks.append(hypoxia_check(m))

    vessel, cart_on = m[measure("vessel_growth_onset_day")], m[measure("cartilage_onset_day")]
    lead = None if vessel is None or cart_on is None else cart_on - vessel
    checks.append(Check("vessels", "vessel growth at least 2 days before cartilage onset", lead,
                        -10.0 if lead is None else (lead - 2.0) / 2.0))

    peak_day = m[measure("cartilage_peak_day")]
    checks.append(Check("cartilage", "cartilage_peak_day in [5, 9]", peak_day, _window_margin(peak_day, 5.0, 9.0)))
    cart = s[CARTILAGE]
    checks.append(Check("cartilage", "replaced by bone afterwards (end below half its peak)", float(cart[-1]),
                        ratio_margin(float(cart[-1]), 0.5 * cart.max(), False)))

    bone = s[HETERO]
    b14 = value_at(t, bone, 14.0)
    share = None if b14 is None or bone[-1] <= 0 else b14 / bone[-1]
    checks.append(Check("bone", "bone at day 14 >= 70% of day 21", share, ratio_margin(share, 0.7, True)))
    return checks


def hypoxia_check(metrics: Mapping[str, float | None]) -> Check:
    """[hypoxia] also: the lesion's oxygen falls below 10 mmHg at some point of the run."""
    low_o2 = metrics[measure("min_oxygen_mmhg")]
    return Check("hypoxia", "lesion oxygen below 10 mmHg", low_o2, ratio_margin(low_o2, 10.0, False))


def control_check(run: Run, control: Run) -> Check:
    """[control]: the empty vector gives under 1% of the heterotopic bone of the BMP2 vector."""
    bone, bone0 = run.metrics[HETERO], control.metrics[HETERO]
    ratio = bone0 / bone if bone > 0 else float("inf")
    return Check("control", "mouse-empty < 1% of mouse-bmp2 heterotopic bone", ratio,
                 ratio_margin(ratio, 0.01, False))


def order_checks(metrics: Mapping[str, float | None]) -> list[Check]:
    """EVENT_ORDER: each event happens, and no later than the one it causes (margin in days)."""
    out = []
    for first, second in EVENT_ORDER:
        a, b = metrics.get(first), metrics.get(second)
        margin = -10.0 if a is None or b is None else b - a
        out.append(Check("order", f"{first} <= {second}", None if a is None or b is None else b - a, margin))
    return out
