"""The one atomic writer every output of hosim goes through (standard library only, so any layer may use it).

A file appears whole or not at all: it is written to a temporary file beside its destination, flushed to
disk, renamed over the destination, and the folder entry is flushed too, so a crash or a kill at any
moment leaves either the old file or the new one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

_UMASK = os.umask(0)  # read the process's umask (the only way is to set it) and put it back at once
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK  # what open() would give a new file; mkstemp's own 0600 would hide results


def write_atomic(path: str | os.PathLike, write: Callable[[Path], object]) -> Path:
    """Call write(tmp) to fill a temporary file beside `path`, then fsync it and rename it over `path`.

    The temporary file is hidden and ends in .tmp (a folder listing of *.json never sees it), so writers
    must not choose their format by the file's suffix (pass it explicitly).
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, FILE_MODE)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)
    return path


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write bytes atomically."""
    return write_atomic(path, lambda tmp: tmp.write_bytes(data))


def sync_folder(folder: str | os.PathLike) -> None:
    """Flush a folder's entries (renames into it) to disk; a no-op where the platform cannot."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
