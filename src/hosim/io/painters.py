"""Painters: forked processes that draw a run's figures on the other cores.

Forked before a run, a painter loads matplotlib while the run computes; handed the run's figure data, it
draws its share of the figures while the parent writes summary.json and result.nc. The timeline is drawn
as a header and two halves by different painters and stitched here. Where fork is not available
(Windows, macOS's default) the figures are drawn in line, one after the other.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from hosim.files import write_atomic
from hosim.io.figure_plan import FigureData, Job, plan_figures, timeline_part


def stitch_timeline(folder: Path) -> Path:
    """Join the header and the two halves (raw RGBA pixels, so nothing is encoded twice) into
    figures/timeline.png, and remove the parts."""
    from PIL import Image

    parts = [timeline_part(folder, which) for which in ("header", 0, 1)]
    header, left, right = (np.load(path) for path in parts)
    sheet = np.vstack([header, np.hstack([left, right])])
    path = folder / "timeline.png"
    write_atomic(path, lambda tmp: Image.fromarray(sheet[..., :3]).save(tmp, format="png", compress_level=3))
    for part in parts:
        part.unlink()
    return path


class Painters:
    """`count` forked painter processes (none where fork is unavailable); use as a context manager.

    One painter is forked and loads matplotlib while the run computes; it then forks the others, which
    start with matplotlib loaded, so the run shares its cores with one import, not `count`."""

    def __init__(self, count: int = 2):
        self.connections: list = []
        self.leader: multiprocessing.Process | None = None
        if count < 1 or "fork" not in multiprocessing.get_all_start_methods():
            return
        fork = multiprocessing.get_context("fork")
        pipes = [fork.Pipe() for _ in range(count)]
        self.leader = fork.Process(target=_lead, args=([theirs for _, theirs in pipes],), daemon=True)
        self.leader.start()
        for ours, theirs in pipes:
            theirs.close()
            self.connections.append(ours)

    def __enter__(self) -> Painters:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Let the painters go (and stop the leader if it hangs; the others end when their pipe does)."""
        for connection in self.connections:
            try:
                connection.send(None)
            except OSError:
                pass
            connection.close()
        if self.leader is not None:
            self.leader.join(timeout=10)
            if self.leader.is_alive():
                self.leader.terminate()
        self.connections, self.leader = [], None

    @contextmanager
    def drawing(self, result, folder: Path) -> Iterator[None]:
        """Draw the run's figures into `folder` while the block runs; when it ends they are all written.
        If a painter is gone or fails, the figures are drawn in line instead (a real error then shows)."""
        if not self.connections:
            yield
            from hosim.io.figures import write_figures

            write_figures(result, folder)
            return
        folder.mkdir(parents=True, exist_ok=True)
        data = FigureData.of(result)
        jobs = plan_figures(data, folder, parts=True)
        shares: list[list[Job]] = [[] for _ in self.connections]
        for job in sorted(jobs, key=lambda j: -j.cost):  # the longest first, each to the least loaded painter
            min(shares, key=lambda share: sum(j.cost for j in share)).append(job)
        busy = [(connection, share) for connection, share in zip(self.connections, shares) if share]
        try:
            for connection, share in busy:
                connection.send((data, share))
        except OSError:  # a painter is gone (it could not start): draw in line instead
            self.close()
            yield
            from hosim.io.figures import write_figures

            write_figures(result, folder)
            return
        try:
            yield
        finally:
            errors = []
            for connection, _ in busy:
                try:
                    answer = connection.recv()
                except (EOFError, OSError):
                    answer = "a painter process died"
                if answer is not None:
                    errors.append(answer)
        if errors:
            self.close()
            for part in folder.glob(".timeline-*"):
                part.unlink()
            from hosim.io.figures import write_figures

            write_figures(result, folder)
            return
        stitch_timeline(folder)


def _lead(connections: list) -> None:
    """The first painter: load matplotlib, fork the other painters from itself, then serve its own pipe."""
    from hosim.io import figures  # noqa: F401 (matplotlib and the drawings, loaded once for all painters)

    for connection in connections[1:]:
        if os.fork() == 0:
            for other in connections:
                if other is not connection:
                    other.close()
            _serve(connection)
        connection.close()
    _serve(connections[0])


def _serve(connection) -> None:
    """A painter: draw each share of figures it is handed; never returns."""
    try:
        from hosim.io.figures import DRAWINGS

        while (message := connection.recv()) is not None:
            data, share = message
            try:
                for job in share:
                    DRAWINGS[job.name](data, job.path, **job.options)
            except Exception as exc:  # reported by the parent, which owns the terminal
                connection.send(f"{type(exc).__name__}: {exc}")
            else:
                connection.send(None)
    except (EOFError, OSError, KeyboardInterrupt):
        pass
    finally:
        os._exit(0)
