"""Where a result came from: hosim's version and commit, when, by which command, on which platform."""

from __future__ import annotations

import functools
import platform
import shlex
import subprocess
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from hosim import __version__


@functools.cache
def git_commit() -> str | None:
    """The commit of the source tree hosim runs from (with "-dirty" if it has uncommitted changes), or
    None when hosim was installed from a package rather than run from a git checkout."""
    tree = Path(__file__).resolve().parents[3]
    if not (tree / ".git").exists():
        return None
    try:
        head = subprocess.run(["git", "-C", str(tree), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(tree), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}-dirty" if dirty else head


def provenance(command: Sequence[str] | None = None) -> dict:
    """A plain record for summary.json and result.nc; command: the command line (None from Python)."""
    return {
        "hosim_version": __version__,
        "commit": git_commit(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": shlex.join(command) if command else f"python: {Path(sys.argv[0]).name or 'interactive'}",
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
