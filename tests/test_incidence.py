"""Outcomes by a date and full invasions: known answers from a hand-made worlds table.

Ten worlds over a five-week horizon from 13 January 2022 (week 5 is 17 February):

- a full invasion in week 1 (a low-probability draw) and four in week 3 (three best
  replies, one near-best);
- a de-escalation in week 2 and a NATO-Russia clash in week 5;
- two standoffs (week 5) and a limited incursion (first at the incursion rung in week
  2), which are classes given at the horizon, never counted as reached earlier.

So full invasions reach 0, 1, 1, 5, 5, 5 of the 10 worlds by weeks 0..5: their Wilson
intervals are those of 0/10, 1/10 and 5/10, computed by hand in test_analysis.py.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from crisis_sim.analysis import statistics as analysis
from crisis_sim.ensemble import runner as ensemble
from crisis_sim.ensemble.results import (
    EVENT_OUTCOMES,
    INVASION_REASONS,
    STATE_LABELS,
    Incidence,
    Results,
    week_by,
)
from crisis_sim.model.domain import OUTCOMES
from crisis_sim.scenario.files import load_scenario

HORIZON = 5
NAN = np.nan

# (outcome, week, invasion_reason, war_front, ceasefire_week, war_collapse_week,
#  war_clash_week, sanctions, cohesion)
ROWS = [
    ("full_invasion", 1, "low_probability", 0.7, 4, 4, -1, 1.0, 0.6),
    ("full_invasion", 3, "best_reply", 0.1, -1, -1, -1, 3.0, 0.9),
    ("full_invasion", 3, "best_reply", 0.2, 5, -1, -1, 3.0, 0.8),
    ("full_invasion", 3, "best_reply", 0.3, -1, -1, 5, 2.0, 0.7),
    ("full_invasion", 3, "near_best", 0.4, 5, -1, -1, 3.0, 0.5),
    ("de_escalation", 2, None, 0.0, -1, -1, -1, 0.0, 1.0),
    ("nato_russia_clash", 5, None, 0.0, -1, -1, -1, 0.0, 0.2),
    ("standoff", 5, None, 0.0, -1, -1, -1, 1.0, 0.9),
    ("standoff", 5, None, 0.0, -1, -1, -1, 1.0, 0.9),
    ("limited_incursion", 2, None, 0.0, -1, -1, -1, 2.0, 0.9),
]

# Wilson 95% intervals of k of 10, from test_analysis.py (computed by hand)
WILSON_OF_10 = {
    0: (0.0, 0.2775327999),
    1: (0.0178762131, 0.4041500268),
    5: (0.2365930905, 0.7634069095),
}


def hand_made(rows=ROWS, horizon: int = HORIZON) -> Results:
    columns = [
        "outcome",
        "week",
        "invasion_reason",
        "war_front",
        "ceasefire_week",
        "war_collapse_week",
        "war_clash_week",
        "sanctions",
        "cohesion",
    ]
    worlds = pd.DataFrame(rows, columns=columns)
    worlds.insert(0, "replication", np.arange(len(worlds)))
    worlds["outcome"] = pd.Categorical(worlds["outcome"], categories=[o.key for o in OUTCOMES])
    worlds["invasion_reason"] = pd.Categorical(
        worlds["invasion_reason"], categories=[r.key for r in INVASION_REASONS]
    )
    worlds.loc[worlds["outcome"] != "full_invasion", "war_front"] = NAN
    scenario = load_scenario("baseline")
    scenario = scenario.model_copy(
        update={"run": scenario.run.model_copy(update={"horizon": horizon})}
    )
    states = np.zeros((horizon + 1, len(STATE_LABELS)), dtype=np.int64)
    return Results(scenario, worlds, states, {}, {"seed": 1})


@pytest.fixture(scope="module")
def results() -> Results:
    return hand_made()


@pytest.fixture(scope="module")
def baseline(bundled_ensemble) -> Results:
    return bundled_ensemble("baseline", 500)


# -- cumulative incidence ---------------------------------------------------------------


def test_cumulative_incidence_of_the_hand_made_worlds(results):
    table = results.cumulative_incidence()
    assert table.index.name == "week"
    assert table.index.tolist() == list(range(HORIZON + 1))
    assert table["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2022-01-13",
        "2022-01-20",
        "2022-01-27",
        "2022-02-03",
        "2022-02-10",
        "2022-02-17",
    ]
    assert table["full_invasion"].tolist() == [0.0, 0.1, 0.1, 0.5, 0.5, 0.5]
    assert table["de_escalation"].tolist() == [0.0, 0.0, 0.1, 0.1, 0.1, 0.1]
    assert table["nato_russia_clash"].tolist() == [0.0, 0.0, 0.0, 0.0, 0.0, 0.1]
    counts = [0, 1, 1, 5, 5, 5]
    np.testing.assert_allclose(
        table["full_invasion_low"], [WILSON_OF_10[k][0] for k in counts], atol=1e-9
    )
    np.testing.assert_allclose(
        table["full_invasion_high"], [WILSON_OF_10[k][1] for k in counts], atol=1e-9
    )
    assert table.attrs["runs"] == 10 and table.attrs["scenario"] == "baseline"


def test_the_columns_are_the_event_outcomes_each_with_its_interval(results):
    columns = list(results.cumulative_incidence().columns)
    expected = ["date"]
    for outcome in EVENT_OUTCOMES:
        expected += [
            outcome.key,
            f"{outcome.key}_low",
            f"{outcome.key}_high",
            f"{outcome.key}_judgement_low",
            f"{outcome.key}_judgement_high",
        ]
    assert columns == expected
    # a standoff and a limited incursion are classes at the horizon, not events in time
    assert "standoff" not in columns and "limited_incursion" not in columns


def test_a_week_outside_the_horizon_is_refused():
    rows = [("full_invasion", 7, "best_reply", 0.1, -1, -1, -1, 3.0, 0.9), *ROWS[1:]]
    with pytest.raises(
        ValueError, match=r"full_invasion recorded in week 7: outside the weeks 0\.\.5"
    ):
        hand_made(rows).cumulative_incidence()


def test_on_a_real_run_the_incidence_is_the_weekly_state_counts(baseline):
    # Two independent records agree: per-world weeks and the week-by-week state counts
    table = baseline.cumulative_incidence()
    shares = baseline.state_shares()
    for outcome in EVENT_OUTCOMES:
        np.testing.assert_allclose(table[outcome.key], shares[outcome.key], atol=1e-12)
        assert np.all(np.diff(table[outcome.key]) >= 0)
        assert (table[f"{outcome.key}_low"] <= table[outcome.key] + 1e-12).all()
        assert (table[outcome.key] <= table[f"{outcome.key}_high"] + 1e-12).all()
    final = baseline.outcome_table()
    for outcome in EVENT_OUTCOMES:
        assert table[outcome.key].iloc[-1] == pytest.approx(final.loc[outcome.key, "probability"])
    assert len(table) == baseline.scenario.run.horizon + 1


# -- by a date or a week ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "week", "share"),
    [
        (0, 0, 0.0),
        (1, 1, 0.1),
        (np.int64(3), 3, 0.5),
        ("2022-01-13", 0, 0.0),
        ("2022-02-02", 2, 0.1),  # 20 days on: week 2 (27 January) is the last counted
        ("2022-02-03", 3, 0.5),
        (dt.date(2022, 2, 9), 3, 0.5),
        (dt.datetime(2022, 2, 3, 23, 59), 3, 0.5),
        (pd.Timestamp("2022-02-03"), 3, 0.5),
        ("2022-02-17", 5, 0.5),  # the horizon's date itself
    ],
)
def test_probability_by_a_date_or_a_week(results, when, week, share):
    found = results.probability_by(when, "full_invasion")
    assert isinstance(found, Incidence)
    assert (found.outcome, found.week, found.probability, float(found)) == (
        "full_invasion",
        week,
        share,
        share,
    )
    assert found.date == dt.date(2022, 1, 13) + dt.timedelta(weeks=week)
    assert (found.worlds, found.runs) == (round(10 * share), 10)
    low, high = WILSON_OF_10[round(10 * share)]
    assert found.low == pytest.approx(low, abs=1e-9)
    assert found.high == pytest.approx(high, abs=1e-9)


def test_probability_by_matches_the_table_row_of_its_week(results):
    table = results.cumulative_incidence()
    for outcome in EVENT_OUTCOMES:
        for week in table.index:
            found = results.probability_by(int(week), outcome.key)
            assert found.probability == table.loc[week, outcome.key]
            assert found.low == table.loc[week, f"{outcome.key}_low"]
            assert found.high == table.loc[week, f"{outcome.key}_high"]


def test_probability_by_counts_the_worlds_dated_on_or_before_the_date(baseline):
    # the per-world table's own dates say which worlds count
    worlds = baseline.worlds
    for date in ("2022-02-23", "2022-02-24", "2022-06-30"):
        expected = ((worlds["outcome"] == "full_invasion") & (worlds["date"] <= date)).mean()
        assert baseline.probability_by(date, "full_invasion").probability == expected


def test_the_text_of_a_probability_names_the_date_week_share_and_interval(results):
    text = str(results.probability_by("2022-02-03", "full_invasion"))
    assert text == (
        "full_invasion by 2022-02-03 (week 3): 50.0% (Monte Carlo 95% 23.7 - 76.3%), 5 of 10 worlds"
    )


@pytest.mark.parametrize(
    ("when", "match"),
    [
        ("2022-01-12", r"2022-01-12 is before the start of this result, 2022-01-13"),
        ("2022-02-18", r"2022-02-18 is after the horizon of this result, week 5 \(2022-02-17\)"),
        (dt.date(2023, 1, 1), "after the horizon"),
        (-1, r"week -1 is outside this result's weeks 0..5"),
        (6, r"week 6 is outside this result's weeks 0..5"),
        (True, "expected a week number or a date"),
        (2.5, "expected a week number or a date"),
        ("next week", "expected a week number or an ISO date such as 2022-02-24"),
    ],
)
def test_a_date_or_week_outside_the_result_is_a_clear_value_error(results, when, match):
    with pytest.raises(ValueError, match=match):
        results.probability_by(when, "full_invasion")


@pytest.mark.parametrize(
    ("outcome", "match"),
    [
        ("standoff", "standoff is not an event in time"),
        ("limited_incursion", "limited_incursion is not an event in time"),
        ("war", "no outcome 'war'; choose from de_escalation, full_invasion, nato_russia_clash"),
    ],
)
def test_an_outcome_that_is_not_an_event_in_time_is_refused(results, outcome, match):
    with pytest.raises(ValueError, match=match):
        results.probability_by(2, outcome)


def test_week_by_on_a_result_starting_another_day():
    assert week_by("2022-03-01", 10, "2022-02-22") == 1
    assert week_by("2022-02-28", 10, "2022-02-22") == 0
    with pytest.raises(ValueError, match="before the start"):
        week_by("2022-02-21", 10, "2022-02-22")


def test_by_date_keeps_the_default_dates_within_the_result_or_else_the_horizon(results, baseline):
    table = analysis.by_date(baseline)
    assert sorted(set(table["date"])) == list(analysis.BY_DATES)
    assert list(table["outcome"][:3]) == [o.key for o in EVENT_OUTCOMES]
    # 28 February is week 6 (24 February), 30 June week 24, 31 December week 50
    assert table.drop_duplicates("date")["week"].tolist() == [6, 24, 50]
    # none of the ends of February, June and December lies within five weeks
    short = analysis.by_date(results)
    assert set(short["date"]) == {dt.date(2022, 2, 17)}
    row = short.set_index("outcome").loc["full_invasion"]
    assert (row["week"], row["worlds"], row["probability"]) == (5, 5, 0.5)


def test_the_by_date_text_has_one_row_per_outcome_and_a_column_per_date(results):
    table = analysis.by_date(results, ["2022-01-27", "2022-02-17"])
    assert analysis.format_by_date(table).splitlines() == [
        "Share of all worlds that reached each outcome by a date (Monte Carlo 95%):",
        "reached by                 2022-01-27 (wk 2)       2022-02-17 (wk 5)",
        "de_escalation              10.0% ( 1.8-40.4)       10.0% ( 1.8-40.4)",
        "full_invasion              10.0% ( 1.8-40.4)       50.0% (23.7-76.3)",
        "nato_russia_clash           0.0% ( 0.0-27.8)       10.0% ( 1.8-40.4)",
    ]


# -- full invasions ---------------------------------------------------------------------


def test_the_reasons_of_the_hand_made_invasions(results):
    table = results.invasion_reasons()
    assert table.index.tolist() == ["best_reply", "near_best", "low_probability"]
    assert table["worlds"].tolist() == [3, 1, 1]
    np.testing.assert_allclose(table["share"], [0.6, 0.2, 0.2])
    np.testing.assert_allclose(table["probability"], [0.3, 0.1, 0.1])
    assert table["median_week"].tolist() == [3.0, 3.0, 1.0]
    # Wilson 95% of 3/5 and 1/5, computed by hand from the formula (as in test_analysis.py)
    # in 40-digit decimal arithmetic
    np.testing.assert_allclose(
        table["low"], [0.2307242813, 0.0362241086, 0.0362241086], rtol=0, atol=1e-9
    )
    np.testing.assert_allclose(
        table["high"], [0.8823792258, 0.6244653702, 0.6244653702], rtol=0, atol=1e-9
    )
    assert table.attrs["invasions"] == 5


def test_the_end_state_after_the_hand_made_invasions(results):
    table = results.invasion_end_state()
    assert table.index.tolist() == [
        "front",
        "ceasefire",
        "early_collapse",
        "clash_during_war",
        "sanctions",
        "cohesion",
    ]
    assert table.attrs["invasions"] == 5
    front = table.loc["front"]
    assert (front["statistic"], front["spread"]) == ("median", "quartiles")
    assert (front["value"], front["low"], front["high"]) == pytest.approx((0.3, 0.2, 0.4))
    # ceasefires in 3 of the 5 wars (the collapse's included), one early collapse, one clash
    assert table.loc["ceasefire", "value"] == pytest.approx(0.6)
    assert table.loc["early_collapse", "value"] == pytest.approx(0.2)
    assert table.loc["clash_during_war", "value"] == pytest.approx(0.2)
    assert table.loc["ceasefire", "low"] == pytest.approx(0.2307242813, abs=1e-9)
    assert set(table.loc[["ceasefire", "early_collapse"], "spread"]) == {"95% interval"}
    # only the invaded worlds count: the others have sanctions 0-2 and cohesion 0.2-1
    sanctions = table.loc["sanctions"]
    assert (sanctions["value"], sanctions["low"], sanctions["high"]) == (3.0, 2.0, 3.0)
    assert table.loc["cohesion", "value"] == pytest.approx(0.7)
    assert table.loc["sanctions", "unit"] == "0-3"


def test_without_an_invasion_the_tables_say_so_with_nan():
    rows = [row for row in ROWS if row[0] != "full_invasion"]
    results = hand_made(rows)
    reasons = results.invasion_reasons()
    assert reasons["worlds"].tolist() == [0, 0, 0]
    assert reasons[["share", "low", "high", "median_week"]].isna().all().all()
    end_state = results.invasion_end_state()
    assert end_state[["value", "low", "high"]].isna().all().all()
    text = analysis.format_invasions(reasons, end_state, results.runs)
    assert text == "Full invasions: 0 of 5 worlds (0.0%)"


def test_the_invasion_text_names_each_reason_and_each_measure(results):
    text = analysis.format_invasions(
        results.invasion_reasons(), results.invasion_end_state(), results.runs
    )
    lines = text.splitlines()
    assert lines[0] == "Full invasions: 5 of 10 worlds (50.0%)"
    assert lines[2].split() == ["best", "reply", "60.0%", "(23.1-88.2)", "3"]
    assert lines[3].split() == ["near-best", "20.0%", "(", "3.6-62.4)", "3"]
    assert lines[4].split()[:3] == ["low-probability", "draw", "20.0%"]
    assert "front held by Russia (share of Ukraine beyond the 2021 line)" in text
    assert "median 0.30 (quartiles 0.20-0.40)" in text
    assert "war ended in a ceasefire" in text and "60.0% (23.1-88.2)" in text
    assert "sanctions tier (0-3)" in text and "median 3.00 (quartiles 2.00-3.00)" in text


def test_a_table_without_the_new_columns_is_refused_with_a_reason(results):
    old = results.worlds.drop(columns=["invasion_reason", "war_front"])
    with pytest.raises(ValueError, match="lacks invasion_reason, war_front: it was written by"):
        Results(results.scenario, old, results.state_counts, {}).invasion_reasons()


def test_on_a_real_run_every_invasion_has_a_reason(baseline):
    reasons = baseline.invasion_reasons()
    invasions = int((baseline.worlds["outcome"] == "full_invasion").sum())
    assert reasons.attrs["invasions"] == invasions == reasons["worlds"].sum()
    assert reasons["share"].sum() == pytest.approx(1.0)


# -- summary.json ------------------------------------------------------------------------


def test_the_summary_holds_the_incidence_and_the_invasions_and_loading_recomputes_them(
    tmp_path,
):
    results = ensemble.run("baseline", runs=200, progress=False)
    folder = results.save(tmp_path / "run")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    records = summary["cumulative_incidence"]
    table = results.cumulative_incidence()
    assert [row["week"] for row in records] == table.index.tolist()
    assert records[6]["date"] == "2022-02-24"
    assert records[-1]["date"] == "2023-01-05"
    for outcome in EVENT_OUTCOMES:
        for suffix in ("", "_low", "_high"):
            column = f"{outcome.key}{suffix}"
            np.testing.assert_allclose([row[column] for row in records], table[column])
    invasions = summary["invasions"]
    reasons = results.invasion_reasons()
    assert invasions["worlds"] == reasons.attrs["invasions"]
    assert [row["reason"] for row in invasions["reasons"]] == reasons.index.tolist()
    assert [row["worlds"] for row in invasions["reasons"]] == reasons["worlds"].tolist()
    end_state = results.invasion_end_state()
    assert [row["measure"] for row in invasions["end_state"]] == end_state.index.tolist()
    np.testing.assert_allclose(
        [row["value"] for row in invasions["end_state"]], end_state["value"].to_numpy()
    )
    loaded = Results.load(folder)
    assert "cumulative_incidence" not in loaded.info and "invasions" not in loaded.info
    pd.testing.assert_frame_equal(loaded.cumulative_incidence(), table)
    pd.testing.assert_frame_equal(loaded.invasion_reasons(), reasons)
    assert loaded.worlds["invasion_reason"].cat.categories.tolist() == [
        r.key for r in INVASION_REASONS
    ]
    # saving the loaded result again writes the same summary
    again = json.loads(
        (loaded.save(tmp_path / "again") / "summary.json").read_text(encoding="utf-8")
    )
    assert again == summary
