"""A run killed at any point and resumed ends, to the bit, where an uninterrupted run ends."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from checkpoint_problem import build, run_to_end

from hosim.engine import Checkpoint, InputError

HERE = Path(__file__).parent


def _same(a, b):
    (sa, ra), (sb, rb) = a, b
    assert np.array_equal(sa.fields, sb.fields) and np.array_equal(sa.scalars, sb.scalars)
    assert sa.step == sb.step and sa.t == sb.t
    ta, xa = ra.series()
    tb, xb = rb.series()
    assert np.array_equal(ta, tb) and all(np.array_equal(xa[k], xb[k]) for k in xa)
    assert sorted(ra.snapshots) == sorted(rb.snapshots)
    assert all(np.array_equal(ra.snapshots[k], rb.snapshots[k]) for k in ra.snapshots)


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [0.3, 1.5])
def test_killed_and_resumed_run_matches_uninterrupted_run(tmp_path, kill_after):
    reference = run_to_end()
    path = tmp_path / "run.ckpt.npz"
    env = dict(os.environ, PYTHONPATH=str(HERE) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    child = subprocess.Popen([sys.executable, str(HERE / "checkpoint_problem.py"), str(path), "7", "0.01"], env=env)
    deadline = time.time() + 120
    while not path.exists() and time.time() < deadline and child.poll() is None:
        time.sleep(0.05)
    time.sleep(kill_after)
    if child.poll() is None:
        child.send_signal(signal.SIGKILL)
    child.wait()
    assert path.exists()
    with np.load(path) as saved:
        killed_at = int(saved["step"])
    assert 0 < killed_at < 300, "the child should have been killed mid-run"
    resumed = run_to_end(path)
    _same(resumed, reference)


def test_checkpoint_of_another_run_is_refused(tmp_path):
    path = tmp_path / "run.ckpt.npz"
    run_to_end(path)
    stepper, state, recorder = build()
    other = Checkpoint(path, every=7, config={"test": "something else"})
    with pytest.raises(InputError, match="different run"):
        other.restore(state, recorder, stepper.fingerprint())


def test_corrupt_checkpoint_is_a_clear_error(tmp_path):
    path = tmp_path / "run.ckpt.npz"
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(InputError, match="unreadable"):
        run_to_end(path)
