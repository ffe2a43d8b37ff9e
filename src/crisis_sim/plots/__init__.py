"""Figures of ensembles, comparisons, sensitivity and discovery (matplotlib; PNG, SVG).

The top analysis layer: every figure function returns its matplotlib Figure and takes
``ax=``; :func:`save_figure` writes one as PNG (and SVG on request, ``formats=``),
:func:`save_main_figures` the main figures of a result (in helper processes with
:func:`figure_helper`). Outcome colours are the Okabe-Ito palette.

The names are imported when first used (PEP 562): checking figure formats
(:mod:`~crisis_sim.plots.formats`) or handing the main figures to a helper
(:mod:`~crisis_sim.plots.helpers`) imports no matplotlib; a figure function does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crisis_sim.lazy import public_names

if TYPE_CHECKING:
    from crisis_sim.plots.figures import (
        CHANCE_LEGEND,
        END_STATE_UNITS,
        FAN_VARIABLES,
        JUDGEMENT_COLOUR,
        JUDGEMENT_LEGEND,
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
        posterior_marginals,
        posterior_pairs,
        predictive_check,
        prim_box,
        prim_tradeoff,
        save_figure,
        sobol_indices,
    )
    from crisis_sim.plots.formats import (
        DEFAULT_FORMATS,
        FIGURE_FORMATS,
        figure_formats,
    )
    from crisis_sim.plots.helpers import (
        MAIN_FIGURES,
        WEEKLY_FIGURES,
        figure_helper,
        save_main_figures,
    )

_PUBLIC: dict[str, str] = {
    "CHANCE_LEGEND": "crisis_sim.plots.figures",
    "DEFAULT_FORMATS": "crisis_sim.plots.formats",
    "END_STATE_UNITS": "crisis_sim.plots.figures",
    "FAN_VARIABLES": "crisis_sim.plots.figures",
    "FIGURE_FORMATS": "crisis_sim.plots.formats",
    "JUDGEMENT_COLOUR": "crisis_sim.plots.figures",
    "JUDGEMENT_LEGEND": "crisis_sim.plots.figures",
    "MAIN_FIGURES": "crisis_sim.plots.helpers",
    "NEUTRAL": "crisis_sim.plots.figures",
    "OUTCOME_COLOURS": "crisis_sim.plots.figures",
    "OUTCOME_LABELS": "crisis_sim.plots.figures",
    "RESTRICTED_COLUMNS": "crisis_sim.plots.figures",
    "RUNG_GREYS": "crisis_sim.plots.figures",
    "SCENARIO_COLOURS": "crisis_sim.plots.figures",
    "SCENARIO_HATCHES": "crisis_sim.plots.figures",
    "SCENARIO_LINESTYLES": "crisis_sim.plots.figures",
    "UNITS": "crisis_sim.plots.figures",
    "WEEKLY_FIGURES": "crisis_sim.plots.helpers",
    "convergence": "crisis_sim.plots.figures",
    "cumulative_incidence": "crisis_sim.plots.figures",
    "end_state_distributions": "crisis_sim.plots.figures",
    "fan_chart": "crisis_sim.plots.figures",
    "fan_charts": "crisis_sim.plots.figures",
    "figure_formats": "crisis_sim.plots.formats",
    "figure_helper": "crisis_sim.plots.helpers",
    "forest": "crisis_sim.plots.figures",
    "morris": "crisis_sim.plots.figures",
    "outcome_probabilities": "crisis_sim.plots.figures",
    "outcomes_over_time": "crisis_sim.plots.figures",
    "posterior_marginals": "crisis_sim.plots.figures",
    "posterior_pairs": "crisis_sim.plots.figures",
    "predictive_check": "crisis_sim.plots.figures",
    "prim_box": "crisis_sim.plots.figures",
    "prim_tradeoff": "crisis_sim.plots.figures",
    "save_figure": "crisis_sim.plots.figures",
    "save_main_figures": "crisis_sim.plots.helpers",
    "sobol_indices": "crisis_sim.plots.figures",
}
"""Each public name and the module it is imported from on first use."""

__all__ = [
    "CHANCE_LEGEND",
    "DEFAULT_FORMATS",
    "END_STATE_UNITS",
    "FAN_VARIABLES",
    "FIGURE_FORMATS",
    "JUDGEMENT_COLOUR",
    "JUDGEMENT_LEGEND",
    "MAIN_FIGURES",
    "NEUTRAL",
    "OUTCOME_COLOURS",
    "OUTCOME_LABELS",
    "RESTRICTED_COLUMNS",
    "RUNG_GREYS",
    "SCENARIO_COLOURS",
    "SCENARIO_HATCHES",
    "SCENARIO_LINESTYLES",
    "UNITS",
    "WEEKLY_FIGURES",
    "convergence",
    "cumulative_incidence",
    "end_state_distributions",
    "fan_chart",
    "fan_charts",
    "figure_formats",
    "figure_helper",
    "forest",
    "morris",
    "outcome_probabilities",
    "outcomes_over_time",
    "posterior_marginals",
    "posterior_pairs",
    "predictive_check",
    "prim_box",
    "prim_tradeoff",
    "save_figure",
    "save_main_figures",
    "sobol_indices",
]

__getattr__, __dir__ = public_names(__name__, _PUBLIC)
