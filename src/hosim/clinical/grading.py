"""Brooker grade and Della Valle class of a hip from a labelled image (docs/clinical.md).

Labels: 0 soft tissue, 1 pelvis, 2 femur, 3 heterotopic bone. A 3-D volume (axis 0 running
front to back) is first projected like an anteroposterior radiograph. Components are
8-connected (touching at a corner counts, as on a film). A heterotopic component touching
neither pelvis nor femur is an island; one touching one of them is a spur; one touching both
is a bridge (apparent ankylosis). The gap is the soft tissue left between a spur and the
opposing bone: the Euclidean distance between the nearest pixel centres of the pelvic side
(pelvis and its spurs) and the femoral side (femur and its spurs), taken only where one end is
heterotopic bone (the native joint space is not HO), minus one pixel, because each surface lies
half a pixel from its pixel centre. Along a row or column this is the number of soft-tissue
pixels times the spacing, so a 1 cm gap is exactly 1 cm.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import ndimage
from scipy.spatial import ConvexHull
from scipy.spatial.distance import pdist

from hosim.checks import check_number
from hosim.clinical.evidence import evidence_row
from hosim.errors import InputError

SOFT_TISSUE, PELVIS, FEMUR, HETEROTOPIC = 0, 1, 2, 3
LABELS = {SOFT_TISSUE: "soft tissue", PELVIS: "pelvis", FEMUR: "femur", HETEROTOPIC: "heterotopic bone"}
CONNECTIVITY = np.ones((3, 3), dtype=bool)
NPY_MAGIC = b"\x93NUMPY"
TIE_MM = 1e-9  # gaps within this of the threshold count as reaching it (floating point)
SPACING_RANGE_MM = (1e-3, 10.0)  # pixel sizes a hip image can have: a model grid (1 um) to a coarse CT


@dataclass(frozen=True)
class Grade:
    """The grading of one image, in the units a radiologist would report."""

    brooker: str
    della_valle: str
    min_gap_mm: float | None
    islands: int
    spurs: int
    heterotopic_area_mm2: float
    heterotopic_volume_mm3: float | None
    longest_island_mm: float | None
    evidence: tuple[str, ...] = ("brooker_gap", "della_valle_island")

    def to_json(self) -> dict:
        """The `hosim grade --json` document (volume only for 3-D input)."""
        document = {
            "brooker": self.brooker,
            "della_valle": self.della_valle,
            "min_gap_mm": None if self.min_gap_mm is None else round(self.min_gap_mm, 4),
            "islands": self.islands,
            "spurs": self.spurs,
            "heterotopic_area_mm2": round(self.heterotopic_area_mm2, 4),
        }
        if self.heterotopic_volume_mm3 is not None:
            document["heterotopic_volume_mm3"] = round(self.heterotopic_volume_mm3, 4)
        return document


def load_mask(path: str | Path) -> np.ndarray:
    """Read a label image from a .npy file; anything unreadable is an InputError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"mask file not found: {path}")
    with path.open("rb") as handle:
        magic = handle.read(len(NPY_MAGIC))
    if magic != NPY_MAGIC:
        raise InputError(f"{path} is not a .npy file (no NumPy header); save the label image with numpy.save")
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise InputError(f"cannot read {path} as a label image: {exc}") from None


def _labels(mask: np.ndarray) -> np.ndarray:
    """Check the array is a 2-D or 3-D image of labels 0-3 and return it as integers."""
    mask = np.asarray(mask)
    if mask.ndim not in (2, 3):
        raise InputError(f"mask must be a 2-D image or a 3-D volume, got {mask.ndim} dimensions {mask.shape}")
    if mask.size == 0:
        raise InputError(f"mask is empty (shape {mask.shape})")
    if mask.dtype.kind == "f":
        if not np.all(np.isfinite(mask)) or not np.all(mask == np.round(mask)):
            raise InputError("mask must hold whole-number labels; found fractional or non-finite values")
    elif mask.dtype.kind not in "biu":
        raise InputError(f"mask must hold integer labels, got dtype {mask.dtype}")
    labels = mask.astype(np.int64)
    bad = sorted(set(np.unique(labels).tolist()) - set(LABELS))
    if bad:
        allowed = ", ".join(f"{k} {v}" for k, v in LABELS.items())
        raise InputError(f"mask has labels {bad[:10]} that are not allowed; allowed: {allowed}")
    return labels


def project_front_to_back(volume: np.ndarray) -> np.ndarray:
    """A radiograph-like 2-D label image: along each ray, heterotopic bone shows over femur over pelvis."""
    return volume.max(axis=0)


def _longest_extent_mm(coords: np.ndarray, spacing_mm: float) -> float:
    """Longest edge-to-edge extent of a pixel set (maximum Feret diameter plus one pixel)."""
    points = coords.astype(float) * spacing_mm
    if len(points) > 3:
        points = points[ConvexHull(points, qhull_options="QJ").vertices]
    longest = float(pdist(points).max()) if len(points) > 1 else 0.0
    return longest + spacing_mm


def _gap_mm(pelvic_side: np.ndarray, femoral_side: np.ndarray, pelvic_spurs: np.ndarray,
            femoral_spurs: np.ndarray, spacing_mm: float) -> float:
    """Soft tissue left between a spur and the opposing bone, in mm (see module docstring)."""
    candidates = []
    if pelvic_spurs.any():
        to_femoral = ndimage.distance_transform_edt(~femoral_side, sampling=spacing_mm)
        candidates.append(to_femoral[pelvic_spurs].min())
    if femoral_spurs.any():
        to_pelvic = ndimage.distance_transform_edt(~pelvic_side, sampling=spacing_mm)
        candidates.append(to_pelvic[femoral_spurs].min())
    return max(float(min(candidates)) - spacing_mm, 0.0)


def grade_mask(mask: np.ndarray, spacing_mm: float) -> Grade:
    """Brooker grade, Della Valle class, gap, islands, spurs and HO area of a hip label image."""
    spacing_mm = check_number("--spacing-mm", spacing_mm, *SPACING_RANGE_MM, "mm per pixel",
                              "from a model grid's 0.001 mm to a coarse CT's 10 mm")
    labels = _labels(mask)
    volume_mm3 = None
    if labels.ndim == 3:
        volume_mm3 = float(np.count_nonzero(labels == HETEROTOPIC)) * spacing_mm**3
        labels = project_front_to_back(labels)
    pelvis, femur, heterotopic = labels == PELVIS, labels == FEMUR, labels == HETEROTOPIC
    for name, present in (("pelvis (label 1)", pelvis), ("femur (label 2)", femur)):
        if not present.any():
            raise InputError(f"mask has no {name}; grading needs both pelvis and femur")

    components, count = ndimage.label(heterotopic, structure=CONNECTIVITY)
    near_pelvis = set(np.unique(components[ndimage.binary_dilation(pelvis, CONNECTIVITY) & heterotopic]))
    near_femur = set(np.unique(components[ndimage.binary_dilation(femur, CONNECTIVITY) & heterotopic]))
    ids = set(range(1, count + 1))
    bridges = near_pelvis & near_femur
    pelvic_only, femoral_only = near_pelvis - bridges, near_femur - bridges
    island_ids = sorted(ids - near_pelvis - near_femur)

    gap_threshold = evidence_row("brooker_gap").require_value()
    island_threshold = evidence_row("della_valle_island").require_value()
    boxes = ndimage.find_objects(components)
    longest_island = max(
        (_longest_extent_mm(np.argwhere(components[boxes[i - 1]] == i), spacing_mm) for i in island_ids),
        default=None,
    )
    gap = None
    if bridges:
        gap = 0.0
    elif pelvic_only or femoral_only:
        pelvic_spurs = np.isin(components, sorted(pelvic_only))
        femoral_spurs = np.isin(components, sorted(femoral_only))
        gap = _gap_mm(pelvis | pelvic_spurs, femur | femoral_spurs, pelvic_spurs, femoral_spurs, spacing_mm)

    wide_gap = gap is not None and gap >= gap_threshold - TIE_MM
    if bridges:
        brooker, della_valle = "IV", "C"
    elif gap is not None:
        brooker = "II" if wide_gap else "III"
        della_valle = "B" if wide_gap else "C"
    else:
        brooker = "I" if island_ids else "0"
        della_valle = "B" if longest_island is not None and longest_island >= island_threshold - TIE_MM else "A"
    return Grade(
        brooker=brooker,
        della_valle=della_valle,
        min_gap_mm=gap,
        islands=len(island_ids),
        spurs=len(near_pelvis | near_femur),
        heterotopic_area_mm2=float(np.count_nonzero(heterotopic)) * spacing_mm**2,
        heterotopic_volume_mm3=volume_mm3,
        longest_island_mm=longest_island,
    )
