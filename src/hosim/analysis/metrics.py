"""Metrics of a run (DESIGN.md "Metrics"): volumes, peak and onset days, from sampled observables.

Times are days after the trigger. An event that never happens gives None: a peak needs the quantity to
rise above its starting value; bone and cartilage events need more than DETECTION_MM3 of matrix.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

DETECTION_MM3 = 1e-3  # about the smallest mineralised volume microCT resolves reliably (a 100 um cube)
RISE = 1e-6  # relative rise above the start that counts as a peak

# metric key -> observable whose maximum it times
PEAK_DAYS = {
    "substance_p_peak_day": "substance_p_total",
    "mast_degranulation_peak_day": "mast_degranulated_total",
    "bnb_permeability_peak_day": "bnb_permeability_nerve_mean",
    "endoneurial_activation_peak_day": "endo_activated_total",
    "circulating_progenitors_peak_day": "circulating_progenitors_total",
    "tbat_peak_day": "tbat_mm3",
    "hypoxic_fraction_peak_day": "hypoxic_fraction",
    "cartilage_peak_day": "cartilage_mm3",
}
PEAK_VALUES = {
    "substance_p_peak": "substance_p_total",
    "tbat_peak_mm3": "tbat_mm3",
    "cartilage_peak_mm3": "cartilage_mm3",
    "hypoxic_fraction_peak": "hypoxic_fraction",
}
METRIC_KEYS = (
    "heterotopic_bone_mm3",
    "orthotopic_bone_mm3",
    "heterotopic_bone_mm3_day14",
    *PEAK_DAYS,
    "circulating_progenitors_peak_fold",
    *PEAK_VALUES,
    "min_oxygen_mmhg",
    "vessel_growth_onset_day",
    "cartilage_onset_day",
    "bone_onset_day",
    "bone_t50_day",
)


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


def compute_metrics(times: np.ndarray, series: Mapping[str, np.ndarray], setup=None) -> dict:
    """Every DESIGN.md metric from observables sampled at `times` (days); plain floats or None."""
    t = np.asarray(times, dtype=np.float64)
    s = {k: np.asarray(v, dtype=np.float64) for k, v in series.items()}
    hetero = s["heterotopic_bone_mm3"]
    final = float(hetero[-1])
    bone_seen = final > DETECTION_MM3
    m: dict[str, float | None] = {
        "heterotopic_bone_mm3": final,
        "orthotopic_bone_mm3": float(s["orthotopic_bone_mm3"][-1]),
        "heterotopic_bone_mm3_day14": value_at(t, hetero, 14.0),
    }
    for key, name in PEAK_DAYS.items():
        m[key] = peak_day(t, s[name])
    circ = s["circulating_progenitors_total"]
    m["circulating_progenitors_peak_fold"] = float(circ.max() / circ[0]) if circ[0] > 0 else None
    for key, name in PEAK_VALUES.items():
        m[key] = float(s[name].max())
    m["min_oxygen_mmhg"] = float(s["lesion_min_oxygen_mmhg"].min())
    vessels = s["lesion_vessels_mean"]
    m["vessel_growth_onset_day"] = first_crossing(t, vessels, 1.1 * vessels[0])
    cart = s["cartilage_mm3"]
    cart_seen = cart.max() > DETECTION_MM3
    m["cartilage_onset_day"] = first_crossing(t, cart, 0.05 * cart.max()) if cart_seen else None
    m["bone_onset_day"] = first_crossing(t, hetero, 0.05 * final) if bone_seen else None
    m["bone_t50_day"] = first_crossing(t, hetero, 0.5 * final) if bone_seen else None
    if not cart_seen:
        m["cartilage_peak_day"] = None
    return {k: m[k] for k in METRIC_KEYS}
