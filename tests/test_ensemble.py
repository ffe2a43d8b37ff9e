"""Ensembles at scale: executors, chunking, resuming, replaying, saving and loading.

An ensemble's results depend only on the scenario, the seed, the number of worlds
and the sampling design: never on the executor, the number of workers, the chunk
size, or whether the run was interrupted and resumed. The worlds are kept small
(4,000 on the baseline) so that the runs in other processes take a few seconds.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import re
import shutil
import signal
import weakref
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from crisis_sim.cli import main
from crisis_sim.ensemble import pool
from crisis_sim.ensemble import runner as ensemble
from crisis_sim.ensemble.outputs import MARKER, OutputExistsError, OutputFolder
from crisis_sim.ensemble.results import (
    BINNED,
    STATE_LABELS,
    Results,
    scenario_hash,
)
from crisis_sim.model.crisis import CrisisModel
from crisis_sim.model.narration import story
from crisis_sim.plots import figures as plots
from crisis_sim.scenario.files import bundled_scenarios, load_scenario

SCENARIO = load_scenario("baseline")
RUNS = 4_000
HORIZON = SCENARIO.run.horizon
TRAJECTORIES = (3, 1_500, 3_999)
"""Worlds whose week-by-week state is kept: in the first, a middle and the last chunk."""


def run(**kwargs) -> Results:
    """A run of the baseline: RUNS worlds with TRAJECTORIES kept, no progress bar."""
    runs = kwargs.pop("runs", RUNS)
    kwargs.setdefault("trajectories", TRAJECTORIES if runs == RUNS else ())
    return ensemble.run(SCENARIO, runs=runs, progress=False, **kwargs)


def by_world(trajectories: pd.DataFrame) -> pd.DataFrame:
    """Trajectories in world order, then week order."""
    if trajectories.empty:
        return trajectories
    return trajectories.sort_values(["replication", "week"], ignore_index=True)


def stop_after(chunks: int):
    """An ``on_chunk`` callback that presses Ctrl-C once ``chunks`` chunks have finished."""
    finished = []

    def on_chunk(chunk: ensemble.Chunk) -> None:
        finished.append(chunk.first)
        if len(finished) == chunks:
            raise KeyboardInterrupt

    return on_chunk


def assert_same_results(actual: Results, expected: Results) -> None:
    """Worlds, state counts, histograms and trajectories (row order aside) are bit-identical.

    The row order of the trajectories is checked on its own, by
    ``test_trajectories_do_not_depend_on_the_chunk_size``.
    """
    pd.testing.assert_frame_equal(actual.worlds, expected.worlds, check_exact=True)
    np.testing.assert_array_equal(actual.state_counts, expected.state_counts)
    assert actual.histograms.keys() == expected.histograms.keys()
    for name, counts in expected.histograms.items():
        np.testing.assert_array_equal(actual.histograms[name], counts, err_msg=name)
    pd.testing.assert_frame_equal(
        by_world(actual.trajectories), by_world(expected.trajectories), check_exact=True
    )


def bar_heights(results: Results) -> list[float]:
    """The heights of the bars of the outcome-probability figure."""
    figure = plots.outcome_probabilities(results)
    heights = [patch.get_height() for patch in figure.axes[0].patches]
    plt.close(figure)
    return heights


@pytest.fixture(scope="module")
def reference() -> Results:
    """The baseline in this process, in one chunk."""
    return run()


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> tuple[Results, Path]:
    """The baseline in chunks of 1,000 worlds, written to a folder."""
    out = tmp_path_factory.mktemp("saved") / "baseline"
    return run(chunk_size=1_000, out=out), out


@pytest.fixture(scope="module")
def latin(tmp_path_factory) -> tuple[Results, Path]:
    """The baseline with Latin hypercube sampling, in chunks of 1,500, in a folder."""
    out = tmp_path_factory.mktemp("latin") / "baseline"
    return run(sampling="latin_hypercube", chunk_size=1_500, out=out), out


# -- executors and chunks --------------------------------------------------------------


@pytest.mark.parametrize("chunk_size", [1_000, 3_000])
def test_in_process_results_do_not_depend_on_the_chunk_size(reference, chunk_size):
    chunked = run(chunk_size=chunk_size)
    assert chunked.info["chunks"] == -(-RUNS // chunk_size)
    assert_same_results(chunked, reference)


@pytest.mark.slow  # a process pool; the chunk-size tests above hold the same worlds in-process
def test_two_processes_give_bit_identical_results_to_one(reference):
    results = run(executor="processes", workers=2, chunk_size=1_000)
    assert results.info["executor"] == "processes"
    assert results.info["workers"] == 2
    assert_same_results(results, reference)


@pytest.mark.slow  # starts a Dask cluster (about 5 s)
def test_a_dask_local_cluster_gives_bit_identical_results_to_one_process(reference):
    pytest.importorskip("distributed")
    results = run(executor="dask", workers=2, chunk_size=3_000)
    assert results.info["executor"] == "dask"
    assert results.info["chunks"] == 2
    assert_same_results(results, reference)


def test_local_with_more_than_one_worker_means_processes(monkeypatch):
    used = []

    def in_this_process(plan, todo, workers, scheduler):
        used.append(workers)
        return (ensemble.run_chunk(plan, first, count) for first, count in todo)

    monkeypatch.setitem(ensemble._EXECUTORS, "processes", in_this_process)
    results = run(runs=1_200, executor="local", workers=2, chunk_size=400)
    assert used == [2]
    assert results.info["executor"] == "processes"
    assert_same_results(results, run(runs=1_200))


@pytest.mark.parametrize("chunks", [1, 2])
def test_a_run_of_one_or_two_chunks_starts_no_pool_and_gives_the_same_worlds(monkeypatch, chunks):
    def no_pool(plan, todo, workers, scheduler):
        raise AssertionError("a pool was started for a run of fewer than POOL_MIN_CHUNKS chunks")

    assert pool.POOL_MIN_CHUNKS == 3
    monkeypatch.setitem(ensemble._EXECUTORS, "processes", no_pool)
    results = run(runs=600, executor="processes", workers=2, chunk_size=600 // chunks)
    assert results.info["chunks"] == chunks
    assert (results.info["executor"], results.info["workers"]) == ("local", 1)
    assert_same_results(results, run(runs=600))


def test_an_unknown_executor_or_no_workers_is_a_value_error():
    with pytest.raises(ValueError, match="unknown executor 'threads'"):
        run(runs=10, executor="threads")
    with pytest.raises(ValueError, match="workers must be from 1 to"):
        run(runs=10, workers=0)


def test_chunk_plan_covers_every_world_once_in_order():
    assert ensemble.chunk_plan(2_500, 1_000) == [(0, 1_000), (1_000, 1_000), (2_000, 500)]
    assert ensemble.chunk_plan(7, 10) == [(0, 7)]
    with pytest.raises(ValueError, match="must be positive"):
        ensemble.chunk_plan(10, 0)
    with pytest.raises(ValueError, match="must be positive"):
        ensemble.chunk_plan(0, 10)


# The hypercube's blocks are checked chunk by chunk in test_sampling.py (so slow here).
@pytest.mark.parametrize(
    "sampling", ["monte_carlo", pytest.param("latin_hypercube", marks=pytest.mark.slow)]
)
def test_the_first_1000_worlds_of_3000_are_a_1000_world_run(sampling):
    # Chunks of 750: the first 1,000 worlds span a chunk boundary of the larger run.
    big = ensemble.run(SCENARIO, runs=3_000, chunk_size=750, sampling=sampling, progress=False)
    small = ensemble.run(SCENARIO, runs=1_000, sampling=sampling, progress=False)
    pd.testing.assert_frame_equal(
        big.worlds.iloc[:1_000].reset_index(drop=True), small.worlds, check_exact=True
    )


# -- interrupting and resuming ---------------------------------------------------------


def test_an_interrupted_run_keeps_its_finished_chunks_and_resume_completes_it(reference, tmp_path):
    out = tmp_path / "run"
    with pytest.raises(ensemble.InterruptedRun) as caught:
        run(chunk_size=1_000, out=out, on_chunk=stop_after(2))
    error = caught.value
    assert error.directory == out
    assert (error.done, error.total) == (2, 4)
    assert str(out) in str(error)
    assert "--resume" in str(error)

    assert sorted(path.name for path in out.iterdir()) == [MARKER, ensemble.PARTIAL]
    stems = [f"chunk-{first:012d}" for first in (0, 1_000)]
    expected_files = (
        {"plan.json"}
        | {f"{stem}.json" for stem in stems}
        | {
            f"{stem}.{part}.parquet"
            for stem in stems
            for part in ("worlds", "weekly", "trajectories", "levers")
        }
    )
    assert {path.name for path in (out / ensemble.PARTIAL).iterdir()} == expected_files
    plan = json.loads((out / ensemble.PARTIAL / "plan.json").read_text(encoding="utf-8"))
    assert (plan["runs"], plan["chunk_size"], plan["seed"]) == (RUNS, 1_000, SCENARIO.run.seed)
    assert plan["scenario_hash"] == scenario_hash(SCENARIO)
    saved_chunk = pd.read_parquet(out / ensemble.PARTIAL / f"{stems[1]}.worlds.parquet")
    assert saved_chunk["replication"].tolist() == list(range(1_000, 2_000))

    with pytest.raises(OutputExistsError):
        run(chunk_size=1_000, out=out)
    assert len(list((out / ensemble.PARTIAL).iterdir())) == len(expected_files)

    resumed = ensemble.resume(out, progress=False)
    assert scenario_hash(resumed.scenario) == scenario_hash(SCENARIO)
    assert resumed.info["chunks_resumed"] == 2
    assert resumed.info["chunks"] == 4
    assert_same_results(resumed, reference)
    assert_same_results(Results.load(out), reference)
    assert not (out / ensemble.PARTIAL).exists(), "a finished run keeps no partial chunks"
    assert [path.name for path in tmp_path.iterdir()] == ["run"], "no temporary folder left"


def test_an_interrupted_run_without_an_output_folder_says_nothing_was_kept():
    with pytest.raises(ensemble.InterruptedRun, match="nothing was kept") as caught:
        run(runs=1_000, chunk_size=500, on_chunk=stop_after(1))
    assert caught.value.directory is None
    assert (caught.value.done, caught.value.total) == (1, 2)


@pytest.mark.slow  # draws every figure; the API resume test above holds the same worlds
def test_crisis_sim_run_resume_completes_an_interrupted_run(reference, tmp_path, capsys):
    out = tmp_path / "run"
    with pytest.raises(ensemble.InterruptedRun):
        run(chunk_size=1_000, out=out, on_chunk=stop_after(3))
    assert main(["run", "--resume", str(out), "--quiet"]) == 0
    assert f"Results written to {out}" in capsys.readouterr().out
    loaded = Results.load(out)
    assert loaded.info["chunks_resumed"] == 3
    assert_same_results(loaded, reference)


def test_resume_refuses_a_folder_without_an_interrupted_run(saved, tmp_path, capsys):
    _, out = saved
    with pytest.raises(FileNotFoundError, match="no interrupted run"):
        ensemble.resume(out, progress=False)
    assert main(["run", "--resume", str(tmp_path), "--quiet"]) == 1
    assert "no interrupted run" in capsys.readouterr().err


def test_a_broken_process_pool_becomes_an_interrupted_run_that_resumes(
    reference, tmp_path, monkeypatch
):
    def dies_after_one_chunk(plan, todo, workers, scheduler):
        first, count = todo[0]
        yield ensemble.run_chunk(plan, first, count)
        raise BrokenProcessPool("a worker was killed")

    out = tmp_path / "run"
    with monkeypatch.context() as patch:
        patch.setitem(ensemble._EXECUTORS, "local", dies_after_one_chunk)
        with pytest.raises(ensemble.InterruptedRun, match="a worker process died") as caught:
            run(chunk_size=1_000, out=out)
    assert (caught.value.done, caught.value.total) == (1, 4)
    assert caught.value.directory == out
    assert (out / ensemble.PARTIAL / "chunk-000000000000.worlds.parquet").is_file()
    assert_same_results(ensemble.resume(out, progress=False), reference)


def _tripwire(value: str, marker: str) -> str:
    """Unpickled in a worker: kill the worker if ``marker`` exists, else give ``value``."""
    if os.path.exists(marker):
        os.kill(os.getpid(), signal.SIGKILL)
    return value


class Tripwire(str):
    """A sampling name that kills the worker process that receives it once armed.

    A process pool pickles the plan with every chunk it sends, so the worker that
    takes the next chunk after ``marker`` is created dies as it unpickles it: before
    it runs the chunk and while it holds no lock and sends nothing. (Killing a worker
    at a random moment may catch it sending a result, and then Python's process pool
    can hang instead of breaking.)
    """

    marker: str

    def __new__(cls, value: str, marker: str) -> Tripwire:
        self = super().__new__(cls, value)
        self.marker = marker
        return self

    def __reduce__(self):
        return _tripwire, (str(self), self.marker)


@pytest.mark.slow  # a process pool whose worker is killed
def test_a_killed_worker_process_interrupts_the_run_and_resume_completes_it(reference, tmp_path):
    marker = tmp_path / "armed"

    def arm(chunk: ensemble.Chunk) -> None:
        marker.touch()

    out = tmp_path / "run"
    sampling = Tripwire("monte_carlo", str(marker))
    with pytest.raises(ensemble.InterruptedRun, match="a worker process died") as caught:
        run(
            sampling=sampling,
            executor="processes",
            workers=2,
            chunk_size=250,
            out=out,
            on_chunk=arm,
        )
    assert 1 <= caught.value.done < caught.value.total == 16
    assert caught.value.directory == out
    saved_chunks = list((out / ensemble.PARTIAL).glob("chunk-*.worlds.parquet"))
    assert len(saved_chunks) == caught.value.done
    assert not (out / "summary.json").exists()
    resumed = ensemble.resume(out, progress=False)
    assert resumed.info["chunks_resumed"] == caught.value.done
    assert_same_results(resumed, reference)


@pytest.mark.parametrize("path", bundled_scenarios(), ids=lambda path: path.stem)
def test_a_plan_written_for_resuming_reads_back_the_same_scenario(path):
    scenario = load_scenario(path)
    plan = ensemble.Plan(scenario, seed=7, runs=100, chunk_size=30, sampling="latin_hypercube")
    text = json.dumps(plan.to_json())
    again = ensemble.Plan.from_json(json.loads(text), "plan.json")
    assert scenario_hash(again.scenario) == scenario_hash(scenario)
    assert again == plan


# -- replaying one world ---------------------------------------------------------------


def assert_replay_equals_row(results: Results, k: int) -> None:
    replayed = results.replay(k).outcomes()
    row = results.worlds.iloc[[k]].reset_index(drop=True)
    shared = [column for column in row.columns if column in replayed.columns]
    assert {"replication", "outcome", "week", "russia.resolve"} <= set(shared)
    assert shared == list(row.columns), "the replay reports every column of the ensemble"
    pd.testing.assert_frame_equal(replayed[shared], row[shared], check_exact=True)


@pytest.mark.parametrize("k", [0, 999, 1_000, 2_718, 3_999])
def test_replay_of_world_k_equals_row_k_of_a_chunked_ensemble(saved, k):
    results, _ = saved
    assert_replay_equals_row(results, k)


@pytest.mark.parametrize("k", [0, 1_023, 1_024, 1_600, 3_999])
def test_replay_of_world_k_equals_row_k_with_latin_hypercube_sampling(latin, k):
    results, out = latin
    assert results.info["sampling"] == "latin_hypercube"
    assert_replay_equals_row(results, k)
    assert_replay_equals_row(Results.load(out), k)


@pytest.mark.parametrize("sampling", ["monte_carlo", "latin_hypercube"])
def test_replay_equals_the_ensemble_in_a_scenario_with_levers_and_events(sampling):
    scenario = load_scenario("arms_control_package")
    assert scenario.levers or scenario.events
    results = ensemble.run(scenario, runs=1_500, chunk_size=400, sampling=sampling, progress=False)
    for k in (0, 1_100, 1_499):
        assert_replay_equals_row(results, k)


@pytest.mark.parametrize("k", TRAJECTORIES)
def test_replay_history_equals_the_kept_trajectory(saved, k):
    results, _ = saved
    kept = by_world(results.trajectories)
    kept = kept[kept["replication"] == k].reset_index(drop=True)
    alone = results.replay(k).history_frame()
    weeks = len(alone)
    pd.testing.assert_frame_equal(alone, kept.iloc[:weeks], check_exact=True)
    # A world run alone stops when it ends; in the ensemble it stays frozen.
    frozen = kept.iloc[weeks:].drop(columns="week").reset_index(drop=True)
    last = alone.iloc[[-1] * len(frozen)].drop(columns="week").reset_index(drop=True)
    pd.testing.assert_frame_equal(frozen, last, check_exact=True)


def test_replay_of_a_world_outside_the_result_is_an_index_error(saved):
    results, _ = saved
    for k in (-1, RUNS):
        with pytest.raises(IndexError, match=re.escape(f"0..{RUNS - 1}")):
            results.replay(k)


@pytest.mark.parametrize("which", ["saved", "latin"])
def test_crisis_sim_replay_exits_0_and_prints_the_event_log(which, request):
    results, out = request.getfixturevalue(which)
    k = 2_500
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main(["replay", str(out), str(k)])
    assert code == 0
    text = stdout.getvalue()
    assert f"World {k} of baseline" in text
    events = [line for line in text.splitlines() if line.startswith(("week ", "weeks "))]
    # The story collapses an actor's same move in consecutive weeks into one line.
    assert len(events) == len(story(results.replay(k).event_log())) > 0
    row = results.worlds.iloc[k]
    assert f"Outcome: {row['outcome']} in week {row['week']}" in text
    assert "(the same)" in text


# -- saving and loading ----------------------------------------------------------------


def test_saved_results_load_back_exactly(saved):
    original, out = saved
    loaded = Results.load(out)
    assert loaded.worlds.dtypes.equals(original.worlds.dtypes)
    assert list(loaded.worlds.columns) == list(original.worlds.columns)
    assert_same_results(loaded, original)
    assert scenario_hash(loaded.scenario) == scenario_hash(original.scenario)
    assert loaded.scenario == original.scenario
    for key in ("seed", "runs", "sampling", "chunk_size", "horizon"):
        assert loaded.info[key] == original.info[key], key
    assert loaded.info["runs"] == RUNS
    assert loaded.info["seed"] == SCENARIO.run.seed


def test_the_weeks_rungs_and_parameter_sets_are_32_bit_and_the_model_s_values(saved):
    original, out = saved
    narrow = [
        "week",
        "end_rung",
        "max_rung",
        "partial_week",
        "war_collapse_week",
        "ceasefire_week",
        "war_clash_week",
        "crossing_week",
        "parameter_set",
    ]
    loaded = Results.load(out)
    for table in (original.worlds, loaded.worlds):
        assert {name: str(table[name].dtype) for name in narrow} == dict.fromkeys(narrow, "int32")
        assert table["replication"].dtype == np.int64
    model = CrisisModel.from_scenario(SCENARIO, replications=RUNS).run()
    for name, state in (
        ("week", model.outcome_week),
        ("end_rung", model.russia.rung),
        ("crossing_week", model.crossing_week),
        ("parameter_set", model.parameter_set),
    ):
        np.testing.assert_array_equal(original.worlds[name].to_numpy(), state, err_msg=name)


def test_a_loaded_result_reproduces_the_tables_and_figures(saved):
    original, out = saved
    loaded = Results.load(out)
    pd.testing.assert_frame_equal(loaded.outcome_table(), original.outcome_table())
    pd.testing.assert_frame_equal(loaded.state_shares(), original.state_shares())
    for variable in BINNED:
        pd.testing.assert_frame_equal(
            loaded.weekly_quantiles(variable), original.weekly_quantiles(variable)
        )
    heights = bar_heights(original)
    assert len(heights) == 5
    assert heights == bar_heights(loaded)
    probabilities = 100 * original.outcome_table()["probability"].to_numpy()
    np.testing.assert_allclose(sorted(heights), sorted(probabilities))
    assert not (out / "figures").exists(), "saving writes data only"


def test_saving_twice_round_trips_the_same_files(saved, tmp_path):
    _, out = saved
    again = Results.load(out).save(tmp_path / "again")
    for name in ("worlds.parquet", "weekly.parquet", "trajectories.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(again / name), pd.read_parquet(out / name), check_exact=True
        )
    assert_same_results(Results.load(again), Results.load(out))


# -- atomic files ----------------------------------------------------------------------


def test_load_refuses_a_folder_without_summary_json_naming_it(saved, tmp_path):
    _, out = saved
    copy = tmp_path / "incomplete"
    shutil.copytree(out, copy)
    (copy / "summary.json").unlink()
    with pytest.raises(FileNotFoundError, match=r"summary\.json") as caught:
        Results.load(copy)
    assert str(copy) in str(caught.value)


def test_load_refuses_an_interrupted_run(tmp_path):
    out = tmp_path / "run"
    with pytest.raises(ensemble.InterruptedRun):
        run(runs=1_000, chunk_size=500, out=out, on_chunk=stop_after(1))
    with pytest.raises(FileNotFoundError, match=r"summary\.json") as caught:
        Results.load(out)
    assert str(out) in str(caught.value)


def test_claiming_a_folder_refuses_one_with_files_unless_they_are_the_packages(tmp_path):
    new = OutputFolder.claim(tmp_path / "new", overwrite=False, kind="run")
    assert (new.path / MARKER).is_file(), "the marker is written first"
    empty = tmp_path / "empty"
    empty.mkdir()
    OutputFolder.claim(empty, overwrite=False, kind="run")
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputExistsError, match="--overwrite"):
        OutputFolder.claim(full, overwrite=False, kind="run")
    with pytest.raises(OutputExistsError, match="not written by crisis_sim"):
        OutputFolder.claim(full, overwrite=True, kind="run")
    assert sorted(path.name for path in full.iterdir()) == ["notes.txt"]
    assert (full / "notes.txt").read_text(encoding="utf-8") == "keep me"
    with pytest.raises(NotADirectoryError):
        OutputFolder.claim(full / "notes.txt", overwrite=True, kind="run")


def test_run_refuses_a_non_empty_out_folder_without_overwrite(tmp_path):
    out = tmp_path / "full"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        run(runs=100, out=out)
    assert [path.name for path in out.iterdir()] == ["notes.txt"]


def test_an_interrupted_overwrite_leaves_the_old_results_intact(reference, tmp_path):
    out = tmp_path / "run"
    old = run(runs=1_000, trajectories=(), out=out)
    old_summary = (out / "summary.json").read_bytes()
    old_worlds = (out / "worlds.parquet").read_bytes()

    with pytest.raises(ensemble.InterruptedRun):
        run(runs=2_000, chunk_size=500, out=out, overwrite=True, on_chunk=stop_after(2))
    assert (out / "summary.json").read_bytes() == old_summary
    assert (out / "worlds.parquet").read_bytes() == old_worlds
    assert_same_results(Results.load(out), old)

    resumed = ensemble.resume(out, progress=False)
    assert Results.load(out).runs == resumed.runs == 2_000
    pd.testing.assert_frame_equal(
        Results.load(out).worlds, reference.worlds.iloc[:2_000], check_exact=True
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == ["run"]


def test_an_overwrite_replaces_only_the_packages_files(tmp_path):
    out = tmp_path / "run"
    old = run(runs=500, trajectories=(1, 2), out=out)
    assert (out / "trajectories.parquet").is_file()
    results = run(runs=300, trajectories=(), out=out, overwrite=True)
    assert not (out / "trajectories.parquet").exists(), "the old run's own file is removed"
    assert_same_results(Results.load(out), results)
    assert Results.load(out).runs != old.runs
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputExistsError, match=r"notes\.txt"):
        run(runs=300, out=out, overwrite=True)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


# -- memory bounded by the chunk size --------------------------------------------------


def test_trajectories_are_kept_only_for_the_worlds_asked_for(saved):
    results, _ = saved
    kept = results.trajectories
    assert sorted(kept["replication"].unique()) == list(TRAJECTORIES)
    assert len(kept) == len(TRAJECTORIES) * (HORIZON + 1)
    for _, world in kept.groupby("replication"):
        assert world["week"].tolist() == list(range(HORIZON + 1))


def test_no_trajectories_are_kept_unless_asked_for(tmp_path):
    results = run(runs=500, trajectories=(), out=tmp_path / "run")
    assert results.trajectories.empty
    assert not (tmp_path / "run" / "trajectories.parquet").exists()
    assert Results.load(tmp_path / "run").trajectories.empty


@pytest.mark.parametrize("chunk_size", [1_000, 3_000])
def test_trajectories_do_not_depend_on_the_chunk_size(reference, chunk_size):
    chunked = run(chunk_size=chunk_size)
    pd.testing.assert_frame_equal(chunked.trajectories, reference.trajectories, check_exact=True)


# Chunks of one world take a model per world: the same guarantee, far slower (slow).
@pytest.mark.parametrize("chunk_size", [pytest.param(1, marks=pytest.mark.slow), 7])
def test_chunks_whose_worlds_all_end_early_give_the_same_results(chunk_size):
    # With one or a few worlds per chunk, every world of a chunk often ends before the
    # horizon and its model stops early; ended worlds must still count to the horizon.
    whole = run(runs=60, trajectories=range(60))
    small = run(runs=60, trajectories=range(60), chunk_size=chunk_size)
    assert (whole.worlds["week"] < HORIZON).sum() > 10, "some worlds end early"
    pd.testing.assert_frame_equal(small.worlds, whole.worlds, check_exact=True)
    np.testing.assert_array_equal(small.state_counts, whole.state_counts)
    for name, counts in whole.histograms.items():
        np.testing.assert_array_equal(small.histograms[name], counts, err_msg=name)
    assert len(whole.trajectories) == 60 * (HORIZON + 1)
    pd.testing.assert_frame_equal(small.trajectories, whole.trajectories, check_exact=True)


def test_trajectories_may_be_asked_for_in_any_order_and_repeated(reference):
    results = run(trajectories=(3_999, 3, 1_500, 3))
    pd.testing.assert_frame_equal(results.trajectories, reference.trajectories, check_exact=True)


@pytest.mark.parametrize("world", [-1, RUNS, RUNS + 10])
def test_trajectories_of_worlds_outside_the_run_are_a_value_error(world, tmp_path):
    with pytest.raises(ValueError, match=re.escape(f"outside 0..{RUNS - 1}")):
        run(trajectories=(0, world), out=tmp_path / "run")
    assert not (tmp_path / "run").exists(), "nothing is written for a refused run"


def test_a_week_of_the_model_leaves_no_reference_cycle_behind():
    # Python's collector runs by the number of objects made, not their bytes, so arrays
    # held by a cycle stay until it happens to run: a closure calling itself in
    # plans.wait_powers once kept 31 MiB of a 10,000-world chunk that way.
    from crisis_sim import CrisisModel

    model = CrisisModel(replications=200, seed=1)
    model.step()
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(3):
            model.step()
        gc.collect()
        left = [type(found).__name__ for found in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert left == []


@pytest.mark.parametrize("executor", ["local", pytest.param("processes", marks=pytest.mark.slow)])
def test_the_run_lets_go_of_each_chunks_table_once_it_is_in_the_merged_table(executor):
    # The parent holds a run's per-world table once: a chunk's own table is copied
    # into the merged one as it arrives and then freed (pd.concat at the end would
    # hold every chunk's table beside the merged one, and a pool's futures kept in a
    # list would hold every chunk).
    arrays, alive_when_seen = [], []

    def watch(chunk: ensemble.Chunk) -> None:
        gc.collect()
        alive_when_seen.append(sum(array() is not None for array in arrays))
        for name in ("week", "revisionist"):  # an integer and a float column
            array = chunk.worlds[name].to_numpy()
            while isinstance(array.base, np.ndarray):  # the memory itself, not a view of it
                array = array.base
            arrays.append(weakref.ref(array))

    workers = 2 if executor == "processes" else 1
    results = run(runs=2_000, chunk_size=500, on_chunk=watch, executor=executor, workers=workers)
    assert alive_when_seen == [0, 0, 0, 0]
    whole = run(runs=2_000)
    pd.testing.assert_frame_equal(results.worlds, whole.worlds, check_exact=True)


def test_each_chunk_holds_at_most_chunk_size_worlds_and_only_its_trajectories():
    seen = []
    run(chunk_size=1_500, on_chunk=seen.append)
    assert [chunk.first for chunk in seen] == [0, 1_500, 3_000]
    for chunk in seen:
        assert len(chunk.worlds) <= 1_500
        inside = [k for k in TRAJECTORIES if chunk.first <= k < chunk.first + len(chunk.worlds)]
        kept = sorted(chunk.trajectories["replication"].unique()) if inside else []
        assert kept == inside
        assert chunk.state_counts.shape == (HORIZON + 1, len(STATE_LABELS))
        assert (chunk.state_counts.sum(axis=1) == len(chunk.worlds)).all()


def test_weekly_counts_cover_every_world_every_week(reference):
    assert reference.state_counts.shape == (HORIZON + 1, len(STATE_LABELS))
    assert (reference.state_counts.sum(axis=1) == RUNS).all()
    for name, (_, _, bins) in BINNED.items():
        counts = reference.histograms[name]
        assert counts.shape == (HORIZON + 1, bins), name
        assert (counts.sum(axis=1) == RUNS).all(), f"{name}: values outside the bins"


def test_state_shares_sum_to_one_every_week(reference):
    shares = reference.state_shares()
    assert list(shares.columns) == list(STATE_LABELS)
    assert len(shares) == HORIZON + 1
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    final = shares.iloc[-1]
    counts = reference.worlds["outcome"].value_counts(normalize=True, dropna=False)
    for outcome, share in counts.items():
        assert final[outcome] == pytest.approx(share)


def test_weekly_rung_quantiles_lie_within_the_ladder_and_are_ordered(reference):
    bands = reference.weekly_quantiles("rung")
    assert list(bands.columns) == ["q05", "q25", "q50", "q75", "q95"]
    assert len(bands) == HORIZON + 1
    values = bands.to_numpy()
    assert ((values >= 0) & (values <= 4)).all()
    assert (np.diff(values, axis=1) >= 0).all()
    with pytest.raises(KeyError, match="no weekly variable"):
        reference.weekly_quantiles("mood")


@pytest.mark.slow  # starts a Dask cluster
def test_a_run_on_a_running_dask_scheduler_equals_the_in_process_run():
    from distributed import LocalCluster

    reference = ensemble.run("baseline", runs=1500, chunk_size=500, progress=False)
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = ensemble.run(
            "baseline",
            runs=1500,
            chunk_size=500,
            executor="dask",
            scheduler=cluster.scheduler_address,
            progress=False,
        )
    pd.testing.assert_frame_equal(remote.worlds, reference.worlds)
    assert remote.info["scheduler"] == cluster.scheduler_address
