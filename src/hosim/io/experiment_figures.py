"""Figures of the virtual experiments: knockout ratios against their target bounds, the BMP2 dose-response
with its threshold, the window of opportunity of each prophylaxis, the injuries by bone origin, and the
parameters each outcome is most sensitive to."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from hosim.io.figure_files import save_figure  # noqa: E402


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


def injury_bars(rows: Sequence[dict], detection_mm3: float, path: Path) -> Path:
    """Left: heterotopic bone of each injury case (log axis; grey below microCT detection). Right: which cells
    laid it down (resident progenitors, nerve-derived progenitors, the periosteum), where there is bone."""
    fig, (left, right) = plt.subplots(1, 2, sharey=True, figsize=(10.0, 0.32 * len(rows) + 1.6),
                                      gridspec_kw={"width_ratios": (3, 2)})
    floor = detection_mm3 / 100.0
    for k, row in enumerate(rows):
        bone = max(row["heterotopic_bone_mm3"] or 0.0, floor)
        detected = row["heterotopic_bone_resident_share"] is not None
        left.barh(k, bone - floor, left=floor, color="0.25" if detected else "0.75", height=0.7)
        if detected:
            resident, nerve = row["heterotopic_bone_resident_share"], row["heterotopic_bone_nerve_share"]
            shares = (resident, nerve, max(0.0, 1.0 - resident - nerve))
            starts = (0.0, resident, resident + nerve)
            for start, share, colour in zip(starts, shares, ORIGIN_COLOURS):
                right.barh(k, share, left=start, color=colour, height=0.7)
    left.axvline(detection_mm3, color="k", linestyle=":", linewidth=1, label=f"microCT detection ({detection_mm3:g} mm$^3$)")
    left.set_xscale("log")
    left.set_yticks(range(len(rows)), [r["case"] for r in rows], fontsize=8)
    left.invert_yaxis()
    left.set_xlabel("heterotopic bone at the end of the run (mm$^3$, log scale)")
    left.legend(loc="lower right", fontsize=7)
    right.set_xlim(0.0, 1.0)
    right.set_xlabel("share of the heterotopic bone (1)")
    right.legend(handles=[Line2D([], [], color=c, linewidth=6, label=t) for c, t in zip(ORIGIN_COLOURS, (
        "resident progenitors", "nerve-derived progenitors", "periosteum"))], loc="lower right", fontsize=7)
    fig.suptitle("Injuries without injected BMP2: how much bone, and which cells laid it down")
    return save_figure(fig, path, dpi=120, bbox_inches="tight")


ORIGIN_COLOURS = ("tab:orange", "tab:blue", "tab:green")


BASIS_COLOURS = {"fitted": "tab:blue", "hand-calibrated": "tab:purple", "assumption": "tab:red",
                 "literature": "tab:green"}


def sensitivity_bars(rows: Sequence[dict], outcomes: dict, index: str, top: int, title: str, path: Path,
                     legend: str = "value rests on") -> Path:
    """One panel per outcome: its `top` most influential parameters (or groups of them) by `index` (Morris
    mu*, Sobol ST), with the confidence interval, coloured by what each value rests on."""
    fig, axes = plt.subplots(1, len(outcomes), figsize=(4.2 * max(len(outcomes), 2), 0.28 * top + 1.8), squeeze=False)
    for ax, (key, (label, _)) in zip(axes[0], outcomes.items()):
        ranked = [r for r in rows if r["outcome"] == key][:top]
        values = [r[index] for r in ranked]
        errors = [r.get(f"{index}_conf", 0.0) for r in ranked]
        ax.barh(range(len(ranked)), values, xerr=errors, color=[BASIS_COLOURS[r["basis"]] for r in ranked],
                height=0.7, error_kw={"elinewidth": 0.8, "ecolor": "0.3"})
        ax.set_yticks(range(len(ranked)), [r["parameter"] for r in ranked], fontsize=7)
        ax.invert_yaxis()
        unit = label[label.index("(") + 1:-1] if "(" in label else ""
        ax.set_xlabel(f"{index} ({unit})" if index == "mu_star" else f"{index} (share of variance)", fontsize=8)
        ax.set_title(label.split(" (")[0], fontsize=9)
    fig.legend(handles=[Line2D([], [], color=c, linewidth=6, label=b) for b, c in BASIS_COLOURS.items()],
               loc="lower center", ncol=len(BASIS_COLOURS), fontsize=8, title=legend, title_fontsize=8)
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.08, 1, 0.95))
    return save_figure(fig, path, dpi=120)
