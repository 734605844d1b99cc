"""The reference runs a refactoring must leave bit-identical: every metric and the SHA-256 of every recorded
series of 0-D, 2-D and 3-D mouse-bmp2, FOP after a contusion, the THA patient in 2-D, a 2,000-patient THA
cohort and a three-arm THA trial (issue 28, "What must not change").

    python tools/reference_runs.py --out ref.json            # measure
    python tools/reference_runs.py --out new.json --against ref.json   # measure and compare

The comparison lists every metric or series that differs; the exit code is 1 when any does.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SINGLE_RUNS = {
    "mouse-bmp2-0d": ("mouse-bmp2", {"dims": 0}),
    "mouse-bmp2-2d": ("mouse-bmp2", {"dims": 2}),
    "mouse-bmp2-3d": ("mouse-bmp2", {"dims": 3, "resolution_um": 75.0}),
    "fop-flare-2d": ("fop-flare", {"dims": 2}),
    "tha-2d": ("tha", {"dims": 2, "factors": ["male", "ankylosing-spondylitis", "prior-ho"]}),
}
COHORT = ("tha", 2000, {"cohort": []})
TRIAL = ("tha", 1000, {"control": [], "indo7": [{"name": "nsaid", "end": 7.0}],
                        "indo42": [{"name": "nsaid", "end": 42.0}]})


def digest(values) -> str:
    """SHA-256 of an array's bytes (its dtype and shape included)."""
    array = np.ascontiguousarray(np.asarray(values))
    h = hashlib.sha256(f"{array.dtype.str}{array.shape}".encode())
    h.update(array.tobytes())
    return h.hexdigest()


def single(name: str, options: dict) -> dict:
    from hosim.simulation import simulate

    result = simulate(name, **options)
    times, series = result.series()
    return {"metrics": result.metrics, "series": {"time": digest(times), **{k: digest(v) for k, v in series.items()}},
            **({"patient": json.loads(json.dumps(result.patient, default=float))} if result.patient else {})}


def population(setting: str, n: int, arms: dict) -> dict:
    import xarray as xr

    from hosim.cohort.cohorts import cohort_spec, run_cohort

    with tempfile.TemporaryDirectory() as folder:
        spec = cohort_spec(setting, n, arms, [], 0)
        summary = run_cohort(spec, Path(folder), workers=2)
        with xr.open_zarr(Path(folder) / "cohort.zarr") as data:
            series = {k: digest(data[k].values) for k in sorted(data.variables)}
    return {"summary": json.loads(json.dumps(summary)), "series": series}


def measure() -> dict:
    out = {}
    for key, (name, options) in SINGLE_RUNS.items():
        started = time.perf_counter()
        out[key] = single(name, options)
        print(f"{key}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    for key, (setting, n, arms) in (("tha-cohort-2000", COHORT), ("tha-trial-3arm", TRIAL)):
        started = time.perf_counter()
        out[key] = population(setting, n, arms)
        print(f"{key}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return out


def differences(new, old, where="") -> list[str]:
    """Every leaf that differs between two measurements (provenance-free: no times or versions are held)."""
    if isinstance(new, dict) and isinstance(old, dict):
        out = [f"{where}/{k}: only in one" for k in sorted(set(new) ^ set(old))]
        for k in sorted(set(new) & set(old)):
            out += differences(new[k], old[k], f"{where}/{k}")
        return out
    return [] if new == old else [f"{where}: {old!r} -> {new!r}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--against", type=Path)
    args = parser.parse_args()
    measured = measure()
    args.out.write_text(json.dumps(measured, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if args.against is None:
        return 0
    diffs = differences(measured, json.loads(args.against.read_text(encoding="utf-8")))
    for line in diffs:
        print(line)
    print(f"{len(diffs)} difference(s)")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
