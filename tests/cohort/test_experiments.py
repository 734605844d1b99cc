"""Virtual experiments on quick (well-mixed) runs: outputs, the dose threshold, the timing window, parallel
runs equal serial ones, resume after an interruption, bad input. The knockout target bounds are tested on
the default model in test_experiments_knockouts.py."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hosim.analysis.measures import DETECTION_MM3
from hosim.biology.interventions import INTERVENTIONS, TREATMENT
from hosim.cohort.experiments import (
    ALSO,
    DOSES,
    NOT_TIMED,
    STARTS,
    anti_ho_treatments,
    dose_threshold,
    latest_effective_start,
    load_targets,
    run_experiment,
    run_options,
    timing_name,
)
from hosim.cohort.runner import Case, run_cases

SHARED_TARGETS = Path(__file__).resolve().parents[3] / "shared" / "targets" / "mouse_bmp2.toml"  # beside the checkout
QUICK = run_options(dims=0)


def hosim(*args, **kw):
    return subprocess.run([sys.executable, "-m", "hosim.cli", *args], capture_output=True, text=True, **kw)


@pytest.mark.skipif(not SHARED_TARGETS.exists(), reason="the project's shared targets are not on this machine")
def test_packaged_targets_are_the_shared_files_unchanged():
    from importlib.resources import files

    for name in ("mouse_bmp2.toml", "mouse_injury.toml"):
        shared = SHARED_TARGETS.with_name(name)
        assert files("hosim").joinpath(f"data/targets/{name}").read_bytes() == shared.read_bytes(), name


def test_every_also_rule_of_the_knockout_targets_is_encoded():
    knockouts = load_targets()["knockouts"]
    assert set(ALSO) == {name for name, entry in knockouts.items() if "also" in entry}


def test_dose_threshold_brackets_the_first_detectable_dose():
    doses = [0.0, 0.1, 1.0, 10.0]
    assert dose_threshold(doses, [0.0, 1e-4, 1e-2, 1.0], 1e-3) == pytest.approx(
        {"low": 0.1, "high": 1.0, "estimate": 10 ** -0.5})
    assert dose_threshold(doses, [0.0, 0.0, 1e-2, 1.0], 1e-3)["estimate"] == pytest.approx(10 ** -0.5)
    assert dose_threshold(doses, [0.0, 1.0, 2.0, 3.0], 1e-3) == {"low": 0.0, "high": 0.1, "estimate": None}
    assert dose_threshold(doses, [0.0] * 4, 1e-3)["high"] is None
    # bone that dips below detection again at a higher dose moves the threshold above the dip
    assert dose_threshold(doses, [0.0, 1.0, 0.0, 1.0], 1e-3)["low"] == 1.0


def test_latest_effective_start_keeps_half_of_the_day0_effect():
    prevented = dict(zip(STARTS, [0.8, 0.7, 0.5, 0.4, 0.3, 0.1]))
    assert latest_effective_start(prevented) == 3.0
    assert latest_effective_start(dict(zip(STARTS, [0.0] * 6))) is None


@pytest.fixture(scope="module")
def dose_response(tmp_path_factory):
    out = tmp_path_factory.mktemp("dose")
    report, batch = run_experiment("dose-response", out, QUICK, workers=2)
    return out, report, batch


@pytest.mark.slow
def test_dose_response_writes_table_and_figure_and_bone_grows_with_dose_above_a_threshold(dose_response):
    out, report, batch = dose_response
    assert sorted(batch.computed) == sorted(f"dose-{d:g}" for d in DOSES)
    with (out / "dose-response.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [float(r["dose"]) for r in rows] == list(DOSES)
    bone = [float(r["heterotopic_bone_mm3"]) for r in rows]
    assert bone == [r["heterotopic_bone_mm3"] for r in report["rows"]]
    # targets [control]: bone increases with BMP2 dose and vanishes below a threshold dose
    assert all(b2 >= b1 - 1e-9 for b1, b2 in zip(bone, bone[1:]))
    assert bone[0] <= DETECTION_MM3 < bone[-1]
    threshold = report["threshold"]
    assert threshold["high"] is not None and threshold["low"] is not None
    assert "Threshold" in (out / "dose-response.md").read_text()
    assert (out / "dose-response.png").stat().st_size > 10_000


@pytest.mark.slow
def test_a_rerun_reuses_every_saved_case(dose_response):
    out, report, _ = dose_response
    again, batch = run_experiment("dose-response", out, QUICK, workers=2)
    assert batch.computed == [] and len(batch.reused) == len(DOSES)
    assert again["rows"] == report["rows"]


@pytest.mark.slow
def test_cases_run_with_other_options_are_not_reused(dose_response):
    out, _, _ = dose_response
    cases = [Case("dose-0", "mouse-bmp2", (), {"dose": 0.0})]
    batch = run_cases(cases, out, run_options(dims=0, days=3.0), workers=1)
    assert batch.computed == ["dose-0"]


@pytest.mark.slow
def test_cases_of_a_changed_model_are_not_reused(dose_response):
    import json

    out, _, _ = dose_response
    cases = [Case("dose-0", "mouse-bmp2", (), {"dose": 0.0})]
    run_cases(cases, out, QUICK, workers=1)
    assert run_cases(cases, out, QUICK, workers=1).reused == ["dose-0"]
    saved = out / "cases" / "dose-0.json"
    record = json.loads(saved.read_text())
    record["spec"]["model"] = "the fingerprint of another model"  # saved by other code
    saved.write_text(json.dumps(record))
    assert run_cases(cases, out, QUICK, workers=1).computed == ["dose-0"]


def test_the_model_fingerprint_follows_code_and_data_not_comments_docstrings_or_sources():
    from hosim.fingerprint import meaning

    code = 'def rate(x):\n    """Why."""\n    return 2 * x  # per day\n'
    assert meaning("a.py", code) == meaning("a.py", code.replace("Why.", "Because.").replace("# per day", ""))
    assert meaning("a.py", code) != meaning("a.py", code.replace("2 * x", "3 * x"))
    data = '[k]\nvalue = 1.0  # note\nsource = "Smith 2001"\nsets = [{ parameter = "x", value = 2.0 }]\n'
    assert meaning("p.toml", data) == meaning("p.toml", data.replace("# note", "").replace("Smith", "Jones"))
    assert meaning("p.toml", data) != meaning("p.toml", data.replace("1.0", "1.5"))
    assert meaning("p.toml", data) != meaning("p.toml", data.replace('"x"', '"y"'))


@pytest.mark.slow
def test_a_case_finished_after_the_model_changed_is_not_saved(tmp_path, monkeypatch):
    import hosim.cohort.runner as runner
    from hosim.errors import SimulationError

    monkeypatch.setattr(runner, "model_fingerprint", lambda: "model as the batch started")  # the worker's differs
    with pytest.raises(SimulationError, match="changed while it ran"):
        run_cases([Case("control", "mouse-bmp2")], tmp_path, run_options(dims=0, days=1.0), workers=1)
    assert not (tmp_path / "cases" / "control.json").exists()


@pytest.mark.slow
def test_parallel_workers_and_a_dask_client_give_the_serial_results(tmp_path):
    from distributed import Client

    cases = [Case("control", "mouse-bmp2"), Case("cromolyn", "mouse-bmp2", ({"name": "cromolyn", "start": 1},)),
             Case("low-dose", "mouse-bmp2", (), {"dose": 0.5})]
    options = run_options(dims=0, days=8.0)
    serial = run_cases(cases, tmp_path / "serial", options, workers=1).outcomes
    parallel = run_cases(cases, tmp_path / "parallel", options, workers=2).outcomes
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None) as client:
        dask = run_cases(cases, tmp_path / "dask", options, client=client).outcomes
    for name in serial:
        assert parallel[name]["metrics"] == serial[name]["metrics"] == dask[name]["metrics"], name


@pytest.mark.slow
def test_timing_experiment_tables_each_treatment_at_each_start(tmp_path):
    report, batch = run_experiment("timing", tmp_path, QUICK, workers=2)
    assert len(batch.computed) == 1 + len(anti_ho_treatments()) * len(STARTS)
    rows = {r["intervention"]: r for r in report["rows"]}
    assert set(rows) == set(anti_ho_treatments())
    assert set(anti_ho_treatments()) | set(NOT_TIMED) == {n for n, i in INTERVENTIONS.items() if i.kind == TREATMENT}
    control = json.loads((tmp_path / "cases" / "control.json").read_text())["metrics"]["heterotopic_bone_mm3"]
    for name, row in rows.items():
        for s in STARTS:
            case = json.loads((tmp_path / "cases" / f"{timing_name(name, s)}.json").read_text())
            assert case["interventions"][0]["start"] == s
            assert row[f"day{s:g}"] == pytest.approx(1 - case["metrics"]["heterotopic_bone_mm3"] / control)
    text = (tmp_path / "timing.md").read_text()
    assert "latest start" in text and all(name in text for name in rows)
    assert (tmp_path / "timing.png").stat().st_size > 10_000


@pytest.mark.slow
def test_an_interrupted_experiment_resumes_without_recomputing_finished_cases(tmp_path):
    """Kill `hosim experiment` (and its workers) once some cases are saved; the re-run keeps those files."""
    out = tmp_path / "timing"
    cmd = [sys.executable, "-m", "hosim.cli", "experiment", "timing", "--dims", "0", "--workers", "1",
           "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    cases = out / "cases"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(cases.glob("*.json"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in cases.glob("*.json")}
    total = 1 + len(anti_ho_treatments()) * len(STARTS)
    assert 2 <= len(finished) < total
    rerun = hosim("experiment", "timing", "--dims", "0", "--workers", "2", "--out", str(out))
    assert rerun.returncode == 0, rerun.stderr
    assert f"{total - len(finished)} computed, {len(finished)} reused" in rerun.stdout
    for name, (mtime, content) in finished.items():
        path = cases / name
        assert path.stat().st_mtime_ns == mtime and path.read_bytes() == content, name
    assert len(list(cases.glob("*.json"))) == total and not list(cases.glob(".*.tmp"))


@pytest.mark.parametrize(
    "args, words",
    [
        (["experiment", "no-such-experiment"], ["no-such-experiment", "knockouts", "dose-response", "timing"]),
        (["experiment", "timing", "--days", "5"], ["--days", "7"]),
        (["experiment", "knockouts", "--dims", "4"], ["--dims", "0, 1, 2 or 3"]),
        (["experiment", "knockouts", "--workers", "0"], ["--workers"]),
    ],
)
@pytest.mark.slow
def test_bad_experiment_input_is_one_line_exit_2(tmp_path, args, words):
    proc = hosim(*args, "--out", str(tmp_path / "x"))
    assert proc.returncode == 2, proc.stderr
    line = proc.stderr.strip()
    assert "\n" not in line and "Traceback" not in line and all(w in line for w in words), line
