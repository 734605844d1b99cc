"""Brooker grade and Della Valle class of a hip from a labelled image (docs/clinical.md), and the same
geometry read as an elbow's radiographic class (hastings_graham: humerus as label 1, ulna and radius as 2).

Labels: 0 soft tissue, 1 pelvis, 2 femur, 3 heterotopic bone. A 3-D volume (axis 0 running
front to back) is first projected like an anteroposterior radiograph. Files: .npy (the caller
gives the pixel size) or NIfTI (.nii, .nii.gz: the header gives pixel size and orientation).
Components are 8-connected (touching at a corner counts, as on a film). A heterotopic component
touching neither pelvis nor femur is an island; one touching one of them is a spur; one touching both
is a bridge (apparent ankylosis). The gap is the soft tissue left between a spur and the
opposing bone: the Euclidean distance between the nearest pixel centres of the pelvic side
(pelvis and its spurs) and the femoral side (femur and its spurs), taken only where one end is
heterotopic bone (the native joint space is not HO), minus one pixel, because each surface lies
half a pixel from its pixel centre. Along a row or column this is the number of soft-tissue
pixels times the spacing, so a 1 cm gap is exactly 1 cm.
"""

from __future__ import annotations

import logging
import math
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import ndimage
from scipy.spatial import ConvexHull, cKDTree
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
CHUNK_PIXELS = 2**22  # pixels per band of rows when scanning a whole image (bounded temporary memory)
NIFTI_SUFFIXES = (".nii", ".nii.gz")
MM_PER_UNIT_CODE = {0: 1.0, 1: 1000.0, 2: 1.0, 3: 1e-3}  # NIfTI units: unknown (mm, as in ITK), m, mm, um
SPACING_RTOL = 1e-3  # sizes this close count as equal (square pixels, --spacing-mm agreeing with a header)


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

    @property
    def bridged(self) -> bool:
        """Heterotopic bone joins the two sides of the joint (apparent ankylosis)."""
        return self.brooker == "IV"

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


def _existing(path: str | Path) -> Path:
    """The path, checked first so that a missing file gets the same message whatever its format."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"mask file not found: {path}")
    return path


def load_mask(path: str | Path) -> np.ndarray:
    """Read a label image from a .npy file; anything unreadable is an InputError naming the file."""
    path = _existing(path)
    with path.open("rb") as handle:
        magic = handle.read(len(NPY_MAGIC))
    if magic != NPY_MAGIC:
        raise InputError(f"{path} is not a .npy file (no NumPy header); save the label image with numpy.save, "
                         f"or give a NIfTI file ({', '.join(NIFTI_SUFFIXES)})")
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise InputError(f"cannot read {path} as a label image: {exc}") from None


@dataclass(frozen=True)
class NiftiMask:
    """A NIfTI label image laid out as grade_mask expects, with the pixel sizes its header states."""

    labels: np.ndarray
    spacing_mm: float
    depth_mm: float | None  # front-to-back voxel size of a volume; None for a 2-D image


@contextmanager
def _reading_nifti(path: Path):
    """nibabel kept quiet (it logs header repairs to stderr) and its errors, the decompressor's
    included, turned into one InputError line naming the file."""
    from nibabel.filebasedimages import ImageFileError
    from nibabel.spatialimages import HeaderDataError

    logger = logging.getLogger("nibabel.global")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    except (ImageFileError, HeaderDataError, OSError, EOFError, ValueError, zlib.error) as exc:
        raise InputError(f"cannot read {path} as a NIfTI file: {' '.join(str(exc).split())}") from None
    finally:
        logger.setLevel(level)


def _header_sizes_mm(header, path: Path) -> np.ndarray:
    """Voxel sizes of the spatial axes in mm, as the file states them. The header is read unchecked
    because nibabel silently repairs a zero or negative size, which must be refused instead. Sizes are
    float32 in NIfTI-1: the shortest decimal giving the stored value is the one meant (0.04, not
    0.0399999991), which keeps a gap of exactly 1 cm exactly 1 cm."""
    code = int(header["xyzt_units"]) % 8
    if code not in MM_PER_UNIT_CODE:
        raise InputError(f"{path}'s header has spatial unit code {code}; NIfTI allows 0 (unknown, read as mm), "
                         "1 meter, 2 mm, 3 micron")
    return np.array([float(str(z)) * MM_PER_UNIT_CODE[code] for z in header.get_zooms()[:3]])


def _pixel_size_mm(sizes: np.ndarray, plane: list[int], names: str, path: Path) -> float:
    """The graded plane's pixel size. Sizes out of range are refused, and so are non-square pixels: the
    gap and island length are Euclidean distances in one pixel size, and resampling labels (nearest
    neighbour) is a choice for the user to make, not for the grader."""
    low, high = SPACING_RANGE_MM
    if not all(low <= size <= high for size in sizes):
        raise InputError(f"{path}'s header gives voxel sizes {[float(f'{v:.6g}') for v in sizes]} mm; each must "
                         f"lie in [{low:g}, {high:g}] mm")
    first, second = sizes[plane]
    if not math.isclose(first, second, rel_tol=SPACING_RTOL):
        raise InputError(f"{path} has {first:g} x {second:g} mm pixels in the graded plane ({names}); grading "
                         "needs square pixels: resample the labels (nearest neighbour) to one in-plane size first")
    return float(sizes[plane].mean())


def load_nifti(path: str | Path) -> NiftiMask:
    """Read a NIfTI label image. A volume is reoriented to RAS+ (as nibabel.as_closest_canonical does)
    and laid out (posterior->anterior, superior->inferior, right->left), so that grade_mask projects it
    along the anterior-posterior axis and its rows and columns are those of an AP film as it is
    viewed. An image with one slice (or a 2-D file) is graded as it is stored, like a radiograph."""
    import nibabel
    from nibabel.openers import ImageOpener

    path = _existing(path)
    with _reading_nifti(path):
        image = nibabel.load(path)
        if not isinstance(image, nibabel.Nifti1Image):  # NIfTI-2 is a subclass; CIFTI is not
            raise InputError(f"{path} is a {type(image).__name__}, not a NIfTI label image")
        with ImageOpener(path) as handle:
            header = type(image.header).from_fileobj(handle, check=False)
    shape = image.shape
    if math.prod(shape[3:]) != 1:
        raise InputError(f"{path} holds {math.prod(shape[3:])} volumes (shape {shape}); grade one label volume")
    spatial, sizes = shape[:3], _header_sizes_mm(header, path)
    kept = [axis for axis, n in enumerate(spatial) if n > 1]
    if len(kept) < 2:
        raise InputError(f"{path} holds a {shape} array; grading needs a 2-D image or a 3-D volume")
    if len(kept) == 3:
        orientation = nibabel.io_orientation(image.affine)
        sizes = sizes[np.argsort(orientation[:, 0])]  # in RAS+ axis order
        spacing_mm = _pixel_size_mm(sizes, [0, 2], "left-right x superior-inferior", path)
        depth_mm = float(sizes[1])
    else:
        spacing_mm, depth_mm = _pixel_size_mm(sizes[kept], [0, 1], "the image's two axes", path), None
    with _reading_nifti(path):
        data = np.asanyarray(image.dataobj).reshape(spatial)
    if len(kept) == 3:
        data = np.transpose(nibabel.apply_orientation(data, orientation), (1, 2, 0))[:, ::-1, ::-1]
    else:
        data = data.reshape([spatial[axis] for axis in kept])
    return NiftiMask(np.ascontiguousarray(data), spacing_mm, depth_mm)


def grade_file(path: str | Path, spacing_mm: float | None = None) -> Grade:
    """Grade a .npy or NIfTI label file. A .npy file holds no pixel size, so spacing_mm is required for
    it; a NIfTI header states its own, and a spacing_mm that disagrees is refused, not preferred, since
    one of the two is wrong and the grade depends on it."""
    path = Path(path)
    if not path.name.lower().endswith(NIFTI_SUFFIXES):
        if spacing_mm is None:
            raise InputError(f"--spacing-mm is required for {path.name}: a .npy file holds no pixel size "
                             f"(a NIfTI file's header gives it)")
        return grade_mask(load_mask(path), spacing_mm)
    mask = load_nifti(path)
    if spacing_mm is not None and not math.isclose(spacing_mm, mask.spacing_mm, rel_tol=SPACING_RTOL):
        raise InputError(f"--spacing-mm {spacing_mm:g} disagrees with the {mask.spacing_mm:g} mm pixel size in "
                         f"{path.name}'s header; leave --spacing-mm out for a NIfTI file")
    return grade_mask(mask.labels, mask.spacing_mm, mask.depth_mm)


def _row_bands(rows: int, width: int):
    """Slices of whole rows holding about CHUNK_PIXELS pixels each (bounded temporaries)."""
    step = max(1, CHUNK_PIXELS // max(width, 1))
    return [slice(r, min(r + step, rows)) for r in range(0, rows, step)]


def _labels(mask: np.ndarray) -> np.ndarray:
    """Check the array is a 2-D or 3-D image of labels 0-3 and return it as uint8 (no copy when it
    already is one byte per pixel); the check runs over bands of rows, so it needs little memory."""
    mask = np.asarray(mask)
    if mask.ndim not in (2, 3):
        raise InputError(f"mask must be a 2-D image or a 3-D volume, got {mask.ndim} dimensions {mask.shape}")
    if mask.size == 0:
        raise InputError(f"mask is empty (shape {mask.shape})")
    if mask.dtype.kind not in "biuf":
        raise InputError(f"mask must hold integer labels, got dtype {mask.dtype}")
    flat = mask.reshape(-1, mask.shape[-1])
    bad: set = set()
    for band in _row_bands(*flat.shape):
        chunk = flat[band]
        if mask.dtype.kind == "f" and not (np.all(np.isfinite(chunk)) and np.all(chunk == np.round(chunk))):
            raise InputError("mask must hold whole-number labels; found fractional or non-finite values")
        outside = (chunk < 0) | (chunk > max(LABELS))
        if outside.any():
            bad |= set(np.unique(chunk[outside]).astype(np.int64).tolist())
    if bad:
        allowed = ", ".join(f"{k} {v}" for k, v in LABELS.items())
        raise InputError(f"mask has labels {sorted(bad)[:10]} that are not allowed; allowed: {allowed}")
    if mask.dtype == np.uint8:
        return mask
    if mask.dtype.itemsize == 1:
        return mask.view(np.uint8)
    return mask.astype(np.uint8)


def _present(labels: np.ndarray, value: int) -> bool:
    return any(np.any(labels[band] == value) for band in _row_bands(*labels.shape))


def _boundary_points(labels: np.ndarray, value: int) -> np.ndarray:
    """Row, column of the pixels of one label that touch another label (4-neighbours or the image edge):
    the nearest pixel of a region to anything outside it is always one of these."""
    rows = labels.shape[0]
    points = []
    for band in _row_bands(*labels.shape):
        top, bottom = max(band.start - 1, 0), min(band.stop + 1, rows)
        inside = labels[top:bottom] == value
        core = ndimage.binary_erosion(inside, border_value=0)
        edge = (inside & ~core)[band.start - top: band.stop - top]
        found = np.argwhere(edge).astype(np.int32)
        found[:, 0] += band.start
        points.append(found)
    return np.concatenate(points) if points else np.zeros((0, 2), np.int32)


def _nearest_mm(sources: np.ndarray, targets: np.ndarray, spacing_mm: float) -> float:
    """Smallest distance between the pixel centres of two point sets, in mm."""
    distances, _ = cKDTree(targets).query(sources, k=1)
    return float(np.min(distances)) * spacing_mm


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


def _gap_mm(labels: np.ndarray, pelvic_spurs: np.ndarray, femoral_spurs: np.ndarray, spacing_mm: float) -> float:
    """Soft tissue left between a spur and the opposing bone, in mm (see module docstring). Spurs are
    (row, column) points; the opposing side is its bone's boundary pixels plus its own spurs."""
    candidates = []
    if len(pelvic_spurs):
        femoral_side = np.concatenate([_boundary_points(labels, FEMUR), femoral_spurs])
        candidates.append(_nearest_mm(pelvic_spurs, femoral_side, spacing_mm))
    if len(femoral_spurs):
        pelvic_side = np.concatenate([_boundary_points(labels, PELVIS), pelvic_spurs])
        candidates.append(_nearest_mm(femoral_spurs, pelvic_side, spacing_mm))
    return max(min(candidates) - spacing_mm, 0.0)


def grade_mask(mask: np.ndarray, spacing_mm: float, depth_mm: float | None = None) -> Grade:
    """Brooker grade, Della Valle class, gap, islands, spurs and HO area of a hip label image.
    depth_mm: a volume's voxel size along axis 0 (front to back) when it differs from the pixel size;
    it only scales the HO volume, since the projection removes that axis."""
    spacing_mm = check_number("--spacing-mm", spacing_mm, *SPACING_RANGE_MM, "mm per pixel",
                              "from a model grid's 0.001 mm to a coarse CT's 10 mm")
    depth_mm = spacing_mm if depth_mm is None else check_number("depth_mm", depth_mm, *SPACING_RANGE_MM, "mm")
    labels = _labels(mask)
    volume_mm3 = None
    if labels.ndim == 3:
        volume_mm3 = float(sum(np.count_nonzero(labels[k] == HETEROTOPIC) for k in range(labels.shape[0]))) \
            * spacing_mm**2 * depth_mm
        labels = project_front_to_back(labels)
    for name, value in (("pelvis (label 1)", PELVIS), ("femur (label 2)", FEMUR)):
        if not _present(labels, value):
            raise InputError(f"mask has no {name}; grading needs both pelvis and femur")

    # Heterotopic bone and what touches it, inside its bounding box (one pixel wider): small arrays
    # even for a whole-body image.
    rows = np.flatnonzero(np.concatenate([np.any(labels[band] == HETEROTOPIC, axis=1)
                                          for band in _row_bands(*labels.shape)]))
    box = (slice(0, 1), slice(0, 1))  # no heterotopic bone: one pixel, nothing in it
    if rows.size:
        cols = np.flatnonzero(np.any(labels[rows[0]:rows[-1] + 1] == HETEROTOPIC, axis=0))
        box = (slice(max(rows[0] - 1, 0), rows[-1] + 2), slice(max(cols[0] - 1, 0), cols[-1] + 2))
    local = labels[box]
    heterotopic = local == HETEROTOPIC
    components, count = ndimage.label(heterotopic, structure=CONNECTIVITY)
    near_pelvis = set(np.unique(components[ndimage.binary_dilation(local == PELVIS, CONNECTIVITY) & heterotopic]))
    near_femur = set(np.unique(components[ndimage.binary_dilation(local == FEMUR, CONNECTIVITY) & heterotopic]))
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
        offset = np.array([box[0].start, box[1].start], dtype=np.int32)
        pelvic_spurs = np.argwhere(np.isin(components, sorted(pelvic_only))).astype(np.int32) + offset
        femoral_spurs = np.argwhere(np.isin(components, sorted(femoral_only))).astype(np.int32) + offset
        gap = _gap_mm(labels, pelvic_spurs, femoral_spurs, spacing_mm)

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
        heterotopic_area_mm2=float(np.count_nonzero(heterotopic)) * spacing_mm**2,  # all of it lies in the box
        heterotopic_volume_mm3=volume_mm3,
        longest_island_mm=longest_island,
    )


def hastings_graham(grade: Grade) -> str:
    """The radiographic part of Hastings and Graham's class of elbow HO (Hand Clin 1994;10:417): III where
    heterotopic bone bridges the joint (ankylosis), "I-II" where it shows without a bridge, "0" where none
    shows. Class I (no loss of motion) and II (motion limited) differ by the range of motion, which a
    section does not hold, so the two are not told apart."""
    if grade.bridged:
        return "III"
    return "0" if grade.brooker == "0" else "I-II"
