"""Operator-split time stepping: reactions dt/2, diffusion dt, reactions dt/2 (Strang order).

The split is symmetric, but each reaction half step is the lagged linearly implicit update of
engine/rates.py, which is first order: a whole step is first order in time (tests/engine/test_engine_accuracy.py
measures the order of the split with nonlinear reactions), second order in space.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from hosim.engine.coupled import CoupledSolver
from hosim.engine.errors import InputError, SimulationError
from hosim.engine.grid import Grid
from hosim.engine.rates import Flow, Rates, check_flows, implicit_update
from hosim.engine.state import State

if TYPE_CHECKING:
    from hosim.engine.diffusion import LODSolver

METHODS = ("auto", "explicit", "implicit", "coupled")
# Below this many voxels a kernel does too little work to pay for waking a second thread, and on a
# busy machine waiting for a descheduled worker thread stalls every call (measured: a 2-D run 15 s
# single-threaded vs 169 s with 2 threads under a load of 5 on 2 cores).
SERIAL_BELOW_VOXELS = 2**16

# reactions(fields, scalars, t, rates) adds to rates (engine/rates.py); an optional `flows` attribute
# declares the conservative field <-> compartment flows whose rates it writes into rates.flow.
Reactions = Callable[[np.ndarray, np.ndarray, float, Rates], None]


def explicit_bound(diffusivity: float, decay: float, dt: float, spacing: float, ndim: int) -> float:
    """Positivity number dt*(2*ndim*D/h^2 + decay); the explicit step is safe when it is <= 1."""
    return dt * (2.0 * ndim * diffusivity / spacing**2 + decay)


@dataclass(frozen=True)
class Transport:
    """How one variable moves: diffusivity (um^2/day), linear decay (1/day), Dirichlet regions.

    method "coupled" (for stiff, fast species such as oxygen) solves diffusion, decay and the variable's
    own reactions together by backward Euler, every `interval` steps with a step of interval*dt.
    """

    diffusivity: float = 0.0
    decay: float = 0.0
    fixed: tuple[tuple[str, float], ...] = ()
    method: str = "auto"
    interval: int = 1

    def __post_init__(self):
        if not (np.isfinite(self.diffusivity) and self.diffusivity >= 0):
            raise InputError(f"diffusivity must be >= 0 um^2/day, got {self.diffusivity}")
        if not (np.isfinite(self.decay) and self.decay >= 0):
            raise InputError(f"decay must be >= 0 per day, got {self.decay}")
        if int(self.interval) < 1 or (self.interval != 1 and self.method != "coupled"):
            raise InputError(f"interval must be a whole number >= 1, and only with method 'coupled'; got {self.interval}")
        if self.method not in METHODS:
            raise InputError(f"unknown transport method {self.method!r}; allowed: {', '.join(METHODS)}")

    @property
    def moves(self) -> bool:
        return self.diffusivity > 0 or self.decay > 0 or bool(self.fixed) or self.method == "coupled"


class Stepper:
    """Advances a State by a fixed step dt (days); picks explicit or LOD diffusion per variable."""

    def __init__(
        self,
        grid: Grid,
        variables: Sequence[str],
        compartments: Sequence[str],
        transports: Mapping[str, Transport],
        reactions: Reactions | None,
        dt: float,
        max_value: float = 1e30,
    ):
        if not (np.isfinite(dt) and dt > 0):
            raise InputError(f"time step must be a positive number of days, got {dt}")
        unknown = sorted(set(transports) - set(variables))
        if unknown:
            raise InputError(f"transport given for unknown variables {unknown}; variables: {', '.join(variables)}")
        self.grid = grid
        self.variables = tuple(variables)
        self.compartments = tuple(compartments)
        self.reactions = reactions
        self.dt = float(dt)
        self.max_value = max_value
        self.methods: dict[str, str] = {}
        self._explicit: list[tuple[int, Transport]] = []
        self._implicit: list[tuple[int, LODSolver, np.ndarray | None]] = []
        self._fixed: list[tuple[int, np.ndarray, np.ndarray]] = []
        self._coupled: list[tuple[int, CoupledSolver, np.ndarray, int]] = []
        for i, name in enumerate(self.variables):
            tr = transports.get(name, Transport())
            if tr.moves:
                self._plan(i, name, tr)
        shape = (len(self.variables),) + grid.shape3
        self.flows: tuple[Flow, ...] = tuple(getattr(reactions, "flows", ()))
        check_flows(self.flows, len(self.variables), len(self.compartments))
        coupled = {i for i, *_ in self._coupled}
        if any(f.field in coupled for f in self.flows):
            raise InputError("a variable solved with its reactions (method 'coupled') cannot take part in a flow")
        self._rates = Rates(shape, len(self.compartments), len(self.flows), per_patient=bool(grid.patients))
        self._coupled_rates = {i: (np.zeros(grid.shape3), np.zeros(grid.shape3)) for i in coupled}
        self._scratch = np.empty(grid.shape3)

    def _plan(self, i: int, name: str, tr: Transport) -> None:
        """Choose the solver for one variable from its positivity bound. On a single voxel a variable
        without decay or fixed values does not move at all, so it gets no solver (and no numba); nothing
        moves between the patients of a batch."""
        ndim = 0 if self.grid.patients else sum(n > 1 for n in self.grid.shape3)
        if self.grid.patients:
            tr = replace(tr, diffusivity=0.0)
        if ndim == 0 and tr.decay == 0 and not tr.fixed and tr.method != "coupled":
            self.methods[name] = "none (a single voxel)"
            return
        bound = explicit_bound(tr.diffusivity, tr.decay, self.dt, self.grid.spacing_um, ndim)
        method = tr.method
        if method == "auto":
            # Without diffusion (0-D grid or D = 0) the implicit path is an exact pointwise decay, no stencil.
            method = "explicit" if bound <= 1.0 and ndim > 0 and tr.diffusivity > 0 else "implicit"
        if method == "explicit" and bound > 1.0:
            limit = self.dt / bound
            raise InputError(
                f"explicit diffusion of {name!r} is unstable at dt={self.dt:g} day "
                f"(dt*(2*ndim*D/h^2+decay)={bound:.3g} > 1); use dt <= {limit:.3g} day or method 'implicit'"
            )
        self.methods[name] = method
        mask = np.zeros(self.grid.shape3, bool)
        value = np.zeros(self.grid.shape3)
        for region, v in tr.fixed:
            m = self.grid.mask(region)
            mask |= m
            value[m] = v
        if mask.any():
            self._fixed.append((i, mask, value[mask]))
        if method == "explicit":
            self._explicit.append((i, tr))
            return
        if method == "coupled":
            solver = CoupledSolver(self.grid.shape3, self.grid.spacing_um, tr.diffusivity, tr.decay, self.dt * tr.interval, mask)
            self._coupled.append((i, solver, value, int(tr.interval)))
            return
        from hosim.engine.diffusion import LODSolver  # noqa: I001 (numba: loaded only for grids that diffuse)

        solver = LODSolver(self.grid.shape3, self.grid.spacing_um, tr.diffusivity, tr.decay, self.dt, mask)
        self._implicit.append((i, solver, value if mask.any() else None))

    def fingerprint(self) -> dict:
        """What defines this run's numerics (used to refuse resuming someone else's checkpoint)."""
        return {
            "grid": self.grid.describe(),
            "variables": list(self.variables),
            "compartments": list(self.compartments),
            "dt": self.dt,
            "methods": self.methods,
        }

    def _react(self, state: State, t: float, h: float, keep_coupled: bool) -> None:
        """Positivity-preserving linearly implicit update u <- (u + h P) / (1 + h L), flows conserved.

        Coupled variables are left alone here; their rates are kept for their own solve when asked.
        """
        if self.reactions is None:
            return
        rates = self._rates
        rates.zero()
        self.reactions(state.fields, state.scalars, t, rates)
        P, L = rates.production, rates.loss
        for i, _, _, interval in self._coupled:
            if keep_coupled and state.step % interval == 0:  # rates are needed only when the solve is due
                self._coupled_rates[i][0][...] = P[i]
                self._coupled_rates[i][1][...] = L[i]
            P[i] = 0.0
            L[i] = 0.0
        implicit_update(state.fields, state.scalars, rates, self.flows, h)

    def _diffuse(self, state: State) -> None:
        self._hold_fixed(state)
        f = state.fields
        for i, solver, value, interval in self._coupled:
            if state.step % interval == 0:
                P, L = self._coupled_rates[i]
                solver.solve(f[i], P, L, fixed_value=value)
        for i, tr in self._explicit:
            from hosim.engine.diffusion import explicit_step

            explicit_step(f[i], self._scratch, tr.diffusivity, tr.decay, self.dt, self.grid.spacing_um)
            f[i] = self._scratch
        for i, solver, value in self._implicit:
            solver.solve(f[i], fixed_value=0.0 if value is None else value)
        self._hold_fixed(state)

    def _hold_fixed(self, state: State) -> None:
        """Dirichlet regions keep their values whatever the reactions or the explicit stencil did."""
        for i, mask, value in self._fixed:
            state.fields[i][mask] = value

    def step(self, state: State, t0: float = 0.0) -> None:
        """One Strang step of length dt; raises SimulationError if the state stops being finite."""
        if self.grid.size >= SERIAL_BELOW_VOXELS or not (self._explicit or self._implicit):
            self._step(state, t0)
            return
        import numba  # already loaded by the kernels this stepper uses

        threads = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            self._step(state, t0)
        finally:
            numba.set_num_threads(threads)

    def _step(self, state: State, t0: float) -> None:
        t = t0 + state.step * self.dt
        half = 0.5 * self.dt
        self._react(state, t, half, keep_coupled=True)
        self._diffuse(state)
        self._react(state, t + half, half, keep_coupled=False)
        self._hold_fixed(state)
        state.step += 1
        state.t = t0 + state.step * self.dt
        self.check(state)

    def check(self, state: State) -> None:
        """Stop with a clear message rather than carry NaNs or runaway values."""
        worst = np.max(np.abs(state.fields), axis=(1, 2, 3)) if state.fields.size else np.zeros(0)
        bad = ~np.isfinite(worst) | (worst > self.max_value)
        sbad = ~np.isfinite(state.scalars) | (np.abs(state.scalars) > self.max_value)
        if state.per_patient:
            sbad = sbad.any(axis=(1, 2, 3))
        if bad.any() or sbad.any():
            names = [self.variables[i] for i in np.flatnonzero(bad)]
            names += [self.compartments[i] for i in np.flatnonzero(sbad)]
            raise SimulationError(
                f"the run blew up at day {state.t:.4g} (step {state.step}): {', '.join(names)} became "
                f"non-finite or exceeded {self.max_value:g}; try a smaller time step than {self.dt:g} day"
            )
