"""Scenarios: injuries as geometry, initial conditions and sources on the cascade (DESIGN.md)."""

from hosim.errors import InputError
from hosim.scenarios.base import Scenario, Setup
from hosim.scenarios.mouse import MouseScenario

SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        MouseScenario(
            "mouse-bmp2",
            "Mouse hind limb injected with AdBMP2-transduced cells between femur and nerve (the HO model)",
            bmp2_vector=1.0,
        ),
        MouseScenario(
            "mouse-empty",
            "Control: the same injection of AdEmpty-transduced cells (needle injury and cells, no BMP2)",
            bmp2_vector=0.0,
        ),
        MouseScenario(
            "mouse-fop-injury",
            "Minor muscle injury (a needle injury, no cells, no BMP2); run with -i acvr1-r206h for the FOP mouse",
            bmp2_vector=0.0,
            dose=0.0,
        ),
    )
}


def get_scenario(name: str) -> Scenario:
    """The scenario called `name`; InputError listing the allowed names otherwise."""
    try:
        return SCENARIOS[name]
    except (KeyError, TypeError):
        raise InputError(f"unknown scenario {name!r}; allowed: {', '.join(SCENARIOS)}") from None


__all__ = ["SCENARIOS", "Scenario", "Setup", "get_scenario"]
