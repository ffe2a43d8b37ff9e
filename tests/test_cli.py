"""The ``crisis-sim`` command line: exit codes, output folders, messages."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from crisis_sim import cli, plots
from crisis_sim.analysis import statistics as analysis
from crisis_sim.cli import main
from crisis_sim.ensemble import pool
from crisis_sim.ensemble import runner as ensemble
from crisis_sim.ensemble.results import STATE_LABELS, Results, scenario_hash
from crisis_sim.model.params import parameter_paths
from crisis_sim.plots import helpers
from crisis_sim.scenario.files import bundled_scenarios, load_scenario

RUNS = 300
MALFORMED = Path(__file__).parent / "malformed"
FIGURES = (
    "outcome_probabilities.png",
    "outcomes_over_time.png",
    "cumulative_incidence.png",
    "fan_charts.png",
)


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder``: its bytes and modification time."""
    return {
        str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory) -> tuple[Path, str]:
    """One CLI run of the baseline, with figures: its folder and what it printed."""
    out = tmp_path_factory.mktemp("cli") / "baseline"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main(["run", "baseline", "--runs", str(RUNS), "--out", str(out), "--quiet"])
    assert code == 0
    return out, stdout.getvalue()


# -- run -------------------------------------------------------------------------------


def test_run_writes_the_worlds_the_summary_and_the_figures(baseline_run):
    out, _ = baseline_run
    assert (out / "worlds.parquet").is_file()
    assert (out / "weekly.parquet").is_file()
    assert (out / "summary.json").is_file()
    assert not (out / "trajectories.parquet").exists(), "no trajectories were asked for"
    for name in FIGURES:
        path = out / "figures" / name
        assert path.is_file(), name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list((out / "figures").glob("*.svg")), "SVG only on request (--formats png,svg)"


def test_a_run_in_one_process_draws_with_a_helper_the_same_figures(tmp_path, monkeypatch):
    # A fork, whatever other threads pytest runs; as on a machine of two cores.
    monkeypatch.setattr(helpers, "_forks", lambda: True)
    monkeypatch.setattr(pool, "cores", lambda: 2)
    started = []
    helper = plots.figure_helper
    monkeypatch.setattr(plots, "figure_helper", lambda: started.append(1) or helper())
    out = tmp_path / "run"
    assert main(["run", "baseline", "--runs", "20", "--quiet", "--out", str(out)]) == 0
    assert started == [1]
    alone = plots.save_main_figures(Results.load(out), tmp_path / "alone")
    assert len(alone) == len(plots.MAIN_FIGURES)
    assert {path.name: path.read_bytes() for path in alone} == {
        path.name: path.read_bytes() for path in (out / "figures").iterdir()
    }
    parser = cli.build_parser()
    for cores, options, in_process in ((2, [], False), (2, ["--no-figures"], True), (1, [], True)):
        monkeypatch.setattr(pool, "cores", lambda cores=cores: cores)
        args = parser.parse_args(["run", "baseline", *options])
        with cli._figure_helper(args, in_process=in_process) as unused:
            assert unused is None, "a helper only where the run leaves a core idle"
    assert started == [1]


def test_a_run_for_a_pool_starts_its_server_first_and_a_shorter_one_none(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(pool, "start_server", lambda: started.append(1))

    def in_this_process(plan, todo, workers, scheduler):
        return (ensemble.run_chunk(plan, first, count) for first, count in todo)

    monkeypatch.setitem(ensemble._EXECUTORS, "processes", in_this_process)
    args = ["run", "baseline", "--runs", "30", "--workers", "2", "--quiet", "--no-figures"]
    assert main([*args, "--chunk-size", "10", "--out", str(tmp_path / "three")]) == 0
    assert started == [1], "three chunks: a pool, its server started before the runner"
    assert main([*args, "--chunk-size", "15", "--out", str(tmp_path / "two")]) == 0
    assert started == [1], "two chunks run in this process: no server"


def test_an_unknown_figure_format_is_a_usage_error_before_anything_runs(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", "baseline", "--runs", "5", "--out", str(out), "--formats", "png,jpg"]) == 2
    err = capsys.readouterr().err
    assert "--formats: unknown figure format 'jpg'; choose from png, svg" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_the_weekly_table_holds_the_state_counts_of_every_world_every_week(baseline_run):
    out, _ = baseline_run
    weekly = pd.read_parquet(out / "weekly.parquet")
    assert list(weekly.columns) == ["variable", "week", "bin", "count"]
    states = weekly[weekly["variable"] == "state"]
    assert set(states["bin"]) <= set(range(len(STATE_LABELS)))
    horizon = load_scenario("baseline").run.horizon
    per_week = states.groupby("week")["count"].sum()
    assert list(per_week.index) == list(range(horizon + 1))
    assert (per_week == RUNS).all()
    assert not (out / "weekly_states.parquet").exists()
    assert not (out / "weekly_histograms.parquet").exists()


def test_the_summary_is_written_after_the_data(baseline_run):
    # The figures are drawn from the saved results afterwards, and the folder's record
    # (.crisis_sim.json) is updated once the results are in place.
    out, _ = baseline_run
    files = {name: value for name, value in _snapshot(out).items() if name.endswith(".parquet")}
    written = _snapshot(out)["summary.json"][1]
    assert files
    assert all(mtime <= written for _, mtime in files.values())


def test_a_folder_without_its_summary_is_not_a_result(baseline_run, tmp_path):
    out, _ = baseline_run
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "summary.json").unlink()
    with pytest.raises(FileNotFoundError, match=r"summary\.json"):
        Results.load(copy)


def test_trajectories_are_written_only_for_the_worlds_asked_for(tmp_path):
    out = tmp_path / "with_trajectories"
    ensemble.run("baseline", runs=20, trajectories=[3, 7], out=out, progress=False)
    trajectories = pd.read_parquet(out / "trajectories.parquet")
    assert set(trajectories["replication"]) == {3, 7}
    pd.testing.assert_frame_equal(Results.load(out).trajectories, trajectories)


def test_run_leaves_no_temporary_folder_behind(baseline_run):
    out, _ = baseline_run
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_the_summary_records_seed_runs_versions_hash_and_outcomes(baseline_run):
    out, _ = baseline_run
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    scenario = load_scenario("baseline")
    assert summary["seed"] == scenario.run.seed
    assert summary["runs"] == RUNS
    assert summary["versions"]["crisis-sim"]
    assert summary["versions"]["python"]
    assert summary["scenario_hash"] == scenario_hash(scenario)
    assert isinstance(summary["scenario"], dict), "the scenario in full, not its name"
    assert summary["scenario"]["title"] == scenario.title
    outcomes = {row["outcome"]: row for row in summary["outcomes"]}
    assert set(outcomes) == {
        "de_escalation",
        "standoff",
        "limited_incursion",
        "full_invasion",
        "nato_russia_clash",
    }
    assert sum(row["worlds"] for row in outcomes.values()) == RUNS


def test_run_prints_the_scenario_and_the_outcome_table(baseline_run):
    _, printed = baseline_run
    scenario = load_scenario("baseline")
    assert scenario.title in printed
    assert "full_invasion" in printed
    assert f"{RUNS:,} worlds" in printed


def test_run_prints_the_share_reached_by_three_dates_and_the_full_invasions(baseline_run):
    out, printed = baseline_run
    loaded = Results.load(out)
    by_date = analysis.format_by_date(analysis.by_date(loaded))
    assert by_date in printed
    header = by_date.splitlines()[1]
    for date, week in (("2022-02-28", 6), ("2022-06-30", 24), ("2022-12-31", 50)):
        assert f"{date} (wk {week})" in header
    invasions = analysis.format_invasions(
        loaded.invasion_reasons(), loaded.invasion_end_state(), loaded.runs
    )
    assert invasions in printed
    for text in ("best reply", "near-best", "low-probability draw", "median week"):
        assert text in invasions
    for text in ("front held by Russia", "ceasefire", "collapsed", "sanctions tier", "cohesion"):
        assert text in invasions
    # the tables come after the outcome table, in this order
    order = [printed.index(analysis.format_outcome_table(loaded.outcome_table()))]
    order += [printed.index(by_date), printed.index(invasions)]
    assert order == sorted(order)


def test_loading_a_cli_run_gives_the_worlds_of_a_direct_run_exactly(baseline_run):
    out, printed = baseline_run
    loaded = Results.load(out)
    direct = ensemble.run("baseline", runs=RUNS, progress=False)
    pd.testing.assert_frame_equal(loaded.worlds, direct.worlds)
    pd.testing.assert_frame_equal(loaded.outcome_table(), direct.outcome_table())
    assert analysis.format_outcome_table(loaded.outcome_table()) in printed
    assert loaded.scenario == direct.scenario
    assert (loaded.state_counts == direct.state_counts).all()


def test_a_second_run_into_a_non_empty_folder_fails_and_changes_nothing(baseline_run, capsys):
    out, _ = baseline_run
    before = _snapshot(out)
    code = main(["run", "baseline", "--runs", str(RUNS), "--out", str(out), "--quiet"])
    assert code == 1
    err = capsys.readouterr().err
    assert str(out) in err
    assert "--overwrite" in err
    assert _snapshot(out) == before


@pytest.mark.slow  # two runs with figures; test_hostile_outputs overwrites without them, faster
def test_run_with_overwrite_replaces_the_packages_own_results(tmp_path, capsys):
    out = tmp_path / "results"
    args = ["run", "baseline", "--runs", "50", "--out", str(out), "--quiet"]
    assert main([*args, "--seed", "1"]) == 0
    assert main([*args, "--seed", "2", "--overwrite"]) == 0
    capsys.readouterr()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["seed"] == 2
    assert summary["runs"] == 50
    # The folder now holds the seed-2 worlds exactly, and nothing of the seed-1 run.
    loaded = Results.load(out)
    second = ensemble.run("baseline", runs=50, seed=2, progress=False)
    pd.testing.assert_frame_equal(loaded.worlds, second.worlds, check_exact=True)
    first = ensemble.run("baseline", runs=50, seed=1, progress=False)
    assert (loaded.worlds["revisionist"] != first.worlds["revisionist"]).sum() >= 10
    for name in FIGURES:
        assert (out / "figures" / name).is_file(), name


@pytest.mark.slow  # a run with figures; test_hostile_outputs refuses without them, faster
def test_run_with_overwrite_refuses_a_folder_holding_a_users_file(tmp_path, capsys):
    out = tmp_path / "results"
    args = ["run", "baseline", "--runs", "50", "--out", str(out), "--quiet"]
    assert main([*args, "--seed", "1"]) == 0
    (out / "stale.txt").write_text("from the user", encoding="utf-8")
    before = _snapshot(out)
    assert main([*args, "--seed", "2", "--overwrite"]) == 1
    err = capsys.readouterr().err
    assert "stale.txt" in err
    assert len(err.strip().splitlines()) == 1
    assert _snapshot(out) == before


def test_run_into_an_empty_existing_folder_is_allowed(tmp_path, capsys):
    out = tmp_path / "empty"
    out.mkdir()
    args = ["run", "baseline", "--runs", "20", "--out", str(out), "--quiet", "--no-figures"]
    assert main(args) == 0
    capsys.readouterr()
    assert (out / "worlds.parquet").is_file()
    assert (out / "summary.json").is_file()
    assert not (out / ".partial").exists(), "the finished chunks are folded into the result"


def test_run_into_a_file_fails_with_exit_1(tmp_path, capsys):
    target = tmp_path / "a_file"
    target.write_text("x", encoding="utf-8")
    assert main(["run", "baseline", "--runs", "20", "--out", str(target), "--quiet"]) == 1
    assert "a_file" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "x"


def test_run_of_a_bad_scenario_fails_with_the_key_path_on_stderr(tmp_path, capsys):
    out = tmp_path / "never"
    bad = MALFORMED / "lever_week_past_horizon.toml"
    assert main(["run", str(bad), "--runs", "20", "--out", str(out), "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "levers[2].week" in captured.err
    assert bad.name in captured.err
    assert not out.exists()


def test_run_of_an_unknown_scenario_name_fails_listing_the_bundled_ones(tmp_path, capsys):
    assert main(["run", "no_such_scenario", "--out", str(tmp_path / "x"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "no_such_scenario" in err
    assert "baseline" in err


def test_run_with_neither_a_scenario_nor_resume_returns_2_asking_for_a_scenario(capsys):
    assert main(["run", "--quiet"]) == 2  # returned, not raised as SystemExit
    err = capsys.readouterr().err
    assert "usage:" in err
    assert "give a scenario" in err


def test_run_with_both_a_scenario_and_resume_returns_2_and_touches_nothing(tmp_path, capsys):
    assert main(["run", "baseline", "--resume", str(tmp_path), "--quiet"]) == 2
    assert "not both" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# -- validate, list, schema, params ----------------------------------------------------


def test_validate_good_and_bad_files_exits_1_and_prints_every_error(capsys):
    good = [str(path) for path in bundled_scenarios()[:2]]
    bad = [
        MALFORMED / "params_out_of_range.toml",
        MALFORMED / "lever_week_past_horizon.toml",
        MALFORMED / "several_field_mistakes.toml",
        MALFORMED / "syntax_unclosed_table_header.toml",
    ]
    assert main(["validate", *good, *map(str, bad)]) == 1
    captured = capsys.readouterr()
    for path in good:
        assert f"{path}: ok" in captured.out
    for path in bad:
        assert path.name in captured.err
    for key in (
        "params.russia.resolve",
        "levers[2].week",
        "run.horizon",
        "run.seed",
        "levers[0].actor",
        "uncertain[0].sd",
        "bogus",
        "line 4, column 5",
    ):
        assert key in captured.err, key


def test_validate_only_good_files_exits_0(capsys):
    assert main(["validate", str(bundled_scenarios()[0])]) == 0
    assert capsys.readouterr().err == ""


def test_list_prints_every_bundled_scenario(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for path in bundled_scenarios():
        assert path.stem in out
        assert load_scenario(path).title in out


def test_schema_prints_valid_json_with_properties(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    for key in ("title", "question", "run", "params", "levers", "uncertain", "events", "extends"):
        assert key in schema["properties"], key


def test_schema_out_writes_the_same_json_to_a_file(tmp_path, capsys):
    assert main(["schema"]) == 0
    printed = capsys.readouterr().out
    target = tmp_path / "scenario.schema.json"
    assert main(["schema", "--out", str(target)]) == 0
    assert json.loads(target.read_text(encoding="utf-8")) == json.loads(printed)


def test_params_lists_every_parameter_path(capsys):
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    for path in parameter_paths():
        assert path in out


# -- help and usage errors -------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["run", "--help"],
        ["validate", "--help"],
        ["list", "--help"],
        ["schema", "--help"],
        ["params", "--help"],
        ["--version"],
    ],
    ids=" ".join,
)
def test_help_returns_0(argv, capsys):
    assert main(argv) == 0
    assert capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["run"],
        ["run", "baseline", "--resume", "somewhere"],
        ["run", "baseline", "--runs", "0"],
        ["run", "baseline", "--runs", "many"],
        ["run", "baseline", "--seed", "-1"],
        ["run", "baseline", "--workers", "0"],
        ["run", "baseline", "--no-such-option"],
        ["validate"],
    ],
    ids=lambda argv: " ".join(argv) or "(nothing)",
)
def test_a_usage_error_exits_2_with_a_message(argv, capsys):
    # main returns argparse's exit code 2 rather than raising SystemExit; a mistake
    # argparse cannot see (``run`` with neither a scenario nor --resume DIR, or with
    # both) is a UsageError that main turns into a return of 2 too.
    assert main(argv) == 2
    assert "usage:" in capsys.readouterr().err
