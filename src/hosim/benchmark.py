"""Throughput of the diffusion solvers (and wall time of the standard scenarios), as one JSON object.

Million voxel updates per second for 3-D float64 fields after a warm-up, next to the numpy copy
bandwidth measured in the same run: the explicit stencil moves about 16 bytes per voxel update, so
copy_gb_s * 1e3 / 16 is its memory-bandwidth bound in Mvox/s.
"""

from __future__ import annotations

import time

import numba
import numpy as np

from hosim.engine import LODSolver, explicit_step


def _best_seconds(action, repeats: int) -> float:
    """Shortest wall time of `repeats` calls (the least disturbed by other load)."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def copy_bandwidth_gb_s(megabytes: int = 256) -> float:
    """numpy copy bandwidth: bytes read plus bytes written per second."""
    src = np.random.default_rng(0).random(megabytes * 2**20 // 8)
    dst = np.empty_like(src)
    np.copyto(dst, src)
    seconds = _best_seconds(lambda: np.copyto(dst, src), 5)
    return 2 * src.nbytes / seconds / 1e9


def solver_mvox_s(edge: int) -> tuple[float, float]:
    """(explicit, LOD) million voxel updates per second on an edge^3 float64 field."""
    rng = np.random.default_rng(edge)
    u = rng.random((edge, edge, edge))
    out = np.empty_like(u)
    spacing, diffusivity, decay = 20.0, 1e4, 1.0
    dt = 0.9 * spacing**2 / (6 * diffusivity)
    lod = LODSolver(u.shape, spacing, 1.47e8, decay, 0.01)
    explicit_step(u, out, diffusivity, decay, dt, spacing)  # warm-up (and JIT / cache load)
    lod.solve(u)
    repeats = max(3, int(3e7 / edge**3))
    voxels = edge**3 * repeats

    def explicit_many():
        a, b = u, out
        for _ in range(repeats):
            explicit_step(a, b, diffusivity, decay, dt, spacing)
            a, b = b, a

    def lod_many():
        for _ in range(repeats):
            lod.solve(u)

    return voxels / _best_seconds(explicit_many, 3) / 1e6, voxels / _best_seconds(lod_many, 3) / 1e6


SCENARIO_CASES = {  # benchmark key: (scenario, dims); the 3-D default grid of mouse-bmp2 is 64^3
    "mouse-bmp2-2d": ("mouse-bmp2", 2),
    "mouse-bmp2-0d": ("mouse-bmp2", 0),
    "mouse-bmp2-3d64": ("mouse-bmp2", 3),
}


def scenario_seconds(scenario: str, dims: int) -> float:
    """Wall time of a default run (no figures, no files), after a short warm-up run loads the JIT cache."""
    from hosim.simulation import simulate

    simulate(scenario, dims=dims, days=0.1)
    start = time.perf_counter()
    simulate(scenario, dims=dims)
    return time.perf_counter() - start


def run_benchmark(edges=(64, 128, 256), scenarios: bool = True) -> dict:
    """All figures of the benchmark as plain data."""
    result = {"copy_gb_s": round(copy_bandwidth_gb_s(), 2), "explicit_mvox_s": {}, "lod_mvox_s": {}}
    for edge in edges:
        explicit, lod = solver_mvox_s(edge)
        result["explicit_mvox_s"][str(edge)] = round(explicit, 1)
        result["lod_mvox_s"][str(edge)] = round(lod, 1)
    result["threads"] = numba.get_num_threads()
    if scenarios:
        result["scenario_s"] = {key: round(scenario_seconds(*case), 2) for key, case in SCENARIO_CASES.items()}
    return result
