"""The package's version, read once from its installed metadata."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("crisis-sim")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
