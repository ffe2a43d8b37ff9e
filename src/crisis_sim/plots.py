"""Figures of ensembles (matplotlib). Each function returns its Figure and takes ``ax=``.

One colour per outcome in every figure, from the Okabe-Ito palette, which stays
distinguishable for colour-blind readers (Okabe and Ito 2008).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from crisis_sim.domain import OUTCOMES, Rung

if TYPE_CHECKING:
    from crisis_sim.results import Results

OUTCOME_COLOURS: dict[str, str] = {
    "de_escalation": "#009E73",
    "standoff": "#56B4E9",
    "limited_incursion": "#E69F00",
    "full_invasion": "#D55E00",
    "nato_russia_clash": "#000000",
}
"""Okabe-Ito colour of each outcome, used by every figure."""

RUNG_GREYS: dict[str, str] = {
    f"ongoing_{rung.name.lower()}": grey
    for rung, grey in zip(
        Rung, ("#f0f0f0", "#d9d9d9", "#bdbdbd", "#969696", "#737373"), strict=True
    )
}
"""Shades of grey for worlds still running, by rung (darker is higher)."""

OUTCOME_LABELS: dict[str, str] = {
    "de_escalation": "Negotiated de-escalation",
    "standoff": "Standoff",
    "limited_incursion": "Limited incursion",
    "full_invasion": "Full-scale invasion",
    "nato_russia_clash": "NATO-Russia clash",
}
"""How each outcome is named in figures."""

UNITS: dict[str, str] = {
    "rung": "escalation rung (0 diplomacy - 4 invasion)",
    "sanctions": "sanctions tier (0-3)",
    "posture": "Eastern Flank posture (0-2)",
    "support": "support to Ukraine (0-2)",
    "cohesion": "alliance cohesion (0-1)",
    "resolve_belief": "Russia's belief in Western resolve (0-1)",
}
"""Axis label, with its unit, of each week-by-week variable."""


def _axes(ax: Axes | None, size: tuple[float, float] = (7.0, 4.0)) -> tuple[Figure, Axes]:
    if ax is not None:
        figure = ax.get_figure()
        assert isinstance(figure, Figure)
        return figure, ax
    figure, new_ax = plt.subplots(figsize=size, layout="constrained")
    return figure, new_ax


def _title(results: Results) -> str:
    name = results.scenario.name or "scenario"
    return f"{name}: {results.runs:,} worlds"


def outcome_probabilities(results: Results, *, ax: Axes | None = None) -> Figure:
    """Probability of each outcome with its 95% Wilson interval, as bars with whiskers."""
    figure, ax = _axes(ax)
    table = results.outcome_table()
    keys = [o.key for o in OUTCOMES]
    shares = 100 * table.loc[keys, "probability"].to_numpy()
    low = 100 * table.loc[keys, "low"].to_numpy()
    high = 100 * table.loc[keys, "high"].to_numpy()
    positions = np.arange(len(keys))
    ax.bar(
        positions,
        shares,
        color=[OUTCOME_COLOURS[k] for k in keys],
        yerr=np.vstack([shares - low, high - shares]),
        capsize=4,
        ecolor="#444444",
    )
    for x, share in zip(positions, shares, strict=True):
        ax.annotate(
            f"{share:.1f}%",
            (x, share),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xticks(positions, [OUTCOME_LABELS[k] for k in keys], rotation=15, ha="right")
    ax.set_ylabel("probability (% of worlds), 95% interval")
    ax.set_ylim(0, max(100.0, float(high.max()) + 5) if high.max() > 90 else float(high.max()) + 8)
    ax.set_title(f"Outcomes after {results.scenario.run.horizon} weeks - {_title(results)}")
    return figure


def outcomes_over_time(results: Results, *, ax: Axes | None = None) -> Figure:
    """Share of worlds in each state week by week, as stacked bars (one bar a week).

    Worlds still running are grey by rung; worlds that have ended take their
    outcome's colour. At the horizon the worlds still running are classed as a
    standoff or a limited incursion, so the last bar holds outcomes only.
    """
    figure, ax = _axes(ax)
    shares = results.state_shares()
    columns = [*RUNG_GREYS, *(o.key for o in OUTCOMES)]
    colours = [*RUNG_GREYS.values(), *(OUTCOME_COLOURS[o.key] for o in OUTCOMES)]
    labels = [
        *(f"running: {rung.name.lower().replace('_', ' ')}" for rung in Rung),
        *(OUTCOME_LABELS[o.key] for o in OUTCOMES),
    ]
    weeks = shares.index.to_numpy()
    bottom = np.zeros(len(weeks))
    for column, colour, label in zip(columns, colours, labels, strict=True):
        values = 100 * shares[column].to_numpy()
        ax.bar(
            weeks,
            values,
            bottom=bottom,
            width=1.0,
            color=colour,
            label=label,
            edgecolor="white",
            linewidth=0.2,
        )
        bottom += values
    ax.set_xlim(-0.5, weeks.max() + 0.5)
    ax.set_ylim(0, 100)
    ax.set_xlabel(f"week after {results.scenario.run.start_date.isoformat()}")
    ax.set_ylabel("share of worlds (%)")
    ax.set_title(f"State of the crisis week by week - {_title(results)}")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)
    return figure


def fan_chart(results: Results, variable: str, *, ax: Axes | None = None) -> Figure:
    """Median with 50% and 90% bands of a week-by-week variable over all worlds."""
    figure, ax = _axes(ax)
    bands = results.weekly_quantiles(variable)
    weeks = bands.index.to_numpy()
    ax.fill_between(weeks, bands["q05"], bands["q95"], color="#0072B2", alpha=0.2, label="90% band")
    ax.fill_between(weeks, bands["q25"], bands["q75"], color="#0072B2", alpha=0.4, label="50% band")
    ax.plot(weeks, bands["q50"], color="#0072B2", linewidth=2, label="median")
    ax.set_xlabel(f"week after {results.scenario.run.start_date.isoformat()}")
    ax.set_ylabel(UNITS.get(variable, variable))
    ax.set_title(f"{UNITS.get(variable, variable).split(' (')[0]} - {_title(results)}")
    ax.legend(fontsize=8, frameon=False)
    return figure


def fan_charts(results: Results) -> Figure:
    """Fan charts of the rung, sanctions, posture and cohesion, in one figure."""
    figure, axes = plt.subplots(2, 2, figsize=(10.0, 6.5), layout="constrained", sharex=True)
    for ax, variable in zip(
        axes.ravel(), ("rung", "sanctions", "posture", "cohesion"), strict=True
    ):
        fan_chart(results, variable, ax=ax)
        ax.set_title(UNITS[variable].split(" (")[0], fontsize=10)
    figure.suptitle(f"Median, 50% and 90% bands - {_title(results)}")
    return figure


def save_main_figures(results: Results, folder: Path) -> list[Path]:
    """Draw the main figures into ``folder`` as PNG; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    figures = {
        "outcome_probabilities": outcome_probabilities(results),
        "outcomes_over_time": outcomes_over_time(results),
        "fan_charts": fan_charts(results),
    }
    paths = []
    for name, figure in figures.items():
        path = folder / f"{name}.png"
        figure.savefig(path, dpi=150)
        plt.close(figure)
        paths.append(path)
    return paths
