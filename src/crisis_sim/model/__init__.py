"""The crisis itself: its actors, their rules and parameters, and the weekly schedule.

The lowest layer of the package: it imports nothing from the scenario files,
ensembles, analysis or plots above it. :class:`~crisis_sim.model.crisis.CrisisModel`
steps many worlds of the crisis at once; each mechanism of the model card has its
module (:mod:`~crisis_sim.model.bargaining`, :mod:`~crisis_sim.model.russia`,
:mod:`~crisis_sim.model.west`, :mod:`~crisis_sim.model.concessions`,
:mod:`~crisis_sim.model.alliance`, :mod:`~crisis_sim.model.ukraine`,
:mod:`~crisis_sim.model.incidents`, :mod:`~crisis_sim.model.levers`);
:mod:`~crisis_sim.model.params` holds every parameter with its source and range,
:mod:`~crisis_sim.model.brief` the brief's items, :mod:`~crisis_sim.model.streams` and
:mod:`~crisis_sim.model.sampling` the randomness.

The names below are imported when first used (PEP 562), so that importing one
module of the model (its vocabulary, say) does not import Mesa with the whole model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crisis_sim.lazy import public_names

if TYPE_CHECKING:
    from crisis_sim.model.crisis import CrisisModel
    from crisis_sim.model.domain import OUTCOMES, Action, Issue, Outcome, Rung
    from crisis_sim.model.levers import Lever, LeverActor, LeverKind
    from crisis_sim.model.params import Params

_PUBLIC: dict[str, str] = {
    "Action": "crisis_sim.model.domain",
    "CrisisModel": "crisis_sim.model.crisis",
    "Issue": "crisis_sim.model.domain",
    "Lever": "crisis_sim.model.levers",
    "LeverActor": "crisis_sim.model.levers",
    "LeverKind": "crisis_sim.model.levers",
    "OUTCOMES": "crisis_sim.model.domain",
    "Outcome": "crisis_sim.model.domain",
    "Params": "crisis_sim.model.params",
    "Rung": "crisis_sim.model.domain",
}
"""Each public name and the module it is imported from on first use."""

__all__ = [
    "OUTCOMES",
    "Action",
    "CrisisModel",
    "Issue",
    "Lever",
    "LeverActor",
    "LeverKind",
    "Outcome",
    "Params",
    "Rung",
]

__getattr__, __dir__ = public_names(__name__, _PUBLIC)
