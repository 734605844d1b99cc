"""Injuries without injected BMP2 (targets/mouse_injury.toml, issue 11): every rule is a test that runs the
model. Coarse 2-D runs (48 um), all cases of the module in one parallel batch; the rules' inequalities are
cohort/injury_rules.py (shared with the fit's objective)."""

import os

import pytest

from hosim.cohort.injury_rules import injury_checks
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


@pytest.fixture(scope="module")
def checks(runs):
    return injury_checks(runs, TARGETS)


def test_every_rule_of_the_targets_file_has_its_test_and_its_checks(checks):
    assert set(RULE_TESTS) == set(TARGETS)
    assert all(name in globals() for name in RULE_TESTS.values())
    assert {c.event for c in checks} == set(TARGETS)


def holds(checks, rule):
    """Assert every inequality of one rule, naming those that miss with their values."""
    missed = [(c.rule, c.value) for c in checks if c.event == rule and not c.ok]
    assert missed == [], f"{rule}: {missed}"


def test_two_hit(checks):
    holds(checks, "two_hit")


def test_sci_cardiotoxin_timing(checks):
    holds(checks, "sci_cardiotoxin_timing")


def test_sci_cardiotoxin_origin(checks):
    holds(checks, "sci_cardiotoxin_origin")


def test_negative_local_hits(checks):
    holds(checks, "negative_local_hits")


def test_repeated_micro_trauma_adds_bone(runs):
    """A scenario input, not a target: micro-trauma every 2 days after SCI + crush makes more bone."""
    assert bone(runs, "sci-crush-micro-trauma") > 1.5 * bone(runs, "sci-crush")


def test_macrophages_required(checks):
    holds(checks, "macrophages_required")


def test_glucocorticoid(checks):
    holds(checks, "glucocorticoid")


def test_sci_lowers_bmp2_threshold(checks):
    holds(checks, "sci_lowers_bmp2_threshold")


def test_sci_level(checks):
    holds(checks, "sci_level")


def test_burn_tenotomy(checks):
    holds(checks, "burn_tenotomy")


@pytest.mark.xfail(strict=True, reason="burn/tenotomy HO forms without a cartilage stage in the model: the "
                   "0.6 mm stump stays normoxic (lesion pO2 >= 38 mmHg), fed by diffusion from the muscle around "
                   "it and by the angiogenesis inflammatory macrophages drive, so HIF1 never turns on; see the "
                   "issue 11 note")
def test_burn_tenotomy_is_endochondral(runs):
    m = runs["burn-tenotomy"]
    assert m["cartilage_peak_mm3"] > DETECTION_MM3
    assert m["cartilage_onset_day"] < m["bone_onset_day"]


def test_fop_injury(checks):
    holds(checks, "fop_injury")


def test_adbmp2_origin(checks):
    holds(checks, "adbmp2_origin")


def test_circulating_fold(checks):
    holds(checks, "circulating_fold")
