"""The risk method: odds arithmetic against the evidence rows, prophylaxis, intervals, and bad input."""

import itertools
import math

import pytest
from scipy.special import expit, logit

from hosim.clinical import estimate_risk
from hosim.clinical.evidence import evidence_row, load_evidence
from hosim.clinical.settings import SETTINGS
from hosim.errors import InputError


def value(row_id):
    return evidence_row(row_id).value


def with_odds(p, *ratios):
    """The method by hand: probability -> odds, times each ratio, -> probability."""
    return float(expit(logit(p) + sum(math.log(r) for r in ratios)))


def test_no_factors_gives_the_baseline_incidence():
    estimate = estimate_risk("tha")
    assert estimate.any_ho.probability == pytest.approx(value("tha_any"))
    assert estimate.severe_ho.probability == pytest.approx(value("tha_severe"))
    assert estimate.evidence[:2] == ("tha_any", "tha_severe")


def test_odds_ratios_multiply_the_baseline_odds():
    estimate = estimate_risk("tha", ["male", "bilateral"])
    expected = with_odds(value("tha_any"), value("tha_or_male"), value("tha_or_bilateral"))
    assert estimate.any_ho.probability == pytest.approx(expected, rel=1e-9)
    severe = with_odds(value("tha_severe"), value("tha_or_male"), value("tha_or_bilateral"))
    assert estimate.severe_ho.probability == pytest.approx(severe, rel=1e-9)
    assert {"tha_or_male", "tha_or_bilateral"} <= set(estimate.evidence)
    assert any("independent" in note for note in estimate.notes)


def test_a_protective_factor_lowers_the_risk():
    assert estimate_risk("tha", ["rheumatoid-arthritis"]).any_ho.probability < value("tha_any")


def test_nsaid_and_radiotherapy_act_as_relative_risks():
    base = estimate_risk("tha", ["male"])
    nsaid = estimate_risk("tha", ["male"], prophylaxis="nsaid")
    rt = estimate_risk("tha", ["male"], prophylaxis="radiotherapy")
    keep = 1 - value("nsaid_rrr")
    assert nsaid.any_ho.probability == pytest.approx(base.any_ho.probability * keep)
    assert nsaid.severe_ho.probability == pytest.approx(base.severe_ho.probability * keep)
    assert rt.any_ho.probability == pytest.approx(base.any_ho.probability * keep * value("rt_vs_nsaid_any"))
    assert rt.severe_ho.probability == pytest.approx(base.severe_ho.probability * keep * value("rt_vs_nsaid_severe"))
    assert {"nsaid_rrr", "rt_vs_nsaid_any", "rt_vs_nsaid_severe"} <= set(rt.evidence)


def test_delay_to_surgery_counts_days_from_the_cohorts_typical_delay():
    reference = value("hip_fracture_delay_reference")
    at_reference = estimate_risk("hip-fracture-arthroplasty", delay_days=reference)
    assert at_reference.any_ho.probability == pytest.approx(value("hip_fracture_arthroplasty"))
    later = estimate_risk("hip-fracture-arthroplasty", delay_days=reference + 3)
    expected = with_odds(value("hip_fracture_arthroplasty"), value("hip_fracture_delay") ** 3)
    assert later.any_ho.probability == pytest.approx(expected)
    assert "hip_fracture_delay_reference" in later.evidence


def test_burned_surface_applies_its_odds_ratio_only_above_the_threshold():
    at_threshold = estimate_risk("burns", tbsa=30)
    above = estimate_risk("burns", tbsa=31)
    assert at_threshold.any_ho.probability == pytest.approx(value("burns"))
    assert above.any_ho.probability == pytest.approx(with_odds(value("burns"), value("burns_or_tbsa30")))
    assert "burns_or_tbsa30" in above.evidence and "burns_or_tbsa30" not in at_threshold.evidence


def test_a_pattern_replaces_the_baseline_and_drops_a_severe_figure_it_has_none_for():
    triad = estimate_risk("elbow-fracture", ["terrible-triad"])
    assert triad.any_ho.probability == pytest.approx(value("elbow_terrible_triad"))
    assert triad.severe_ho is None and triad.to_json()["severe_ho"]["probability"] is None
    humerus = estimate_risk("elbow-fracture", ["distal-humerus"])
    assert humerus.any_ho.probability == pytest.approx(value("elbow_all_surgery"))
    assert humerus.severe_ho.probability == pytest.approx(value("elbow_distal_humerus"))
    assert humerus.severe_definition == "Brooker III-IV"


def test_fop_chains_flare_up_and_ossification_and_admits_it_has_no_interval():
    estimate = estimate_risk("fop")
    assert estimate.any_ho.probability == pytest.approx(value("fop_im_flare") * value("fop_flare_to_ho"))
    assert estimate.any_ho.low is None and estimate.onset_days is None
    assert any("no interval" in note for note in estimate.notes)


def test_unquantified_factors_are_named_but_do_not_change_the_number():
    plain = estimate_risk("tha", ["male"])
    with_dish = estimate_risk("tha", ["male", "dish-paget"])
    assert with_dish.any_ho == plain.any_ho
    assert "tha_dish_paget" in with_dish.evidence
    assert any("dish-paget" in note and "understate" in note for note in with_dish.notes)


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_setting_gives_a_sane_estimate_with_all_its_odds_factors(name):
    spec = SETTINGS[name]
    extras = {"tbsa": 45.0} if spec.uses_tbsa else {}
    for count in range(len(spec.odds_factors) + 1):
        for factors in itertools.islice(itertools.combinations(spec.odds_factors, count), 3):
            estimate = estimate_risk(name, factors, samples=2000, **extras)
            p = estimate.any_ho
            assert 0 < p.probability < 1
            if p.low is not None:
                assert p.low <= p.probability <= p.high
            if estimate.severe_ho is not None:
                assert estimate.severe_ho.probability <= p.probability
            assert set(estimate.evidence) <= set(load_evidence())


def test_same_seed_same_answer_and_the_seed_matters():
    a = estimate_risk("sci", ["complete-injury"])
    b = estimate_risk("sci", ["complete-injury"])
    c = estimate_risk("sci", ["complete-injury"], seed=7)
    assert a == b
    assert a.any_ho.probability == c.any_ho.probability and a.any_ho.low != c.any_ho.low


def test_json_has_exactly_the_documented_keys():
    document = estimate_risk("tha", ["male"]).to_json()
    assert set(document) == {"setting", "factors", "prophylaxis", "any_ho", "severe_ho", "onset_days", "evidence",
                             "typical"}  # typical: added (contracts add keys, never rename them)
    assert document["typical"] == {"any_ho": 0.3, "severe_ho": pytest.approx(0.07)}
    assert set(document["any_ho"]) == set(document["severe_ho"]) == {"probability", "low", "high"}
    assert set(document["onset_days"]) == {"low", "high"}
    assert document["onset_days"] == {"low": evidence_row("onset_window").low, "high": evidence_row("onset_window").high}


def test_a_missing_onset_bound_comes_from_the_general_window():
    estimate = estimate_risk("sci")
    assert estimate.onset_days == (evidence_row("onset_window").low, evidence_row("onset_sci").high)
    assert {"onset_sci", "onset_window"} <= set(estimate.evidence)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"setting": "knee"}, ["unknown setting 'knee'", "tha", "fop"]),
        ({"setting": "tha", "factors": ["uti"]}, ["'uti' does not apply", "sci", "male"]),
        ({"setting": "tha", "factors": ["smoker"]}, ["unknown factor 'smoker'", "bilateral"]),
        ({"setting": "burns"}, ["--tbsa"]),
        ({"setting": "burns", "tbsa": 0}, ["--tbsa", "100"]),
        ({"setting": "burns", "tbsa": 101}, ["--tbsa", "100"]),
        ({"setting": "burns", "tbsa": float("nan")}, ["--tbsa"]),
        ({"setting": "sci", "tbsa": 20}, ["only to setting 'burns'"]),
        ({"setting": "hip-fracture-arthroplasty", "delay_days": -1}, ["--delay-days", "[0, 365]"]),
        ({"setting": "tha", "delay_days": 3}, ["hip-fracture-arthroplasty"]),
        ({"setting": "sci", "prophylaxis": "nsaid"}, ["tha", "acetabular-fracture"]),
        ({"setting": "tha", "prophylaxis": "aspirin"}, ["nsaid", "radiotherapy"]),
        ({"setting": "elbow-fracture", "factors": ["terrible-triad", "dislocation"]}, ["already includes dislocation"]),
        ({"setting": "elbow-fracture", "factors": ["terrible-triad", "distal-humerus"]}, ["at most one"]),
    ],
)
def test_bad_input_names_the_problem_and_what_is_allowed(kwargs, words):
    with pytest.raises(InputError) as info:
        estimate_risk(**kwargs)
    for word in words:
        assert word in str(info.value)
