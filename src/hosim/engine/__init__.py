"""The numerical engine: grids, state, diffusion solvers, operator-split stepping, checkpoints.

No biology lives here; see docs/engine.md for the contract the biology codes against.
"""

from hosim.engine.checkpoint import Checkpoint, write_atomic
from hosim.engine.diffusion import LODSolver, explicit_bound, explicit_step
from hosim.engine.errors import InputError, SimulationError
from hosim.engine.grid import Grid
from hosim.engine.recorder import Recorder
from hosim.engine.runner import count_steps, run
from hosim.engine.state import State
from hosim.engine.stepper import Stepper, Transport

__all__ = [
    "Checkpoint",
    "Grid",
    "InputError",
    "LODSolver",
    "Recorder",
    "SimulationError",
    "State",
    "Stepper",
    "Transport",
    "count_steps",
    "explicit_bound",
    "explicit_step",
    "run",
    "write_atomic",
]
