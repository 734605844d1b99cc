"""The adult human hip as an anteroposterior (coronal) section, on 0-D or 2-D grids.

Coordinates in mm from the centre of the femoral head; x runs lateral, y superior (a right hip as on a
radiograph, flipped so that lateral is to the right). The section holds the pelvis (iliac wing with the
iliacus and pelvic cavity medial to it, acetabular roof and the medial wall with the pubic and ischial
rami below), the femur (head, neck at 130 degrees to the
shaft, greater and lesser trochanters, shaft), the joint capsule (dense connective tissue, the model's
"tendon"), muscle everywhere else (abductors above the greater trochanter, adductors and vasti below), and
two nerves projected into the plane as vertical strips: the femoral nerve medially and the sciatic nerve
behind the femur. After an arthroplasty the femoral head and neck above the osteotomy are replaced by a
stem, neck and head of metal and the acetabulum by a cup; implants hold no cells and no periosteum but are
drawn as the bone they replace, so that the section can be graded like a radiograph (pelvic side: pelvis
and cup; femoral side: femur and stem).

A voxel is about 2 mm; layers thinner than a voxel (periosteum, perineurium, the 250 um orthotopic band)
take their thickness over the spacing as the voxel's fraction, so the cells they hold do not depend on the
grid. In 0-D one well-mixed compartment holds the injured zone with its capsule, in their section areas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from hosim.scenarios.human_section import MM, Frame, Nerve, tissue_regions



@dataclass(frozen=True)
class Hip:
    """Sizes in mm (adult; Noble 1988 Clin Orthop 235:148 and Rubin 1992 JBJS Br 74:28 for the femur)."""

    left: float = -70.0
    right: float = 90.0
    bottom: float = -130.0
    top: float = 60.0
    head_radius: float = 24.0
    joint_space: float = 3.0
    cup_wall: float = 14.0
    neck_shaft_angle_deg: float = 130.0
    neck_width: float = 32.0
    shaft_x: float = 45.0
    shaft_width: float = 30.0
    capsule: float = 5.0
    periosteum_um: float = 100.0
    slab_thickness_mm: float = 60.0  # the depth of the capsule and the surgical field a 2-D section stands for
    nerve_top: float = -62.0
    # arthroplasty
    implant_head_radius: float = 16.0
    osteotomy_from_head: float = 30.0  # along the neck axis, from the head centre
    stem_width: float = 14.0

    @property
    def frame(self) -> Frame:
        return Frame(self.left, self.right, self.bottom, self.top, self.slab_thickness_mm)

    @property
    def nerves(self) -> list[Nerve]:
        """The femoral nerve medially and the sciatic nerve behind the femur, below the joint."""
        return [Nerve(-52.0, 1.5, self.bottom, self.nerve_top), Nerve(12.0, 3.0, self.bottom, self.nerve_top)]

    @property
    def neck_axis(self) -> np.ndarray:
        """Unit vector from the head centre down the neck (lateral and inferior)."""
        angle = np.deg2rad(self.neck_shaft_angle_deg - 90.0)
        return np.array([np.cos(angle), -np.sin(angle)])

    @property
    def neck_length(self) -> float:
        """From the head centre to the shaft axis, along the neck."""
        return self.shaft_x / self.neck_axis[0]


def _neck(g: Hip, X: np.ndarray, Y: np.ndarray, start: float = 0.0) -> np.ndarray:
    u = g.neck_axis
    along = X * u[0] + Y * u[1]
    across = np.abs(-X * u[1] + Y * u[0])
    return (along >= start) & (along <= g.neck_length) & (across <= 0.5 * g.neck_width)


def _native_femur(g: Hip, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r = np.hypot(X, Y)
    shaft = (np.abs(X - g.shaft_x) <= 0.5 * g.shaft_width) & (Y <= -25.0)
    greater = (X >= g.shaft_x - 5.0) & (X <= g.shaft_x + 20.0) & (Y <= -8.0) & (Y >= -50.0)
    lesser = (X >= g.shaft_x - 0.5 * g.shaft_width - 8.0) & (X < g.shaft_x) & (Y <= -62.0) & (Y >= -74.0)
    return (r <= g.head_radius) | _neck(g, X, Y) | shaft | greater | lesser


def _pelvis(g: Hip, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r = np.hypot(X, Y)
    socket = g.head_radius + g.joint_space
    roof = (r >= socket) & (r <= socket + g.cup_wall) & (Y >= -0.35 * r) & (X <= 34.0)
    ilium = (Y >= 8.0) & (X <= 34.0 + 0.3 * (Y - 8.0)) & (X >= -40.0 + 0.5 * (Y - 8.0)) & (r >= socket)
    medial = (X <= -socket) & (X >= g.left) & (Y >= -58.0) & (Y <= 8.0)
    ramus = (X <= -socket - 6.0) & (Y < -58.0) & (Y >= -72.0)
    return roof | ilium | medial | ramus


def hip_section(g: Hip, h_um: float, arthroplasty: bool) -> dict[str, np.ndarray]:
    """Every region of the section (float fractions shaped (1, ny, nx)), the injured zone left empty."""
    h = h_um / MM
    X, Y = g.frame.coordinates(h)
    femur = _native_femur(g, X, Y)
    pelvis = _pelvis(g, X, Y)
    implant = np.zeros_like(femur)
    if arthroplasty:
        resected = (np.hypot(X, Y) <= g.head_radius) | (_neck(g, X, Y) & (X * g.neck_axis[0] + Y * g.neck_axis[1]
                                                                         < g.osteotomy_from_head))
        femur &= ~resected
        r = np.hypot(X, Y)
        cup = (r <= g.head_radius + g.joint_space) & (Y >= -0.35 * r)  # shell and liner, on the head
        head = r <= g.implant_head_radius
        u = g.neck_axis
        across = np.abs(-X * u[1] + Y * u[0])
        along = X * u[0] + Y * u[1]
        taper = (across <= 6.0) & (along >= 0) & (along <= g.neck_length)
        stem = (np.abs(X - g.shaft_x) <= 0.5 * g.stem_width) & (Y <= -30.0) & (Y >= -120.0)
        pelvis |= cup
        implant = cup | head | taper | stem
        femur |= head | taper | stem
    bone = femur | pelvis
    joint = ndimage.distance_transform_edt(~(femur | (np.hypot(X, Y) <= g.head_radius)), sampling=h)
    capsule = (joint <= g.capsule) & (X <= g.shaft_x - 0.5 * g.shaft_width + 8.0) & (Y >= -60.0) & \
        (np.hypot(X, Y) <= g.head_radius + g.joint_space + g.cup_wall + 6.0)
    regions = tissue_regions(bone, implant, capsule, g.nerves, X, Y, h_um, g.periosteum_um)
    regions.update(pelvis=pelvis * 1.0, femur=femur * 1.0)
    return {k: v[None].astype(np.float64) for k, v in regions.items()}
