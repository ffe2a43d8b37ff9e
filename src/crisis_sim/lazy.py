"""Public names imported when first used (PEP 562), for the package and its subpackages.

``import crisis_sim.model.domain`` runs ``crisis_sim/model/__init__.py`` first: were
that to import the whole model, every light command would pay for Mesa, numba and
pandas. So the package and the subpackages whose public names bring in heavy libraries
name them in a table and import each from its module on first use.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def public_names(
    module: str, public: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module's ``__getattr__`` and ``__dir__`` for the names of ``public``.

    Args:
        module: The module's name (its ``__name__``).
        public: Each public name and the module it is imported from.
    """

    def __getattr__(name: str) -> Any:
        """Import a public name on first use, and keep it (PEP 562)."""
        source = public.get(name)
        if source is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(source), name)
        setattr(sys.modules[module], name, value)
        return value

    def __dir__() -> list[str]:
        """The module's names, the public ones not yet imported included."""
        return sorted({*vars(sys.modules[module]), *public})

    return __getattr__, __dir__
