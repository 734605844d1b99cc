"""The HO cascade of MODEL.md as rate laws: one function per step, named after the step.

Every step adds to the engine's production P (>= 0) and per-unit loss L (>= 0, 1/day) arrays, so that
du/dt = P - L u for each variable (docs/engine.md); a signal's linear decay is a loss of the step that
makes it. Transfers between a field and a compartment are a loss on one side and a production on the
other, in whole cells, so cells are conserved. Diffusion is the engine's (see variables.py); everything
here is local or a domain sum.

Numbers are read from the parameter namespace `r` (parameters.toml gives unit, range and source).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from hosim.biology.kinetics import hill, hill_down, positive, saturating, weighted_sum
from hosim.biology.parameters import ParameterSet
from hosim.biology.tissue import Tissue
from hosim.biology.variables import COMPARTMENT_NAMES, VARIABLE_NAMES


class Fields:
    """Named views of the variables of a [variable, z, y, x] array (`f.bmp2 += ...` writes in place)."""

    __slots__ = VARIABLE_NAMES

    def __init__(self, array: np.ndarray):
        for name, view in zip(VARIABLE_NAMES, array):
            setattr(self, name, view)


CIRC = COMPARTMENT_NAMES.index("circulating_progenitors")
TONE = COMPARTMENT_NAMES.index("sympathetic_tone")
CELLS_PER_UNIT_MM3 = 1e3  # 1e6 cells/mL = 1e3 cells/mm^3 = 1e3 cells/uL


class Rates(SimpleNamespace):
    """The production and loss views a step writes into: P.<var>, L.<var>, and compartment arrays sP, sL."""


def trigger(u, s, x, r, out):
    """Step 1: transduced cells release BMP2 until the immune response clears them."""
    out.P.bmp2 += r.bmp2_secretion * x.bmp2_vector * u.injected_cells
    out.L.bmp2 += r.bmp2_decay
    # Activin A from macrophages in injured muscle (none in intact tissue): the trigger of FOP flare-ups,
    # which signals through SMAD1/5/8 only on ACVR1 R206H (local_signals: x.smad).
    out.P.activin_a += r.activin_secretion * u.macrophages * x.damage
    out.L.activin_a += r.activin_decay
    out.L.injected_cells += r.injected_clearance + r.injected_clearance_immune * saturating(
        u.macrophages, r.macrophage_half_clearance
    )


def neurogenic_inflammation(u, s, x, r, out):
    """Step 2: BMP2 on TRPV1+ fibres releases substance P from their store; SP degranulates mast cells
    through NK1R (spent mast cells take weeks to regranulate, so they leave the model once their granule
    contents have acted); damage and degranulated mast cells recruit macrophages."""
    exocytosis = r.exocytosis_basal + r.exocytosis_bmp2 * hill(x.smad, r.sp_bmp2_half, r.bmp2_hill)
    out.P.substance_p += r.sp_content * exocytosis * u.neuropeptide_store
    out.L.substance_p += r.sp_decay
    out.P.neuropeptide_store += r.neuropeptide_refill * x.sensory
    out.L.neuropeptide_store += r.neuropeptide_refill + exocytosis

    nk1r = saturating(u.substance_p, r.mast_sp_half)
    out.P.mast_resting += r.mast_turnover * x.mast_home * (1.0 + r.mast_recruitment * nk1r)
    degranulation = r.mast_degranulation * nk1r
    out.L.mast_resting += r.mast_turnover + degranulation
    x.degranulating = degranulation * u.mast_resting
    out.P.mast_degranulated += x.degranulating
    out.L.mast_degranulated += r.mast_recovery

    out.P.macrophages += r.macrophage_death * x.macrophage_home
    out.P.macrophages += r.macrophage_recruitment * (x.damage + r.macrophage_mast_weight * u.mast_degranulated)


def barrier_opening(u, s, x, r, out):
    """Step 3: plasmin (made on fibrin) activates the pro-MMP-9 that degranulating mast cells release
    (and macrophages and tBAT secrete); active MMP-9 opens the blood-nerve barrier, which reseals when
    MMP-9 is gone."""
    out.P.fibrin += r.fibrin_leak * u.mast_degranulated
    out.L.fibrin += r.fibrinolysis * saturating(u.plasmin, r.fibrinolysis_plasmin_half)
    out.P.plasmin += r.plasmin_generation * saturating(u.fibrin, r.plasmin_fibrin_half)
    out.L.plasmin += r.plasmin_decay
    pro_mmp9 = r.mmp9_per_degranulation * x.degranulating + r.mmp9_macrophage * u.macrophages
    pro_mmp9 += r.mmp9_tbat * u.tbat
    out.P.mmp9_active += pro_mmp9 * saturating(u.plasmin, r.mmp9_plasmin_half)
    out.L.mmp9_active += r.mmp9_decay
    opening = r.bnb_opening * hill(u.mmp9_active, r.bnb_mmp9_half, r.bnb_hill)
    out.P.bnb_permeability += opening * x.has_nerve
    out.L.bnb_permeability += opening + r.bnb_closing


def endoneurial_signalling(u, s, x, r, out):
    """Step 4: BMP2 that crosses the open barrier makes Schwann cells express Wnt1, which activates
    the endoneurial progenitors."""
    inside = x.smad * u.bnb_permeability
    out.P.wnt1 += r.wnt1_expression * x.schwann * hill(inside, r.wnt1_bmp2_half, r.bmp2_hill)
    out.L.wnt1 += r.wnt1_decay
    activation = r.endo_activation * saturating(u.wnt1, r.endo_wnt1_half)
    out.L.endo_quiescent += activation
    out.P.endo_activated += activation * u.endo_quiescent


def exit_and_circulation(u, s, x, r, out):
    """Step 5: activated progenitors leave the nerve into the blood, where they are cleared (homing
    elsewhere, death) back to a small resting level."""
    out.L.endo_activated += r.endo_exit
    released = r.endo_exit * x.cells_per_unit * u.endo_activated.sum()  # cells/day
    out.sP[CIRC] += released / r.blood_volume + r.circulating_clearance * r.circulating_baseline
    out.sL[CIRC] += r.circulating_clearance


def sympathetic_arm(u, s, x, r, out):
    """Step 6: SP at the nerve's sensory endings above its resting level (the afferent signal) raises
    sympathetic tone; noradrenaline on beta3-AR activates perineurial cells, which migrate, and where
    BMP2 is expand and turn into brown adipocytes."""
    afferent = max(weighted_sum(u.substance_p, x.afferent_weights) - x.afferent_rest, 0.0)
    out.sP[TONE] += r.tone_rate * (1.0 + r.tone_gain * saturating(afferent, r.tone_sp_half))
    out.sL[TONE] += r.tone_rate
    out.P.noradrenaline += r.na_release * s[TONE] * x.sympathetic
    out.L.noradrenaline += r.na_decay

    beta3 = hill(u.noradrenaline, r.beta3_na_half, r.beta3_hill)
    activation = r.beta3_activation * beta3
    out.P.perineurial += r.perineurial_turnover * x.perineurial_home
    out.L.perineurial += r.perineurial_turnover + activation
    out.P.perineurial_migrating += activation * u.perineurial
    bmp = hill(x.smad, r.perineurial_bmp2_half, r.bmp2_hill)
    growth = r.perineurial_proliferation * bmp
    browning = r.brown_differentiation * bmp
    out.P.perineurial_migrating += growth * u.perineurial_migrating
    out.L.perineurial_migrating += growth * x.crowding + browning + r.perineurial_death
    new_fat = r.tbat_cell_volume * browning * u.perineurial_migrating
    out.P.tbat += new_fat * x.room_for_fat
    out.L.tbat += new_fat


def hypoxia(u, s, x, r, out):
    """Step 7: vessels supply oxygen; muscle, cells and above all tBAT (uncoupled respiration) take it
    up with Michaelis-Menten kinetics."""
    out.P.oxygen += r.vessel_exchange * r.blood_po2 * u.vessels
    uptake = r.muscle_o2_uptake * u.muscle + r.tbat_o2_uptake * u.tbat + r.cell_o2_uptake * x.cells
    out.L.oxygen += r.vessel_exchange * u.vessels + uptake / (r.o2_km + u.oxygen)


def chondrogenesis(u, s, x, r, out):
    """Step 8: progenitors in the hypoxic (HIF1-active) zone, once condensed, become chondrocytes, which
    expand while BMP2 lasts and lay down cartilage."""
    bmp = hill(x.smad, r.chondro_bmp2_half, r.bmp2_hill)
    rate = r.chondrogenesis * x.hif * bmp * hill(x.cells, r.condensation_density, 2)
    out.L.tissue_progenitors += rate
    out.P.chondrocytes += rate * u.tissue_progenitors
    growth = r.chondrocyte_proliferation * bmp
    out.P.chondrocytes += growth * u.chondrocytes
    out.L.chondrocytes += growth * x.crowding
    synthesis = r.cartilage_synthesis * u.chondrocytes
    out.P.cartilage += synthesis * x.room_for_cartilage
    out.L.cartilage += synthesis


def angiogenesis(u, s, x, r, out):
    """Step 9: VEGF from tBAT and hypoxic tissue makes vessels sprout (logistic up to a ceiling); without
    VEGF they regress to the resting capillary bed."""
    out.P.vegf += r.vegf_tbat * u.tbat + r.vegf_hypoxic * x.hif * x.cellular
    out.L.vegf += r.vegf_decay
    growth = r.angiogenesis * saturating(u.vegf, r.angiogenesis_vegf_half) * (u.vessels + r.sprout_seed)
    out.P.vessels += growth + r.vessel_regression * x.capillaries
    out.L.vessels += growth / r.vessel_max + r.vessel_regression


def extravasation(u, s, x, r, out):
    """Step 10: circulating progenitors leave the blood where new, VEGF-activated vessels express
    extravasation factors."""
    activated = u.vessels * saturating(u.vegf, r.extravasation_vegf_half)
    out.P.tissue_progenitors += r.extravasation * activated * (s[CIRC] / CELLS_PER_UNIT_MM3)
    out.sL[CIRC] += r.extravasation * x.voxel_volume_mm3 * activated.sum() / r.blood_volume


def bone_formation(u, s, x, r, out):
    """Step 11: BMP2 expands the progenitors; in the normoxic, vascularised zone they become osteoblasts;
    there vessels invade the cartilage, which is resorbed while its chondrocytes are replaced by
    osteoblasts (endochondral); osteoblasts lay down woven bone."""
    bmp = hill(x.smad, r.progenitor_bmp2_half, r.bmp2_hill)
    growth = r.progenitor_proliferation * bmp
    out.P.tissue_progenitors += growth * u.tissue_progenitors
    vascular = x.normoxia * saturating(u.vessels, r.osteo_vessel_half)
    osteo = r.osteogenesis * vascular * bmp
    out.L.tissue_progenitors += growth * x.crowding + osteo + r.progenitor_death
    out.P.osteoblasts += osteo * u.tissue_progenitors
    endochondral = r.endochondral * vascular
    out.L.chondrocytes += endochondral
    out.P.osteoblasts += endochondral * u.chondrocytes
    out.L.cartilage += r.cartilage_resorption * vascular
    out.L.osteoblasts += r.osteoblast_death
    synthesis = r.bone_synthesis * u.osteoblasts
    out.P.bone_woven += synthesis * x.room_for_bone
    out.L.bone_woven += synthesis


def tissue_loss(u, s, x, r, out):
    """Step 12: muscle regenerates where there is room and atrophies where cartilage and bone grow."""
    out.P.muscle += r.muscle_regeneration * x.muscle_room
    out.L.muscle += r.muscle_regeneration + r.muscle_atrophy * x.hard_matrix


def resolution_and_maturation(u, s, x, r, out):
    """Step 13: tBAT and macrophages resolve; woven bone matures (remodels)."""
    out.L.tbat += r.tbat_resolution
    out.L.macrophages += r.macrophage_death
    out.L.bone_woven += r.bone_maturation
    out.P.bone_mature += r.bone_maturation * u.bone_woven


def orthotopic_route(u, s, x, r, out):
    """Step 14: periosteal progenitors of the skeleton expand and make osteoblasts where BMP2 reaches
    them, without the nerve."""
    bmp = hill(x.smad, r.periosteal_bmp2_half, r.bmp2_hill)
    growth = r.periosteal_proliferation * bmp
    out.P.periosteal_progenitors += growth * u.periosteal_progenitors + r.periosteal_turnover * x.periosteal_home
    osteo = r.periosteal_osteogenesis * bmp * x.normoxia
    out.L.periosteal_progenitors += growth * x.crowding + r.periosteal_turnover + osteo
    out.P.osteoblasts += osteo * u.periosteal_progenitors


STEPS = (
    trigger,
    neurogenic_inflammation,
    barrier_opening,
    endoneurial_signalling,
    exit_and_circulation,
    sympathetic_arm,
    hypoxia,
    chondrogenesis,
    angiogenesis,
    extravasation,
    bone_formation,
    tissue_loss,
    resolution_and_maturation,
    orthotopic_route,
)


def resting_substance_p(sensory: np.ndarray, r: SimpleNamespace) -> np.ndarray:
    """Local SP level of resting fibres (basal release from a full store), without diffusion."""
    store = r.neuropeptide_refill / (r.neuropeptide_refill + r.exocytosis_basal) * sensory
    return r.sp_content * r.exocytosis_basal * store / r.sp_decay


def tissue_context(tissue: Tissue, r: SimpleNamespace, bmp2_vector: float) -> SimpleNamespace:
    """Fixed per-voxel quantities: where fibres, mast cells and macrophages live, and the voxel size.

    Nerve-borne sources (sensory and sympathetic fibres, Schwann cells) are present (1) in every voxel
    that holds some of that nerve layer, so a signal made and read at the nerve has its local
    concentration on any grid; in a 0-D compartment that is the concentration at the nerve.
    """
    reg = tissue.regions
    present = {k: (reg[k] > 0).astype(np.float64) for k in ("nerve", "perineurium", "epineurium")}
    sensory = present["epineurium"] + r.muscle_innervation * reg["muscle"]
    epi = present["epineurium"].ravel()
    afferent_weights = epi / epi.sum() if epi.sum() > 0 else epi
    near_nerve = np.maximum(np.maximum(present["nerve"], present["perineurium"]), present["epineurium"])
    return SimpleNamespace(
        bmp2_vector=float(bmp2_vector),
        schwann=present["nerve"],
        has_nerve=np.maximum(present["nerve"], present["perineurium"]),
        sensory=sensory,
        afferent_weights=afferent_weights,
        afferent_rest=weighted_sum(resting_substance_p(sensory, r), afferent_weights),
        sympathetic=near_nerve + r.perivascular_sympathetic * reg["muscle"],
        mast_home=r.mast_density_epineurium * reg["epineurium"] + r.mast_density_muscle * reg["muscle"],
        macrophage_home=r.macrophage_density * (reg["muscle"] + reg["epineurium"]),
        periosteal_home=r.periosteal_density * reg["periosteum"],
        perineurial_home=r.perineurial_density * (reg["perineurium"] + r.perineurial_muscle * reg["muscle"]),
        muscle_region=reg["muscle"],
        capillaries=tissue.capillaries,
        voxel_volume_mm3=tissue.voxel_volume_mm3,
        cells_per_unit=CELLS_PER_UNIT_MM3 * tissue.voxel_volume_mm3,
    )


def local_signals(u, r, x) -> None:
    """Quantities several steps share, computed once per call: the SMAD1/5/8 ligand signal, HIF activity,
    crowding, free room.

    smad (BMP2-equivalent ng/mL) is what every BMP-responsive step reads: BMP2 on wild-type ACVR1; on
    ACVR1 R206H (allele fraction acvr1_r206h) BMP2 with enhanced sensitivity, plus activin A, which the
    mutant receptor turns into a BMP-like signal (Hatsell 2015; Hino 2015) and the wild type does not.
    """
    mutant = r.acvr1_r206h
    x.smad = u.bmp2 * (1.0 + mutant * (r.acvr1_bmp_sensitivity - 1.0)) + mutant * r.acvr1_activin_gain * u.activin_a
    x.hif = hill_down(u.oxygen, r.hif_po2_half, r.hif_hill)
    x.normoxia = 1.0 - x.hif
    x.cells = u.tissue_progenitors + u.chondrocytes + u.osteoblasts + u.periosteal_progenitors
    x.cells += u.perineurial_migrating
    x.crowding = x.cells / r.cell_capacity
    x.cellular = u.muscle + x.crowding
    x.hard_matrix = u.cartilage + u.bone_woven + u.bone_mature
    bone = u.bone_woven + u.bone_mature
    x.room_for_cartilage = positive(1.0 - bone - u.tbat)
    x.room_for_fat = positive(1.0 - x.hard_matrix)
    x.room_for_bone = positive(1.0 - u.cartilage - u.bone_mature - u.tbat)
    x.muscle_room = x.muscle_region * positive(1.0 - x.hard_matrix - u.tbat)  # where muscle could be
    x.damage = positive(x.muscle_room - u.muscle)


class Cascade:
    """The reaction function the engine calls (docs/engine.md): all fourteen steps, in order."""

    def __init__(self, parameters: ParameterSet, tissue: Tissue, bmp2_vector: float = 1.0):
        self.parameters = parameters
        self.r = parameters.namespace()
        self.tissue = tissue
        self.context = tissue_context(tissue, self.r, bmp2_vector)

    def __call__(self, fields, scalars, t, production, loss, scalar_production, scalar_loss) -> None:
        u = Fields(fields)
        out = Rates(P=Fields(production), L=Fields(loss), sP=scalar_production, sL=scalar_loss)
        x = self.context
        local_signals(u, self.r, x)
        for step in STEPS:
            step(u, scalars, x, self.r, out)
