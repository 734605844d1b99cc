"""`hosim.simulate`: build a scenario, run it on the engine, compute its metrics, return a Result.

`prepare` checks every input and builds the run without running it (so a command can refuse bad input
before it touches any folder); `execute` runs a prepared run; `simulate` does both. The output layer (io/)
is imported where outputs are made, so the model's fingerprint (hosim.fingerprint) holds only what decides
the numbers.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr

from hosim import __version__
from hosim.analysis.measures import compute_metrics, metric_units
from hosim.analysis.patient import patient_outcomes
from hosim.engine import Checkpoint, Recorder, run_setup
from hosim.files import sync_folder, write_atomic, write_json
from hosim.scenarios.spec import RunSpec


@dataclass
class Result:
    """What a run produced: metrics (plain dict), the labelled dataset, and how it was set up."""

    scenario: str
    interventions: list
    options: dict
    metrics: dict
    dataset: xr.Dataset
    setup: object = field(repr=False)
    provenance: dict = field(default_factory=dict)
    patient: dict | None = None  # course, imaging, grade and stages of a patient run (analysis/patient.py)

    def summary(self) -> dict:
        """The summary.json contract of DESIGN.md."""
        return {
            "scenario": self.scenario,
            "species": self.setup.species,
            "interventions": self.interventions,
            "options": self.options,
            "metrics": self.metrics,
            "units": metric_units(),
            "version": __version__,
            "provenance": self.provenance,
            **(self.patient or {}),
        }

    def series(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Sample times (days) and every recorded observable's values, as the measures read them."""
        ds = self.dataset
        return ds["time"].values, {name: ds[name].values for name in self.setup.observables}

    def save(self, out_dir: str | os.PathLike, figures: bool = True, painters=None) -> Path:
        """Write summary.json, result.nc, figures/*.png and, for a patient, report.html (the evidence estimate
        with the simulation beside it); all appear together or not at all. The figures
        are drawn by `painters` (forked before the run; made here if not given) while the rest is written."""
        from hosim.io.painters import Painters
        from hosim.io.patient_report import write_patient_report

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
        own = Painters(2) if figures and painters is None else nullcontext(painters)
        try:
            with own as active, active.drawing(self, staging / "figures") if figures else nullcontext():
                write_json(staging / "summary.json", self.summary())
                write_atomic(staging / "result.nc", lambda tmp: self.dataset.to_netcdf(tmp, engine="netcdf4"))
                if self.patient is not None:
                    write_patient_report(self, staging, figures)
            for item in staging.iterdir():
                target = out / item.name
                if target.is_dir():
                    shutil.rmtree(target)
                os.replace(item, target)
            sync_folder(out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return out


@dataclass
class Prepared:
    """A run checked and built, not yet run: its specification and its Setup."""

    spec: RunSpec
    setup: object

    @property
    def interventions(self) -> list[dict]:
        """The resolved interventions, as summary.json records them."""
        return [a.record() for a in self.spec.courses]

    def config(self) -> dict:
        """What defines the run's results (compared with a folder's summary.json and a checkpoint's)."""
        return self.spec.record()


def prepare(scenario: str | RunSpec, interventions: Sequence = (), *, dims: int = 2, days: float | None = None,
            resolution_um: float | None = None, seed: int = 0, species: str | None = None, parameters=None,
            factors: Sequence[str] = (), **options) -> Prepared:
    """Check every input and build the run (InputError naming the first bad value); nothing runs yet.
    `options` are the scenario's own (e.g. dose); `parameters` model parameter overrides. A RunSpec is
    built as it is."""
    spec = scenario if isinstance(scenario, RunSpec) else RunSpec.parse(
        scenario, interventions, dims=dims, days=days, resolution_um=resolution_um, seed=seed, species=species,
        parameters=parameters, factors=factors, options=options)
    return Prepared(spec, spec.build())


def execute(prepared: Prepared, checkpoint_path: str | os.PathLike | None = None, checkpoint_every: int = 200,
            progress: Callable[[int, int], None] | None = None, command: Sequence[str] | None = None) -> Result:
    """Run a prepared run (resuming from `checkpoint_path` when it holds this run) and return its Result."""
    from hosim.io.netcdf import build_dataset
    from hosim.io.provenance import provenance

    setup = prepared.setup
    recorder = Recorder(setup.observables, setup.sample_every, setup.snapshot_days, setup.snapshot_variables)
    checkpoint = None
    if checkpoint_path is not None:
        checkpoint = Checkpoint(checkpoint_path, every=checkpoint_every, config=prepared.config())
    run_setup(setup, recorder, checkpoint, progress)
    times, series = recorder.series()
    metrics = compute_metrics(times, series)
    made = provenance(command)
    dataset = build_dataset(setup, times, series, recorder.snapshots, metrics, made)
    patient = patient_outcomes(setup, times, series, recorder.snapshots) if setup.patient else None
    return Result(setup.scenario, prepared.interventions, dict(setup.options), metrics, dataset, setup, made, patient)


def simulate(scenario: str | RunSpec, interventions: Sequence = (), *, checkpoint_path: str | os.PathLike | None = None,
             checkpoint_every: int = 200, progress: Callable[[int, int], None] | None = None, **options) -> Result:
    """Run `scenario` (a name, or a RunSpec) and return its Result. options: dims, days, resolution_um, seed,
    species (None: the scenario's), factors, the scenario's own options (e.g. dose) and `parameters` (model
    parameter overrides)."""
    return execute(prepare(scenario, interventions, **options), checkpoint_path, checkpoint_every, progress)
