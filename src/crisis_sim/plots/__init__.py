"""Figures of ensembles, comparisons, sensitivity and discovery (matplotlib; PNG and SVG).

The top analysis layer: every figure function returns its matplotlib Figure and takes
``ax=``; :func:`save_figure` writes one as PNG and SVG, :func:`save_main_figures` the
main figures of a result. Outcome colours are the Okabe-Ito palette.
"""

from crisis_sim.plots.figures import (
    END_STATE_UNITS,
    FAN_VARIABLES,
    NEUTRAL,
    OUTCOME_COLOURS,
    OUTCOME_LABELS,
    RESTRICTED_COLUMNS,
    RUNG_GREYS,
    SCENARIO_COLOURS,
    SCENARIO_HATCHES,
    SCENARIO_LINESTYLES,
    UNITS,
    convergence,
    cumulative_incidence,
    end_state_distributions,
    fan_chart,
    fan_charts,
    forest,
    morris,
    outcome_probabilities,
    outcomes_over_time,
    prim_box,
    prim_tradeoff,
    save_figure,
    save_main_figures,
    sobol_indices,
)

__all__ = [
    "END_STATE_UNITS",
    "FAN_VARIABLES",
    "NEUTRAL",
    "OUTCOME_COLOURS",
    "OUTCOME_LABELS",
    "RESTRICTED_COLUMNS",
    "RUNG_GREYS",
    "SCENARIO_COLOURS",
    "SCENARIO_HATCHES",
    "SCENARIO_LINESTYLES",
    "UNITS",
    "convergence",
    "cumulative_incidence",
    "end_state_distributions",
    "fan_chart",
    "fan_charts",
    "forest",
    "morris",
    "outcome_probabilities",
    "outcomes_over_time",
    "prim_box",
    "prim_tradeoff",
    "save_figure",
    "save_main_figures",
    "sobol_indices",
]
