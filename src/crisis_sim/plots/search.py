"""The robust search's figure: the Pareto set in parallel coordinates.

One vertical axis per lever of the search and per measure (the held-out ones too,
when the search measured them), each scaled from its
lowest to its highest value in the table (a lever switched off, or the scenario as it
is, leaves a gap on its level and week axes); one line per policy, coloured by its
probability of war (the full-invasion colour's ramp, darker for more war), the
scenario as it is dashed in grey.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

from crisis_sim.analysis.robustness import AS_IS
from crisis_sim.model.domain import Outcome

__all__ = ["HELD_OUT_AXES", "MEASURE_AXES", "parallel_coordinates"]

MEASURE_AXES: dict[str, str] = {
    "p_war": "P(war)",
    "p_war_p90": "P(war)\n90th pct",
    "p_settlement": "P(settlement)",
    "p_settlement_p10": "P(settlement)\n10th pct",
}
"""The measures drawn after the levers, with their axis labels."""

HELD_OUT_AXES: dict[str, str] = {
    "p_war_held_out": "P(war)\nheld out",
    "p_settlement_held_out": "P(settlement)\nheld out",
}
"""The held-out measures, drawn after those when the table has them."""


def parallel_coordinates(
    pareto: pd.DataFrame,
    levers: Sequence[str],
    *,
    title: str = "Pareto set of the robust search",
    ax: Axes | None = None,
) -> Figure:
    """The Pareto set as parallel coordinates: its levers, then P(war) and P(settlement).

    Args:
        pareto: The search's table (``SearchResult.pareto``): ``policy``, the levers
            and the measures of :data:`MEASURE_AXES`.
        levers: The lever columns to draw, in order.
        title: The figure's title.
        ax: Axes to draw on (a new figure if None).

    Raises:
        KeyError: If a lever or measure column is missing.
    """
    labels = {**MEASURE_AXES, **{k: v for k, v in HELD_OUT_AXES.items() if k in pareto.columns}}
    columns = [*levers, *labels]
    missing = [c for c in [*columns, "policy"] if c not in pareto.columns]
    if missing:
        raise KeyError(f"the Pareto table has no column {', '.join(missing)}")
    if ax is None:
        figure, ax = plt.subplots(figsize=(max(7.0, 0.9 * len(columns)), 4.5))
    else:
        figure = ax.figure  # type: ignore[assignment]
    values = pareto[columns].to_numpy(dtype=float)
    seen = [column[np.isfinite(column)] for column in values.T]
    low = np.array([column.min() if column.size else 0.0 for column in seen])
    high = np.array([column.max() if column.size else 1.0 for column in seen])
    span = np.where(high > low, high - low, 1.0)
    scaled = (values - low) / span
    war = pareto["p_war"].to_numpy(dtype=float)
    ramp = LinearSegmentedColormap.from_list("war", ["#f3d3bd", Outcome.FULL_INVASION.colour])
    low_war = float(np.nanmin(war))
    high_war = max(float(np.nanmax(war)), low_war + 1e-9)
    norm = plt.Normalize(low_war, high_war)
    x = np.arange(len(columns))
    for i, policy in enumerate(pareto["policy"]):
        as_is = policy == AS_IS
        ax.plot(
            x,
            scaled[i],
            color="#777777" if as_is else ramp(norm(war[i])),
            linestyle="--" if as_is else "-",
            linewidth=1.2 if as_is else 1.6,
            marker="o",
            markersize=3,
            label="scenario as it is" if as_is else None,
        )
    for position, column in enumerate(columns):
        ax.axvline(position, color="#cccccc", linewidth=0.8, zorder=0)
        percent = column in labels
        scale = 100.0 if percent else 1.0
        unit = "%" if percent else ""
        ax.annotate(
            f"{scale * high[position]:.3g}{unit}", (position, 1.02), ha="center", fontsize=7
        )
        ax.annotate(
            f"{scale * low[position]:.3g}{unit}", (position, -0.06), ha="center", fontsize=7
        )
    ax.set_xticks(x, [labels.get(c, c.replace("_", " ")) for c in columns], fontsize=7)
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
    ax.set_yticks([])
    ax.set_ylim(-0.1, 1.08)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    colours = plt.cm.ScalarMappable(norm=plt.Normalize(100 * low_war, 100 * high_war), cmap=ramp)
    figure.colorbar(colours, ax=ax, label="P(war), %", fraction=0.03)
    if (pareto["policy"] == AS_IS).any():
        ax.legend(loc="upper left", fontsize=7, frameon=False, bbox_to_anchor=(0.0, 1.14))
    ax.set_title(title, fontsize=10, pad=18)
    figure.tight_layout()
    return figure
