"""The reduced (0-D) model of a run as SBML Level 3 Version 2 (`hosim sbml`), for COPASI, Tellurium, libRoadRunner
and BioModels (docs/exchange.md).

It belongs to the simulation layer (it builds the run, interventions applied, that it writes out). What
is written is the traced code (biology/formulas.py), not a transcription of it:
- compartments: the lesion (the 0-D tissue compartment, in mm3: muscle, nerve, vessels and the other
  tissues are fractions of it, as in the reduced model), the blood (uL) and the body (the body-wide
  signals: sympathetic tone, neural injury, glucocorticoid, systemic inflammation, denervation);
- species: every variable (in its own unit, named in its notes) with a rate rule du/dt = P - L u, plus
  the leak into the resting tissue around the compartment, the flows of progenitors between lesion and
  blood (cells conserved: the blood gains what the lesion loses, converted by tissue_cells_per_unit /
  blood_volume), and the kill rate of any treatment;
- parameters: every parameter the rates read, with its value, unit, plausible range, cascade step and
  source (notes and a hosim annotation) and an SBO term; the tissue layout as tissue_* constants; the
  shared signals (SMAD1/5/8 signal, HIF, crowding, ...) as signal_* assignment rules;
- events: each injury of the scenario (at day 0 too, so the model starts from resting tissue) and the
  start and end of every timed treatment.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from hosim import __version__
from hosim.biology.cascade import Cascade
from hosim.biology.formulas import TracedCascade, trace, trace_injuries
from hosim.biology.homeostasis import resting_state
from hosim.biology.variables import COMPARTMENTS, VARIABLE_NAMES, VARIABLES
from hosim.engine import run_setup
from hosim.errors import InputError, SimulationError
from hosim.biology.courses import TIME_TOLERANCE_DAY, TimedReactions
from hosim.scenarios import get_scenario
from hosim.scenarios.spec import RunSpec

ZERO = ("0", "0.0")  # a rate the tracer folded to nothing
HOSIM_NS = "https://github.com/hosim/hosim/sbml"
BLOOD_COMPARTMENTS = ("circulating_progenitors",)
SBO = {"kinetic constant": "SBO:0000009", "Michaelis constant": "SBO:0000027", "Hill coefficient": "SBO:0000190",
       "parameter": "SBO:0000002", "compartment": "SBO:0000290", "material entity": "SBO:0000240"}
UNITS = {  # hosim unit -> (SBML unit id, [(kind, exponent, scale, multiplier)])
    "day": ("day", [("second", 1, 0, 86400.0)]),
    "1/day": ("per_day", [("second", -1, 0, 86400.0)]),
    "1": ("dimensionless", None),
    "mm^3": ("mm3", [("metre", 3, -3, 1.0)]),
    "uL": ("uL", [("litre", 1, -6, 1.0)]),
}


def sbml_model(scenario_name: str, species: str | None = None, specs: Sequence = (),
               options: Mapping | None = None) -> tuple[str, dict]:
    """The scenario's reduced model with its interventions as an SBML document (text) and what it holds
    (counts, the run it reproduces). options: the scenario's own options and, under "parameters", model
    parameter values (as `hosim run -p`)."""
    import libsbml

    spec = reduced_spec(scenario_name, specs, species, options)
    setup, applied = spec.build(), [a.record() for a in spec.courses]
    reactions = setup.reactions
    cascade: Cascade = reactions.base if isinstance(reactions, TimedReactions) else reactions
    traced = trace(cascade)
    params = cascade.parameters
    segments = _treatment_segments(reactions, params) if isinstance(reactions, TimedReactions) else []
    changing = sorted({name for _, values, _ in segments for name in values})
    killed = sorted({var for _, _, kills in segments for var in kills})

    doc = libsbml.SBMLDocument(3, 2)
    model = doc.createModel()
    model.setId(_sid(f"hosim_{setup.scenario}_{setup.species}"))
    model.setName(f"hosim {__version__}: reduced (0-D) model of scenario {setup.scenario}, {setup.species}"
                  + (f", with {', '.join(a['name'] for a in applied)}" if applied else ""))
    _notes(model, f"Exported by hosim {__version__} (hosim sbml). The 0-D reduced model of scenario "
                  f"{setup.scenario} ({setup.species} parameters), run {setup.days:g} days in hosim. Time in days. "
                  "See docs/exchange.md.")
    for unit, (uid, parts) in UNITS.items():
        if parts:
            definition = model.createUnitDefinition()
            definition.setId(uid)
            for kind, exponent, scale, multiplier in parts:
                u = definition.createUnit()
                u.setKind(libsbml.UnitKind_forName(kind))
                u.setExponent(exponent)
                u.setScale(scale)
                u.setMultiplier(multiplier)
    model.setTimeUnits("day")
    _compartment(model, "lesion", setup.voxel_volume_mm3, "mm3",
                 "the 0-D tissue compartment: every tissue (muscle, nerve, vessels, tendon, bone surface) is a "
                 "fraction of it (the tissue_* constants)")
    _compartment(model, "blood", params.value("blood_volume"), "uL", "circulating blood (blood_volume)")
    _compartment(model, "body", 1.0, "dimensionless", "the body-wide signals, one value for the whole body")

    fields, scalars = resting_state(cascade.tissue, params)
    units = {v.name: v.unit for v in VARIABLES + COMPARTMENTS}
    for v in VARIABLES:
        _species(model, v.name, "lesion", float(fields[v.name].reshape(-1)[0]), v.unit, v.description)
    for c in COMPARTMENTS:
        _species(model, c.name, "blood" if c.name in BLOOD_COMPARTMENTS else "body", float(scalars[c.name]),
                 c.unit, c.description)

    for name in traced.parameters:
        p = params[name]
        _parameter(model, name, float(p.value), p.unit, name not in changing, _sbo(name, p.unit),
                   {"unit": p.unit, "low": p.low, "high": p.high, "cascade_step": p.cascade_step, "source": p.source},
                   f"{p.description}. Unit {p.unit}; plausible range [{p.low:g}, {p.high:g}]; cascade step "
                   f"{p.cascade_step}. Source: {p.source}")
    for name in changing:
        if name not in traced.parameters:
            p = params[name]
            _parameter(model, name, float(p.value), p.unit, False, _sbo(name, p.unit), {"unit": p.unit},
                       f"{p.description} (set by a treatment)")
    for name, value in traced.tissue.items():
        _parameter(model, name, value, "", True, SBO["parameter"], {},
                   f"the scenario's layout in the lesion ({name[len('tissue_'):]}), computed by hosim from the "
                   "tissue fractions and the parameters that set resident cell densities")
    for var, (rate, inflow) in traced.leaks.items():
        _parameter(model, f"leak_rate_{var}", rate, "1/day", True, SBO["kinetic constant"], {},
                   f"loss of {var} into the resting tissue around the compartment (diffusion out of it)")
        _parameter(model, f"leak_inflow_{var}", inflow, units[var] + "/day", True, SBO["parameter"], {},
                   f"{var} entering from the resting tissue around the compartment")
    for var in killed:
        _parameter(model, f"kill_{var}", 0.0, "1/day", False, SBO["kinetic constant"], {},
                   f"extra loss of {var} while a treatment that kills it acts")
    for name, formula in traced.signals.items():
        _parameter(model, name, 0.0, "see docs/model.md", False, SBO["parameter"], {},
                   f"a quantity several cascade steps share (cascade.local_signals: {name[len('signal_'):]})")
        rule = model.createAssignmentRule()
        rule.setVariable(name)
        rule.setMath(_math(formula))

    for name, formula in _rates(traced, killed).items():
        rule = model.createRateRule()
        rule.setVariable(name)
        rule.setMath(_math(formula))

    moments: dict[int, list] = {}  # the engine applies a later injury at its nearest step, in turn
    for injury in get_scenario(spec.scenario).injuries(spec.options):
        if injury.day == 0 or injury.day < setup.days:
            moments.setdefault(round(injury.day / setup.dt), []).append(injury)
    for k, (step, injuries) in enumerate(sorted(moments.items())):
        _event(model, f"injury_{k}", step * setup.dt, trace_injuries(injuries, cascade.tissue, params),
               "; ".join(i.description or "injury" for i in injuries))
    for k, (start, values, kills) in enumerate(segments):
        assignments = {name: repr(float(value)) for name, value in values.items()}
        assignments.update({f"kill_{var}": repr(float(kills.get(var, 0.0))) for var in killed})
        _event(model, f"treatment_{k}", start, assignments, "treatments change at this day")

    errors = _check(doc)
    if errors:
        raise SimulationError("the exported model fails libSBML's consistency checks: " + "; ".join(errors[:5]))
    info = {"scenario": setup.scenario, "species": setup.species, "days": setup.days, "dt": setup.dt,
            "interventions": applied, "variables": len(VARIABLES), "compartments": len(COMPARTMENTS),
            "parameters": len(traced.parameters), "signals": len(traced.signals),
            "events": model.getNumEvents(), "tissue": traced.tissue}
    return libsbml.writeSBMLToString(doc), info


def reduced_spec(scenario_name: str, specs: Sequence, species: str | None, options: Mapping | None) -> RunSpec:
    """The 0-D run exported: options are the scenario's own and, under "parameters", model parameter values."""
    options = dict(options or {})
    return RunSpec.parse(scenario_name, list(specs), dims=0, species=species, parameters=options.pop("parameters", None),
                         options=options)


def own_series(scenario_name: str, specs: Sequence, dt: float, times, species: str | None = None,
               options: Mapping | None = None):
    """hosim's own 0-D run of what sbml_model exports, at step dt (events at their steps, as the engine
    applies them): every variable, then every compartment, at `times` (days, whole numbers of steps), one
    row per time. What an exported model is checked against (tests/test_sbml.py, docs/exchange.md)."""
    setup = reduced_spec(scenario_name, specs, species, options).build()
    states = StateSampler({round(t / dt): row for row, t in enumerate(times)})
    run_setup(setup, states, dt=dt, until=max(states.rows) * dt)
    return states.out


class StateSampler:
    """A recorder of every variable and compartment of a 0-D run at chosen step numbers (row of each)."""

    def __init__(self, rows: Mapping[int, int]):
        self.rows = dict(rows)
        self.out = np.empty((len(self.rows), len(VARIABLES) + len(COMPARTMENTS)))

    def observe(self, state, dt: float, final: bool = False) -> None:
        if state.step in self.rows:
            self.out[self.rows[state.step]] = np.concatenate([state.fields[:, 0, 0, 0], state.scalars.ravel()])


def _rates(traced: TracedCascade, killed: Sequence[str]) -> dict[str, str]:
    """du/dt of every variable and compartment: P - L u, leaks, flows and kills."""
    terms = {}
    for name, production in traced.production.items():
        loss = traced.loss[name]
        terms[name] = ([] if production in ZERO else [production]) + ([] if loss in ZERO else [f"-({loss}) * {name}"])
    for var, _ in traced.leaks.items():
        terms[var] += [f"-leak_rate_{var} * {var}", f"leak_inflow_{var}"]
    for var in killed:
        terms[var].append(f"-kill_{var} * {var}")
    for field, compartment, into, rate, scale in traced.flows:
        if into:
            terms[field].append(f"-({rate}) * {field}")
            terms[compartment].append(f"{scale} * ({rate}) * {field}")
        else:
            terms[compartment].append(f"-{scale} * ({rate}) * {compartment}")
            terms[field].append(f"({rate}) * {compartment}")
    return {name: " + ".join(parts) or "0" for name, parts in terms.items()}


def _treatment_segments(reactions: TimedReactions, params) -> list[tuple[float, dict, dict]]:
    """(start day, parameter values that differ from the run's, kill rates by variable) of each time
    segment of the treatment schedule, from day 0 on."""
    out = []
    starts = [0.0] + [e + TIME_TOLERANCE_DAY for e in reactions.schedule.edges if e + TIME_TOLERANCE_DAY > 0]
    for start in starts:
        cascade, kills = reactions.schedule.at(start)
        if not all(math.isfinite(rate) for _, rate in kills):
            raise InputError("a treatment of strength 1 kills at an infinite rate, which SBML cannot hold; give a "
                             "strength below 1 (0.999 kills 99.9% over the window)")
        values = {n: cascade.parameters.value(n) for n in params if cascade.parameters.value(n) != params.value(n)}
        out.append((start, values, {VARIABLE_NAMES[k]: rate for k, rate in kills}))
    changing = {n for _, values, _ in out for n in values}
    for _, values, _ in out:  # every event sets every changing parameter: back to its value when a window ends
        for n in changing:
            values.setdefault(n, params.value(n))
    return out


def _compartment(model, cid: str, size: float, units: str, notes: str) -> None:
    c = model.createCompartment()
    c.setId(cid)
    c.setConstant(True)
    c.setSize(float(size))
    c.setSpatialDimensions(3 if units != "dimensionless" else 0)
    if units != "dimensionless":
        c.setUnits(units)
    c.setSBOTerm(SBO["compartment"])
    _notes(c, notes)


def _species(model, sid: str, compartment: str, value: float, unit: str, description: str) -> None:
    s = model.createSpecies()
    s.setId(sid)
    s.setCompartment(compartment)
    s.setInitialConcentration(value)
    s.setHasOnlySubstanceUnits(False)
    s.setBoundaryCondition(False)
    s.setConstant(False)
    s.setSBOTerm(SBO["material entity"])
    s.setAnnotation(f"<hosim:variable xmlns:hosim={quoteattr(HOSIM_NS)} unit={quoteattr(unit)}/>")
    _notes(s, f"{description}. Unit {unit} (hosim's own: the value is a concentration in this unit).")


def _parameter(model, pid: str, value: float, unit: str, constant: bool, sbo: str, attributes: dict,
               notes: str) -> None:
    p = model.createParameter()
    p.setId(pid)
    p.setValue(value)
    p.setConstant(constant)
    if unit in UNITS:
        p.setUnits(UNITS[unit][0])
    p.setSBOTerm(sbo)
    if attributes:
        text = " ".join(f"{k}={quoteattr(str(v))}" for k, v in attributes.items())
        p.setAnnotation(f"<hosim:parameter xmlns:hosim={quoteattr(HOSIM_NS)} {text}/>")
    _notes(p, notes)


def _event(model, eid: str, day: float, assignments: Mapping[str, str], description: str) -> None:
    """An event at `day` (firing at day 0 too: its trigger is false before the run starts)."""
    e = model.createEvent()
    e.setId(eid)
    e.setName(description)
    e.setUseValuesFromTriggerTime(True)
    trigger = e.createTrigger()
    trigger.setInitialValue(False)
    trigger.setPersistent(True)
    trigger.setMath(_math(f"time >= {float(day)!r}"))
    for variable, formula in assignments.items():
        a = e.createEventAssignment()
        a.setVariable(variable)
        a.setMath(_math(formula))


def _sbo(name: str, unit: str) -> str:
    if name.endswith("_hill"):
        return SBO["Hill coefficient"]
    if name.endswith("_half"):
        return SBO["Michaelis constant"]
    return SBO["kinetic constant"] if unit == "1/day" else SBO["parameter"]


def _math(formula: str):
    import libsbml

    ast = libsbml.parseL3Formula(formula)
    if ast is None:
        raise RuntimeError(f"libSBML cannot parse {formula[:200]!r}: {libsbml.getLastParseL3Error()}")
    return ast


def _notes(element, text: str) -> None:
    element.setNotes(f'<body xmlns="http://www.w3.org/1999/xhtml"><p>{escape(text)}</p></body>')


def _sid(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text)


def _check(doc) -> list[str]:
    """libSBML's consistency checks: the messages of severity error or fatal (warnings are allowed)."""
    import libsbml

    doc.checkConsistency()
    return [doc.getError(k).getMessage().strip() for k in range(doc.getNumErrors())
            if doc.getError(k).getSeverity() >= libsbml.LIBSBML_SEV_ERROR]


__all__ = ["own_series", "sbml_model"]
