"""What `hosim run` leaves for a reader: a CF-conformant result.nc, summary.json with units and
provenance, progress and a summary on the terminal; and how it guards its output folder (a lock
against a second command, no overwriting another run's results without --force, --fresh)."""

import json
import os

import cf_units
import numpy as np
import pytest
import xarray as xr

from hosim.cli import main
from hosim.files import LOCK_NAME

QUICK = ["--dims", "0", "--days", "1", "--no-figures"]


def hosim(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def run_2d(tmp_path_factory):
    out = tmp_path_factory.mktemp("run2d")
    assert main(["run", "mouse-bmp2", "--dims", "2", "--resolution", "96", "--days", "2", "--out", str(out)]) == 0
    return out


def test_result_nc_follows_cf_conventions(run_2d):
    with xr.open_dataset(run_2d / "result.nc", decode_timedelta=False) as ds:
        assert ds.attrs["Conventions"] == "CF-1.10" and "hosim" in ds.attrs["source"] and ds.attrs["history"]
        for name, variable in {**ds.data_vars, **ds.coords}.items():
            assert variable.attrs.get("long_name"), name
            if name.startswith("region_"):
                assert variable.dtype == np.int8 and set(np.unique(variable.values)) <= {0, 1}
                assert list(variable.attrs["flag_values"]) == [0, 1]
            else:
                cf_units.Unit(variable.attrs["units"])  # UDUNITS parses it
        assert ds["time"].attrs["long_name"] == "days since injury" and ds["time"].attrs["units"] == "day"
        tissue = [r for r in ("skeleton", "periosteum", "muscle", "nerve", "perineurium", "epineurium")]
        assert np.all(sum(ds[f"region_{r}"].values for r in tissue) == 1)  # the tissue regions partition a voxel
        fractions = ("cartilage", "bone_woven", "bone_mature", "tbat", "vessels")
        assert sum(ds[f"{f}_field"].values for f in fractions).max() <= 1.0
        assert 0.0 <= ds["hypoxic_fraction"].values.min() and ds["hypoxic_fraction"].values.max() <= 1.0


def test_summary_has_units_provenance_and_fractions_in_range(run_2d):
    summary = json.loads((run_2d / "summary.json").read_text())
    for unit in summary["units"].values():
        cf_units.Unit(unit)
    made = summary["provenance"]
    assert {"hosim_version", "commit", "created", "command", "platform", "python"} <= set(made)
    assert made["command"].startswith("hosim run mouse-bmp2")
    assert 0.0 <= summary["metrics"]["hypoxic_fraction_peak"] <= 1.0


def test_progress_lines_and_a_summary_of_the_run(tmp_path, capsys):
    code, out, err = hosim(capsys, "run", "mouse-bmp2", *QUICK, "--out", str(tmp_path / "r"))
    assert code == 0
    progress = err.strip().splitlines()
    assert progress[-1].startswith("mouse-bmp2: 100%") and len(progress) == 11  # every 10% when not a terminal
    assert "heterotopic bone" in out and "mm^3" in out and f"files: {tmp_path / 'r' / 'summary.json'}" in out


def test_a_folder_in_use_is_refused_and_a_stale_lock_taken_over(tmp_path, capsys):
    out = tmp_path / "busy"
    out.mkdir()
    (out / LOCK_NAME).write_text(f"{os.uname().nodename} {os.getpid()} hosim run mouse-bmp2\n")
    code, _, err = hosim(capsys, "run", "mouse-bmp2", *QUICK, "--out", str(out))
    assert code == 2 and "in use by another hosim command" in err and err.count("\n") == 1
    assert not (out / "summary.json").exists()
    (out / LOCK_NAME).write_text(f"{os.uname().nodename} 999999999 hosim run mouse-bmp2\n")  # its holder is gone
    code, _, _ = hosim(capsys, "run", "mouse-bmp2", *QUICK, "--out", str(out))
    assert code == 0 and (out / "summary.json").exists() and not (out / LOCK_NAME).exists()


def test_another_runs_results_are_kept_unless_forced(tmp_path, capsys):
    out = str(tmp_path / "kept")
    assert hosim(capsys, "run", "mouse-bmp2", *QUICK, "--out", out)[0] == 0
    assert hosim(capsys, "run", "mouse-bmp2", *QUICK, "--out", out)[0] == 0  # the same run again: replaced
    code, _, err = hosim(capsys, "run", "mouse-bmp2", *QUICK, "-p", "dose=1", "--out", out)
    assert code == 2 and "holds the results of another run (its options differ)" in err and "--force" in err
    assert json.loads((tmp_path / "kept" / "summary.json").read_text())["options"]["dose"] == 5.0
    assert hosim(capsys, "run", "mouse-bmp2", *QUICK, "-p", "dose=1", "--out", out, "--force")[0] == 0
    assert json.loads((tmp_path / "kept" / "summary.json").read_text())["options"]["dose"] == 1.0


def test_fresh_discards_a_checkpoint_of_another_run(tmp_path, capsys):
    out = tmp_path / "resume"
    out.mkdir()
    (out / "checkpoint.npz").write_bytes(b"left by something else")
    code, _, err = hosim(capsys, "run", "mouse-bmp2", *QUICK, "--out", str(out))
    assert code == 2 and "checkpoint" in err
    assert hosim(capsys, "run", "mouse-bmp2", *QUICK, "--out", str(out), "--fresh")[0] == 0
