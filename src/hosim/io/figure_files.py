"""Saving a figure: atomically (whole or absent), or as raw pixels for a figure stitched together later."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from hosim.files import write_atomic  # noqa: E402


def save_figure(fig, path: Path, **savefig) -> Path:
    """Save a figure atomically (whole or absent) and release it; a .npy path gets the raw RGBA pixels
    (a part of a figure that is stitched together later)."""
    try:
        if path.suffix == ".npy":
            fig.set_dpi(savefig.get("dpi", fig.get_dpi()))
            fig.canvas.draw()
            np.save(path, np.asarray(fig.canvas.buffer_rgba()))
        else:
            write_atomic(path, lambda tmp: fig.savefig(tmp, format=path.suffix.lstrip(".") or "png", **savefig))
    finally:
        plt.close(fig)
    return path
