"""Sampling a run as it goes: observables every N steps and full fields at chosen times."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from hosim.engine.state import State

Observable = Callable[[np.ndarray, np.ndarray], float]


class Recorder:
    """Keeps time series of named observables and field snapshots; its data goes into checkpoints."""

    def __init__(
        self,
        observables: Mapping[str, Observable],
        every: int = 1,
        snapshot_times: Sequence[float] = (),
        snapshot_variables: Sequence[str] | None = None,
    ):
        self.observables = dict(observables)
        self.every = max(1, int(every))
        self.snapshot_times = sorted(float(t) for t in snapshot_times)
        self.snapshot_variables = None if snapshot_variables is None else list(snapshot_variables)
        self.times: list[float] = []
        self.values: list[list[float]] = []
        self.snapshots: dict[float, np.ndarray] = {}

    def observe(self, state: State, dt: float, final: bool = False) -> None:
        """Sample if this step is due (always at step 0 and at the final step)."""
        if state.step % self.every == 0 or final:
            if not self.times or self.times[-1] != state.t:
                self.times.append(state.t)
                self.values.append([self._value(f(state.fields, state.scalars)) for f in self.observables.values()])
        for ts in self.snapshot_times:
            if ts not in self.snapshots and abs(state.t - ts) <= 0.5 * dt:
                self.snapshots[ts] = self._select(state).copy()

    @staticmethod
    def _value(value):
        """A float, or on a batch of patients one float per patient (a 1-D array)."""
        return value if isinstance(value, np.ndarray) else float(value)

    def _select(self, state: State) -> np.ndarray:
        if self.snapshot_variables is None:
            return state.fields
        return state.fields[[state.index(v) for v in self.snapshot_variables]]

    def series(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Times (days) and one array per observable ([time], or [time, patient] on a batch)."""
        vals = self._table()
        return np.array(self.times), {name: vals[:, k] for k, name in enumerate(self.observables)}

    def _table(self) -> np.ndarray:
        """Samples as [time, observable] (a batch adds a patient axis)."""
        values = np.array(self.values, dtype=np.float64)
        return values.reshape((len(self.times), len(self.observables)) + values.shape[2:])

    def state_dict(self) -> dict[str, np.ndarray]:
        """Arrays that restore this recorder exactly."""
        out = {"rec_times": np.array(self.times, dtype=np.float64)}
        out["rec_values"] = self._table()
        out["rec_snapshot_times"] = np.array(sorted(self.snapshots), dtype=np.float64)
        for k, ts in enumerate(sorted(self.snapshots)):
            out[f"rec_snapshot_{k}"] = self.snapshots[ts]
        return out

    def load_state_dict(self, data: Mapping[str, np.ndarray]) -> None:
        self.times = [float(t) for t in data["rec_times"]]
        self.values = [list(row) if row.ndim > 1 else list(map(float, row)) for row in data["rec_values"]]
        self.snapshots = {float(ts): np.array(data[f"rec_snapshot_{k}"]) for k, ts in enumerate(data["rec_snapshot_times"])}
