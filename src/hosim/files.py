"""Shared output plumbing: the one atomic writer (its home is hosim.engine.files, the lowest layer, which
the engine's checkpoints use too), JSON that understands numpy numbers, checks that an output place can
receive files before any work starts, and a lock that keeps two runs out of one output folder."""

from __future__ import annotations

import json
import os
import socket
import tempfile
from pathlib import Path

import numpy as np

from hosim.engine.files import sync_folder, write_atomic, write_bytes, write_text
from hosim.errors import InputError

LOCK_NAME = ".hosim.lock"


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


def _probe(folder: Path, option: str, path: Path) -> None:
    """Fail unless a file can be created (and removed) in an existing folder."""
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".hosim-probe-"):
            pass
    except OSError as exc:
        raise InputError(f"{option} {path}: cannot write in {folder} ({exc.strerror or exc})") from None


def check_output_folder(path: str | os.PathLike | None, option: str = "--out") -> Path:
    """The folder a command will write into, checked before any work: a name is given, it is not a
    file, and it exists writable or can be made where its nearest existing parent is writable. Creates
    nothing."""
    if path is None or str(path).strip() == "":
        raise InputError(f"{option} must name a folder, got an empty name")
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{option} {folder} exists and is not a folder; give a folder name")
    existing = folder
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"{option} {folder}: {existing} is not a folder")
    _probe(existing, option, folder)
    return folder


def check_output_file(path: str | os.PathLike, option: str) -> Path:
    """A file a command will write, checked before any work: not a folder, in an existing writable folder."""
    if str(path).strip() == "":
        raise InputError(f"{option} must name a file, got an empty name")
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{option} {path} is a folder; give a file name")
    if path.exists() and not path.is_file():
        raise InputError(f"{option} {path} is not a regular file (a device or pipe); give a file name")
    if not path.parent.is_dir():
        raise InputError(f"{option} {path}: folder {path.parent} does not exist")
    _probe(path.parent, option, path)
    return path


def check_distinct(paths: dict[str, Path]) -> None:
    """Refuse two outputs that name the same file (one would overwrite the other)."""
    seen: dict[Path, str] = {}
    for option, path in paths.items():
        key = path.resolve()
        if key in seen:
            raise InputError(f"{seen[key]} and {option} name the same file {path}; give each its own")
        seen[key] = option


class FolderLock:
    """Holds an output folder for one command: a second command into the same folder is refused while
    the first runs. A lock left by a process that no longer exists (killed) is taken over."""

    def __init__(self, folder: Path, what: str):
        self.path = Path(folder) / LOCK_NAME
        self.what = what

    def __enter__(self) -> FolderLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        owner = f"{socket.gethostname()} {os.getpid()}"
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if self._holder_alive():
                    raise InputError(f"{self.path.parent} is in use by another hosim command "
                                     f"({self.path.read_text(errors='replace').strip()}); wait for it to finish "
                                     "or choose another output folder") from None
                self.path.unlink(missing_ok=True)  # its holder was killed
                continue
            with os.fdopen(fd, "w") as handle:
                handle.write(f"{owner} {self.what}\n")
            return self
        raise InputError(f"cannot lock {self.path.parent}; remove {self.path} if no hosim command is running")

    def __exit__(self, *exc) -> None:
        self.path.unlink(missing_ok=True)

    def _holder_alive(self) -> bool:
        """Whether the lock's process still runs (a lock from another host is assumed alive)."""
        try:
            host, pid = self.path.read_text(errors="replace").split()[:2]
            pid = int(pid)
        except (OSError, ValueError):
            return False
        if host != socket.gethostname():
            return True
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


__all__ = ["FolderLock", "check_distinct", "check_output_file", "check_output_folder", "plain", "sync_folder",
           "to_json", "write_atomic", "write_bytes", "write_json", "write_text"]
