"""Reaction rates and the positivity-preserving update that applies them, with conservative flows.

The reaction function fills a Rates object: for every field u and compartment s,
    du/dt = production - loss * u,   production >= 0, loss >= 0 (1/day),
and, for every declared Flow, a per-unit rate array (1/day, per voxel). A flow moves material between a
field and a compartment (cells between tissue and blood): what leaves the donor in an update is exactly
what arrives at the recipient, to round-off, whatever the step.

The update over a step h is the lagged linearly implicit (Patankar-Euler) one,
    u <- (u + h P) / (1 + h L),
first order in h, unconditionally stable and never negative. With flows:
1. every field is updated, a field donor's flow rate counted in its loss (so it gives h * rho * u_new);
2. each compartment is updated with what field donors gave it: s <- (s + h sP + T) / (1 + h sL), a
   compartment donor's flow counted in its loss (so it gives h * sigma * s_new);
3. fields that receive from a compartment get it: u <- u + h rho s_new / (1 + h L).
A field that gives to a compartment therefore may not also receive from one (its value must be final
in step 1); the Stepper checks this when it is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from hosim.engine.errors import InputError


@dataclass(frozen=True)
class Flow:
    """Material moving between field `field` and compartment `compartment` (indices).

    into_compartment: the direction (field -> compartment when True). scale: compartment units per
    field unit in one voxel (cells per unit density x voxel volume / blood volume, say): one number, or on
    a batch of patients one per patient (shaped like the batch's voxels). The reaction
    function writes the flow's per-voxel rate rho (1/day) per unit of the donor: per unit of the field
    when the field gives, per unit of the compartment when the compartment gives (in field units/day).
    """

    field: int
    compartment: int
    into_compartment: bool
    scale: float | np.ndarray

    def __post_init__(self):
        if not np.all(np.isfinite(self.scale) & (np.asarray(self.scale) > 0)):
            raise InputError(f"a flow's scale must be a positive number, got {self.scale}")


class Rates:
    """Production, loss and flow arrays the reaction function adds to (zeroed before every call)."""

    def __init__(self, field_shape: tuple[int, ...], n_compartments: int, n_flows: int = 0,
                 per_patient: bool = False):
        """per_patient: compartments are per voxel (a batch of patients, each voxel its own)."""
        self.production = np.zeros(field_shape)
        self.loss = np.zeros(field_shape)
        scalar_shape = (n_compartments,) + (field_shape[1:] if per_patient else ())
        self.scalar_production = np.zeros(scalar_shape)
        self.scalar_loss = np.zeros(scalar_shape)
        self.flow = np.zeros((n_flows,) + field_shape[1:])

    def zero(self) -> None:
        for array in (self.production, self.loss, self.scalar_production, self.scalar_loss, self.flow):
            array.fill(0.0)


def check_flows(flows: Sequence[Flow], n_fields: int, n_compartments: int) -> None:
    """Refuse flows that name no such variable, or a field that both gives to and receives from blood."""
    givers = {f.field for f in flows if f.into_compartment}
    for f in flows:
        if not (0 <= f.field < n_fields and 0 <= f.compartment < n_compartments):
            raise InputError(f"flow {f} names a field or compartment that does not exist")
        if not f.into_compartment and f.field in givers:
            raise InputError(f"field {f.field} both gives to and receives from a compartment; split it in two")


def implicit_update(fields: np.ndarray, scalars: np.ndarray, rates: Rates, flows: Sequence[Flow], h: float) -> None:
    """Advance fields and scalars in place by h with the linearly implicit update and exact flows.

    Uses rates.production and rates.loss as scratch (they hold u + hP and 1 + hL afterwards). With
    compartments per voxel (a batch of patients) a flow stays within its voxel."""
    P, L, sL = rates.production, rates.loss, rates.scalar_loss
    per_patient = scalars.ndim > 1
    for j, flow in enumerate(flows):
        if flow.into_compartment:
            L[flow.field] += rates.flow[j]
        elif per_patient:
            sL[flow.compartment] += flow.scale * rates.flow[j]
        else:
            sL[flow.compartment] += flow.scale * float(rates.flow[j].sum())
    P *= h
    P += fields
    L *= h
    L += 1.0
    np.divide(P, L, out=fields)
    gained = np.zeros_like(scalars)
    for j, flow in enumerate(flows):
        if not flow.into_compartment:
            continue
        if per_patient:
            gained[flow.compartment] += flow.scale * h * rates.flow[j] * fields[flow.field]
        else:
            given = np.einsum("i,i->", rates.flow[j].reshape(-1), fields[flow.field].reshape(-1))  # no BLAS threads
            gained[flow.compartment] += flow.scale * h * float(given)
    scalars[:] = (scalars + h * rates.scalar_production + gained) / (1.0 + h * sL)
    for j, flow in enumerate(flows):
        if not flow.into_compartment:
            fields[flow.field] += h * rates.flow[j] * scalars[flow.compartment] / L[flow.field]
