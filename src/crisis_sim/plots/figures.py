"""Figures of ensembles and their analyses (matplotlib).

Each function returns its Figure and takes ``ax=`` (``axes=`` for several panels);
axes are labelled with their units and titles name the scenario and the number of
worlds. One colour per outcome in every figure, from the Okabe-Ito palette, which
stays distinguishable for colour-blind readers (Okabe and Ito 2008); other figures
use Okabe-Ito colours that no outcome uses, and scenarios sharing a figure of
outcome bars differ by hatching. :func:`save_figure` writes PNG, and SVG on request.

Each figure is made by pyplot, so that the backend in use (Jupyter's inline one,
say) knows how to show it, and closed at once (:func:`_figure`): none stays open in
pyplot's list, so a notebook shows a returned figure once, not also as a figure left
open at the end of the cell, and a loop of figures frees each when it is no longer
referenced.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import NullFormatter, StrMethodFormatter

from crisis_sim.ensemble.results import BINNED, EVENT_OUTCOMES, VARIABLES
from crisis_sim.model.domain import OUTCOMES, Rung
from crisis_sim.plots.formats import DEFAULT_FORMATS, figure_formats

if TYPE_CHECKING:
    from crisis_sim.calibration.posterior import Posterior
    from crisis_sim.ensemble.results import Results
    from crisis_sim.scenario.schema import Distribution

OUTCOME_COLOURS: dict[str, str] = {outcome.key: outcome.colour for outcome in OUTCOMES}
"""Okabe-Ito colour of each outcome, used by every figure, by key (from
:data:`~crisis_sim.model.domain.OUTCOME_FACTS`)."""

RUNG_GREYS: dict[str, str] = {
    f"ongoing_{rung.name.lower()}": grey
    for rung, grey in zip(
        Rung, ("#f0f0f0", "#d9d9d9", "#bdbdbd", "#969696", "#737373"), strict=True
    )
}
"""Shades of grey for worlds still running, by rung (darker is higher)."""

OUTCOME_LABELS: dict[str, str] = {outcome.key: outcome.label for outcome in OUTCOMES}
"""How each outcome is named in figures, by key (from
:data:`~crisis_sim.model.domain.OUTCOME_FACTS`)."""

UNITS: dict[str, str] = {name: VARIABLES[name].label for name in BINNED}
"""Axis label, with its unit, of each week-by-week variable (from
:data:`~crisis_sim.ensemble.results.VARIABLES`)."""


NEUTRAL = "#0072B2"
"""Okabe-Ito blue: the colour of figures that are not about one outcome."""

SCENARIO_HATCHES: tuple[str, ...] = ("", "///", "...", "xxx", "\\\\\\", "+++", "ooo", "---")
"""Hatch of each scenario, in order, when several share one figure of outcome bars."""

SCENARIO_COLOURS: tuple[str, ...] = ("#0072B2", "#CC79A7", "#555555")
"""Colours of scenarios where colour is not the outcome's (Okabe-Ito blue and
reddish purple, and grey): none is an outcome colour."""

SCENARIO_LINESTYLES: tuple[str, ...] = ("-", "--", ":", "-.")
"""Line styles that tell scenarios apart beyond three colours."""

END_STATE_UNITS: dict[str, str] = {name: variable.label for name, variable in VARIABLES.items()}
"""Axis label, with its unit, of each end-state column of ``Results.worlds`` (from
:data:`~crisis_sim.ensemble.results.VARIABLES`)."""


JUDGEMENT_COLOUR = "#8c8c8c"
"""The colour of judgement bands (the spread across parameter sets) in every figure."""

CHANCE_LEGEND = "Monte Carlo 95% (chance)"
"""The legend of chance intervals."""

JUDGEMENT_LEGEND = "judgement 5-95% (across parameter sets)"
"""The legend of judgement bands."""


def _figure(**options: object) -> Figure:
    """A new figure that pyplot does not keep open (``options`` as for ``plt.figure``).

    ``plt.figure`` rather than ``Figure()``: it sets up the backend, and with it
    Jupyter's display of a returned figure; closing it at once leaves the figure
    usable (drawn, saved, displayed) but no longer in pyplot's list of open figures.
    """
    figure = plt.figure(**options)  # type: ignore[arg-type]
    plt.close(figure)
    return figure


def _axes(ax: Axes | None, size: tuple[float, float] = (7.0, 4.0)) -> tuple[Figure, Axes]:
    if ax is not None:
        figure = ax.get_figure()
        assert isinstance(figure, Figure)
        return figure, ax
    figure = _figure(figsize=size, layout="constrained")
    return figure, figure.subplots()


def _set_title(ax: Axes, text: str, width: int = 72, *, pad: float | None = None) -> None:
    """Title ``ax`` with ``text``, wrapped so that long lists of scenarios fit.

    ``pad`` (points) lifts the title above ticks on the top axis.
    """
    ax.set_title(textwrap.fill(text, width, break_on_hyphens=False), pad=pad)


def _plain(text: str) -> str:
    """``text`` shown as it is: a ``$`` in a scenario's name starts no mathtext."""
    return text.replace("$", r"\$")


def _title(results: Results) -> str:
    return f"{_name(results)}: {results.runs:,} worlds"


def _name(results: Results) -> str:
    return _plain(results.scenario.name or "scenario")


def _titles(results_list: Sequence[Results]) -> str:
    """Scenario names and numbers of worlds of several results, for a title."""
    if len(results_list) == 1:
        return _title(results_list[0])
    runs = {results.runs for results in results_list}
    names = ", ".join(_name(results) for results in results_list)
    if len(runs) == 1:
        return f"{names}: {runs.pop():,} worlds each"
    return ", ".join(f"{_name(r)} ({r.runs:,} worlds)" for r in results_list)


def _as_list(results_or_list: Results | Sequence[Results]) -> list[Results]:
    if hasattr(results_or_list, "worlds"):
        return [cast("Results", results_or_list)]
    results_list = list(results_or_list)
    if not results_list:
        raise ValueError("no results to draw: pass one Results or a non-empty list of them")
    return results_list


def _frame_title(base: str, frame: pd.DataFrame) -> str:
    """``base``, then the scenario and number of worlds from ``frame.attrs`` if known."""
    scenario = frame.attrs.get("scenario")
    if scenario is None and "scenario" in frame.columns and frame["scenario"].nunique() == 1:
        scenario = frame["scenario"].iloc[0]
    runs = frame.attrs.get("runs")
    title = base if scenario is None else f"{base} - {_plain(str(scenario))}"
    if runs is not None:
        title += f"{' -' if scenario is None else ':'} {int(runs):,} worlds"
    return title


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(
            f"{what} needs the columns {', '.join(columns)}; missing: {', '.join(missing)}"
        )


def _parameters(indices: pd.DataFrame, columns: Sequence[str], what: str) -> pd.DataFrame:
    """``indices`` with a ``parameter`` column (taken from the index if need be)."""
    if "parameter" not in indices.columns:
        indices = indices.rename_axis("parameter").reset_index()
    _require(indices, ["parameter", *columns], what)
    return indices


def _outcome_colour(outcome: str) -> str:
    return OUTCOME_COLOURS.get(outcome, "#999999")


def _outcome_label(outcome: str) -> str:
    return OUTCOME_LABELS.get(outcome, outcome.replace("_", " "))


def outcome_probabilities(
    results_or_list: Results | Sequence[Results], *, ax: Axes | None = None
) -> Figure:
    """Probability of each outcome as bars, with both kinds of uncertainty.

    Black whiskers are the Monte Carlo 95% interval (chance); the grey bar beside each
    is the judgement 5-95% band across parameter sets, when the result has one
    (:mod:`crisis_sim.ensemble.intervals`).

    Args:
        results_or_list: One result, or several to set side by side: then each
            outcome has a group of bars, one per scenario in the order given, each
            scenario with its own hatch; the bars keep their outcome's colour and a
            legend names the scenarios.
        ax: Axes to draw into; a new figure if None.

    Returns:
        The figure. Bars and whiskers are in percent of worlds, from each result's
        :meth:`~crisis_sim.ensemble.results.Results.outcome_table` (probability, low, high).
    """
    results_list = _as_list(results_or_list)
    figure, ax = _axes(ax, (7.0, 4.0) if len(results_list) == 1 else (9.0, 4.5))
    judged = False
    keys = [o.key for o in OUTCOMES]
    colours = [OUTCOME_COLOURS[k] for k in keys]
    positions = np.arange(len(keys))
    count = len(results_list)
    width = 0.8 if count == 1 else 0.84 / count
    highest = 0.0
    handles = []
    for index, results in enumerate(results_list):
        table = results.outcome_table()
        shares = 100 * table.loc[keys, "probability"].to_numpy()
        low = 100 * table.loc[keys, "low"].to_numpy()
        high = 100 * table.loc[keys, "high"].to_numpy()
        highest = max(highest, float(high.max()))
        hatch = SCENARIO_HATCHES[index % len(SCENARIO_HATCHES)] if count > 1 else None
        offset = (index - (count - 1) / 2) * width
        label = f"{_name(results)} ({results.runs:,} worlds)"
        ax.bar(
            positions + offset,
            shares,
            width=width,
            color=colours,
            yerr=np.clip(np.vstack([shares - low, high - shares]), 0.0, None),
            capsize=4 if count == 1 else 2,
            ecolor="#444444",
            hatch=hatch,
            edgecolor="white" if count > 1 else None,
            linewidth=0.5 if count > 1 else 0,
            label=label,
        )
        handles.append(
            Patch(facecolor="#777777", edgecolor="white", hatch=hatch, linewidth=0.5, label=label)
        )
        if "judgement_low" in table and table["judgement_low"].notna().any():
            judged = True
            jlow = 100 * table.loc[keys, "judgement_low"].to_numpy(dtype=float)
            jhigh = 100 * table.loc[keys, "judgement_high"].to_numpy(dtype=float)
            highest = max(highest, float(np.nanmax(jhigh)))
            ax.vlines(
                positions + offset + width * 0.3,
                jlow,
                jhigh,
                colors=JUDGEMENT_COLOUR,
                linewidth=3 if count == 1 else 2,
                alpha=0.8,
            )
        if count == 1:
            for x, share, top in zip(positions, shares, high, strict=True):
                ax.annotate(
                    f"{share:.1f}%",
                    (x - width * 0.15, max(share, top)),
                    xytext=(0, 3),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=8,
                )
    ax.set_xticks(positions, [OUTCOME_LABELS[k] for k in keys], rotation=15, ha="right")
    ax.set_ylabel("probability (% of worlds)")
    ax.set_ylim(0, max(100.0, highest + 5) if highest > 90 else highest + 8)
    horizons = {results.scenario.run.horizon for results in results_list}
    when = f"after {horizons.pop()} weeks" if len(horizons) == 1 else "at each horizon"
    _set_title(ax, f"Outcomes {when} - {_titles(results_list)}")
    kinds = [Line2D([], [], color="#444444", marker="_", markersize=8, label=CHANCE_LEGEND)]
    if judged:
        kinds.append(Line2D([], [], color=JUDGEMENT_COLOUR, linewidth=3, label=JUDGEMENT_LEGEND))
    if count > 1:
        ax.legend(handles=[*handles, *kinds], title="scenario", fontsize=8, frameon=False)
    else:
        ax.legend(handles=kinds, fontsize=8, frameon=False, loc="upper right")
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
    colours = [*RUNG_GREYS.values(), *(o.colour for o in OUTCOMES)]
    labels = [
        *(f"running: {rung.name.lower().replace('_', ' ')}" for rung in Rung),
        *(o.label for o in OUTCOMES),
    ]
    weeks = shares.index.to_numpy()
    edges = np.append(weeks - 0.5, weeks[-1] + 0.5)
    bottom = np.zeros(len(weeks))
    # One filled step patch per state (a bar a week, without an artist per bar: 11
    # artists to draw instead of 11 x 52).
    for column, colour, label in zip(columns, colours, labels, strict=True):
        top = bottom + 100 * shares[column].to_numpy()
        ax.stairs(top, edges, baseline=bottom, fill=True, color=colour, label=label)
        bottom = top
    ax.set_xlim(-0.5, weeks.max() + 0.5)
    ax.set_ylim(0, 100)
    ax.set_xlabel(f"week after {results.scenario.run.start_date.isoformat()}")
    ax.set_ylabel("share of worlds (%)")
    _set_title(ax, f"State of the crisis week by week - {_title(results)}")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)
    return figure


def cumulative_incidence(results: Results, *, ax: Axes | None = None) -> Figure:
    """Share of all worlds that have reached each event outcome by each week, as step lines.

    One line per outcome that is an event in time (de-escalation, full invasion,
    NATO-Russia clash: :data:`~crisis_sim.ensemble.results.EVENT_OUTCOMES`), in its
    colour, with its Monte Carlo 95% interval shaded and its judgement 5-95% band
    across parameter sets dotted (when the result has one), from
    :meth:`~crisis_sim.ensemble.results.Results.cumulative_incidence`: each line only
    rises, and its height at a week is the chance of that outcome by that week's date.
    Weeks are on the bottom axis, the first of each month on the top one. A standoff
    and a limited incursion are classes given at the horizon, not events, so they
    have no line (:func:`outcome_probabilities` shows them).
    """
    figure, ax = _axes(ax)
    table = results.cumulative_incidence()
    weeks = table.index.to_numpy()
    for outcome in EVENT_OUTCOMES:
        key = outcome.key
        ax.fill_between(
            weeks,
            100 * table[f"{key}_low"].to_numpy(),
            100 * table[f"{key}_high"].to_numpy(),
            step="post",
            color=outcome.colour,
            alpha=0.2,
            linewidth=0,
        )
        ax.step(
            weeks,
            100 * table[key].to_numpy(),
            where="post",
            color=outcome.colour,
            linewidth=2,
            label=outcome.label,
        )
        judged = table[f"{key}_judgement_low"].notna().any()
        for side in ("low", "high") if judged else ():
            ax.step(
                weeks,
                100 * table[f"{key}_judgement_{side}"].to_numpy(),
                where="post",
                color=outcome.colour,
                linewidth=1,
                linestyle=":",
            )
    ax.set_xlim(0, weeks.max() + 0.5)
    ax.set_ylim(0, None)
    start = results.scenario.run.start_date
    ax.set_xlabel(f"week after {start.isoformat()}")
    ax.set_ylabel("reached by then (% of worlds)")
    months = pd.date_range(start, table["date"].iloc[-1], freq="MS")
    top = ax.secondary_xaxis("top")
    top.set_xticks(
        [(month.date() - start).days / 7 for month in months],
        [month.strftime("%b %Y" if month.month == 1 else "%b") for month in months],
        fontsize=7,
    )
    _set_title(ax, f"Outcomes reached by each date - {_title(results)}", pad=16)
    handles, _ = ax.get_legend_handles_labels()
    handles.append(Patch(facecolor="#999999", alpha=0.3, label=f"{CHANCE_LEGEND}, shaded"))
    if table.filter(like="_judgement_low").notna().any().any():
        handles.append(
            Line2D([], [], color="#555555", linestyle=":", label=f"{JUDGEMENT_LEGEND}, dotted")
        )
    ax.legend(handles=handles, loc="upper left", fontsize=8, frameon=False)
    return figure


def convergence(results: Results, *, ax: Axes | None = None) -> Figure:
    """How each outcome's estimated probability settles as worlds are added.

    The estimate after the first n worlds with its 95% interval (a band), against n
    on a log scale (:func:`crisis_sim.analysis.statistics.convergence`): where the last stretch
    still moves by more than the band's width, run more worlds.
    """
    from crisis_sim.analysis import statistics as analysis

    figure, ax = _axes(ax)
    curve = analysis.convergence(results.worlds)
    for outcome in OUTCOMES:
        part = curve[curve["outcome"] == outcome.key]
        colour = outcome.colour
        ax.fill_between(
            part["worlds"], 100 * part["low"], 100 * part["high"], color=colour, alpha=0.2
        )
        ax.plot(
            part["worlds"],
            100 * part["probability"],
            color=colour,
            linewidth=2,
            label=outcome.label,
        )
    ax.set_xscale("log")
    # Whole numbers ("1,000"), not powers of ten: plain text, which also spares the first
    # figure of a process matplotlib's mathtext parser (0.2 s).
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("worlds run (log scale)")
    ax.set_ylabel("estimated probability (%), 95% interval")
    _set_title(ax, f"Convergence of the estimates - {_title(results)}")
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    return figure


def fan_chart(results: Results, variable: str, *, ax: Axes | None = None) -> Figure:
    """Median with 50% and 90% bands of a week-by-week variable over all worlds.

    Args:
        results: The ensemble.
        variable: One of ``BINNED`` (rung, sanctions, posture, support, cohesion,
            resolve_belief).
        ax: Axes to draw into; a new figure if None.
    """
    figure, ax = _axes(ax)
    bands = results.weekly_quantiles(variable)
    weeks = bands.index.to_numpy()
    ax.fill_between(weeks, bands["q05"], bands["q95"], color=NEUTRAL, alpha=0.2, label="90% band")
    ax.fill_between(weeks, bands["q25"], bands["q75"], color=NEUTRAL, alpha=0.4, label="50% band")
    ax.plot(weeks, bands["q50"], color=NEUTRAL, linewidth=2, label="median")
    ax.set_xlabel(f"week after {results.scenario.run.start_date.isoformat()}")
    ax.set_ylabel(VARIABLES[variable].label)
    _set_title(ax, f"{VARIABLES[variable].title} - {_title(results)}")
    ax.legend(fontsize=8, frameon=False)
    return figure


FAN_VARIABLES: tuple[str, ...] = ("rung", "sanctions", "posture", "cohesion")
"""The variables of :func:`fan_charts`, in panel order."""


def fan_charts(results: Results, *, axes: Sequence[Axes] | np.ndarray | None = None) -> Figure:
    """Fan charts of the rung, sanctions, posture and cohesion, in one figure.

    Args:
        results: The ensemble.
        axes: Four axes to draw into (any shape); a new 2 x 2 figure if None. The
            figure's title names the scenario and the number of worlds, and one legend
            below the panels stands for all four (the bands and the median).
    """
    if axes is None:
        figure = _figure(figsize=(10.0, 6.5), layout="constrained")
        grid = figure.subplots(2, 2, sharex=True)
        panels = list(grid.ravel())
    else:
        panels = list(np.ravel(np.asarray(axes, dtype=object)))
        if len(panels) != len(FAN_VARIABLES):
            raise ValueError(
                f"fan_charts draws {len(FAN_VARIABLES)} panels; got {len(panels)} axes"
            )
        figure = panels[0].get_figure()
        assert isinstance(figure, Figure)
    for ax, variable in zip(panels, FAN_VARIABLES, strict=True):
        fan_chart(results, variable, ax=ax)
        ax.set_title(VARIABLES[variable].title, fontsize=10)
        legend = ax.get_legend()
        if legend is not None:
            legend.remove()
    if axes is None:
        # The top row shares the bottom row's weeks: one axis label, below.
        for ax in grid[0]:
            ax.set_xlabel("")
    handles, labels = panels[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=3, frameon=False, fontsize=9)
    figure.suptitle(f"Median, 50% and 90% bands - {_title(results)}")
    return figure


def _sign_note(row: pd.Series) -> str:
    """``(raises in 71% of sets)`` under an outcome's label, when the row has the share."""
    same = row.get("same_sign", np.nan)
    if pd.isna(same) or row["difference"] == 0:
        return ""
    verb = "raises" if row["difference"] > 0 else "lowers"
    return f"\n({verb} it in {100 * same:.0f}% of parameter sets)"


def forest(comparison: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Forest plot of paired differences in outcome probability against a reference.

    Args:
        comparison: One row per (scenario, outcome), with columns ``scenario``,
            ``outcome``, ``difference``, ``low``, ``high`` (the difference from the
            reference and its 95% paired interval, in probability units) and
            optionally ``independent_low``, ``independent_high`` (the interval had
            the runs been independent, drawn as a wide faint bar behind the paired
            one to show how much pairing narrows it). ``comparison.attrs`` may give
            ``reference`` (the reference scenario's name) and ``runs`` (worlds per
            scenario), which the title shows.
        ax: Axes to draw into; a new figure if None.

    Returns:
        The figure: percentage points on x, a vertical line at no difference, one
        point per row coloured by outcome, rows grouped under each scenario's name.

    Raises:
        ValueError: If a column is missing or a difference lies outside its interval.
    """
    _require(comparison, ["scenario", "outcome", "difference", "low", "high"], "forest")
    frame = comparison.reset_index(drop=True)
    bad = (frame["low"] > frame["difference"] + 1e-12) | (
        frame["high"] < frame["difference"] - 1e-12
    )
    if bad.any():
        rows = frame.loc[bad, ["scenario", "outcome"]].astype(str).agg(" ".join, axis=1)
        raise ValueError(f"difference outside [low, high] for: {', '.join(rows)}")
    scenarios = list(dict.fromkeys(frame["scenario"].astype(str)))
    present = list(dict.fromkeys(frame["outcome"].astype(str)))
    outcomes = [o.key for o in OUTCOMES if o.key in present]
    outcomes += [o for o in present if o not in outcomes]
    row_height = 0.45 if "same_sign" in frame.columns else 0.28
    figure, ax = _axes(ax, (8.0, 1.2 + row_height * (len(frame) + len(scenarios))))

    position: dict[tuple[str, str], float] = {}
    ticks: list[float] = []
    labels: list[str] = []
    headers: list[int] = []
    y = 0.0
    for scenario in scenarios:
        headers.append(len(ticks))
        ticks.append(y)
        labels.append(_plain(scenario))
        y += 1
        rows = frame[frame["scenario"].astype(str) == scenario]
        for outcome in outcomes:
            found = rows[rows["outcome"].astype(str) == outcome]
            if len(found):
                position[scenario, outcome] = y
                ticks.append(y)
                labels.append(_outcome_label(outcome) + _sign_note(found.iloc[0]))
                y += 1
        y += 0.5
    frame["y"] = [
        position[s, o]
        for s, o in zip(frame["scenario"].astype(str), frame["outcome"].astype(str), strict=True)
    ]

    independent = {"independent_low", "independent_high"} <= set(frame.columns)
    for outcome in outcomes:
        rows = frame[frame["outcome"].astype(str) == outcome]
        colour = _outcome_colour(outcome)
        if independent:
            wide = rows.dropna(subset=["independent_low", "independent_high"])
            ax.hlines(
                wide["y"],
                100 * wide["independent_low"],
                100 * wide["independent_high"],
                colors=colour,
                linewidth=7,
                alpha=0.25,
            )
        difference = 100 * rows["difference"].to_numpy(dtype=float)
        ax.errorbar(
            difference,
            rows["y"],
            xerr=np.clip(
                np.vstack(
                    [
                        difference - 100 * rows["low"].to_numpy(dtype=float),
                        100 * rows["high"].to_numpy(dtype=float) - difference,
                    ]
                ),
                0.0,
                None,
            ),
            fmt="o",
            color=colour,
            ecolor=colour,
            elinewidth=1.8,
            capsize=3,
            markersize=5,
            label=_outcome_label(outcome),
        )
    judged = {"judgement_low", "judgement_high"} <= set(frame.columns) and bool(
        frame["judgement_low"].notna().any()
    )
    if judged:
        band = frame.dropna(subset=["judgement_low", "judgement_high"])
        ax.hlines(
            band["y"] + 0.28,
            100 * band["judgement_low"],
            100 * band["judgement_high"],
            colors=JUDGEMENT_COLOUR,
            linewidth=2,
        )
    ax.axvline(0, color="#666666", linewidth=1, zorder=0)
    ax.set_yticks(ticks, labels)
    for index in headers:
        ax.get_yticklabels()[index].set_fontweight("bold")
    ax.set_ylim(y - 0.5, -0.7)
    ax.set_xlabel("difference in probability (percentage points)")
    handles, _ = ax.get_legend_handles_labels()
    handles.append(
        Line2D([], [], color="#555555", marker="o", markersize=5, label="Monte Carlo 95% (paired)")
    )
    if independent:
        handles.append(
            Line2D([], [], color="#555555", linewidth=7, alpha=0.25, label="95% if independent")
        )
    if judged:
        handles.append(Line2D([], [], color=JUDGEMENT_COLOUR, linewidth=2, label=JUDGEMENT_LEGEND))
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
    reference = comparison.attrs.get("reference")
    runs = comparison.attrs.get("runs")
    title = f"Paired differences from {reference or 'the reference scenario'}"
    if runs is not None:
        title += f" - {int(runs):,} worlds per scenario"
    _set_title(ax, title)
    return figure


def _end_state_label(variable: str, results: Results) -> str:
    if variable == "week":
        start = results.scenario.run.start_date.isoformat()
        return f"week the outcome was reached (weeks after {start})"
    return END_STATE_UNITS.get(variable, variable.replace("_", " "))


def end_state_distributions(
    results_list: Results | Sequence[Results],
    variable: str,
    *,
    ax: Axes | None = None,
    kind: Literal["violin", "hist"] = "violin",
) -> Figure:
    """Distribution over the worlds of one end-state column, per scenario.

    Args:
        results_list: One result or several, in the order to draw them.
        variable: A numeric column of ``Results.worlds``: an end state (any of
            :data:`~crisis_sim.ensemble.results.VARIABLES`: sanctions, cohesion,
            war_front, ...), the week the world ended (``week``), or a sampled
            parameter (``russia.resolve``, ...). Worlds without a value are left out:
            NaN, or the variable's ``none`` (-1 for the week of an event that did not
            come, e.g. ``ceasefire_week``).
        ax: Axes to draw into; a new figure if None.
        kind: ``violin``: one violin per scenario, with its median and extremes;
            ``hist``: step histograms in percent of each scenario's worlds, on
            shared bins (one bin per whole number if every value is whole).

    Raises:
        KeyError: If the worlds have no such column.
        ValueError: If ``kind`` is neither ``violin`` nor ``hist``, or the column
            is not numeric.
    """
    if kind not in ("violin", "hist"):
        raise ValueError(f"kind must be 'violin' or 'hist', not {kind!r}")
    results_all = _as_list(results_list)
    for results in results_all:
        if variable not in results.worlds.columns:
            numeric = results.worlds.select_dtypes("number").columns
            raise KeyError(
                f"{_name(results)} has no end-state column {variable!r}; "
                f"choose from {', '.join(numeric)}"
            )
        if not pd.api.types.is_numeric_dtype(results.worlds[variable]):
            raise ValueError(f"column {variable!r} is not numeric")
    data = [results.worlds[variable].to_numpy(dtype=float) for results in results_all]
    none = VARIABLES[variable].none if variable in VARIABLES else None
    data = [values[~np.isnan(values)] for values in data]
    if none is not None:
        data = [values[values != none] for values in data]
    names = [f"{_name(r)}\n({r.runs:,} worlds)" for r in results_all]
    label = _end_state_label(variable, results_all[0])
    figure, ax = _axes(ax, (max(5.0, 1.6 * len(results_all) + 2), 4.0))
    if kind == "violin":
        positions = np.arange(1, len(data) + 1)
        parts = ax.violinplot(data, positions, widths=0.8, showmedians=True)
        bodies = cast("list[PolyCollection]", parts["bodies"])  # matplotlib types it loosely
        for index, body in enumerate(bodies):
            body.set_facecolor(SCENARIO_COLOURS[index % len(SCENARIO_COLOURS)])
            body.set_edgecolor("#333333")
            body.set_alpha(0.6)
        for key in ("cmins", "cmaxes", "cbars", "cmedians"):
            parts[key].set_color("#333333")
        ax.set_xticks(positions, names)
        ax.set_ylabel(label)
        ax.set_xlabel("scenario (line: median; whiskers: lowest and highest world)")
    else:
        values = np.concatenate(data)
        if values.size and np.all(np.mod(values, 1) == 0):
            bins = np.arange(values.min() - 0.5, values.max() + 1.5)
        elif values.size and values.min() == values.max():
            bins = np.array([values.min() - 0.5, values.min() + 0.5])
        else:
            bins = np.histogram_bin_edges(values, bins=30)
        for index, (values, name) in enumerate(zip(data, names, strict=True)):
            ax.hist(
                values,
                bins=bins.tolist(),
                weights=np.full(len(values), 100 / max(len(values), 1)),
                histtype="step",
                linewidth=1.8,
                color=SCENARIO_COLOURS[index % len(SCENARIO_COLOURS)],
                linestyle=SCENARIO_LINESTYLES[index // len(SCENARIO_COLOURS) % 4],
                label=name.replace("\n", " "),
            )
        ax.set_xlabel(label)
        ax.set_ylabel("share of the scenario's worlds (%)")
        ax.legend(fontsize=8, frameon=False)
    what = label.split(" (")[0]
    _set_title(ax, f"{what[0].upper()}{what[1:]}, by scenario - {_titles(results_all)}")
    return figure


def sobol_indices(
    indices: pd.DataFrame, *, ax: Axes | None = None, title: str = "Sobol indices"
) -> Figure:
    """First- and total-order Sobol indices per parameter, as bars with 95% whiskers.

    Args:
        indices: One row per parameter with columns ``parameter`` (or the index),
            ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (as SALib's ``sobol.analyze``
            gives them; the confidence columns are half-widths). ``attrs`` may give
            ``scenario`` and ``runs``, which the title shows (the scenario may also
            come from a ``scenario`` column holding one name).
        ax: Axes to draw into; a new figure if None.
        title: The title's start, e.g. what output the indices are of.

    Returns:
        The figure: parameters top to bottom by total-order index, S1 and ST bars
        side by side, whiskers of ``conf`` either side.
    """
    frame = _parameters(indices, ["S1", "S1_conf", "ST", "ST_conf"], "sobol_indices")
    frame = frame.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)
    figure, ax = _axes(ax, (7.5, 1.2 + 0.45 * len(frame)))
    rows = np.arange(len(frame))
    height = 0.38
    for offset, column, colour, label in (
        (-height / 2, "S1", NEUTRAL, "first order, S1"),
        (height / 2, "ST", SCENARIO_COLOURS[1], "total order, ST"),
    ):
        ax.barh(
            rows + offset,
            frame[column].to_numpy(dtype=float),
            height=height,
            color=colour,
            xerr=frame[f"{column}_conf"].to_numpy(dtype=float),
            capsize=3,
            ecolor="#333333",
            label=label,
        )
    ax.axvline(0, color="#666666", linewidth=1)
    ax.set_yticks(rows, frame["parameter"].astype(str))
    ax.set_ylim(len(frame) - 0.5, -0.5)
    ax.set_xlabel("Sobol index (share of the output's variance, 0-1), 95% interval")
    ax.set_ylabel("parameter")
    _set_title(ax, _frame_title(title, indices))
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    return figure


def morris(
    indices: pd.DataFrame, *, ax: Axes | None = None, title: str = "Morris screening"
) -> Figure:
    """Morris screening: mu* against sigma, one labelled point per parameter.

    Args:
        indices: One row per parameter with columns ``parameter`` (or the index),
            ``mu_star``, ``mu_star_conf`` (95% half-width, drawn as a horizontal
            whisker) and ``sigma``, as SALib's ``morris.analyze`` gives them.
            ``attrs`` may give ``scenario``, ``runs`` and ``unit`` (the output's).
        ax: Axes to draw into; a new figure if None.
        title: The title's start.

    Returns:
        The figure, with the line sigma = mu* dashed: points above it act mostly
        through interactions or non-linearly.
    """
    frame = _parameters(indices, ["mu_star", "mu_star_conf", "sigma"], "morris")
    figure, ax = _axes(ax, (7.0, 5.0))
    mu_star = frame["mu_star"].to_numpy(dtype=float)
    sigma = frame["sigma"].to_numpy(dtype=float)
    ax.errorbar(
        mu_star,
        sigma,
        xerr=frame["mu_star_conf"].to_numpy(dtype=float),
        fmt="o",
        color=NEUTRAL,
        ecolor=NEUTRAL,
        capsize=3,
        label=r"parameter (95% interval of $\mu^*$)",
    )
    for name, x, y in zip(frame["parameter"].astype(str), mu_star, sigma, strict=True):
        ax.annotate(name, (x, y), xytext=(4, 4), textcoords="offset points", fontsize=8)
    top = float(np.nanmax(np.concatenate([mu_star + frame["mu_star_conf"], sigma]))) * 1.1
    top = top if top > 0 else 1.0
    ax.plot(
        [0, top], [0, top], linestyle="--", color="#999999", linewidth=1, label=r"$\sigma = \mu^*$"
    )
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    unit = indices.attrs.get("unit", "output units")
    ax.set_xlabel(rf"$\mu^*$, mean absolute elementary effect ({unit})")
    ax.set_ylabel(rf"$\sigma$, standard deviation of elementary effects ({unit})")
    _set_title(ax, _frame_title(title, indices))
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    return figure


RESTRICTED_COLUMNS: tuple[str, ...] = ("n_restricted", "res_dim", "restricted")
"""Columns of a PRIM peeling trajectory that may hold the restricted dimensions, in
order of preference: their number (``res_dim`` is ema_workbench's name), or in
``restricted`` their number or the restricted parameters' names."""


def prim_tradeoff(
    trajectory: pd.DataFrame, chosen: int | None = None, *, ax: Axes | None = None
) -> Figure:
    """PRIM's peeling trade-off: coverage against density, one point per box.

    Args:
        trajectory: One row per box of the peeling trajectory, with columns
            ``coverage`` and ``density`` (0-1) and the number of restricted
            dimensions in ``n_restricted``, ``res_dim`` or ``restricted`` (which
            may instead hold the restricted parameters' names, one tuple a box).
            ``attrs`` may give ``scenario`` and ``runs``, which the title shows.
        chosen: Row position in ``trajectory`` of the chosen box (as
            ``DiscoveryResult.selected``), ringed and labelled; none if None.
        ax: Axes to draw into; a new figure if None.

    Raises:
        ValueError: If a column is missing.
        IndexError: If ``chosen`` is not a row of ``trajectory``.
    """
    _require(trajectory, ["coverage", "density"], "prim_tradeoff")
    column = next((c for c in RESTRICTED_COLUMNS if c in trajectory.columns), None)
    if column is None:
        raise ValueError(
            "prim_tradeoff needs the number of restricted dimensions in one of the "
            f"columns {', '.join(RESTRICTED_COLUMNS)}"
        )
    if chosen is not None and not 0 <= chosen < len(trajectory):
        raise IndexError(f"no box {chosen}: the trajectory has boxes 0..{len(trajectory) - 1}")
    figure, ax = _axes(ax, (7.0, 5.0))
    coverage = trajectory["coverage"].to_numpy(dtype=float)
    density = trajectory["density"].to_numpy(dtype=float)
    values = trajectory[column]
    if pd.api.types.is_numeric_dtype(values):
        restricted = values.to_numpy(dtype=int)
    else:
        restricted = np.array([len(names) for names in values], dtype=int)
    levels = np.arange(restricted.min(), restricted.max() + 2) - 0.5
    norm = BoundaryNorm(levels, plt.get_cmap("viridis").N)
    ax.plot(coverage, density, color="#bbbbbb", linewidth=1, zorder=1)
    points = ax.scatter(
        coverage, density, c=restricted, cmap="viridis", norm=norm, s=28, zorder=2, label="box"
    )
    bar = figure.colorbar(points, ax=ax, ticks=np.arange(restricted.min(), restricted.max() + 1))
    bar.set_label("restricted dimensions (number of parameters)")
    if chosen is not None:
        x, y = coverage[chosen], density[chosen]
        ax.plot(
            [x],
            [y],
            linestyle="none",
            marker="o",
            markersize=16,
            markerfacecolor="none",
            markeredgecolor="#000000",
            markeredgewidth=2,
            zorder=3,
            label=f"chosen box {chosen}",
        )
        ax.annotate(
            f"box {chosen}: coverage {x:.0%}, density {y:.0%}, {restricted[chosen]} restricted",
            (x, y),
            xytext=(10, -14),
            textcoords="offset points",
            fontsize=8,
        )
        ax.legend(fontsize=8, frameon=False, loc="lower left")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("coverage (share of the cases of interest inside the box, 0-1)")
    ax.set_ylabel("density (share of the box's worlds of interest, 0-1)")
    _set_title(ax, _frame_title("PRIM peeling trade-off", trajectory))
    return figure


def prim_box(box: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """A PRIM box against each parameter's full range, one horizontal bar each.

    Args:
        box: One row per parameter with columns ``parameter``, ``low``, ``high``
            (the box's limits) and ``full_low``, ``full_high`` (the range sampled;
            ``range_low``, ``range_high`` are read as these). ``attrs`` may give
            ``scenario``, ``runs``, ``coverage`` and ``density``, which the title
            shows.
        ax: Axes to draw into; a new figure if None.

    Returns:
        The figure: each parameter's range scaled to [0, 1] (a grey bar), the box
        as a blue bar over it (pale where it spans the full range, so the
        parameter is not restricted) with its limits written at its ends; the
        full range is written under the parameter's name.

    Raises:
        ValueError: If a column is missing or a full range is empty.
    """
    if "full_low" not in box.columns and {"range_low", "range_high"} <= set(box.columns):
        box = box.rename(columns={"range_low": "full_low", "range_high": "full_high"})
    _require(box, ["parameter", "low", "high", "full_low", "full_high"], "prim_box")
    full_low = box["full_low"].to_numpy(dtype=float)
    full_high = box["full_high"].to_numpy(dtype=float)
    if np.any(full_high <= full_low):
        raise ValueError("every parameter's full_high must be above its full_low")
    span = full_high - full_low
    low = np.clip((box["low"].to_numpy(dtype=float) - full_low) / span, 0.0, 1.0)
    high = np.clip((box["high"].to_numpy(dtype=float) - full_low) / span, 0.0, 1.0)
    figure, ax = _axes(ax, (8.0, 1.2 + 0.55 * len(box)))
    rows = np.arange(len(box))
    ax.barh(rows, np.ones(len(box)), left=0, height=0.6, color="#e0e0e0", label="full range")
    bars = ax.barh(rows, high - low, left=low, height=0.6, color=NEUTRAL, label="box")
    for patch, left, right in zip(bars.patches, low, high, strict=True):
        if left <= 1e-9 and right >= 1 - 1e-9:
            patch.set_alpha(0.35)  # not restricted: the box spans the full range
    for row, left, right, lo, hi in zip(rows, low, high, box["low"], box["high"], strict=True):
        ax.annotate(
            f"{lo:.3g}",
            (left, row),
            xytext=(-3, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=8,
        )
        ax.annotate(
            f"{hi:.3g}",
            (right, row),
            xytext=(3, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=8,
        )
    labels = [
        f"{name}\n[{a:.3g}, {b:.3g}]"
        for name, a, b in zip(box["parameter"].astype(str), full_low, full_high, strict=True)
    ]
    ax.set_yticks(rows, labels, fontsize=8)
    ax.set_ylim(len(box) - 0.5, -0.5)
    ax.set_xlim(-0.15, 1.15)
    ax.set_xticks(np.linspace(0, 1, 5))
    ax.set_xlabel("position in the parameter's full range (0 lowest, 1 highest)")
    ax.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    title = _frame_title("PRIM box", box)
    if "coverage" in box.attrs and "density" in box.attrs:
        title += f" (coverage {box.attrs['coverage']:.0%}, density {box.attrs['density']:.0%})"
    _set_title(ax, title)
    return figure


def save_figure(
    figure: Figure,
    path: str | Path,
    formats: Sequence[str] = DEFAULT_FORMATS,
    *,
    dpi: int = 150,
) -> list[Path]:
    """Save ``figure`` once per format, as ``path`` plus each suffix; return the paths.

    ``path`` has no suffix (``figures/outcome_probabilities`` gives
    ``outcome_probabilities.png``, and ``.svg`` with ``formats=("png", "svg")``); its
    folder is created. SVG files carry no date and fixed element ids, so the same
    figure gives the same bytes.

    Raises:
        ValueError: For a format not in :data:`~crisis_sim.plots.formats.FIGURE_FORMATS`.
    """
    chosen = figure_formats(formats)
    base = Path(path)
    base.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for suffix in chosen:
        target = base.parent / f"{base.name}.{suffix}"
        metadata = {"Date": None} if suffix == "svg" else None
        with plt.rc_context({"svg.hashsalt": "crisis_sim"}):
            figure.savefig(target, dpi=dpi, metadata=metadata)
        paths.append(target)
    return paths


MAIN_DRAWINGS: dict[str, Callable[[Results], Figure]] = {
    "outcome_probabilities": outcome_probabilities,
    "outcomes_over_time": outcomes_over_time,
    "cumulative_incidence": cumulative_incidence,
    "fan_charts": fan_charts,
    "convergence": convergence,
}
"""The function that draws each main figure, by name, in the order of
:data:`~crisis_sim.plots.helpers.MAIN_FIGURES`."""


def save_drawings(
    results: Results, names: Sequence[str], folder: Path, formats: Sequence[str]
) -> dict[str, list[Path]]:
    """Draw the main figures ``names`` of ``results`` into ``folder``: their paths by name.

    What :func:`crisis_sim.plots.save_main_figures` runs, here or in a helper process;
    ``names`` are keys of :data:`~crisis_sim.plots.helpers.MAIN_FIGURES`.
    """
    return {
        name: save_figure(MAIN_DRAWINGS[name](results), folder / name, formats) for name in names
    }


def posterior_marginals(sample: Posterior, priors: Sequence[Distribution]) -> Figure:
    """Each calibrated parameter's posterior (weighted histogram) over its prior (line).

    Args:
        sample: The posterior (:func:`crisis_sim.calibration.posterior.load_posterior`).
        priors: The priors of its parameters (the targets file's), matched by path.
    """
    by_path = {prior.param: prior for prior in priors}
    count = len(sample.paths)
    columns = min(4, count)
    rows = -(-count // columns)
    figure = _figure(figsize=(3.0 * columns, 2.4 * rows))
    axes = figure.subplots(rows, columns, squeeze=False)
    for index, path in enumerate(sample.paths):
        ax = axes.flat[index]
        low, high = by_path[path].support() if path in by_path else sample.ranges()[path]
        edges = np.linspace(low, high, 26)
        ax.hist(
            sample.values[:, index],
            bins=edges,
            weights=sample.weights,
            density=True,
            color="#0072B2",
            alpha=0.6,
            label="posterior",
        )
        if path in by_path:
            grid = np.linspace(0.0005, 0.9995, 4000)
            draws = by_path[path].quantile(grid)
            density, _ = np.histogram(draws, bins=edges, density=True)
            ax.step(edges[:-1], density, where="post", color="#444444", label="prior")
        ax.set_title(path, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    for ax in list(axes.flat)[count:]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7, frameon=False)
    figure.suptitle("Calibrated parameters: posterior (bars) against prior (line)", fontsize=10)
    figure.tight_layout()
    return figure


def posterior_pairs(sample: Posterior) -> Figure:
    """Pairs of calibrated parameters: each particle as a point, sized by its weight."""
    count = len(sample.paths)
    figure = _figure(figsize=(1.5 * count, 1.5 * count))
    axes = figure.subplots(count, count, squeeze=False)
    sizes = 40 * sample.weights / sample.weights.max()
    for i in range(count):
        for j in range(count):
            ax = axes[i, j]
            ax.set_xticks([])
            ax.set_yticks([])
            if i == j:
                ax.hist(sample.values[:, i], bins=20, weights=sample.weights, color="#0072B2")
            elif i > j:
                ax.scatter(
                    sample.values[:, j], sample.values[:, i], s=sizes, color="#0072B2", alpha=0.3
                )
            else:
                ax.set_visible(False)
            if i == count - 1:
                ax.set_xlabel(sample.paths[j].split(".")[-1], fontsize=6)
            if j == 0:
                ax.set_ylabel(sample.paths[i].split(".")[-1], fontsize=6)
    figure.suptitle("Posterior pairs (points sized by weight)", fontsize=10)
    return figure


def predictive_check(predictive: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Targets against the posterior predictive; unmet targets in red.

    Each target's value with two sds, and the 5-95% range of the quantity recomputed
    from the posterior.

    Args:
        predictive: :func:`crisis_sim.calibration.abc.predictive_check`'s table.
        ax: Axes to draw into; a new figure if None.
    """
    _require(
        predictive,
        ["id", "value", "sd", "predictive_mean", "predictive_q05", "predictive_q95", "met"],
        "predictive check",
    )
    figure, ax = _axes(ax, (7.0, 1.0 + 0.5 * len(predictive)))
    y = np.arange(len(predictive))
    ax.errorbar(
        predictive["value"],
        y + 0.15,
        xerr=2 * predictive["sd"],
        fmt="s",
        color="#444444",
        capsize=3,
        label="target, +/- 2 sd",
    )
    colours = np.where(predictive["met"], "#0072B2", "#D55E00")
    ax.hlines(
        y - 0.15,
        predictive["predictive_q05"],
        predictive["predictive_q95"],
        colors=colours.tolist(),
    )
    ax.scatter(
        predictive["predictive_mean"],
        y - 0.15,
        color=colours,
        zorder=3,
        label="posterior predictive",
    )
    labels = [f"{row.id}{'' if row.met else ' (NOT MET)'}" for row in predictive.itertuples()]
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_ylim(len(predictive) - 0.5, -0.5)
    ax.set_xlabel("value of the quantity (probability or share)")
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    _set_title(
        ax, "Posterior-predictive check: 5-95% of the quantity recomputed from the posterior"
    )
    return figure
