"""A Griffe extension for the API reference: the docstrings' reST roles read as code.

The package's docstrings are Google style with Sphinx roles for cross-references
(``:func:`run```, ``:class:`~crisis_sim.ensemble.results.Results```), which
mkdocstrings would show as they are written. This turns each into inline code: the
last part of the name with ``~`` (as Sphinx shows it), the whole name without. They
are not made links, since many name objects the site does not document (private
helpers, Dask's and pandas' classes), and a link that resolves nowhere fails the build.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:func|class|mod|meth|attr|data|exc|obj|const):`(~?)([^`]+)`")


def _as_code(match: re.Match[str]) -> str:
    """One role as inline code."""
    tilde, target = match.groups()
    return f"`{target.rsplit('.', 1)[-1] if tilde else target}`"


def roles_as_code(text: str) -> str:
    """Every reST role of a docstring as inline code."""
    return _ROLE.sub(_as_code, text)


class RolesAsCode(griffe.Extension):
    """Rewrite every object's docstring before mkdocstrings parses it."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        """Rewrite ``obj``'s docstring, if it has one."""
        if obj.docstring is not None:
            obj.docstring.value = roles_as_code(obj.docstring.value)
