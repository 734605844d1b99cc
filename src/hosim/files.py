"""Shared output plumbing: the one atomic writer (its home is hosim.engine.files, the lowest layer, which
the engine's checkpoints use too) and JSON that understands numpy numbers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from hosim.engine.files import sync_folder, write_atomic, write_bytes, write_text


def plain(value):
    """json.dumps `default`: numpy scalars and arrays as Python numbers and lists."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def to_json(data, indent: int | None = 2) -> str:
    """JSON text (numpy numbers allowed), ending in a newline when indented."""
    return json.dumps(data, indent=indent, default=plain) + ("\n" if indent is not None else "")


def write_json(path: str | os.PathLike, data) -> Path:
    """Write `data` as indented JSON, atomically."""
    return write_text(path, to_json(data))


__all__ = ["plain", "sync_folder", "to_json", "write_atomic", "write_bytes", "write_json", "write_text"]
