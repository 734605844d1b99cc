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
from hosim.analysis.measures import compute_metrics, metric_units
from hosim.engine import Checkpoint, Recorder, Stepper, run
from hosim.files import plain, sync_folder, write_atomic, write_json
from hosim.regimen import apply_interventions
from hosim.scenarios import get_scenario


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
            "species": self.setup.species,
            "interventions": self.interventions,
            "options": self.options,
            "metrics": self.metrics,
            "units": metric_units(),
            "version": __version__,
        }

    def series(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Sample times (days) and every recorded observable's values, as the measures read them."""
        ds = self.dataset
        return ds["time"].values, {name: ds[name].values for name in self.setup.observables}

    def save(self, out_dir: str | os.PathLike, figures: bool = True) -> Path:
        """Write summary.json, result.nc and figures/*.png; all appear together or not at all."""
        from hosim.io.figures import write_figures

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
        try:
            write_json(staging / "summary.json", self.summary())
            write_atomic(staging / "result.nc", lambda tmp: self.dataset.to_netcdf(tmp, engine="netcdf4"))
            if figures:
                write_figures(self, staging / "figures")
            for item in staging.iterdir():
                target = out / item.name
                if target.is_dir():
                    shutil.rmtree(target)
                os.replace(item, target)
            sync_folder(out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return out


def simulate(
    scenario: str,
    interventions: Sequence = (),
    *,
    dims: int = 2,
    days: float | None = None,
    resolution_um: float | None = None,
    seed: int = 0,
    species: str | None = None,
    checkpoint_path: str | os.PathLike | None = None,
    checkpoint_every: int = 200,
    progress: Callable[[int, int], None] | None = None,
    **params,
) -> Result:
    """Run `scenario` and return its Result; `params` are the scenario's own options (e.g. dose) and
    `parameters` (overrides of the model parameters); species None: the scenario's."""
    setup, applied = apply_interventions(get_scenario(scenario), interventions, dims=dims, days=days,
                                         resolution_um=resolution_um, seed=seed, species=species, **params)
    state = setup.state
    stepper = Stepper(setup.grid, state.variables, state.compartments, setup.transports, setup.reactions, setup.dt)
    recorder = Recorder(setup.observables, setup.sample_every, setup.snapshot_days, setup.snapshot_variables)
    checkpoint = None
    if checkpoint_path is not None:
        config = {"scenario": setup.scenario, "options": setup.options, "interventions": applied}
        checkpoint = Checkpoint(checkpoint_path, every=checkpoint_every, config=config)
    run(stepper, state, setup.days, recorder, checkpoint, progress, setup.events)
    times, series = recorder.series()
    metrics = compute_metrics(times, series)
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
        "species": setup.species,
        "options": json.dumps(setup.options, default=plain),
        "metrics": json.dumps(metrics, default=plain),
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
