"""The measure registry: every number computed from a run's recorded observables, declared once with its
unit and meaning. The metrics of DESIGN.md (summary.json "metrics", in the table's order) are measures
marked `metric`; experiments compare further measures. Calibration, experiments and figures name
measures through `measure(name)`, which fails at import time for a name nobody declared.

Times are days after the trigger. An event that never happens gives None: a peak needs the quantity to
rise above its starting value; bone and cartilage events need more than DETECTION_MM3 of matrix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from hosim.biology.variables import udunits
from hosim.scenarios.observables import OBSERVABLES, observable

DETECTION_MM3 = 1e-3  # about the smallest mineralised volume microCT resolves reliably (a 100 um cube)
RISE = 1e-6  # relative rise above the start that counts as a peak

Series = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class Measure:
    """compute(times, series) -> float or None, reading only the observables it names."""

    name: str
    unit: str
    description: str
    observables: tuple[str, ...]
    compute: Callable[[np.ndarray, Series], float | None]
    metric: bool = True


def peak_day(times: np.ndarray, values: np.ndarray) -> float | None:
    """Time of the (first) maximum, or None if the quantity never rises above where it started."""
    k = int(np.argmax(values))
    if not values[k] > values[0] + RISE * max(abs(values[0]), 1e-300):
        return None
    return float(times[k])


def first_crossing(times: np.ndarray, values: np.ndarray, level: float) -> float | None:
    """First time `values` exceeds `level`, linearly interpolated between samples; None if never."""
    above = np.flatnonzero(values > level)
    if above.size == 0:
        return None
    k = int(above[0])
    if k == 0:
        return float(times[0])
    v0, v1 = values[k - 1], values[k]
    return float(times[k - 1] + (level - v0) / (v1 - v0) * (times[k] - times[k - 1]))


def value_at(times: np.ndarray, values: np.ndarray, t: float) -> float | None:
    """Linear interpolation at day t, None when the run did not reach it."""
    if t > times[-1] + 1e-9:
        return None
    return float(np.interp(t, times, values))


HETERO = observable("heterotopic_bone_mm3")
CARTILAGE = observable("cartilage_mm3")


def _final(name: str) -> Callable:
    return lambda t, s: float(s[name][-1])


def _peak_day(name: str) -> Callable:
    return lambda t, s: peak_day(t, s[name])


def _peak(name: str) -> Callable:
    return lambda t, s: float(s[name].max())


def _cartilage_seen(s: Series) -> bool:
    return bool(s[CARTILAGE].max() > DETECTION_MM3)


def _bone_crossing(fraction: float) -> Callable:
    """First day heterotopic bone reaches `fraction` of its final value (None without detectable bone)."""

    def compute(t, s):
        final = float(s[HETERO][-1])
        return first_crossing(t, s[HETERO], fraction * final) if final > DETECTION_MM3 else None

    return compute


def _cartilage_onset(t, s):
    cart = s[CARTILAGE]
    return first_crossing(t, cart, 0.05 * cart.max()) if _cartilage_seen(s) else None


def _cartilage_peak_day(t, s):
    return peak_day(t, s[CARTILAGE]) if _cartilage_seen(s) else None


def _fold(name: str) -> Callable:
    def compute(t, s):
        values = s[name]
        return float(values.max() / values[0]) if values[0] > 0 else None

    return compute


RESIDENT = observable("heterotopic_bone_resident_mm3")
PERIOSTEAL = observable("heterotopic_bone_periosteal_mm3")


def _share(origin: str) -> Callable:
    """Fraction of the final heterotopic bone laid down by cells of one origin (None without detectable
    bone); nerve-derived bone is what neither resident nor periosteal cells laid down."""

    def compute(t, s):
        total = float(s[HETERO][-1])
        if not total > DETECTION_MM3:
            return None
        resident, periosteal = float(s[RESIDENT][-1]) / total, float(s[PERIOSTEAL][-1]) / total
        share = resident if origin == "resident" else 1.0 - resident - periosteal
        return min(1.0, max(0.0, share))

    return compute


def _vessel_onset(t, s):
    vessels = s[observable("lesion_vessels_mean")]
    return first_crossing(t, vessels, 1.1 * vessels[0])


def _unit(name: str) -> str:
    return OBSERVABLES[name].unit


def _peak_day_measure(key: str, name: str, what: str) -> Measure:
    return Measure(key, "day", f"day of the maximum of {what}", (observable(name),), _peak_day(name))


MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure("heterotopic_bone_mm3", "mm^3", "bone matrix volume at the end, beyond 250 um of the skeleton",
                (HETERO,), _final(HETERO)),
        Measure("orthotopic_bone_mm3", "mm^3", "bone matrix volume at the end, within 250 um of the skeleton",
                (observable("orthotopic_bone_mm3"),), _final("orthotopic_bone_mm3")),
        Measure("heterotopic_bone_mm3_day14", "mm^3", "heterotopic bone at day 14 (None if the run is shorter)",
                (HETERO,), lambda t, s: value_at(t, s[HETERO], 14.0)),
        _peak_day_measure("substance_p_peak_day", "substance_p_total", "substance P"),
        _peak_day_measure("mast_degranulation_peak_day", "mast_degranulated_total", "degranulated mast cells"),
        _peak_day_measure("bnb_permeability_peak_day", "bnb_permeability_nerve_mean", "blood-nerve barrier opening"),
        _peak_day_measure("endoneurial_activation_peak_day", "endo_activated_total", "activated endoneurial cells"),
        _peak_day_measure("circulating_progenitors_peak_day", "circulating_progenitors_total",
                          "circulating progenitors"),
        _peak_day_measure("tbat_peak_day", "tbat_mm3", "transient brown fat"),
        _peak_day_measure("hypoxic_fraction_peak_day", "hypoxic_fraction", "the lesion's hypoxic fraction"),
        Measure("cartilage_peak_day", "day", "day of the maximum of cartilage (None without detectable cartilage)",
                (CARTILAGE,), _cartilage_peak_day),
        Measure("circulating_progenitors_peak_fold", "1", "peak claudin-5+ blood cells (circulating progenitors and "
                "the resting claudin-5+ background, as Lazard 2015 counted them) / their value at time 0",
                (observable("claudin5_blood_cells"),), _fold("claudin5_blood_cells")),
        Measure("substance_p_peak", _unit("substance_p_total"), "peak domain total of substance P",
                (observable("substance_p_total"),), _peak("substance_p_total")),
        Measure("tbat_peak_mm3", "mm^3", "peak volume of transient brown fat", (observable("tbat_mm3"),),
                _peak("tbat_mm3")),
        Measure("cartilage_peak_mm3", "mm^3", "peak cartilage volume", (CARTILAGE,), _peak(CARTILAGE)),
        Measure("hypoxic_fraction_peak", "1", "peak fraction of the lesion that is hypoxic",
                (observable("hypoxic_fraction"),), _peak("hypoxic_fraction")),
        Measure("min_oxygen_mmhg", "mmHg", "lowest pO2 anywhere in the lesion during the run",
                (observable("lesion_min_oxygen_mmhg"),), lambda t, s: float(s["lesion_min_oxygen_mmhg"].min())),
        Measure("vessel_growth_onset_day", "day", "first day lesion vessel density exceeds its start by 10%",
                (observable("lesion_vessels_mean"),), _vessel_onset),
        Measure("cartilage_onset_day", "day", "first day cartilage exceeds 5% of its peak", (CARTILAGE,),
                _cartilage_onset),
        Measure("bone_onset_day", "day", "first day heterotopic bone exceeds 5% of its final value", (HETERO,),
                _bone_crossing(0.05)),
        Measure("bone_t50_day", "day", "first day heterotopic bone reaches 50% of its final value", (HETERO,),
                _bone_crossing(0.5)),
        Measure("heterotopic_bone_nerve_share", "1", "fraction of the final heterotopic bone laid down by nerve-derived "
                "(circulating) progenitors (None without detectable bone)", (HETERO, RESIDENT, PERIOSTEAL),
                _share("nerve")),
        Measure("heterotopic_bone_resident_share", "1", "fraction of the final heterotopic bone laid down by resident "
                "muscle (or tendon) progenitors (None without detectable bone)", (HETERO, RESIDENT, PERIOSTEAL),
                _share("resident")),
        # measures experiments compare besides the metrics
        Measure("mast_degranulated_peak", _unit("mast_degranulated_total"), "peak of degranulated mast cells",
                (observable("mast_degranulated_total"),), _peak("mast_degranulated_total"), metric=False),
        Measure("bnb_permeability_peak", "1", "peak mean opening of the blood-nerve barrier",
                (observable("bnb_permeability_nerve_mean"),), _peak("bnb_permeability_nerve_mean"), metric=False),
        Measure("fibrin_end", _unit("fibrin_total"), "fibrin left at the end of the run",
                (observable("fibrin_total"),), _final("fibrin_total"), metric=False),
        Measure("heterotopic_bone_mm3_day35", "mm^3", "heterotopic bone at day 35, week 5 (None if the run is shorter)",
                (HETERO,), lambda t, s: value_at(t, s[HETERO], 35.0), metric=False),
        Measure("cartilage_mm3_day14", "mm^3", "cartilage at day 14 (None if the run is shorter)", (CARTILAGE,),
                lambda t, s: value_at(t, s[CARTILAGE], 14.0), metric=False),
        Measure("glucocorticoid_peak_fold", "1", "peak plasma glucocorticoid relative to its value at time 0",
                (observable("glucocorticoid_total"),), _fold("glucocorticoid_total"), metric=False),
        Measure("glucocorticoid_peak_day", "day", "day of the glucocorticoid peak", (observable("glucocorticoid_total"),),
                _peak_day("glucocorticoid_total"), metric=False),
        Measure("sympathetic_tone_peak_day", "day", "day of the sympathetic tone peak",
                (observable("sympathetic_tone_total"),), _peak_day("sympathetic_tone_total"), metric=False),
        Measure("nerve_progenitors_peak_fold", "1", "peak of the nerve-derived (Wnt1-lineage) progenitors in blood "
                "relative to their resting level, without the claudin-5+ background",
                (observable("circulating_progenitors_total"),), _fold("circulating_progenitors_total"), metric=False),
    )
}

# summary.json "metrics": DESIGN.md's metrics, in its table's order (the registry's order).
METRIC_KEYS: tuple[str, ...] = tuple(name for name, m in MEASURES.items() if m.metric)


def extra_keys() -> tuple[str, ...]:
    """The measures besides the metrics, as registered now (experiments record them all)."""
    return tuple(name for name, m in MEASURES.items() if not m.metric)


def measure(name: str) -> str:
    """`name`, checked against the registry: modules that read a measure name it through this."""
    if name not in MEASURES:
        raise KeyError(f"measure {name!r} is not declared in hosim.analysis.measures")
    return name


def compute_measures(times: np.ndarray, series: Series, names: Sequence[str]) -> dict[str, float | None]:
    """The named measures of one run from observables sampled at `times` (days); plain floats or None."""
    t = np.asarray(times, dtype=np.float64)
    s = {k: np.asarray(v, dtype=np.float64) for k, v in series.items()}
    return {name: MEASURES[name].compute(t, s) for name in names}


def compute_metrics(times: np.ndarray, series: Series) -> dict[str, float | None]:
    """Every DESIGN.md metric, in the table's order."""
    return compute_measures(times, series, METRIC_KEYS)


def metric_units() -> dict[str, str]:
    """Unit of every metric in UDUNITS syntax (summary.json "units", as in result.nc)."""
    return {name: udunits(MEASURES[name].unit) for name in METRIC_KEYS}
