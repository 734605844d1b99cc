"""hosim: a computable model of heterotopic ossification."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hosim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["Result", "__version__", "simulate"]


def __getattr__(name: str):
    """`hosim.simulate` and `hosim.Result`, imported on first use (the engine pulls in numba)."""
    if name in ("simulate", "Result"):
        from hosim import simulation

        return getattr(simulation, name)
    raise AttributeError(f"module 'hosim' has no attribute {name!r}")
