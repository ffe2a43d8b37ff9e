"""Ensembles: many worlds of a scenario, in chunks, reproducible on any number of workers.

Before anything runs, the parent fixes the plan: the scenario, the seed, the number
of worlds and the chunks, each a (first world, count) pair. World k draws from its
own stream, keyed by (seed, k) (:mod:`crisis_sim.model.streams`), and its uncertain
parameters come from designs fixed by (seed, k) too (:mod:`crisis_sim.model.sampling`),
so results are bit-identical whatever the executor, the number of workers, the
order chunks finish in, or the total number of worlds (the first 1,000 worlds of a
10,000-world run are a 1,000-world run).

Each chunk is reduced as it finishes to its per-world rows and to week-by-week counts
(states and binned values), which merge exactly: memory is bounded by the chunk size,
not by the number of worlds; full week-by-week trajectories are kept only for the
worlds asked for. With an output folder, every finished chunk is written to
``DIR/.partial/`` at once, atomically, so an interrupted run (Ctrl-C, a killed
worker) keeps its finished chunks and :func:`resume` completes it; the result then
equals an uninterrupted run.

:func:`run_worlds` runs worlds at given values of the uncertain parameters instead
of draws from their distributions (the points of a sensitivity design), by the same
path: this module is the one place that builds models for many worlds.

Executors: ``local`` (this process), ``processes`` (a local process pool, for runs
of at least :data:`~crisis_sim.ensemble.pool.POOL_MIN_CHUNKS` chunks; fewer run in
this process) and ``dask`` (a Dask ``distributed`` cluster: a scheduler address, or
a ``LocalCluster`` started for the run; install the ``dask`` extra).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import hashlib
import json
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from numpy.typing import ArrayLike
from tqdm.auto import tqdm

from crisis_sim.ensemble import pool
from crisis_sim.ensemble.counting import WeeklyCounts
from crisis_sim.ensemble.limits import (
    DEFAULT_CHUNK_SIZE,
    EXECUTORS,
    MAX_SEED,
    MAX_WORKERS,
    Executor,
)
from crisis_sim.ensemble.outputs import (
    MARKER,
    PARTIAL,
    InterruptedRun,
    OutputFolder,
    atomic_write,
    describe_failure,
    describe_os_error,
    sha256,
    write_json,
)
from crisis_sim.ensemble.results import (
    BINNED,
    Results,
    lever_weeks_table,
    read_weekly,
    read_worlds,
    scenario_hash,
    write_weekly,
)
from crisis_sim.ensemble.twin import TWIN_MIN_WORLDS, Twin, twin_allowed
from crisis_sim.model import compiled
from crisis_sim.model.crisis import CrisisModel
from crisis_sim.model.sampling import SAMPLINGS, Sampling
from crisis_sim.scenario.errors import ScenarioError
from crisis_sim.scenario.files import load_scenario, scenario_from_dict
from crisis_sim.scenario.schema import MAX_RUNS, Scenario
from crisis_sim.version import __version__


class ResumeError(ValueError):
    """A folder cannot be resumed: no run, a plan that does not match, foreign chunks."""


PLAN_FIELDS = ("scenario_hash", "seed", "runs", "chunk_size", "sampling", "trajectories", "version")
"""What a plan's hash covers, and what a saved chunk must agree on."""


@dataclass(frozen=True)
class Plan:
    """Everything that fixes a run's results, decided before anything runs."""

    scenario: Scenario
    seed: int
    runs: int
    chunk_size: int
    sampling: Sampling
    trajectories: tuple[int, ...] = ()
    version: str = __version__

    @property
    def horizon(self) -> int:
        """Weeks simulated."""
        return self.scenario.run.horizon

    def chunks(self) -> list[tuple[int, int]]:
        """(first world, count) of every chunk."""
        return chunk_plan(self.runs, self.chunk_size)

    def fields(self) -> dict[str, Any]:
        """The plan's fields that fix its results (``PLAN_FIELDS``)."""
        return {
            "scenario_hash": scenario_hash(self.scenario),
            "seed": self.seed,
            "runs": self.runs,
            "chunk_size": self.chunk_size,
            "sampling": str(self.sampling),
            "trajectories": list(self.trajectories),
            "version": self.version,
        }

    @property
    def hash(self) -> str:
        """SHA-256 of the plan's fields: equal hashes, equal plans."""
        text = json.dumps(self.fields(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def to_json(self) -> dict[str, Any]:
        """The plan as JSON data (``plan.json`` in a partial run)."""
        return {
            "scenario": self.scenario.model_dump(mode="json"),
            **self.fields(),
            "plan_hash": self.hash,
        }

    @classmethod
    def from_json(cls, data: Any, file: str) -> Plan:
        """Read a plan written by :meth:`to_json`, checking its hash.

        Raises:
            ResumeError: If a field is missing or malformed, or the plan does not match
                its recorded hash.
        """
        if not isinstance(data, dict):
            raise ResumeError(f"{file} holds no plan")
        missing = [key for key in ("scenario", *PLAN_FIELDS, "plan_hash") if key not in data]
        if missing:
            raise ResumeError(f"{file} lacks the plan's {', '.join(missing)}")
        try:
            scenario = scenario_from_dict(data["scenario"], file=file)
        except ScenarioError as error:
            raise ResumeError(str(error).splitlines()[0]) from None
        numbers = {key: data[key] for key in ("seed", "runs", "chunk_size")}
        trajectories = data["trajectories"]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in numbers.values()) or (
            not isinstance(trajectories, list)
            or not all(isinstance(k, int) and not isinstance(k, bool) for k in trajectories)
        ):
            raise ResumeError(f"{file} has a malformed seed, runs, chunk_size or trajectories")
        plan = cls(
            scenario=scenario,
            seed=numbers["seed"],
            runs=numbers["runs"],
            chunk_size=numbers["chunk_size"],
            sampling=data["sampling"],
            trajectories=tuple(trajectories),
            version=str(data["version"]),
        )
        if plan.hash != data["plan_hash"]:
            raise ResumeError(f"{file} was changed after the run started (its hash differs)")
        return plan


@dataclass
class Chunk:
    """The reduced result of one chunk of worlds."""

    first: int
    worlds: pd.DataFrame
    state_counts: np.ndarray
    """(weeks + 1, states) number of worlds in each state each week."""
    histograms: dict[str, np.ndarray]
    """(weeks + 1, bins) counts of each binned variable each week."""
    trajectories: pd.DataFrame
    """Week-by-week state of the requested worlds in this chunk (maybe empty)."""
    seconds: float
    peak_mib: float = 0.0
    """Peak resident memory of the process that ran the chunk, MiB (0 where unknown)."""
    lever_weeks: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The week each lever fired in each world of the chunk (see ``Results.lever_weeks``)."""
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds of the chunk's :data:`PHASES` (empty for a chunk read back from disk)."""


PHASES = ("setup", "simulation", "reduction")
"""The parts of a chunk's time: building its model (parameters and random draws), stepping
its weeks, and reducing it to rows and counts."""


class _Progress(tqdm):
    """The runner's progress bar: tqdm's, without tqdm's monitor thread.

    That thread (it wakes every 10 s to check on bars slow to print) outlives the bar,
    and a thread left running keeps later runs in this process from forking a twin
    (:func:`~crisis_sim.ensemble.twin.twin_allowed`): a script or ``crisis-sim compare``
    running one scenario after another would have had one for its first run alone.
    """

    monitor_interval = 0


def _model(
    scenario: Scenario,
    *,
    seed: int,
    first: int,
    count: int,
    sampling: Sampling | None = None,
    values: Mapping[str, np.ndarray] | None = None,
    on_week: Callable[[Mapping[str, np.ndarray]], None] | None = None,
    record_history: bool = False,
) -> CrisisModel:
    """The model of worlds ``first .. first + count - 1``: the one place ensembles build one.

    Without ``values`` the uncertain parameters are drawn from the scenario's
    distributions by the ``sampling`` design, ``on_week`` sees each week's values (the
    chunk's counts) and the week-by-week history is kept if ``record_history``; with
    ``values`` world ``first + i`` takes ``values[path][i]`` of every uncertain
    parameter instead, and no history is kept.
    """
    if values is None:
        return CrisisModel.from_scenario(
            scenario,
            replications=count,
            seed=seed,
            first_replication=first,
            sample_design=sampling,
            event_log=False,
            record_history=record_history,
            on_week=on_week,
        )
    return CrisisModel(
        scenario.params,
        replications=count,
        seed=seed,
        first_replication=first,
        horizon=scenario.run.horizon,
        levers=scenario.all_levers(),
        sampled=values,
        start_date=scenario.run.start_date,
        event_log=False,
        record_history=False,
    )


def run_chunk(plan: Plan, first: int, count: int) -> Chunk:
    """Run worlds ``first .. first + count - 1`` of a plan and reduce them.

    A model stops once all its worlds have ended; its last week is then carried to the
    horizon, as ended worlds stay in their outcome. The model's agents and the model
    refer to each other; the cycle is collected at
    once, since Python's collector, counting objects rather than bytes, would
    otherwise leave tens of megabytes of arrays per chunk waiting.
    """
    start = time.perf_counter()
    wanted = [k for k in plan.trajectories if first <= k < first + count]
    counts = WeeklyCounts(plan.horizon)
    model = _model(
        plan.scenario,
        seed=plan.seed,
        first=first,
        count=count,
        sampling=plan.sampling,
        on_week=counts.add,
        record_history=bool(wanted),
    )
    built = time.perf_counter()
    model.run()
    stepped = time.perf_counter()
    states, histograms = counts.carried()
    recorded = counts.weeks
    trajectories = pd.DataFrame()
    if wanted:
        frame = model.history_frame()
        frame = frame[frame["replication"].isin(wanted)]
        last = frame[frame["week"] == recorded - 1]
        carried = [last.assign(week=week) for week in range(recorded, plan.horizon + 1)]
        trajectories = pd.concat([frame, *carried], ignore_index=True)
    worlds = model.outcomes()
    lever_weeks = lever_weeks_table(plan.scenario, first, model.lever_week)
    del model
    gc.collect(1)
    return_freed_memory()
    end = time.perf_counter()
    phases = {"setup": built - start, "simulation": stepped - built, "reduction": end - stepped}
    return Chunk(
        first,
        worlds,
        states,
        histograms,
        trajectories,
        end - start,
        _peak_mib(),
        lever_weeks,
        phases,
    )


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """The C library's ``malloc_trim``, where it has one (glibc); else None."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return None


def return_freed_memory() -> None:
    """Give memory this process has freed back to the system, where the C library can.

    A chunk's arrays, and the chunks' tables the parent receives and merges, are a few
    megabytes each, allocated and freed hundreds of times in a run. glibc keeps freed
    blocks of that size in its heap for reuse, where they fragment: a million-world
    run's parent grew to twice its merged table, and each worker by a third over its
    first chunk. ``malloc_trim(0)`` returns the free pages (as Dask's workers do, for
    the same reason); elsewhere this does nothing.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _peak_mib() -> float:
    """Peak resident memory of this process in MiB, where the platform reports it."""
    try:
        import resource
    except ImportError:
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if platform.system() != "Darwin" else peak / 2**20


def chunk_plan(runs: int, chunk_size: int) -> list[tuple[int, int]]:
    """(first, count) of every chunk, fixed before anything runs."""
    if runs < 1 or chunk_size < 1:
        raise ValueError(f"runs and chunk_size must be positive, got {runs} and {chunk_size}")
    return [(first, min(chunk_size, runs - first)) for first in range(0, runs, chunk_size)]


def run_worlds(
    scenario: Scenario,
    values: Mapping[str, ArrayLike],
    *,
    seed: int | None = None,
    first: int = 0,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: bool = False,
) -> Iterator[pd.DataFrame]:
    """Run worlds at given values of the uncertain parameters; their tables, chunk by chunk.

    World ``first + i`` takes ``values[path][i]`` for every uncertain parameter of the
    scenario, a posterior's parameters included
    (:meth:`~crisis_sim.scenario.schema.Scenario.with_posterior_as_ranges`), in place
    of a draw from its distribution, and draws its own randomness
    from the stream keyed by ``(seed, first + i)``, as in :func:`run`: so the worlds
    do not depend on the chunk size. This is how sensitivity analysis runs the model
    at the points of its design (:mod:`crisis_sim.analysis.sensitivity`).

    Args:
        scenario: The scenario (its parameters, levers, horizon and start date).
        values: One array per uncertain parameter's path, all of the same length.
        seed: The seed of the worlds' randomness; the scenario's if None.
        first: Index of the first world.
        chunk_size: Most worlds per model run; changes speed and memory, never results.
        progress: Show a progress bar over the worlds.

    Returns:
        An iterator over the per-world tables
        (:meth:`~crisis_sim.model.crisis.CrisisModel.outcomes`) of consecutive chunks,
        in world order.

    Raises:
        ValueError: If ``values`` does not give exactly the scenario's uncertain
            parameters, its arrays differ in length or are empty, or ``seed``,
            ``first`` or ``chunk_size`` is out of range.
    """
    scenario = scenario.with_posterior_as_ranges()
    given = {path: np.asarray(column, dtype=float) for path, column in values.items()}
    expected = [dist.param for dist in scenario.uncertain]
    if sorted(given) != sorted(expected):
        raise ValueError(
            f"values must give exactly the uncertain parameters ({', '.join(expected)}); "
            f"got {', '.join(given) or 'none'}"
        )
    shapes = sorted({column.shape for column in given.values()})
    if len(shapes) != 1 or len(shapes[0]) != 1 or shapes[0][0] < 1:
        raise ValueError("values must be one-dimensional arrays of one, non-zero length")
    worlds = shapes[0][0]
    seed = scenario.run.seed if seed is None else seed
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be a whole number from 0 to 2**63 - 1, got {seed}")
    if first < 0 or chunk_size < 1:
        raise ValueError(f"first must be >= 0 and chunk_size >= 1, got {first} and {chunk_size}")
    return _run_worlds(scenario, given, seed, first, worlds, chunk_size, progress)


def _run_worlds(
    scenario: Scenario,
    values: dict[str, np.ndarray],
    seed: int,
    first: int,
    worlds: int,
    chunk_size: int,
    progress: bool,
) -> Iterator[pd.DataFrame]:
    """The chunks of :func:`run_worlds`, run as they are asked for."""
    with _Progress(
        total=worlds, unit="world", desc=scenario.name or "worlds", disable=not progress
    ) as bar:
        for start, count in chunk_plan(worlds, chunk_size):
            part = {path: column[start : start + count] for path, column in values.items()}
            model = _model(scenario, seed=seed, first=first + start, count=count, values=part)
            yield model.run().outcomes()
            bar.update(count)


def versions() -> dict[str, str]:
    """Versions of Python, this package and its main dependencies."""
    names = (
        "crisis-sim",
        "mesa",
        "numpy",
        "pandas",
        "scipy",
        "pydantic",
        "matplotlib",
        "pyarrow",
        "dask",
        "distributed",
    )
    found = {"python": platform.python_version()}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


# -- executors -------------------------------------------------------------------------


def _run_local(plan: Plan, todo: list[tuple[int, int]], workers: int, scheduler: str | None):
    for first, count in todo:
        yield run_chunk(plan, first, count)


def _twin(plan: Plan, todo: list[tuple[int, int]]) -> Twin | None:
    """A :class:`~crisis_sim.ensemble.twin.Twin` for a run in this process, or None.

    Forked, with the kernels loaded first so that it starts with them, where a chunk to
    run is large enough to halve (:data:`~crisis_sim.ensemble.twin.TWIN_MIN_WORLDS`)
    and this process may fork one (:func:`~crisis_sim.ensemble.twin.twin_allowed`).
    Where the fork fails (no memory or processes left to the user), the run goes on
    without one.
    """
    if not any(count >= TWIN_MIN_WORLDS for _, count in todo) or not twin_allowed():
        return None
    compiled.load_kernels()
    try:
        return Twin(run_chunk, plan)
    except OSError:
        return None


def _run_halves(plan: Plan, todo: list[tuple[int, int]], second: Twin) -> Iterator[Chunk]:
    """Each chunk of ``todo``, its second half run by ``second`` while this process runs the first.

    A chunk under :data:`~crisis_sim.ensemble.twin.TWIN_MIN_WORLDS` worlds runs here
    whole. The halves are joined into the chunk (:func:`_joined`): the same worlds,
    counts and tables as the chunk run at once. The twin gets the next chunk's half
    before this one is handed on, so it runs while the caller saves and merges.
    """

    def give(index: int) -> None:
        if index < len(todo) and todo[index][1] >= TWIN_MIN_WORLDS:
            first, count = todo[index]
            second.start(first + count // 2, count - count // 2)

    give(0)
    for index, (first, count) in enumerate(todo):
        if count < TWIN_MIN_WORLDS:
            chunk = run_chunk(plan, first, count)
        else:
            chunk = _joined(run_chunk(plan, first, count // 2), second.result())
        give(index + 1)
        yield chunk


def _joined(first: Chunk, second: Chunk) -> Chunk:
    """The chunk of ``first``'s worlds followed by ``second``'s (the next ones).

    Counts and histograms add up, tables follow one another; the seconds and each
    phase's seconds add up (as over a pool's chunks: time of both processes), the peak
    is the larger one.
    """
    trajectories = [c.trajectories for c in (first, second) if len(c.trajectories)]
    return Chunk(
        first.first,
        pd.concat([first.worlds, second.worlds], ignore_index=True),
        first.state_counts + second.state_counts,
        {name: counts + second.histograms[name] for name, counts in first.histograms.items()},
        pd.concat(trajectories, ignore_index=True) if trajectories else pd.DataFrame(),
        first.seconds + second.seconds,
        max(first.peak_mib, second.peak_mib),
        pd.concat([first.lever_weeks, second.lever_weeks], ignore_index=True),
        {phase: first.phases.get(phase, 0.0) + second.phases.get(phase, 0.0) for phase in PHASES},
    )


def _run_processes(
    plan: Plan, todo: list[tuple[int, int]], workers: int, scheduler: str | None
) -> Iterator[Chunk]:
    processes = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=pool.process_context(),
        initializer=pool.exit_with,
        initargs=(os.getpid(),),
    )
    try:
        # The list is as_completed's alone, and it lets go of each future it yields, so
        # a chunk the caller has taken in is not also kept alive by its future.
        for future in as_completed([processes.submit(run_chunk, plan, *c) for c in todo]):
            yield future.result()
    except BaseException:
        processes.shutdown(wait=False, cancel_futures=True)
        raise
    processes.shutdown()


def _run_dask(
    plan: Plan, todo: list[tuple[int, int]], workers: int, scheduler: str | None
) -> Iterator[Chunk]:
    try:
        from distributed import as_completed as dask_as_completed

        from crisis_sim.ensemble.dask_cluster import connect, private_client
    except ImportError:
        raise RuntimeError(
            "the dask executor needs Dask distributed: pip install 'crisis-sim[dask]'"
        ) from None
    session = (
        private_client(workers) if scheduler is None else contextlib.closing(connect(scheduler))
    )
    with session as client:
        submitted = [client.submit(run_chunk, plan, *chunk, pure=False) for chunk in todo]
        for future in dask_as_completed(submitted):
            yield future.result()
            future.release()


_EXECUTORS: dict[str, Callable[..., Iterator[Chunk]]] = {
    "local": _run_local,
    "processes": _run_processes,
    "dask": _run_dask,
}


# -- persistence of chunks -------------------------------------------------------------


def _chunk_stem(first: int) -> str:
    return f"chunk-{first:012d}"


CHUNK_PARTS = ("weekly", "trajectories", "levers", "worlds")
"""The tables of a saved chunk, in the order they are written."""


def _save_chunk(folder: Path, plan: Plan, chunk: Chunk) -> None:
    """Write a finished chunk; its record (``chunk-N.json``), written last, marks it complete.

    The record holds the plan's fields and hash, the chunk's first world and count,
    and the SHA-256 of each table, so a resume can tell a chunk of another plan, or a
    truncated or corrupt one, from a good one.
    """
    stem = _chunk_stem(chunk.first)
    writers: dict[str, Callable[[Path], None]] = {
        "weekly": lambda path: write_weekly(path, chunk.state_counts, chunk.histograms),
        "trajectories": lambda path: chunk.trajectories.to_parquet(path, index=False),
        "levers": lambda path: chunk.lever_weeks.to_parquet(path, index=False),
        "worlds": lambda path: chunk.worlds.to_parquet(path, index=False),
    }
    digests = {}
    for part in CHUNK_PARTS:
        path = folder / f"{stem}.{part}.parquet"
        atomic_write(path, writers[part])
        digests[part] = sha256(path)
    record = {
        "plan": plan.fields(),
        "plan_hash": plan.hash,
        "first": chunk.first,
        "count": len(chunk.worlds),
        "sha256": digests,
    }
    write_json(folder / f"{stem}.json", record)


def _load_chunk(folder: Path, plan: Plan, first: int, count: int) -> tuple[Chunk | None, str]:
    """A saved chunk, checked against the plan; or None and why it must be recomputed.

    Raises:
        ResumeError: If the chunk belongs to another plan (naming the field that
            differs) or holds other worlds than the plan's chunk.
    """
    stem = _chunk_stem(first)
    record_path = folder / f"{stem}.json"
    if not record_path.is_file():
        return None, ""
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        recorded_plan, digests = record["plan"], record["sha256"]
        recorded_first, recorded_count = record["first"], record["count"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None, f"{record_path.name} is unreadable"
    if not isinstance(recorded_plan, dict) or not isinstance(digests, dict):
        return None, f"{record_path.name} is unreadable"
    differing = [key for key, value in plan.fields().items() if recorded_plan.get(key) != value]
    if differing:
        key = differing[0]
        raise ResumeError(
            f"{record_path} belongs to another run: its {key} is "
            f"{_short(recorded_plan.get(key))} where this run's is {_short(plan.fields()[key])}; "
            "remove the chunk or start a new run"
        )
    if (recorded_first, recorded_count) != (first, count):
        raise ResumeError(
            f"{record_path} holds worlds {recorded_first} to "
            f"{recorded_first + recorded_count - 1} where the plan's chunk holds {first} to "
            f"{first + count - 1}; remove the chunk or start a new run"
        )
    for part in CHUNK_PARTS:
        path = folder / f"{stem}.{part}.parquet"
        if not path.is_file() or path.is_symlink():
            return None, f"{path.name} is missing"
        if sha256(path) != digests.get(part):
            return None, f"{path.name} is truncated or corrupt (its checksum differs)"
    try:
        worlds = read_worlds(folder / f"{stem}.worlds.parquet")
        states, histograms = read_weekly(folder / f"{stem}.weekly.parquet")
        trajectories = pd.read_parquet(folder / f"{stem}.trajectories.parquet")
        lever_weeks = pd.read_parquet(folder / f"{stem}.levers.parquet")
    except (OSError, ValueError, KeyError, IndexError, pa.ArrowException) as error:
        return None, f"{stem} is unreadable ({error})"
    if len(worlds) != count or states.shape[0] != plan.horizon + 1 or len(lever_weeks) != count:
        return None, f"{stem} holds {len(worlds)} worlds where the plan has {count}"
    return Chunk(first, worlds, states, histograms, trajectories, 0.0, 0.0, lever_weeks), ""


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:16] + "..."


# -- running ---------------------------------------------------------------------------


class _WorldsTable:
    """The per-world table of a run, assembled column by column as its chunks arrive.

    Each chunk's rows are copied into their place in preallocated columns and the
    chunk's own table is then dropped, so the parent holds the table of a run once
    (``pd.concat`` of the chunks' tables at the end would hold it twice). The result is
    the table ``pd.concat`` gives: the same columns, dtypes, values and index.
    """

    def __init__(self, plan: Plan) -> None:
        self._rows = plan.runs  # the chunks hold worlds 0 .. runs - 1, chunk.first onwards
        self._columns: dict[str, np.ndarray] = {}
        self._pieces: dict[str, dict[int, pd.Series]] = {}
        self._order: list[str] = []

    def take(self, chunk: Chunk) -> Chunk:
        """Copy ``chunk``'s rows into the table; the chunk without its table, to keep."""
        worlds = chunk.worlds
        if not self._order:
            self._order = list(worlds.columns)
            for name in self._order:
                dtype = worlds[name].dtype
                if isinstance(dtype, np.dtype):
                    self._columns[name] = np.empty(self._rows, dtype=dtype)
                else:
                    self._pieces[name] = {}
        start = chunk.first
        for name, column in self._columns.items():
            column[start : start + len(worlds)] = worlds[name].to_numpy()
        for name, pieces in self._pieces.items():
            pieces[start] = worlds[name]
        # A copy of no rows: a slice would be a view that keeps the chunk's arrays alive.
        return replace(chunk, worlds=worlds.iloc[:0].copy())

    def frame(self) -> pd.DataFrame:
        """The whole table, in the order of the plan's chunks, its columns not copied."""
        data: dict[str, Any] = {}
        for name in self._order:
            if name in self._columns:
                data[name] = self._columns[name]
            else:
                pieces = self._pieces[name]
                data[name] = pd.concat(
                    [pieces[start] for start in sorted(pieces)], ignore_index=True
                )
        return pd.DataFrame(data, columns=self._order, copy=False)


def _execute(
    plan: Plan,
    *,
    executor: str,
    workers: int,
    scheduler: str | None,
    folder: OutputFolder | None,
    progress: bool,
    on_chunk: Callable[[Chunk], None] | None,
    resumed: dict[int, Chunk],
    started: float,
) -> Results:
    if executor == "local" and workers > 1:
        executor = "processes"
    chunks = dict(resumed)
    todo = [(first, count) for first, count in plan.chunks() if first not in chunks]
    if executor == "processes" and not pool.starts_pool(len(todo)):
        executor, workers = "local", 1
    out = folder.path if folder is not None else None
    partial = out / PARTIAL if out is not None else None
    total = len(plan.chunks())
    done_worlds = sum(len(chunk.worlds) for chunk in chunks.values())
    name = plan.scenario.name or "ensemble"
    table = _WorldsTable(plan)
    chunks = {first: table.take(chunk) for first, chunk in chunks.items()}
    compiling = _load_kernels_saying_so() if progress and executor == "local" and todo else 0.0
    # Forked before the progress bar, whose monitor thread would forbid it.
    second = _twin(plan, todo) if executor == "local" else None
    chunks_of = (
        _EXECUTORS[executor](plan, todo, workers, scheduler)
        if second is None
        else _run_halves(plan, todo, second)
    )
    with (
        contextlib.nullcontext() if second is None else second,
        _Progress(
            total=plan.runs, initial=done_worlds, unit="world", desc=name, disable=not progress
        ) as bar,
    ):
        try:
            for chunk in chunks_of:
                if partial is not None:
                    _save_chunk(partial, plan, chunk)
                chunks[chunk.first] = chunk
                if on_chunk is not None:
                    on_chunk(chunk)
                bar.update(len(chunk.worlds))
                chunks[chunk.first] = table.take(chunk)
                del chunk
                return_freed_memory()
        except KeyboardInterrupt:
            raise InterruptedRun(out, len(chunks), total, "interrupted") from None
        except BrokenProcessPool:
            raise InterruptedRun(out, len(chunks), total, "a worker process died") from None
        except OSError as error:
            if out is None:
                raise
            raise InterruptedRun(
                out, len(chunks), total, f"a chunk could not be saved ({describe_os_error(error)})"
            ) from None
    ordered = [chunks[first] for first, _ in plan.chunks()]
    wall = time.perf_counter() - started
    worlds = table.frame()
    state_counts = np.sum([chunk.state_counts for chunk in ordered], axis=0)
    histograms = {
        variable: np.sum([chunk.histograms[variable] for chunk in ordered], axis=0)
        for variable in BINNED
    }
    pieces = [chunk.trajectories for chunk in ordered if len(chunk.trajectories)]
    trajectories = (
        pd.concat(pieces).sort_values(["replication", "week"], ignore_index=True)
        if pieces
        else pd.DataFrame()
    )
    info = {
        "seed": plan.seed,
        "runs": plan.runs,
        "horizon": plan.horizon,
        "sampling": str(plan.sampling),
        "plan_hash": plan.hash,
        "executor": executor,
        "workers": workers,
        "twin": second is not None,
        "scheduler": scheduler,
        "chunk_size": plan.chunk_size,
        "chunks": len(ordered),
        "chunks_resumed": len(resumed),
        "seconds_wall": wall,
        "seconds_in_chunks": sum(chunk.seconds for chunk in ordered),
        "seconds_compiling": compiling,
        **{
            f"seconds_{phase}": sum(chunk.phases.get(phase, 0.0) for chunk in ordered)
            for phase in PHASES
        },
        "worlds_per_second": plan.runs / wall if wall > 0 else None,
        "peak_mib_parent": _peak_mib(),
        "peak_mib_worker": max(chunk.peak_mib for chunk in ordered),
        "versions": versions(),
    }
    lever_weeks = pd.concat([chunk.lever_weeks for chunk in ordered], ignore_index=True)
    results = Results(
        plan.scenario, worlds, state_counts, histograms, info, trajectories, lever_weeks
    )
    if folder is not None:
        try:
            results.write_into(folder)
        except (KeyboardInterrupt, Exception) as error:
            raise InterruptedRun(
                folder.path, total, total, f"saving the results failed ({describe_failure(error)})"
            ) from None
        folder.finish_partial()
    return results


def _load_kernels_saying_so() -> float:
    """Load the model's kernels before a run in this process; the seconds spent compiling.

    Where they have to be compiled (a machine's first run, or after the model's code
    changed), the user is told why the first run takes longer. 0 where they were read
    from the cache.
    """
    compiling: list[float] = []

    def say(cached: bool) -> None:
        later = (
            "once: later runs read them from the cache"
            if cached
            else "in every run: numba has no writable cache folder (set NUMBA_CACHE_DIR)"
        )
        print(
            f"crisis_sim: compiling the model's kernels for this machine ({later}); this "
            "takes 10-30 s",
            file=sys.stderr,
            flush=True,
        )
        compiling.append(True)

    start = time.perf_counter()
    compiled.load_kernels(on_compile=say)
    return time.perf_counter() - start if compiling else 0.0


def _check_options(executor: str, workers: int) -> None:
    if executor not in _EXECUTORS:
        raise ValueError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")
    if not 1 <= workers <= MAX_WORKERS:
        raise ValueError(f"workers must be from 1 to {MAX_WORKERS}, got {workers}")


def make_plan(
    scenario: Scenario,
    *,
    runs: int | None = None,
    seed: int | None = None,
    sampling: Sampling | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    trajectories: Sequence[int] = (),
) -> Plan:
    """The plan of a run, checked: every limit is the scenario format's.

    Raises:
        ValueError: Naming the setting out of range.
    """
    design = sampling or scenario.run.sampling
    if design not in SAMPLINGS:
        raise ValueError(f"unknown sampling {design!r}; choose one of {', '.join(SAMPLINGS)}")
    plan = Plan(
        scenario=scenario,
        seed=scenario.run.seed if seed is None else seed,
        runs=scenario.run.runs if runs is None else runs,
        chunk_size=chunk_size,
        sampling=design,
        trajectories=tuple(sorted(set(trajectories))),
    )
    if not 0 <= plan.seed <= MAX_SEED:
        raise ValueError(f"seed must be a whole number from 0 to 2**63 - 1, got {plan.seed}")
    for what, value in (("runs", plan.runs), ("chunk_size", plan.chunk_size)):
        if not 1 <= value <= MAX_RUNS:
            raise ValueError(f"{what} must be from 1 to {MAX_RUNS:,}, got {value}")
    outside = [k for k in plan.trajectories if not 0 <= k < plan.runs]
    if outside:
        raise ValueError(f"trajectories asked for worlds outside 0..{plan.runs - 1}: {outside}")
    return plan


def run(
    scenario: Scenario | str | Path,
    *,
    runs: int | None = None,
    seed: int | None = None,
    sampling: Sampling | None = None,
    executor: Executor = "local",
    workers: int = 1,
    scheduler: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    out: str | Path | OutputFolder | None = None,
    overwrite: bool = False,
    trajectories: Sequence[int] = (),
    progress: bool = True,
    on_chunk: Callable[[Chunk], None] | None = None,
) -> Results:
    """Run an ensemble of a scenario and return its :class:`~crisis_sim.ensemble.results.Results`.

    Args:
        scenario: A :class:`Scenario`, a scenario file, or a bundled scenario's name.
        runs: Number of worlds; the scenario's ``run.runs`` if None.
        seed: The seed; the scenario's ``run.seed`` if None.
        sampling: ``monte_carlo`` or ``latin_hypercube``; the scenario's if None.
        executor: ``local``, ``processes`` or ``dask``.
        workers: Processes (``processes``) or local Dask workers (``dask`` without a
            scheduler). ``workers > 1`` with ``local`` means ``processes``; a run of
            fewer than :data:`~crisis_sim.ensemble.pool.POOL_MIN_CHUNKS` chunks runs in
            this process all the same (``info["executor"]`` says ``local``), as a pool
            would only slow it. A run in this process halves each chunk of at least
            :data:`~crisis_sim.ensemble.twin.TWIN_MIN_WORLDS` worlds with a process
            forked from this one, on a core left idle, where it may fork one
            (:mod:`crisis_sim.ensemble.twin`; ``info["twin"]``); the same numbers.
        scheduler: Address of a running Dask scheduler (``tcp://HOST:PORT``).
        chunk_size: Worlds per chunk; it changes speed and memory, never results.
        out: Folder to write the results to, chunk by chunk (resumable), or an
            :class:`~crisis_sim.ensemble.outputs.OutputFolder` already claimed.
        overwrite: Accept a folder holding earlier results of this package; they are
            replaced only once the new results are complete, and files the package
            did not write are never touched (see :mod:`crisis_sim.ensemble.outputs`).
        trajectories: Worlds whose full week-by-week state is kept.
        progress: Show a progress bar over the worlds.
        on_chunk: Called with each chunk as it finishes.

    Raises:
        InterruptedRun: On Ctrl-C, a dead worker or a failed save; finished chunks
            stay in ``out``.
        OutputExistsError: If ``out`` cannot be used (it says why).
    """
    started = time.perf_counter()
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    _check_options(executor, workers)
    plan = make_plan(
        scenario,
        runs=runs,
        seed=seed,
        sampling=sampling,
        chunk_size=chunk_size,
        trajectories=trajectories,
    )
    folder = None
    if out is not None:
        if isinstance(out, OutputFolder):
            folder = out
            folder.plan_hash = plan.hash
            folder.save_marker()
        else:
            folder = OutputFolder.claim(out, overwrite=overwrite, kind="run", plan_hash=plan.hash)
        partial = folder.partial(create=True)
        write_json(partial / "plan.json", plan.to_json())
    return _execute(
        plan,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        folder=folder,
        progress=progress,
        on_chunk=on_chunk,
        resumed={},
        started=started,
    )


def read_plan(directory: str | Path) -> tuple[OutputFolder, Plan]:
    """The folder and plan of an interrupted run, checked against the folder's marker.

    Raises:
        FileNotFoundError: If the folder holds no interrupted run.
        ResumeError: If the folder is not the package's, or its plan was changed.
    """
    folder = Path(directory)
    plan_file = folder / PARTIAL / "plan.json"
    if not plan_file.is_file():
        raise FileNotFoundError(
            f"{folder} holds no interrupted run to resume (no {PARTIAL}/plan.json)"
        )
    owned = OutputFolder.read(folder)
    if owned is None:
        raise ResumeError(
            f"{folder} has no {MARKER}: it was not written by this version of crisis_sim, "
            "so it cannot be resumed; start a new run"
        )
    try:
        data = json.loads(plan_file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise ResumeError(f"{plan_file} is not readable JSON ({error})") from None
    plan = Plan.from_json(data, str(plan_file))
    if plan.hash != owned.plan_hash:
        raise ResumeError(
            f"{plan_file} is not the plan this folder's run was started with "
            f"(see {folder / MARKER}); start a new run"
        )
    if plan.version != __version__:
        raise ResumeError(
            f"{folder} was started by crisis_sim {plan.version}; this is {__version__}, "
            "whose results may differ: resume it with that version, or start a new run"
        )
    owned.partial(create=False)
    return owned, plan


def resume(
    directory: str | Path,
    *,
    executor: Executor = "local",
    workers: int = 1,
    scheduler: str | None = None,
    progress: bool = True,
    expect: dict[str, Any] | None = None,
    report: Callable[[str], None] | None = None,
) -> Results:
    """Finish an interrupted run from the chunks saved in ``directory``.

    The plan (scenario, seed, worlds, chunks, sampling, package version) is read from
    the folder and checked against its marker, and each saved chunk against the plan,
    so the result equals the uninterrupted run's. A chunk that is truncated or
    corrupt is run again, saying so.

    Args:
        directory: The interrupted run's folder.
        executor: As for :func:`run`.
        workers: As for :func:`run`.
        scheduler: As for :func:`run`.
        progress: As for :func:`run`.
        expect: Settings the caller asked for (``seed``, ``runs``, ``chunk_size``,
            ``sampling``): each must equal the plan's.
        report: Called with a line for each chunk run again (default: a warning).

    Raises:
        FileNotFoundError: If the folder holds no interrupted run.
        ResumeError: If the plan or a chunk does not match, naming the field.
    """
    started = time.perf_counter()
    _check_options(executor, workers)
    folder, plan = read_plan(directory)
    fields: dict[str, int | str] = {
        "seed": plan.seed,
        "runs": plan.runs,
        "chunk_size": plan.chunk_size,
    }
    fields["sampling"] = str(plan.sampling)
    for key, value in (expect or {}).items():
        if value is not None and fields.get(key) != value:
            raise ResumeError(
                f"{folder.path} is a run with {key} {fields.get(key)}, not {value}: "
                f"leave out the {key} option to resume it, or start a new run"
            )
    say = report or (lambda text: warnings.warn(text, RuntimeWarning, stacklevel=3))
    resumed = {}
    for first, count in plan.chunks():
        chunk, problem = _load_chunk(folder.path / PARTIAL, plan, first, count)
        if chunk is not None:
            resumed[first] = chunk
        elif problem:
            say(f"{folder.path / PARTIAL}: {problem}; running that chunk again")
    return _execute(
        plan,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        folder=folder,
        progress=progress,
        on_chunk=None,
        resumed=resumed,
        started=started,
    )
