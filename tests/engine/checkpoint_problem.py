"""A small reaction-diffusion run used by the kill-and-resume test (also run as a child process)."""

import sys
import time

import numpy as np

from hosim.engine import Checkpoint, Grid, Recorder, State, Stepper, Transport, run

T_END = 3.0


def build():
    grid = Grid((30, 40), 10.0, regions={"vessel": np.pad(np.ones((2, 2)), ((14, 14), (19, 19)))})
    state = State.zeros(grid, ["signal", "cells", "oxygen"], ["blood"])
    state.field("signal")[0, 15, 20] = 100.0
    state.field("cells")[...] = 0.1
    state.field("oxygen")[...] = 40.0

    def react(f, s, t, rates):
        P, L, sP, sL = rates.production, rates.loss, rates.scalar_production, rates.scalar_loss
        P[1] += 2.0 * f[1] * f[0] / (1.0 + f[0])
        L[1] += 0.3 + f[1]
        L[2] += 5.0 * f[1] / (8.0 + f[2])
        L[0] += 0.2
        sP[0] += 0.01 * f[1].sum()
        sL[0] += 1.0

    tr = {
        "signal": Transport(2e4, 1.0),
        "oxygen": Transport(1.47e6, fixed=(("vessel", 40.0),), method="coupled", interval=2),
    }
    stepper = Stepper(grid, state.variables, state.compartments, tr, react, 0.01)
    recorder = Recorder(
        {"cells_total": lambda f, s: f[1].sum(), "blood": lambda f, s: s[0]},
        every=3,
        snapshot_times=[0.0, 1.0, 2.0, 3.0],
    )
    return stepper, state, recorder


def run_to_end(path=None, every=7, delay=0.0):
    stepper, state, recorder = build()
    checkpoint = None if path is None else Checkpoint(path, every=every, config={"test": "kill-resume"})
    progress = (lambda i, n: time.sleep(delay)) if delay else None
    run(stepper, state, T_END, recorder, checkpoint, progress)
    return state, recorder


if __name__ == "__main__":
    run_to_end(sys.argv[1], every=int(sys.argv[2]), delay=float(sys.argv[3]))
