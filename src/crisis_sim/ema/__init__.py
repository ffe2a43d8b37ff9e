"""EMA Workbench drives crisis_sim: uncertainties, levers, outcomes, a batched evaluator.

Needs the ``ema`` extra (``pip install 'crisis-sim[ema]'``). :mod:`~crisis_sim.ema.adapter`
maps a scenario's judgement parameters to EMA uncertainties, lever templates to EMA
levers and the worlds' outcomes to EMA outcomes, as an EMA ``Model`` any evaluator
runs; :mod:`~crisis_sim.ema.evaluator` runs each policy's experiments as one vectorised
model; :mod:`~crisis_sim.ema.search` is the robust policy search behind
``crisis-sim search``.
"""

from crisis_sim.ema.adapter import (
    CrisisSimModel,
    ExperimentAdapter,
    LeverTemplate,
    PolicyAdapter,
    experiment_model,
    identifier,
    parameter_path,
    policy_model,
    scenario_design,
    template_problems,
    uncertainties,
    world_outcomes,
)
from crisis_sim.ema.evaluator import BatchedEvaluator

__all__ = [
    "BatchedEvaluator",
    "CrisisSimModel",
    "ExperimentAdapter",
    "LeverTemplate",
    "PolicyAdapter",
    "experiment_model",
    "identifier",
    "parameter_path",
    "policy_model",
    "scenario_design",
    "template_problems",
    "uncertainties",
    "world_outcomes",
]
