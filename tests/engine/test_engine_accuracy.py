"""Both diffusion solvers against analytic solutions, and their observed orders of convergence."""

import numpy as np
import pytest
from conftest import diffuse, gaussian

from hosim.engine import Grid, State, Stepper, Transport, run

CASES = {  # ndim: (edge, spacing um, initial variance um^2, D um^2/day, decay /day, t_end day)
    1: (161, 1.0, 16.0, 1.0, 0.05, 8.0),
    2: (81, 1.0, 16.0, 1.0, 0.05, 6.0),
    3: (49, 1.0, 16.0, 1.0, 0.05, 4.0),
}


def analytic_gaussian(grid, s0, D, decay, t):
    """Spreading Gaussian with decay: variance s0 + 2Dt, amplitude (s0/(s0+2Dt))^(d/2) e^(-decay t)."""
    s = s0 + 2.0 * D * t
    return gaussian(grid, s, (s0 / s) ** (grid.ndim / 2) * np.exp(-decay * t))


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_gaussian_matches_analytic(ndim, method):
    n, h, s0, D, decay, t_end = CASES[ndim]
    grid = Grid((n,) * ndim, h)
    dt = {"explicit": 0.4 * h**2 / (2 * ndim * D), "implicit": 0.02, "coupled": 0.05}[method]
    u = diffuse(grid, gaussian(grid, s0), D, decay, dt, t_end, method)
    exact = analytic_gaussian(grid, s0, D, decay, t_end)
    assert np.abs(u - exact).max() < 0.01 * exact.max()


@pytest.mark.parametrize("source", [0.0, 0.5])
@pytest.mark.parametrize("axis", [0, 1, 2])
def test_steady_decay_profile(axis, method, source):
    """Fixed value 1 at one end, no flux at the other, uniform source S (reaction production):
    u = S/decay + (1 - S/decay) cosh((L-x)/l)/cosh(L/l), l = sqrt(D/decay)."""
    n, h, D, decay = 80, 1.0, 25.0, 1.0
    shape = [3, 3, 3]
    shape[axis] = n
    wall = np.zeros(shape)
    idx = [slice(None)] * 3
    idx[axis] = 0
    wall[tuple(idx)] = 1.0
    grid = Grid(tuple(shape), h, regions={"wall": wall})
    # LOD splits the decay between axes: its steady state is off by O(dt), so it needs a shorter step.
    dt = {"explicit": 0.9 / (2 * 3 * D / h**2 + decay), "implicit": 0.01, "coupled": 0.5}[method]
    state = State.zeros(grid, ["u"])
    def produce(fields, scalars, t, rates):
        rates.production[0] += source

    stepper = Stepper(grid, ["u"], [], {"u": Transport(D, decay, fixed=(("wall", 1.0),), method=method)}, produce, dt)
    run(stepper, state, t_end=round(30.0 / dt) * dt)
    ell = np.sqrt(D / decay)
    x = np.arange(n) * h
    L = (n - 0.5) * h
    plateau = source / decay
    exact = plateau + (1.0 - plateau) * np.cosh((L - x) / ell) / np.cosh(L / ell)
    profile = np.moveaxis(state.fields[0], axis, 0)[:, 1, 1]
    assert np.abs(profile - exact).max() < 0.01


def _gaussian_error_1d(h, dt_of_h, method, t_end=4.0):
    length, s0, D = 80.0, 4.0, 1.0
    n = int(round(length / h))
    grid = Grid((n,), h)
    u = diffuse(grid, gaussian(grid, s0), D, 0.0, dt_of_h(h), t_end, method)
    exact = analytic_gaussian(grid, s0, D, 0.0, t_end)
    return np.abs(u - exact).max()


def test_second_order_in_space(method):
    """Refining h (dt proportional to h^2) shrinks the error about fourfold per halving."""
    hs = [1.0, 0.5, 0.25]
    errs = [_gaussian_error_1d(h, lambda h: 0.2 * h**2, method) for h in hs]
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(orders > 1.8) and np.all(orders < 2.2), orders


def test_at_least_first_order_in_time():
    """LOD backward Euler at a fixed grid: the error against a fine-step reference halves with dt."""
    grid = Grid((60, 60), 1.0)
    u0 = gaussian(grid, 9.0)
    ref = diffuse(grid, u0, 2.0, 0.1, 0.001, 2.0, "implicit")
    errs = [np.abs(diffuse(grid, u0, 2.0, 0.1, dt, 2.0, "implicit") - ref).max() for dt in (0.2, 0.1, 0.05)]
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(orders >= 0.9), orders


def test_a_step_with_reactions_is_first_order_in_time():
    """The reaction half steps are lagged linearly implicit (Patankar-Euler) updates, so a whole Strang
    step is first order in time, as docs/engine.md says: logistic growth in a well-mixed compartment,
    against its exact solution, errors halve with dt."""
    rate, capacity, u0, t_end = 3.0, 2.0, 0.05, 2.0
    exact = capacity / (1.0 + (capacity / u0 - 1.0) * np.exp(-rate * t_end))

    def logistic(fields, scalars, t, rates):
        rates.production[0] += rate * fields[0]
        rates.loss[0] += rate * fields[0] / capacity

    errors = []
    for dt in (0.02, 0.01, 0.005, 0.0025):
        grid = Grid((), volume_um3=1.0)
        state = State.zeros(grid, ["u"])
        state.fields[0] = u0
        run(Stepper(grid, ["u"], [], {}, logistic, dt), state, t_end)
        errors.append(abs(state.fields[0].item() - exact))
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all((orders > 0.9) & (orders < 1.1)), orders
