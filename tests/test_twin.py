"""The twin: a forked process that runs half of each chunk of a run in this process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import warnings
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import pandas as pd
import pytest

from crisis_sim.ensemble import pool, runner, twin
from crisis_sim.ensemble.results import Results
from crisis_sim.scenario.files import load_scenario

CHUNK = 2 * twin.TWIN_MIN_WORLDS
"""A chunk cut in two halves of the least size a twin takes."""

WORLDS = 2 * CHUNK + 1_000
"""Two chunks a twin halves (the second's half sent while the first is handed on), and a
last one too small to halve."""

SCENARIO = "us_exercise_limits"
"""A bundled scenario with levers, so that the levers' table is joined too."""

KEPT = (3, CHUNK // 2 - 1, CHUNK // 2, CHUNK + CHUNK // 2, WORLDS - 1)
"""Worlds whose trajectories are kept: either side of a cut, and in the last chunk."""

WITH_A_TWIN = f"""
import sys
from crisis_sim.ensemble import pool, runner
pool.cores = lambda: 2  # one core is enough to check the numbers
results = runner.run(
    {SCENARIO!r}, runs={WORLDS}, chunk_size={CHUNK}, trajectories={KEPT!r},
    out=sys.argv[1], progress=False,
)
print("twin", results.info["twin"])
"""


def test_a_run_with_a_twin_gives_the_worlds_of_one_run_to_the_bit(tmp_path, monkeypatch):
    out = tmp_path / "with"
    done = subprocess.run(
        [sys.executable, "-c", WITH_A_TWIN, str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert done.stdout.split() == ["twin", "True"], done.stderr
    monkeypatch.setattr(runner, "twin_allowed", lambda: False)
    alone = runner.run(
        load_scenario(SCENARIO), runs=WORLDS, chunk_size=CHUNK, trajectories=KEPT, progress=False
    )
    assert alone.info["twin"] is False
    halves = Results.load(out)
    assert halves.info["twin"] is True
    pd.testing.assert_frame_equal(halves.worlds, alone.worlds, check_exact=True)
    np.testing.assert_array_equal(halves.state_counts, alone.state_counts)
    for name, counts in alone.histograms.items():
        np.testing.assert_array_equal(halves.histograms[name], counts, err_msg=name)
    pd.testing.assert_frame_equal(halves.trajectories, alone.trajectories, check_exact=True)
    assert halves.lever_weeks is not None and alone.lever_weeks is not None
    pd.testing.assert_frame_equal(halves.lever_weeks, alone.lever_weeks, check_exact=True)
    assert sorted(set(halves.trajectories["replication"])) == list(KEPT)


def test_each_run_of_a_script_gets_a_twin_after_the_progress_bars_of_earlier_ones():
    code = (
        "from crisis_sim.ensemble import pool, runner; pool.cores = lambda: 2; "
        f"runs = [runner.run('baseline', runs={CHUNK}, progress=True) for _ in range(2)]; "
        "print(*(r.info['twin'] for r in runs))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    assert done.stdout.split() == ["True", "True"], done.stderr
    assert "100%" in done.stderr


def test_joined_halves_equal_the_chunk_run_at_once():
    plan = runner.make_plan(
        load_scenario("baseline"),
        runs=1_200,
        seed=None,
        sampling=None,
        chunk_size=1_200,
        trajectories=(0, 599, 600, 1_199),
    )
    whole = runner.run_chunk(plan, 0, 1_200)
    joined = runner._joined(runner.run_chunk(plan, 0, 600), runner.run_chunk(plan, 600, 600))
    assert joined.first == whole.first
    pd.testing.assert_frame_equal(joined.worlds, whole.worlds, check_exact=True)
    np.testing.assert_array_equal(joined.state_counts, whole.state_counts)
    for name, counts in whole.histograms.items():
        np.testing.assert_array_equal(joined.histograms[name], counts, err_msg=name)
    key = ["replication", "week"]
    pd.testing.assert_frame_equal(
        joined.trajectories.sort_values(key, ignore_index=True),
        whole.trajectories.sort_values(key, ignore_index=True),
        check_exact=True,
    )
    assert set(joined.phases) == set(runner.PHASES)


def test_a_twin_answers_each_call_and_raises_its_errors_here():
    with twin.Twin(divmod, 17) as second:
        second.start(5)
        assert second.result() == (3, 2)
        second.start(0)
        with pytest.raises(ZeroDivisionError):
            second.result()
        second.start(4)
        assert second.result() == (4, 1)


def test_a_twin_that_dies_is_a_broken_pool_and_closing_it_after_is_safe():
    second = twin.Twin(os._exit)
    second.start(3)
    with pytest.raises(BrokenProcessPool, match="died"):
        second.result()
    second.close()
    second.close(wait=False)


def test_an_error_inside_the_block_stops_the_twin_at_once():
    with pytest.raises(KeyError), twin.Twin(divmod, 17) as second:
        second.start(5)
        raise KeyError("the run failed")
    assert not second._process.is_alive()


def test_no_twin_beside_another_thread_but_beside_a_process_pool_s_own():
    before = set(threading.enumerate())
    with ProcessPoolExecutor(max_workers=1) as executor, pool.forking():
        assert executor.submit(abs, -1).result() == 1
        started = set(threading.enumerate()) - before
        assert started
        assert all(twin._pool_thread(thread) for thread in started)
    waiting = threading.Event()
    other = threading.Thread(target=waiting.wait)
    other.start()
    try:
        assert not twin._pool_thread(other)
        assert not twin.twin_allowed()
    finally:
        waiting.set()
        other.join()


def test_a_small_chunk_forks_no_twin(monkeypatch):
    monkeypatch.setattr(runner, "twin_allowed", lambda: True)
    results = runner.run("baseline", runs=twin.TWIN_MIN_WORLDS - 1, progress=False)
    assert results.info["twin"] is False


def test_the_command_says_when_a_twin_ran(tmp_path):
    command = ["run", "baseline", "--runs", str(CHUNK), "--out", str(tmp_path / "out")]
    done = subprocess.run(
        [sys.executable, "-m", "crisis_sim", *command, "--no-figures", "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    forks = sys.platform.startswith("linux") and pool.cores() > 1
    assert ("1 worker(s) and a twin process" in done.stdout) is forks, done.stdout


def test_a_run_goes_on_without_a_twin_where_the_fork_fails(monkeypatch):
    def no_fork(*arguments):
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(runner, "twin_allowed", lambda: True)
    monkeypatch.setattr(runner, "Twin", no_fork)
    results = runner.run("baseline", runs=twin.TWIN_MIN_WORLDS, progress=False)
    assert results.info["twin"] is False
    assert len(results.worlds) == twin.TWIN_MIN_WORLDS


def test_forking_silences_python_s_warning_of_threads_at_a_fork_and_nothing_else():
    fork = "This process (pid=1) is multi-threaded, use of fork() may lead to deadlocks."
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pool.forking():
            warnings.warn(fork, DeprecationWarning, stacklevel=1)
            warnings.warn("something else", DeprecationWarning, stacklevel=1)
        warnings.warn(fork, DeprecationWarning, stacklevel=1)
    assert [str(w.message) for w in seen] == ["something else", fork]
