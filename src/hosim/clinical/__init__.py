"""hosim.clinical: evidence table, risk estimate, radiograph grading, timeline, FHIR and patient report.

Independent of the model: nothing here imports the engine or runs a simulation.
"""

from hosim.clinical.risk import RiskEstimate, estimate_risk

__all__ = ["RiskEstimate", "estimate_risk"]
