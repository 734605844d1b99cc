"""Risk factors in the mechanism beside the evidence (cohort.factor_effects): the same virtual patients with
and without each factor, paired."""

import pytest

from hosim.cohort.factor_effects import factor_effects


@pytest.mark.slow
def test_each_sci_factor_the_mechanism_reads_raises_the_odds_of_ho_in_the_same_patients():
    rows = {r["factor"]: r for r in factor_effects("sci", n=120, seed=1)}
    assert set(rows) == {"spasticity", "pressure-ulcer", "uti", "pneumonia", "complete-injury"}
    for r in rows.values():
        assert r["kind"] == "OR" and r["row"].startswith("sci_or_")
        assert r["with"] >= r["without"] and r["model"] >= 1.0, r
        assert r["model_low"] <= r["model"] <= r["model_high"], r
        assert r["evidence_low"] < r["evidence"] < r["evidence_high"], r
    # an infection's inflammation adds, so pneumonia (the larger episode) raises the odds at least as much
    assert rows["pneumonia"]["model"] >= rows["uti"]["model"]
