"""hosim.biology: what is modelled (variables, parameters, the cascade), independent of the solver."""

from hosim.biology.cascade import CASCADE_STEPS, Cascade
from hosim.biology.homeostasis import resting_state
from hosim.biology.parameters import (
    Parameter,
    ParameterSet,
    load_parameters,
    species_names,
)
from hosim.biology.tissue import TISSUE_REGIONS, Tissue
from hosim.biology.variables import COMPARTMENTS, VARIABLES, units

__all__ = [
    "COMPARTMENTS",
    "CASCADE_STEPS",
    "TISSUE_REGIONS",
    "VARIABLES",
    "Cascade",
    "Parameter",
    "ParameterSet",
    "Tissue",
    "load_parameters",
    "resting_state",
    "species_names",
    "units",
]
