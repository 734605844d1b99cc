"""Interventions in a run: each spec checked (strength, dose, window) and timed into an Applied course, and
the courses acting on the cascade.

Genotypes act for the whole run and also shape the resting tissue the run starts from (a mast-cell
deficient mouse has no mast cells at day 0), so the scenario is built with their parameters. Treatments
act in a time window: the reaction function dispatches, by time, to a Cascade built with the parameters
of the treatments active then (one Cascade per distinct set of active scalings, made before the run).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hosim.biology.cascade import Cascade
from hosim.biology.interventions import GENOTYPE, TREATMENT, Intervention, get_intervention, scaled_parameters
from hosim.biology.variables import VARIABLE_NAMES, tracers_of
from hosim.errors import InputError

KEYS = {GENOTYPE: ("strength",), TREATMENT: ("start", "end", "strength", "dose_gy")}
EARLIEST_START_DAY = -2.0  # a treatment given up to 2 days before the injury (pre-operative radiotherapy)
DOSE_RANGE_GY = (0.5, 30.0)  # single-fraction doses of HO prophylaxis are 5-8 Gy
TIME_TOLERANCE_DAY = 1e-9  # the engine's times are t0 + step * dt; a window edge on a step edge counts as reached


@dataclass(frozen=True)
class Applied:
    """One intervention as it acts in a run: resolved timing and strength."""

    intervention: Intervention
    start: float
    end: float
    strength: float
    given: Mapping[str, float] = field(default_factory=dict)  # as asked, where it differs: dose_gy, a start before 0

    def record(self) -> dict:
        """The resolved spec written to summary.json (with the dose and a start before the injury as given)."""
        return {"name": self.intervention.name, "kind": self.intervention.kind, "start": self.start,
                "end": self.end, "strength": self.strength, **{f"given_{k}": v for k, v in self.given.items()}}

    def active(self, t: float) -> bool:
        return self.start - TIME_TOLERANCE_DAY <= t < self.end - TIME_TOLERANCE_DAY

    def kill_rate(self) -> float:
        """Extra loss (1/day) that kills a fraction `strength` of a population over the window."""
        return math.inf if self.strength >= 1.0 else -math.log1p(-self.strength) / (self.end - self.start)


def _number(name: str, key: str, value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"intervention {name}: {key} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise InputError(f"intervention {name}: {key} must be a finite number, got {value!r}")
    return v


def parse_spec(spec) -> tuple[Intervention, dict[str, float]]:
    """A spec ("name" or {"name": ..., key: value}) -> the intervention and its checked options."""
    if isinstance(spec, str):
        spec = {"name": spec}
    if not isinstance(spec, Mapping) or "name" not in spec:
        raise InputError(f"an intervention is NAME or {{'name': NAME, ...}}, got {spec!r}")
    name = spec["name"]
    item = get_intervention(name)
    allowed = KEYS[item.kind]
    options = {k: v for k, v in spec.items() if k != "name"}
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        what = "a genotype: it acts for the whole run" if item.kind == GENOTYPE else "a treatment"
        raise InputError(
            f"intervention {name} ({what}) does not take {', '.join(unknown)}; allowed: {', '.join(allowed)}"
        )
    checked = {k: _number(name, k, v) for k, v in options.items()}
    strength = checked.get("strength", item.default_strength)
    if "dose_gy" in checked:
        strength = _dose_strength(item, checked)
    if not 0.0 <= strength <= 1.0:
        raise InputError(f"intervention {name}: strength must lie in [0, 1], got {strength:g}")
    if checked.get("start", 0.0) < EARLIEST_START_DAY:
        raise InputError(f"intervention {name}: start must be >= {EARLIEST_START_DAY:g} days (given before the "
                         f"injury: acts from day 0), got {checked['start']:g}")
    return item, {**checked, "strength": strength}


def _dose_strength(item: Intervention, checked: Mapping[str, float]) -> float:
    """The killed fraction of a dose in Gy, for an intervention with a dose response (radiation)."""
    if item.dose_response is None:
        raise InputError(f"intervention {item.name} does not take dose_gy (only interventions with a dose response: "
                         "radiation)")
    if "strength" in checked:
        raise InputError(f"intervention {item.name}: give dose_gy or strength, not both")
    dose = checked["dose_gy"]
    if not DOSE_RANGE_GY[0] <= dose <= DOSE_RANGE_GY[1]:
        raise InputError(f"intervention {item.name}: dose_gy must lie in [{DOSE_RANGE_GY[0]:g}, {DOSE_RANGE_GY[1]:g}] "
                         f"Gy, got {dose:g}")
    return item.strength_of_dose(dose)


def check_interventions(specs: Sequence, species: str, days: float) -> list[Applied]:
    """The interventions of a run checked for its species and length, and timed (resolve)."""
    applied = resolve(specs, days)
    for a in applied:
        a.intervention.check_species(species)
    return applied


def resolve(specs: Sequence, days: float) -> list[Applied]:
    """Checked, timed interventions of a run of `days` days; InputError names the bad value and what is allowed.
    The same intervention twice is allowed only as separate courses of a treatment (windows that do not
    overlap): a genotype is had once, and overlapping courses would silently multiply."""
    applied = []
    for spec in specs:
        item, opts = parse_spec(spec)
        start = max(opts.get("start", 0.0), 0.0)  # given before the injury: acts from day 0
        if item.kind == GENOTYPE:
            end = days
        elif "end" in opts:
            end = opts["end"]
        else:
            end = days if item.default_duration is None else start + item.default_duration
        given_start = opts.get("start", 0.0)
        if start >= days:
            raise InputError(f"intervention {item.name}: start ({given_start:g}) is not within the run "
                             f"(0 to {days:g} days)")
        if not start < end:
            raise InputError(f"intervention {item.name}: start ({given_start:g}) must come before end ({end:g})"
                             + (" (a treatment given before the injury acts from day 0)" if given_start < 0 else ""))
        for other in applied:
            if other.intervention is item and (item.kind == GENOTYPE or (start < other.end and other.start < end)):
                raise InputError(
                    f"intervention {item.name} is given twice with overlapping windows (days {other.start:g}-"
                    f"{other.end:g} and {start:g}-{end:g}); give it once, or give each course a start and end "
                    "that do not overlap")
        given = {k: opts[k] for k in ("dose_gy", "start") if k in opts and (k == "dose_gy" or opts[k] < 0)}
        applied.append(Applied(item, start, end, opts["strength"], given))
    return applied



class Schedule:
    """The treatments of a run cut into time segments (between consecutive start and end days), each with
    its own Cascade and kill rates, built once before the run."""

    def __init__(self, base: Cascade, treatments: Sequence[Applied]):
        edges = sorted({a.start for a in treatments} | {a.end for a in treatments})
        self.edges = [e - TIME_TOLERANCE_DAY for e in edges]
        first_times = [edges[0] - 1.0] + edges  # one time in each segment: before the first edge, then each edge
        cascades: dict[frozenset, Cascade] = {frozenset(): base}  # keyed by the active treatments that change parameters
        self.segments = []
        for t in first_times:
            active = [k for k, a in enumerate(treatments) if a.active(t)]
            scaling = frozenset(k for k in active if treatments[k].intervention.scales or treatments[k].intervention.sets)
            if scaling not in cascades:
                chosen = [(treatments[k].intervention, treatments[k].strength) for k in sorted(scaling)]
                cascades[scaling] = Cascade(scaled_parameters(base.parameters, chosen), base.tissue,
                                            base.context.bmp2_vector, base.surroundings)
            self.segments.append((cascades[scaling], _kills([treatments[k] for k in active])))

    def at(self, t: float):
        """(Cascade, [(variable index, extra loss rate)]) acting at day t."""
        return self.segments[bisect_right(self.edges, t)]


def _kills(active: Sequence[Applied]) -> list[tuple[int, float]]:
    rates: dict[int, float] = {}
    for a in active:
        for population in a.intervention.kills:
            for name in (population, *tracers_of(population)):
                k = VARIABLE_NAMES.index(name)
                rates[k] = rates.get(k, 0.0) + a.kill_rate()
    return sorted(rates.items())


class TimedReactions:
    """The engine's reaction function with treatments switched on and off by time (docs/engine.md contract)."""

    def __init__(self, base: Cascade, treatments: Sequence[Applied]):
        self.base = base
        self.schedule = Schedule(base, treatments)
        self.parameters = base.parameters
        self.tissue = base.tissue
        self.context = base.context
        self.flows = base.flows

    def __call__(self, fields, scalars, t, rates) -> None:
        cascade, kills = self.schedule.at(t)
        cascade(fields, scalars, t, rates)
        for k, rate in kills:
            rates.loss[k] += rate


__all__ = ["Applied", "Schedule", "TIME_TOLERANCE_DAY", "TimedReactions", "check_interventions", "parse_spec",
           "resolve"]
