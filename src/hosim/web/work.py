"""What a web job does in its own process: a scenario run, or a virtual cohort or trial, written into the
job's folder exactly as `hosim run`, `hosim cohort` and `hosim trial` write theirs."""

from __future__ import annotations

import os
import shutil
import sys
import traceback
from pathlib import Path

from hosim.errors import InputError, SimulationError
from hosim.files import write_json, write_text
from hosim.web.jobs import ERROR_FILE


def work(kind: str, spec: dict, folder: str, progress) -> None:
    """The job process: run, and on failure leave one line for the page (the traceback goes to the
    server's log only) and exit 1. The process leads its own group, so a cancel stops its helpers too."""
    os.setpgrp()
    out = Path(folder)

    def update(done: int, total: int) -> None:
        progress[:] = [done, total]

    try:
        if kind == "run":
            run_scenario(spec, out, update)
        else:
            run_population(kind, spec, out, update)
    except (InputError, SimulationError) as exc:
        write_text(out / ERROR_FILE, str(exc))
        sys.exit(1)
    except Exception as exc:  # an unexpected failure: the page says so, the log holds the traceback
        traceback.print_exc()
        write_text(out / ERROR_FILE, f"internal error ({type(exc).__name__}); the server log has the details")
        sys.exit(1)


def run_scenario(spec: dict, out: Path, update) -> None:
    """`hosim run` into `out`: summary.json, result.nc, figures/ and, for a patient, report.html."""
    from hosim.io.painters import Painters
    from hosim.simulation import execute, prepare

    options = {key: spec[key] for key in ("dims", "days", "resolution_um", "seed", "species", "factors")}
    prepared = prepare(spec["scenario"], spec["interventions"], **options, **spec["params"])
    checkpoint = out / "checkpoint.npz"
    with Painters(2) as painters:
        result = execute(prepared, checkpoint, progress=update, command=["hosim serve", spec["scenario"]])
        result.save(out, figures=True, painters=painters)
    checkpoint.unlink(missing_ok=True)


def run_population(kind: str, spec: dict, out: Path, update) -> None:
    """`hosim cohort` or `hosim trial` into `out` (one local process): cohort.zarr (and a zip of it to
    download), figures/, and the summary `--json` prints as summary.json."""
    import xarray as xr

    from hosim.cohort.cohorts import run_cohort
    from hosim.io.cohort_figures import cohort_figures, trial_figures

    summary = run_cohort(spec, out, workers=1, progress=update)
    if kind == "cohort":
        with xr.open_zarr(out / "cohort.zarr") as data:
            cohort_figures(spec, summary, data.sel(arm="cohort").load(), out / "figures")
    else:
        trial_figures(spec, summary, out / "figures")
    # the store is a folder: zipped so it downloads as one file (xarray opens it with zarr's ZipStore)
    shutil.make_archive(str(out / "cohort.zarr"), "zip", root_dir=out / "cohort.zarr")
    write_json(out / "summary.json", summary)
