"""The simulation state: all fields in one contiguous float64 array, compartment scalars, and time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr

from hosim.engine.errors import InputError
from hosim.engine.grid import AXES, Grid


class State:
    """Fields `[variable, z, y, x]`, scalars `[compartment]` (on a batch of patients `[compartment, z, y, x]`,
    each patient's own, shaped like a field), the step count and the time.

    Time is `t0 + step * dt`, recomputed, never accumulated, so a resumed run sees the same times.
    """

    def __init__(
        self,
        variables: Sequence[str],
        compartments: Sequence[str],
        fields: np.ndarray,
        scalars: np.ndarray,
        step: int = 0,
        t: float = 0.0,
    ):
        self.variables = tuple(variables)
        self.compartments = tuple(compartments)
        if len(set(self.variables) | set(self.compartments)) != len(self.variables) + len(self.compartments):
            raise InputError("variable and compartment names must be unique")
        self.fields = np.ascontiguousarray(fields, dtype=np.float64)
        self.scalars = np.ascontiguousarray(scalars, dtype=np.float64)
        if self.fields.ndim != 4 or self.fields.shape[0] != len(self.variables):
            raise InputError(f"fields must be [variable, z, y, x] with {len(self.variables)} variables")
        if self.scalars.shape not in ((len(self.compartments),), (len(self.compartments),) + self.fields.shape[1:]):
            raise InputError(f"scalars must hold {len(self.compartments)} compartments (one each, or one per voxel)")
        self.step = int(step)
        self.t = float(t)
        self._index = {name: i for i, name in enumerate(self.variables)}
        self._sindex = {name: i for i, name in enumerate(self.compartments)}

    @classmethod
    def zeros(cls, grid: Grid, variables: Sequence[str], compartments: Sequence[str] = ()) -> "State":
        """A state of zeros on `grid`."""
        fields = np.zeros((len(variables),) + grid.shape3)
        scalars = np.zeros((len(compartments),) + (grid.shape3 if grid.patients else ()))
        return cls(variables, compartments, fields, scalars)

    @property
    def per_patient(self) -> bool:
        """Whether every voxel is a patient with its own compartments (a batch, Grid.patients)."""
        return self.scalars.ndim > 1

    def index(self, name: str) -> int:
        """Position of a variable in `fields`."""
        try:
            return self._index[name]
        except KeyError:
            raise InputError(f"unknown variable {name!r}; variables: {', '.join(self.variables)}") from None

    def field(self, name: str) -> np.ndarray:
        """A view of one variable's field (writes go into the state)."""
        return self.fields[self.index(name)]

    def scalar(self, name: str) -> float | np.ndarray:
        """A compartment's value (a copy; per patient on a batch)."""
        value = self.scalars[self._scalar_index(name)]
        return value.reshape(-1).copy() if self.per_patient else float(value)

    def set_scalar(self, name: str, value: float) -> None:
        self.scalars[self._scalar_index(name)] = value

    def _scalar_index(self, name: str) -> int:
        try:
            return self._sindex[name]
        except KeyError:
            known = ", ".join(self.compartments) or "none"
            raise InputError(f"unknown compartment {name!r}; compartments: {known}") from None

    def copy(self) -> "State":
        return State(self.variables, self.compartments, self.fields.copy(), self.scalars.copy(), self.step, self.t)

    def to_xarray(self, grid: Grid, units: Mapping[str, str] | None = None) -> xr.Dataset:
        """Labelled copy of the state; each variable carries its unit in attrs."""
        units = dict(units or {})
        dims = AXES[3 - grid.ndim :]
        data = {}
        for i, name in enumerate(self.variables):
            arr = self.fields[i].reshape(grid.shape) if grid.ndim else self.fields[i].reshape(())
            data[name] = xr.Variable(dims, arr.copy(), attrs={"units": units.get(name, "1")})
        for i, name in enumerate(self.compartments):
            data[name] = xr.Variable((), self.scalars[i], attrs={"units": units.get(name, "1")})
        coords = {a: xr.Variable(a, c, attrs={"units": "um"}) for a, c in grid.coords().items()}
        return xr.Dataset(data, coords=coords, attrs={"time_day": self.t, "step": self.step})
