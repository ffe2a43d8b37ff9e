"""Scenario files: the TOML format, its validation, ``extends`` and the bundled library.

Above the model, below ensembles: a scenario is data (parameters, uncertain
parameters, levers and events) that the model is built from.
"""

from crisis_sim.scenario.errors import ScenarioError
from crisis_sim.scenario.files import (
    bundled_dir,
    bundled_scenarios,
    json_schema,
    load_scenario,
    loads_scenario,
    scenario_from_dict,
)
from crisis_sim.scenario.schema import Scenario, safe_name

__all__ = [
    "Scenario",
    "ScenarioError",
    "bundled_dir",
    "bundled_scenarios",
    "json_schema",
    "load_scenario",
    "loads_scenario",
    "safe_name",
    "scenario_from_dict",
]
