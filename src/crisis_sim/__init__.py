"""crisis_sim: agent-based scenario modelling of the January 2022 security crisis.

The actors of the PISM Spotlight "U.S.-NATO Talks with Russia Yield No
Breakthrough" (Russia, the United States, NATO and its 30 allies, Ukraine) hold
the positions, offers and threats the brief states; :class:`CrisisModel` steps
many possible worlds of the crisis at once and ends each in one outcome class.

The public names are imported when first used (PEP 562), so ``import crisis_sim``
costs next to nothing and each name brings in only the modules it needs (the model
and its dependencies for :class:`CrisisModel`, matplotlib only for
:mod:`crisis_sim.plots`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crisis_sim.lazy import public_names
from crisis_sim.version import __version__

if TYPE_CHECKING:
    from crisis_sim.analysis.statistics import compare_scenarios
    from crisis_sim.ensemble.results import Results
    from crisis_sim.ensemble.runner import resume, run
    from crisis_sim.model.crisis import CrisisModel
    from crisis_sim.model.domain import Action, Issue, Outcome, Rung
    from crisis_sim.model.levers import Lever, LeverActor, LeverKind
    from crisis_sim.model.params import Params
    from crisis_sim.scenario.errors import ScenarioError
    from crisis_sim.scenario.files import load_scenario
    from crisis_sim.scenario.schema import Scenario

_PUBLIC: dict[str, str] = {
    "Action": "crisis_sim.model.domain",
    "CrisisModel": "crisis_sim.model.crisis",
    "Issue": "crisis_sim.model.domain",
    "Lever": "crisis_sim.model.levers",
    "LeverActor": "crisis_sim.model.levers",
    "LeverKind": "crisis_sim.model.levers",
    "Outcome": "crisis_sim.model.domain",
    "Params": "crisis_sim.model.params",
    "Results": "crisis_sim.ensemble.results",
    "Rung": "crisis_sim.model.domain",
    "Scenario": "crisis_sim.scenario.schema",
    "ScenarioError": "crisis_sim.scenario.errors",
    "compare_scenarios": "crisis_sim.analysis.statistics",
    "load_scenario": "crisis_sim.scenario.files",
    "resume": "crisis_sim.ensemble.runner",
    "run": "crisis_sim.ensemble.runner",
}
"""Each public name and the module it is imported from on first use."""

__all__ = [
    "Action",
    "CrisisModel",
    "Issue",
    "Lever",
    "LeverActor",
    "LeverKind",
    "Outcome",
    "Params",
    "Results",
    "Rung",
    "Scenario",
    "ScenarioError",
    "__version__",
    "compare_scenarios",
    "load_scenario",
    "resume",
    "run",
]

__getattr__, __dir__ = public_names(__name__, _PUBLIC)
