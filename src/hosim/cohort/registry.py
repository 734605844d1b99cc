"""The experiments `hosim experiment` runs, registered once (docs/architecture.md "How to add an
experiment"): each one's name, description, the options it takes and where it is planned. `--help`, the
refusal of an option an experiment does not take, and docs/generated/registries.md are made from this
table. Standard library only, so the command's help is built without loading the model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from hosim.errors import InputError

# The options of `hosim experiment` beyond --out and --workers, with the flag each is given by.
FLAGS = {"dims": "--dims", "days": "--days", "resolution_um": "--resolution", "seed": "--seed", "species": "--species",
         "scenario": "--scenario", "method": "--method", "n": "--n", "parameters": "--parameters",
         "setting": "--setting", "patients": "--patients", "span": "--span"}
RUN = ("dims", "days", "resolution_um", "seed", "species")
METHODS = ("morris", "sobol")  # the sensitivity screens' methods (SALib), the first the default
DESIGN = ("scenario", "method", "n", "parameters", "span", "setting", "patients")


@dataclass(frozen=True)
class Plan:
    """An experiment checked and ready: what it is (one line for the terminal, or ""), and how to run it
    into a folder: run(out, workers, client, progress) -> (report, {"computed", "reused"}, unit counted)."""

    line: str
    run: Callable[..., tuple[dict, dict, str]]


@dataclass(frozen=True)
class ExperimentEntry:
    """One registered experiment: `home` is what plans it ("module:attribute", loaded when it is run, or the
    object itself), home.plan(name, options, workers) -> Plan, checking every option before any work: a
    case experiment (cohort.experiments.Experiment) or a design (the sensitivity screens)."""

    name: str
    description: str
    takes: tuple[str, ...]
    home: Any

    def target(self):
        """What `home` names."""
        if not isinstance(self.home, str):
            return self.home
        module, attribute = self.home.split(":")
        return getattr(import_module(module), attribute)

    def plan(self, options: Mapping[str, Any], workers: int | None = None) -> Plan:
        """Refuse an option this experiment does not take (naming those that take it), then plan it."""
        given = {key: value for key, value in options.items() if value is not None}
        foreign = [key for key in given if key not in self.takes]
        if foreign:
            takers = sorted({e.name for e in EXPERIMENTS.values() for key in foreign if key in e.takes})
            raise InputError(f"{', '.join(FLAGS[k] for k in foreign)}: only the {' and '.join(takers)} experiment"
                             f"{'s take' if len(takers) > 1 else ' takes'} these options; {self.name} takes "
                             f"{', '.join(FLAGS[k] for k in self.takes)}")
        return self.target().plan(self.name, given, workers)


EXPERIMENTS: dict[str, ExperimentEntry] = {
    e.name: e
    for e in (
        ExperimentEntry("knockouts", "control and each knockout or drug of targets [knockouts], as ratios to the "
                        "control", RUN, "hosim.cohort.experiments:KNOCKOUTS"),
        ExperimentEntry("dose-response", "heterotopic bone against BMP2 dose, with the threshold dose", RUN,
                        "hosim.cohort.experiments:DOSE_RESPONSE"),
        ExperimentEntry("timing", "each prophylaxis started on day 0, 1, 2, 3, 5 or 7: how much bone it prevents",
                        RUN, "hosim.cohort.experiments:TIMING"),
        ExperimentEntry("injuries", "injuries without injected BMP2 (targets/mouse_injury.toml): two hits, local "
                        "hits, macrophages, glucocorticoid, SCI level, burn/tenotomy, FOP, with each case's origin "
                        "shares", RUN, "hosim.cohort.experiments:INJURIES"),
        ExperimentEntry("sensitivity", "global sensitivity (SALib) of one scenario's bone, onset and lineage "
                        "shares to its parameters; with --setting, of a setting's cohort incidence, grouped by "
                        "cascade step", RUN + DESIGN, "hosim.cohort.incidence_sensitivity:SENSITIVITY"),
    )
}


def get_experiment(name: str) -> ExperimentEntry:
    """The experiment called `name`; InputError listing the registered ones."""
    try:
        return EXPERIMENTS[name]
    except (KeyError, TypeError):
        raise InputError(f"unknown experiment {name!r}; allowed: {', '.join(EXPERIMENTS)}") from None


__all__ = ["DESIGN", "EXPERIMENTS", "FLAGS", "METHODS", "RUN", "ExperimentEntry", "Plan", "get_experiment"]
