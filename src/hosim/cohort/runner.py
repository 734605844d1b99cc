"""Run many cases of `hosim.simulate` in parallel, saving each finished case so an interrupted batch resumes.

A case is plain data (scenario, interventions, scenario parameters, run options); running it is a pure
call of `hosim.simulate` that returns its metrics. Each finished case is written atomically to
FOLDER/cases/<case>.json together with its spec (including the model's fingerprint, hosim.fingerprint);
a later run with the same spec reuses the file instead of recomputing it. Cases run on a local
process pool (spawned workers, each with its share of the cores) or on a Dask client.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import as_completed as local_as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from hosim.analysis.measures import MEASURES, compute_measures, extra_keys
from hosim.errors import InputError, SimulationError
from hosim.files import write_json
from hosim.fingerprint import model_fingerprint
from hosim.scenarios.spec import RunSpec

SAFE_NAME = set("abcdefghijklmnopqrstuvwxyz0123456789-_.")


@dataclass(frozen=True)
class Case:
    """One run of an experiment: scenario, interventions (specs as `hosim run -i` gives them), parameters."""

    name: str
    scenario: str
    interventions: tuple = ()
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        if not self.name or not set(self.name) <= SAFE_NAME:
            raise ValueError(f"case name {self.name!r} must be lower-case letters, digits, '-', '_' or '.'")


def case_spec(case: Case, options: dict, model: str) -> dict:
    """Everything that decides a case's result (what a saved case must match to be reused): the case's
    run specification, checked (its plain data, which the worker runs, and its key), the model's
    fingerprint and the measures recorded."""
    params = dict(case.params)
    run = RunSpec.parse(case.scenario, case.interventions, **options, parameters=params.pop("parameters", None),
                        options=params)
    return {"run": run.inputs(), "key": run.key(), "model": model, "measures": list(MEASURES)}


def run_case(spec: dict) -> dict:
    """Run one case spec; returns its metrics, extra measures and resolved interventions (a pure function)."""
    from hosim.simulation import simulate

    started = time.perf_counter()
    result = simulate(RunSpec.parse(**spec["run"]))
    times, series = result.series()
    return {
        "metrics": result.metrics,
        "extra": compute_measures(times, series, extra_keys()),
        "interventions": result.interventions,
        "run_options": result.options,
        "wall_s": time.perf_counter() - started,
        "model": model_fingerprint(),  # of the code this process ran, compared with the batch's before saving
    }


def load_finished(path: Path, spec: dict) -> dict | None:
    """The saved outcome of a case if it exists and was run with exactly `spec`; None otherwise."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return saved if saved.get("spec") == spec else None


def _set_threads(threads: int) -> None:
    """Worker initialiser: share the cores among workers instead of every worker using all of them."""
    import numba

    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))


@dataclass
class Batch:
    """What a batch produced: outcome per case name, and which were computed now or reused from disk."""

    outcomes: dict[str, dict]
    computed: list[str]
    reused: list[str]


def run_cases(
    cases: Sequence[Case],
    folder: str | os.PathLike,
    options: dict,
    *,
    workers: int | None = None,
    client=None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Batch:
    """Run every case not already saved in FOLDER/cases (same spec), `workers` at a time, or on a Dask
    `client`; saves each as it finishes. progress(done, total, case_name) is called after each case."""
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise ValueError("case names must be unique")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}")
    out = Path(folder) / "cases"
    out.mkdir(parents=True, exist_ok=True)
    model = model_fingerprint()
    specs = {c.name: case_spec(c, options, model) for c in cases}
    outcomes, reused = {}, []
    for name, spec in specs.items():
        saved = load_finished(out / f"{name}.json", spec)
        if saved is not None:
            outcomes[name] = saved
            reused.append(name)
    todo = [n for n in names if n not in outcomes]
    done = len(outcomes)
    if progress is not None:
        progress(done, len(names), "")
    failures = {}
    for name, outcome, error in _execute(todo, specs, workers, client):
        if error is None and outcome.pop("model") != model:
            error = "the model's files changed while it ran; not saved"
        if error is None:
            record = {"case": name, "spec": specs[name], **outcome}
            write_json(out / f"{name}.json", record)
            outcomes[name] = record
        else:
            failures[name] = error
        done += 1
        if progress is not None:
            progress(done, len(names), name)
    if failures:
        listed = "; ".join(f"{n}: {e}" for n, e in failures.items())
        raise SimulationError(f"{len(failures)} case(s) failed (the others are saved; re-run to retry): {listed}")
    return Batch({n: outcomes[n] for n in names}, [n for n in names if n not in reused], reused)


def _execute(todo: list[str], specs: dict, workers: int | None, client, task: Callable[[dict], dict] = run_case):
    """Yield (name, outcome, error) as tasks finish (task(spec) for each name: a case by default), on a Dask
    client or a local process pool."""
    if not todo:
        return
    if client is not None:
        from distributed import as_completed

        futures = {client.submit(task, specs[n], key=f"hosim-{n}-{time.time_ns()}"): n for n in todo}
        for future in as_completed(futures):
            yield _outcome(futures[future], future)
        return
    workers = min(workers or os.cpu_count() or 1, len(todo))
    threads = max(1, (os.cpu_count() or 1) // workers)
    pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_set_threads, initargs=(threads,))
    try:
        futures = {pool.submit(task, specs[n]): n for n in todo}
        for future in local_as_completed(futures):
            yield _outcome(futures[future], future)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)  # interrupted: queued cases are dropped, saved ones stay
        raise
    pool.shutdown(wait=True)


def _outcome(name: str, future):
    try:
        return name, future.result(), None
    except (InputError, SimulationError) as exc:
        return name, None, str(exc)


def execute_tasks(specs: dict[str, dict], task: Callable[[dict], dict], workers: int | None = None, client=None):
    """Yield (name, outcome, error) for each named spec as task(spec) finishes, `workers` processes at a time
    or on a Dask `client` (the same pool rules as experiment cases)."""
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}")
    yield from _execute(list(specs), specs, workers, client, task)


__all__ = [
    "Batch", "Case", "case_spec", "execute_tasks", "load_finished", "run_case", "run_cases",
]
