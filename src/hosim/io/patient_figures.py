"""Figures of a patient run: heterotopic bone over the weeks with the symptom stages as bands, and the
section at chosen weeks as a radiograph would show it, with its grade."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from hosim.analysis.patient import JOINTS, VISIBLE_CM3, radiograph_labels  # noqa: E402
from hosim.io.figure_files import save_figure  # noqa: E402
from hosim.io.figure_plan import FigureData  # noqa: E402

STAGE_COLOURS = {"inflammation": "#f4a582", "firm_lump": "#fddbc7", "hardening": "#92c5de", "mature": "#d1e5f0",
                 "ankylosis": "#4393c3", "resolved": "#e0e0e0"}
# soft tissue, the joint's two sides (pelvis, femur; humerus, ulna and radius), heterotopic bone; implants over them
LABEL_COLOURS = ("#f6e8e0", "#bdbdbd", "#969696", "#d7301f")
IMPLANT_COLOUR = "#4a6fa5"
SECTION_WEEKS = (2, 6, 12, 26, 52)


def draw_course(data: FigureData, path: Path) -> Path:
    """Heterotopic bone (cm3) against weeks since the injury, the volume that shows on imaging as a dashed
    line, the grade at each graded week along the top, and below it the symptom stages, one lane
    each (they can overlap: an inflamed site can already hold a firm lump)."""
    patient = data.patient
    ds = data.dataset
    weeks = ds["time"].values / 7.0
    bone = ds["heterotopic_bone_mm3"].values / 1000.0
    fig, (ax, lanes) = plt.subplots(2, 1, figsize=(8.5, 5.6), sharex=True, layout="constrained",
                                    gridspec_kw={"height_ratios": (3.2, 1.0)})
    ax.plot(weeks, bone, color="black", linewidth=2.0, label="all heterotopic bone")
    ax.plot(weeks, ds["radiographic_bone_mm3"].values / 1000.0, color="tab:red", linewidth=1.4, linestyle="--",
            label="what a radiograph shows (1 mm of bone along the beam)")
    onset = patient["imaging"]["onset_week"]
    if onset is not None:
        ax.axvline(onset, color="tab:red", linestyle=":", linewidth=1.0)
        ax.annotate("shows on imaging", (onset, 0.5), xycoords=("data", "axes fraction"), xytext=(3, 0),
                    textcoords="offset points", fontsize=8, color="tab:red", rotation=90, va="center")
    ax.legend(loc="center right", fontsize=8, frameon=False)
    if patient.get("grade"):
        for graded in patient["grade"]["over_time"]:
            if graded["day"] > 0:
                ax.annotate(graded["class"], (graded["week"], 1.0), xycoords=("data", "axes fraction"),
                            xytext=(0, 3), textcoords="offset points", ha="center", fontsize=8)
        ax.set_title(f"{patient['grade']['system']} grade of the section", fontsize=8, loc="left", pad=14)
    ax.set_ylim(0, max(1.15 * float(bone.max()), VISIBLE_CM3))
    ax.set_ylabel("heterotopic bone (cm$^3$)")
    ax.grid(alpha=0.3)
    names = list(dict.fromkeys(s["stage"] for s in patient["stages"]))
    for stage in patient["stages"]:
        lane = len(names) - 1 - names.index(stage["stage"])
        start, end = stage["from_day"] / 7.0, stage["to_day"] / 7.0
        lanes.barh(lane, end - start, left=start, height=0.7, color=STAGE_COLOURS[stage["stage"]],
                   edgecolor="0.4", linewidth=0.6)
    lanes.set_yticks(range(len(names)), [n.replace("_", " ") for n in reversed(names)], fontsize=8)
    lanes.set_xlim(0, weeks[-1])
    lanes.set_xlabel("weeks since the injury")
    lanes.set_title("symptom stages (rules in docs/patients.md and summary.json)", fontsize=8, loc="left")
    lanes.grid(axis="x", alpha=0.3)
    fig.suptitle(f"{data.scenario} ({data.species}, {data.grid.ndim}-D): heterotopic bone over time", fontsize=11)
    return save_figure(fig, path, dpi=100)


def draw_sections(data: FigureData, path: Path) -> Path:
    """The section at up to five graded weeks as a radiograph shows it (bones, implants, heterotopic bone
    where it adds up to 1 mm along the beam), each with its grade and the gap."""
    ds = data.dataset
    grid = data.grid
    grade = data.patient["grade"]
    graded = {g["day"]: g for g in grade["over_time"]}
    days = [float(d) for d in ds["snapshot_day"].values]
    chosen = [min(days, key=lambda d: abs(d - 7.0 * w)) for w in SECTION_WEEKS if 7.0 * w <= days[-1] + 1e-9]
    chosen = list(dict.fromkeys(chosen)) or days[-1:]
    regions = {name: values[0] for name, values in grid.regions.items()}
    slab_mm = data.slab_thickness_um / 1000.0
    h = grid.spacing_um / 1000.0
    ny, nx = regions["skeleton"].shape
    extent = (0.0, nx * h, ny * h, 0.0)
    fig, axes = plt.subplots(1, len(chosen), figsize=(3.1 * len(chosen) + 0.4, 4.4), squeeze=False,
                             layout="constrained")
    for ax, day in zip(axes[0], chosen):
        k = days.index(day)
        bone = (ds["bone_woven_field"].values[k] + ds["bone_mature_field"].values[k]).reshape(ny, nx)
        labels = radiograph_labels(regions, bone, slab_mm, grade["joint"])
        ax.imshow(labels, cmap=ListedColormap(LABEL_COLOURS), vmin=-0.5, vmax=3.5, extent=extent,
                  interpolation="nearest")
        if "implant" in regions:
            ax.contourf(regions["implant"], levels=[0.5, 1.5], colors=[IMPLANT_COLOUR], extent=extent,
                        origin="upper")
        g = graded[day]
        gap = "" if g["min_gap_mm"] is None else f", gap {g['min_gap_mm']:g} mm"
        ax.set_title(f"week {day / 7.0:g}{gap}\n{g['reading']}", fontsize=9)
        ax.set_xlabel("mm")
        ax.tick_params(labelsize=7)
    axes[0, 0].set_ylabel("mm")
    sides = JOINTS[grade["joint"]].side_names
    key = [Patch(color=c, label=t) for c, t in zip(LABEL_COLOURS, ("soft tissue", *sides, "heterotopic bone"))]
    key.append(Patch(color=IMPLANT_COLOUR, label="implant"))
    fig.legend(handles=key, loc="outside lower center", ncol=len(key), fontsize=9, frameon=False)
    fig.suptitle(f"{data.scenario}: the section as a radiograph shows it (heterotopic bone where it adds up to "
                 "1 mm along the beam)", fontsize=10)
    return save_figure(fig, path, dpi=100)
