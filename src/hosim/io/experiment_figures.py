"""Figures of the virtual experiments: knockout ratios against their target bounds, the BMP2 dose-response
with its threshold, and the window of opportunity of each prophylaxis."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from hosim.io.figures import save_figure  # noqa: E402


def knockout_bars(rows: Sequence[dict], path: Path) -> Path:
    """Heterotopic bone of each case as a ratio to the control, with each target's upper bound drawn as a
    red bar top; bars within their bound are blue, outside red, without a bound grey."""
    fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(rows)), 4.5))
    for k, row in enumerate(rows):
        ratio = row["heterotopic_ratio"] or 0.0
        bound = row.get("max_ratio")
        colour = "0.6" if bound is None else ("tab:blue" if row["within_bound"] else "tab:red")
        ax.bar(k, ratio, color=colour, width=0.7)
        ax.text(k, ratio, f"{ratio:.2f}", ha="center", va="bottom", fontsize=8)
        if bound is not None:
            ax.hlines(bound, k - 0.4, k + 0.4, colors="darkred", linewidth=2.5)
    ax.axhline(1.0, color="k", linewidth=0.8, linestyle=":")
    bound_key = Line2D([], [], color="darkred", linewidth=2.5, label="target upper bound (targets/mouse_bmp2.toml)")
    ax.set_xticks(range(len(rows)), [r["case"] for r in rows], rotation=30, ha="right")
    ax.set_ylabel("heterotopic bone / control")
    ax.set_title("Knockouts and drugs, mouse AdBMP2 model")
    ax.legend(handles=[bound_key], loc="upper right", fontsize=8)
    return save_figure(fig, path, dpi=120, bbox_inches="tight")


def dose_response(rows: Sequence[dict], threshold: dict, standard_dose: float, detection_mm3: float,
                  path: Path) -> Path:
    """Heterotopic bone against BMP2 dose on a linear and a logarithmic bone axis (symmetric-log dose axis so
    dose 0 shows), with the detection level, the threshold dose and the standard dose."""
    doses = [r["dose"] for r in rows]
    bone = [r["heterotopic_bone_mm3"] for r in rows]
    positive = [d for d in doses if d > 0]
    fig, axes = plt.subplots(1, 2, figsize=(11.0, 4.5))
    for ax, log in zip(axes, (False, True)):
        shown = [(d, b) for d, b in zip(doses, bone) if b > 0] if log else list(zip(doses, bone))
        ax.plot(*zip(*shown), "o-", color="k", label="heterotopic bone at the end")
        ax.set_xscale("symlog", linthresh=min(positive) if positive else 1.0)
        if log:
            ax.set_yscale("log")
        ax.axhline(detection_mm3, color="0.5", linestyle=":", label=f"detection ({detection_mm3:g} mm$^3$)")
        if threshold.get("estimate") is not None:
            ax.axvline(threshold["estimate"], color="tab:red", label=f"threshold ~{threshold['estimate']:.3g}")
        if threshold.get("low") is not None:
            ax.axvspan(threshold["low"], threshold["high"], color="tab:red", alpha=0.12)
        ax.axvline(standard_dose, color="tab:blue", linestyle="--", label=f"standard dose {standard_dose:g}")
        ax.set_xlabel("dose (million AdBMP2 cells)")
        ax.set_ylabel("heterotopic bone (mm$^3$)")
    axes[0].set_title("BMP2 dose-response")
    axes[1].set_title("the same, logarithmic bone axis")
    axes[0].legend(fontsize=8)
    return save_figure(fig, path, dpi=120, bbox_inches="tight")


def timing_curves(rows: Sequence[dict], starts: Sequence[float], path: Path) -> Path:
    """Percent of the control's heterotopic bone prevented against the day each prophylaxis starts."""
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for row in rows:
        ax.plot(starts, [100.0 * (row[f"day{s:g}"] or 0.0) for s in starts], "o-", label=row["intervention"])
    ax.axhline(0.0, color="k", linewidth=0.8)
    ax.set_xlabel("start day (after the trigger)")
    ax.set_ylabel("heterotopic bone prevented (% of control)")
    ax.set_title("Window of opportunity for prophylaxis")
    ax.legend(fontsize=8)
    return save_figure(fig, path, dpi=120, bbox_inches="tight")
