"""The driver: steps a State to the end time, applying timed events, recording, checkpointing and reporting
progress. `run_setup` is the one place in hosim that builds a Stepper and runs it (docs/architecture.md):
single runs, batches of patients, the SBML comparison series and the tools all call it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from hosim.engine.checkpoint import Checkpoint
from hosim.engine.errors import InputError
from hosim.engine.recorder import Recorder
from hosim.engine.state import State
from hosim.engine.grid import Grid
from hosim.engine.stepper import Stepper, Transport


@dataclass(frozen=True)
class Event:
    """A change of the state at a time step (a later injury, say): action(state) runs as soon as the
    state reaches step `step` (time t0 + step * dt), before that time is recorded or checkpointed.

    Events are tied to step numbers, not to accumulated times, so a resumed run applies each one exactly
    where an uninterrupted run does (a checkpoint of step k already holds the events of step k).
    """

    step: int
    action: Callable[[State], None]


class Runnable(Protocol):
    """What run_setup needs of a run (a scenario's Setup is one): the grid and its state, how each variable
    moves, the reactions, the time step and length (days), and the events tied to step numbers."""

    grid: Grid
    state: State
    transports: Mapping[str, Transport]
    reactions: Callable
    dt: float
    days: float
    events: Sequence[Event]


def run_setup(setup: Runnable, recorder=None, checkpoint: Checkpoint | None = None,
              progress: Callable[[int, int], None] | None = None, *, dt: float | None = None,
              until: float | None = None) -> State:
    """Run a Setup's state in place to `until` (default: its length): its events, what `recorder` records
    (anything with observe(state, dt, final); a Recorder), checkpoints and progress. `dt` steps at another
    time step than the setup's (the SBML comparison series); events keep their times, at the nearest step."""
    step = setup.dt if dt is None else float(dt)
    events = setup.events if dt is None else tuple(Event(round(e.step * setup.dt / step), e.action)
                                                     for e in setup.events)
    state = setup.state
    stepper = Stepper(setup.grid, state.variables, state.compartments, setup.transports, setup.reactions, step)
    return run(stepper, state, setup.days if until is None else until, recorder, checkpoint, progress, events)


def count_steps(t_start: float, t_end: float, dt: float) -> int:
    """Whole number of steps from t_start to t_end; the span must be a multiple of dt."""
    n = round((t_end - t_start) / dt)
    if n < 0 or abs(t_start + n * dt - t_end) > 1e-9 * max(1.0, abs(t_end)):
        raise InputError(f"end time {t_end} is not a whole number of steps of {dt} day after {t_start}")
    return int(n)


def run(
    stepper: Stepper,
    state: State,
    t_end: float,
    recorder: Recorder | None = None,
    checkpoint: Checkpoint | None = None,
    progress: Callable[[int, int], None] | None = None,
    events: Sequence[Event] = (),
) -> State:
    """Advance `state` in place to `t_end` (days); resume from `checkpoint` when it exists."""
    t0 = state.t - state.step * stepper.dt
    numerics = stepper.fingerprint()
    if checkpoint is not None and checkpoint.exists():
        checkpoint.restore(state, recorder, numerics)
    nsteps = count_steps(t0, t_end, stepper.dt)
    due: dict[int, list[Event]] = {}
    for event in events:
        due.setdefault(int(event.step), []).append(event)
    if state.step == 0:
        _apply(due, state)
        if recorder is not None:
            recorder.observe(state, stepper.dt, final=nsteps == 0)
    while state.step < nsteps:
        stepper.step(state, t0)
        _apply(due, state)
        if recorder is not None:
            recorder.observe(state, stepper.dt, final=state.step == nsteps)
        if checkpoint is not None and state.step % checkpoint.every == 0 and state.step < nsteps:
            checkpoint.save(state, recorder, numerics)
        if progress is not None:
            progress(state.step, nsteps)
    if checkpoint is not None:
        checkpoint.save(state, recorder, numerics)
    return state


def _apply(due: dict[int, list[Event]], state: State) -> None:
    for event in due.get(state.step, ()):
        event.action(state)
