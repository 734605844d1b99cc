"""Brooker and Della Valle grading on synthetic hips of every grade, the 1 cm edge included."""

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from hosim.cli import app
from hosim.clinical.grading import FEMUR, HETEROTOPIC, PELVIS, grade_mask, hastings_graham, load_mask
from hosim.errors import InputError

runner = CliRunner()


def hip(rows=80, cols=60, joint_gap_px=4):
    """Pelvis above, femur below, separated by a native joint space of ``joint_gap_px`` rows."""
    mask = np.zeros((rows, cols), dtype=np.uint8)
    mask[:30, :] = PELVIS
    mask[30 + joint_gap_px:, 20:40] = FEMUR  # a femoral shaft, narrower than the pelvis
    return mask


def pelvic_spur(mask, column, tip_row):
    """A one-pixel-wide spur hanging from the pelvis (rows 30..tip_row) at ``column``."""
    mask[30:tip_row + 1, column] = HETEROTOPIC
    return mask


def far_hip():
    """A hip whose femur starts 40 rows below the pelvis, so spurs can leave measured gaps."""
    mask = np.zeros((100, 60), dtype=np.uint8)
    mask[:30, :] = PELVIS
    mask[70:, :] = FEMUR
    return mask


def test_no_heterotopic_bone_is_grade_0_even_with_a_narrow_native_joint_space():
    grade = grade_mask(hip(joint_gap_px=2), 1.0)
    assert (grade.brooker, grade.della_valle) == ("0", "A")
    assert grade.min_gap_mm is None and grade.islands == grade.spurs == 0 and grade.heterotopic_area_mm2 == 0


def test_a_small_island_is_brooker_I_and_della_valle_A():
    mask = hip()
    mask[50:53, 5:8] = HETEROTOPIC  # 3 x 3 px, away from both bones
    grade = grade_mask(mask, 1.0)
    assert (grade.brooker, grade.della_valle, grade.islands, grade.spurs) == ("I", "A", 1, 0)
    assert grade.heterotopic_area_mm2 == 9.0


@pytest.mark.parametrize("length_px, expected", [(9, "A"), (10, "B")])
def test_island_length_decides_della_valle_at_exactly_1_cm(length_px, expected):
    mask = hip()
    mask[60, 2:2 + length_px] = HETEROTOPIC  # a horizontal island, 1 px = 1 mm
    grade = grade_mask(mask, 1.0)
    assert grade.brooker == "I" and grade.della_valle == expected
    assert grade.longest_island_mm == pytest.approx(length_px)


@pytest.mark.parametrize(
    "spacing, gap_px, brooker, della_valle",
    [
        (1.0, 10, "II", "B"),  # exactly 1 cm of soft tissue left
        (1.0, 9, "III", "C"),
        (1.0, 11, "II", "B"),
        (0.5, 20, "II", "B"),  # exactly 1 cm at another spacing
        (0.5, 19, "III", "C"),
        (0.1, 100, "II", "B"),  # 100 x 0.1 is not exactly 10.0 in floating point
    ],
)
def test_spur_gap_at_the_1_cm_edge(spacing, gap_px, brooker, della_valle):
    rows = 30 + 5 + gap_px + 10
    mask = np.zeros((rows, 30), dtype=np.uint8)
    mask[:30, :] = PELVIS
    mask[30:35, 10] = HETEROTOPIC  # a 5 px spur
    mask[35 + gap_px:, :] = FEMUR
    grade = grade_mask(mask, spacing)
    assert grade.min_gap_mm == pytest.approx(gap_px * spacing)
    assert (grade.brooker, grade.della_valle, grade.spurs, grade.islands) == (brooker, della_valle, 1, 0)


def test_the_native_joint_space_is_not_the_gap():
    mask = hip(joint_gap_px=3)  # pelvis and femur 3 mm apart at the joint
    mask[30:33, 2] = HETEROTOPIC  # a short spur far from the femur
    grade = grade_mask(mask, 1.0)
    assert grade.brooker == "II" and grade.min_gap_mm > 10


def test_opposing_spurs_measure_the_gap_between_their_tips():
    mask = far_hip()
    mask[30:45, 30] = HETEROTOPIC  # pelvic spur, tip at row 44
    mask[52:70, 30] = HETEROTOPIC  # femoral spur, tip at row 52
    grade = grade_mask(mask, 1.0)
    assert grade.min_gap_mm == pytest.approx(7.0)  # rows 45..51 are soft tissue
    assert (grade.brooker, grade.spurs) == ("III", 2)


def test_the_gap_is_euclidean_across_a_diagonal():
    mask = far_hip()
    mask[30:50, 10] = HETEROTOPIC  # pelvic spur, tip (49, 10)
    mask[62:70, 16] = HETEROTOPIC  # femoral spur, tip (62, 16)
    grade = grade_mask(mask, 1.0)
    assert grade.min_gap_mm == pytest.approx(math.hypot(62 - 49, 16 - 10) - 1.0)


def test_a_bridge_is_apparent_ankylosis():
    mask = pelvic_spur(hip(), 25, 40)  # reaches the femur (rows 34+, columns 20-39)
    grade = grade_mask(mask, 1.0)
    assert (grade.brooker, grade.della_valle, grade.min_gap_mm) == ("IV", "C", 0.0)


def test_an_elbow_reads_the_same_geometry_as_hastings_graham():
    """Humerus as label 1, forearm as label 2: a bridge is class III (ankylosis); bone without a bridge is
    I-II (the range of motion, which an image does not hold, tells I from II); none is 0."""
    assert hastings_graham(grade_mask(hip(), 1.0)) == "0"
    assert hastings_graham(grade_mask(pelvic_spur(far_hip(), 25, 40), 1.0)) == "I-II"
    island = far_hip()
    island[50:53, 5:8] = HETEROTOPIC
    assert hastings_graham(grade_mask(island, 1.0)) == "I-II"
    assert hastings_graham(grade_mask(pelvic_spur(hip(), 25, 40), 1.0)) == "III"


def test_a_corner_contact_counts_as_a_bridge():
    mask = far_hip()
    mask[30:69, 30] = HETEROTOPIC
    mask[69, 30] = 0
    mask[69, 31] = HETEROTOPIC  # touches the femur only through a corner at (70, 30)
    assert grade_mask(mask, 1.0).brooker == "IV"


def test_counts_and_area_add_up():
    mask = far_hip()
    mask[30:35, 5] = HETEROTOPIC  # spur, 5 px
    mask[50, 20:23] = HETEROTOPIC  # island, 3 px
    mask[55:57, 40:42] = HETEROTOPIC  # island, 4 px
    grade = grade_mask(mask, 2.0)
    assert (grade.islands, grade.spurs) == (2, 1)
    assert grade.heterotopic_area_mm2 == pytest.approx(12 * 4.0)
    assert grade.brooker == "II"  # the spur leaves 34 px = 68 mm


def test_a_volume_is_projected_front_to_back_like_a_radiograph():
    image = pelvic_spur(hip(), 10, 36)
    volume = np.zeros((5, *image.shape), dtype=np.int16)
    volume[:, image == PELVIS] = PELVIS
    volume[:, image == FEMUR] = FEMUR
    volume[2][image == HETEROTOPIC] = HETEROTOPIC  # the spur lies in one slice only
    volume[4, 60, 30] = HETEROTOPIC  # in front of the femur: shows over it on the film, as a spur
    flat = grade_mask(image, 0.5)
    grade = grade_mask(volume, 0.5)
    assert (grade.brooker, grade.min_gap_mm) == (flat.brooker, flat.min_gap_mm)
    assert grade.heterotopic_volume_mm3 == pytest.approx((7 + 1) * 0.5**3)
    assert grade.spurs == 2 and "heterotopic_volume_mm3" in grade.to_json()


@pytest.mark.parametrize(
    "mask, spacing, words",
    [
        (np.zeros(5), 1.0, ["2-D image or a 3-D volume"]),
        (np.full((4, 4), 5), 1.0, ["[5]", "3 heterotopic bone"]),
        (np.full((4, 4), 0.5), 1.0, ["whole-number"]),
        (np.ones((4, 4), dtype=int), 1.0, ["no femur"]),
        (hip(), 0.0, ["--spacing-mm", "[0.001, 10]"]),
        (hip(), float("nan"), ["--spacing-mm", "nan"]),
        (hip().astype(str), 1.0, ["integer labels"]),
    ],
)
def test_bad_masks_are_refused_with_the_reason(mask, spacing, words):
    with pytest.raises(InputError) as info:
        grade_mask(mask, spacing)
    for word in words:
        assert word in str(info.value)


def test_a_file_that_is_not_npy_is_refused(tmp_path):
    path = tmp_path / "mask.npy"
    path.write_text("not numpy")
    with pytest.raises(InputError, match="not a .npy file"):
        load_mask(path)


def test_grade_command_prints_the_documented_json(tmp_path):
    path = tmp_path / "hip.npy"
    np.save(path, pelvic_spur(hip(), 10, 40))
    result = runner.invoke(app, ["grade", str(path), "--spacing-mm", "0.5", "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document) == {"brooker", "della_valle", "min_gap_mm", "islands", "spurs", "heterotopic_area_mm2"}
    assert document["brooker"] in ("0", "I", "II", "III", "IV") and document["della_valle"] in ("A", "B", "C")


def test_grade_command_refuses_a_bad_spacing_with_exit_2(tmp_path):
    path = tmp_path / "hip.npy"
    np.save(path, hip())
    result = runner.invoke(app, ["grade", str(path), "--spacing-mm", "-1"])
    assert result.exit_code == 2 and "--spacing-mm must lie in" in result.stderr


def test_a_large_image_is_graded_within_a_few_times_its_own_size():
    """A 4000 x 4000 label image (16 MB): the grading's temporaries stay within 3x the image."""
    import tracemalloc

    n = 4000
    mask = np.zeros((n, n), np.int8)
    mask[: n // 3], mask[2 * n // 3 :, n // 5 : 4 * n // 5] = PELVIS, FEMUR
    mask[n // 3 : n // 3 + 200, n // 2 : n // 2 + 100] = HETEROTOPIC  # a spur on the pelvis
    mask[n // 2 : n // 2 + 50, 100:150] = HETEROTOPIC  # an island
    tracemalloc.start()
    grade = grade_mask(mask, 0.05)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert grade.brooker == "II" and grade.islands == 1 and grade.spurs == 1
    assert grade.min_gap_mm == pytest.approx((2 * n // 3 - (n // 3 + 200)) * 0.05)
    assert peak < 3 * mask.nbytes, f"{peak / mask.nbytes:.1f}x the image"
