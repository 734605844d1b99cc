"""Figures of a virtual cohort or trial: incidence with its interval beside the evidence estimate, the
grade distribution, the onset distribution; a trial's arms side by side and their relative risks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from hosim.io.figure_files import save_figure

DPI = 120
# The Brooker grades in order, as the keys of a cohort summary's "brooker" (the same tuple as
# hosim.cohort.grade_map.GRADES, spelled out here since io/ does not import cohort/; tests/io/test_io_layout.py
# checks they agree).
GRADES = ("0", "I", "II", "III", "IV")


def _bars(ax, labels, values, lows, highs, colours):
    x = np.arange(len(labels))
    values = np.array([np.nan if v is None else v for v in values], float)
    err = np.array([[0 if v is None or lo is None else v - lo for v, lo in zip(values, lows)],
                    [0 if v is None or hi is None else hi - v for v, hi in zip(values, highs)]], float)
    ax.bar(x, values * 100, color=colours, yerr=err * 100, capsize=4)
    ax.set_xticks(x, labels)
    ax.set_ylabel("patients (%)")
    ax.set_ylim(0, 100)


def cohort_figures(spec: dict, summary: dict, cohort: xr.Dataset, folder: Path,
                   evidence: dict | None) -> list[Path]:
    """incidence.png, grades.png (hip settings), onset.png for a cohort's one arm; `evidence` is the
    estimate drawn beside its incidence (hosim.cohort.evidence.evidence_estimate(spec); None: no bar)."""
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.6), constrained_layout=True)
    for ax, key, title in zip(axes, ("any_ho", "severe_ho"), ("any HO", "severe HO (Brooker III-IV)")):
        model = summary[key]
        known = evidence.get(key) if evidence else None
        _bars(ax, ["virtual cohort\n(mechanism)", "evidence\n(hosim risk)"],
              [model["incidence"], known["probability"] if known else None],
              [model["low"], known["low"] if known else None], [model["high"], known["high"] if known else None],
              ["tab:blue", "tab:gray"])
        ax.set_title(title)
    fig.suptitle(f"{spec['setting']}: {spec['n']} virtual patients (95% intervals)")
    written.append(save_figure(fig, folder / "incidence.png", dpi=DPI))
    if summary["brooker"]["0"] is not None:
        fig, ax = plt.subplots(figsize=(5, 3.6), constrained_layout=True)
        ax.bar(GRADES, [100 * summary["brooker"][g] for g in GRADES], color="tab:blue")
        ax.set_xlabel("Brooker grade (from the reduced model's volume)")
        ax.set_ylabel("patients (%)")
        ax.set_title(f"{spec['setting']}: grade at week {int(cohort.sizes['week']) - 1}")
        written.append(save_figure(fig, folder / "grades.png", dpi=DPI))
    onset = cohort["onset_day"].values.ravel()
    onset = onset[np.isfinite(onset)] / 7.0
    fig, ax = plt.subplots(figsize=(5, 3.6), constrained_layout=True)
    if onset.size:
        ax.hist(onset, bins=np.arange(0, np.ceil(onset.max()) + 2), color="tab:blue")
    ax.set_xlabel("week HO first shows on imaging")
    ax.set_ylabel("patients")
    ax.set_title(f"onset: {onset.size} of {spec['n']} patients")
    written.append(save_figure(fig, folder / "onset.png", dpi=DPI))
    return written


def trial_figures(spec: dict, summary: dict, folder: Path) -> list[Path]:
    """One figure per outcome (any HO, severe HO where graded) with every arm, and the relative risks."""
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    arms = list(summary["arms"])
    written = []
    for key, title in (("any_ho", "any HO"), ("severe_ho", "severe HO (Brooker III-IV)")):
        rows = [summary["arms"][a][key] for a in arms]
        if rows[0]["incidence"] is None:
            continue
        fig, ax = plt.subplots(figsize=(1.6 + 1.2 * len(arms), 3.6), constrained_layout=True)
        _bars(ax, arms, [r["incidence"] for r in rows], [r["low"] for r in rows], [r["high"] for r in rows],
              "tab:blue")
        ax.set_title(f"{spec['setting']}: {title}, {spec['n']} paired virtual patients")
        written.append(save_figure(fig, folder / f"{key}.png", dpi=DPI))
    rr = summary["relative_risk"]
    if rr:
        fig, ax = plt.subplots(figsize=(5, 1.2 + 0.5 * len(rr)), constrained_layout=True)
        for k, (arm, r) in enumerate(rr.items()):
            if r["rr"] is not None:
                ax.errorbar(r["rr"], k, xerr=[[r["rr"] - r["low"]], [r["high"] - r["rr"]]], fmt="o", capsize=4)
        ax.axvline(1.0, color="gray", lw=1)
        ax.set_yticks(range(len(rr)), list(rr))
        ax.set_xlabel(f"relative risk of any HO vs {arms[0]} (95% paired bootstrap)")
        written.append(save_figure(fig, folder / "relative_risk.png", dpi=DPI))
    return written
