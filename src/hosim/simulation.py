"""`hosim.simulate`: build a scenario, run it on the engine, compute its metrics, return a Result."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr

from hosim import __version__
from hosim.analysis.metrics import compute_metrics
from hosim.biology.interventions import build_with_interventions
from hosim.engine import Checkpoint, Recorder, Stepper, run
from hosim.scenarios import get_scenario

SNAPSHOT_DAYS = (0, 1, 2, 3, 5, 7, 10, 14, 21)
SAMPLE_INTERVAL_DAY = 0.05  # time-series resolution of the recorded observables


@dataclass
class Result:
    """What a run produced: metrics (plain dict), the labelled dataset, and how it was set up."""

    scenario: str
    interventions: list
    options: dict
    metrics: dict
    dataset: xr.Dataset
    setup: object = field(repr=False)

    def summary(self) -> dict:
        """The summary.json contract of DESIGN.md."""
        return {
            "scenario": self.scenario,
            "interventions": self.interventions,
            "options": self.options,
            "metrics": self.metrics,
            "version": __version__,
        }

    def save(self, out_dir: str | os.PathLike, figures: bool = True) -> Path:
        """Write summary.json, result.nc and figures/*.png; all appear together or not at all."""
        from hosim.io.figures import write_figures

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
        try:
            (staging / "summary.json").write_text(json.dumps(self.summary(), indent=2, default=_plain) + "\n")
            self.dataset.to_netcdf(staging / "result.nc", engine="netcdf4")
            if figures:
                write_figures(self, staging / "figures")
            for item in staging.iterdir():
                target = out / item.name
                if target.is_dir():
                    shutil.rmtree(target)
                os.replace(item, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return out


def _plain(value):
    """JSON for numpy scalars and arrays."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON-serialisable: {type(value)}")


def simulate(
    scenario: str,
    interventions: Sequence = (),
    *,
    dims: int = 2,
    days: float | None = None,
    resolution_um: float | None = None,
    seed: int = 0,
    checkpoint_path: str | os.PathLike | None = None,
    checkpoint_every: int = 200,
    progress: Callable[[int, int], None] | None = None,
    **params,
) -> Result:
    """Run `scenario` and return its Result; `params` are the scenario's own parameters (e.g. dose)."""
    options = {"days": days, "resolution_um": resolution_um}
    options = {k: v for k, v in options.items() if v is not None}  # None: the scenario's default
    setup, applied = build_with_interventions(
        get_scenario(scenario), interventions, dims=dims, seed=seed, **options, **params
    )
    state = setup.state
    stepper = Stepper(setup.grid, state.variables, state.compartments, setup.transports, setup.reactions, setup.dt)
    every = max(1, int(round(SAMPLE_INTERVAL_DAY / setup.dt)))
    snapshot_times = [d for d in SNAPSHOT_DAYS if d <= setup.days + 1e-9]
    recorder = Recorder(setup.observables, every, snapshot_times, setup.snapshot_variables)
    checkpoint = None
    if checkpoint_path is not None:
        config = {"scenario": setup.scenario, "options": setup.options, "interventions": applied}
        checkpoint = Checkpoint(checkpoint_path, every=checkpoint_every, config=config)
    run(stepper, state, setup.days, recorder, checkpoint, progress)
    times, series = recorder.series()
    metrics = compute_metrics(times, series, setup)
    dataset = build_dataset(setup, times, series, recorder.snapshots, metrics)
    return Result(setup.scenario, applied, dict(setup.options), metrics, dataset, setup)


def build_dataset(setup, times: np.ndarray, series: dict, snapshots: dict, metrics: dict) -> xr.Dataset:
    """Time series of every observable and field snapshots, with units and provenance in attrs."""
    grid = setup.grid
    axes = ("z", "y", "x")[3 - grid.ndim :]
    data = {}
    for name, values in series.items():
        data[name] = xr.Variable("time", values, attrs={"units": setup.observable_units.get(name, "1")})
    days = sorted(snapshots)
    names = list(setup.snapshot_variables) if setup.snapshot_variables is not None else list(setup.state.variables)
    if days:
        stack = np.stack([snapshots[d] for d in days])  # (day, variable, z, y, x)
        for k, name in enumerate(names):
            arr = stack[:, k].reshape((len(days),) + grid.shape)
            data[f"{name}_field"] = xr.Variable(("snapshot_day",) + axes, arr, attrs={"units": setup.units.get(name, "1")})
    coords = {"time": xr.Variable("time", times, attrs={"units": "day"})}
    coords["snapshot_day"] = xr.Variable("snapshot_day", np.array(days, dtype=float), attrs={"units": "day"})
    for axis, c in grid.coords().items():
        coords[axis] = xr.Variable(axis, c, attrs={"units": "um"})
    attrs = {
        "scenario": setup.scenario,
        "options": json.dumps(setup.options, default=_plain),
        "metrics": json.dumps(metrics, default=_plain),
        "hosim_version": __version__,
        "grid_spacing_um": grid.spacing_um,
        "dims": grid.ndim,
        "dt_day": setup.dt,
        "voxel_volume_mm3": setup.voxel_volume_mm3,
    }
    if setup.slab_thickness_um is not None:
        attrs["slab_thickness_um"] = setup.slab_thickness_um
        attrs["volume_note"] = (
            f"2-D run: volumes (mm3) are of a slab {setup.slab_thickness_um:g} um thick represented by the grid"
        )
    for region, values in grid.regions.items():
        if grid.ndim:
            data[f"region_{region}"] = xr.Variable(axes, values.reshape(grid.shape), attrs={"units": "1"})
    return xr.Dataset(data, coords=coords, attrs=attrs)
