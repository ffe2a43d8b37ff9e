"""The weighted-mean reference: the simple forecast elaborate bargaining models must beat.

On real decisions, the capability-and-salience weighted mean of the actors' positions
predicts outcomes as well as or better than elaborate models (Achen 2006; Bueno de
Mesquita 2011). :func:`weighted_mean_positions` computes it per issue from the
model's parameters, and :func:`reference_table` sets it beside the model's result, so
users see how far the dynamics move the outcome from it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crisis_sim.model.domain import ISSUES
from crisis_sim.model.params import Params

CAPABILITY: dict[str, float] = {
    "russia": 0.035,
    "united_states": 0.121,
    "nato_europe": 0.10,
    "ukraine": 0.0064,
}
"""Composite Index of National Capability (Correlates of War, National Material
Capabilities) as quoted for 2021 in THEORY.md; European NATO is the allies together.
The published data (v6.0) end in 2016, so these are estimates carried forward, not
figures from a release: judgement, with the ratios (U.S. > European NATO > Russia >
Ukraine) the point, not the digits."""


def actor_positions(params: Params | None = None) -> pd.DataFrame:
    """Each actor's position and salience on each issue, with its capability.

    Positions: Russia's written demands (1 on every issue, RU-D1..RU-P1); the U.S. and
    NATO at their t0 offers (US-O1, US-O2, NATO-O1, NATO-O2; 0 on their red lines);
    Ukraine at ``ukraine.position``. NATO's salience is taken as the U.S. salience
    (judgement: the brief gives no separate ordering for the allies).
    """
    params = params or Params()
    west = params.west
    actors = {
        "russia": ((1.0,) * len(ISSUES), params.russia.salience.as_tuple()),
        "united_states": (west.us_offer.as_tuple(), west.us_salience.as_tuple()),
        "nato_europe": (west.nato_offer.as_tuple(), west.us_salience.as_tuple()),
        "ukraine": (params.ukraine.position.as_tuple(), params.ukraine.salience.as_tuple()),
    }
    rows = []
    for actor, (positions, saliences) in actors.items():
        for issue, position, salience in zip(ISSUES, positions, saliences, strict=True):
            rows.append(
                {
                    "actor": actor,
                    "issue": issue.key,
                    "position": position,
                    "salience": salience,
                    "capability": CAPABILITY[actor],
                }
            )
    return pd.DataFrame(rows)


def weighted_mean_positions(params: Params | None = None) -> pd.Series:
    """Per issue, ``sum_a c_a s_a x_a / sum_a c_a s_a`` over the four actors."""
    table = actor_positions(params)
    weight = table["capability"] * table["salience"]
    weighted = (weight * table["position"]).groupby(table["issue"]).sum()
    total = weight.groupby(table["issue"]).sum()
    mean = weighted / total.where(total > 0, np.nan)
    return mean.reindex([issue.key for issue in ISSUES]).rename("weighted_mean")


def reference_table(outcomes: pd.DataFrame, params: Params | None = None) -> pd.DataFrame:
    """The weighted-mean reference beside the model's result, per issue.

    Args:
        outcomes: A per-world table with ``gain_<issue>`` columns (as from
            :meth:`crisis_sim.model.crisis.CrisisModel.outcomes`).
        params: The parameters the worlds ran with.

    Returns:
        One row per issue: the weighted mean, the model's mean gain for Russia across
        worlds, and the model's mean gain in worlds that ended in a deal.
    """
    mean = weighted_mean_positions(params)
    deal = outcomes["outcome"] == "de_escalation"
    rows = []
    for issue in ISSUES:
        column = outcomes[f"gain_{issue.key}"]
        rows.append(
            {
                "issue": issue.key,
                "weighted_mean": float(mean[issue.key]),
                "model_mean_gain": float(column.mean()),
                "model_gain_in_deals": float(column[deal].mean()) if deal.any() else np.nan,
            }
        )
    return pd.DataFrame(rows).set_index("issue")
