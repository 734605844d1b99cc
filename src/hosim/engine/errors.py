"""Errors raised by the engine: bad input (user's fault) and a run that blew up (model's fault)."""


class InputError(ValueError):
    """Bad input: names the bad value and what is allowed. The CLI turns it into exit code 2."""


class SimulationError(RuntimeError):
    """A run became non-finite or unstable; raised instead of returning NaNs."""
