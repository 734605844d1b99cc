"""Background work of the web app: a bounded queue of jobs, each run in its own process so a page stays
responsive and a job can be cancelled by stopping its process; live progress through shared memory."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINISHED = (DONE, FAILED, CANCELLED)
ERROR_FILE = ".error"  # the one line a failed job leaves for the page (never a traceback)


class UnknownJob(LookupError):
    """No such job (or no such file of a job) on this server: a 404, not bad input."""


class QueueFull(Exception):
    """The queue holds as many unfinished jobs as it may; the user should wait or cancel one."""


@dataclass
class Job:
    """One background job: what was asked, where its files go, and how far it has got."""

    id: str
    kind: str  # "run", "cohort" or "trial"
    title: str
    spec: dict  # plain data the worker runs (checked before the job was queued)
    folder: Path
    progress: object  # a shared array (done, total) the worker writes
    status: str = QUEUED
    message: str = ""
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    process: multiprocessing.Process | None = None

    def files(self) -> list[str]:
        """The job's result files, relative to its folder (all that may be downloaded): its top-level files
        and figures; none until it is done."""
        if self.status != DONE:
            return []
        try:
            top = sorted(p for p in self.folder.iterdir() if p.is_file() and not p.name.startswith("."))
        except FileNotFoundError:  # the queue has just let the job go
            return []
        return [str(p.relative_to(self.folder)) for p in [*top, *sorted((self.folder / "figures").glob("*.png"))]]

    def file(self, name: str) -> Path:
        """The path of one of `files()`; any other name (a path outside the folder included) is unknown."""
        if name not in self.files():
            raise UnknownJob(f"job {self.id} has no file {name[:80]!r}" + ("" if self.status == DONE else " yet"))
        return self.folder / name

    def summary(self) -> dict | None:
        """The job's summary.json, once it is done."""
        if self.status != DONE:
            return None
        try:
            return json.loads((self.folder / "summary.json").read_text(encoding="utf-8"))
        except FileNotFoundError:  # a run that wrote none, or a job the queue has just let go
            return None

    def to_json(self) -> dict:
        done, total = self.progress[:]
        return {"id": self.id, "kind": self.kind, "title": self.title, "status": self.status,
                "message": self.message, "progress": {"done": int(done), "total": int(total)},
                "created": self.created, "started": self.started, "finished": self.finished,
                "spec": self.spec, "files": self.files(), "summary": self.summary()}


class Jobs:
    """The queue: at most `max_jobs` unfinished jobs, `workers` of them running at once; the newest
    `keep` finished jobs are kept (with their files), older ones removed."""

    def __init__(self, folder: Path, worker, *, workers: int = 1, max_jobs: int = 8, keep: int = 20,
                 poll_s: float = 0.2):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.worker = worker  # worker(kind, spec, folder, progress): a top-level function (spawned processes)
        self.workers, self.max_jobs, self.keep, self.poll_s = workers, max_jobs, keep, poll_s
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._context = multiprocessing.get_context("spawn")  # never fork a server's threads
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._dispatch, name="hosim-jobs", daemon=True)
        self._thread.start()

    def submit(self, kind: str, title: str, spec: dict) -> Job:
        """Queue a checked job; QueueFull when the queue is at its limit."""
        with self._lock:
            waiting = sum(job.status not in FINISHED for job in self._jobs.values())
            if waiting >= self.max_jobs:
                raise QueueFull(f"the queue already holds {waiting} unfinished jobs (at most {self.max_jobs}); "
                                "wait for one to finish or cancel one")
            job_id = uuid.uuid4().hex
            folder = self.folder / job_id
            folder.mkdir()
            job = Job(job_id, kind, title, spec, folder, self._context.Array("d", 2, lock=False))
            self._jobs[job_id] = job
        return job

    def get(self, job_id: str) -> Job:
        """The job with this id; UnknownJob if there is none."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise UnknownJob(f"no job {job_id[:40]!r} on this server")
        return job

    def all(self) -> list[Job]:
        with self._lock:
            return sorted(self._jobs.values(), key=lambda job: job.created, reverse=True)

    def cancel(self, job_id: str) -> Job:
        """Stop a queued or running job (its partial files are removed); a finished job stays as it is. The
        queue is not held while the job's processes stop."""
        job = self.get(job_id)
        with self._lock:
            if job.status in FINISHED:
                return job
            process = job.process
            self._finish(job, CANCELLED, "cancelled")
        if process is not None:
            _stop_group(process)
        shutil.rmtree(job.folder, ignore_errors=True)
        return job

    def close(self) -> None:
        """Stop the dispatcher and every running job (the server is shutting down)."""
        self._stop.set()
        self._thread.join(5)
        for job in self.all():
            if job.status not in FINISHED:
                self.cancel(job.id)

    # ------------------------------------------------------------------ the dispatcher thread
    def _dispatch(self) -> None:
        while not self._stop.wait(self.poll_s):
            try:
                self._step()
            except Exception:  # the queue must outlive any one failure; the log says what happened
                traceback.print_exc()

    def _step(self) -> None:
        """Collect finished processes, start queued jobs in the free slots, let the oldest finished go."""
        with self._lock:
            running = [job for job in self._jobs.values() if job.status == RUNNING]
            for job in running:
                self._check(job)
            free = self.workers - sum(job.status == RUNNING for job in self._jobs.values())
            queued = sorted((job for job in self._jobs.values() if job.status == QUEUED), key=lambda j: j.created)
            for job in queued[:max(free, 0)]:
                try:
                    self._start(job)
                except (OSError, RuntimeError) as exc:  # no process could be made: the job fails, the queue goes on
                    self._finish(job, FAILED, f"the job could not start ({exc.__class__.__name__})")
            self._forget_old()

    def _start(self, job: Job) -> None:
        job.process = self._context.Process(target=self.worker, args=(job.kind, job.spec, str(job.folder), job.progress),
                                            name=f"hosim-{job.kind}-{job.id[:8]}")
        job.process.start()
        job.status, job.started = RUNNING, time.time()

    def _check(self, job: Job) -> None:
        process = job.process
        if process is None or process.is_alive():
            return
        process.join()
        if process.exitcode == 0:
            self._finish(job, DONE, "")
            return
        error = job.folder / ERROR_FILE
        message = error.read_text(encoding="utf-8").strip() if error.is_file() else ""
        self._finish(job, FAILED, message or f"the job stopped unexpectedly (exit code {process.exitcode})")

    @staticmethod
    def _finish(job: Job, status: str, message: str) -> None:
        job.status, job.message, job.finished, job.process = status, message, time.time(), None

    def _forget_old(self) -> None:
        finished = sorted((job for job in self._jobs.values() if job.status in FINISHED),
                          key=lambda job: job.finished or 0.0, reverse=True)
        for job in finished[self.keep:]:
            shutil.rmtree(job.folder, ignore_errors=True)
            del self._jobs[job.id]


def _stop_group(process: multiprocessing.Process) -> None:
    """Stop a job's process and its helpers (the painters it forked lead no group of their own)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        process.terminate()  # it has not made its group yet
    process.join(10)
    if process.is_alive():
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            process.kill()
        process.join()
