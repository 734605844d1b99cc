"""Injuries without injected BMP2 (targets/mouse_injury.toml, issue 11): every rule is a test that runs the
model. Coarse 2-D runs (48 um), all cases of the module in one parallel batch."""

import os

import pytest

from hosim.analysis.measures import DETECTION_MM3
from hosim.analysis.targets import load_targets
from hosim.cohort.experiments import injury_cases
from hosim.cohort.runner import run_cases

pytestmark = pytest.mark.slow  # every test here runs the model in 2-D

TARGETS = load_targets("mouse_injury")
OPTIONS = dict(dims=2, resolution_um=48.0)
RULE_TESTS = {
    "two_hit": "test_two_hit",
    "sci_cardiotoxin_timing": "test_sci_cardiotoxin_timing",
    "sci_cardiotoxin_origin": "test_sci_cardiotoxin_origin",
    "negative_local_hits": "test_negative_local_hits",
    "macrophages_required": "test_macrophages_required",
    "glucocorticoid": "test_glucocorticoid",
    "sci_lowers_bmp2_threshold": "test_sci_lowers_bmp2_threshold",
    "sci_level": "test_sci_level",
    "burn_tenotomy": "test_burn_tenotomy",
    "fop_injury": "test_fop_injury",
    "adbmp2_origin": "test_adbmp2_origin",
    "circulating_fold": "test_circulating_fold",
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    batch = run_cases(injury_cases(OPTIONS), tmp_path_factory.mktemp("injuries"), OPTIONS, workers=os.cpu_count())
    return {name: {**o["metrics"], **o["extra"]} for name, o in batch.outcomes.items()}


def bone(runs, case):
    return runs[case]["heterotopic_bone_mm3"]


def test_every_rule_of_the_targets_file_has_its_test():
    assert set(RULE_TESTS) == set(TARGETS)
    assert all(name in globals() for name in RULE_TESTS.values())


def test_two_hit(runs):
    both = bone(runs, "sci-cardiotoxin")
    assert both > 10 * DETECTION_MM3
    assert bone(runs, "cardiotoxin") < 0.01 * both
    assert bone(runs, "sci") < 0.01 * both


def test_sci_cardiotoxin_timing(runs):
    m = runs["sci-cardiotoxin"]
    low, high = TARGETS["sci_cardiotoxin_timing"]["window"]
    assert low <= m["bone_onset_day"] <= high
    assert m["heterotopic_bone_mm3"] > 1.1 * m["heterotopic_bone_mm3_day14"]  # still growing after day 14
    assert m["cartilage_peak_mm3"] < 0.1 * m["heterotopic_bone_mm3_day14"]  # intramembranous


def test_sci_cardiotoxin_origin(runs):
    m = runs["sci-cardiotoxin"]
    assert m["heterotopic_bone_resident_share"] >= 0.8
    assert m["nerve_progenitors_peak_fold"] < 1.05  # no labelled (nerve-derived) progenitors in blood
    assert m["circulating_progenitors_peak_fold"] < 1.05  # nor more claudin-5+ blood cells


def test_negative_local_hits(runs):
    """LPS or a crush with SCI forms no bone (under 1% of SCI + cardiotoxin, below microCT detection);
    LPS on SCI + cardiotoxin raises it, more at the full dose than at half."""
    both = bone(runs, "sci-cardiotoxin")
    for case in ("sci-lps", "sci-crush"):
        assert bone(runs, case) < min(0.01 * both, DETECTION_MM3), case
    assert bone(runs, "sci-cardiotoxin-lps") > bone(runs, "sci-cardiotoxin-lps-half") > both


def test_repeated_micro_trauma_adds_bone(runs):
    """A scenario input, not a target: micro-trauma every 2 days after SCI + crush makes more bone."""
    assert bone(runs, "sci-crush-micro-trauma") > 1.5 * bone(runs, "sci-crush")


def test_macrophages_required(runs):
    assert bone(runs, "sci-cardiotoxin-clodronate") <= 0.5 * bone(runs, "sci-cardiotoxin")


def test_glucocorticoid(runs):
    both = bone(runs, "sci-cardiotoxin")
    assert bone(runs, "cardiotoxin-glucocorticoid") > 0.5 * both
    assert bone(runs, "cardiotoxin-glucocorticoid") > 100 * bone(runs, "cardiotoxin")
    assert bone(runs, "sci-cardiotoxin-gr-ko") < 0.1 * both


def test_sci_lowers_bmp2_threshold(runs):
    """A dose that forms no detectable bone in sham mice forms it after SCI, in the forelimb above the
    lesion too (the effect is body-wide)."""
    assert bone(runs, "bmp2-sham") < DETECTION_MM3
    assert bone(runs, "bmp2-sci") > DETECTION_MM3
    assert bone(runs, "bmp2-sci-forelimb") > DETECTION_MM3


def test_sci_level(runs):
    """Higher lesions (more of the sympathetic outflow disconnected) form more bone; a lesion below the
    outflow (L3: the hind limb partly denervated, no body-wide signal) none detectable; the body-wide
    response peaks within hours."""
    t11 = bone(runs, "sci-cardiotoxin")
    assert bone(runs, "sci-cardiotoxin-t3") > t11
    assert bone(runs, "sci-cardiotoxin-l3") < min(DETECTION_MM3, 0.02 * t11)
    m = runs["sci-cardiotoxin"]
    assert m["glucocorticoid_peak_day"] < 0.5 and m["glucocorticoid_peak_fold"] > 5.0
    assert m["substance_p_peak_day"] < 0.5 and m["sympathetic_tone_peak_day"] < 0.5


def test_burn_tenotomy(runs):
    """Bone at the tenotomy by week 5, more by week 9; the tenotomy alone forms less."""
    m = runs["burn-tenotomy"]
    assert m["heterotopic_bone_mm3_day35"] > DETECTION_MM3
    assert m["heterotopic_bone_mm3"] > m["heterotopic_bone_mm3_day35"]
    assert bone(runs, "tenotomy") < 0.5 * m["heterotopic_bone_mm3"]


@pytest.mark.xfail(strict=True, reason="burn/tenotomy HO forms without a cartilage stage in the model: the "
                   "0.6 mm stump stays normoxic (lesion pO2 >= 38 mmHg), fed by diffusion from the muscle around "
                   "it and by the angiogenesis inflammatory macrophages drive, so HIF1 never turns on; see the "
                   "issue 11 note")
def test_burn_tenotomy_is_endochondral(runs):
    m = runs["burn-tenotomy"]
    assert m["cartilage_peak_mm3"] > DETECTION_MM3
    assert m["cartilage_onset_day"] < m["bone_onset_day"]


def test_fop_injury(runs):
    for case in ("fop-pinch", "fop-cardiotoxin"):
        m = runs[case]
        assert m["heterotopic_bone_mm3"] > 10 * DETECTION_MM3, case
        assert m["cartilage_peak_mm3"] > DETECTION_MM3 and m["cartilage_onset_day"] <= 7.0, case
        assert m["cartilage_mm3_day14"] < 0.5 * m["cartilage_peak_mm3"], case  # bone has replaced most of it
        assert m["cartilage_mm3_day14"] < m["heterotopic_bone_mm3_day14"], case
        assert m["heterotopic_bone_resident_share"] >= 0.5, case
    for case in ("wild-type-pinch", "wild-type-cardiotoxin"):
        assert bone(runs, case) < DETECTION_MM3, case


def test_adbmp2_origin(runs):
    """The knockout bounds are tests/test_experiments_knockouts.py, run with the resident route present."""
    assert runs["bmp2"]["heterotopic_bone_nerve_share"] >= 0.5


def test_circulating_fold(runs):
    low, high = TARGETS["circulating_fold"]["window"]
    assert low <= runs["bmp2"]["circulating_progenitors_peak_fold"] <= high
