"""crisis_sim: agent-based scenario modelling of the January 2022 security crisis.

The actors of the PISM Spotlight "U.S.-NATO Talks with Russia Yield No
Breakthrough" (Russia, the United States, NATO and its 30 allies, Ukraine) hold
the positions, offers and threats the brief states; :class:`CrisisModel` steps
many possible worlds of the crisis at once and ends each in one outcome class.
"""

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
from crisis_sim.version import __version__

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
