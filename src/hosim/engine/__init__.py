"""The numerical engine: grids, state, diffusion solvers, operator-split stepping, checkpoints.

No biology lives here; see docs/engine.md for the contract the biology codes against. The names below
are imported on first use, so that `hosim.engine.errors` and `hosim.engine.files` (standard library
only) can be used by the clinical commands without loading numba, pyamg or xarray.
"""

from importlib import import_module

_HOMES = {
    "Checkpoint": "checkpoint",
    "Event": "runner",
    "Flow": "rates",
    "Grid": "grid",
    "InputError": "errors",
    "LODSolver": "diffusion",
    "Rates": "rates",
    "Recorder": "recorder",
    "SimulationError": "errors",
    "State": "state",
    "Stepper": "stepper",
    "Transport": "stepper",
    "count_steps": "runner",
    "explicit_bound": "stepper",
    "explicit_step": "diffusion",
    "implicit_update": "rates",
    "run": "runner",
    "run_setup": "runner",
    "Runnable": "runner",
    "write_atomic": "files",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    try:
        home = _HOMES[name]
    except KeyError:
        raise AttributeError(f"module 'hosim.engine' has no attribute {name!r}") from None
    return getattr(import_module(f"hosim.engine.{home}"), name)
