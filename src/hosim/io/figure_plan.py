"""What a run's figures read and which drawings make them: the figure data handed to a painter (or drawn
in line) and the plan of drawings, each run by hosim.io.figures.DRAWINGS. Imports no drawing code, so the
painters (hosim.io.painters) and the drawings (hosim.io.figures, hosim.io.patient_figures) both read it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hosim.engine.grid import Grid


@dataclass(frozen=True)
class FigureData:
    """What the figures read from a run: plain and picklable, so a painter can be handed it."""

    scenario: str
    species: str
    metrics: dict
    dataset: object  # xarray.Dataset
    grid: Grid
    voxel_volume_mm3: float
    slab_thickness_um: float | None = None
    patient: dict | None = None  # a patient run's course, imaging, grade and stages

    @classmethod
    def of(cls, result) -> FigureData:
        setup = result.setup
        return cls(result.scenario, setup.species, dict(result.metrics), result.dataset, setup.grid,
                   setup.voxel_volume_mm3, setup.slab_thickness_um, result.patient)


@dataclass(frozen=True)
class Job:
    """One drawing: hosim.io.figures.DRAWINGS[name](data, path, **options); cost: rough relative time."""

    name: str
    path: Path
    cost: float
    options: dict = field(default_factory=dict)


def plan_figures(data: FigureData, folder: Path, parts: bool = False) -> list[Job]:
    """The drawings of this run's figures: the timeline whole, or (parts) a header and two halves that
    stitch_timeline joins; the lesion figure for 2-D and 3-D runs."""
    if parts:
        jobs = [Job("timeline_header", timeline_part(folder, "header"), 0.2)]
        jobs += [Job("timeline", timeline_part(folder, half), 1.0, {"half": half}) for half in (0, 1)]
    else:
        jobs = [Job("timeline", folder / "timeline.png", 2.0)]
    if data.grid.ndim >= 2 and data.dataset.sizes.get("snapshot_day", 0):
        jobs.append(Job("lesion", folder / "lesion.png", 3.0))
    if data.patient:
        jobs.append(Job("course", folder / "course.png", 0.5))
        if data.patient.get("grade"):
            jobs.append(Job("sections", folder / "sections.png", 1.0))
    return jobs


def timeline_part(folder: Path, which) -> Path:
    """Where a painter leaves one part of the timeline (which: "header", 0 or 1) for stitch_timeline."""
    return folder / f".timeline-{which}.npy"
