"""How each variable of the cascade moves, derived from the variable table: diffusion at the diffusivity
its parameter names; oxygen (stiff and fast) solved together with its own reactions.

Oxygen relaxes to its quasi-steady profile within about 0.03 day over a 2 mm lesion, so it is solved every
OXYGEN_SOLVE_DAYS whatever the time step (docs/engine.md: the coupled method and its interval).
"""

from __future__ import annotations

from hosim.biology.parameters import ParameterSet
from hosim.biology.variables import VARIABLES
from hosim.engine.stepper import Transport

OXYGEN_SOLVE_DAYS = 0.2  # between coupled oxygen solves


def transports(parameters: ParameterSet, dt: float) -> dict[str, Transport]:
    """Transport of every moving variable for a run with time step `dt` (days)."""
    interval = max(1, round(OXYGEN_SOLVE_DAYS / dt))
    out = {}
    for v in VARIABLES:
        if v.diffusivity is None:
            continue
        D = parameters.value(v.diffusivity)
        out[v.name] = Transport(D, method="coupled", interval=interval) if v.coupled else Transport(D)
    return out
