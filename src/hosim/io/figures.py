"""Figures of a run: the timeline of every cascade step on one page, and the lesion in space and time."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from hosim.files import write_atomic  # noqa: E402
from hosim.scenarios.observables import OBSERVABLES  # noqa: E402

CASCADE_STEP_NAMES = {
    1: "trigger",
    2: "neurogenic inflammation",
    3: "barrier opening",
    4: "endoneurial signalling",
    5: "exit and circulation",
    6: "sympathetic arm",
    7: "hypoxia",
    8: "chondrogenesis",
    9: "angiogenesis",
    10: "extravasation",
    11: "bone formation",
    12: "tissue loss",
    13: "resolution and maturation",
    14: "orthotopic route",
}

# Rows of the lesion figure: (title, variables summed, colour map).
LESION_ROWS = (
    ("bone", ("bone_woven", "bone_mature"), "bone"),
    ("cartilage", ("cartilage",), "Blues"),
    ("tBAT", ("tbat",), "Oranges"),
    ("oxygen (mmHg)", ("oxygen",), "RdYlBu"),
    ("vessels", ("vessels",), "Reds"),
    ("progenitors", ("tissue_progenitors",), "Greens"),
)



def save_figure(fig, path: Path, **savefig) -> Path:
    """Save a figure atomically (whole or absent) and release it."""
    try:
        write_atomic(path, lambda tmp: fig.savefig(tmp, format=path.suffix.lstrip(".") or "png", **savefig))
    finally:
        plt.close(fig)
    return path


def write_figures(result, folder: Path) -> list[Path]:
    """Draw every figure this run supports into `folder`; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [draw_timeline(result, folder / "timeline.png")]
    if result.setup.grid.ndim >= 2 and result.dataset.sizes.get("snapshot_day", 0):
        paths.append(draw_lesion(result, folder / "lesion.png"))
    return paths


def _cascade_step_curves(dataset, cascade_step: int) -> dict[str, np.ndarray]:
    """The recorded observables that belong to a cascade step (the registry says which)."""
    names = [n for n, spec in OBSERVABLES.items() if spec.cascade_step == cascade_step]
    return {n: dataset[n].values for n in names if n in dataset}


def draw_timeline(result, path: Path) -> Path:
    """One panel per cascade step; each curve scaled to its own maximum so timing can be compared."""
    ds = result.dataset
    days = ds["time"].values
    fig, axes = plt.subplots(4, 4, figsize=(16, 12), sharex=True)
    for cascade_step, ax in zip(range(1, 15), axes.flat):
        for name, values in _cascade_step_curves(ds, cascade_step).items():
            peak = np.nanmax(np.abs(values)) if values.size else 0.0
            ax.plot(days, values / peak if peak > 0 else values, label=name.removesuffix("_total"))
        ax.set_title(f"{cascade_step}. {CASCADE_STEP_NAMES[cascade_step]}", fontsize=10)
        ax.set_ylim(-0.05, 1.1)
        ax.legend(fontsize=6, loc="best")
        ax.grid(alpha=0.3)
    keys = sorted(result.metrics)
    half = (len(keys) + 1) // 2
    for ax, part in zip(axes.flat[14:], (keys[:half], keys[half:])):
        _metrics_panel(ax, {k: result.metrics[k] for k in part})
    for ax in axes[-1]:
        ax.set_xlabel("day after trigger")
    for ax in axes[:, 0]:
        ax.set_ylabel("relative to own peak")
    fig.suptitle(f"{result.scenario}: the cascade step by step ({result.setup.grid.ndim}-D)")
    fig.tight_layout()
    return save_figure(fig, path, dpi=110)


def _metrics_panel(ax, metrics: dict) -> None:
    """A spare panel lists metrics as text."""
    ax.axis("off")
    lines = [f"{k}: {'n/a' if v is None else f'{v:.3g}'}" for k, v in metrics.items()]
    ax.text(0, 1, "\n".join(lines), va="top", fontsize=7, family="monospace")


def _plane(field: np.ndarray, ndim: int) -> np.ndarray:
    """The (y, x) plane shown: the field itself in 2-D, the middle z slice in 3-D."""
    return field[field.shape[0] // 2] if ndim == 3 else field


def draw_lesion(result, path: Path) -> Path:
    """Bone, cartilage, tBAT, oxygen, vessels and progenitors (rows) at the snapshot days (columns)."""
    ds = result.dataset
    grid = result.setup.grid
    days = [d for d in ds["snapshot_day"].values if d > 0] or list(ds["snapshot_day"].values)
    rows = [(t, names, cmap) for t, names, cmap in LESION_ROWS if all(f"{n}_field" in ds for n in names)]
    fig, axes = plt.subplots(
        len(rows), len(days), figsize=(1.9 * len(days) + 1.2, 1.9 * len(rows) + 0.6), squeeze=False, layout="constrained"
    )
    extent = None
    if "x" in ds.coords:
        x, y = ds["x"].values / 1000.0, ds["y"].values / 1000.0
        extent = (x[0], x[-1], y[-1], y[0])
    outlines = {r: _plane(grid.region(r), 3) for r in ("skeleton", "nerve") if r in grid.regions}
    for r, (title, names, cmap) in enumerate(rows):
        stack = sum(ds[f"{n}_field"].sel(snapshot_day=days).values for n in names)
        vmin, vmax = float(np.min(stack)), float(np.max(stack))
        for c, day in enumerate(days):
            ax = axes[r, c]
            im = ax.imshow(_plane(stack[c], grid.ndim), cmap=cmap, vmin=vmin, vmax=vmax or 1.0, extent=extent)
            for region, mask in outlines.items():
                ax.contour(mask, levels=[0.5], colors="c" if region == "skeleton" else "m", linewidths=0.6, extent=extent, origin="upper")
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(f"day {day:g}")
            if c == 0:
                ax.set_ylabel(title)
        fig.colorbar(im, ax=axes[r, :].tolist(), shrink=0.9, pad=0.01)
    fig.suptitle(f"{result.scenario}: the lesion over time (cyan: skeleton edge, magenta: nerve; mm)")
    return save_figure(fig, path, dpi=100)
