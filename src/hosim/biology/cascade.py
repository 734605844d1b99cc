"""The HO cascade of MODEL.md as rate laws: one function per step, named after the step.

Every step adds to the engine's production P (>= 0) and per-unit loss L (>= 0, 1/day) arrays, so that
du/dt = P - L u for each variable (docs/engine.md); a signal's linear decay is a loss of the step that
makes it. Cells that move between the tissue and the blood are declared as engine flows (Cascade.flows):
a step writes the flow's per-unit rate and the engine's update moves exactly what leaves one side to
the other, so whole cells are conserved by the update itself. Diffusion is the engine's (see
variables.py); everything here is local or a domain sum.

Every step reads its inputs through its arguments, and only those:
- `fields`: named views of the variables now (`fields.bmp2`), read only;
- `body`: the body-wide compartments (blood progenitors, sympathetic tone, neural injury,
  glucocorticoid, systemic inflammation, denervation), read only;
- `tissue`: the fixed per-voxel layout (where nerve, fibres and resident cells are; the voxel volume);
- `signals`: quantities several steps share, computed afresh from the fields before the steps run
  (`local_signals`); no step writes anything a later step reads, except that lineage tracing (the last
  step) copies the loss rates of the populations it traces;
- `p`: the parameter values (parameters.toml gives unit, range and source);
- `rates`: where the step adds its production and loss (rates.P.<variable>, rates.L.<variable>, the
  compartments' rates.sP and rates.sL, and the flows' per-unit rates rates.F[EXIT], rates.F[HOMING]).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from hosim.biology.kinetics import either, hill, hill_down, positive, saturating, weighted_sum
from hosim.biology.parameters import ParameterSet
from hosim.biology.tissue import Tissue
from hosim.biology.transport import Surroundings, leak_rates
from hosim.biology.variables import COMPARTMENT_NAMES, VARIABLE_NAMES, VARIABLES
from hosim.engine.rates import Flow, Rates


class Fields:
    """Named views of the variables of a [variable, z, y, x] array (`f.bmp2 += ...` writes in place)."""

    __slots__ = VARIABLE_NAMES

    def __init__(self, array: np.ndarray):
        for name, view in zip(VARIABLE_NAMES, array):
            setattr(self, name, view)


CIRC = COMPARTMENT_NAMES.index("circulating_progenitors")
TONE = COMPARTMENT_NAMES.index("sympathetic_tone")
NEURAL = COMPARTMENT_NAMES.index("neural_injury")
GC = COMPARTMENT_NAMES.index("glucocorticoid")
INFLAMMATION = COMPARTMENT_NAMES.index("systemic_inflammation")
DENERVATION = COMPARTMENT_NAMES.index("denervation")
CELLS_PER_UNIT_MM3 = 1e3  # 1e6 cells/mL = 1e3 cells/mm^3 = 1e3 cells/uL
TRACERS = tuple((v.name, v.traces) for v in VARIABLES if v.traces)
EXIT, HOMING = 0, 1  # the cascade's flows: endoneurial progenitors into the blood, and out of it into tissue


class RateViews(SimpleNamespace):
    """The views a step writes into: P.<var>, L.<var>, compartment arrays sP, sL and flow rates F[flow]."""


@dataclass(frozen=True)
class TissueContext:
    """Fixed per-voxel quantities: where fibres, Schwann cells and resident cells live, and voxel size."""

    bmp2_vector: float
    schwann: np.ndarray
    has_nerve: np.ndarray
    sensory: np.ndarray
    afferent_weights: np.ndarray
    afferent_rest: float | np.ndarray  # per patient on a batch
    sympathetic: np.ndarray
    mast_home: np.ndarray
    macrophage_home: np.ndarray
    periosteal_home: np.ndarray
    perineurial_home: np.ndarray
    fap_home: np.ndarray
    muscle_region: np.ndarray
    capillaries: np.ndarray
    voxel_volume_mm3: float
    cells_per_unit: float
    per_patient: bool = False

    def at_nerve_endings(self, values: np.ndarray):
        """The nerve's sensory endings' mean of a per-voxel quantity (the afferent input): one number, or
        one per patient on a batch (each voxel its own patient)."""
        if self.per_patient:
            return values * self.afferent_weights
        return weighted_sum(values, self.afferent_weights)


@dataclass(frozen=True)
class Signals:
    """Quantities several steps read, computed once per call from the fields (see local_signals)."""

    smad: np.ndarray
    hif: np.ndarray
    normoxia: np.ndarray
    cells: np.ndarray
    crowding: np.ndarray
    cellular: np.ndarray
    hard_matrix: np.ndarray
    room_for_cartilage: np.ndarray
    room_for_fat: np.ndarray
    room_for_bone: np.ndarray
    muscle_room: np.ndarray
    damage: np.ndarray
    nk1r: np.ndarray
    degranulation: np.ndarray
    degranulating: np.ndarray
    inflammatory: np.ndarray
    fap_niche: np.ndarray
    osm: np.ndarray
    gr: float | np.ndarray  # per patient on a batch


def trigger(fields, body, tissue, signals, p, rates):
    """Step 1: transduced cells release BMP2 until the immune response clears them."""
    rates.P.bmp2 += p.bmp2_secretion * tissue.bmp2_vector * fields.injected_cells
    # macrophages make BMP2 too, less when inflammatory (Champagne 2002): a weak source beside a transgene
    rates.P.bmp2 += p.bmp_macrophage * fields.macrophages * (1.0 - signals.inflammatory)
    rates.L.bmp2 += p.bmp2_decay
    # Activin A from inflammatory macrophages (none in intact tissue): the trigger of FOP flare-ups,
    # which signals through SMAD1/5/8 only on ACVR1 R206H (local_signals: signals.smad).
    rates.P.activin_a += p.activin_secretion * fields.macrophages * signals.inflammatory
    rates.L.activin_a += p.activin_decay
    rates.L.injected_cells += p.injected_clearance + p.injected_clearance_immune * saturating(
        fields.macrophages, p.macrophage_half_clearance
    )


def neurogenic_inflammation(fields, body, tissue, signals, p, rates):
    """Step 2: BMP2 on TRPV1+ fibres (and, within hours, a spinal cord injury) releases substance P from
    their store; SP degranulates mast cells through NK1R (spent mast cells take weeks to regranulate, so
    they leave the model once their granule contents have acted); damage and degranulated mast cells
    recruit macrophages."""
    exocytosis = p.exocytosis_basal + p.exocytosis_bmp2 * hill(signals.smad, p.sp_bmp2_half, p.bmp2_hill)
    exocytosis += p.exocytosis_neural * body[NEURAL]
    rates.P.substance_p += p.sp_content * exocytosis * fields.neuropeptide_store
    rates.L.substance_p += p.sp_decay
    rates.P.neuropeptide_store += p.neuropeptide_refill * tissue.sensory
    rates.L.neuropeptide_store += p.neuropeptide_refill + exocytosis

    rates.P.mast_resting += p.mast_turnover * tissue.mast_home * (1.0 + p.mast_recruitment * signals.nk1r)
    rates.L.mast_resting += p.mast_turnover + signals.degranulation
    rates.P.mast_degranulated += signals.degranulating
    rates.L.mast_degranulated += p.mast_recovery

    rates.P.macrophages += p.macrophage_death * tissue.macrophage_home
    rates.P.macrophages += p.macrophage_recruitment * (
        signals.damage + p.macrophage_mast_weight * fields.mast_degranulated
    )


def barrier_opening(fields, body, tissue, signals, p, rates):
    """Step 3: plasmin (made on fibrin) activates the pro-MMP-9 that degranulating mast cells release
    (and macrophages and tBAT secrete); active MMP-9 opens the blood-nerve barrier, which reseals when
    MMP-9 is gone; a central nervous system injury leaves it leaky while its signal lasts."""
    rates.P.fibrin += p.fibrin_leak * fields.mast_degranulated
    rates.L.fibrin += p.fibrinolysis * saturating(fields.plasmin, p.fibrinolysis_plasmin_half)
    rates.P.plasmin += p.plasmin_generation * saturating(fields.fibrin, p.plasmin_fibrin_half)
    rates.L.plasmin += p.plasmin_decay
    pro_mmp9 = p.mmp9_per_degranulation * signals.degranulating + p.mmp9_macrophage * fields.macrophages
    pro_mmp9 += p.mmp9_tbat * fields.tbat
    rates.P.mmp9_active += pro_mmp9 * saturating(fields.plasmin, p.mmp9_plasmin_half)
    rates.L.mmp9_active += p.mmp9_decay
    opening = p.bnb_opening * hill(fields.mmp9_active, p.bnb_mmp9_half, p.bnb_hill) + p.bnb_neural * body[NEURAL]
    rates.P.bnb_permeability += opening * tissue.has_nerve
    rates.L.bnb_permeability += opening + p.bnb_closing


def endoneurial_signalling(fields, body, tissue, signals, p, rates):
    """Step 4: BMP2 that crosses the open barrier makes Schwann cells express Wnt1, which activates
    the endoneurial progenitors."""
    inside = signals.smad * fields.bnb_permeability
    rates.P.wnt1 += p.wnt1_expression * tissue.schwann * hill(inside, p.wnt1_bmp2_half, p.bmp2_hill)
    rates.L.wnt1 += p.wnt1_decay
    activation = p.endo_activation * saturating(fields.wnt1, p.endo_wnt1_half)
    rates.L.endo_quiescent += activation
    rates.P.endo_activated += activation * fields.endo_quiescent


def exit_and_circulation(fields, body, tissue, signals, p, rates):
    """Step 5: activated progenitors leave the nerve into the blood (the EXIT flow, per cell), where they
    are cleared (homing elsewhere, death) back to a small resting level."""
    rates.F[EXIT] += p.endo_exit
    rates.sP[CIRC] += p.circulating_clearance * p.circulating_baseline
    rates.sL[CIRC] += p.circulating_clearance


def sympathetic_arm(fields, body, tissue, signals, p, rates):
    """Step 6: SP at the nerve's sensory endings above its resting level (the afferent signal), and a
    central nervous system injury, raise sympathetic tone; noradrenaline on beta3-AR activates perineurial cells, which migrate, and where
    BMP2 is expand and turn into brown adipocytes."""
    afferent = np.maximum(tissue.at_nerve_endings(fields.substance_p) - tissue.afferent_rest, 0.0)
    rates.sP[TONE] += p.tone_rate * (1.0 + p.tone_gain * saturating(afferent, p.tone_sp_half)
                                     + p.tone_neural_gain * body[NEURAL])
    rates.sL[TONE] += p.tone_rate
    rates.P.noradrenaline += p.na_release * body[TONE] * tissue.sympathetic
    rates.L.noradrenaline += p.na_decay

    beta3 = hill(fields.noradrenaline, p.beta3_na_half, p.beta3_hill)
    activation = p.beta3_activation * beta3
    rates.P.perineurial += p.perineurial_turnover * tissue.perineurial_home
    rates.L.perineurial += p.perineurial_turnover + activation
    rates.P.perineurial_migrating += activation * fields.perineurial
    bmp = hill(signals.smad, p.perineurial_bmp2_half, p.bmp2_hill)
    growth = p.perineurial_proliferation * bmp
    browning = p.brown_differentiation * bmp
    rates.P.perineurial_migrating += growth * fields.perineurial_migrating
    rates.L.perineurial_migrating += growth * signals.crowding + browning + p.perineurial_death
    new_fat = p.tbat_cell_volume * browning * fields.perineurial_migrating
    rates.P.tbat += new_fat * signals.room_for_fat
    rates.L.tbat += new_fat


def hypoxia(fields, body, tissue, signals, p, rates):
    """Step 7: vessels supply oxygen; muscle, cells, inflammatory leukocytes (respiratory burst) and above
    all tBAT (uncoupled respiration) take it up with Michaelis-Menten kinetics."""
    rates.P.oxygen += p.vessel_exchange * p.blood_po2 * fields.vessels
    uptake = p.muscle_o2_uptake * fields.muscle + p.tbat_o2_uptake * fields.tbat + p.cell_o2_uptake * signals.cells
    uptake += p.leukocyte_o2_uptake * (fields.neutrophils + fields.macrophages * signals.inflammatory)
    rates.L.oxygen += p.vessel_exchange * fields.vessels + uptake / (p.o2_km + fields.oxygen)


def chondrogenesis(fields, body, tissue, signals, p, rates):
    """Step 8: progenitors in the hypoxic (HIF1-active) zone, once condensed, become chondrocytes, which
    expand while BMP2 lasts and lay down cartilage."""
    bmp = hill(signals.smad, p.chondro_bmp2_half, p.bmp2_hill)
    rate = p.chondrogenesis * signals.hif * bmp * hill(signals.cells, p.condensation_density, 2)
    rates.L.tissue_progenitors += rate
    rates.P.chondrocytes += rate * fields.tissue_progenitors
    rates.P.resident_chondrocytes += rate * fields.resident_progenitors
    growth = p.chondrocyte_proliferation * bmp
    rates.P.chondrocytes += growth * fields.chondrocytes
    rates.P.resident_chondrocytes += growth * fields.resident_chondrocytes
    rates.L.chondrocytes += growth * signals.crowding
    synthesis = p.cartilage_synthesis * fields.chondrocytes
    rates.P.cartilage += synthesis * signals.room_for_cartilage
    rates.L.cartilage += synthesis


def angiogenesis(fields, body, tissue, signals, p, rates):
    """Step 9: VEGF from tBAT, hypoxic tissue and inflammatory macrophages makes vessels sprout (logistic up to a
    ceiling), less through a persisting fibrin clot; without VEGF they regress to the resting capillary bed."""
    rates.P.vegf += p.vegf_tbat * fields.tbat + p.vegf_hypoxic * signals.hif * signals.cellular
    rates.P.vegf += p.vegf_macrophage * fields.macrophages * signals.inflammatory
    rates.L.vegf += p.vegf_decay
    growth = p.angiogenesis * saturating(fields.vegf, p.angiogenesis_vegf_half) * (fields.vessels + p.sprout_seed)
    growth *= hill_down(fields.fibrin, p.fibrin_angiogenesis_half, 1)  # a persisting clot holds sprouts back
    rates.P.vessels += growth + p.vessel_regression * tissue.capillaries
    rates.L.vessels += growth / p.vessel_max + p.vessel_regression


def extravasation(fields, body, tissue, signals, p, rates):
    """Step 10: circulating progenitors leave the blood where new, VEGF-activated vessels express
    extravasation factors (the HOMING flow: per circulating cell/uL, the density it adds to each voxel)."""
    activated = fields.vessels * saturating(fields.vegf, p.extravasation_vegf_half)
    rates.F[HOMING] += p.extravasation * activated / CELLS_PER_UNIT_MM3  # tissue density per day per cell/uL


def bone_formation(fields, body, tissue, signals, p, rates):
    """Step 11: BMP2 expands the progenitors; in the normoxic, vascularised zone BMP2 or oncostatin M
    (STAT3) turns them into osteoblasts (straight to bone: intramembranous); there vessels invade the
    cartilage, which is resorbed while its chondrocytes are replaced by osteoblasts (endochondral);
    osteoblasts lay down woven bone, each origin in proportion to its osteoblasts."""
    bmp = hill(signals.smad, p.progenitor_bmp2_half, p.bmp2_hill)
    growth = p.progenitor_proliferation * bmp
    rates.P.tissue_progenitors += growth * fields.tissue_progenitors
    rates.P.resident_progenitors += growth * fields.resident_progenitors
    vascular = signals.normoxia * saturating(fields.vessels, p.osteo_vessel_half)
    osteo = p.osteogenesis * vascular * either(bmp, p.osm_osteogenesis * signals.osm)
    rates.L.tissue_progenitors += growth * signals.crowding + osteo + p.progenitor_death
    rates.P.osteoblasts += osteo * fields.tissue_progenitors
    rates.P.resident_osteoblasts += osteo * fields.resident_progenitors
    endochondral = p.endochondral * vascular
    rates.L.chondrocytes += endochondral
    rates.P.osteoblasts += endochondral * fields.chondrocytes
    rates.P.resident_osteoblasts += endochondral * fields.resident_chondrocytes
    rates.L.cartilage += p.cartilage_resorption * vascular
    rates.L.osteoblasts += p.osteoblast_death
    synthesis = p.bone_synthesis * fields.osteoblasts
    room = signals.room_for_bone
    rates.P.bone_woven += synthesis * room
    rates.L.bone_woven += synthesis
    rates.P.resident_bone_woven += p.bone_synthesis * fields.resident_osteoblasts * room
    rates.P.periosteal_bone_woven += p.bone_synthesis * fields.periosteal_osteoblasts * room


def tissue_loss(fields, body, tissue, signals, p, rates):
    """Step 12: muscle regenerates where there is room (not yet where necrotic debris lies), more slowly
    below a spinal cord lesion and where fibrin persists, and atrophies where cartilage and bone grow."""
    regeneration = p.muscle_regeneration * (1.0 - p.denervated_regeneration_loss * np.minimum(body[DENERVATION], 1.0))
    regeneration = regeneration * hill_down(fields.fibrin, p.fibrin_regeneration_half, 1)  # needs fibrin cleared
    rates.P.muscle += regeneration * positive(signals.muscle_room - fields.necrosis)
    rates.L.muscle += regeneration + p.muscle_atrophy * signals.hard_matrix


def resolution_and_maturation(fields, body, tissue, signals, p, rates):
    """Step 13: tBAT and macrophages resolve; woven bone matures (remodels)."""
    rates.L.tbat += p.tbat_resolution
    rates.L.macrophages += p.macrophage_death
    rates.L.bone_woven += p.bone_maturation
    rates.P.bone_mature += p.bone_maturation * fields.bone_woven
    rates.P.resident_bone_mature += p.bone_maturation * fields.resident_bone_woven
    rates.P.periosteal_bone_mature += p.bone_maturation * fields.periosteal_bone_woven


def orthotopic_route(fields, body, tissue, signals, p, rates):
    """Step 14: periosteal progenitors of the skeleton expand and make osteoblasts where BMP2 reaches
    them, without the nerve."""
    bmp = hill(signals.smad, p.periosteal_bmp2_half, p.bmp2_hill)
    growth = p.periosteal_proliferation * bmp
    rates.P.periosteal_progenitors += (
        growth * fields.periosteal_progenitors + p.periosteal_turnover * tissue.periosteal_home
    )
    osteo = p.periosteal_osteogenesis * bmp * signals.normoxia
    rates.L.periosteal_progenitors += growth * signals.crowding + p.periosteal_turnover + osteo
    rates.P.osteoblasts += osteo * fields.periosteal_progenitors
    rates.P.periosteal_osteoblasts += osteo * fields.periosteal_progenitors


def innate_inflammation(fields, body, tissue, signals, p, rates):
    """Step 15: necrotic tissue (and intramuscular LPS) recruits neutrophils and macrophages, more of them
    in systemic inflammation; macrophages clear the debris; neutrophils and inflammatory macrophages
    release oncostatin M."""
    lps = p.lps_stimulus * tissue.muscle_region
    rates.L.necrosis += p.necrosis_clearance * saturating(fields.macrophages, p.necrosis_macrophage_half)
    rates.P.neutrophils += p.neutrophil_recruitment * (fields.necrosis + p.lps_recruitment * lps)
    rates.L.neutrophils += p.neutrophil_death
    rates.P.macrophages += p.macrophage_recruitment * (p.lps_recruitment * lps
                                                       + p.inflammation_monocytosis * body[INFLAMMATION] * signals.damage)
    rates.P.osm += p.osm_macrophage * fields.macrophages * signals.inflammatory + p.osm_neutrophil * fields.neutrophils
    rates.L.osm += p.osm_decay


def resident_progenitors(fields, body, tissue, signals, p, rates):
    """Step 16: necrotic debris, with the macrophages it draws (signals.fap_niche), activates the resident
    fibro-adipogenic progenitors (FAPs), which proliferate while it lasts and die back once it is cleared
    (repair). FAPs that leave quiescence under glucocorticoid-receptor signalling are reprogrammed: they
    and their progeny are osteogenic-competent and do not die back. SMAD1/5/8 signalling (BMP; activin A
    on ACVR1 R206H) commits activated FAPs to osteochondral progenitors; reprogrammed FAPs also commit
    under oncostatin M."""
    activation = p.fap_activation * signals.fap_niche
    rates.P.fap_quiescent += p.fap_turnover * tissue.fap_home
    rates.L.fap_quiescent += p.fap_turnover + activation
    growth = p.fap_proliferation * signals.fap_niche
    bmp = hill(signals.smad, p.fap_bmp2_half, p.bmp2_hill)
    commit = p.fap_commitment * bmp
    commit_reprogrammed = p.fap_commitment * either(bmp, signals.osm)
    apoptosis = p.fap_apoptosis * (1.0 - signals.fap_niche)  # once the debris is cleared (TNF; Lemos 2015)
    rates.P.fap_active += (1.0 - signals.gr) * activation * fields.fap_quiescent + growth * fields.fap_active
    rates.L.fap_active += growth * signals.crowding + apoptosis + commit
    rates.P.fap_reprogrammed += signals.gr * activation * fields.fap_quiescent + growth * fields.fap_reprogrammed
    rates.L.fap_reprogrammed += growth * signals.crowding + p.fap_reprogrammed_death + commit_reprogrammed
    committed = commit * fields.fap_active + commit_reprogrammed * fields.fap_reprogrammed
    rates.P.tissue_progenitors += committed
    rates.P.resident_progenitors += committed


def body_wide_signals(fields, body, tissue, signals, p, rates):
    """Step 17: the acute signal of a central nervous system injury fades; glucocorticoid follows its
    adrenal drive (rest, a neural injury, systemic inflammation, a glucocorticoid given); systemic
    inflammation resolves."""
    rates.sL[NEURAL] += p.neural_injury_resolution
    drive = 1.0 + p.gc_neural_gain * body[NEURAL] + p.gc_inflammation_gain * body[INFLAMMATION]
    rates.sP[GC] += p.gc_clearance * (drive + p.exogenous_glucocorticoid)
    rates.sL[GC] += p.gc_clearance
    rates.sL[INFLAMMATION] += p.inflammation_resolution


def lineage_tracing(fields, body, tissue, signals, p, rates):
    """Step 18: every lineage tracer loses cells at the per-cell rate of the population it traces (death,
    differentiation, crowding), so tracers split each population by origin exactly; it reads the losses
    the other steps wrote, so it runs last."""
    for tracer, population in TRACERS:
        getattr(rates.L, tracer)[...] += getattr(rates.L, population)


CASCADE_STEPS = (
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
    innate_inflammation,
    resident_progenitors,
    body_wide_signals,
    lineage_tracing,
)


def resting_substance_p(sensory: np.ndarray, p: SimpleNamespace) -> np.ndarray:
    """Local SP level of resting fibres (basal release from a full store), without diffusion."""
    store = p.neuropeptide_refill / (p.neuropeptide_refill + p.exocytosis_basal) * sensory
    return p.sp_content * p.exocytosis_basal * store / p.sp_decay


def tissue_context(tissue: Tissue, p: SimpleNamespace, bmp2_vector: float) -> TissueContext:
    """Fixed per-voxel quantities: where fibres, mast cells and macrophages live, and the voxel size.

    Nerve-borne sources (sensory and sympathetic fibres, Schwann cells) are present (1) in every voxel
    that holds some of that nerve layer, so a signal made and read at the nerve has its local
    concentration on any grid; in a 0-D compartment that is the concentration at the nerve.
    """
    reg = tissue.regions
    present = {k: (reg[k] > 0).astype(np.float64) for k in ("nerve", "perineurium", "epineurium")}
    sensory = present["epineurium"] + p.muscle_innervation * reg["muscle"]
    per_patient = tissue.patients > 0
    epi = present["epineurium"] if per_patient else present["epineurium"].ravel()
    afferent_weights = epi if per_patient or not epi.sum() > 0 else epi / epi.sum()  # a patient is one voxel
    near_nerve = np.maximum(np.maximum(present["nerve"], present["perineurium"]), present["epineurium"])
    return TissueContext(
        bmp2_vector=float(bmp2_vector),
        schwann=present["nerve"],
        has_nerve=np.maximum(present["nerve"], present["perineurium"]),
        sensory=sensory,
        afferent_weights=afferent_weights,
        afferent_rest=(resting_substance_p(sensory, p) * afferent_weights if per_patient
                       else weighted_sum(resting_substance_p(sensory, p), afferent_weights)),
        sympathetic=near_nerve + p.perivascular_sympathetic * reg["muscle"],
        mast_home=p.mast_density_epineurium * reg["epineurium"] + p.mast_density_muscle * reg["muscle"],
        macrophage_home=p.macrophage_density * (reg["muscle"] + reg["epineurium"]),
        periosteal_home=p.periosteal_density * reg["periosteum"],
        perineurial_home=p.perineurial_density * (reg["perineurium"] + p.perineurial_muscle * reg["muscle"]),
        fap_home=p.fap_density * (reg["muscle"] + p.fap_tendon * reg["tendon"]),
        muscle_region=reg["muscle"],
        capillaries=tissue.capillaries,
        voxel_volume_mm3=tissue.voxel_volume_mm3,
        cells_per_unit=CELLS_PER_UNIT_MM3 * tissue.voxel_volume_mm3,
        per_patient=per_patient,
    )


def local_signals(fields: Fields, body: np.ndarray, tissue: TissueContext, p: SimpleNamespace) -> Signals:
    """Quantities several steps share, computed afresh from the fields of this call: the SMAD1/5/8
    ligand signal, HIF activity, crowding, free room, damage, the mast cells' NK1R response, the
    inflammatory activation of macrophages, the FAP niche of necrosis, oncostatin M signalling and the
    (body-wide) glucocorticoid-receptor signal.

    smad (BMP2-equivalent ng/mL) is what every BMP-responsive step reads: BMP2 on wild-type ACVR1; on
    ACVR1 R206H (allele fraction acvr1_r206h) BMP2 with enhanced sensitivity, plus activin A, which the
    mutant receptor turns into a BMP-like signal (Hatsell 2015; Hino 2015) and the wild type does not.
    """
    mutant = p.acvr1_r206h
    smad = (fields.bmp2 * (1.0 + mutant * (p.acvr1_bmp_sensitivity - 1.0))
            + mutant * p.acvr1_activin_gain * fields.activin_a)
    hif = hill_down(fields.oxygen, p.hif_po2_half, p.hif_hill)
    cells = fields.tissue_progenitors + fields.chondrocytes + fields.osteoblasts + fields.periosteal_progenitors
    cells += fields.perineurial_migrating + fields.fap_active + fields.fap_reprogrammed
    crowding = cells / p.cell_capacity
    hard_matrix = fields.cartilage + fields.bone_woven + fields.bone_mature
    bone = fields.bone_woven + fields.bone_mature
    muscle_room = tissue.muscle_region * positive(1.0 - hard_matrix - fields.tbat)  # where muscle could be
    nk1r = saturating(fields.substance_p, p.mast_sp_half)
    degranulation = p.mast_degranulation * nk1r
    damage = np.maximum(positive(muscle_room - fields.muscle), fields.necrosis)  # missing muscle or dead tissue
    danger = fields.necrosis + p.lps_recruitment * p.lps_stimulus * tissue.muscle_region  # LPS in necrosis units
    danger = danger * (1.0 + p.inflammation_priming * body[INFLAMMATION])  # priming amplifies local danger only
    return Signals(
        smad=smad,
        hif=hif,
        normoxia=1.0 - hif,
        cells=cells,
        crowding=crowding,
        cellular=fields.muscle + crowding,
        hard_matrix=hard_matrix,
        room_for_cartilage=positive(1.0 - bone - fields.tbat - fields.vessels),
        room_for_fat=positive(1.0 - hard_matrix - fields.vessels),
        room_for_bone=positive(1.0 - fields.cartilage - fields.bone_mature - fields.tbat - fields.vessels),
        muscle_room=muscle_room,
        damage=damage,
        nk1r=nk1r,
        degranulation=degranulation,
        degranulating=degranulation * fields.mast_resting,
        inflammatory=saturating(danger, p.macrophage_activation_half),
        fap_niche=hill(fields.necrosis, p.fap_necrosis_half, p.fap_necrosis_hill)
        * saturating(fields.macrophages, p.fap_macrophage_half),
        osm=p.osmr_signalling * saturating(fields.osm, p.osm_half),
        gr=p.gr_expression * hill(body[GC], p.gr_glucocorticoid_half, p.gr_hill),
    )


class Cascade:
    """The reaction function the engine calls (docs/engine.md): every cascade step, in order."""

    def __init__(self, parameters: ParameterSet, tissue: Tissue, bmp2_vector: float = 1.0,
                 surroundings: Surroundings | None = None):
        """surroundings: of a run below 3-D, into which its moving signals leak (transport.py)."""
        self.parameters = parameters
        self.p = parameters.namespace()
        self.tissue = tissue
        self.surroundings = surroundings
        self.leaks = [] if surroundings is None else [  # (variable, rate, the inflow from resting tissue)
            (VARIABLE_NAMES.index(name), rate, rate * surroundings.resting[VARIABLE_NAMES.index(name)])
            for name, rate in leak_rates(parameters, surroundings.thickness_um, surroundings.radius_um).items()]
        self.context = tissue_context(tissue, self.p, bmp2_vector)
        to_blood = self.context.cells_per_unit / self.p.blood_volume  # cells/uL of blood per unit density in a voxel
        self.flows = (
            Flow(VARIABLE_NAMES.index("endo_activated"), CIRC, into_compartment=True, scale=to_blood),
            Flow(VARIABLE_NAMES.index("tissue_progenitors"), CIRC, into_compartment=False, scale=to_blood),
        )

    def __call__(self, fields, scalars, t, rates: Rates) -> None:
        now = Fields(fields)
        views = RateViews(P=Fields(rates.production), L=Fields(rates.loss), sP=rates.scalar_production,
                          sL=rates.scalar_loss, F=rates.flow)
        signals = local_signals(now, scalars, self.context, self.p)
        for cascade_step in CASCADE_STEPS:
            cascade_step(now, scalars, self.context, signals, self.p, views)
        for k, rate, inflow in self.leaks:
            rates.loss[k] += rate
            rates.production[k] += inflow
