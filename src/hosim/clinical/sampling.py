"""Draw plausible values of one evidence row, so that a risk estimate can carry an interval.

Fractions are sampled on the logit scale, ratios on the log scale, where published intervals
are close to symmetric. A 95% range becomes a split normal (its own spread on each side of the
reported value, so asymmetric ranges stay asymmetric); binomial counts k of n become the
Jeffreys posterior Beta(k + 1/2, n - k + 1/2); a ratio reported only with a p-value gets the
standard error that p-value implies (Altman & Bland 2011 BMJ 343:d2090); a row with no
reported spread stays fixed, and the estimate says so.
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

from hosim.clinical.evidence import EvidenceRow, uncertainty_of

Z95 = stats.norm.ppf(0.975)
RATIO_UNITS = ("OR", "RR", "OR per day")


def p_value_sd(centre: float, p: float) -> float:
    """The standard error a two-sided p-value implies for an estimate `centre` on its symmetric scale
    (Altman & Bland 2011 BMJ 343:d2090)."""
    return abs(centre) / stats.norm.ppf(1.0 - p / 2.0)


def _scale(unit: str):
    """Forward and inverse transform that makes a row's interval roughly symmetric."""
    if unit == "fraction":
        return special.logit, special.expit
    if unit in RATIO_UNITS:
        return np.log, np.exp
    raise ValueError(f"no sampling scale for unit {unit!r}")


def is_uncertain(row: EvidenceRow) -> bool:
    """Whether the row carries any reported spread (a fixed row narrows the interval)."""
    return uncertainty_of(row.id).kind != "fixed"


def draw(row: EvidenceRow, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` values of this row's figure under its reported uncertainty."""
    value = row.require_value()
    spec = uncertainty_of(row.id)
    if spec.kind == "fixed":
        return np.full(size, value)
    if spec.kind == "counts":
        events, total = spec.a, spec.b
        return rng.beta(events + 0.5, total - events + 0.5, size)
    forward, inverse = _scale(row.unit)
    centre = forward(value)
    if spec.kind == "p_value":
        sd = p_value_sd(centre, spec.a)
        return inverse(centre + sd * rng.standard_normal(size))
    # range95: split normal on the transformed scale
    sd_low = (centre - forward(spec.a)) / Z95
    sd_high = (forward(spec.b) - centre) / Z95
    z = rng.standard_normal(size)
    return inverse(centre + z * np.where(z < 0.0, sd_low, sd_high))
