"""Grid refinement of the default mouse scenario: the metrics of `mouse-bmp2` in 2-D at three grid spacings,
beside 0-D, as a markdown table for docs/model.md (issue 12: does the answer depend on the grid?).

    python tools/grid_table.py [--spacings 48,24,12] [--scenario mouse-bmp2]
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor

from hosim.analysis.measures import METRIC_KEYS

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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spacings", default="48,24,12", help="2-D grid spacings in um, coarse to fine")
    parser.add_argument("--scenario", default="mouse-bmp2")
    opts = parser.parse_args(argv)
    spacings = [float(s) for s in opts.spacings.split(",")]
    cases = [(opts.scenario, 0, None)] + [(opts.scenario, 2, h) for h in spacings]
    with ProcessPoolExecutor(2) as pool:
        results = list(pool.map(run, cases))
    headers = ["metric", "0-D", *(f"2-D {h:g} um" for h in spacings)]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for key in SHOWN:
        lines.append("| " + " | ".join([f"`{key}`", *(cell(m[key]) for _, m, _ in results)]) + " |")
    lines.append("| wall time (s) | " + " | ".join(f"{t:.0f}" for _, _, t in results) + " |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
