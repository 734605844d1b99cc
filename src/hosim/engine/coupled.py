"""Unsplit backward Euler for a stiff, fast-diffusing variable (oxygen): reactions inside the solve.

LOD splitting is badly wrong for such a variable at day-scale steps (D*dt/h^2 ~ 1e3: the fixed point of
the split operator is not the steady state), and splitting off a fast uptake is wrong too. This solves

    (1/step + decay + L) u - D lap(u) = u_old/step + P,   u = value on Dirichlet regions,

as one sparse symmetric positive-definite system, by conjugate gradients preconditioned with a
smoothed-aggregation algebraic multigrid hierarchy (pyamg). The hierarchy is rebuilt for every solve on
the actual matrix: an uptake of up to ~5e4/day dominates the diagonal, and a hierarchy built without it
needed 23-47 CG iterations in 2-D and ~140 in 3-D instead of ~5. Rebuilding from the current state only
also keeps a resumed run identical to an uninterrupted one.
"""

from __future__ import annotations

import numpy as np

from hosim.engine.errors import InputError, SimulationError


def neumann_laplacian(shape3: tuple[int, int, int], spacing: float):
    """Cell-centred 7-point Laplacian with no-flux edges (rows sum to zero), on the C-ordered grid, as a
    scipy.sparse CSR matrix."""
    import scipy.sparse as sp  # loaded only where a grid has space to diffuse over

    mats = []
    for n in shape3:
        if n == 1:
            mats.append(sp.csr_matrix((1, 1)))
            continue
        main = np.full(n, -2.0)
        main[[0, -1]] = -1.0
        mats.append(sp.diags([np.ones(n - 1), main, np.ones(n - 1)], [-1, 0, 1], format="csr"))
    eye = [sp.identity(n, format="csr") for n in shape3]
    lap = sp.kron(sp.kron(mats[0], eye[1]), eye[2])
    lap = lap + sp.kron(sp.kron(eye[0], mats[1]), eye[2]) + sp.kron(sp.kron(eye[0], eye[1]), mats[2])
    return (lap / spacing**2).tocsr()


def _seeded_amg(matrix):
    """AMG preconditioner built reproducibly: pyamg draws its spectral-radius start vectors from
    numpy's global generator, so it is seeded here (and restored) to make runs repeatable to the bit."""
    import pyamg  # loaded on the first real solve: a single-voxel run never needs it

    saved = np.random.get_state()
    try:
        np.random.seed(20011)
        return pyamg.smoothed_aggregation_solver(matrix).aspreconditioner()
    finally:
        np.random.set_state(saved)


class CoupledSolver:
    """Solves one backward-Euler step of length `step` for diffusion, decay and linearised reactions."""

    def __init__(
        self,
        shape3: tuple[int, int, int],
        spacing: float,
        diffusivity: float,
        decay: float,
        step: float,
        fixed_mask: np.ndarray | None = None,
        rtol: float = 1e-8,
        maxiter: int = 500,
    ):
        if diffusivity < 0 or decay < 0 or step <= 0:
            raise InputError("diffusivity and decay must be >= 0 and the step > 0")
        self.shape3 = tuple(shape3)
        self.inv_step = 1.0 / step
        self.decay = decay
        self.rtol = rtol
        self.maxiter = maxiter
        n = int(np.prod(self.shape3))
        fixed = np.zeros(n, bool) if fixed_mask is None else np.asarray(fixed_mask, bool).ravel()
        self.fixed = fixed if fixed.any() else None
        self.free = np.flatnonzero(~fixed)
        self.pointwise = diffusivity == 0 or max(self.shape3) == 1
        if self.pointwise:
            return
        stiffness = (-diffusivity * neumann_laplacian(self.shape3, spacing)).tocsr()
        # Dirichlet voxels leave the system; their coupling to free voxels moves to the right-hand side.
        self.K = stiffness[self.free][:, self.free].tocsr()
        self.K_to_fixed = stiffness[self.free][:, np.flatnonzero(fixed)].tocsr() if self.fixed is not None else None
        self.K.sort_indices()
        rows = np.repeat(np.arange(self.K.shape[0]), np.diff(self.K.indptr))
        self.diagonal_slots = np.flatnonzero(rows == self.K.indices)

    def solve(self, u: np.ndarray, production: np.ndarray, loss: np.ndarray, fixed_value=0.0) -> None:
        """Advance u (shape3) in place; production >= 0 and loss >= 0 are per-voxel rates (held fixed)."""
        flat = u.reshape(-1)
        if self.fixed is not None:
            values = np.broadcast_to(np.asarray(fixed_value, dtype=np.float64), u.shape).reshape(-1)[self.fixed]
            flat[self.fixed] = values
        free = self.free
        diag = self.inv_step + self.decay + loss.reshape(-1)[free]
        rhs = flat[free] * self.inv_step + production.reshape(-1)[free]
        if self.pointwise:
            flat[free] = rhs / diag
            return
        if self.fixed is not None:
            rhs -= self.K_to_fixed @ values
        import scipy.sparse.linalg as spla
        from threadpoolctl import threadpool_limits

        A = self.K.copy()
        A.data[self.diagonal_slots] += diag
        with threadpool_limits(1, user_api="blas"):  # BLAS threads stall CG's small dot products on a busy machine
            M = _seeded_amg(A)
            x, info = spla.cg(A, rhs, x0=flat[free].copy(), rtol=self.rtol, atol=0.0, maxiter=self.maxiter, M=M)
        if info != 0:
            raise SimulationError(f"the implicit solve did not converge in {self.maxiter} iterations")
        np.maximum(x, 0.0, out=x)  # CG's tolerance can leave -1e-12 where the exact solution is >= 0
        flat[free] = x
