"""Output files of the clinical commands: checked before any work (hosim.files writes them whole)."""

from __future__ import annotations

from pathlib import Path

from hosim.errors import InputError


def check_output_path(path: str | Path, option: str) -> Path:
    """Fail early, before anything is computed or written, if ``path`` cannot receive a file."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{option} {path} is a directory; give a file name")
    if not path.parent.is_dir():
        raise InputError(f"{option} {path}: folder {path.parent} does not exist")
    return path
