"""Metrics (DESIGN.md table) computed from synthetic observable series with known answers."""

import numpy as np
import pytest

from hosim.analysis.measures import (
    DETECTION_MM3,
    METRIC_KEYS,
    compute_metrics,
    first_crossing,
    peak_day,
    value_at,
)

T = np.linspace(0.0, 21.0, 1051)


def bump(centre, width=1.0, height=1.0):
    return height * np.exp(-((T - centre) / width) ** 2)


def sigmoid(mid, final, width=1.0):
    return final / (1.0 + np.exp(-(T - mid) / width))


def synthetic_series(**over):
    s = {
        "heterotopic_bone_mm3": sigmoid(9.0, 0.2),
        "heterotopic_bone_resident_mm3": 0.25 * sigmoid(9.0, 0.2),
        "heterotopic_bone_periosteal_mm3": 0.05 * sigmoid(9.0, 0.2),
        "orthotopic_bone_mm3": sigmoid(9.0, 0.01),
        "substance_p_total": 0.01 + bump(1.0),
        "mast_degranulated_total": bump(1.5),
        "bnb_permeability_nerve_mean": bump(2.0, 1.5),
        "endo_activated_total": bump(1.6),
        "circulating_progenitors_total": 0.02 + bump(2.2, 0.8, 0.3),
        "claudin5_blood_cells": 0.06 + bump(2.2, 0.8, 0.3),
        "tbat_mm3": bump(3.5, 2.0, 0.1),
        "hypoxic_fraction": bump(3.0, 1.0, 0.6),
        "cartilage_mm3": bump(7.0, 1.5, 0.05),
        "lesion_min_oxygen_mmhg": 40.0 - 35.0 * bump(3.0),
        "lesion_vessels_mean": 0.02 + 0.02 * sigmoid(3.0, 1.0, 0.5),
    }
    s.update(over)
    return s


def test_every_design_metric_is_returned_as_plain_float():
    m = compute_metrics(T, synthetic_series())
    assert set(m) == set(METRIC_KEYS)
    assert all(isinstance(v, float) for v in m.values())


def test_peak_days_and_values():
    m = compute_metrics(T, synthetic_series())
    assert m["substance_p_peak_day"] == pytest.approx(1.0, abs=0.03)
    assert m["mast_degranulation_peak_day"] == pytest.approx(1.5, abs=0.03)
    assert m["bnb_permeability_peak_day"] == pytest.approx(2.0, abs=0.03)
    assert m["endoneurial_activation_peak_day"] == pytest.approx(1.6, abs=0.03)
    assert m["circulating_progenitors_peak_day"] == pytest.approx(2.2, abs=0.03)
    assert m["tbat_peak_day"] == pytest.approx(3.5, abs=0.03)
    assert m["hypoxic_fraction_peak_day"] == pytest.approx(3.0, abs=0.03)
    assert m["cartilage_peak_day"] == pytest.approx(7.0, abs=0.03)
    claudin5 = synthetic_series()["claudin5_blood_cells"]
    assert m["circulating_progenitors_peak_fold"] == pytest.approx(0.36 / claudin5[0], rel=1e-3)
    assert m["substance_p_peak"] == pytest.approx(1.01, rel=1e-3)
    assert m["tbat_peak_mm3"] == pytest.approx(0.1, rel=1e-3)
    assert m["cartilage_peak_mm3"] == pytest.approx(0.05, rel=1e-3)
    assert m["hypoxic_fraction_peak"] == pytest.approx(0.6, rel=1e-3)
    assert m["min_oxygen_mmhg"] == pytest.approx(5.0, rel=1e-3)


def test_origin_shares_split_the_heterotopic_bone():
    """Resident 25%, periosteal 5%: the nerve-derived rest is 70%; no share without detectable bone."""
    m = compute_metrics(T, synthetic_series())
    assert m["heterotopic_bone_resident_share"] == pytest.approx(0.25, rel=1e-9)
    assert m["heterotopic_bone_nerve_share"] == pytest.approx(0.70, rel=1e-9)
    none = np.zeros_like(T)
    m = compute_metrics(T, synthetic_series(heterotopic_bone_mm3=none, heterotopic_bone_resident_mm3=none,
                                            heterotopic_bone_periosteal_mm3=none))
    assert m["heterotopic_bone_resident_share"] is None and m["heterotopic_bone_nerve_share"] is None


def test_onsets_are_interpolated_crossings():
    m = compute_metrics(T, synthetic_series())
    # vessels exceed their start v0 by 10%: 0.02 + 0.02 * sigmoid(t) = 1.1 v0
    v0 = synthetic_series()["lesion_vessels_mean"][0]
    g = (1.1 * v0 - 0.02) / 0.02
    assert m["vessel_growth_onset_day"] == pytest.approx(3.0 + 0.5 * np.log(g / (1 - g)), abs=0.01)
    # cartilage 5% of its peak: exp(-((t-7)/1.5)^2) = 0.05
    assert m["cartilage_onset_day"] == pytest.approx(7.0 - 1.5 * np.sqrt(np.log(20.0)), abs=0.01)
    final = sigmoid(9.0, 0.2)[-1]
    assert m["bone_onset_day"] == pytest.approx(9.0 + np.log(0.05 * final / (0.2 - 0.05 * final)), abs=0.01)
    assert m["bone_t50_day"] == pytest.approx(9.0 + np.log(0.5 * final / (0.2 - 0.5 * final)), abs=0.01)
    assert m["heterotopic_bone_mm3"] == pytest.approx(final)
    assert m["heterotopic_bone_mm3_day14"] == pytest.approx(0.2 / (1 + np.exp(-5.0)), rel=1e-4)


def test_events_that_never_happen_are_none():
    flat = np.zeros_like(T)
    m = compute_metrics(T, synthetic_series(
        heterotopic_bone_mm3=flat + 0.1 * DETECTION_MM3, cartilage_mm3=flat, hypoxic_fraction=flat,
        tbat_mm3=flat, lesion_vessels_mean=flat + 0.02,
    ))
    for key in ("bone_onset_day", "bone_t50_day", "cartilage_onset_day", "cartilage_peak_day",
                "hypoxic_fraction_peak_day", "tbat_peak_day", "vessel_growth_onset_day"):
        assert m[key] is None, key


def test_short_run_has_no_day14_value():
    short = T[T <= 10.0]
    series = {k: v[: short.size] for k, v in synthetic_series().items()}
    assert compute_metrics(short, series)["heterotopic_bone_mm3_day14"] is None


def test_helpers():
    assert peak_day(T, np.ones_like(T)) is None
    assert first_crossing(T, T, 2.5) == pytest.approx(2.5)
    assert first_crossing(T, T, 99.0) is None
    assert value_at(T, T, 30.0) is None
