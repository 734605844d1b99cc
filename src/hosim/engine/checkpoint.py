"""Checkpoints: the full run state written atomically, so a killed run resumes to the same bits."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from hosim.engine.errors import InputError
from hosim.engine.files import write_atomic
from hosim.engine.recorder import Recorder
from hosim.engine.state import State


def _savez(path: Path, arrays: dict) -> None:
    with open(path, "wb") as handle:  # a handle: numpy would add .npz to a name without it
        np.savez(handle, **arrays)


class Checkpoint:
    """Saves every `every` steps to `path` (.npz); `config` is folded into the run's fingerprint."""

    def __init__(self, path: str | os.PathLike, every: int = 100, config: dict | None = None):
        if int(every) < 1:
            raise InputError(f"checkpoint interval must be >= 1 step, got {every}")
        self.path = Path(path)
        self.every = int(every)
        self.config = dict(config or {})

    def _fingerprint(self, numerics: dict) -> str:
        return json.dumps({"numerics": numerics, "config": self.config}, sort_keys=True, default=str)

    def save(self, state: State, recorder: Recorder | None, numerics: dict) -> None:
        arrays = {
            "fields": state.fields,
            "scalars": state.scalars,
            "step": np.array(state.step),
            "t": np.array(state.t),
            "fingerprint": np.array(self._fingerprint(numerics)),
        }
        if recorder is not None:
            arrays.update(recorder.state_dict())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, lambda tmp: _savez(tmp, arrays))

    def exists(self) -> bool:
        return self.path.exists()

    def restore(self, state: State, recorder: Recorder | None, numerics: dict) -> None:
        """Load the saved state into `state` (and `recorder`); refuse a checkpoint of another run."""
        try:
            with np.load(self.path, allow_pickle=False) as data:
                if str(data["fingerprint"]) != self._fingerprint(numerics):
                    raise InputError(
                        f"checkpoint {self.path} belongs to a different run (other scenario, options or grid); "
                        "remove it or choose another output folder"
                    )
                if data["fields"].shape != state.fields.shape:
                    raise InputError(f"checkpoint {self.path} has fields {data['fields'].shape}, expected {state.fields.shape}")
                state.fields[...] = data["fields"]
                state.scalars[...] = data["scalars"]
                state.step = int(data["step"])
                state.t = float(data["t"])
                if recorder is not None:
                    recorder.load_state_dict(data)
        except (OSError, ValueError, KeyError) as exc:
            if isinstance(exc, InputError):
                raise
            raise InputError(f"checkpoint {self.path} is unreadable ({exc}); remove it to start afresh") from None
