"""Diffusion with decay on (nz, ny, nx) float64 arrays (sources enter as reaction production, stepper.py).

Two solvers, as BioFVM/PhysiCell use them:
- `explicit_step`: forward Euler with the 7-point stencil; memory-bandwidth bound, the cheapest choice
  when D*dt/h^2 is small (growth factors);
- `LODSolver`: backward Euler split into one tridiagonal (Thomas) solve per axis, unconditionally stable
  and non-negative, for fast diffusers (oxygen diffuses ~1000x faster than growth factors).
No-flux edges come from mirrored ghost voxels (cell-centred finite volumes). Every kernel hands whole
lines or rows to threads, so results do not depend on the number of threads.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from hosim.engine.errors import InputError

_ROW_BLOCK = 16  # rows swept together along the contiguous axis (independent recurrences -> ILP)
_CHUNK = 256  # contiguous elements per task in the strided sweeps


@nb.njit(parallel=True, cache=True)
def _explicit_kernel(u, out, r, keep):
    """out = keep*u + r*laplacian(u) with mirrored (no-flux) ghosts; keep = 1 - dt*decay."""
    nz, ny, nx = u.shape
    for row in nb.prange(nz * ny):
        k = row // ny
        j = row - k * ny
        km = k - 1 if k > 0 else 0
        kp = k + 1 if k < nz - 1 else nz - 1
        jm = j - 1 if j > 0 else 0
        jp = j + 1 if j < ny - 1 else ny - 1
        c = u[k, j]
        zm = u[km, j]
        zp = u[kp, j]
        ym = u[k, jm]
        yp = u[k, jp]
        o = out[k, j]
        if nx == 1:
            o[0] = keep * c[0] + r * (zm[0] + zp[0] + ym[0] + yp[0] - 4.0 * c[0])
            continue
        o[0] = keep * c[0] + r * (c[1] - c[0] + zm[0] + zp[0] + ym[0] + yp[0] - 4.0 * c[0])
        for i in range(1, nx - 1):
            o[i] = keep * c[i] + r * (c[i - 1] + c[i + 1] + zm[i] + zp[i] + ym[i] + yp[i] - 6.0 * c[i])
        e = nx - 1
        o[e] = keep * c[e] + r * (c[e - 1] - c[e] + zm[e] + zp[e] + ym[e] + yp[e] - 4.0 * c[e])


def explicit_step(
    u: np.ndarray,
    out: np.ndarray,
    diffusivity: float,
    decay: float,
    dt: float,
    spacing: float,
) -> None:
    """One forward-Euler step of du/dt = D lap(u) - decay*u, from `u` into `out`."""
    r = diffusivity * dt / spacing**2
    _explicit_kernel(u, out, r, 1.0 - dt * decay)


def _line_coefficients(n: int, r: float, shift: float, fixed: np.ndarray | None):
    """Thomas factors for (1 + shift - r d2) on a line with no-flux ends and Dirichlet rows where fixed.

    Returns (cp, inv, am) with forward d'_i = d_i*inv_i - am_i*d'_{i-1}, backward u_i = d'_i - cp_i*u_{i+1}.
    """
    lines = 1 if fixed is None else fixed.shape[0]
    a = np.full((lines, n), -r)
    c = np.full((lines, n), -r)
    b = np.full((lines, n), 1.0 + shift + 2.0 * r)
    a[:, 0] = 0.0
    c[:, -1] = 0.0
    b[:, 0] -= r
    b[:, -1] -= r
    if fixed is not None:
        a[fixed] = 0.0
        c[fixed] = 0.0
        b[fixed] = 1.0
    cp = np.empty((lines, n))
    inv = np.empty((lines, n))
    prev = np.zeros(lines)
    for i in range(n):
        denom = b[:, i] - a[:, i] * prev
        inv[:, i] = 1.0 / denom
        cp[:, i] = c[:, i] * inv[:, i]
        prev = cp[:, i]
    am = a * inv
    return cp, inv, am


@nb.njit(parallel=True, cache=True)
def _sweep_middle(u, cp, inv, am):
    """Thomas along axis 1 of u (A, n, B); coefficients shaped like u (stride-0 views when shared)."""
    na, n, nb_ = u.shape
    nchunks = (nb_ + _CHUNK - 1) // _CHUNK
    for task in nb.prange(na * nchunks):
        a = task // nchunks
        lo = (task - a * nchunks) * _CHUNK
        hi = min(lo + _CHUNK, nb_)
        for i in range(lo, hi):
            u[a, 0, i] = u[a, 0, i] * inv[a, 0, i]
        for m in range(1, n):
            for i in range(lo, hi):
                u[a, m, i] = u[a, m, i] * inv[a, m, i] - am[a, m, i] * u[a, m - 1, i]
        for m in range(n - 2, -1, -1):
            for i in range(lo, hi):
                u[a, m, i] = u[a, m, i] - cp[a, m, i] * u[a, m + 1, i]


@nb.njit(parallel=True, cache=True)
def _sweep_last(u, cp, inv, am):
    """Thomas along the contiguous axis of u (R, n), blocks of rows swept together (independent
    recurrences give instruction-level parallelism); coefficients shaped like u."""
    nr, n = u.shape
    nblocks = (nr + _ROW_BLOCK - 1) // _ROW_BLOCK
    for blk in nb.prange(nblocks):
        lo = blk * _ROW_BLOCK
        hi = min(lo + _ROW_BLOCK, nr)
        for r in range(lo, hi):
            u[r, 0] = u[r, 0] * inv[r, 0]
        for m in range(1, n):
            for r in range(lo, hi):
                u[r, m] = u[r, m] * inv[r, m] - am[r, m] * u[r, m - 1]
        for m in range(n - 2, -1, -1):
            for r in range(lo, hi):
                u[r, m] = u[r, m] - cp[r, m] * u[r, m + 1]


class LODSolver:
    """Backward-Euler diffusion-decay by locally one-dimensional Thomas sweeps, factorised once.

    The decay is shared equally between the swept axes. Voxels in `fixed_mask` are Dirichlet rows
    (identity) holding the value given to `solve`, so neighbours see the exact boundary value.
    """

    def __init__(
        self,
        shape3: tuple[int, int, int],
        spacing: float,
        diffusivity: float,
        decay: float,
        dt: float,
        fixed_mask: np.ndarray | None = None,
    ):
        if diffusivity < 0 or decay < 0 or dt <= 0:
            raise InputError("diffusivity and decay must be >= 0 and dt > 0")
        self.shape3 = tuple(shape3)
        self.fixed_mask = None if fixed_mask is None or not fixed_mask.any() else np.asarray(fixed_mask, bool)
        self.axes = [ax for ax in range(3) if self.shape3[ax] > 1] if diffusivity > 0 else []
        shift = dt * decay / len(self.axes) if self.axes else 0.0
        self.pure_decay = 1.0 / (1.0 + dt * decay) if not self.axes else None
        r = diffusivity * dt / spacing**2
        self.factors = {ax: self._factorise(ax, r, shift) for ax in self.axes}

    def _sweep_shape(self, axis: int) -> tuple[int, ...]:
        """The view of the field each sweep works on: (rows, n) along x, (A, n, B) along y and z."""
        nz, ny, nx = self.shape3
        return {2: (nz * ny, nx), 1: (nz, ny, nx), 0: (1, nz, ny * nx)}[axis]

    def _factorise(self, axis: int, r: float, shift: float):
        """Thomas factors in the sweep's view: per voxel with Dirichlet voxels, else stride-0 views."""
        n = self.shape3[axis]
        view = self._sweep_shape(axis)
        if self.fixed_mask is None:
            line = [1] * len(view)
            line[-1 if axis == 2 else 1] = n
            return tuple(np.broadcast_to(f[0].reshape(line), view) for f in _line_coefficients(n, r, shift, None))
        moved = np.moveaxis(self.fixed_mask, axis, -1)
        coeffs = _line_coefficients(n, r, shift, moved.reshape(-1, n))
        return tuple(np.ascontiguousarray(np.moveaxis(f.reshape(moved.shape), -1, axis)).reshape(view) for f in coeffs)

    def solve(self, u: np.ndarray, fixed_value=0.0) -> None:
        """Advance u (C-contiguous, shape3) in place by one step."""
        if self.pure_decay is not None:
            u *= self.pure_decay
        if self.fixed_mask is not None:
            u[self.fixed_mask] = fixed_value if np.ndim(fixed_value) == 0 else fixed_value[self.fixed_mask]
        if self.pure_decay is not None:
            return
        for ax in self.axes:
            sweep = _sweep_last if ax == 2 else _sweep_middle
            sweep(u.reshape(self._sweep_shape(ax)), *self.factors[ax])
