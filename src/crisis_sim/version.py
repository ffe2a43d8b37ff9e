"""The package's version: the one place it is written.

``pyproject.toml`` reads it from here (``[tool.setuptools.dynamic]``), so the wheel's
metadata, ``crisis-sim --version``, every result folder's ``summary.json`` and run plan
carry this string; ``CITATION.cff`` and the newest entry of ``CHANGELOG.md`` must say the
same (``tests/test_package.py`` checks it). Change it only here, with a new CHANGELOG entry.
"""

__version__ = "0.1.0"
