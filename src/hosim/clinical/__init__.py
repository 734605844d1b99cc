"""hosim.clinical: evidence table, risk estimate, radiograph grading, timeline, FHIR and patient report.

Independent of the model: nothing here imports the engine or runs a simulation. The names below load on
first use, so that grading a section (analysis/patient.py) does not load the risk calculator.
"""

from importlib import import_module

_HOMES = {"RiskEstimate": "risk", "estimate_risk": "risk"}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    try:
        home = _HOMES[name]
    except KeyError:
        raise AttributeError(f"module 'hosim.clinical' has no attribute {name!r}") from None
    return getattr(import_module(f"hosim.clinical.{home}"), name)
