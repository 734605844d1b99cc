"""Errors the user can act on, shared by every layer (the engine defines them; others re-use them)."""

from hosim.engine.errors import InputError, SimulationError

__all__ = ["InputError", "SimulationError"]
