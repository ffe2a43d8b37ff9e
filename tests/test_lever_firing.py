"""Each lever's firing: recorded per world, carried through chunks, saves and resumes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from crisis_sim.ensemble import runner as ensemble
from crisis_sim.ensemble.results import Results
from crisis_sim.model.crisis import CrisisModel
from crisis_sim.scenario.files import loads_scenario

SCENARIO = """
title = "Firing"
question = "When do the levers fire?"

[run]
horizon = 12

[[levers]]
actor = "west"
kind = "sanctions"
level = 1.0
week = 2
label = "sanctions from week 2"

[[levers]]
actor = "west"
kind = "posture"
level = 1.0
week = 1
when_rung_at_least = "limited_incursion"

[[levers]]
actor = "west"
kind = "support"
level = 1.0
week = 12
when_rung_at_least = "full_invasion"

[[events]]
kind = "incident"
week = 0
"""


@pytest.fixture(scope="module")
def scenario():
    return loads_scenario(SCENARIO, name="firing")


@pytest.fixture(scope="module")
def results(scenario):
    return ensemble.run(scenario, runs=60, seed=5, chunk_size=25, progress=False)


def test_the_model_records_the_week_each_lever_fired_in_each_world(scenario):
    model = CrisisModel.from_scenario(scenario, replications=30, seed=5).run()
    weeks = model.lever_week
    assert weeks.shape == (4, 30)
    sanctions = weeks[0][weeks[0] >= 0]
    assert sanctions.size and (sanctions == 2).all()
    assert (weeks[3] == 0).all(), "the week-0 event fires at t0 in every world"
    posture = weeks[1][weeks[1] >= 0]
    assert (posture >= 1).all()


def test_the_firing_table_counts_worlds_and_the_spread_of_weeks(results):
    table = results.lever_firing()
    assert list(table.index) == ["levers[0]", "levers[1]", "levers[2]", "events[0]"]
    weeks = results.lever_weeks
    for path, row in table.iterrows():
        fired = weeks[path].to_numpy()
        fired = fired[fired >= 0]
        assert row["worlds"] == fired.size
        assert row["share"] == pytest.approx(fired.size / results.runs)
        if fired.size:
            assert row["min_week"] == fired.min() and row["max_week"] == fired.max()
            assert row["median_week"] == np.median(fired)
    assert table.loc["events[0]", "worlds"] == results.runs
    assert table.loc["levers[0]", "median_week"] == 2


def test_a_lever_that_never_fires_is_flagged_and_a_full_one_is_not(results):
    table = results.lever_firing()
    assert table.loc["levers[2]", "worlds"] == 0
    assert "fired in no world" in table.loc["levers[2]", "flag"]
    assert table.loc["events[0]", "flag"] == ""


def test_an_unconditional_lever_missing_worlds_is_flagged_with_the_reason(scenario, results):
    worlds = results.worlds
    ended = worlds["outcome"].isin(["de_escalation", "full_invasion", "nato_russia_clash"])
    weeks = results.lever_weeks.copy()
    weeks.loc[0, "levers[0]"] = -1  # as if world 0 had missed it
    late = Results(results.scenario, worlds, results.state_counts, {}, {}, lever_weeks=weeks)
    flag = late.lever_firing().loc["levers[0]", "flag"]
    assert "has no condition but fired in" in flag
    before = int((ended & (worlds["week"] < 2)).sum())
    assert f"fired in {results.runs - 1 - before:,} of {results.runs:,}" in flag


def test_firing_is_the_same_whatever_the_chunks(scenario, results):
    whole = ensemble.run(scenario, runs=60, seed=5, chunk_size=60, progress=False)
    pd.testing.assert_frame_equal(whole.lever_weeks, results.lever_weeks)


def test_firing_survives_a_save_and_the_summary_holds_it(results, tmp_path):
    folder = results.save(tmp_path / "saved")
    loaded = Results.load(folder)
    pd.testing.assert_frame_equal(loaded.lever_weeks, results.lever_weeks)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    levers = {record["lever"]: record for record in summary["levers"]}
    assert levers["levers[0]"]["worlds"] == results.lever_firing().loc["levers[0]", "worlds"]
    assert "fired in no world" in levers["levers[2]"]["flag"]
    assert "levers" not in loaded.info


def test_firing_survives_a_resumed_run(scenario, results, tmp_path):
    out = tmp_path / "resumed"
    ensemble.run(scenario, runs=60, seed=5, chunk_size=25, out=out, progress=False)
    partial = out / ".partial"
    partial.mkdir()
    saved = Results.load(out)
    # Rebuild an interrupted run: the plan and the first chunk only.
    plan = ensemble.make_plan(scenario, runs=60, seed=5, chunk_size=25)
    ensemble.write_json(partial / "plan.json", plan.to_json())
    chunk = ensemble.run_chunk(plan, 0, 25)
    ensemble._save_chunk(partial, plan, chunk)
    for name in ("summary.json",):
        (out / name).unlink()
    resumed = ensemble.resume(out, progress=False)
    pd.testing.assert_frame_equal(resumed.lever_weeks, saved.lever_weeks)
    pd.testing.assert_frame_equal(Results.load(out).lever_weeks, results.lever_weeks)


def test_a_result_folder_without_levers_parquet_still_loads(results, tmp_path):
    folder = results.save(tmp_path / "old")
    (folder / "levers.parquet").unlink()
    loaded = Results.load(folder)
    assert loaded.lever_weeks is None
    with pytest.raises(ValueError, match="run the scenario again"):
        loaded.lever_firing()
