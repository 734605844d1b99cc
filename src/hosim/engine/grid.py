"""The tissue grid: 0-D (one well-mixed compartment, or one each for a batch of patients) to 3-D, uniform
spacing in micrometres, named regions."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from hosim.engine.errors import InputError

AXES = ("z", "y", "x")


class Grid:
    """A uniform Cartesian grid with named regions.

    Regions hold, per voxel, the fraction of the voxel that belongs to the region (0/1 on spatial
    grids, fractions in a 0-D compartment), so the same biology runs on every grid.

    A 0-D grid may hold a batch of `patients`: one independent compartment each, laid out along x
    (shape3 (1, 1, patients)), nothing moving between them; each has its own body-wide compartments
    (State) and may have its own parameter values and region fractions. Cohorts step them together.
    """

    def __init__(
        self,
        shape: tuple[int, ...] = (),
        spacing_um: float = 20.0,
        regions: Mapping[str, np.ndarray] | None = None,
        volume_um3: float | None = None,
        patients: int = 0,
    ):
        shape = tuple(int(n) for n in shape)
        if len(shape) > 3:
            raise InputError(f"grid dimension must be 0, 1, 2 or 3, got {len(shape)}")
        if any(n < 1 for n in shape):
            raise InputError(f"grid shape must have positive sizes, got {shape}")
        if not np.isfinite(spacing_um) or spacing_um <= 0:
            raise InputError(f"grid spacing must be a positive number of micrometres, got {spacing_um}")
        if len(shape) == 0:
            if volume_um3 is None or not np.isfinite(volume_um3) or volume_um3 <= 0:
                raise InputError("a 0-D grid needs a positive compartment volume (volume_um3)")
        if isinstance(patients, bool) or not isinstance(patients, (int, np.integer)) or patients < 0:
            raise InputError(f"patients must be a whole number >= 0, got {patients!r}")
        if patients and shape:
            raise InputError("only a 0-D grid holds a batch of patients")
        self.patients = int(patients)
        self.shape = shape
        self.ndim = len(shape)
        self.spacing_um = float(spacing_um)
        self.shape3 = (1, 1, self.patients) if self.patients else (1,) * (3 - self.ndim) + shape
        self._volume_um3 = None if volume_um3 is None else float(volume_um3)
        self.regions: dict[str, np.ndarray] = {}
        for name, values in (regions or {}).items():
            self.add_region(name, values)

    @property
    def size(self) -> int:
        """Number of voxels."""
        return int(np.prod(self.shape3))

    @property
    def voxel_volume_um3(self) -> float:
        """Volume of one voxel; 1 um per missing dimension; the compartment volume in 0-D."""
        if self.ndim == 0:
            return self._volume_um3
        return self.spacing_um**self.ndim

    def add_region(self, name: str, values: np.ndarray) -> None:
        """Store a region as voxel fractions in [0, 1], shaped like the grid (a batch of patients may share
        one compartment's fractions)."""
        arr = np.asarray(values, dtype=np.float64)
        if arr.shape == self.shape:
            arr = arr.reshape((1,) * (3 - self.ndim) + self.shape)
        if self.patients and arr.shape == (1, 1, 1):
            arr = np.broadcast_to(arr, self.shape3)
        if arr.shape != self.shape3:
            raise InputError(f"region {name!r} has shape {arr.shape}, the grid is {self.shape}")
        if not np.all(np.isfinite(arr)) or arr.min(initial=0.0) < 0 or arr.max(initial=0.0) > 1:
            raise InputError(f"region {name!r} must hold fractions between 0 and 1")
        self.regions[name] = np.ascontiguousarray(arr)

    def totals(self, values: np.ndarray) -> float | np.ndarray:
        """Sum of a per-voxel array over each run's voxels: one float, or one value per patient."""
        if self.patients:
            return np.array(values, dtype=np.float64).reshape(self.patients)
        return float(np.einsum("i->", np.asarray(values, dtype=np.float64).reshape(-1)))

    def region(self, name: str) -> np.ndarray:
        """Voxel fractions of a named region, in the (nz, ny, nx) layout."""
        try:
            return self.regions[name]
        except KeyError:
            known = ", ".join(sorted(self.regions)) or "none"
            raise InputError(f"unknown region {name!r}; known regions: {known}") from None

    def mask(self, name: str) -> np.ndarray:
        """Boolean mask of voxels mostly inside the region."""
        return self.region(name) > 0.5

    def coords(self) -> dict[str, np.ndarray]:
        """Voxel-centre coordinates (um) of each axis the grid has."""
        names = AXES[3 - self.ndim :]
        return {a: (np.arange(n) + 0.5) * self.spacing_um for a, n in zip(names, self.shape)}

    def describe(self) -> dict:
        """Plain-data description, used in fingerprints and file attributes."""
        out = {"shape": list(self.shape), "spacing_um": self.spacing_um, "voxel_volume_um3": self.voxel_volume_um3}
        return {**out, "patients": self.patients} if self.patients else out
