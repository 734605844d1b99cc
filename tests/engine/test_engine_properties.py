"""Conservation, non-negativity, thread-count invariance, blow-up detection and input checks."""

import numba
import numpy as np
import pytest
from conftest import diffuse

from hosim.engine import (
    Flow,
    Grid,
    InputError,
    SimulationError,
    State,
    Stepper,
    Transport,
    run,
)


def test_no_flux_conserves_mass_over_1000_steps(method):
    grid = Grid((24, 20, 16), 2.0)
    u0 = np.random.default_rng(1).random(grid.shape3)
    dt = {"explicit": 0.15, "implicit": 0.5, "coupled": 0.5}[method]
    steps = 1000 if method != "coupled" else 200  # the coupled solve is conservative to CG tolerance
    u = diffuse(grid, u0, 1.0, 0.0, dt, steps * dt, method)
    tol = 1e-10 if method != "coupled" else 1e-8
    assert abs(u.sum() - u0.sum()) / u0.sum() < tol


def test_implicit_solvers_stay_non_negative_under_strong_decay_and_large_steps():
    grid = Grid((30, 30), 1.0)
    u0 = np.zeros(grid.shape3)
    u0[0, ::7, ::5] = 1e6  # sharp spikes next to zeros: where oscillating schemes go negative
    for method in ("implicit", "coupled"):
        u = diffuse(grid, u0, 50.0, 1e3, 5.0, 50.0, method)
        assert u.min() >= 0.0


def test_reactions_with_huge_loss_stay_non_negative():
    grid = Grid((10, 10), 1.0)
    state = State.zeros(grid, ["u"])
    state.fields[0] = 1.0

    def kill(fields, scalars, t, rates):
        rates.loss[0] += 1e9

    run(Stepper(grid, ["u"], [], {}, kill, 1.0), state, 5.0)
    assert state.fields.min() >= 0.0


def test_auto_picks_explicit_for_slow_and_implicit_for_fast_variables():
    grid = Grid((20, 20), 20.0)
    tr = {"gf": Transport(1e4), "o2": Transport(1.47e8)}
    stepper = Stepper(grid, ["gf", "o2"], [], tr, None, 0.01)
    assert stepper.methods == {"gf": "explicit", "o2": "implicit"}


def test_forcing_an_unstable_explicit_step_is_refused():
    grid = Grid((20, 20), 20.0)
    with pytest.raises(InputError, match="unstable"):
        Stepper(grid, ["o2"], [], {"o2": Transport(1.47e8, method="explicit")}, None, 0.01)


def test_blow_up_stops_with_a_clear_error():
    grid = Grid((8, 8), 1.0)
    state = State.zeros(grid, ["u"])
    state.fields[0] = 1.0

    def explode(fields, scalars, t, rates):
        rates.production[0] += fields[0] ** 3 * 1e10

    with pytest.raises(SimulationError, match="blew up.*'?u'?"):
        run(Stepper(grid, ["u"], [], {}, explode, 0.1), state, 10.0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(shape=(10, -1)), "positive sizes"),
        (dict(shape=(2, 2, 2, 2)), "dimension"),
        (dict(shape=(5,), spacing_um=0.0), "spacing"),
        (dict(shape=()), "volume"),
    ],
)
def test_impossible_grids_are_refused(kwargs, message):
    with pytest.raises(InputError, match=message):
        Grid(**kwargs)


def test_unknown_region_names_the_known_ones():
    grid = Grid((4, 4), 1.0, regions={"nerve": np.ones((4, 4))})
    with pytest.raises(InputError, match="known regions: nerve"):
        grid.region("bone")


def test_negative_diffusivity_is_refused():
    with pytest.raises(InputError, match="diffusivity"):
        Transport(-1.0)


def _mixed_run():
    grid = Grid((40, 36, 30), 5.0, regions={"vessel": (np.arange(30) % 10 == 0) * np.ones((40, 36, 30))})
    rng = np.random.default_rng(7)
    state = State.zeros(grid, ["a", "b", "o"], ["pool"])
    state.fields[:] = rng.random(state.fields.shape)

    def react(f, s, t, rates):
        P, L, sP = rates.production, rates.loss, rates.scalar_production
        P[0] += f[1] * f[2] / (1.0 + f[2])
        L[1] += 0.5 + f[0]
        L[2] += 3.0 * f[0]
        sP[0] += f[1].mean()

    tr = {"a": Transport(2.0, 0.1), "b": Transport(400.0), "o": Transport(5e4, fixed=(("vessel", 1.0),), method="coupled", interval=2)}
    run(Stepper(grid, ["a", "b", "o"], ["pool"], tr, react, 0.05), state, 1.0)
    return state


def test_same_input_gives_identical_output_with_one_or_two_threads():
    previous = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = _mixed_run()
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = _mixed_run()
    finally:
        numba.set_num_threads(previous)
    assert np.array_equal(one.fields, two.fields) and np.array_equal(one.scalars, two.scalars)


def test_state_converts_to_a_labelled_dataset_with_units():
    grid = Grid((3, 4), 10.0)
    state = State.zeros(grid, ["oxygen", "bmp2"], ["blood"])
    state.field("oxygen")[...] = 40.0
    state.set_scalar("blood", 2.5)
    ds = state.to_xarray(grid, {"oxygen": "mmHg", "blood": "cells/uL"})
    assert ds["oxygen"].dims == ("y", "x") and float(ds["oxygen"].mean()) == 40.0
    assert ds["oxygen"].attrs["units"] == "mmHg" and ds["bmp2"].attrs["units"] == "1"
    assert float(ds["blood"]) == state.scalar("blood") == 2.5 and ds["blood"].attrs["units"] == "cells/uL"
    assert ds["x"].attrs["units"] == "um" and list(ds["x"].values) == [5.0, 15.0, 25.0, 35.0]
    with pytest.raises(InputError, match="unknown compartment 'tone'; compartments: blood"):
        state.scalar("tone")


class Exchange:
    """Flows only: field 0 gives to compartment 0, which gives to field 1, at rates varying in space and time."""

    flows = (Flow(0, 0, into_compartment=True, scale=0.2), Flow(1, 0, into_compartment=False, scale=0.2))

    def __call__(self, f, s, t, rates):
        rates.flow[0] += 2.0 + f[2] * (1.0 + t)
        rates.flow[1] += 0.5 * f[2] / (1.0 + f[1])
        rates.production[2] += 1.0  # a bystander with its own rates


@pytest.mark.parametrize("dt", [0.01, 0.5, 5.0])
def test_flows_between_fields_and_a_compartment_are_conserved_by_the_update_itself(dt):
    grid = Grid((6, 5), 1.0)
    state = State.zeros(grid, ["giver", "taker", "other"], ["blood"])
    state.fields[:] = np.random.default_rng(3).random(state.fields.shape)
    state.scalars[:] = 3.0
    stepper = Stepper(grid, state.variables, state.compartments, {}, Exchange(), dt)

    def total(st):
        return st.scalars[0] + 0.2 * (st.fields[0].sum() + st.fields[1].sum())

    giver, taker = state.fields[0].sum(), state.fields[1].sum()
    for _ in range(20):
        before = total(state)
        stepper.step(state)
        assert total(state) == pytest.approx(before, rel=1e-13, abs=0.0)
    assert state.fields[0].sum() < giver and state.fields[1].sum() > taker
    assert state.fields.min() >= 0.0 and state.scalars.min() >= 0.0


def test_a_field_may_not_both_give_to_and_take_from_blood():
    class Loop(Exchange):
        flows = (Flow(0, 0, True, 1.0), Flow(0, 0, False, 1.0))

    with pytest.raises(InputError, match="both gives to and receives"):
        Stepper(Grid((3,), 1.0), ["a"], ["blood"], {}, Loop(), 0.1)
