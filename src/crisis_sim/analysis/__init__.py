"""Analysis of ensembles: statistics and paired comparison, sensitivity, discovery, reference.

:mod:`~crisis_sim.analysis.statistics` (paired comparison on common random numbers,
cumulative incidence and the share reached by a few dates, convergence, and the text
tables of the command line; the Wilson interval and the outcome table, which the
results carry, are re-exported here),
:mod:`~crisis_sim.analysis.sensitivity` (SALib), :mod:`~crisis_sim.analysis.discovery`
(PRIM) and :mod:`~crisis_sim.analysis.reference` (the weighted-mean reference).
"""

from crisis_sim.analysis.statistics import (
    by_date,
    compare_scenarios,
    convergence,
    cumulative_incidence,
    format_by_date,
    format_comparison,
    format_invasions,
    format_outcome_table,
    format_transitions,
    independent_difference,
    paired_comparison,
    paired_difference,
    transitions,
)
from crisis_sim.ensemble.results import outcome_table, wilson_interval

__all__ = [
    "by_date",
    "compare_scenarios",
    "convergence",
    "cumulative_incidence",
    "format_by_date",
    "format_comparison",
    "format_invasions",
    "format_outcome_table",
    "format_transitions",
    "independent_difference",
    "outcome_table",
    "paired_comparison",
    "paired_difference",
    "transitions",
    "wilson_interval",
]
