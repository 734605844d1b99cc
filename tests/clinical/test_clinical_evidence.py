"""The packaged evidence: the shared table unchanged, every figure sourced and readable by the sampler."""

import csv
from pathlib import Path

import numpy as np
import pytest

from hosim.clinical.evidence import DATA, load_evidence, uncertainty_of
from hosim.clinical.sampling import draw
from hosim.clinical.settings import GENERAL_ONSET, SETTINGS

SHARED = Path(__file__).resolve().parents[3] / "shared" / "evidence" / "clinical_evidence.csv"  # beside the checkout


@pytest.mark.skipif(not SHARED.exists(), reason="the project's shared evidence folder is not on this machine")
def test_packaged_table_is_the_shared_table_unchanged():
    assert DATA.joinpath("clinical_evidence.csv").read_bytes() == SHARED.read_bytes()


def test_every_row_has_a_source_and_a_readable_uncertainty():
    rows = load_evidence()
    assert len(rows) > 50
    for row in rows.values():
        assert row.source, row.id
        if row.value is not None and row.unit in ("fraction", "OR", "RR", "OR per day"):
            assert uncertainty_of(row.id).kind in ("range95", "counts", "p_value", "fixed")


def test_uncertainty_entries_refer_to_rows_and_counts_match_the_reported_fraction():
    rows = load_evidence()
    with DATA.joinpath("uncertainty.csv").open() as handle:
        for entry in csv.DictReader(handle):
            row = rows[entry["id"]]
            assert entry["source"], entry["id"]
            if entry["kind"] == "counts":
                events, total = float(entry["a"]), float(entry["b"])
                assert 0 <= events <= total
                assert abs(events / total - row.value) < 0.006, row.id


def test_every_row_a_setting_names_exists_with_the_figure_the_method_needs():
    rows = load_evidence()
    for setting in SETTINGS.values():
        numeric = [*setting.any_ho, *setting.severe_ho, *setting.odds_factors.values()]
        numeric += [row for p in setting.patterns.values() for row in (*p.any_ho, *p.severe_ho)]
        for row_id in numeric:
            assert rows[row_id].value is not None, (setting.name, row_id)
        for row_id in setting.unquantified.values():  # no usable figure: qualitative, or a seed figure
            assert rows[row_id].unit == "qualitative" or "not confirmed" in rows[row_id].note, row_id
        if setting.onset:
            onset = rows[setting.onset]
            assert onset.unit == "days" and onset.high is not None
            assert (onset.low if onset.low is not None else rows[GENERAL_ONSET].low) < onset.high


def test_sampler_reproduces_a_95_percent_range():
    row = load_evidence()["tha_any"]  # 0.30 (0.15-0.90), asymmetric
    values = draw(row, 200_000, np.random.default_rng(1))
    low, median, high = np.percentile(values, [2.5, 50, 97.5])
    assert median == pytest.approx(row.value, abs=0.005)
    assert low == pytest.approx(row.low, abs=0.005) and high == pytest.approx(row.high, abs=0.005)


def test_sampler_reads_counts_as_a_binomial_posterior():
    row = load_evidence()["acetabular_severe"]  # 7 of 90
    values = draw(row, 200_000, np.random.default_rng(2))
    assert values.mean() == pytest.approx(7.5 / 91, abs=0.002)  # Jeffreys posterior mean
    assert values.min() > 0 and values.max() < 1


def test_sampler_turns_a_p_value_into_the_matching_spread():
    row = load_evidence()["burns_or_arm_graft"]  # OR 96.4, p = 0.04
    values = draw(row, 400_000, np.random.default_rng(3))
    assert np.mean(values < 1.0) == pytest.approx(0.02, abs=0.002)  # one tail of a two-sided p
    assert np.median(values) == pytest.approx(row.value, rel=0.02)


def test_fixed_rows_do_not_vary():
    row = load_evidence()["tha_prior_ho_incidence"]
    assert np.all(draw(row, 10, np.random.default_rng(0)) == row.value)
