"""Robustness of policies across parameter sets: percentiles and regret.

A robust decision holds up across the settings we cannot rule out (Lempert, Popper
and Bankes 2003). Each policy is evaluated on the same parameter sets (common random
numbers: the same judgement values and the same worlds' chance), which gives, for
every policy and set, the share of the set's worlds that ended in war and in a
settlement. From that table :func:`robustness_table` reads, per policy:

- the mean over sets (equal to the share over all worlds, the sets being equally large);
- the 10th and 90th percentiles across sets (:data:`LOW_PERCENTILE`,
  :data:`HIGH_PERCENTILE`): how bad the policy gets in the worse settings;
- regret (Savage 1951): in each set, how far the policy falls short of the best of the
  policies compared in that set (for war, its share above the lowest; for a
  settlement, its share below the highest), and the largest and the mean of that
  shortfall over sets.

Regret is relative to the policies compared: adding a policy can only raise the
others' regret. Each set's share is estimated from its worlds, so with few worlds per
set part of the spread across sets, and of the regret, is chance (judgement: the
search's defaults, 50 worlds per set, leave a standard error of about 5 points on a
set's share of 20%).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "AS_IS",
    "HIGH_PERCENTILE",
    "LOW_PERCENTILE",
    "MEASURES",
    "robustness_table",
]

AS_IS = "scenario_as_is"
"""The name of the row of the scenario as it stands, measured beside the policies."""

LOW_PERCENTILE = 10.0
"""The lower percentile across parameter sets (judgement, 5-25)."""

HIGH_PERCENTILE = 90.0
"""The upper percentile across parameter sets (judgement, 75-95)."""

MEASURES: dict[str, bool] = {"p_war": False, "p_settlement": True}
"""The per-set shares measured, each with whether more is better."""


def robustness_table(
    per_set: pd.DataFrame, measures: Sequence[str] = tuple(MEASURES)
) -> pd.DataFrame:
    """Each policy's mean, percentiles and regret across parameter sets.

    Args:
        per_set: One row per policy and parameter set: columns ``policy``,
            ``parameter_set`` and one per measure (shares from 0 to 1). Every policy
            must have the same parameter sets.
        measures: The columns to summarise; each must be a key of :data:`MEASURES`.

    Returns:
        One row per policy, in order of first appearance, with for each measure ``m``:
        ``m`` (the mean over sets), ``m_p10``, ``m_p90``, ``m_regret_max`` and
        ``m_regret_mean``.

    Raises:
        ValueError: If policies do not share the same parameter sets, or a measure is
            unknown or missing.
    """
    unknown = [m for m in measures if m not in MEASURES or m not in per_set.columns]
    if unknown:
        raise ValueError(f"no measure {', '.join(unknown)} in the per-set table")
    policies = list(dict.fromkeys(per_set["policy"]))
    sets = sorted(set(per_set["parameter_set"]))
    counts = per_set.groupby("policy", sort=False)["parameter_set"].nunique()
    if len(per_set) != len(policies) * len(sets) or not (counts == len(sets)).all():
        raise ValueError("every policy must be evaluated once on each of the same parameter sets")
    rows: dict[str, dict[str, float]] = {policy: {} for policy in policies}
    for measure in measures:
        grid = per_set.pivot(index="policy", columns="parameter_set", values=measure)
        grid = grid.loc[policies, sets].to_numpy(dtype=float)
        best = grid.max(axis=0) if MEASURES[measure] else grid.min(axis=0)
        regret = best - grid if MEASURES[measure] else grid - best
        low, high = np.percentile(grid, [LOW_PERCENTILE, HIGH_PERCENTILE], axis=1)
        for i, policy in enumerate(policies):
            rows[policy].update(
                {
                    measure: float(grid[i].mean()),
                    f"{measure}_p10": float(low[i]),
                    f"{measure}_p90": float(high[i]),
                    f"{measure}_regret_max": float(regret[i].max()),
                    f"{measure}_regret_mean": float(regret[i].mean()),
                }
            )
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "policy"
    return table.reset_index()
