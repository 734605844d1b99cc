"""Checks of user-given numbers, shared by every command (standard library only, so the clinical
commands can use them without loading the engine). Each failure is an InputError that names the value,
what is allowed and, where useful, why."""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

from hosim.errors import InputError


def check_number(name: str, value: Any, low: float, high: float, unit: str = "", why: str = "") -> float:
    """value as a float in [low, high], else InputError naming the option, its range and why."""
    reason = f" ({why})" if why else ""
    unit = f" {unit}" if unit else ""
    if isinstance(value, bool):
        raise InputError(f"{name} must be a number in [{low:g}, {high:g}]{unit}{reason}, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{name} must be a number in [{low:g}, {high:g}]{unit}{reason}, got {value!r}") from None
    if not (math.isfinite(v) and low <= v <= high):
        raise InputError(f"{name} must lie in [{low:g}, {high:g}]{unit}{reason}, got {value!r}")
    return v


def check_whole(name: str, value: Any, low: int, high: int) -> int:
    """value as an int in [low, high] (a float is accepted only if it is whole)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) or value != int(value):
        raise InputError(f"{name} must be a whole number in [{low}, {high}], got {value!r}")
    if not low <= int(value) <= high:
        raise InputError(f"{name} must be a whole number in [{low}, {high}], got {value!r}")
    return int(value)


MAX_SEED = 2**63 - 1


def check_seed(seed: Any) -> int:
    """A seed is a whole number >= 0 (numpy's generators take no negative seeds)."""
    if isinstance(seed, bool) or not isinstance(seed, (Integral, Real)) or not math.isfinite(seed) \
            or seed != int(seed) or not 0 <= int(seed) <= MAX_SEED:
        raise InputError(f"seed must be a whole number from 0 to {MAX_SEED}, got {seed!r}")
    return int(seed)
