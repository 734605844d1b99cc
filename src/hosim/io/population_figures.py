"""Figures and the table of `hosim calibrate-population`: each setting's incidence before and after the
calibration and in the out-of-sample check beside the literature's range, and the calibrated people's
parameters beside the prior's."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hosim.io.figure_files import save_figure

DPI = 120


def fit_figure(report: dict, check: dict, path: Path) -> Path:
    """Per setting: the literature's 95% range (grey), the prior pool, the calibrated pool and the check
    cohort with its Wilson interval."""
    import matplotlib.pyplot as plt

    fitted = {t["setting"]: t for t in report["targets"] if not t["grades"]}
    names = list(check)
    fig, ax = plt.subplots(figsize=(7.5, 0.9 + 0.45 * len(names)), constrained_layout=True)
    for k, name in enumerate(names):
        for bounds in check[name]["literature"].values():
            if bounds is not None:
                ax.plot([100 * bounds[0], 100 * bounds[1]], [k, k], color="0.8", lw=9, solid_capstyle="butt",
                        label="literature 95% range" if k == 0 else None)
        if name in fitted:
            ax.plot(100 * fitted[name]["prior"], k, "o", mfc="none", color="tab:gray",
                    label="pool, prior weights" if k == 0 else None)
            ax.plot(100 * fitted[name]["calibrated"], k, "s", color="tab:orange",
                    label="pool, calibrated weights" if k == 0 else None)
        m = check[name]["model"]
        ax.errorbar(100 * m["incidence"], k + 0.18, xerr=[[100 * (m["incidence"] - m["low"])],
                                                         [100 * (m["high"] - m["incidence"])]],
                    fmt="D", color="tab:blue", capsize=3, label="check cohort (Wilson 95%)" if k == 0 else None)
    ax.set_yticks(range(len(names)), [n if n in fitted else f"{n} (not fitted)" for n in names])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("patients with HO (%)")
    ax.set_title(f"virtual population: {report['effective_people']['calibrated']:.0f} effective people of "
                 f"{report['pool']}")
    ax.legend(loc="lower right", fontsize=7)
    return save_figure(fig, path, dpi=DPI)


def people_figure(report: dict, multipliers: np.ndarray, weights: np.ndarray, sigmas: dict[str, float],
                  path: Path) -> Path:
    """Each varying parameter: the calibrated people's weighted histogram of the multiplier over the
    model's value, beside the prior log-normal."""
    import matplotlib.pyplot as plt

    names = list(report["people"])
    cols = 3
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows), constrained_layout=True, squeeze=False)
    for ax, (k, name) in zip(axes.ravel(), enumerate(names)):
        x = np.log(multipliers[:, k])
        bins = np.linspace(min(x.min(), -3 * sigmas[name]), max(x.max(), 3 * sigmas[name]), 30)
        ax.hist(x, bins=bins, weights=weights, density=True, color="tab:orange", alpha=0.7, label="calibrated")
        grid = np.linspace(bins[0], bins[-1], 200)
        ax.plot(grid, np.exp(-0.5 * (grid / sigmas[name]) ** 2) / (sigmas[name] * np.sqrt(2 * np.pi)),
                color="tab:gray", label="prior")
        ax.set_xlabel(f"ln({name} / model value)", fontsize=8)
        ax.set_ylabel("density")
    for ax in axes.ravel()[len(names):]:
        ax.axis("off")
    axes[0, 0].legend(fontsize=7)
    return save_figure(fig, path, dpi=DPI)


def fit_table(report: dict, check: dict) -> str:
    """The report as a Markdown table: target, prior, calibrated and check per setting."""
    fitted = {t["setting"]: t for t in report["targets"] if not t["grades"]}
    lines = ["| setting | literature (95% range) | pool, prior | pool, calibrated | check cohort (Wilson 95%) | "
             "inside |", "|---|---|---|---|---|---|"]
    for name, c in check.items():
        ranges = "; ".join(f"{row_id} {b[0]:.0%}-{b[1]:.0%}" if b else f"{row_id} (no spread)"
                           for row_id, b in c["literature"].items())
        t = fitted.get(name)
        m = c["model"]
        lines.append(f"| {name} | {ranges} | {t['prior']:.0%} | {t['calibrated']:.0%} | " if t else
                     f"| {name} | {ranges} | - | not fitted | ")
        lines[-1] += (f"{m['incidence']:.0%} ({m['low']:.0%}-{m['high']:.0%}) | "
                      f"{'-' if c['inside'] is None else 'yes' if c['inside'] else 'no'} |")
    lines += ["", "| THA grade among hips with HO | target (95% range) | pool, prior | pool, calibrated |",
              "|---|---|---|---|"]
    for t in report["targets"]:
        if t["grades"]:
            lines.append(f"| {t['name'].removeprefix('tha-brooker-')} | {t['target']:.0%} ({t['low']:.0%}-"
                         f"{t['high']:.0%}) | {t['prior']:.0%} | {t['calibrated']:.0%} |")
    if report["not_fitted"]:
        lines += ["", "Not fitted:"] + [f"- {name}: {why}" for name, why in report["not_fitted"].items()]
    return "\n".join(lines) + "\n"
