"""Rate-law building blocks in the style of Bailon-Plaza 2001 / Geris 2008: saturating and switch-like responses."""

from __future__ import annotations

import numpy as np


def _power(x: np.ndarray, n: int) -> np.ndarray:
    """x**n for a small whole n by multiplication (much cheaper than a general power)."""
    out = x
    for _ in range(int(n) - 1):
        out = out * x
    return out


def saturating(x, half: float):
    """Michaelis-Menten response x / (half + x): 0 at x = 0, 1/2 at x = half, tends to 1."""
    return x / (half + x)


def hill(x, half: float, n: float):
    """Hill activation x^n / (half^n + x^n); n a whole number >= 1 (switch-like for n > 1)."""
    xn = _power(x, n)
    return xn / (half ** int(n) + xn)


def hill_down(x, half: float, n: float):
    """Hill repression half^n / (half^n + x^n): 1 at x = 0, 1/2 at x = half, tends to 0."""
    kn = half ** int(n)
    return kn / (kn + _power(x, n))


def either(a, b):
    """Response to two independent pathways with responses a and b in [0, 1]: 1 - (1 - a)(1 - b)."""
    return a + b - a * b


def positive(x: np.ndarray) -> np.ndarray:
    """max(x, 0), in place on a temporary."""
    return np.maximum(x, 0.0, out=x)


def weighted_sum(values: np.ndarray, weights: np.ndarray) -> float:
    """sum(values * weights) over all voxels, without BLAS (whose threads stall on a busy machine)."""
    return float(np.einsum("i,i->", values.reshape(-1), weights.reshape(-1)))
