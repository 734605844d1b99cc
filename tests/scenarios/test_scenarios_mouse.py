"""The mouse scenarios: registry, build options and their errors, the Setup contract, geometry."""

import numpy as np
import pytest

from hosim.biology import load_parameters
from hosim.biology.variables import COMPARTMENT_NAMES, VARIABLE_NAMES
from hosim.engine import Stepper, run
from hosim.errors import InputError
from hosim.scenarios import SCENARIOS, get_scenario
from hosim.scenarios.kit import ORTHOTOPIC_DISTANCE_UM
from hosim.scenarios.mouse_hindlimb import HindLimb, hindlimb_regions

METRIC_OBSERVABLES = (
    "heterotopic_bone_mm3", "orthotopic_bone_mm3", "cartilage_mm3", "tbat_mm3", "lesion_min_oxygen_mmhg",
    "hypoxic_fraction", "lesion_vessels_mean", "bnb_permeability_nerve_mean",
)


def test_registry_names_and_descriptions():
    assert {"mouse-bmp2", "mouse-empty"} <= set(SCENARIOS)
    for name, s in SCENARIOS.items():
        assert s.name == name and s.description and "\n" not in s.description
    with pytest.raises(InputError, match=r"'mouse-bmp3'.*mouse-bmp2.*mouse-empty"):
        get_scenario("mouse-bmp3")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"dose": -1}, r"dose must lie in \[0, 50\]"),
        ({"dose": "lots"}, "dose must be a number"),
        ({"injection_distance_um": 100}, r"injection_distance_um must lie in \[300, 5000\].*periosteum"),
        ({"slab_thickness_um": 0}, "slab_thickness_um"),
        ({"speed": 3}, r"unknown parameter\(s\) speed.*allowed: dose"),
        ({"dims": 4}, "dims must be 0, 1, 2 or 3"),
        ({"days": -2}, "days must lie in"),
        ({"resolution_um": 1000}, r"resolution_um must lie in \[5, 100\]"),
        ({"seed": -1}, r"seed must be a whole number from 0"),
        ({"seed": 1.5}, r"seed must be a whole number from 0"),
        ({"species": "dog"}, r"unknown species 'dog'; allowed: mouse, human"),
        ({"parameters": {"bmp2_decay": -1}}, "bmp2_decay.*plausible range"),
        ({"parameters": {"warp_speed": 1}}, "warp_speed"),
    ],
)
def test_bad_options_name_the_problem(kwargs, message):
    with pytest.raises(InputError, match=message):
        get_scenario("mouse-bmp2").build(**kwargs)


@pytest.mark.parametrize("kwargs, message", [
    ({"muscle_injury": "burn"}, "muscle_injury must be one of none, cardiotoxin, crush"),
    ({"sci_level": 2.5}, "sci_level"),
    ({"micro_trauma_every_days": 0.01}, r"0 \(none\) or at least 0.5 days"),
])
def test_bad_injury_options_name_the_problem(kwargs, message):
    with pytest.raises(InputError, match=message):
        get_scenario("mouse-sci-cardiotoxin").build(dims=0, **kwargs)


@pytest.mark.parametrize("dims", [0, 1, 2, 3])
def test_setup_contract(dims):
    setup = get_scenario("mouse-bmp2").build(dims=dims, days=2.0, resolution_um=75.0 if dims == 3 else None)
    state = setup.state
    assert state.variables == VARIABLE_NAMES and state.compartments == COMPARTMENT_NAMES
    assert set(setup.units) == set(VARIABLE_NAMES) | set(COMPARTMENT_NAMES)
    for name in VARIABLE_NAMES + COMPARTMENT_NAMES:
        assert f"{name}_total" in setup.observables and f"{name}_total" in setup.observable_units
    assert set(METRIC_OBSERVABLES) <= set(setup.observables) <= set(setup.observable_units)
    assert {"lesion", "skeleton", "nerve", "perineurium", "periosteum", "muscle"} <= set(setup.grid.regions)
    assert setup.days == 2.0 and round(setup.days / setup.dt) * setup.dt == pytest.approx(2.0)
    assert setup.slab_thickness_um == (1000.0 if dims == 2 else None)
    assert setup.parameters is not None and setup.options["dims"] == dims and setup.options["species"] == "mouse"
    assert set(setup.snapshot_variables) <= set(VARIABLE_NAMES)
    values = {k: f(state.fields, state.scalars) for k, f in setup.observables.items()}
    assert all(np.isfinite(v) for v in values.values())
    assert np.all(state.fields >= 0)


def test_voxel_volume_includes_the_slab():
    setup = get_scenario("mouse-bmp2").build(dims=2, slab_thickness_um=500.0)
    h = setup.grid.spacing_um
    assert setup.voxel_volume_mm3 == pytest.approx(h * h * 500.0 * 1e-9)
    assert setup.slab_thickness_um == 500.0


def test_default_grids():
    g2 = get_scenario("mouse-bmp2").build(dims=2).grid
    assert g2.shape == (100, 100) and g2.spacing_um == 24.0
    shape3, _ = hindlimb_regions(HindLimb(), 3, get_scenario("mouse-bmp2").default_resolution_um[3])
    assert shape3 == (64, 64, 64)


def test_geometry_places_bolus_between_bone_and_nerve():
    setup = get_scenario("mouse-bmp2").build(dims=2)
    g, reg = setup.grid, setup.grid.regions
    x = g.coords()["x"]
    col = lambda name: x[np.nonzero(reg[name][0].max(axis=0) > 0.5)[0]]  # noqa: E731
    assert col("skeleton").max() < col("periosteum").min()
    assert col("periosteum").max() < col("injection").min()
    assert col("injection").max() < col("perineurium").min() < col("nerve").min()
    assert np.all(reg["perineurium"] * reg["nerve"] == 0)
    assert col("orthotopic_zone").max() == pytest.approx(HindLimb().cortex_um + ORTHOTOPIC_DISTANCE_UM, abs=24)
    farther = get_scenario("mouse-bmp2").build(dims=2, injection_distance_um=1100.0).grid
    assert farther.shape[1] > g.shape[1]


def test_dose_sets_the_injected_cells_and_empty_vector_releases_no_bmp2():
    """The empty vector's cells release no BMP2: what BMP2 there is comes from the wound's macrophages."""
    bmp2 = get_scenario("mouse-bmp2")
    cells = lambda s: s.state.field("injected_cells").sum()  # noqa: E731
    assert cells(bmp2.build(dims=0, dose=10.0)) == pytest.approx(2 * cells(bmp2.build(dims=0, dose=5.0)))
    assert cells(bmp2.build(dims=0, dose=0.0)) == 0.0
    for macrophage_bmp, most in ((0.0, 0.0), (None, 1.0)):
        overrides = {} if macrophage_bmp is None else {"bmp_macrophage": macrophage_bmp}
        setup = get_scenario("mouse-empty").build(dims=0, days=2.0, parameters=overrides)
        assert cells(setup) > 0
        stepper = Stepper(setup.grid, setup.state.variables, setup.state.compartments, setup.transports,
                          setup.reactions, setup.dt)
        run(stepper, setup.state, setup.days, events=setup.events)
        assert setup.state.field("bmp2").max() <= most  # ng/mL


def test_seed_changes_the_capillary_bed_reproducibly():
    build = lambda seed: get_scenario("mouse-bmp2").build(dims=2, seed=seed).state.field("vessels")  # noqa: E731
    assert np.array_equal(build(3), build(3))
    assert not np.array_equal(build(3), build(4))


def test_parameter_overrides_reach_the_run():
    setup = get_scenario("mouse-bmp2").build(dims=0, parameters={"bmp2_decay": 4.0})
    assert setup.parameters.value("bmp2_decay") == 4.0
    assert setup.options["parameters"] == {"bmp2_decay": 4.0}
    assert get_scenario("mouse-bmp2").build(dims=0).options["parameters"] == {}
    given = load_parameters().with_values(bmp2_decay=5.0)
    assert get_scenario("mouse-bmp2").build(dims=0, parameters=given).parameters is given


def test_species_chooses_the_parameter_set_and_overrides_are_reported_against_it():
    from hosim.biology import load_parameters

    human = get_scenario("mouse-bmp2").build(dims=0, species="human", parameters={"bmp2_decay": 3.0})
    assert human.species == "human" and human.options["species"] == "human"
    assert human.parameters.value("blood_volume") == load_parameters("human").value("blood_volume")
    assert human.options["parameters"] == {"bmp2_decay": 3.0}
    given = load_parameters("human")
    assert get_scenario("mouse-bmp2").build(dims=0, parameters=given).species == "human"
    with pytest.raises(InputError, match="parameter set given is for human"):
        get_scenario("mouse-bmp2").build(dims=0, species="mouse", parameters=given)
