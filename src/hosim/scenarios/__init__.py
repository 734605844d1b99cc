"""Scenarios: anatomy and injuries on the cascade, built with the scenario kit (docs/architecture.md).

Registering a scenario is one line in SCENARIOS.
"""

from hosim.errors import InputError
from hosim.scenarios.kit import Anatomy, Injury, Option, Setup, TissueScenario
from hosim.scenarios.mouse_injection import MouseInjection

SCENARIOS: dict[str, TissueScenario] = {
    s.name: s
    for s in (
        MouseInjection("mouse-bmp2", "Mouse hind limb injected with AdBMP2-transduced cells between femur and nerve "
                       "(the HO model)", bmp2_vector=1.0),
        MouseInjection("mouse-empty", "Control: the same injection of AdEmpty-transduced cells (needle injury and "
                       "cells, no BMP2)", bmp2_vector=0.0),
        MouseInjection("mouse-fop-injury", "Minor muscle injury (a needle injury, no cells, no BMP2); run with "
                       "-i acvr1-r206h for the FOP mouse", bmp2_vector=0.0, dose=0.0),
    )
}


def get_scenario(name: str) -> TissueScenario:
    """The scenario called `name`; InputError listing the allowed names otherwise."""
    try:
        return SCENARIOS[name]
    except (KeyError, TypeError):
        raise InputError(f"unknown scenario {name!r}; allowed: {', '.join(SCENARIOS)}") from None


__all__ = ["SCENARIOS", "Anatomy", "Injury", "Option", "Setup", "TissueScenario", "get_scenario"]
