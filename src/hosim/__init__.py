"""hosim: a computable model of heterotopic ossification."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hosim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
