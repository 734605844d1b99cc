"""Figures of a run: the timeline of every recorded quantity in its unit, step by step, with the calibration
windows; and the lesion in space and time, from the trigger fields to the bone."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from hosim.analysis.calibration import target_windows  # noqa: E402
from hosim.biology.transport import OXYGEN_SOLVE_DAYS  # noqa: E402
from hosim.biology.variables import VARIABLES  # noqa: E402
from hosim.io.figure_files import save_figure  # noqa: E402
from hosim.io.figure_plan import FigureData, plan_figures  # noqa: E402
from hosim.io.patient_figures import draw_course, draw_sections  # noqa: E402
from hosim.scenarios.observables import OBSERVABLES  # noqa: E402

DESCRIPTIONS = {v.name: v.description for v in VARIABLES}
UNITS = {v.name: v.unit for v in VARIABLES}
# Domain totals drawn as their mm^3 observable instead (the same numbers).
SHOWN_AS = {"cartilage_total": "cartilage_mm3", "tbat_total": "tbat_mm3"}
OXYGEN_OBSERVABLES = ("oxygen_total", "lesion_min_oxygen_mmhg", "hypoxic_fraction")
# Rows of the lesion figure, from the trigger to the bone: (label, variables summed, colour map).
LESION_ROWS = (
    ("BMP2", ("bmp2",), "Purples"),
    ("substance P", ("substance_p",), "RdPu"),
    ("tBAT", ("tbat",), "Oranges"),
    ("oxygen", ("oxygen",), "RdYlBu"),
    ("vessels", ("vessels",), "Reds"),
    ("progenitors", ("tissue_progenitors",), "Greens"),
    ("cartilage", ("cartilage",), "Blues"),
    ("bone", ("bone_woven", "bone_mature"), "bone"),
)
OUTLINES = (("skeleton", "cyan", "solid", "skeleton"), ("injection", "gray", "dashed", "injection site"),
            ("nerve", "magenta", "solid", "nerve"))
SCALE_BARS_UM = (100.0, 200.0, 500.0, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4)  # a round length near a fifth of the panel
# Domain totals in the units a reader counts in (factor from the result.nc unit; checked with UDUNITS in
# tests/io/test_figures.py): 1e6 cells/mL x mm^3 is 1000 cells, ng/mL x mm^3 is a picogram, and so on.
READABLE_UNITS = {
    "1e6 mL-1 mm3": (1e3, "cells"),
    "ng mL-1 mm3": (1.0, "pg"),
    "nmol L-1 mm3": (1.0, "fmol"),
    "mg mL-1 mm3": (1.0, "ug"),
    "1 mm3": (1.0, "mm3 (fraction x volume)"),
    "uL-1": (1.0, "cells per uL of blood"),
}


def write_figures(result, folder: Path) -> list[Path]:
    """Draw every figure this run supports into `folder`, one after the other; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    data = FigureData.of(result)
    return [DRAWINGS[job.name](data, job.path, **job.options) for job in plan_figures(data, folder)]


def _timeline_panels(dataset) -> list[tuple[int, str]]:
    """(cascade step, observable) of every panel, in cascade order."""
    panels = [(spec.cascade_step, SHOWN_AS.get(name, name)) for name, spec in OBSERVABLES.items()
              if spec.cascade_step is not None and name in dataset]
    return sorted(dict.fromkeys(panels), key=lambda panel: panel[0])


TIMELINE_COLUMNS = 6
PANEL_INCHES = (2.9, 2.15)


def _windows(data: FigureData) -> dict[str, list]:
    windows: dict[str, list] = {}
    for observable, metric, low, high in target_windows(data.scenario):
        windows.setdefault(observable, []).append((metric, low, high))
    return windows


def draw_timeline(data: FigureData, path: Path, half: int | None = None) -> Path:
    """One small panel per recorded quantity, in its own unit, grouped by cascade step; calibration
    windows of the run's targets as shaded bands, with the measured day marked. half 0 or 1: only the
    left or right three columns, without the header (stitch_timeline joins them)."""
    ds = data.dataset
    days = ds["time"].values
    panels = _timeline_panels(ds)
    windows = _windows(data)
    rows = -(-len(panels) // TIMELINE_COLUMNS)
    columns = range(TIMELINE_COLUMNS) if half is None else range(3 * half, 3 * half + 3)
    width, height = PANEL_INCHES[0] * len(columns), PANEL_INCHES[1] * rows + (0.0 if half is not None else 0.9)
    margins = {"left": 0.78 / width, "right": 1 - 0.1 / width, "bottom": 0.5 / height,
               "top": 1 - (0.2 if half is not None else 1.1) / height, "wspace": 0.42, "hspace": 0.42}
    fig, axes = plt.subplots(rows, len(columns), figsize=(width, height), sharex=True, squeeze=False,
                             gridspec_kw=margins)
    volume_mm3 = data.grid.size * data.voxel_volume_mm3
    for index, (step, name) in enumerate(panels):
        row, column = divmod(index, TIMELINE_COLUMNS)
        if column not in columns:
            continue
        ax = axes[row, column - columns.start]
        values, unit = _readable(ds[name].values, ds[name].attrs.get("units", ""), volume_mm3)
        ax.plot(days, values, color="tab:blue", linewidth=1.4)
        title = name.removesuffix("_total").removesuffix("_mm3").removesuffix("_mmhg").replace("_", " ")
        ax.set_title(f"{step}. {title}" + (" (domain mean)" if unit == "mmHg" and name.endswith("_total") else ""),
                     fontsize=9)
        ax.set_ylabel(unit, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.yaxis.set_major_locator(MaxNLocator(4))
        ax.grid(alpha=0.3)
        for metric, low, high in windows.get(name, ()):
            ax.axvspan(low, high, color="tab:green", alpha=0.18)
            value = data.metrics.get(metric)
            if value is not None:
                ax.axvline(value, color="tab:green", linewidth=1.0, linestyle="--")
        if name in OXYGEN_OBSERVABLES:
            ax.text(0.98, 0.04, f"oxygen solved every {OXYGEN_SOLVE_DAYS:g} day", transform=ax.transAxes,
                    ha="right", va="bottom", fontsize=6, color="0.35")
        if index + TIMELINE_COLUMNS >= len(panels):  # the lowest panel of its column
            ax.xaxis.set_tick_params(labelbottom=True)
            ax.set_xlabel("days since injury", fontsize=8)
    for index in range(len(panels), rows * TIMELINE_COLUMNS):
        row, column = divmod(index, TIMELINE_COLUMNS)
        if column in columns:
            axes[row, column - columns.start].axis("off")
    if half is None:
        _timeline_header(fig, data, windows, top=1 - 0.15 / height)
    return save_figure(fig, path, dpi=100)


def draw_timeline_header(data: FigureData, path: Path) -> Path:
    """The timeline's title and key, as a strip the width of the whole figure."""
    fig = plt.figure(figsize=(PANEL_INCHES[0] * TIMELINE_COLUMNS, 0.9))
    _timeline_header(fig, data, _windows(data), top=0.85)
    return save_figure(fig, path, dpi=100)


def _timeline_header(fig, data: FigureData, windows: dict, top: float) -> None:
    """Title and key at `top` (a fraction of the figure's height); the key just below the title."""
    key = [Line2D([], [], color="tab:blue", label="recorded quantity (its unit on the y axis)")]
    if windows:
        key += [Patch(color="tab:green", alpha=0.3, label="calibration window (targets/mouse_bmp2.toml, met in 2-D)"),
                Line2D([], [], color="tab:green", linestyle="--", label="the run's day for that window")]
    fig.text(0.5, top, f"{data.scenario} ({data.species}, {data.grid.ndim}-D): every recorded quantity over time; "
             "panel titles give the cascade step (1-18, as in docs/model.md) and the quantity", ha="center",
             va="top", fontsize=11)
    inch = 1.0 / fig.get_figheight()
    fig.legend(handles=key, loc="upper center", bbox_to_anchor=(0.5, top - 0.3 * inch), ncol=len(key), fontsize=9,
               frameon=False)


def _readable(values: np.ndarray, unit: str, volume_mm3: float) -> tuple[np.ndarray, str]:
    """Values and unit for a reader: totals in cells, pg, fmol or ug; an oxygen total as the domain mean."""
    if unit == "mmHg mm3":
        return values / volume_mm3, "mmHg"
    factor, readable = READABLE_UNITS.get(unit, (1.0, unit))
    return values * factor, readable


def _plane(field: np.ndarray, ndim: int) -> np.ndarray:
    """The (y, x) plane shown: the field itself in 2-D, the middle z slice in 3-D."""
    return field[field.shape[0] // 2] if ndim == 3 else field


def _unit_label(names) -> str:
    unit = UNITS[names[0]]
    return unit if unit != "volume fraction" else "volume fraction (0-1)"


def draw_lesion(data: FigureData, path: Path) -> Path:
    """The trigger fields, brown fat, oxygen, vessels, progenitors, cartilage and bone (rows) from day 0
    to the end (columns), on the section through the lesion, with the skeleton, injection site and nerve
    outlined and a scale bar."""
    ds = data.dataset
    grid = data.grid
    days = list(ds["snapshot_day"].values)
    rows = [(t, names, cmap) for t, names, cmap in LESION_ROWS if all(f"{n}_field" in ds for n in names)]
    fig, axes = plt.subplots(len(rows), len(days), figsize=(1.75 * len(days) + 2.0, 1.75 * len(rows) + 0.9),
                             squeeze=False, layout="constrained")
    x, y = ds["x"].values, ds["y"].values
    extent = (x[0] - 0.5 * grid.spacing_um, x[-1] + 0.5 * grid.spacing_um,
              y[-1] + 0.5 * grid.spacing_um, y[0] - 0.5 * grid.spacing_um)
    outlines = [(_plane(grid.region(r), 3), colour, style, label) for r, colour, style, label in OUTLINES
                if r in grid.regions]
    for r, (title, names, cmap) in enumerate(rows):
        stack = sum(ds[f"{n}_field"].values for n in names)
        vmax = float(np.max(stack)) or 1.0
        for c, day in enumerate(days):
            ax = axes[r, c]
            image = ax.imshow(_plane(stack[c], grid.ndim), cmap=cmap, vmin=float(np.min(stack)), vmax=vmax,
                              extent=extent)
            for mask, colour, style, _ in outlines:
                ax.contour(mask, levels=[0.5], colors=colour, linestyles=style, linewidths=0.7, extent=extent,
                           origin="upper")
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(f"day {day:g}", fontsize=10)
            if c == 0:
                ax.set_ylabel(title, fontsize=10)
        bar = fig.colorbar(image, ax=axes[r, :].tolist(), shrink=0.9, pad=0.01)
        bar.set_label(_unit_label(names), fontsize=8)
    corner = axes[0, 0]  # a scale bar in the first panel
    x0 = extent[0] + 0.12 * (extent[1] - extent[0])
    y0 = extent[2] - 0.12 * (extent[2] - extent[3])
    bar = max([b for b in SCALE_BARS_UM if b <= 0.25 * (extent[1] - extent[0])], default=SCALE_BARS_UM[0])
    corner.plot([x0, x0 + bar], [y0, y0], color="black", linewidth=2.5, solid_capstyle="butt")
    corner.text(x0 + bar / 2, y0 - 0.04 * (extent[2] - extent[3]), f"{bar / 1000:g} mm",
                ha="center", va="bottom", fontsize=8)
    key = [Line2D([], [], color=colour, linestyle=style, label=label) for _, colour, style, label in outlines]
    fig.legend(handles=key, loc="outside lower center", ncol=len(key), fontsize=9, frameon=False)
    section = "the middle section of the 3-D grid" if grid.ndim == 3 else "the section"
    fig.suptitle(f"{data.scenario} ({data.species}): the lesion over time, {section}", fontsize=11)
    return save_figure(fig, path, dpi=90)


DRAWINGS = {"timeline": draw_timeline, "timeline_header": draw_timeline_header, "lesion": draw_lesion,
            "course": draw_course, "sections": draw_sections}
