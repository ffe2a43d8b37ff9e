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
"""

from crisis_sim.model.crisis import CrisisModel
from crisis_sim.model.domain import OUTCOMES, Action, Issue, Outcome, Rung
from crisis_sim.model.levers import Lever, LeverActor, LeverKind
from crisis_sim.model.params import Params

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
