"""The targets files shipped with hosim (package copies of the project's shared calibration sets, unchanged):
mouse_bmp2 (the AdBMP2 calibration and knockout bounds) and mouse_injury (injuries without injected BMP2).
One loader for every layer that reads them."""

from __future__ import annotations

import tomllib
from importlib import resources

from hosim.errors import InputError

TARGET_SETS = ("mouse_bmp2", "mouse_injury")


def load_targets(name: str = "mouse_bmp2") -> dict:
    """The targets set `name` as a plain dict, read afresh (callers may change their copy)."""
    if name not in TARGET_SETS:
        raise InputError(f"unknown targets set {name!r}; allowed: {', '.join(TARGET_SETS)}")
    return tomllib.loads(resources.files("hosim.data").joinpath("targets").joinpath(f"{name}.toml")
                         .read_text(encoding="utf-8"))
