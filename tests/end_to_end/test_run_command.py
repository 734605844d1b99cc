"""`hosim run`: the output contract (summary.json, result.nc, figures), bad input, and resume."""

import json
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

from hosim.analysis.measures import METRIC_KEYS
from hosim.simulation import simulate


def hosim(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "hosim.cli", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "mouse"
    proc = hosim("run", "mouse-bmp2", "--dims", "2", "--resolution", "60", "--days", "3", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.mark.slow
def test_summary_json_keeps_the_contract(run_dir):
    summary = json.loads((run_dir / "summary.json").read_text())
    assert set(summary) >= {"scenario", "interventions", "options", "metrics", "version"}  # DESIGN.md: keys added only
    assert summary["scenario"] == "mouse-bmp2" and summary["interventions"] == []
    assert summary["species"] == summary["options"]["species"] == "mouse"
    assert set(summary["units"]) == set(METRIC_KEYS) and summary["units"]["bone_onset_day"] == "day"
    assert summary["options"]["dims"] == 2 and summary["options"]["days"] == 3
    assert set(summary["metrics"]) == set(METRIC_KEYS)
    assert summary["metrics"]["heterotopic_bone_mm3_day14"] is None  # the run is shorter than 14 days


@pytest.mark.slow
def test_result_nc_has_series_snapshots_and_units(run_dir):
    with xr.open_dataset(run_dir / "result.nc") as ds:
        assert ds["time"].values[0] == 0 and ds["time"].values[-1] == pytest.approx(3.0)
        assert list(ds["snapshot_day"].values) == [0, 1, 2, 3]
        assert ds["oxygen_total"].attrs["units"] and ds["oxygen_field"].attrs["units"] == "mmHg"
        assert ds["bone_woven_field"].dims == ("snapshot_day", "y", "x")
        assert "slab" in ds.attrs["volume_note"]
        assert np.all(np.isfinite(ds["bmp2_total"].values))


@pytest.mark.slow
def test_figures_are_written(run_dir):
    for name in ("timeline.png", "lesion.png"):
        path = run_dir / "figures" / name
        assert path.stat().st_size > 10_000
    assert not (run_dir / "checkpoint.npz").exists()  # removed once the outputs are complete


@pytest.mark.parametrize(
    "args, words",
    [
        (["run", "no-such-scenario"], ["no-such-scenario", "mouse-bmp2"]),
        (["run", "mouse-bmp2", "--dims", "5"], ["dims", "0, 1, 2 or 3"]),
        (["run", "mouse-bmp2", "--days", "-2"], ["days"]),
        (["run", "mouse-bmp2", "-p", "dose=-1"], ["dose"]),
        (["run", "mouse-bmp2", "-p", "colour=blue"], ["colour", "dose"]),
        (["run", "mouse-bmp2", "-p", "nonsense"], ["KEY=VALUE"]),
    ],
)
@pytest.mark.slow
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, args, words):
    out = tmp_path / "out"
    proc = hosim(*args, "--out", str(out))
    assert proc.returncode == 2
    line = proc.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert all(w in line for w in words), line
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.slow
def test_scenarios_are_listed():
    proc = hosim("scenarios")
    assert proc.returncode == 0 and "mouse-bmp2" in proc.stdout and "mouse-empty" in proc.stdout


def test_resumed_run_gives_the_same_result_as_an_uninterrupted_one(tmp_path):
    """Stop a run half way (as a kill would), then resume it from its checkpoint."""
    opts = dict(dims=0, days=2.0)
    reference = simulate("mouse-bmp2", **opts)
    ckpt = tmp_path / "checkpoint.npz"

    class Killed(Exception):
        pass

    def kill_half_way(i, n):
        if i == n // 2:
            raise Killed

    with pytest.raises(Killed):
        simulate("mouse-bmp2", checkpoint_path=ckpt, checkpoint_every=10, progress=kill_half_way, **opts)
    assert ckpt.exists()
    resumed = simulate("mouse-bmp2", checkpoint_path=ckpt, checkpoint_every=10, **opts)
    assert resumed.metrics == reference.metrics
    for name in reference.dataset.data_vars:
        assert np.array_equal(resumed.dataset[name].values, reference.dataset[name].values), name
