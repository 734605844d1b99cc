"""Throughput of the diffusion solvers and wall times of the standard runs, as one JSON object.

Million voxel updates per second for 3-D float64 fields after a warm-up, next to the numpy copy
bandwidth measured in the same run: the explicit stencil moves about 16 bytes per voxel update, so
copy_gb_s * 1e3 / 16 is its memory-bandwidth bound in Mvox/s. Run times: the simulation alone
(in-process, JIT cache warm) and `hosim run` end to end from the shell (a fresh interpreter: imports,
checks, simulation, summary.json, result.nc and figures), the figure users feel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

import numba
import numpy as np

from hosim.engine import LODSolver, explicit_step
from hosim.errors import InputError

ARRAYS_PER_SOLVE = 6  # float64 fields alive at once in solver_mvox_s: field, output, LOD coefficients and scratch
MAX_EDGE = 1024


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
    "tha-2d": ("tha", 2),  # a patient: 26 weeks of a 2 mm hip section
    "tha-0d": ("tha", 0),
}
GOALS_S = {"tha-2d": 60.0, "tha-0d": 1.0,  # issue 13: a 2-D human scenario within 60 s, 0-D within 1 s
           "cohort-tha-10000": 60.0}  # issue 14: 10,000 virtual THA patients end to end within 60 s


def scenario_seconds(scenario: str, dims: int) -> float:
    """Wall time of a default run (no figures, no files), after a short warm-up run loads the JIT cache."""
    from hosim.simulation import simulate

    simulate(scenario, dims=dims, days=0.1)
    start = time.perf_counter()
    simulate(scenario, dims=dims)
    return time.perf_counter() - start


def available_bytes() -> int:
    """Memory the benchmark may use: what the system reports as available, else half the physical memory."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2


def check_sizes(text: str) -> list[int]:
    """Cube edges from "64,128,256": whole numbers from 4 to MAX_EDGE whose arrays fit in memory."""
    try:
        edges = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InputError(f"--sizes must be comma-separated whole numbers, got {text!r}") from None
    if not edges or min(edges) < 4 or max(edges) > MAX_EDGE:
        raise InputError(f"--sizes needs edge lengths from 4 to {MAX_EDGE}, got {text!r}")
    need, have = ARRAYS_PER_SOLVE * 8 * max(edges) ** 3, available_bytes()
    if need > have:
        raise InputError(f"--sizes {max(edges)} needs about {need / 2**30:.1f} GiB of memory and "
                         f"{have / 2**30:.1f} GiB is available; give smaller edges")
    return edges


END_TO_END = {"mouse-bmp2-0d": ["run", "mouse-bmp2", "--dims", "0", "--force"],
              "mouse-bmp2-2d": ["run", "mouse-bmp2", "--force"],
              "cohort-tha-10000": ["cohort", "--setting", "tha", "--n", "10000"]}


def end_to_end_seconds(args: list[str]) -> float:
    """Wall time of `hosim ARGS --out FOLDER` in a fresh interpreter into a new folder, outputs included
    (after one warm-up run)."""
    with tempfile.TemporaryDirectory() as folder:
        for k in range(2):
            command = [sys.executable, "-m", "hosim.cli", *args, "--out", os.path.join(folder, str(k))]
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
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
        result["goal_s"] = dict(GOALS_S)
        result["end_to_end_s"] = {key: round(end_to_end_seconds(args), 2) for key, args in END_TO_END.items()}
    return result
