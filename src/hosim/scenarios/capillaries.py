"""The resting capillary bed of perfused soft tissue, on any grid."""

from __future__ import annotations

import numpy as np

CAPILLARY_DOMAIN_UM = 50.0  # cells draw on the capillaries within about this distance (Krogh cylinder)


def capillary_bed(regions: dict[str, np.ndarray], dims: int, h: float, density_mm2: float, radius_um: float,
                  tendon_vascularity: float, rng: np.random.Generator) -> np.ndarray:
    """Resting capillary volume fraction: none in cortical bone, a fraction `tendon_vascularity` of muscle's
    in tendon. Capillaries run along z with the muscle fibres; their number per cross-section is random
    (Poisson, from `rng`) and is averaged over the ~50 um a capillary supplies, so the bed is patchy but has
    no voxel-scale holes. 0-D: the mean."""
    perfused = 1.0 - regions["skeleton"] - (1.0 - tendon_vascularity) * regions["tendon"]
    per_capillary = np.pi * radius_um**2
    if dims == 0:
        return perfused * density_mm2 * 1e-6 * per_capillary
    from scipy.ndimage import gaussian_filter  # only grids with space need it

    shape = perfused.shape
    counts = rng.poisson(density_mm2 * 1e-6 * h * h, size=shape[1:]).astype(np.float64)
    smooth = gaussian_filter(counts, sigma=CAPILLARY_DOMAIN_UM / h, mode="nearest")
    return perfused * np.broadcast_to(smooth * per_capillary / (h * h), shape)
