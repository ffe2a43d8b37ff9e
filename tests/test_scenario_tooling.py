"""Scenario tooling: extends by name from a user's folder, describe, validate, levers,
outcome names checked before any work, quiet broken pipes, replay as a story."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from crisis_sim.cli import main
from crisis_sim.ensemble import runner as ensemble
from crisis_sim.model.levers import LEVEL_BOUNDS, LeverKind
from crisis_sim.model.narration import Narration, story
from crisis_sim.scenario.describe import describe_scenario, lever_reference, lever_timing
from crisis_sim.scenario.files import load_scenario, parent_of

CHILD = """extends = "{parent}"
title = "Mine"
question = "What if the U.S. offers a missile moratorium in week 3?"

[[levers]]
actor = "united_states"
kind = "offer"
issue = "inf_missiles"
level = 1.0
week = 3
when_rung_at_least = "military_technical"
"""


@pytest.mark.parametrize("parent", ["baseline", "baseline.toml"])
def test_a_scenario_in_a_users_folder_extends_a_bundled_one_by_name_and_runs(
    tmp_path, monkeypatch, capsys, parent
):
    (tmp_path / "mine.toml").write_text(CHILD.format(parent=parent), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code = main(["run", "mine.toml", "--runs", "40", "--out", "out", "--quiet", "--no-figures"])
    assert code == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "levers[0]" in out
    assert load_scenario(tmp_path / "mine.toml").run == load_scenario("baseline").run


def test_describe_says_what_a_child_changes_against_its_parent(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text(CHILD.format(parent="baseline"), encoding="utf-8")
    name, parent = parent_of(path)
    assert name == "baseline" and parent.title == load_scenario("baseline").title
    assert main(["describe", str(path)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Against its parent, baseline" in out
    assert "levers: adds united states: offer on inf missiles to level 1" in out
    assert "from week 3, once Russia stands at rung 2 (military technical) or higher" in out
    assert "Run: 10,000 worlds" in out


def test_describe_of_a_scenario_without_a_parent_lists_its_parameters():
    text = describe_scenario(load_scenario("baseline"))
    assert "Against its parent" not in text
    assert "Uncertain parameters, drawn per parameter set of 50 worlds (4)" in text
    assert "Drawn from the calibrated posterior pre_t0 (8 parameters" in text
    assert "russia.buildup_start: 5-95%" in text


def test_lever_timing_says_week_and_condition():
    scenario = load_scenario("us_exercise_limits")
    assert lever_timing(scenario.levers[0]) == "in week 2"


def test_validate_says_what_the_file_holds(capsys):
    assert main(["validate", "allied_split"]) == 0
    out = capsys.readouterr().out
    assert "allied_split: ok (" in out
    assert (
        "0 levers, 1 event, 4 uncertain parameters, 8 parameters from the posterior pre_t0, "
        "3 parameters off the defaults" in out
    )


def test_levers_lists_every_kind_with_its_actors_range_and_example(capsys):
    assert main(["levers"]) == 0
    out = capsys.readouterr().out
    for kind in LeverKind:
        assert f"\n{kind.value}  (" in f"\n{out}", kind
    entries = {entry.kind: entry for entry in lever_reference()}
    low, high = LEVEL_BOUNDS[LeverKind.SANCTIONS]
    assert entries["sanctions"].level_range == f"{low:g} to {high:g}" == "0 to 3"
    assert "west" in entries["sanctions"].actors
    assert main(["levers", "no_such_kind"]) == 2
    assert "no lever kind no_such_kind" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("command", "outcome"),
    [
        ("discover", "no_such_outcome"),
        ("discover", "sanctions"),
        ("discover", "date"),
        ("sensitivity", "invasion_reason"),
        ("sensitivity", "no_such_outcome"),
    ],
)
def test_a_bad_outcome_is_refused_before_any_work_in_one_line(
    tmp_path, capsys, monkeypatch, command, outcome
):
    ran = []
    real = ensemble.run
    monkeypatch.setattr(ensemble, "run", lambda *a, **k: ran.append(k) or real(*a, **k))
    out = tmp_path / "out"
    assert main([command, "baseline", "--outcome", outcome, "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"--outcome {outcome!r}" in err and "Traceback" not in err
    assert len(err.strip().splitlines()[-1]) > 40
    assert not out.exists(), "no output folder for a refused command"
    assert all(call.get("runs") == 1 for call in ran), "at most one world, to read the columns"


def test_sobol_with_n_not_a_power_of_two_is_refused_before_the_folder(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sensitivity", "baseline", "--n", "5", "--out", str(out)]) == 2
    assert "power of 2" in capsys.readouterr().err
    assert not out.exists()


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pipe") / "run"
    ensemble.run("us_exercise_limits", runs=30, out=out, progress=False)
    return out


# One subprocess each: the first command in the default run, the others with the slow.
@pytest.mark.parametrize(
    "command",
    [
        "run",
        pytest.param("replay", marks=pytest.mark.slow),
        pytest.param("params", marks=pytest.mark.slow),
    ],
)
def test_piping_into_a_reader_that_leaves_exits_quietly(saved, tmp_path, command):
    args = {
        "run": [
            "run",
            "baseline",
            "--runs",
            "20",
            "--quiet",
            "--no-figures",
            "--out",
            str(tmp_path / "r"),
        ],
        "replay": ["replay", str(saved), "3"],
        "params": ["params"],
    }[command]
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from crisis_sim.cli import main; sys.exit(main())",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={"PYTHONUNBUFFERED": "1", "PATH": "/usr/bin:/bin"},
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()  # as head does after its lines
    err = process.stderr.read().decode()
    code = process.wait(timeout=120)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert err == ""
    assert code in (0, 1)


def test_replay_prints_the_drawn_parameters_and_collapses_runs_of_weeks(saved, capsys):
    main(["replay", str(saved), "3"])
    out = capsys.readouterr().out
    assert "Drawn for this world:" in out and "russia.resolve = " in out
    assert "weeks " in out
    lines = [line for line in out.splitlines() if line.startswith("week")]
    assert len(lines) < 20


def test_a_story_collapses_the_same_move_in_consecutive_weeks_only():
    log = pd.DataFrame(
        {
            "week": [1, 2, 3, 3, 5],
            "date": ["d1", "d2", "d3", "d3", "d5"],
            "actor": ["russia", "russia", "russia", "west", "russia"],
            "event": [
                "holds at rung 1 (build up). best plan of holding: 3 weeks then settle. x",
                "holds at rung 1 (build up). best plan of holding: 2 weeks then settle. y",
                "holds at rung 1 (build up). best plan of holding: 1 week then settle. z",
                "sanctions tier rises from 0.00 to 1.00 (US-T1)",
                "holds at rung 1 (build up). best plan of holding: 1 week then settle. w",
            ],
        }
    )
    passages = story(log)
    assert [(p.first_week, p.last_week, p.actor) for p in passages] == [
        (1, 3, "russia"),
        (3, 3, "west"),
        (5, 5, "russia"),
    ]
    assert "(3 weeks); in week 3, best plan of holding: 1 week then settle. z" in str(passages[0])


class _Model:
    first_replication = 0
    week = 1

    @property
    def date(self):
        import datetime as dt

        return dt.date(2022, 1, 20)


def test_no_rise_is_logged_that_shows_the_same_number_twice():
    narration = Narration(_Model(), enabled=True)
    before = pd.Series([1.425, 1.0, 0.0]).to_numpy()
    after = pd.Series([1.4312, 1.02, 0.003]).to_numpy()
    narration.rises("sanctions tier", before, after, "US-T1")
    assert [event["event"] for event in narration.events] == [
        "sanctions tier rises from 1.00 to 1.02 (US-T1)"
    ]
