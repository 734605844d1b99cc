"""The mouse AdBMP2 model of heterotopic ossification and its AdEmpty control (targets/mouse_bmp2.toml),
with or without a spinal cord injury (targets/mouse_injury.toml [sci_lowers_bmp2_threshold]).

Transduced cells are injected into hind-limb muscle between the femur and a peripheral nerve; with the
BMP2 vector they secrete BMP2 for days until the immune response clears them; with the empty vector the
same injection only injures the muscle; without cells it is a needle injury.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hosim.biology import Tissue
from hosim.biology.parameters import ParameterSet
from hosim.scenarios.injuries import limb_option, necrotize, sci_option, spinal_cord_injury
from hosim.scenarios.kit import Anatomy, Injury, Option, TissueScenario
from hosim.scenarios.mouse_hindlimb import placed_anatomy, placement_options

STANDARD_DOSE = 5.0  # million transduced cells (the dose of the AdBMP2 papers)


class MouseInjection(TissueScenario):
    """An injection into mouse hind-limb muscle: AdBMP2 cells, AdEmpty cells, or (dose 0) the needle alone."""

    species = "mouse"

    def __init__(self, name: str, description: str, bmp2_vector: float, dose: float = STANDARD_DOSE):
        self.name = name
        self.description = description
        self.bmp2_vector = bmp2_vector
        self.options = {
            "dose": Option(dose, 0.0, 50.0, "million cells", "transduced cells injected (0: the needle alone)"),
            **placement_options("injection_distance_um", "bolus"),
            "sci_level": sci_option(0),
            "limb": limb_option(),
        }

    def layout(self, options: Mapping[str, Any], dims: int, h: float) -> Anatomy:
        return placed_anatomy(options, "injection_distance_um", dims, h)

    def injuries(self, options: Mapping[str, Any]) -> list[Injury]:
        dose = options["dose"]

        def inject(fields: Mapping, tissue: Tissue, parameters: ParameterSet) -> None:
            """The bolus of transduced cells, its clot, the muscle it displaced and the few fibres it killed."""
            p = parameters.namespace()
            bolus = tissue.region("injection")
            fields["injected_cells"] += p.injected_cell_density * (dose / STANDARD_DOSE) * bolus
            fields["fibrin"] += p.injury_fibrin * bolus
            fields["muscle"] *= 1.0 - p.injection_damage * bolus
            necrotize(fields, bolus, p.injection_necrosis)

        return [Injury(0.0, inject, f"injection of {dose:g} million cells"),
                *spinal_cord_injury(int(options["sci_level"]), options["limb"])]
