"""The uninjured tissue the cascade starts from: resident cells where they live, the capillary bed and
the oxygen it sustains, full sensory stores, resting sympathetic tone and circulating progenitors.

Each resting value is the steady state of the cascade's own rates without a trigger, so an untouched
tissue stays put.
"""

from __future__ import annotations

import numpy as np

from hosim.biology.cascade import resting_substance_p, tissue_context
from hosim.biology.kinetics import hill
from hosim.biology.parameters import ParameterSet
from hosim.biology.tissue import Tissue
from hosim.biology.variables import COMPARTMENT_NAMES, VARIABLE_NAMES


def resting_oxygen(vessels: np.ndarray, uptake: np.ndarray, r) -> np.ndarray:
    """Local balance k v (Pb - O) = Q O / (Km + O) solved for O (a quadratic); voxels without vessels
    take the mean of the others (diffusion evens them out within minutes)."""
    kv = r.vessel_exchange * vessels
    b = kv * (r.blood_po2 - r.o2_km) - uptake
    with np.errstate(divide="ignore", invalid="ignore"):
        o2 = (b + np.sqrt(b * b + 4.0 * kv * kv * r.blood_po2 * r.o2_km)) / (2.0 * kv)
    supplied = kv > 0
    fill = float(o2[supplied].mean()) if supplied.any() else 0.0
    return np.where(supplied, o2, fill)


def resting_state(tissue: Tissue, parameters: ParameterSet) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Fields (name -> array shaped like the tissue) and compartment values of uninjured tissue."""
    r = parameters.namespace()
    x = tissue_context(tissue, r, bmp2_vector=0.0)
    reg = tissue.regions
    shape = tissue.capillaries.shape
    fields = {name: np.zeros(shape) for name in VARIABLE_NAMES}
    fields["neuropeptide_store"] = r.neuropeptide_refill / (r.neuropeptide_refill + r.exocytosis_basal) * x.sensory
    fields["mast_resting"] = x.mast_home.copy()
    fields["macrophages"] = x.macrophage_home.copy()
    fields["endo_quiescent"] = r.endo_progenitor_density * reg["nerve"]
    # fast signals start at their local resting level (diffusion evens them out within the first hour)
    fields["substance_p"] = resting_substance_p(x.sensory, r)
    fields["noradrenaline"] = r.na_release * x.sympathetic / r.na_decay
    activation = r.beta3_activation * hill(fields["noradrenaline"], r.beta3_na_half, r.beta3_hill)
    fields["perineurial"] = x.perineurial_home * r.perineurial_turnover / (r.perineurial_turnover + activation)
    fields["periosteal_progenitors"] = x.periosteal_home.copy()
    fields["muscle"] = reg["muscle"].copy()
    fields["vessels"] = tissue.capillaries.copy()
    fields["oxygen"] = resting_oxygen(tissue.capillaries, r.muscle_o2_uptake * reg["muscle"], r)
    scalars = {"circulating_progenitors": r.circulating_baseline, "sympathetic_tone": 1.0}
    return fields, {name: scalars[name] for name in COMPARTMENT_NAMES}
