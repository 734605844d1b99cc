"""The cascade as a reaction function: every MODEL.md step exists, rates keep the engine's sign contract,
whole cells are conserved between tissue and blood, and uninjured tissue stays at rest."""

import numpy as np
import pytest

from hosim.biology import CASCADE_STEPS, Cascade, Tissue, load_parameters, resting_state
from hosim.biology.cascade import CELLS_PER_UNIT_MM3, CIRC
from hosim.biology.kinetics import hill, hill_down, saturating
from hosim.biology.variables import COMPARTMENT_NAMES, VARIABLE_NAMES, units
from hosim.engine import Grid, Rates, State, Stepper, implicit_update, run
from hosim.scenarios.mouse_hindlimb import HindLimb, hindlimb_compartment

MODEL_STEPS = (
    "trigger", "neurogenic_inflammation", "barrier_opening", "endoneurial_signalling", "exit_and_circulation",
    "sympathetic_arm", "hypoxia", "chondrogenesis", "angiogenesis", "extravasation", "bone_formation",
    "tissue_loss", "resolution_and_maturation", "orthotopic_route", "innate_inflammation", "resident_progenitors",
    "body_wide_signals", "lineage_tracing",
)
ISSUE_VARIABLES = (
    "bmp2", "substance_p", "mast_resting", "mast_degranulated", "macrophages", "plasmin", "mmp9_active",
    "bnb_permeability", "wnt1", "endo_quiescent", "endo_activated", "perineurial", "noradrenaline", "tbat",
    "oxygen", "vegf", "vessels", "tissue_progenitors", "chondrocytes", "cartilage", "osteoblasts", "bone_woven",
    "bone_mature", "muscle", "periosteal_progenitors",
)


def test_one_function_per_model_step_in_order():
    assert tuple(f.__name__ for f in CASCADE_STEPS) == MODEL_STEPS
    assert all(f.__doc__.startswith(f"Step {k}:") for k, f in enumerate(CASCADE_STEPS, start=1))


def test_variables_cover_the_issue_and_have_units():
    assert set(ISSUE_VARIABLES) <= set(VARIABLE_NAMES)
    assert set(COMPARTMENT_NAMES) == {"circulating_progenitors", "sympathetic_tone", "neural_injury", "glucocorticoid",
                                      "systemic_inflammation", "denervation"}
    u = units()
    assert all(u[n] for n in VARIABLE_NAMES + COMPARTMENT_NAMES)
    assert all(u[n] == "volume fraction" for n in ("cartilage", "bone_woven", "bone_mature", "tbat", "vessels"))
    assert u["oxygen"] == "mmHg"


def test_kinetics():
    x = np.array([0.0, 2.0, 1e9])
    assert saturating(x, 2.0) == pytest.approx([0.0, 0.5, 1.0])
    assert hill(x, 2.0, 3) == pytest.approx([0.0, 0.5, 1.0])
    assert hill_down(x, 2.0, 4) == pytest.approx([1.0, 0.5, 0.0])


def small_tissue(seed=1, shape=(1, 6, 7)):
    """Random voxel fractions of every tissue on a tiny grid."""
    rng = np.random.default_rng(seed)
    names = ("nerve", "perineurium", "epineurium", "periosteum", "skeleton", "tendon", "injection")
    regions = {n: (rng.random(shape) < 0.2).astype(float) for n in names}
    regions["muscle"] = 1.0 - np.maximum.reduce([regions[n] for n in names[:6]])
    return Tissue(regions, capillaries=0.03 * rng.random(shape), voxel_volume_mm3=1e-3)


def random_state(shape, seed):
    rng = np.random.default_rng(seed)
    fields = rng.random((len(VARIABLE_NAMES),) + shape) * rng.choice([0.0, 0.1, 10.0, 100.0], (len(VARIABLE_NAMES), 1, 1, 1))
    fields[VARIABLE_NAMES.index("oxygen")] *= 60.0
    return fields, rng.random(len(COMPARTMENT_NAMES)) * 5.0


@pytest.mark.parametrize("seed", range(5))
def test_production_and_loss_are_non_negative_and_finite(seed):
    tissue = small_tissue(seed)
    cascade = Cascade(load_parameters(), tissue)
    fields, scalars = random_state(tissue.capillaries.shape, seed)
    rates = Rates(fields.shape, len(scalars), len(cascade.flows))
    cascade(fields, scalars, 1.0, rates)
    for arr in (rates.production, rates.loss, rates.scalar_production, rates.scalar_loss, rates.flow):
        assert np.all(np.isfinite(arr)) and np.all(arr >= 0.0)


@pytest.mark.parametrize("h", [0.01, 0.5])
def test_cells_moving_between_tissue_and_blood_are_conserved_by_the_update_itself(h):
    """Nerve exit and extravasation only (every other rate removed): the cells in endoneurium, tissue and
    blood together are the same after the engine's update as before it, to round-off."""
    tissue = small_tissue(2)
    cascade = Cascade(load_parameters(), tissue)
    fields, scalars = random_state(tissue.capillaries.shape, 2)
    scalars[CIRC] = 50.0
    rates = Rates(fields.shape, len(scalars), len(cascade.flows))
    cascade(fields, scalars, 1.0, rates)
    for array in (rates.production, rates.loss, rates.scalar_production, rates.scalar_loss):
        array.fill(0.0)
    moving = [VARIABLE_NAMES.index("endo_activated"), VARIABLE_NAMES.index("tissue_progenitors")]

    def cells(f, s):
        in_tissue = f[moving].sum() * CELLS_PER_UNIT_MM3 * tissue.voxel_volume_mm3
        return in_tissue + s[CIRC] * cascade.p.blood_volume

    before, circulating, homed = cells(fields, scalars), scalars[CIRC], fields[moving[1]].sum()
    implicit_update(fields, scalars, rates, cascade.flows, h)
    assert cells(fields, scalars) == pytest.approx(before, rel=1e-13, abs=0.0)
    assert scalars[CIRC] != circulating and fields[moving[1]].sum() > homed  # both flows moved cells


def test_uninjured_tissue_stays_at_rest():
    """No trigger, no injection: resident populations and signals keep their resting values (0-D)."""
    volume, regions = hindlimb_compartment(HindLimb())
    grid = Grid((), regions=regions, volume_um3=volume)
    params = load_parameters()
    tissue = Tissue({k: grid.region(k) for k in grid.regions}, np.full((1, 1, 1), 0.02), volume * 1e-9)
    fields, scalars = resting_state(tissue, params)
    state = State.zeros(grid, VARIABLE_NAMES, COMPARTMENT_NAMES)
    for k, n in enumerate(VARIABLE_NAMES):
        state.fields[k] = fields[n]
    state.scalars[:] = [scalars[c] for c in COMPARTMENT_NAMES]
    start = state.fields.copy()
    stepper = Stepper(grid, VARIABLE_NAMES, COMPARTMENT_NAMES, {}, Cascade(params, tissue, 0.0), 0.02)
    run(stepper, state, 10.0)
    for k, name in enumerate(VARIABLE_NAMES):
        assert state.fields[k].item() == pytest.approx(start[k].item(), rel=0.02, abs=1e-9), name
    assert state.scalars == pytest.approx([scalars[c] for c in COMPARTMENT_NAMES], rel=0.02)


def test_matrix_fat_and_vessels_never_fill_more_than_a_voxel():
    """Cartilage, woven and mature bone, tBAT and vessels share each voxel: each grows only into the
    room the others leave, so their volume fractions add up to at most 1 at every step of a run."""
    from hosim.engine import Recorder, run_setup
    from hosim.scenarios import get_scenario

    shares = [VARIABLE_NAMES.index(n) for n in ("cartilage", "bone_woven", "bone_mature", "tbat", "vessels")]
    setup = get_scenario("mouse-bmp2").build(dims=0)
    recorder = Recorder({"filled": lambda f, s: float(f[shares].sum(axis=0).max())})
    run_setup(setup, recorder)
    _, series = recorder.series()
    assert 0.5 < series["filled"].max() <= 1.0


@pytest.mark.parametrize("scenario, interventions, options", [
    ("mouse-sci-cardiotoxin", [{"name": "radiation", "start": 2}], {}),
    ("mouse-fop-injury", ["acvr1-r206h"], {"muscle_injury": "cardiotoxin"}),
    ("mouse-bmp2", [], {"dims": 1}),
])
def test_lineage_tracers_stay_within_their_populations(scenario, interventions, options):
    """A tracer follows its population's fate, kills included: its domain total never exceeds the
    population's at any sample, nor do the tracers of one population together (resident + periosteal)."""
    from hosim.biology.variables import VARIABLES
    from hosim.simulation import simulate

    ds = simulate(scenario, interventions, **{"dims": 0, "days": 14, **options}).dataset
    parents = {v.traces for v in VARIABLES if v.traces}
    for parent in parents:
        tracers = [v.name for v in VARIABLES if v.traces == parent]
        total = sum(ds[f"{t}_total"].values for t in tracers)
        whole = ds[f"{parent}_total"].values
        scale = max(float(whole.max()), 1e-12)
        assert (total - whole).max() <= 1e-6 * scale, (scenario, parent)
        assert all(ds[f"{t}_total"].values.min() >= -1e-12 * scale for t in tracers)
