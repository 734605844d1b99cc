"""Grid refinement and dimensions of the default mouse scenario: the metrics of `mouse-bmp2` in 0-D, in 2-D
at several grid spacings and in 3-D, with each reduced or 3-D run's deviation from 2-D at the default
spacing, as a markdown table for docs/model.md (issue 12: does the answer depend on the grid and on the
dimension?). Deviations: days as a difference (days), everything else as a ratio.

    python tools/grid_table.py [--spacings 48,24,16,12] [--spacings-3d 48,37.5] [--scenario mouse-bmp2]
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor

from hosim.analysis.measures import METRIC_KEYS
from hosim.scenarios import get_scenario

SHOWN = [k for k in METRIC_KEYS if k.endswith("_day")] + ["heterotopic_bone_mm3", "orthotopic_bone_mm3",
                                                          "cartilage_peak_mm3", "circulating_progenitors_peak_fold",
                                                          "heterotopic_bone_nerve_share"]


def run(args: tuple[str, int, float | None]) -> tuple[tuple, dict, float]:
    from hosim.simulation import simulate

    scenario, dims, spacing = args
    started = time.perf_counter()
    metrics = simulate(scenario, dims=dims, resolution_um=spacing).metrics
    return args, metrics, time.perf_counter() - started


def cell(value) -> str:
    return "-" if value is None else f"{value:.3g}"


def deviation(key: str, value, reference) -> str:
    """A day's difference or another metric's ratio against the reference run."""
    if value is None or reference is None:
        return "-"
    if key.endswith("_day"):
        return f"{value - reference:+.2f}"
    return f"x{value / reference:.2f}" if reference else "-"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spacings", default="48,24,16,12", help="2-D grid spacings in um, coarse to fine")
    parser.add_argument("--spacings-3d", default="48,37.5", help="3-D grid spacings in um")
    parser.add_argument("--scenario", default="mouse-bmp2")
    opts = parser.parse_args(argv)
    spacings = [float(s) for s in opts.spacings.split(",")]
    spacings_3d = [float(s) for s in opts.spacings_3d.split(",") if s]
    default = get_scenario(opts.scenario).default_resolution_um[2]
    if default not in spacings:
        spacings.append(default)
    cases = ([(opts.scenario, 0, None)] + [(opts.scenario, 2, h) for h in spacings]
             + [(opts.scenario, 3, h) for h in spacings_3d])
    with ProcessPoolExecutor(2) as pool:
        results = list(pool.map(run, cases))
    reference = next(m for (_, dims, h), m, _ in results if dims == 2 and h == default)
    compared = [(f"{dims}-D" + (f" {h:g}" if h else ""), m) for (_, dims, h), m, _ in results if dims != 2]
    headers = ["metric", *(f"{dims}-D" + (f" {h:g} um" if h else "") for (_, dims, h), _, _ in results),
               *(f"{name} vs 2-D {default:g}" for name, _ in compared)]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for key in SHOWN:
        values = [cell(m[key]) for _, m, _ in results]
        deviations = [deviation(key, m[key], reference[key]) for _, m in compared]
        lines.append("| " + " | ".join([f"`{key}`", *values, *deviations]) + " |")
    lines.append("| wall time (s) | " + " | ".join(f"{t:.0f}" for _, _, t in results) + " |" + " |" * len(compared))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
