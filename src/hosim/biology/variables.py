"""What the cascade tracks: every field and compartment, with its unit, role and how it moves.

Units: time in days, length in um. Cell populations are densities in 1e6 cells/mL (= 1e3 cells/mm^3,
the density scale of Bailon-Plaza & van der Meulen 2001); cartilage, bone, tBAT and vessels are volume
fractions (0-1), so a volume is fraction x voxel volume. `diffusivity` names the parameter (see
parameters.toml) of a variable's diffusivity (um^2/day). Linear decay is a loss in the cascade's own step
(the positivity-preserving reaction update then has the exact steady state P/L); signals whose reach
sqrt(D/decay) is at most a few hundred um and that act where they are released (substance P,
noradrenaline, fibrin-bound plasmin) are local: splitting a fast decay from fast diffusion over a step
of 0.02 day would misplace them by more than their reach.
"""

from __future__ import annotations

from dataclasses import dataclass

CELLS = "1e6 cells/mL"
FRACTION = "volume fraction"


@dataclass(frozen=True)
class Variable:
    """One field on the tissue grid (or one compartment without space)."""

    name: str
    unit: str
    cascade_step: int
    description: str
    diffusivity: str | None = None  # parameter name; None: does not move
    coupled: bool = False  # stiff and fast: solved with its reactions (oxygen)
    decay: str | None = None  # parameter name of its linear decay (1/day), for a moving signal: its reach
    traces: str | None = None  # lineage tracer: the part of this population of one origin (same per-cell fate)


VARIABLES: tuple[Variable, ...] = (
    Variable("injected_cells", CELLS, 1, "AdBMP2 (or AdEmpty) transduced cells at the injection site"),
    Variable("bmp2", "ng/mL", 1, "BMP2 from the injected cells (and BMP2/4 from macrophages that are not inflammatory)",
             "bmp2_diffusivity", decay="bmp2_decay"),
    Variable("activin_a", "ng/mL", 1, "activin A from injury-recruited inflammatory cells (ligand of ACVR1 R206H)",
             "activin_diffusivity", decay="activin_decay"),
    Variable("neuropeptide_store", "1", 2, "substance P content of sensory fibres, relative to full"),
    Variable("substance_p", "nM", 2, "substance P released by TRPV1+ sensory fibres"),
    Variable("mast_resting", CELLS, 2, "granulated (resting) mast cells"),
    Variable("mast_degranulated", CELLS, 2, "mast cells that have degranulated"),
    Variable("macrophages", CELLS, 2, "macrophages", "macrophage_motility"),
    Variable("fibrin", "mg/mL", 3, "fibrin from the injury clot and from plasma leak"),
    Variable("plasmin", "nM", 3, "plasmin generated on fibrin (fibrin-bound)"),
    Variable("mmp9_active", "nM", 3, "MMP-9 activated by plasmin", "mmp9_diffusivity", decay="mmp9_decay"),
    Variable("bnb_permeability", "1", 3, "open fraction of the blood-nerve barrier (nerve voxels)"),
    Variable("wnt1", "ng/mL", 4, "Wnt1 from endoneurial Schwann cells", "wnt1_diffusivity", decay="wnt1_decay"),
    Variable("endo_quiescent", CELLS, 4, "quiescent endoneurial progenitors"),
    Variable("endo_activated", CELLS, 4, "Wnt1-activated endoneurial progenitors (pSMAD1/5/8+, osterix+)"),
    Variable("perineurial", CELLS, 6, "beta3-adrenergic receptor+ perineurial cells in the sheath"),
    Variable(
        "perineurial_migrating", CELLS, 6, "perineurial cells activated by noradrenaline, migrating",
        "perineurial_motility",
    ),
    Variable("noradrenaline", "nM", 6, "noradrenaline from sympathetic fibres"),
    Variable("tbat", FRACTION, 6, "transient brown adipose tissue (UCP1+)"),
    Variable("oxygen", "mmHg", 7, "oxygen partial pressure", "oxygen_diffusivity", coupled=True),
    Variable("vegf", "ng/mL", 9, "VEGF", "vegf_diffusivity", decay="vegf_decay"),
    Variable("vessels", FRACTION, 9, "blood vessel (capillary) volume fraction"),
    Variable("tissue_progenitors", CELLS, 10, "osteochondral progenitors in the tissue", "progenitor_motility"),
    Variable("chondrocytes", CELLS, 8, "chondrocytes (Sox9+)"),
    Variable("cartilage", FRACTION, 8, "cartilage matrix"),
    Variable("osteoblasts", CELLS, 11, "osteoblasts"),
    Variable("bone_woven", FRACTION, 11, "new woven bone matrix"),
    Variable("bone_mature", FRACTION, 13, "new mature (remodelled) bone matrix"),
    Variable("muscle", "1", 12, "muscle integrity (1 = intact muscle filling the voxel)"),
    Variable("periosteal_progenitors", CELLS, 14, "periosteal osteoprogenitors of the skeleton"),
    Variable("necrosis", FRACTION, 15, "necrotic tissue: dead muscle fibres (or tendon) and their debris"),
    Variable("neutrophils", CELLS, 15, "neutrophils", "macrophage_motility"),
    Variable("osm", "ng/mL", 15, "oncostatin M from inflammatory macrophages and neutrophils", "osm_diffusivity",
             decay="osm_decay"),
    Variable("fap_quiescent", CELLS, 16, "quiescent fibro-adipogenic progenitors (PDGFRa+) of muscle and tendon"),
    Variable("fap_active", CELLS, 16, "activated, proliferating fibro-adipogenic progenitors (repair fate)",
             "fap_motility"),
    Variable("fap_reprogrammed", CELLS, 16, "activated progenitors reprogrammed by glucocorticoid-receptor signalling "
             "(osteogenic-competent, apoptosis-resistant)", "fap_motility"),
    # in-silico lineage tracing (step 18): the parts of the shared pools above that descend from resident
    # progenitors or from the periosteum; the rest descends from nerve-derived progenitors
    Variable("resident_progenitors", CELLS, 18, "tissue_progenitors of resident (FAP) origin", "progenitor_motility",
             traces="tissue_progenitors"),
    Variable("resident_chondrocytes", CELLS, 18, "chondrocytes of resident origin", traces="chondrocytes"),
    Variable("resident_osteoblasts", CELLS, 18, "osteoblasts of resident origin", traces="osteoblasts"),
    Variable("resident_bone_woven", FRACTION, 18, "woven bone laid down by cells of resident origin",
             traces="bone_woven"),
    Variable("resident_bone_mature", FRACTION, 18, "mature bone laid down by cells of resident origin",
             traces="bone_mature"),
    Variable("periosteal_osteoblasts", CELLS, 18, "osteoblasts of periosteal origin", traces="osteoblasts"),
    Variable("periosteal_bone_woven", FRACTION, 18, "woven bone laid down by cells of periosteal origin",
             traces="bone_woven"),
    Variable("periosteal_bone_mature", FRACTION, 18, "mature bone laid down by cells of periosteal origin",
             traces="bone_mature"),
)

COMPARTMENTS: tuple[Variable, ...] = (
    Variable("circulating_progenitors", "cells/uL blood", 5, "nerve-derived progenitors in the blood"),
    Variable("sympathetic_tone", "1", 6, "sympathetic outflow relative to outflow without sensory drive"),
    Variable("neural_injury", "1", 17, "acute signal of a central nervous system injury (spinal cord transection = "
             "its severity, decaying)"),
    Variable("glucocorticoid", "1", 17, "plasma glucocorticoid (corticosterone) relative to its resting level"),
    Variable("systemic_inflammation", "1", 17, "body-wide inflammation (burn, infection, pressure ulcers); 0 at rest"),
    Variable("denervation", "1", 17, "share of the modelled limb's spinal segments below a complete spinal cord lesion "
             "(1: all of them; 0: none); lasting"),
)

VARIABLE_NAMES: tuple[str, ...] = tuple(v.name for v in VARIABLES)
COMPARTMENT_NAMES: tuple[str, ...] = tuple(c.name for c in COMPARTMENTS)


def tracers_of(population: str) -> tuple[str, ...]:
    """The lineage tracers of a population (they share its per-cell losses, kills included)."""
    return tuple(v.name for v in VARIABLES if v.traces == population)


# The model's unit vocabulary in UDUNITS words (what NetCDF readers and CF checkers parse): cells are
# counts, so a density of "1e6 cells/mL" is "1e6 mL-1"; nM is nmol/L; fractions are 1.
UDUNITS_WORDS = (
    ("cells/uL blood", "uL-1"),
    ("1e6 cells/mL", "1e6 mL-1"),
    ("volume fraction", "1"),
    ("nM", "nmol L-1"),
    ("ng/mL", "ng mL-1"),
    ("mg/mL", "mg mL-1"),
    (" x ", " "),
    ("mm^3", "mm3"),
)


def udunits(unit: str) -> str:
    """A model unit string in UDUNITS syntax ("1e6 cells/mL x mm^3" -> "1e6 mL-1 mm3")."""
    for word, replacement in UDUNITS_WORDS:
        unit = unit.replace(word, replacement)
    return unit


def units() -> dict[str, str]:
    """Unit string of every variable and compartment."""
    return {v.name: v.unit for v in VARIABLES + COMPARTMENTS}


def markdown_table() -> str:
    """The variable table of docs/model.md (generated; see tools/model_doc.py)."""
    lines = ["| variable | unit | made at step | moves | what it is |", "|---|---|---|---|---|"]
    for v in VARIABLES:
        moves = "coupled with its reactions" if v.coupled else (f"diffuses (`{v.diffusivity}`)" if v.diffusivity else "-")
        if v.decay:
            moves += f"; leaks from a slab's ends (`{v.decay}` sets its reach)"
        lines.append(f"| `{v.name}` | {v.unit} | {v.cascade_step} | {moves} | {v.description} |")
    for c in COMPARTMENTS:
        lines.append(f"| `{c.name}` (compartment) | {c.unit} | {c.cascade_step} | - | {c.description} |")
    return "\n".join(lines) + "\n"
