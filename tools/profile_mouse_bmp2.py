"""Where the mouse AdBMP2 calibration holds over bmp2_decay x circulating_baseline (issue 12's
identifiability question): the calibration penalty of tools/fit_mouse_bmp2.py (every window, rule and
event-order check, plus the two knockout bounds that constrain the resting circulating pool: mmp9-inactive
and ppt-ko) on a log grid across both plausible ranges, the other parameters at their shipped values. A
penalty-based profile: zero where every check holds, the sum of the squared shortfalls elsewhere.

    python tools/profile_mouse_bmp2.py [--points 6] [--workers 2]
        # writes docs/generated/profile_bmp2.json and .md, docs/figures/profile_bmp2_decay_circulating.png
    python tools/profile_mouse_bmp2.py --replot    # redraw the figure and table from the saved grid
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fit_mouse_bmp2 import all_checks, penalty  # noqa: E402

from hosim.analysis.targets import load_targets  # noqa: E402
from hosim.biology import load_parameters  # noqa: E402
from hosim.files import write_text  # noqa: E402
from hosim.io.figure_files import save_figure  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAVED = ROOT / "docs" / "generated" / "profile_bmp2.json"  # the grid's results, so the figure redraws without runs
KNOCKOUTS = ("mmp9-inactive", "ppt-ko")  # the bounds that set circulating_baseline (parameters.toml)


def evaluate(point: tuple[float, float]) -> tuple[float, int, int, list[str]]:
    """Penalty, failing and total checks, and the failing checks' names at one (bmp2_decay, baseline)."""
    decay, baseline = point
    parameters = load_parameters().with_values({"bmp2_decay": decay, "circulating_baseline": baseline})
    targets = load_targets()
    targets = {**targets, "knockouts": {k: v for k, v in targets["knockouts"].items() if k in KNOCKOUTS}}
    checks = all_checks(parameters, None, targets, knockouts=True)  # the knockouts against the same control run
    failing = [f"{c.event}: {c.rule}" for c in checks if c.margin < 0]
    return penalty(checks, 0.0), len(failing), len(checks), failing


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=6, help="grid points per parameter")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--replot", action="store_true", help="redraw the figure and table from the saved grid")
    args = ap.parse_args()
    if not args.replot:
        base = load_parameters()
        decays = np.geomspace(base["bmp2_decay"].low, base["bmp2_decay"].high, args.points)
        baselines = np.geomspace(base["circulating_baseline"].low, base["circulating_baseline"].high, args.points)
        grid = [(float(d), float(b)) for b in baselines for d in decays]
        with ProcessPoolExecutor(args.workers, mp_context=get_context("spawn")) as pool:
            results = list(pool.map(evaluate, grid))
        saved = {"bmp2_decay": decays.tolist(), "circulating_baseline": baselines.tolist(), "checks": results[0][2],
                 "failing": [r[1] for r in results], "penalty": [r[0] for r in results],
                 "failing_checks": [r[3] for r in results]}
        write_text(SAVED, json.dumps(saved, indent=1) + "\n")
    draw(json.loads(SAVED.read_text(encoding="utf-8")))


def draw(saved: dict) -> None:
    """The figure (cells drawn between the grid's geometric midpoints, so each sits on its point on the log
    axes) and the markdown table."""
    import matplotlib.pyplot as plt

    decays, baselines = np.array(saved["bmp2_decay"]), np.array(saved["circulating_baseline"])
    failing = np.array(saved["failing"]).reshape(len(baselines), len(decays))
    pen = np.array(saved["penalty"]).reshape(len(baselines), len(decays))
    fig, ax = plt.subplots(figsize=(6.4, 5.2), constrained_layout=True)
    mesh = ax.pcolormesh(log_edges(decays), log_edges(baselines), failing, shading="flat", cmap="magma_r")
    for (i, j), n in np.ndenumerate(failing):
        ax.text(decays[j], baselines[i], str(n), ha="center", va="center", fontsize=9,
                color="white" if n > failing.max() / 2 else "black")
    base = load_parameters()
    ax.plot(base.value("bmp2_decay"), base.value("circulating_baseline"), marker="*", color="tab:cyan",
            markersize=14, markeredgecolor="black", linestyle="none", label="shipped values")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("bmp2_decay (1/day)")
    ax.set_ylabel("circulating_baseline (cells/uL)")
    ax.set_title(f"mouse AdBMP2 (2-D): failing calibration checks of {saved['checks']}")
    fig.colorbar(mesh, ax=ax, label="failing checks")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize=8)
    save_figure(fig, ROOT / "docs" / "figures" / "profile_bmp2_decay_circulating.png", dpi=110)

    rows = ["| circulating_baseline (cells/uL) \\ bmp2_decay (1/day) | " + " | ".join(f"{d:.3g}" for d in decays) + " |",
            "|---|" + "---|" * len(decays)]
    for i, b in enumerate(baselines):
        rows.append(f"| {b:.3g} | " + " | ".join(f"{failing[i, j]} ({pen[i, j]:.2g})" for j in range(len(decays))) + " |")
    held = [(d, b) for i, b in enumerate(baselines) for j, d in enumerate(decays) if failing[i, j] == 0]
    text = ("# Calibration checks over bmp2_decay x circulating_baseline (generated by tools/profile_mouse_bmp2.py)\n\n"
            f"Each cell: failing checks of {saved['checks']} (penalty: the sum of the squared shortfalls). Checks: "
            "the windows, rules and event orders of targets/mouse_bmp2.toml (2-D and 0-D) and the knockout bounds of "
            f"{', '.join(KNOCKOUTS)}; every other parameter at its shipped value.\n\n" + "\n".join(rows)
            + f"\n\nEvery check holds at {len(held)} of {failing.size} points: "
            + (", ".join(f"({d:.3g}, {b:.3g})" for d, b in held) or "none") + ".\n")
    write_text(ROOT / "docs" / "generated" / "profile_bmp2.md", text)
    print(text)


def log_edges(points: np.ndarray) -> np.ndarray:
    """Cell edges of a geometric grid: the geometric midpoints, and half a step beyond each end."""
    logs = np.log10(points)
    mids = (logs[1:] + logs[:-1]) / 2
    return 10.0 ** np.concatenate([[logs[0] - (mids[0] - logs[0])], mids, [logs[-1] + (logs[-1] - mids[-1])]])


if __name__ == "__main__":
    main()
