"""Interventions: the registry against MODEL.md, spec checking (exit 2), what each changes, timing, strength 0."""

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hosim.biology import load_parameters, species_names
from hosim.biology.variables import tracers_of
from hosim.biology.interventions import (
    GENOTYPE,
    INTERVENTIONS,
    TREATMENT,
    check_registry,
    listing,
    scaled_parameters,
)
from hosim.biology.variables import VARIABLE_NAMES
from hosim.errors import InputError
from hosim.biology.courses import Applied, Schedule, resolve
from hosim.simulation import simulate

MODEL = Path(__file__).resolve().parents[3] / "shared" / "MODEL.md"  # the project's shared folder beside the checkout
QUICK = dict(dims=0, days=6.0)  # a well-mixed run through cartilage onset: under a second


def hosim(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "hosim.cli", *args], capture_output=True, text=True, cwd=cwd)


def series_equal_until(a, b, day):
    """Whether every recorded series of two results is identical up to and including `day`."""
    t = a.dataset["time"].values
    keep = t <= day + 1e-9
    return all(np.array_equal(a.dataset[n].values[keep], b.dataset[n].values[keep]) for n in a.dataset.data_vars
               if a.dataset[n].dims == ("time",))


@pytest.fixture(scope="module")
def control():
    return simulate("mouse-bmp2", **QUICK)


@pytest.mark.skipif(not MODEL.exists(), reason="the project's shared MODEL.md is not on this machine")
def test_every_row_of_the_model_table_is_an_intervention_with_its_step():
    table = MODEL.read_text().split("## Interventions")[1].split("\n## ")[0]
    rows = dict(re.findall(r"^\| ([a-z0-9-]+) \| ([0-9-]+) \|", table, flags=re.M))
    assert len(rows) == 14
    assert set(rows) <= set(INTERVENTIONS)  # the injury biology of issue 11 adds more (docs/interventions.md)
    for name, steps in rows.items():
        assert INTERVENTIONS[name].steps == steps, name


def test_every_intervention_is_a_row_of_the_docs_table_with_its_kind():
    """docs/interventions.md lists exactly the registry (MODEL.md's rows and those the injury biology added)."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "interventions.md").read_text()
    rows = dict(re.findall(r"^\| ([a-z0-9-]+) \| (genotype|treatment)", docs, flags=re.M))
    assert set(rows) == set(INTERVENTIONS)
    assert all(INTERVENTIONS[name].kind == kind for name, kind in rows.items())


def test_registry_names_real_parameters_and_populations_and_cites_evidence():
    check_registry(load_parameters(), species_names())
    for item in INTERVENTIONS.values():
        assert item.kind in (GENOTYPE, TREATMENT)
        assert re.search(r"(19|20)\d\d", item.evidence), item.name  # a dated citation
        assert item.scales or item.kills or item.sets, item.name
        assert 0.0 <= item.default_strength <= 1.0 and item.strength_source, item.name
        for s in item.scales:
            assert s.share == 1.0 or s.share_source, (item.name, s.parameter)


def test_a_kill_of_a_lineage_tracer_alone_is_refused():
    import dataclasses

    radiation = INTERVENTIONS["radiation"]
    bad = {**INTERVENTIONS, "x": dataclasses.replace(radiation, name="x", kills=("resident_osteoblasts",))}
    with pytest.raises(ValueError, match="lineage tracer resident_osteoblasts"):
        check_registry(load_parameters(), species_names(), bad)


def test_listing_command_shows_every_intervention_with_evidence():
    proc = hosim("interventions")
    assert proc.returncode == 0
    for name in INTERVENTIONS:
        assert name in proc.stdout
    assert proc.stdout.count("evidence:") == len(INTERVENTIONS)
    data = json.loads(hosim("interventions", "--json").stdout)
    assert [row["name"] for row in data] == [row["name"] for row in listing()]


@pytest.mark.parametrize(
    "spec, words",
    [
        ("no-such-drug", ["no-such-drug", "cromolyn", "radiation"]),
        ("cromolyn:dose=3", ["dose", "start, end, strength, dose_gy"]),
        ("cromolyn:dose_gy=7", ["dose_gy", "radiation"]),
        ("radiation:dose_gy=50", ["dose_gy", "[0.5, 30]"]),
        ("radiation:dose_gy=7,strength=0.5", ["dose_gy or strength"]),
        ("cromolyn:strength=1.5", ["strength", "[0, 1]"]),
        ("cromolyn:strength=-0.1", ["strength", "[0, 1]"]),
        ("cromolyn:start=-3", ["start", ">= -2"]),
        ("cromolyn:start=4,end=2", ["start", "end"]),
        ("cromolyn:start=soon", ["start", "number", "soon"]),
        ("cromolyn:start=30", ["start", "within the run"]),
        ("trpv1-ko:start=2", ["genotype", "start", "strength"]),
        ("acvr1-r206h:start=2", ["genotype", "start", "strength"]),
    ],
)
def test_bad_intervention_is_one_line_exit_2_naming_what_is_allowed(tmp_path, spec, words):
    out = tmp_path / "out"
    proc = hosim("run", "mouse-bmp2", "--dims", "0", "-i", spec, "--out", str(out))
    assert proc.returncode == 2, proc.stderr
    line = proc.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert all(w in line for w in words), line
    assert not out.exists() or not any(out.iterdir())


def test_summary_records_the_resolved_interventions(tmp_path):
    out = tmp_path / "run"
    proc = hosim("run", "mouse-bmp2", "--dims", "0", "--days", "4", "--no-figures", "--out", str(out),
                 "-i", "cromolyn:start=1,strength=0.8", "-i", "radiation:start=2", "-i", "mast-cell-deficient")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["interventions"] == [
        {"name": "cromolyn", "kind": "treatment", "start": 1.0, "end": 4.0, "strength": 0.8},
        {"name": "radiation", "kind": "treatment", "start": 2.0, "end": 4.0, "strength": 0.9},
        {"name": "mast-cell-deficient", "kind": "genotype", "start": 0.0, "end": 4.0, "strength": 1.0},
    ]


@pytest.mark.parametrize("name", list(INTERVENTIONS))
def test_strength_zero_is_identical_to_the_control(control, name):
    result = simulate("mouse-bmp2", [{"name": name, "strength": 0.0}], **QUICK)
    assert result.metrics == control.metrics
    assert series_equal_until(result, control, QUICK["days"])


# The activin A antibody acts only on ACVR1 R206H, so it is tested in the FOP model (tests/scenarios/test_fop.py).
@pytest.mark.parametrize("name", [n for n, i in INTERVENTIONS.items() if i.kind == TREATMENT and n != "activin-a-antibody"])
def test_a_timed_treatment_has_no_effect_before_its_start_and_acts_after(control, name):
    start = 2.0
    result = simulate("mouse-bmp2", [{"name": name, "start": start, "strength": 1.0}], **QUICK)
    assert series_equal_until(result, control, start)
    assert not series_equal_until(result, control, QUICK["days"]), f"{name} changed nothing after its start"


def test_a_treatment_stops_acting_at_its_end():
    """A window [1, 2) acts like an open-ended start at 1 only until day 2."""
    windowed = simulate("mouse-bmp2", [{"name": "nk1r-antagonist", "start": 1, "end": 2}], **QUICK)
    open_ended = simulate("mouse-bmp2", [{"name": "nk1r-antagonist", "start": 1}], **QUICK)
    assert series_equal_until(windowed, open_ended, 2.0)
    assert not series_equal_until(windowed, open_ended, QUICK["days"])


def test_strength_scales_each_parameter_by_one_minus_strength_times_share():
    base = load_parameters()
    for item in INTERVENTIONS.values():
        if item.kind == GENOTYPE:
            applied = resolve([{"name": item.name, "strength": 0.3}], 10.0)
        else:
            applied = resolve([{"name": item.name, "strength": 0.3, "start": 1}], 10.0)
        scaled = scaled_parameters(base, [(a.intervention, a.strength) for a in applied])
        changed = {n for n in base if scaled.value(n) != base.value(n)}
        expected = {s.parameter for s in item.scales if base.value(s.parameter) != 0.0}
        expected |= {n for n, target in item.sets if target != base.value(n)}
        assert changed == expected, item.name
        for s in item.scales:
            assert scaled.value(s.parameter) == pytest.approx(base.value(s.parameter) * (1 - 0.3 * s.share))
        for n, target in item.sets:  # a gain of function moves a fraction `strength` of the way to its target
            assert scaled.value(n) == pytest.approx(base.value(n) + 0.3 * (target - base.value(n)))


def test_knockouts_may_leave_the_plausible_range_and_overlapping_factors_multiply():
    base = load_parameters()
    full = scaled_parameters(base, [(INTERVENTIONS["trpv1-ko"], 1.0)])
    assert full.value("exocytosis_bmp2") == 0.0 < full["exocytosis_bmp2"].low
    both = scaled_parameters(base, [(INTERVENTIONS["cromolyn"], 0.5), (INTERVENTIONS["nk1r-antagonist"], 0.5)])
    assert both.value("mast_degranulation") == pytest.approx(0.25 * base.value("mast_degranulation"))


def test_a_genotype_shapes_the_resting_tissue_a_drug_does_not():
    deficient = simulate("mouse-bmp2", ["mast-cell-deficient"], dims=0, days=0.5)
    assert deficient.dataset["mast_resting_total"].values[0] == 0.0
    assert deficient.dataset["mast_degranulated_total"].values.max() == 0.0
    drug = simulate("mouse-bmp2", [{"name": "cromolyn", "strength": 1.0}], dims=0, days=0.5)
    assert drug.dataset["mast_resting_total"].values[0] > 0.0
    spent = drug.dataset["mast_degranulated_total"].values  # the resting tissue's, none added
    assert np.all(np.diff(spent) < 0.0)


def test_radiation_kills_the_stated_fraction_over_its_window():
    item = INTERVENTIONS["radiation"]
    for s in (0.5, 0.9, 0.99):
        a = Applied(item, 3.0, 5.0, s)
        assert math.exp(-a.kill_rate() * 2.0) == pytest.approx(1 - s)
    assert Applied(item, 3.0, 5.0, 1.0).kill_rate() == math.inf
    result = simulate("mouse-bmp2", [{"name": "radiation", "start": 3, "strength": 1.0}], **QUICK)
    t = result.dataset["time"].values
    progenitors = result.dataset["tissue_progenitors_total"].values
    assert np.all(np.isfinite(progenitors))
    assert np.all(progenitors[(t > 3.0) & (t < 5.0)] == 0.0)


def test_schedule_switches_cascades_at_window_edges(control):
    base = control.setup.reactions
    applied = resolve([{"name": "cromolyn", "start": 1, "end": 3}, {"name": "radiation", "start": 2}], 6.0)
    schedule = Schedule(base, applied)
    assert schedule.at(0.99)[0] is base and schedule.at(0.99)[1] == []
    cromolyn_cascade = schedule.at(1.0)[0]
    assert cromolyn_cascade is not base and schedule.at(1.0)[1] == []
    both = schedule.at(2.5)
    assert both[0] is cromolyn_cascade  # radiation changes no parameter: the same cascade, plus kills
    killed = INTERVENTIONS["radiation"].kills
    assert {VARIABLE_NAMES[k] for k, _ in both[1]} == {*killed, *(t for n in killed for t in tracers_of(n))}
    assert schedule.at(3.0)[0] is base and schedule.at(3.9)[1] and schedule.at(4.0)[1] == []


def test_a_checkpoint_of_one_intervention_is_not_resumed_by_another(tmp_path):
    ckpt = tmp_path / "checkpoint.npz"
    simulate("mouse-bmp2", [{"name": "cromolyn", "strength": 0.5}], dims=0, days=0.5, checkpoint_path=ckpt)
    with pytest.raises(InputError):
        simulate("mouse-bmp2", [{"name": "cromolyn", "strength": 0.6}], dims=0, days=0.5, checkpoint_path=ckpt)


def test_interventions_act_on_the_control_scenario_too():
    result = simulate("mouse-empty", ["mast-cell-deficient", {"name": "palovarotene", "start": 1}], dims=0, days=2)
    assert [i["name"] for i in result.interventions] == ["mast-cell-deficient", "palovarotene"]


HUMAN_EXCEPTIONS = {"trpv1-ko", "ppt-ko", "mast-cell-deficient", "mmp9-inactive", "plasminogen-deficient",
                    "clodronate", "neutrophil-depletion", "gr-ko", "osmr-ko", "lps"}  # mouse lines and tools


def test_the_table_is_packaged_data_and_names_the_species_each_does_not_apply_to(tmp_path):
    from hosim.biology.interventions import parse_interventions

    assert {name for name, item in INTERVENTIONS.items() if item.exceptions} == HUMAN_EXCEPTIONS
    assert all(set(item.exceptions) == {"human"} for name, item in INTERVENTIONS.items() if item.exceptions)
    assert INTERVENTIONS["trpv1-ko"].species == ("mouse",) and "human" in INTERVENTIONS["nsaid"].species
    rows = {row["name"]: row for row in listing()}
    assert rows["trpv1-ko"]["exceptions"] == {"human": INTERVENTIONS["trpv1-ko"].exceptions["human"]}
    assert rows["nsaid"]["exceptions"] == {} and rows["nsaid"]["species"] == list(species_names())
    with pytest.raises(ValueError, match="malformed"):
        parse_interventions('[x]\nkind = "genotype"\n')
    with pytest.raises(ValueError, match="twice"):
        parse_interventions('[x]\nkind = "genotype"\nsteps = "1"\ndescription = "d"\nevidence = "e"\n'
                            'not_in = [{ species = "human", reason = "a" }, { species = "human", reason = "b" }]\n')
    with pytest.raises(InputError, match="intervention trpv1-ko does not apply to human: a knockout mouse line"):
        simulate("mouse-bmp2", ["trpv1-ko"], dims=0, days=1.0, species="human")


@pytest.mark.parametrize("not_in, words", [
    ((("rat", "a mouse line"),), "not_in names 'rat'"),
    ((("human", " "),), "not_in human needs a reason"),
])
def test_an_exception_names_a_known_species_and_a_reason(not_in, words):
    import dataclasses

    bad = {"x": dataclasses.replace(INTERVENTIONS["trpv1-ko"], name="x", not_in=not_in)}
    with pytest.raises(ValueError, match=words):
        check_registry(load_parameters(), species_names(), bad)
