"""The figures show what the tables hold: heights, whiskers, colours, titles and files.

Each test reads the drawn artists back (bar heights, errorbar segments, line data,
colours, tick labels) and compares them with the table the figure was drawn from.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import psutil
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.colors import same_color
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.patches import StepPatch

from crisis_sim.ensemble import pool
from crisis_sim.ensemble import runner as ensemble
from crisis_sim.ensemble.results import BINNED, EVENT_OUTCOMES, VARIABLES, Results
from crisis_sim.model.domain import OUTCOME_FACTS, OUTCOMES, Outcome
from crisis_sim.plots import figures as plots
from crisis_sim.plots import helpers
from crisis_sim.plots.figures import OUTCOME_COLOURS, OUTCOME_LABELS, RUNG_GREYS

KEYS = [o.key for o in OUTCOMES]
RUNS = 500


@pytest.fixture(scope="module")
def baseline(bundled_ensemble) -> Results:
    return bundled_ensemble("baseline", RUNS)


@pytest.fixture(scope="module")
def deterrence(bundled_ensemble) -> Results:
    """The West offers nothing; only Ukraine's own offer of neutrality can make a deal."""
    return bundled_ensemble("deterrence_only", RUNS)


@pytest.fixture(scope="module")
def no_deal(tmp_path_factory) -> Results:
    """A scenario without any deal on the table.

    deterrence_only with Ukraine never offering neutrality on its own (its threshold of
    war risk at 1, which the West's estimate never passes): nobody offers anything, so
    a world de-escalates only where Russia climbs down for nothing.
    """
    path = tmp_path_factory.mktemp("no_deal") / "no_deal.toml"
    path.write_text(
        'extends = "deterrence_only"\n'
        'title = "No deal on the table"\n'
        'question = "What if nobody offers anything?"\n'
        "[params.ukraine]\nneutrality_threshold = 1.0\n",
        encoding="utf-8",
    )
    return ensemble.run(path, runs=RUNS, progress=False)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def flat(text: str) -> str:
    """Text with its line breaks and runs of spaces made single spaces."""
    return " ".join(text.split())


def bar_containers(ax: Axes) -> list[BarContainer]:
    return [c for c in ax.containers if isinstance(c, BarContainer)]


def vertical_whiskers(container: BarContainer) -> np.ndarray:
    """(bars, 2): the low and high ends of each bar's whisker."""
    assert container.errorbar is not None
    segments = container.errorbar.lines[2][0].get_segments()
    return np.array([sorted(segment[:, 1]) for segment in segments])


def horizontal_whiskers(container: BarContainer | ErrorbarContainer) -> np.ndarray:
    """(points, 2): the left and right ends of each horizontal whisker."""
    errorbar = container.errorbar if isinstance(container, BarContainer) else container
    assert errorbar is not None
    segments = errorbar.lines[2][0].get_segments()
    return np.array([sorted(segment[:, 0]) for segment in segments])


# -- comparison, sensitivity and discovery tables ------------------------------------


def comparison_table(independent: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for scenario in ("deterrence_only", "enlargement_moratorium"):
        for outcome in KEYS:
            difference = rng.uniform(-0.1, 0.1)
            half = rng.uniform(0.005, 0.03)
            row = {
                "scenario": scenario,
                "outcome": outcome,
                "difference": difference,
                "low": difference - half,
                "high": difference + 1.5 * half,
            }
            if independent:
                row["independent_low"] = difference - 3 * half
                row["independent_high"] = difference + 3 * half
            rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs.update(reference="baseline", runs=RUNS)
    return table


PARAMETERS = [
    "russia.resolve",
    "russia.war_cost",
    "west.sanction_credibility",
    "ukraine.resistance",
]


def sobol_table() -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "parameter": PARAMETERS,
            "S1": [0.30, 0.10, -0.01, 0.20],
            "S1_conf": [0.03, 0.02, 0.015, 0.04],
            "ST": [0.45, 0.20, 0.02, 0.30],
            "ST_conf": [0.05, 0.03, 0.01, 0.035],
        }
    )
    table.attrs.update(scenario="baseline", runs=6144)
    return table


def morris_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "parameter": PARAMETERS,
            "mu_star": [0.30, 0.10, 0.05, 0.20],
            "mu_star_conf": [0.03, 0.02, 0.01, 0.04],
            "sigma": [0.20, 0.15, 0.02, 0.10],
        }
    )


def trajectory_table(column: str = "n_restricted") -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "coverage": np.linspace(1.0, 0.2, 8),
            "density": np.linspace(0.25, 0.95, 8),
            column: [0, 1, 1, 2, 2, 3, 3, 4],
        }
    )
    table.attrs.update(scenario="baseline", runs=RUNS)
    return table


def box_table() -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "parameter": PARAMETERS,
            "low": [0.6, 0.0, 1.2, 0.3],
            "high": [1.0, 5.0, 1.6, 0.9],
            "full_low": [0.0, 0.0, 0.0, 0.2],
            "full_high": [1.0, 5.0, 2.0, 0.9],
        }
    )
    table.attrs.update(scenario="baseline", runs=RUNS, coverage=0.6, density=0.8)
    return table


# -- the tables figures read ----------------------------------------------------------


def test_figures_name_and_colour_outcomes_from_the_one_outcome_table():
    # Okabe and Ito (2008): bluish green, sky blue, orange, vermillion, black.
    assert {o.key: (o.label, o.colour) for o in OUTCOMES} == {
        "de_escalation": ("Negotiated de-escalation", "#009E73"),
        "standoff": ("Standoff", "#56B4E9"),
        "limited_incursion": ("Limited incursion", "#E69F00"),
        "full_invasion": ("Full-scale invasion", "#D55E00"),
        "nato_russia_clash": ("NATO-Russia clash", "#000000"),
    }
    assert OUTCOME_COLOURS == {o.key: OUTCOME_FACTS[o].colour for o in OUTCOMES}
    assert OUTCOME_LABELS == {o.key: OUTCOME_FACTS[o].label for o in OUTCOMES}
    assert Outcome.FULL_INVASION.text == "Russia launched a full-scale invasion."


def test_figures_and_results_read_units_and_bins_from_the_one_variable_table():
    assert BINNED == {
        "rung": (-0.5, 4.5, 5),
        "sanctions": (0.0, 3.0, 120),
        "posture": (0.0, 2.0, 80),
        "support": (0.0, 2.0, 80),
        "cohesion": (0.0, 1.0, 100),
        "resolve_belief": (0.0, 1.0, 100),
    }
    assert plots.UNITS == {name: VARIABLES[name].label for name in BINNED}
    assert plots.END_STATE_UNITS["concessions_granted"] == (
        "concessions granted (sum over the six issues, 0-6)"
    )
    assert set(plots.END_STATE_UNITS) == set(VARIABLES)


def test_every_end_state_column_of_the_worlds_has_its_unit(baseline):
    # so that figures label every column: all but the world's index, its outcome's
    # week and date, its type, why it was invaded (categories, not values) and the
    # sampled parameters (labelled by their paths)
    worlds = baseline.worlds
    sampled = set(baseline.scenario.judgement_paths())
    columns = set(worlds.columns) - sampled
    columns -= {"replication", "outcome", "week", "date", "revisionist", "invasion_reason"}
    columns -= {"crossing_week", "parameter_set"}
    assert columns - set(VARIABLES) == set()
    units = {name: VARIABLES[name].label for name in ("war_front", "ceasefire_week", "resistance")}
    assert units == {
        "war_front": "front held by Russia (share of Ukraine beyond the 2021 line)",
        "ceasefire_week": "week of the ceasefire (weeks after t0)",
        "resistance": "Ukraine's resistance (0-1)",
    }
    assert [name for name, v in VARIABLES.items() if v.none is not None] == [
        "partial_week",
        "war_collapse_week",
        "ceasefire_week",
        "war_clash_week",
    ]


# -- outcome probabilities ------------------------------------------------------------


def test_one_scenario_has_five_bars_of_its_probabilities_in_outcome_colours(baseline):
    figure = plots.outcome_probabilities(baseline)
    ax = figure.axes[0]
    (bars,) = bar_containers(ax)
    table = baseline.outcome_table().loc[KEYS]
    assert len(bars.patches) == 5
    heights = [patch.get_height() for patch in bars.patches]
    np.testing.assert_allclose(heights, 100 * table["probability"])
    for patch, key in zip(bars.patches, KEYS, strict=True):
        assert same_color(patch.get_facecolor(), OUTCOME_COLOURS[key])
    np.testing.assert_allclose(
        vertical_whiskers(bars), 100 * table[["low", "high"]].to_numpy(), atol=1e-9
    )
    assert [t.get_text() for t in ax.get_xticklabels()] == [OUTCOME_LABELS[k] for k in KEYS]
    assert "%" in ax.get_ylabel()
    # Beside each bar, the judgement band across parameter sets, labelled apart.
    (bands,) = [
        c
        for c in ax.collections
        if isinstance(c, LineCollection)
        and same_color(c.get_color()[0][:3], plots.JUDGEMENT_COLOUR)
    ]
    np.testing.assert_allclose(
        [sorted(segment[:, 1]) for segment in bands.get_segments()],
        100 * table[["judgement_low", "judgement_high"]].to_numpy(),
        atol=1e-9,
    )
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [plots.CHANCE_LEGEND, plots.JUDGEMENT_LEGEND]
    assert "baseline" in ax.get_title()
    assert f"{RUNS} worlds" in flat(ax.get_title())


def test_scenarios_side_by_side_have_a_bar_per_outcome_and_scenario(baseline, deterrence):
    figure = plots.outcome_probabilities([baseline, deterrence])
    ax = figure.axes[0]
    groups = bar_containers(ax)
    assert len(groups) == 2
    assert sum(len(group.patches) for group in groups) == len(KEYS) * 2
    hatches = []
    for group, results in zip(groups, (baseline, deterrence), strict=True):
        table = results.outcome_table().loc[KEYS]
        heights = [patch.get_height() for patch in group.patches]
        np.testing.assert_allclose(heights, 100 * table["probability"])
        np.testing.assert_allclose(
            vertical_whiskers(group), 100 * table[["low", "high"]].to_numpy(), atol=1e-9
        )
        for patch, key in zip(group.patches, KEYS, strict=True):
            assert same_color(patch.get_facecolor(), OUTCOME_COLOURS[key])
        assert len({patch.get_hatch() for patch in group.patches}) == 1
        hatches.append(group.patches[0].get_hatch())
    assert hatches == ["", "///"]
    # the bars of one outcome sit side by side around its tick
    for index, tick in enumerate(ax.get_xticks()):
        centres = [g.patches[index].get_x() + g.patches[index].get_width() / 2 for g in groups]
        assert centres[0] < tick < centres[1]
    legend = [flat(t.get_text()) for t in ax.get_legend().get_texts()]
    assert legend == [
        f"baseline ({RUNS} worlds)",
        f"deterrence_only ({RUNS} worlds)",
        plots.CHANCE_LEGEND,
        plots.JUDGEMENT_LEGEND,
    ]
    title = flat(ax.get_title())
    assert "baseline" in title and "deterrence_only" in title and f"{RUNS} worlds" in title


def test_an_outcome_no_world_reached_draws_a_zero_bar(no_deal):
    # Wilson's lower bound for 0 of n is a rounding error above 0: still drawn, at 0.
    # (Russia may still climb down for nothing in a few worlds: leave those out.)
    worlds = no_deal.worlds[no_deal.worlds["outcome"] != "de_escalation"]
    no_deal = Results(
        no_deal.scenario, worlds.reset_index(drop=True), no_deal.state_counts, {}, no_deal.info
    )
    table = no_deal.outcome_table()
    assert table.loc["de_escalation", "worlds"] == 0
    (bars,) = bar_containers(plots.outcome_probabilities(no_deal).axes[0])
    assert bars.patches[0].get_height() == 0
    low, high = vertical_whiskers(bars)[0]
    assert low == pytest.approx(0, abs=1e-12)
    assert high == pytest.approx(100 * table.loc["de_escalation", "high"])


def test_one_scenario_in_a_list_is_drawn_as_one_scenario(baseline):
    ax = plots.outcome_probabilities([baseline]).axes[0]
    assert len(bar_containers(ax)) == 1
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [plots.CHANCE_LEGEND, plots.JUDGEMENT_LEGEND]


# -- over time ------------------------------------------------------------------------


def test_cumulative_incidence_has_one_rising_step_line_and_band_per_event_outcome(baseline):
    ax = plots.cumulative_incidence(baseline).axes[0]
    table = baseline.cumulative_incidence()
    events = [o.key for o in EVENT_OUTCOMES]
    # a standoff and a limited incursion are classes at the horizon, not events in time
    assert events == ["de_escalation", "full_invasion", "nato_russia_clash"]
    solid = [line for line in ax.lines if line.get_linestyle() == "-"]
    dotted = [line for line in ax.lines if line.get_linestyle() == ":"]
    assert len(solid) == len(events) and len(dotted) == 2 * len(events)
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == len(events)
    # the dotted lines are the judgement band across parameter sets
    for index, key in enumerate(events):
        np.testing.assert_allclose(
            dotted[2 * index].get_ydata(), 100 * table[f"{key}_judgement_low"]
        )
        np.testing.assert_allclose(
            dotted[2 * index + 1].get_ydata(), 100 * table[f"{key}_judgement_high"]
        )
    for line, band, key in zip(solid, bands, events, strict=True):
        assert same_color(line.get_color(), OUTCOME_COLOURS[key])
        assert same_color(band.get_facecolor()[0][:3], OUTCOME_COLOURS[key])
        assert line.get_label() == OUTCOME_LABELS[key]
        assert line.get_drawstyle() == "steps-post"
        np.testing.assert_array_equal(line.get_xdata(), table.index.to_numpy())
        np.testing.assert_allclose(line.get_ydata(), 100 * table[key])
        assert np.all(np.diff(line.get_ydata()) >= 0)
        # the band spans the 95% interval
        heights = band.get_paths()[0].vertices[:, 1]
        assert heights.min() == pytest.approx(100 * table[f"{key}_low"].min())
        assert heights.max() == pytest.approx(100 * table[f"{key}_high"].max())
    # at the horizon each line is the outcome's probability
    final = baseline.outcome_table()
    for line, key in zip(solid, events, strict=True):
        assert line.get_ydata()[-1] == pytest.approx(100 * final.loc[key, "probability"])
    assert "week after 2022-01-13" in ax.get_xlabel()
    assert "%" in ax.get_ylabel()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"{plots.CHANCE_LEGEND}, shaded" in legend
    assert f"{plots.JUDGEMENT_LEGEND}, dotted" in legend
    # the top axis names the months: February 2022 sits at week 19 / 7 (1 February)
    (top,) = ax.child_axes
    labels = [label.get_text() for label in top.get_xticklabels()]
    assert labels[:2] == ["Feb", "Mar"] and labels[-1] == "Jan 2023"
    assert top.get_xticks()[0] == pytest.approx(19 / 7)
    assert "date" in flat(ax.get_title())


def test_outcomes_over_time_stacks_to_all_worlds_every_week(baseline):
    ax = plots.outcomes_over_time(baseline).axes[0]
    shares = baseline.state_shares()
    steps = [patch for patch in ax.patches if isinstance(patch, StepPatch)]
    assert len(steps) == 10
    bottom = np.zeros(len(shares))
    for step, column in zip(steps, [*RUNG_GREYS, *KEYS], strict=True):
        data = step.get_data()
        np.testing.assert_array_equal(data.baseline, bottom)
        np.testing.assert_allclose(data.values - bottom, 100 * shares[column].to_numpy())
        np.testing.assert_array_equal(data.edges, np.arange(len(shares) + 1) - 0.5)
        bottom = data.values
    np.testing.assert_allclose(bottom, np.full(len(shares), 100.0))
    for step, key in zip(steps[5:], KEYS, strict=True):
        assert same_color(step.get_facecolor(), OUTCOME_COLOURS[key])


def test_fan_chart_draws_the_median_and_two_bands(baseline):
    ax = plots.fan_chart(baseline, "sanctions").axes[0]
    bands = baseline.weekly_quantiles("sanctions")
    (median,) = ax.lines
    np.testing.assert_allclose(median.get_ydata(), bands["q50"])
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 2
    assert ax.get_ylabel() == "sanctions tier (0-3)"


def test_fan_charts_draw_into_the_four_axes_given(baseline):
    figure, axes = plt.subplots(2, 2)
    assert plots.fan_charts(baseline, axes=axes) is figure
    labels = [ax.get_ylabel() for ax in axes.ravel()]
    assert labels == [
        "escalation rung (0 diplomacy - 4 invasion)",
        "sanctions tier (0-3)",
        "Eastern Flank posture (0-2)",
        "alliance cohesion (0-1)",
    ]
    titles = [ax.get_title() for ax in axes.ravel()]
    assert titles == [
        "escalation rung",
        "sanctions tier",
        "Eastern Flank posture",
        "alliance cohesion",
    ]
    assert all(len(ax.lines) == 1 for ax in axes.ravel())
    title = figure.get_suptitle()
    assert "baseline" in title and f"{RUNS} worlds" in title
    with pytest.raises(ValueError, match="4 panels"):
        plots.fan_charts(baseline, axes=axes.ravel()[:3])


@pytest.mark.parametrize(
    "draw",
    [
        plots.outcome_probabilities,
        plots.outcomes_over_time,
        plots.cumulative_incidence,
        lambda results, ax: plots.fan_chart(results, "rung", ax=ax),
        lambda results, ax: plots.end_state_distributions(results, "cohesion", ax=ax),
    ],
    ids=["probabilities", "over_time", "incidence", "fan_chart", "end_state"],
)
def test_figures_of_a_result_name_the_scenario_and_worlds_and_use_the_axes_given(baseline, draw):
    figure, ax = plt.subplots()
    assert draw(baseline, ax=ax) is figure
    assert figure.axes[0] is ax and ax.has_data()
    title = flat(ax.get_title())
    assert "baseline" in title and f"{RUNS} worlds" in title
    assert ax.get_ylabel()


# -- end states -----------------------------------------------------------------------


def test_violins_one_per_scenario_at_their_medians(baseline, deterrence):
    ax = plots.end_state_distributions([baseline, deterrence], "cohesion").axes[0]
    violins = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(violins) == 2
    lines = [c for c in ax.collections if isinstance(c, LineCollection)]
    medians = [float(np.median(r.worlds["cohesion"])) for r in (baseline, deterrence)]
    levels = [[float(s[0, 1]) for s in c.get_segments()] for c in lines]
    assert medians in levels  # one horizontal line per violin at its median
    assert ax.get_ylabel() == "alliance cohesion (0-1)"
    ticks = [flat(t.get_text()) for t in ax.get_xticklabels()]
    assert ticks == [f"baseline ({RUNS} worlds)", f"deterrence_only ({RUNS} worlds)"]
    title = flat(ax.get_title())
    assert "baseline" in title and "deterrence_only" in title and f"{RUNS} worlds" in title


def test_a_week_of_an_event_that_did_not_come_is_left_out_of_its_distribution(baseline):
    # ceasefire_week is -1 where no war ended in a ceasefire: those worlds are not drawn
    weeks = baseline.worlds["ceasefire_week"].to_numpy()
    came = weeks[weeks >= 0]
    assert 0 < came.size < weeks.size
    ax = plots.end_state_distributions(baseline, "ceasefire_week", kind="hist").axes[0]
    (patch,) = ax.patches
    heights = patch.get_path().vertices[:, 1]
    assert heights.max() == pytest.approx(100 * np.bincount(came).max() / came.size)
    edges = patch.get_path().vertices[:, 0]
    assert edges.min() == pytest.approx(came.min() - 0.5)
    assert ax.get_xlabel() == "week of the ceasefire (weeks after t0)"
    # a violin of war fronts is drawn from the invaded worlds only (NaN elsewhere)
    ax = plots.end_state_distributions(baseline, "war_front").axes[0]
    (median,) = [c for c in ax.collections if isinstance(c, LineCollection)][-1:]
    invaded = baseline.worlds["war_front"].dropna()
    assert median.get_segments()[0][0, 1] == pytest.approx(float(np.median(invaded)))


def test_histograms_of_whole_weeks_have_one_bin_per_week_in_percent(baseline, deterrence):
    ax = plots.end_state_distributions([baseline, deterrence], "week", kind="hist").axes[0]
    assert len(ax.patches) == 2
    for patch, results in zip(ax.patches, (baseline, deterrence), strict=True):
        x, y = patch.get_xy().T
        assert np.allclose(np.mod(x, 1), 0.5)
        share = 100 * results.worlds["week"].value_counts(normalize=True)
        assert y.max() == pytest.approx(share.max())
    assert ax.get_xlabel().startswith("week the outcome was reached")
    assert ax.get_ylabel() == "share of the scenario's worlds (%)"
    assert len(ax.get_legend().get_texts()) == 2


def test_end_state_distributions_reject_unknown_columns_and_kinds(baseline):
    with pytest.raises(KeyError, match="no end-state column 'nonsense'"):
        plots.end_state_distributions(baseline, "nonsense")
    with pytest.raises(ValueError, match="kind"):
        plots.end_state_distributions(baseline, "cohesion", kind="box")  # type: ignore[arg-type]


# -- paired comparison ----------------------------------------------------------------


def test_forest_has_one_point_per_row_with_its_paired_interval():
    table = comparison_table()
    ax = plots.forest(table).axes[0]
    points = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert sum(len(c.lines[0].get_xdata()) for c in points) == len(table)
    assert len(points) == len(KEYS)
    for container, key in zip(points, KEYS, strict=True):
        rows = table[table["outcome"] == key]
        assert same_color(container.lines[0].get_color(), OUTCOME_COLOURS[key])
        np.testing.assert_allclose(container.lines[0].get_xdata(), 100 * rows["difference"])
        np.testing.assert_allclose(
            horizontal_whiskers(container), 100 * rows[["low", "high"]].to_numpy()
        )
    wide = [c for c in ax.collections if isinstance(c, LineCollection) and c.get_alpha()]
    assert sum(len(c.get_segments()) for c in wide) == len(table)
    ends = np.array([sorted(s[:, 0]) for c in wide for s in c.get_segments()])
    expected = 100 * table.sort_values("outcome", key=lambda s: s.map(KEYS.index), kind="stable")
    np.testing.assert_allclose(ends, expected[["independent_low", "independent_high"]])
    # pairing narrows every interval
    assert np.all(
        (table["high"] - table["low"]) < (table["independent_high"] - table["independent_low"])
    )
    assert any(list(line.get_xdata()) == [0, 0] for line in ax.lines)
    assert ax.get_xlabel() == "difference in probability (percentage points)"
    labels = {t.get_text(): t.get_fontweight() for t in ax.get_yticklabels()}
    assert labels["deterrence_only"] == "bold" and labels["enlargement_moratorium"] == "bold"
    title = flat(ax.get_title())
    assert "baseline" in title and f"{RUNS} worlds" in title


def test_forest_rows_of_a_scenario_sit_under_its_name():
    table = comparison_table(independent=False)
    ax = plots.forest(table).axes[0]
    ticks = dict(zip([t.get_text() for t in ax.get_yticklabels()], ax.get_yticks(), strict=False))
    points = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    first = points[0].lines[0].get_ydata()  # de-escalation, one per scenario
    assert ticks["deterrence_only"] < first[0] < ticks["enlargement_moratorium"] < first[1]
    assert not [c for c in ax.collections if isinstance(c, LineCollection) and c.get_alpha()]


def test_forest_draws_into_the_axes_given_and_checks_its_table():
    figure, ax = plt.subplots()
    assert plots.forest(comparison_table(), ax=ax) is figure
    with pytest.raises(ValueError, match="missing: high"):
        plots.forest(comparison_table().drop(columns="high"))
    broken = comparison_table()
    broken.loc[0, "low"] = broken.loc[0, "difference"] + 0.01
    with pytest.raises(ValueError, match="outside"):
        plots.forest(broken)


# -- sensitivity ----------------------------------------------------------------------


def test_sobol_bars_are_the_indices_with_their_confidence_whiskers():
    table = sobol_table()
    ax = plots.sobol_indices(table, title="Sobol indices of P(full invasion)").axes[0]
    first, total = bar_containers(ax)
    order = [t.get_text() for t in ax.get_yticklabels()]
    assert order == list(table.sort_values("ST", ascending=False)["parameter"])
    ordered = table.set_index("parameter").loc[order]
    for bars, column in ((first, "S1"), (total, "ST")):
        assert len(bars.patches) == len(table)
        np.testing.assert_allclose([p.get_width() for p in bars.patches], ordered[column])
        whiskers = horizontal_whiskers(bars)
        np.testing.assert_allclose(
            (whiskers[:, 1] - whiskers[:, 0]) / 2, ordered[f"{column}_conf"], atol=1e-12
        )
        np.testing.assert_allclose(whiskers.mean(axis=1), ordered[column], atol=1e-12)
    assert "Sobol index" in ax.get_xlabel()
    title = flat(ax.get_title())
    assert title.startswith("Sobol indices of P(full invasion)")
    assert "baseline" in title and "6,144 worlds" in title


def test_sobol_takes_the_parameters_from_the_index_as_salib_gives_them():
    figure, ax = plt.subplots()
    table = sobol_table().set_index("parameter")
    assert plots.sobol_indices(table, ax=ax) is figure
    assert {t.get_text() for t in ax.get_yticklabels()} == set(PARAMETERS)


def test_sobol_title_takes_the_scenario_from_a_scenario_column():
    table = sobol_table()
    table.attrs = {}
    table.insert(0, "scenario", "deterrence_only")
    ax = plots.sobol_indices(table).axes[0]
    assert ax.get_title() == "Sobol indices - deterrence_only"


def test_morris_points_are_mu_star_against_sigma_with_their_whiskers():
    table = morris_table()
    figure, ax = plt.subplots()
    assert plots.morris(table, ax=ax) is figure
    (points,) = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    np.testing.assert_allclose(points.lines[0].get_xdata(), table["mu_star"])
    np.testing.assert_allclose(points.lines[0].get_ydata(), table["sigma"])
    whiskers = horizontal_whiskers(points)
    np.testing.assert_allclose(whiskers[:, 0], table["mu_star"] - table["mu_star_conf"])
    np.testing.assert_allclose(whiskers[:, 1], table["mu_star"] + table["mu_star_conf"])
    assert [t.get_text() for t in ax.texts] == PARAMETERS
    assert "mu" in ax.get_xlabel() and "sigma" in ax.get_ylabel()


# -- scenario discovery ---------------------------------------------------------------


@pytest.mark.parametrize("column", ["restricted", "n_restricted", "res_dim"])
def test_prim_tradeoff_colours_boxes_by_restricted_dimensions_and_rings_the_chosen(column):
    table = trajectory_table(column)
    ax = plots.prim_tradeoff(table, chosen=5).axes[0]
    (points,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    np.testing.assert_allclose(points.get_offsets(), table[["coverage", "density"]])
    np.testing.assert_array_equal(points.get_array(), table[column])
    (ring,) = [line for line in ax.lines if line.get_label().startswith("chosen")]
    assert (ring.get_xdata()[0], ring.get_ydata()[0]) == (
        table.loc[5, "coverage"],
        table.loc[5, "density"],
    )
    assert ax.get_xlabel().startswith("coverage") and ax.get_ylabel().startswith("density")
    title = flat(ax.get_title())
    assert "baseline" in title and f"{RUNS} worlds" in title


def test_prim_tradeoff_counts_restricted_names_when_the_number_is_not_given():
    table = trajectory_table("n_restricted")
    table["restricted"] = [tuple(PARAMETERS[:n]) for n in table.pop("n_restricted")]
    ax = plots.prim_tradeoff(table).axes[0]
    (points,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    np.testing.assert_array_equal(points.get_array(), [len(n) for n in table["restricted"]])


def test_prim_tradeoff_without_a_chosen_box_rings_none_and_checks_its_input():
    figure, ax = plt.subplots()
    assert plots.prim_tradeoff(trajectory_table(), ax=ax) is figure
    assert not [line for line in ax.lines if line.get_label().startswith("chosen")]
    with pytest.raises(IndexError, match="no box 8"):
        plots.prim_tradeoff(trajectory_table(), chosen=8)
    with pytest.raises(ValueError, match="restricted"):
        plots.prim_tradeoff(trajectory_table().drop(columns="n_restricted"))


def test_prim_box_bars_are_the_box_within_each_full_range_scaled_to_one():
    table = box_table()
    ax = plots.prim_box(table).axes[0]
    full, box = bar_containers(ax)
    assert full.get_label() == "full range" and box.get_label() == "box"
    assert [(p.get_x(), p.get_width()) for p in full.patches] == [(0, 1)] * len(table)
    span = table["full_high"] - table["full_low"]
    low = (table["low"] - table["full_low"]) / span
    high = (table["high"] - table["full_low"]) / span
    lefts = np.array([p.get_x() for p in box.patches])
    rights = lefts + np.array([p.get_width() for p in box.patches])
    np.testing.assert_allclose(lefts, low)
    np.testing.assert_allclose(rights, high)
    assert lefts.min() >= 0 and rights.max() <= 1 + 1e-12
    # only russia.war_cost spans its full range: it is drawn pale
    assert [p.get_alpha() for p in box.patches] == [None, 0.35, None, None]
    texts = [t.get_text() for t in ax.texts]
    assert texts[:2] == ["0.6", "1"] and texts[4:6] == ["1.2", "1.6"]
    assert [t.get_text().split("\n")[0] for t in ax.get_yticklabels()] == PARAMETERS
    title = flat(ax.get_title())
    assert "baseline" in title and "coverage 60%" in title and "density 80%" in title


def test_prim_box_reads_range_columns_as_the_full_range():
    table = box_table().rename(columns={"full_low": "range_low", "full_high": "range_high"})
    (_, box) = bar_containers(plots.prim_box(table).axes[0])
    assert box.patches[0].get_x() == pytest.approx(0.6)


def test_prim_box_draws_into_the_axes_given_and_refuses_an_empty_range():
    figure, ax = plt.subplots()
    assert plots.prim_box(box_table(), ax=ax) is figure
    flat_range = box_table()
    flat_range.loc[0, "full_high"] = flat_range.loc[0, "full_low"]
    with pytest.raises(ValueError, match="full_high"):
        plots.prim_box(flat_range)


# -- files ----------------------------------------------------------------------------


def test_save_figure_writes_png_and_on_request_a_reproducible_svg(tmp_path: Path):
    figure = plots.sobol_indices(sobol_table())
    (png,) = plots.save_figure(figure, tmp_path / "png" / "sobol.p_invasion")
    assert png.name == "sobol.p_invasion.png" and not list(png.parent.glob("*.svg"))
    paths = plots.save_figure(figure, tmp_path / "sub" / "sobol.p_invasion", ("png", "svg"))
    assert [p.name for p in paths] == ["sobol.p_invasion.png", "sobol.p_invasion.svg"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = paths[1].read_bytes()
    assert b"<svg" in svg[:1000] and b"<dc:date>" not in svg
    (again,) = plots.save_figure(figure, tmp_path / "again", formats=("svg",))
    assert again.read_bytes() == svg


def test_an_unknown_figure_format_is_refused_before_anything_is_written(tmp_path: Path):
    figure = plots.sobol_indices(sobol_table())
    with pytest.raises(ValueError, match="unknown figure format 'jpg'; choose from png, svg"):
        plots.save_figure(figure, tmp_path / "sobol", ("png", "jpg"))
    with pytest.raises(ValueError, match="none given"):
        plots.save_figure(figure, tmp_path / "sobol", ())
    plt.close(figure)
    assert not list(tmp_path.iterdir())
    assert plots.figure_formats([" SVG", ".png", "svg"]) == ("svg", "png")


def test_main_figures_are_written_as_png_and_svg(baseline, tmp_path: Path):
    paths = helpers.save_main_figures(baseline, tmp_path, formats=("png", "svg"))
    names = {p.name for p in paths}
    for name in (
        "outcome_probabilities",
        "outcomes_over_time",
        "cumulative_incidence",
        "convergence",
    ):
        assert {f"{name}.png", f"{name}.svg"} <= names
    assert {"fan_charts.png", "fan_charts.svg"} <= names
    for path in paths:
        assert path.is_file() and path.stat().st_size > 1000
    assert not plt.get_fignums()


@pytest.fixture(scope="module")
def drawn_alone(baseline, tmp_path_factory) -> dict[str, bytes]:
    """The main figures of ``baseline`` drawn in this process alone, by file name."""
    paths = helpers.save_main_figures(baseline, tmp_path_factory.mktemp("alone"))
    return {path.name: path.read_bytes() for path in paths}


def test_a_figure_helper_draws_the_same_bytes_each_figure_from_the_part_it_reads(
    baseline, drawn_alone, tmp_path: Path, monkeypatch
):
    monkeypatch.setattr(helpers, "_forks", lambda: False)
    assert helpers.figure_helper() is None, "no helper where it cannot be forked"
    # Forced to fork, where an earlier progress bar may have left tqdm's monitor thread
    # running (idle, holding no lock).
    monkeypatch.setattr(helpers, "_forks", lambda: True)
    with helpers.figure_helper() as helper:
        shared = helpers.save_main_figures(baseline, tmp_path, helper=helper)
    assert [path.name for path in shared] == [f"{name}.png" for name in helpers.MAIN_FIGURES]
    assert {path.name: path.read_bytes() for path in shared} == drawn_alone
    assert tuple(plots.MAIN_DRAWINGS) == helpers.MAIN_FIGURES
    assert set(helpers.WEEKLY_FIGURES) < set(helpers.MAIN_FIGURES)
    weekly = baseline.reduced()
    assert weekly.runs == baseline.runs and weekly.worlds.columns.empty
    assert weekly.lever_weeks is None and weekly.trajectories.empty
    with pytest.raises(KeyError):
        plots.convergence(weekly)
    with pytest.raises(KeyError):
        baseline.reduced(["no such column"])
    assert not plt.get_fignums()


def test_the_figures_are_drawn_here_when_the_helper_has_died(
    baseline, drawn_alone, tmp_path: Path, monkeypatch
):
    monkeypatch.setattr(helpers, "_forks", lambda: True)
    with helpers.figure_helper() as helper:
        helper.submit(os._exit, 1)
        shared = helpers.save_main_figures(baseline, tmp_path, helper=helper)
    assert {path.name: path.read_bytes() for path in shared} == drawn_alone


def test_a_helper_forks_its_second_process_from_its_first_which_it_ends_with(monkeypatch):
    monkeypatch.setattr(helpers, "_forks", lambda: True)
    with helpers.figure_helper() as helper:
        # Run after the import, in the same process (the helper has one of this one's).
        first = psutil.Process(helper.submit(os.getpid).result())
        assert first.ppid() == os.getpid()
        (second,) = [
            child
            for child in first.children()
            if "resource_tracker" not in " ".join(child.cmdline())
        ]
        helper.submit(os._exit, 1)
        first.wait(timeout=30)
        second.wait(timeout=30)


def test_the_helper_s_first_process_draws_what_the_second_cannot(
    baseline, drawn_alone, tmp_path: Path, monkeypatch
):
    broken = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    with pool.forking(), pytest.raises(BrokenProcessPool):
        broken.submit(os._exit, 1).result()
    monkeypatch.setattr(helpers, "_SECOND", broken)
    others = [name for name in helpers.MAIN_FIGURES if name not in helpers.WEEKLY_FIGURES]
    read = [column for column in helpers.WORLD_COLUMNS if column in baseline.worlds]
    parts = [(baseline.reduced(), helpers.WEEKLY_FIGURES), (baseline.reduced(read), others)]
    drawn = helpers._draw_shared(parts, tmp_path, ("png",))
    assert set(drawn) == set(helpers.MAIN_FIGURES)
    assert {path.name: path.read_bytes() for paths in drawn.values() for path in paths} == (
        drawn_alone
    )
    broken.shutdown()


def test_an_error_in_the_helper_reaches_the_caller_as_it_was(baseline, tmp_path, monkeypatch):
    def full(results):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(helpers, "_forks", lambda: True)
    monkeypatch.setitem(plots.MAIN_DRAWINGS, "fan_charts", full)
    with helpers.figure_helper() as helper, pytest.raises(OSError) as raised:
        helpers.save_main_figures(baseline, tmp_path, helper=helper)
    assert raised.value.errno == errno.ENOSPC


def test_a_helper_is_forked_only_from_a_process_without_other_threads():
    code = (
        "import sys, threading; from crisis_sim.plots import helpers; alone = helpers._forks(); "
        "threading.Thread(target=threading.Event().wait, daemon=True).start(); "
        "print(alone, helpers._forks(), helpers.figure_helper(), 'matplotlib' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    linux = str(sys.platform.startswith("linux"))
    assert done.stdout.split() == [linux, "False", "None", "False"]


def test_convergence_draws_one_line_and_band_per_outcome_ending_at_the_estimate(baseline):
    figure = plots.convergence(baseline)
    ax = figure.axes[0]
    assert len(ax.lines) == len(OUTCOMES)
    assert len(ax.collections) == len(OUTCOMES)
    assert ax.get_xscale() == "log"
    assert "baseline" in ax.get_title() and f"{baseline.runs:,}" in ax.get_title()
    table = baseline.outcome_table()
    for line, outcome in zip(ax.lines, OUTCOMES, strict=True):
        assert line.get_color() == plots.OUTCOME_COLOURS[outcome.key]
        assert line.get_xdata()[-1] == baseline.runs
        assert line.get_ydata()[-1] == pytest.approx(100 * table.loc[outcome.key, "probability"])
    plt.close(figure)


def test_forest_shows_the_judgement_band_and_the_share_of_sets_with_the_effects_sign():
    table = comparison_table(independent=False)
    table["same_sign"] = 0.71
    table["judgement_low"] = table["difference"] - 0.1
    table["judgement_high"] = table["difference"] + 0.2
    ax = plots.forest(table).axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    moved = table[table["difference"] != 0]
    verbs = ["raises" if d > 0 else "lowers" for d in moved["difference"]]
    assert sum("in 71% of parameter sets" in label for label in labels) == len(moved)
    assert sum(f"({verbs[0]} it in 71%" in label for label in labels) >= 1
    (band,) = [
        c
        for c in ax.collections
        if isinstance(c, LineCollection)
        and same_color(c.get_color()[0][:3], plots.JUDGEMENT_COLOUR)
    ]
    ends = np.array([sorted(s[:, 0]) for s in band.get_segments()])
    assert len(ends) == len(table)
    np.testing.assert_allclose(np.sort(ends[:, 1] - ends[:, 0]), np.full(len(table), 30.0))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert plots.JUDGEMENT_LEGEND in legend


# -- shown once -----------------------------------------------------------------------


def test_a_figure_is_returned_and_not_left_open_in_pyplot(baseline, deterrence):
    # A notebook shows a returned figure, and the inline backend also shows every figure
    # still open in pyplot at the end of the cell: a figure left open appeared twice.
    plt.close("all")
    comparison = ensemble.run("deterrence_only", runs=RUNS, progress=False)
    drawn = [
        plots.outcome_probabilities(baseline),
        plots.outcome_probabilities([baseline, deterrence]),
        plots.outcomes_over_time(baseline),
        plots.cumulative_incidence(baseline),
        plots.fan_charts(baseline),
        plots.convergence(comparison),
        plots.end_state_distributions(baseline, "cohesion"),
    ]
    assert plt.get_fignums() == []
    for figure in drawn:  # each still draws and saves as before
        assert figure.axes and figure.axes[0].has_data()
        assert figure.canvas.figure is figure
