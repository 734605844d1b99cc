"""The leak of a section's signals into the tissue around it (biology/transport.py) against direct
numerical solutions of steady diffusion with decay."""

import numpy as np
import pytest
from scipy.sparse import diags
from scipy.sparse.linalg import spsolve

from hosim.biology import load_parameters
from hosim.biology.transport import disc_mean, leak_rates, segment_mean


def steady(r: np.ndarray, source: np.ndarray, radial: bool) -> np.ndarray:
    """c with c'' (+ c'/r) - c = -source on a uniform grid (lam = 1), zero flux at r[0], c -> 0 far out."""
    h = r[1] - r[0]
    upper = np.ones(r.size - 1) / h**2
    lower = np.ones(r.size - 1) / h**2
    if radial:
        upper += 1.0 / (2 * h * r[:-1])
        lower -= 1.0 / (2 * h * r[1:])
    main = np.full(r.size, -2.0 / h**2 - 1.0)
    main[0] += 1.0 / h**2 - (1.0 / (2 * h * r[0]) if radial else 0.0)  # mirror at the axis or the midplane
    return spsolve(diags([lower, main, upper], [-1, 0, 1], format="csc"), -source)


@pytest.mark.parametrize("size", [0.3, 1.0, 4.0])
def test_segment_mean_is_the_mean_of_a_finite_source(size):
    z = (np.arange(20000) + 0.5) * (size / 2 + 12) / 20000
    inside = z < size / 2
    c = steady(z, inside.astype(float), radial=False)
    assert segment_mean(size) == pytest.approx(c[inside].mean(), rel=2e-3)


@pytest.mark.parametrize("size", [0.3, 1.0, 4.0])
def test_disc_mean_is_the_mean_of_a_disc_source(size):
    r = (np.arange(20000) + 0.5) * (size + 12) / 20000
    inside = r < size
    c = steady(r, inside.astype(float), radial=True)
    assert disc_mean(size) == pytest.approx(np.average(c[inside], weights=r[inside]), rel=2e-3)


def test_leaks_fall_as_the_slab_lengthens_and_only_decaying_signals_leak():
    p = load_parameters()
    short, long = leak_rates(p, 500.0), leak_rates(p, 5000.0)
    assert set(short) == {"bmp2", "activin_a", "mmp9_active", "wnt1", "vegf", "osm"}
    assert all(long[k] < short[k] for k in short)
    assert leak_rates(p, 1000.0, radius_um=500.0)["bmp2"] > leak_rates(p, 1000.0)["bmp2"]
