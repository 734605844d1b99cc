"""`hosim grade` on NIfTI label files: spacing from the header, RAS orientation, malformed files refused."""

import gzip
import json
import struct
import subprocess
import sys

import nibabel as nib
import numpy as np
import pytest
from typer.testing import CliRunner

from hosim.cli import app
from hosim.clinical.grading import (
    FEMUR,
    HETEROTOPIC,
    PELVIS,
    grade_file,
    grade_mask,
    load_nifti,
)
from hosim.errors import InputError

runner = CliRunner()
PIXDIM_OFFSET, UNITS_OFFSET = 76, 123  # byte offsets of pixdim[0] and xyzt_units in a NIfTI-1 header


def film(gap_px=250):
    """A radiograph-like hip, rows superior to inferior: pelvis, a 5 px spur, ``gap_px`` rows of soft
    tissue, femur. At 0.04 mm per pixel, 250 px is exactly the 1 cm Brooker II/III edge."""
    image = np.zeros((30 + 5 + gap_px + 10, 20), dtype=np.uint8)
    image[:30] = PELVIS
    image[30:35, 6] = HETEROTOPIC
    image[35 + gap_px:] = FEMUR
    return image


def ras_volume(image, depth=4, slice_=1):
    """A RAS+ volume (x left->right, y posterior->anterior, z inferior->superior) whose AP projection is
    ``image`` seen as a film (rows superior->inferior, columns patient's right->left): bone in every
    coronal slice, the spur in one only."""
    x_z = image[::-1, ::-1].T  # columns right->left become x left->right; rows superior-first become z
    volume = np.repeat(np.where(x_z == HETEROTOPIC, 0, x_z)[:, None, :], depth, axis=1)
    volume[:, slice_][x_z == HETEROTOPIC] = HETEROTOPIC
    return volume


def save(path, data, sizes, units="mm"):
    image = nib.Nifti1Image(data, np.diag([*sizes, 1.0]))
    image.header.set_xyzt_units(units)
    nib.save(image, path)
    return path


@pytest.mark.parametrize("name", ["hip.nii", "hip.nii.gz"])
@pytest.mark.parametrize("size, units", [(0.04, "mm"), (40.0, "micron"), (4e-5, "meter")])
def test_a_nifti_image_grades_like_the_same_npy_at_the_1_cm_edge(tmp_path, name, size, units):
    """Header sizes are float32 (0.04 is stored as 0.0399999991): read as the decimal meant, the 250 px
    gap stays exactly 1 cm, grade II, as in the .npy at 0.04 mm."""
    npy = tmp_path / "hip.npy"
    np.save(npy, film())
    nifti = save(tmp_path / name, film(), (size, size, 1.0), units)
    expected = grade_file(npy, 0.04).to_json()
    assert expected["brooker"] == "II" and expected["min_gap_mm"] == 10.0
    assert grade_file(nifti).to_json() == expected
    result = runner.invoke(app, ["grade", str(nifti), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == expected


@pytest.mark.parametrize("shape", [(50, 20), (50, 20, 1), (1, 50, 20), (50, 1, 20)])
def test_a_2d_image_or_one_slice_is_graded_as_a_radiograph(tmp_path, shape):
    image = film(gap_px=5)
    path = save(tmp_path / "film.nii", image.reshape(shape), (0.5, 0.5, 0.5))
    mask = load_nifti(path)
    assert mask.depth_mm is None and np.array_equal(mask.labels, image)
    assert grade_file(path) == grade_mask(image, 0.5)


@pytest.mark.parametrize("codes", ["RAS", "LPS", "SRP", "PIL"])
def test_a_volume_is_projected_along_its_anterior_posterior_axis_however_it_is_stored(tmp_path, codes):
    """The same anatomy stored in another axis order and direction loads as the same film-like
    layout; the front-to-back voxel size (2 mm here) only scales the volume."""
    volume, orientations = ras_volume(film(gap_px=20)), nib.orientations
    to_codes = orientations.ornt_transform(orientations.axcodes2ornt("RAS"), orientations.axcodes2ornt(codes))
    affine = np.diag([0.5, 2.0, 0.5, 1.0]) @ orientations.inv_ornt_aff(to_codes, volume.shape)
    stored = nib.Nifti1Image(nib.apply_orientation(volume, to_codes), affine)
    assert nib.aff2axcodes(stored.affine) == tuple(codes)
    nib.save(stored, tmp_path / "ct.nii.gz")
    mask = load_nifti(tmp_path / "ct.nii.gz")
    assert (mask.spacing_mm, mask.depth_mm) == (0.5, 2.0)
    assert np.array_equal(mask.labels.max(axis=0), film(gap_px=20))
    grade = grade_file(tmp_path / "ct.nii.gz")
    flat = grade_mask(film(gap_px=20), 0.5)
    assert (grade.brooker, grade.min_gap_mm, grade.spurs) == (flat.brooker, flat.min_gap_mm, 1) == ("II", 10.0, 1)
    assert grade.heterotopic_volume_mm3 == pytest.approx(5 * 0.5 * 0.5 * 2.0)


def test_spacing_mm_is_required_for_npy_and_must_agree_with_a_nifti_header(tmp_path):
    npy = tmp_path / "hip.npy"
    np.save(npy, film())
    nifti = save(tmp_path / "hip.nii", film(), (0.04, 0.04, 1.0))
    with pytest.raises(InputError, match="--spacing-mm is required for hip.npy"):
        grade_file(npy)
    assert grade_file(nifti, 0.04) == grade_file(nifti)
    with pytest.raises(InputError, match=r"--spacing-mm 0.05 disagrees with the 0.04 mm pixel size in hip.nii"):
        grade_file(nifti, 0.05)
    for args, words in (([str(npy)], "--spacing-mm is required"), ([str(nifti), "--spacing-mm", "0.05"], "disagrees")):
        result = runner.invoke(app, ["grade", *args])
        assert result.exit_code == 2 and words in result.stderr and result.stdout == ""


def _poke(path, offset, fmt, value):
    """Write one header field of an uncompressed .nii file, bypassing nibabel's own checks."""
    raw = bytearray(path.read_bytes())
    struct.pack_into(fmt, raw, offset, value)
    path.write_bytes(bytes(raw))
    return path


def _truncated_gz(tmp_path):
    """A .nii.gz cut in half: the header reads, the labels end early."""
    labels = np.random.default_rng(0).integers(0, 4, (32, 32, 32), np.uint8)  # random: compresses little
    path = save(tmp_path / "cut.nii.gz", labels, (1, 1, 1))
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


def _malformed(tmp_path, case):
    """Write one malformed file; return its path."""
    image = film(gap_px=5)
    if case == "garbage":
        (tmp_path / "bad.nii").write_bytes(b"not an image" * 40)
        return tmp_path / "bad.nii"
    if case == "not gzip":
        (tmp_path / "bad.nii.gz").write_bytes(b"not an image" * 40)
        return tmp_path / "bad.nii.gz"
    if case == "truncated gz":
        return _truncated_gz(tmp_path)
    if case == "truncated nii":
        path = save(tmp_path / "cut.nii", image, (1, 1, 1))
        path.write_bytes(path.read_bytes()[:-100])
        return path
    if case == "gzip of a truncated nii":
        path = save(tmp_path / "cut.nii", image, (1, 1, 1))
        (tmp_path / "cut.nii.gz").write_bytes(gzip.compress(path.read_bytes()[:-100]))
        return tmp_path / "cut.nii.gz"
    data = {"fractional": image * 0.5, "nan": np.where(image == 1, np.nan, image).astype(np.float32),
            "label 7": np.where(image == 1, 7, image), "two volumes": np.stack([image, image], -1)[:, :, None, :]}
    if case in data:
        return save(tmp_path / "bad.nii", data[case], (1, 1, 1))
    path = save(tmp_path / "bad.nii", image, (0.5, 0.5, 0.5))
    fields = {"zero spacing": (PIXDIM_OFFSET + 4, "<f", 0.0), "negative spacing": (PIXDIM_OFFSET + 8, "<f", -0.5),
              "spacing 20 mm": (PIXDIM_OFFSET + 4, "<f", 20.0), "non-square": (PIXDIM_OFFSET + 8, "<f", 0.6),
              "unit code 5": (UNITS_OFFSET, "<B", 5)}
    return _poke(path, *fields[case])


MALFORMED = {
    "garbage": ["bad.nii", "cannot read", "NIfTI"],
    "not gzip": ["bad.nii.gz", "cannot read", "not a gzip file"],
    "truncated gz": ["cut.nii.gz", "cannot read", "NIfTI"],
    "truncated nii": ["cut.nii", "cannot read", "damaged"],
    "gzip of a truncated nii": ["cut.nii.gz", "cannot read"],
    "fractional": ["whole-number labels"],
    "nan": ["whole-number labels", "non-finite"],
    "label 7": ["[7]", "0 soft tissue, 1 pelvis, 2 femur, 3 heterotopic bone"],
    "two volumes": ["holds 2 volumes", "one label volume"],
    "zero spacing": ["voxel sizes [0.0, 0.5]", "[0.001, 10] mm"],
    "negative spacing": ["voxel sizes [0.5, -0.5]", "[0.001, 10] mm"],
    "spacing 20 mm": ["voxel sizes [20.0, 0.5]", "[0.001, 10] mm"],
    "non-square": ["0.5 x 0.6 mm pixels", "square pixels"],
    "unit code 5": ["spatial unit code 5", "2 mm"],
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_nifti_is_one_line_exit_2_no_traceback(tmp_path, case):
    path = _malformed(tmp_path, case)
    with pytest.raises(InputError) as info:
        grade_file(path)
    result = runner.invoke(app, ["grade", str(path), "--json"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    for words in MALFORMED[case]:
        assert words in str(info.value) and words in result.stderr


@pytest.mark.parametrize("case", ["negative spacing", "truncated gz"])
def test_nibabel_logs_nothing_of_its_own_on_stderr(tmp_path, case):
    """nibabel logs (and repairs) a negative pixel size to stderr; the command must print only its line."""
    proc = subprocess.run([sys.executable, "-m", "hosim.cli", "grade", str(_malformed(tmp_path, case))],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr, proc.stderr
