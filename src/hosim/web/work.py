"""What a web job does in its own process: a scenario run, or a virtual cohort or trial, written into the
job's folder exactly as `hosim run`, `hosim cohort` and `hosim trial` write theirs."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

from hosim.errors import InputError, SimulationError
from hosim.files import write_text
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
    """`hosim run` into `out` (the service's): summary.json, result.nc, figures/ and, for a patient, report.html."""
    from hosim.scenarios.spec import RunSpec
    from hosim.service import run_into_folder

    run_into_folder(RunSpec.parse(**spec["run"]), out, progress=update, command=["hosim serve", spec["scenario"]])


def run_population(kind: str, spec: dict, out: Path, update) -> None:
    """`hosim cohort` or `hosim trial` into `out` (the service's, in one local process): cohort.zarr and a zip
    of it to download, figures/, and the summary `--json` prints as summary.json."""
    from hosim.service import population_into_folder

    population_into_folder(spec, out, trial=kind == "trial", workers=1, progress=update, archive=True)
