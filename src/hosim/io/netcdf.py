"""result.nc: a run's time series and field snapshots as a CF-1.10 NetCDF dataset.

Every variable has a long_name and a UDUNITS-parsable unit (the model's unit strings translated by
biology.variables.udunits); time is "days since injury" (unit "day", axis T: the injury or injection is day 0, not a
calendar date); region masks are integers (1 inside), with the tissue regions partitioning each voxel
and the lesion, injection and orthotopic zone marked as overlays.
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from hosim.biology.tissue import TISSUE_REGIONS
from hosim.biology.variables import COMPARTMENTS, VARIABLES, udunits
from hosim.files import plain
from hosim.scenarios.observables import OBSERVABLES

CONVENTIONS = "CF-1.10"
DESCRIPTIONS = {v.name: v.description for v in VARIABLES + COMPARTMENTS}
AXIS_NAMES = {"x": "distance across the limb from its left edge (skeleton side)", "y": "distance along the section",
              "z": "distance along the limb"}
OVERLAYS = ("lesion", "injection", "orthotopic_zone")


def _variable(dims, values: np.ndarray, attrs: dict) -> xr.Variable:
    """A Variable of a plain numpy array: xarray's checks for other array types are skipped (fastpath),
    since they import dask, which costs a quarter of a second of every run."""
    dims = (dims,) if isinstance(dims, str) else tuple(dims)
    return xr.Variable(dims, np.asarray(values), attrs, fastpath=True)


def _region_mask(name: str, values: np.ndarray, shape: tuple[int, ...], axes: tuple[str, ...]) -> xr.Variable:
    kind = ("overlay: marks voxels that also belong to one of the tissue regions"
            if name in OVERLAYS or name not in TISSUE_REGIONS else f"tissue region: the tissue regions ({', '.join(r for r in TISSUE_REGIONS if r not in OVERLAYS)}) "
                 "partition each voxel")
    return _variable(axes, (values.reshape(shape) > 0.5).astype(np.int8),
                     attrs={"long_name": f"{name.replace('_', ' ')} mask", "flag_values": np.array([0, 1], np.int8),
                            "flag_meanings": "outside inside", "comment": kind})


def build_dataset(setup, times: np.ndarray, series: dict, snapshots: dict, metrics: dict,
                  provenance: dict) -> xr.Dataset:
    """Time series of every observable and field snapshots, with units, meanings and provenance."""
    grid = setup.grid
    axes = ("z", "y", "x")[3 - grid.ndim:]
    data = {}
    for name, values in series.items():
        spec = OBSERVABLES.get(name)
        data[name] = _variable("time", values, attrs={
            "long_name": spec.description if spec else name, "units": udunits(setup.observable_units.get(name, "1"))})
    days = sorted(snapshots)
    if days:
        stack = np.stack([snapshots[d] for d in days])  # (day, variable, z, y, x)
        for k, name in enumerate(setup.snapshot_variables):
            data[f"{name}_field"] = _variable(
                ("snapshot_day",) + axes, stack[:, k].reshape((len(days),) + grid.shape),
                attrs={"long_name": f"{DESCRIPTIONS[name]} (field at each snapshot day)",
                       "units": udunits(setup.units.get(name, "1"))})
    coords = {
        "time": _variable("time", times, attrs={"long_name": "days since injury", "units": "day", "axis": "T"}),
        "snapshot_day": _variable("snapshot_day", np.array(days, dtype=float),
                                  attrs={"long_name": "days since injury of each field snapshot", "units": "day"}),
    }
    for axis, c in grid.coords().items():
        coords[axis] = _variable(axis, c, attrs={"long_name": AXIS_NAMES[axis], "units": "um",
                                                 "axis": axis.upper()})
    if grid.ndim:
        for region, values in grid.regions.items():
            data[f"region_{region}"] = _region_mask(region, values, grid.shape, axes)
    attrs = {
        "Conventions": CONVENTIONS,
        "title": f"hosim {setup.scenario} ({setup.species}, {grid.ndim}-D, {setup.days:g} days)",
        "source": f"hosim {provenance['hosim_version']}" + (f" (commit {provenance['commit']})"
                                                            if provenance.get("commit") else ""),
        "history": f"{provenance['created']}: {provenance['command']}",
        "scenario": setup.scenario,
        "species": setup.species,
        "options": json.dumps(setup.options, default=plain),
        "metrics": json.dumps(metrics, default=plain),
        "provenance": json.dumps(provenance),
        "hosim_version": provenance["hosim_version"],
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
    return xr.Dataset(data, coords=coords, attrs=attrs)
