"""The calibration bar of issue 3: every event of data/targets/mouse_bmp2.toml outside [knockouts] holds in
the default 2-D run; the event order holds in 0-D and in 3-D, which stay close to 2-D (issue 12); the
empty-vector control and the dose response behave as the experiments did. The 2-D tests share one module-scoped pair of runs."""

import numpy as np
import pytest

import hosim
from hosim.analysis.calibration import (
    EVENT_ORDER,
    Run,
    control_check,
    order_checks,
    rule_checks,
    window_checks,
)
from hosim.analysis.measures import DETECTION_MM3
from hosim.analysis.targets import load_targets

pytestmark = pytest.mark.slow  # every test here runs the model in 2-D or 3-D, or whole experiments

TARGETS = load_targets()
WINDOW_EVENTS = [e for e, entry in TARGETS.items() if e != "knockouts" and "window" in entry]


def as_run(result) -> Run:
    ds = result.dataset
    series = {name: ds[name].values for name in result.setup.observables}
    return Run(ds["time"].values, series, result.metrics)


@pytest.fixture(scope="module")
def default_runs():
    """mouse-bmp2 and mouse-empty with every default (2-D, 21 days)."""
    return as_run(hosim.simulate("mouse-bmp2")), as_run(hosim.simulate("mouse-empty"))


def test_shipped_targets_are_the_shared_calibration_set():
    assert set(WINDOW_EVENTS) == {
        "substance_p", "mast_cells", "blood_nerve_barrier", "endoneurial_progenitors", "circulating_progenitors",
        "brown_fat", "hypoxia", "vessels", "cartilage", "bone",
    }
    assert all(TARGETS[e]["evidence"] for e in WINDOW_EVENTS + ["control"])


@pytest.mark.parametrize("event", WINDOW_EVENTS)
def test_event_falls_in_its_window_in_2d(default_runs, event):
    bmp2, _ = default_runs
    (check,) = [c for c in window_checks(bmp2.metrics, TARGETS) if c.event == event]
    assert check.ok, f"{check.rule}: got {check.value}"


RULES = [
    ("substance_p", "substance P above 2x control through day 6"),
    ("blood_nerve_barrier", "below half its peak by day 7"),
    ("circulating_progenitors", "peak fold >= 4"),
    ("circulating_progenitors", "below 25% of peak by day 5"),
    ("brown_fat", "tBAT above 10% of its peak by day 1"),
    ("brown_fat", "tBAT below 30% of its peak by day 14"),
    ("hypoxia", "lesion oxygen below 10 mmHg"),
    ("vessels", "vessel growth at least 2 days before cartilage onset"),
    ("cartilage", "cartilage_peak_day in [5, 9]"),
    ("cartilage", "replaced by bone afterwards (end below half its peak)"),
    ("bone", "bone at day 14 >= 70% of day 21"),
]


@pytest.mark.parametrize("event, rule", RULES, ids=[r for _, r in RULES])
def test_also_rule_holds_in_2d(default_runs, event, rule):
    checks = {(c.event, c.rule): c for c in rule_checks(*default_runs)}
    assert set(checks) == set(RULES)
    check = checks[(event, rule)]
    assert check.ok, f"{event}: {rule}: got {check.value}"


def test_empty_vector_gives_under_one_percent_of_the_bone(default_runs):
    bmp2, empty = default_runs
    assert bmp2.metrics["heterotopic_bone_mm3"] > 100 * DETECTION_MM3
    check = control_check(bmp2, empty)
    assert check.ok, f"control/bmp2 = {check.value}"


def test_heterotopic_bone_lies_away_from_the_skeleton(default_runs):
    bmp2, _ = default_runs
    assert bmp2.metrics["heterotopic_bone_mm3"] > 10 * bmp2.metrics["orthotopic_bone_mm3"]


def test_event_order_holds_in_2d(default_runs):
    bad = [c.rule for c in order_checks(default_runs[0].metrics) if not c.ok]
    assert bad == []


def test_the_2d_metrics_converge_with_the_grid(default_runs):
    """The default 24-um grid and a 48-um grid agree: heterotopic bone within 10%, every event day within
    half a day (docs/model.md, grid refinement: 12 um is within 3% of 24 um)."""
    fine = default_runs[0].metrics
    coarse = hosim.simulate("mouse-bmp2", resolution_um=48.0).metrics
    assert coarse["heterotopic_bone_mm3"] == pytest.approx(fine["heterotopic_bone_mm3"], rel=0.10)
    days = [k for k in fine if k.endswith("_day") and fine[k] is not None]
    assert len(days) >= 10
    assert all(abs(coarse[k] - fine[k]) <= 0.5 for k in days), {k: (coarse[k], fine[k]) for k in days}


def test_0d_stays_within_a_day_of_2d(default_runs):
    """The reduced model (docs/model.md, Dimensions: the 0-D column of the generated table): the event order
    holds, every event day is within one day of the default 2-D run's except the cartilage peak (the whole
    compartment turns hypoxic together; 1.2 days early), and heterotopic bone is within a factor of 2."""
    two = default_runs[0].metrics
    metrics = hosim.simulate("mouse-bmp2", dims=0).metrics
    bad = [(c.rule, c.value) for c in order_checks(metrics) if not c.ok]
    assert bad == []
    allowed = {k: 1.5 if k == "cartilage_peak_day" else 1.0 for k in two if k.endswith("_day")}
    assert all(abs(metrics[k] - two[k]) <= allowed[k] for k in allowed), {k: (two[k], metrics[k]) for k in allowed}
    assert 0.5 < metrics["heterotopic_bone_mm3"] / two["heterotopic_bone_mm3"] < 2.0


def test_2d_and_3d_agree():
    """The same mouse in 2-D and in 3-D, both on 48-um grids (the 3-D bolus is the cylinder the 2-D section
    stands for; the section's signals leak out of the slab's ends): the event order holds in 3-D,
    heterotopic bone agrees within a factor of 2 and every event day within one day (issue 12)."""
    two = hosim.simulate("mouse-bmp2", resolution_um=48.0).metrics
    three = hosim.simulate("mouse-bmp2", dims=3, resolution_um=48.0).metrics
    bad = [(c.rule, c.value) for c in order_checks(three) if not c.ok]
    assert bad == []
    assert len(EVENT_ORDER) == len(order_checks(three))
    assert 0.5 < three["heterotopic_bone_mm3"] / two["heterotopic_bone_mm3"] < 2.0, (two, three)
    days = [k for k in two if k.endswith("_day")]
    assert len(days) >= 10 and all(two[k] is not None and three[k] is not None for k in days)
    assert all(abs(three[k] - two[k]) <= 1.0 for k in days), {k: (two[k], three[k]) for k in days}


def test_bone_increases_with_dose_and_vanishes_below_a_threshold():
    """[control] rule, on a coarser 2-D grid (48 um) so five doses stay cheap."""
    doses = [0.5, 1.0, 2.5, 5.0, 10.0]
    bone = [hosim.simulate("mouse-bmp2", resolution_um=48.0, dose=d).metrics["heterotopic_bone_mm3"] for d in doses]
    assert bone[0] < DETECTION_MM3 < bone[-1]
    assert np.all(np.diff(bone) > 0), dict(zip(doses, bone))
