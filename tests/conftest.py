"""Shared test helpers."""

import numpy as np
import pytest

from hosim.engine import Grid, State, Stepper, Transport, run


def gaussian(grid: Grid, sigma2: float, amplitude: float = 1.0) -> np.ndarray:
    """A Gaussian centred on the grid, in the (nz, ny, nx) layout."""
    r2 = np.zeros(grid.shape3)
    for axis, c in enumerate(grid.coords().values()):
        centre = c.mean()
        shape = [1] * grid.ndim
        shape[axis] = -1
        r2 = r2 + ((c - centre) ** 2).reshape(shape).reshape((1,) * (3 - grid.ndim) + tuple(shape))
    return amplitude * np.exp(-r2 / (2.0 * sigma2))


def diffuse(grid, u0, D, decay, dt, t_end, method):
    """Run pure diffusion-decay of one field with the given solver and return the final field."""
    state = State.zeros(grid, ["u"])
    state.fields[0] = u0
    stepper = Stepper(grid, ["u"], [], {"u": Transport(D, decay, method=method)}, None, dt)
    run(stepper, state, t_end)
    return state.fields[0]


@pytest.fixture(params=["explicit", "implicit", pytest.param("coupled", marks=pytest.mark.slow)])
def method(request):
    return request.param
