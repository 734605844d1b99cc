"""The patient report: plain numbers, what to watch for, sources, the disclaimer; and it renders."""

import shutil
import subprocess

import numpy as np
import pytest
from matplotlib.image import imread

from hosim.clinical import estimate_risk
from hosim.clinical.evidence import evidence_row
from hosim.clinical.report import per_hundred, render_report
from hosim.clinical.timeline import STAGES

CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(name)), None)


@pytest.mark.parametrize("p, words", [(0.004, "fewer than 1"), (0.2049, "20"), (0.5, "50"), (0.996, "more than 99")])
def test_per_hundred_never_claims_none_or_all(p, words):
    assert per_hundred(p) == words


def test_report_says_the_risk_in_plain_numbers_with_its_range():
    estimate = estimate_risk("tha", ["male", "dish-paget"], prophylaxis="nsaid")
    page = render_report(estimate)
    assert f"About <b>{per_hundred(estimate.any_ho.probability)} in 100</b>" in page
    assert f"from about {per_hundred(estimate.any_ho.low)} to {per_hundred(estimate.any_ho.high)} in 100" in page
    assert f"{per_hundred(estimate.severe_ho.probability)} in 100</b> people like you get <b>severe</b> HO" in page
    dots = round(estimate.any_ho.probability * 100) + round(estimate.severe_ho.probability * 100)
    assert page.count('class="dot on"') == dots  # severe HO drawn like the main risk
    assert "usually shows within about 12 weeks" in page  # over what time
    assert f"For a typical patient in this situation (everyone in the studies, without\nlooking at any risk factor or " \
           f"prevention) it is about {per_hundred(estimate.typical_any_ho)} in 100" in page


def test_report_covers_raisers_lowerers_stages_calls_prevention_sources_and_disclaimer():
    estimate = estimate_risk("tha", ["male", "dish-paget"], prophylaxis="nsaid")
    page = render_report(estimate)
    male, nsaid = (next(e for e in estimate.effects if e.name == name) for name in ("male", "nsaid"))
    assert f"raises your chance from about {per_hundred(male.without)} in 100 (without it)" in page  # tha_or_male
    assert f"lowers your chance from about {per_hundred(nsaid.without)} in 100 (without it)" in page
    assert "odds" not in page.split("<h2>How sure")[0]  # plain words before the notes for the care team
    assert "your risk may be higher" in page  # dish-paget is not quantified
    assert "both hips replaced" in page  # a factor the patient did not report, listed to ask about
    for stage in STAGES:
        assert stage.name in page
    assert "higher at night" in page and "Call your care team the same day" in page
    assert "radiotherapy" in page and "bleeding" in page
    for row_id in estimate.evidence:
        assert evidence_row(row_id).source.split(" (")[0] in page
    assert "earlier summary said" in page  # seed figures shown beside the literature
    assert "research tool, not a diagnosis" in page.lower()
    for internal in ("MODEL.md", "docs/", "seed 0", "seed review", "qxmd 26155968)</td>"):
        assert internal not in page, internal  # published sources in words, with links
    assert page.count('<a href="https://') >= len(estimate.evidence)


def test_report_is_honest_where_figures_are_missing():
    page = render_report(estimate_risk("fop"))
    assert "no reliable published figure for <b>severe</b>" in page
    assert "No range can be given" in page
    assert "No published window" in page
    assert "injections into muscle" in page


def test_report_tells_subgroup_figures_for_what_they_are():
    page = render_report(estimate_risk("elbow-fracture", ["distal-humerus"]))
    share = per_hundred(evidence_row("elbow_distal_humerus").value)
    assert f"about {share} in 100 developed severe HO" in page
    page = render_report(estimate_risk("amputation", ["transfemoral"]))
    assert f"about {per_hundred(evidence_row('amputation_transfemoral').value)} in 100 developed HO" in page


def test_report_escapes_text_from_the_evidence():
    page = render_report(estimate_risk("tbi"))  # onset_tbi's source reads "Watanabe & Sant 2001"
    assert "Watanabe &amp; Sant" in page and "Watanabe & Sant" not in page


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary on this machine (CI installs it in .ci/run)")
def test_report_renders_in_headless_chromium(tmp_path):
    report = tmp_path / "report.html"
    report.write_text(render_report(estimate_risk("sci", ["complete-injury", "spasticity"])), encoding="utf-8")
    shot = tmp_path / "shot.png"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1000,2000",
               f"file://{report}"]
    subprocess.run(command, capture_output=True, timeout=120, check=False)
    assert shot.exists(), "chromium wrote no screenshot"
    pixels = imread(shot)
    assert pixels.shape[:2] == (2000, 1000)
    assert float(np.var(pixels)) > 0  # not a blank page
    red = (pixels[..., 0] > 0.6) & (pixels[..., 1] < 0.35) & (pixels[..., 2] < 0.3)
    assert red.sum() > 100  # the coloured dots of the 100-person picture are drawn
