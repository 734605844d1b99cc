"""How each variable of the cascade moves, derived from the variable table: diffusion at the diffusivity
its parameter names; oxygen (stiff and fast) solved together with its own reactions.

Oxygen relaxes to its quasi-steady profile within about 0.03 day over a 2 mm lesion, so it is solved every
OXYGEN_SOLVE_DAYS whatever the time step (docs/engine.md: the coupled method and its interval).

A run below 3-D stands for a slab of limb `slab_thickness_um` long whose lesion runs its length, in the
uninjured limb that continues beyond both ends (docs/model.md, "Dimensions"); a 0-D compartment is
moreover a cylinder inside the uninjured section. A signal with a linear decay leaks into that resting
tissue: `leak_rates` gives the leak as a first-order exchange with it, so that a section or a compartment
holds on average what the same lesion holds in 3-D.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

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


@dataclass(frozen=True)
class Surroundings:
    """The resting tissue around a run below 3-D: the slab's length along the limb (um), the resting fields
    ([variable, z, y, x]) beyond it, and for a 0-D compartment the radius of its cross-section (um)."""

    thickness_um: float
    resting: np.ndarray
    radius_um: float | None = None


def leak_rates(parameters: ParameterSet, thickness_um: float, radius_um: float | None = None
               ) -> dict[str, float | np.ndarray]:
    """Rate (1/day) of each moving, decaying signal's exchange with the resting tissue around a slab.

    A signal made evenly along a segment of length L, diffusing (D) and decaying (k) along it and into
    tissue that continues past its ends, has a mean over the segment f = 1 - (lam/L)(1 - exp(-L/lam)),
    lam = sqrt(D/k), times that of an endless segment; the extra loss k (1/f - 1) gives the same mean (it
    tends to sqrt(D k)/L, the flux out of both ends, when lam << L). Made evenly in a disc of radius R
    inside tissue, its mean is f = 1 - 2 I1(R/lam) K1(R/lam) times the disc's alone; a 0-D compartment
    adds that leak through its rim."""
    rates = {}
    for v in VARIABLES:
        if v.decay is None:
            continue
        k = parameters.value(v.decay)
        lam = np.sqrt(parameters.value(v.diffusivity) / k)
        rates[v.name] = k * (1.0 / segment_mean(thickness_um / lam) - 1.0)  # per patient where k or lam is
        if radius_um is not None:
            rates[v.name] += k * (1.0 / disc_mean(radius_um / lam) - 1.0)
    return rates


def segment_mean(length):
    """Mean over a segment (length in units of lam) of what it makes, relative to an endless one."""
    return 1.0 + np.expm1(-length) / length


def disc_mean(radius):
    """Mean over a disc (radius in units of lam) of what it makes, relative to the disc alone."""
    return 1.0 - 2.0 * special.i1e(radius) * special.k1e(radius)
