"""What a scenario hands to a run: grid, initial state, transports, reactions, step, observables."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from hosim.biology.parameters import ParameterSet
from hosim.engine import Grid, State, Transport

Observable = Callable[[np.ndarray, np.ndarray], float]


@dataclass
class Setup:
    """Everything needed to run one scenario (docs: DESIGN.md, docs/engine.md).

    voxel_volume_mm3: real tissue volume one voxel stands for (2-D slab included);
    slab_thickness_um: the slab a 2-D section stands for (None in 0-D, 1-D and 3-D).
    """

    scenario: str
    grid: Grid
    state: State
    transports: dict[str, Transport]
    reactions: Callable
    dt: float
    days: float
    units: dict[str, str]
    slab_thickness_um: float | None
    voxel_volume_mm3: float
    observables: dict[str, Observable]
    observable_units: dict[str, str]
    snapshot_variables: list[str]
    parameters: ParameterSet
    options: dict[str, Any] = field(default_factory=dict)


class Scenario(Protocol):
    """A named experiment: `build(...)` returns a fresh Setup; `defaults` lists its parameters."""

    name: str
    description: str
    defaults: Mapping[str, Any]

    def build(self, dims: int = 2, days: float = 21.0, resolution_um: float | None = None, seed: int = 0,
              **params: Any) -> Setup: ...
