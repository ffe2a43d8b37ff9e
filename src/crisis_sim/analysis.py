"""Statistics of ensembles: outcome probabilities with honest intervals.

Intervals are Wilson score intervals (Wilson 1927; recommended over the Wald
interval by Brown, Cai and DasGupta 2001), which stay inside [0, 1] and keep their
coverage for rare outcomes such as a direct NATO-Russia clash.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crisis_sim.domain import OUTCOMES

Z_95 = 1.959963984540054
"""The standard normal quantile of a two-sided 95% interval."""


def wilson_interval(
    successes: np.ndarray | int, trials: np.ndarray | int, z: float = Z_95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion.

    Args:
        successes: Number of worlds with the outcome.
        trials: Number of worlds (must be positive).
        z: Normal quantile (1.96 for 95%).

    Returns:
        The lower and upper bounds.
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    if np.any(n <= 0):
        raise ValueError("a Wilson interval needs at least one trial")
    share = k / n
    denominator = 1.0 + z**2 / n
    centre = (share + z**2 / (2 * n)) / denominator
    half = z * np.sqrt(share * (1 - share) / n + z**2 / (4 * n**2)) / denominator
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def outcome_table(worlds: pd.DataFrame) -> pd.DataFrame:
    """Probability of each outcome with its 95% Wilson interval and median week.

    Args:
        worlds: A per-world table with ``outcome`` and ``week`` columns.

    Returns:
        One row per outcome class (all five, in order): ``worlds``, ``probability``,
        ``low``, ``high`` (the 95% interval) and ``median_week`` (NaN if none).
    """
    total = len(worlds)
    if total == 0:
        raise ValueError("no worlds to summarise")
    rows = []
    for outcome in OUTCOMES:
        mask = (worlds["outcome"] == outcome.key).to_numpy()
        count = int(mask.sum())
        low, high = wilson_interval(count, total)
        weeks = worlds["week"].to_numpy()[mask]
        rows.append(
            {
                "outcome": outcome.key,
                "worlds": count,
                "probability": count / total,
                "low": float(low),
                "high": float(high),
                "median_week": float(np.median(weeks)) if count else np.nan,
            }
        )
    return pd.DataFrame(rows).set_index("outcome")


def format_outcome_table(table: pd.DataFrame) -> str:
    """The outcome table as aligned text for a terminal."""
    lines = [f"{'outcome':<20} {'probability':>11}  {'95% interval':>15}  {'median week':>11}"]
    for outcome, row in table.iterrows():
        week = "-" if np.isnan(row["median_week"]) else f"{row['median_week']:.0f}"
        interval = f"{100 * row['low']:5.1f} - {100 * row['high']:5.1f}%"
        lines.append(f"{outcome:<20} {100 * row['probability']:10.1f}%  {interval:>15}  {week:>11}")
    return "\n".join(lines)
