"""Load ``docs/build_model_card.py``, the script that writes the model card, as a module.

The tests read the card's generated sections and the H1 settings from it; the script
itself never imports the tests.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BUILDER = Path(__file__).resolve().parents[1] / "docs" / "build_model_card.py"


def load_builder() -> ModuleType:
    """The builder module, loaded once per process."""
    name = "build_model_card"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BUILDER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module
