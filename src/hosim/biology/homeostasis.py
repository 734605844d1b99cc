"""The uninjured tissue the cascade starts from: resident cells where they live, the capillary bed and
the oxygen it sustains, full sensory stores, resting sympathetic tone, circulating progenitors and
glucocorticoid, no neural injury signal and no systemic inflammation.

A first guess from the tissue layout is settled onto the steady state of the cascade's own rates
without a trigger (each voxel on its own), so that an untouched tissue stays put.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hosim.biology.cascade import Cascade, resting_substance_p, tissue_context
from hosim.biology.kinetics import hill
from hosim.biology.parameters import ParameterSet
from hosim.biology.tissue import Tissue
from hosim.biology.variables import COMPARTMENT_NAMES, VARIABLE_NAMES
from hosim.engine.rates import Rates, implicit_update

# Bone the model lays down (every origin): an uninjured tissue holds none (the skeleton's own bone is the
# layout's, not a field), and nothing removes it.
BONE_MATRIX = tuple(name for name in VARIABLE_NAMES if name.endswith(("bone_woven", "bone_mature")))


def resting_oxygen(vessels: np.ndarray, uptake: np.ndarray, p) -> np.ndarray:
    """Local balance k v (Pb - O) = Q O / (Km + O) solved for O (a quadratic); voxels without vessels
    take the mean of the others (diffusion evens them out within minutes)."""
    kv = p.vessel_exchange * vessels
    b = kv * (p.blood_po2 - p.o2_km) - uptake
    with np.errstate(divide="ignore", invalid="ignore"):
        o2 = (b + np.sqrt(b * b + 4.0 * kv * kv * p.blood_po2 * p.o2_km)) / (2.0 * kv)
    supplied = kv > 0
    fill = float(o2[supplied].mean()) if supplied.any() else 0.0
    return np.where(supplied, o2, fill)


def resting_state(tissue: Tissue, parameters: ParameterSet) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Fields (name -> array shaped like the tissue) and compartment values of uninjured tissue (on a batch
    of patients, arrays shaped like the tissue too: each patient's own)."""
    p = parameters.namespace()
    home = tissue_context(tissue, p, bmp2_vector=0.0)
    reg = tissue.regions
    shape = tissue.capillaries.shape
    fields = {name: np.zeros(shape) for name in VARIABLE_NAMES}
    fields["neuropeptide_store"] = p.neuropeptide_refill / (p.neuropeptide_refill + p.exocytosis_basal) * home.sensory
    fields["mast_resting"] = home.mast_home.copy()
    fields["macrophages"] = home.macrophage_home.copy()
    fields["endo_quiescent"] = p.endo_progenitor_density * reg["nerve"]
    # fast signals start at their local resting level (diffusion evens them out within the first hour)
    fields["substance_p"] = resting_substance_p(home.sensory, p)
    fields["noradrenaline"] = p.na_release * home.sympathetic / p.na_decay
    activation = p.beta3_activation * hill(fields["noradrenaline"], p.beta3_na_half, p.beta3_hill)
    fields["perineurial"] = home.perineurial_home * p.perineurial_turnover / (p.perineurial_turnover + activation)
    fields["periosteal_progenitors"] = home.periosteal_home.copy()
    fields["fap_quiescent"] = home.fap_home.copy()
    fields["muscle"] = reg["muscle"].copy()
    fields["vessels"] = tissue.capillaries.copy()
    fields["oxygen"] = resting_oxygen(tissue.capillaries, p.muscle_o2_uptake * reg["muscle"], p)
    scalars = {"circulating_progenitors": p.circulating_baseline, "sympathetic_tone": 1.0, "neural_injury": 0.0,
               "glucocorticoid": 1.0 + p.exogenous_glucocorticoid, "systemic_inflammation": 0.0,
               "denervation": 0.0}
    array = np.stack([np.broadcast_to(fields[n], shape) for n in VARIABLE_NAMES])
    per_voxel = shape if tissue.patients else ()
    values = np.stack([np.broadcast_to(np.asarray(scalars[c], dtype=np.float64), per_voxel) for c in COMPARTMENT_NAMES])
    settle(array, values, Cascade(parameters, tissue, bmp2_vector=0.0),
           held_at_zero=[VARIABLE_NAMES.index(name) for name in BONE_MATRIX])
    compartments = dict(zip(COMPARTMENT_NAMES, values if tissue.patients else values.tolist()))
    return dict(zip(VARIABLE_NAMES, array)), compartments


def settle(fields: np.ndarray, scalars: np.ndarray, reactions, horizon_days: float = 1e3, iterations: int = 80,
           held_at_zero: Sequence[int] = ()) -> None:
    """Move fields and scalars (in place) to the steady state of the local reactions: repeated
    positivity-preserving implicit updates (the engine's, flows included) with a long step H, which
    converge to P/L for the linear parts and act as a fixed-point iteration for the couplings.
    held_at_zero: fields nothing removes (bone), kept at zero, or a resting trickle would pile up over H."""
    flows = getattr(reactions, "flows", ())
    rates = Rates(fields.shape, len(scalars), len(flows), per_patient=scalars.ndim > 1)
    for _ in range(iterations):
        rates.zero()
        reactions(fields, scalars, 0.0, rates)
        implicit_update(fields, scalars, rates, flows, horizon_days)
        fields[list(held_at_zero)] = 0.0
