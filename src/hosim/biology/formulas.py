"""The reduced (0-D) cascade as formulas: the rate laws of cascade.py traced with symbols in place of
numbers, so that an exported model (hosim/sbml.py) is the code that runs, not a second transcription of it.

A Formula is an infix expression (libSBML's Level 3 syntax) that numpy and Python arithmetic build up: the
cascade's steps run unchanged on Formulas for the variables, compartments and parameters, and what they
add to the production, loss and flow rates comes out as text. Numbers fold as they combine (0 + x is x,
1 * x is x), Hill coefficients (whole numbers the kinetics raise to a power) stay numbers, and the
quantities several steps share (cascade.local_signals) are traced once and named.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields, replace
from types import SimpleNamespace

import numpy as np

from hosim.biology.cascade import CASCADE_STEPS, Cascade, RateViews, TissueContext, local_signals
from hosim.biology.variables import COMPARTMENT_NAMES, VARIABLE_NAMES
from hosim.errors import InputError

SIGNAL_PREFIX = "signal_"
TISSUE_PREFIX = "tissue_"


class Formula:
    """An infix expression; `x[...] = y` replaces its text in place (lineage tracing adds that way)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def __getitem__(self, key):
        if key is not Ellipsis:
            raise TypeError("a Formula is a scalar: only f[...] is allowed")
        return self

    def __setitem__(self, key, value) -> None:
        self.__getitem__(key)
        self.text = text_of(value)

    def __add__(self, other):
        return add(self, other)

    def __radd__(self, other):
        return add(other, self)

    def __sub__(self, other):
        return subtract(self, other)

    def __rsub__(self, other):
        return subtract(other, self)

    def __mul__(self, other):
        return multiply(self, other)

    def __rmul__(self, other):
        return multiply(other, self)

    def __truediv__(self, other):
        return divide(self, other)

    def __rtruediv__(self, other):
        return divide(other, self)

    def __pow__(self, other):
        return power(self, other)

    def __neg__(self):
        return subtract(0.0, self)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """numpy's arithmetic and max/min on Formulas (the `out=` of an in-place call is ignored: a Formula
        is never written through)."""
        if method != "__call__" or ufunc.__name__ not in UFUNCS:
            return NotImplemented
        return UFUNCS[ufunc.__name__](*(plain(x) for x in inputs))


def plain(x):
    """A number or Formula from what numpy hands over (one-element arrays and numpy scalars become floats)."""
    if isinstance(x, Formula):
        return x
    value = float(np.asarray(x).reshape(-1)[0]) if np.size(x) == 1 else None
    if value is None:
        raise TypeError(f"a Formula combines with numbers, not with {np.shape(x)} arrays")
    return value


def number(x) -> float | None:
    """The value of a number (or of the Formula "0" the rates start from); None for any other Formula."""
    if isinstance(x, Formula):
        return 0.0 if x.text == "0" else None
    return plain(x)


def fresh(x):
    """An operand handed back by folding, as a new object: a Formula later changed in place (lineage
    tracing's `L[...] += ...`) must not be shared with a parameter or another rate."""
    return Formula(x.text) if isinstance(x, Formula) else x


def text_of(x) -> str:
    """The infix text of a Formula or number (a finite number only)."""
    if isinstance(x, Formula):
        return x.text
    value = plain(x)
    if not math.isfinite(value):
        raise InputError(f"{value} cannot be written in a formula: the model's rates are finite numbers")
    return repr(value)


def add(a, b):
    x, y = number(a), number(b)
    if x is not None and y is not None:
        return x + y
    if x == 0.0:
        return fresh(b)
    if y == 0.0:
        return fresh(a)
    return Formula(f"({text_of(a)} + {text_of(b)})")


def subtract(a, b):
    x, y = number(a), number(b)
    if x is not None and y is not None:
        return x - y
    if y == 0.0:
        return fresh(a)
    return Formula(f"({text_of(a)} - {text_of(b)})")


def multiply(a, b):
    x, y = number(a), number(b)
    if x is not None and y is not None:
        return x * y
    if x == 0.0 or y == 0.0:
        return 0.0
    if x == 1.0:
        return fresh(b)
    if y == 1.0:
        return fresh(a)
    return Formula(f"({text_of(a)} * {text_of(b)})")


def divide(a, b):
    x, y = number(a), number(b)
    if x is not None and y is not None:
        return x / y
    if x == 0.0:
        return 0.0
    if y == 1.0:
        return fresh(a)
    return Formula(f"({text_of(a)} / {text_of(b)})")


def power(a, b):
    x, y = number(a), number(b)
    if x is not None and y is not None:
        return x**y
    if y == 1.0:
        return fresh(a)
    return Formula(f"pow({text_of(a)}, {text_of(b)})")


def maximum(a, b):
    x, y = number(a), number(b)
    return max(x, y) if x is not None and y is not None else Formula(f"max({text_of(a)}, {text_of(b)})")


def minimum(a, b):
    x, y = number(a), number(b)
    return min(x, y) if x is not None and y is not None else Formula(f"min({text_of(a)}, {text_of(b)})")


UFUNCS = {"add": add, "subtract": subtract, "multiply": multiply, "true_divide": divide, "divide": divide,
          "power": power, "maximum": maximum, "minimum": minimum, "negative": lambda a: subtract(0.0, a)}


@dataclass(frozen=True)
class TracedCascade:
    """The cascade's rates as formulas of the variables, compartments, parameters, named tissue constants
    and named signals: du/dt = production - loss * u (+ flows) for every variable and compartment."""

    signals: dict[str, str]          # signal_<name> -> formula (read by the rates)
    production: dict[str, str]       # variable or compartment -> formula
    loss: dict[str, str]             # variable or compartment -> per-unit formula (1/day)
    flows: list[tuple[str, str, bool, str, str]]  # (field, compartment, into_compartment, per-unit rate, scale)
    tissue: dict[str, float]         # tissue_<name> -> value (the scenario's layout in the lesion)
    parameters: tuple[str, ...]      # parameter names the formulas read
    leaks: dict[str, tuple[float, float]]  # variable -> (rate 1/day, inflow) into the surroundings


def trace(cascade: Cascade) -> TracedCascade:
    """The rate laws of a 0-D cascade (one voxel) as formulas."""
    if cascade.tissue.capillaries.size != 1:
        raise InputError("only the 0-D reduced model (one compartment) can be written as formulas")
    params = cascade.parameters
    p = SimpleNamespace(**{name: (params.value(name) if params[name].whole else Formula(name)) for name in params})
    context, tissue = _named_context(cascade.context)
    now = SimpleNamespace(**{name: Formula(name) for name in VARIABLE_NAMES})
    body = [Formula(name) for name in COMPARTMENT_NAMES]
    traced = local_signals(now, body, context, p)
    signals, named = {}, {}
    for item in fields(traced):
        value = getattr(traced, item.name)
        if isinstance(value, Formula):
            signals[SIGNAL_PREFIX + item.name] = value.text
            named[item.name] = Formula(SIGNAL_PREFIX + item.name)
        else:
            named[item.name] = value
    signals_now = replace(traced, **named)
    views = RateViews(P=SimpleNamespace(**{name: Formula("0") for name in VARIABLE_NAMES}),
                      L=SimpleNamespace(**{name: Formula("0") for name in VARIABLE_NAMES}),
                      sP=[Formula("0") for _ in COMPARTMENT_NAMES], sL=[Formula("0") for _ in COMPARTMENT_NAMES],
                      F=[Formula("0") for _ in cascade.flows])
    for cascade_step in CASCADE_STEPS:
        cascade_step(now, body, context, signals_now, p, views)
    production = {name: text_of(getattr(views.P, name)) for name in VARIABLE_NAMES}
    loss = {name: text_of(getattr(views.L, name)) for name in VARIABLE_NAMES}
    production.update({name: text_of(views.sP[k]) for k, name in enumerate(COMPARTMENT_NAMES)})
    loss.update({name: text_of(views.sL[k]) for k, name in enumerate(COMPARTMENT_NAMES)})
    scale = f"({TISSUE_PREFIX}cells_per_unit / blood_volume)"  # Cascade.flows' scale, made there from numbers
    flows = [(VARIABLE_NAMES[f.field], COMPARTMENT_NAMES[f.compartment], f.into_compartment,
              text_of(views.F[j]), scale) for j, f in enumerate(cascade.flows)]
    tissue[TISSUE_PREFIX + "cells_per_unit"] = cascade.context.cells_per_unit
    leaks = {VARIABLE_NAMES[k]: (float(rate), float(np.asarray(inflow).reshape(-1)[0]))
             for k, rate, inflow in cascade.leaks}
    every = " ".join([*signals.values(), *production.values(), *loss.values(), *(f[3] for f in flows), scale])
    read = tuple(name for name in params if _reads(every, name))
    return TracedCascade(signals, production, loss, flows, tissue, read, leaks)


def _named_context(context: TissueContext) -> tuple[TissueContext, dict[str, float]]:
    """The tissue context with each per-voxel layout quantity a named constant (tissue_<field>)."""
    values, named = {}, {}
    for item in fields(context):
        value = getattr(context, item.name)
        if item.name in ("per_patient", "voxel_volume_mm3", "cells_per_unit"):
            continue
        values[TISSUE_PREFIX + item.name] = float(np.asarray(value).reshape(-1)[0])
        named[item.name] = Formula(TISSUE_PREFIX + item.name)
    return replace(context, per_patient=True, **named), values


def _reads(text: str, name: str) -> bool:
    """Whether a formula text names an identifier (a whole word)."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text) is not None


def trace_injuries(injuries, tissue, parameters) -> dict[str, str]:
    """What injuries at one moment set, applied in turn, as formulas of the values just before them
    (variable or compartment -> formula)."""
    state = {name: Formula(name) for name in (*VARIABLE_NAMES, *COMPARTMENT_NAMES)}
    for injury in injuries:
        injury.apply(state, tissue, parameters)
    return {name: text_of(value) for name, value in state.items() if text_of(value) != name}


__all__ = ["Formula", "TracedCascade", "trace", "trace_injuries"]
