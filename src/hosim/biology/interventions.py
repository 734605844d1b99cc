"""Interventions (MODEL.md table): knockouts, drugs and genotypes as changes to the cascade's mechanisms.

An intervention never sets an outcome. It scales named parameters of the cascade (a rate, a receptor's
signalling, the home density of a cell population) or adds a loss rate to cell populations (radiation),
from its start day to its end day. Strength s in [0, 1] is the fraction of the mechanism removed: each
scaled parameter is multiplied by 1 - s * share, where share (1 unless stated, with its source) is the
part of that parameter the intervention can reach; factors of overlapping interventions multiply.

Genotypes act for the whole run and also shape the resting tissue the run starts from (a mast-cell
deficient mouse has no mast cells at day 0), so the scenario is built with their parameters. Treatments
act in a time window: the reaction function dispatches, by time, to a Cascade built with the parameters
of the treatments active then (one Cascade per distinct set of active scalings, made before the run).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from hosim.biology.cascade import Cascade
from hosim.biology.parameters import ParameterSet
from hosim.biology.variables import VARIABLE_NAMES, VARIABLES
from hosim.errors import InputError

GENOTYPE = "genotype"
TREATMENT = "treatment"
KEYS = {GENOTYPE: ("strength",), TREATMENT: ("start", "end", "strength")}
TIME_TOLERANCE_DAY = 1e-9  # the engine's times are t0 + step * dt; a window edge on a step edge counts as reached


@dataclass(frozen=True)
class Scaling:
    """One parameter an intervention scales: factor 1 - strength * share."""

    parameter: str
    share: float = 1.0
    share_source: str = ""

    def factor(self, strength: float) -> float:
        return 1.0 - strength * self.share


@dataclass(frozen=True)
class Intervention:
    """A named change of mechanism, with the MODEL.md step it acts at and the evidence behind it.

    kills: cell populations given an extra loss during the window, so that a fraction `strength` of
    them dies in it (radiation). default_duration: days from start to end when no end is given (None:
    to the end of the run).
    """

    name: str
    kind: str
    steps: str
    description: str
    evidence: str
    scales: tuple[Scaling, ...] = ()
    sets: tuple[tuple[str, float], ...] = ()  # (parameter, value it moves to at strength 1): gains of function
    kills: tuple[str, ...] = ()
    default_strength: float = 1.0
    strength_source: str = "complete loss of the mechanism (a null allele, or the cited full-blocking dose)"
    default_duration: float | None = None
    duration_source: str = ""

    def scaled(self, strength: float) -> dict[str, float]:
        """name -> factor of every parameter this intervention changes at `strength`."""
        return {s.parameter: s.factor(strength) for s in self.scales}

    def effect(self) -> str:
        """One line: what is scaled or killed, for listings."""
        parts = [f"{s.parameter} x (1 - {'' if s.share == 1.0 else f'{s.share:g} '}s)" for s in self.scales]
        parts += [f"{name} -> {value:g} (x s)" for name, value in self.sets]
        if self.kills:
            parts.append(f"kills a fraction s of {', '.join(self.kills)} over the window")
        return "; ".join(parts)


INTERVENTIONS: dict[str, Intervention] = {
    i.name: i
    for i in (
        Intervention(
            "trpv1-ko", GENOTYPE, "2",
            "TRPV1-/- mouse: BMP2 no longer releases substance P from sensory fibres (resting release stays)",
            "Salisbury 2011 J Cell Biochem 112:2748: in TRPV1-/- mice BMP2-induced SP/CGRP release is suppressed "
            "and HO dramatically inhibited",
            scales=(Scaling("exocytosis_bmp2"),),
        ),
        Intervention(
            "ppt-ko", GENOTYPE, "2",
            "preprotachykinin-A (Tac1) null mouse: sensory fibres make no substance P at all",
            "Kan 2011 J Cell Biochem 112:2759: loss of substance P (PPT null) prevents HO",
            scales=(Scaling("sp_content"),),
        ),
        Intervention(
            "nk1r-antagonist", TREATMENT, "2",
            "NK1R antagonist: substance P no longer degranulates or recruits mast cells",
            "Kan 2011 J Cell Biochem 112:2759: NK1R antagonist RP-67580 profoundly inhibits HO; conflict: "
            "aprepitant had no effect in an FOP mouse (Brennan 2018 Bone 109:259)",
            scales=(Scaling("mast_degranulation"), Scaling("mast_recruitment")),
        ),
        Intervention(
            "mast-cell-deficient", GENOTYPE, "2-3",
            "mast-cell-deficient mouse (Kit W-sh/W-sh): no mast cells in muscle or epineurium, none recruited",
            "Kan 2011 (loss of NK1R+ mast cells inhibits HO); Grimbaldeston 2005 Am J Pathol 167:835 "
            "(Kit W-sh/W-sh mice lack tissue mast cells)",
            scales=(Scaling("mast_density_muscle"), Scaling("mast_density_epineurium")),
        ),
        Intervention(
            "cromolyn", TREATMENT, "2-3",
            "mast cell stabiliser: degranulation blocked in part",
            "Salisbury 2011 J Cell Biochem 112:2748: cromolyn significantly reduces HO; Oka 2012 Lab Invest "
            "92:1472: cromolyn inhibits mouse mast cells only partly, at high dose",
            scales=(Scaling("mast_degranulation"),),
            default_strength=0.5,
            strength_source="assumption: half of degranulation blocked (MODEL.md 'in part'; Oka 2012: mouse mast "
            "cells answer cromolyn weakly); plausible 0.2-0.9",
        ),
        Intervention(
            "mmp9-inactive", GENOTYPE, "3",
            "MMP-9 stays pro-form (as in larger animals): no active MMP-9, the blood-nerve barrier stays shut",
            "seed review: without activated MMP-9 no HO separate and distal from skeletal bone, only orthotopic "
            "bone from periosteal progenitors; Gugala 2018 Front Neurol 9:408 (MMP-9 opens the barrier)",
            scales=(Scaling("mmp9_per_degranulation"), Scaling("mmp9_macrophage"), Scaling("mmp9_tbat")),
        ),
        Intervention(
            "plasminogen-deficient", GENOTYPE, "3",
            "Plg-/- mouse: no plasmin, so neither MMP-9 activation nor fibrin clearance (both roles; see conflicts)",
            "seed review (plasmin activates MMP-9, needed for HO) versus Yuasa 2015 J Clin Invest 125:3117 and "
            "Mignemi 2017 J Bone Miner Res 32:294 (Plg-/- mice: fibrin persists, more HO)",
            scales=(Scaling("plasmin_generation"),),
        ),
        Intervention(
            "beta3-blocker", TREATMENT, "6",
            "beta3-adrenergic antagonist: noradrenaline no longer activates perineurial cells into tBAT",
            "Salisbury 2012 Stem Cells Transl Med: beta3-AR+ perineurial cells become transient brown fat under "
            "sympathetic (noradrenaline) drive",
            scales=(Scaling("beta3_activation"),),
        ),
        Intervention(
            "hif1-inhibitor", TREATMENT, "7-8",
            "HIF1 inhibitor (PX-478, rapamycin): hypoxia no longer drives chondrogenesis or hypoxic VEGF",
            "Agarwal 2016 PNAS 113:E338: PX-478 or rapamycin inhibit Hif1a and prevent trauma-induced and genetic "
            "HO in mice (mesenchymal condensation and Sox9 lost)",
            scales=(Scaling("chondrogenesis"), Scaling("vegf_hypoxic")),
        ),
        Intervention(
            "nsaid", TREATMENT, "2",
            "COX inhibitor (indomethacin, celecoxib): no prostanoid sensitisation of TRPV1+ fibres, so less "
            "BMP2-evoked substance P",
            "Neal 2000 Acta Orthop Scand 71:122 (NSAIDs reduce HO after hip surgery, RRR 0.57); Hingtgen & Vasko "
            "1994 Brain Res 655:51 (prostanoids augment evoked SP/CGRP release from sensory neurons 2-3 fold)",
            scales=(
                Scaling(
                    "exocytosis_bmp2", 0.5,
                    "Hingtgen & Vasko 1994: prostanoids raise evoked SP release 2-3 fold, so at least half of it "
                    "depends on them (the conservative end)",
                ),
            ),
        ),
        Intervention(
            "radiation", TREATMENT, "8-11",
            "local irradiation (7-8 Gy single fraction): kills proliferating progenitors in the field",
            "Pakos 2004 Int J Radiat Oncol Biol Phys 60:888 (7-8 Gy hours before or within 72 h after surgery "
            "prevents HO); Hsieh 2024 Ann Surg (7 Gy in mice: fewer mesenchymal progenitors, less HO)",
            kills=("tissue_progenitors", "chondrocytes", "periosteal_progenitors", "perineurial_migrating",
                   "endo_activated"),
            default_strength=0.9,
            strength_source="assumption: 7 Gy leaves about 10% of proliferating mesenchymal progenitors clonogenic "
            "(typical proliferating cells 1-5%; MSCs relatively radioresistant, Nicolay 2015 Oncotarget 6:19366); "
            "plausible 0.5-0.99",
            default_duration=2.0,
            duration_source="irradiated cycling cells die at their next one or two mitoses (mitotic catastrophe); "
            "progenitors divide about once a day (progenitor_proliferation, parameters.toml)",
        ),
        Intervention(
            "acvr1-r206h", GENOTYPE, "1",
            "FOP genotype (Acvr1 R206H/+): activin A signals like a BMP through the mutant receptor, and BMP "
            "responses are enhanced; a minor injury triggers a flare-up (scenario mouse-fop-injury)",
            "Shore 2006 Nat Genet 38:525 (ACVR1 R206H causes FOP); Hatsell 2015 Sci Transl Med 7:303ra137 and "
            "Hino 2015 PNAS 112:15438 (R206H responds to activin A); Chakkalakal 2012 J Bone Miner Res "
            "27:1746 (knock-in mouse: injury-induced endochondral HO)",
            sets=(("acvr1_r206h", 1.0),),
            strength_source="one mutant allele (heterozygous, as in patients); strength is the fraction of ACVR1 "
            "signalling carried by the mutant receptor",
        ),
        Intervention(
            "activin-a-antibody", TREATMENT, "1",
            "garetosmab (anti-activin A): activin A no longer reaches ACVR1 R206H, removing the FOP trigger",
            "Hatsell 2015 Sci Transl Med 7:303ra137 (activin A antibodies prevent HO in Acvr1 R206H mice)",
            scales=(Scaling("acvr1_activin_gain"),),
        ),
        Intervention(
            "palovarotene", TREATMENT, "8",
            "RAR-gamma agonist: progenitors no longer become chondrocytes",
            "Shimono 2011 Nat Med 17:454 (RAR-gamma agonists block chondrogenesis and HO in mice); Chakkalakal 2016 "
            "J Bone Miner Res 31:1666 (palovarotene in Acvr1 R206H mice)",
            scales=(Scaling("chondrogenesis"),),
        ),
    )
}

@dataclass(frozen=True)
class Applied:
    """One intervention as it acts in a run: resolved timing and strength."""

    intervention: Intervention
    start: float
    end: float
    strength: float

    def record(self) -> dict:
        """The resolved spec written to summary.json."""
        return {"name": self.intervention.name, "kind": self.intervention.kind, "start": self.start,
                "end": self.end, "strength": self.strength}

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
    if name not in INTERVENTIONS:
        raise InputError(f"unknown intervention {name!r}; allowed: {', '.join(INTERVENTIONS)}")
    item = INTERVENTIONS[name]
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
    if not 0.0 <= strength <= 1.0:
        raise InputError(f"intervention {name}: strength must lie in [0, 1], got {strength:g}")
    if checked.get("start", 0.0) < 0.0:
        raise InputError(f"intervention {name}: start must be >= 0 days, got {checked['start']:g}")
    return item, {**checked, "strength": strength}


def resolve(specs: Sequence, days: float) -> list[Applied]:
    """Checked, timed interventions of a run of `days` days; InputError names the bad value and what is allowed."""
    applied = []
    for spec in specs:
        item, opts = parse_spec(spec)
        start = opts.get("start", 0.0)
        if item.kind == GENOTYPE:
            end = days
        elif "end" in opts:
            end = opts["end"]
        else:
            end = days if item.default_duration is None else start + item.default_duration
        if start >= days:
            raise InputError(f"intervention {item.name}: start ({start:g}) is not within the run (0 to {days:g} days)")
        if not start < end:
            raise InputError(f"intervention {item.name}: start ({start:g}) must come before end ({end:g})")
        applied.append(Applied(item, start, end, opts["strength"]))
    return applied


def scaled_parameters(parameters: ParameterSet, applied: Sequence[Applied]) -> ParameterSet:
    """The parameter set with every scaling of `applied` multiplied in, then every gain of function set
    (a fraction `strength` of the way to its target).

    dataclasses.replace, not ParameterSet.with_values: a knockout deliberately leaves the plausible range
    (to zero); the strength was checked instead.
    """
    factors: dict[str, float] = {}
    for a in applied:
        for name, f in a.intervention.scaled(a.strength).items():
            if name not in parameters:
                raise InputError(f"intervention {a.intervention.name} scales {name!r}, which this parameter set lacks")
            factors[name] = factors.get(name, 1.0) * f
    params = {n: parameters[n] for n in parameters}
    for name, f in factors.items():
        params[name] = replace(params[name], value=params[name].value * f)
    for a in applied:
        for name, target in a.intervention.sets:
            if name not in params:
                raise InputError(f"intervention {a.intervention.name} sets {name!r}, which this parameter set lacks")
            value = params[name].value
            params[name] = replace(params[name], value=value + a.strength * (target - value))
    return ParameterSet(params)


class Schedule:
    """The treatments of a run cut into time segments (between consecutive start and end days), each with
    its own Cascade and kill rates, built once before the run."""

    def __init__(self, base: Cascade, treatments: Sequence[Applied]):
        edges = sorted({a.start for a in treatments} | {a.end for a in treatments})
        self.edges = [e - TIME_TOLERANCE_DAY for e in edges]
        first_times = [edges[0] - 1.0] + edges  # one time in each segment: before the first edge, then each edge
        cascades: dict[frozenset, Cascade] = {frozenset(): base}  # keyed by the active treatments that scale
        self.segments = []
        for t in first_times:
            active = [k for k, a in enumerate(treatments) if a.active(t)]
            scaling = frozenset(k for k in active if treatments[k].intervention.scales)
            if scaling not in cascades:
                chosen = [treatments[k] for k in sorted(scaling)]
                cascades[scaling] = Cascade(scaled_parameters(base.parameters, chosen), base.tissue,
                                            base.context.bmp2_vector)
            self.segments.append((cascades[scaling], _kills([treatments[k] for k in active])))

    def at(self, t: float):
        """(Cascade, [(variable index, extra loss rate)]) acting at day t."""
        return self.segments[bisect_right(self.edges, t)]


def _kills(active: Sequence[Applied]) -> list[tuple[int, float]]:
    rates: dict[int, float] = {}
    for a in active:
        for population in a.intervention.kills:
            k = VARIABLE_NAMES.index(population)
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

    def __call__(self, fields, scalars, t, production, loss, scalar_production, scalar_loss) -> None:
        cascade, kills = self.schedule.at(t)
        cascade(fields, scalars, t, production, loss, scalar_production, scalar_loss)
        for k, rate in kills:
            loss[k] += rate


def build_with_interventions(scenario, specs: Sequence, **build) -> tuple[object, list[dict]]:
    """Build `scenario` with the interventions of `specs` acting; returns the Setup and the resolved specs.

    Genotypes: the scenario is rebuilt with their parameters (its resting state then matches them), which
    needs a scenario that takes `parameters`. Treatments: the Setup's reactions become a TimedReactions.
    """
    for spec in specs:
        parse_spec(spec)  # bad names and values fail before any building
    setup = scenario.build(**build)
    applied = resolve(specs, setup.days)
    genotypes = [a for a in applied if a.intervention.kind == GENOTYPE]
    treatments = [a for a in applied if a.intervention.kind == TREATMENT]
    if genotypes:
        if "parameters" not in scenario.defaults:
            raise InputError(f"scenario {scenario.name} takes no parameter set, so genotypes cannot act on it")
        setup = scenario.build(**{**build, "parameters": scaled_parameters(setup.parameters, genotypes)})
    if treatments:
        if not isinstance(setup.reactions, Cascade):
            raise InputError(f"scenario {scenario.name} does not run the cascade, so treatments cannot act on it")
        setup = replace(setup, reactions=TimedReactions(setup.reactions, treatments))
    return setup, [a.record() for a in applied]


def transport_parameters() -> set[str]:
    """Parameters that set diffusion: the engine's transport is fixed for a run, so only genotypes may
    change them."""
    return {v.diffusivity for v in VARIABLES if v.diffusivity}


def check_registry(parameters: ParameterSet) -> None:
    """Every intervention names parameters and populations that exist; treatments touch no diffusivity."""
    transport = transport_parameters()
    for item in INTERVENTIONS.values():
        for s in item.scales:
            if s.parameter not in parameters:
                raise ValueError(f"{item.name}: unknown parameter {s.parameter}")
            if item.kind == TREATMENT and s.parameter in transport:
                raise ValueError(f"{item.name}: a treatment cannot change the diffusivity {s.parameter}")
            if not 0.0 < s.share <= 1.0:
                raise ValueError(f"{item.name}: share of {s.parameter} must lie in (0, 1]")
        for name, _ in item.sets:
            if name not in parameters:
                raise ValueError(f"{item.name}: unknown parameter {name}")
        for population in item.kills:
            if population not in VARIABLE_NAMES:
                raise ValueError(f"{item.name}: unknown population {population}")


def listing() -> list[dict]:
    """Every intervention with what it does and its evidence (for `hosim interventions`)."""
    rows = []
    for item in INTERVENTIONS.values():
        rows.append({
            "name": item.name,
            "kind": item.kind,
            "steps": item.steps,
            "description": item.description,
            "acts_on": item.effect(),
            "default_strength": item.default_strength,
            "strength_source": item.strength_source,
            "default_window": "whole run" if item.kind == GENOTYPE else (
                f"start 0, for {item.default_duration:g} days ({item.duration_source})" if item.default_duration
                else "start 0, to the end of the run"),
            "evidence": item.evidence,
        })
    return rows


__all__ = [
    "INTERVENTIONS",
    "Applied",
    "Intervention",
    "Scaling",
    "Schedule",
    "TimedReactions",
    "build_with_interventions",
    "check_registry",
    "listing",
    "resolve",
    "scaled_parameters",
]
