"""Ensembles: many worlds of a scenario, in chunks, reproducible on any number of workers.

Before anything runs, the parent fixes the plan: the scenario, the seed, the number
of worlds and the chunks, each a (first world, count) pair. World k draws from its
own stream, keyed by (seed, k) (:mod:`crisis_sim.streams`), and its uncertain
parameters come from designs fixed by (seed, k) too (:mod:`crisis_sim.sampling`),
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

Executors: ``local`` (this process), ``processes`` (a local process pool) and
``dask`` (a Dask ``distributed`` cluster: a scheduler address, or a ``LocalCluster``
started for the run; install the ``dask`` extra).
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import platform
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from crisis_sim.domain import OUTCOMES
from crisis_sim.model import CrisisModel
from crisis_sim.results import (
    BINNED,
    STATE_LABELS,
    Results,
    check_output_dir,
    read_weekly,
    read_worlds,
    scenario_hash,
    write_weekly,
)
from crisis_sim.sampling import SAMPLINGS, Sampling
from crisis_sim.scenario import Scenario, load_scenario, scenario_from_dict

DEFAULT_CHUNK_SIZE = 10_000
"""Worlds per chunk: large enough to amortise Python's per-step overhead."""

PARTIAL = ".partial"
"""Sub-folder of an output folder that holds a run's plan and finished chunks."""

Executor = Literal["local", "processes", "dask"]
EXECUTORS: tuple[str, ...] = ("local", "processes", "dask")


class InterruptedRun(RuntimeError):
    """A run stopped before all chunks finished; the finished ones are on disk.

    Attributes:
        directory: The output folder to resume from, or None if there was none.
        done: Chunks finished.
        total: Chunks in the plan.
    """

    def __init__(self, directory: Path | None, done: int, total: int, reason: str) -> None:
        """Say what happened and how to go on."""
        self.directory, self.done, self.total = directory, done, total
        if directory is None:
            hint = "no output folder was given, so nothing was kept"
        else:
            hint = (
                f"{done} of {total} chunks are saved in {directory}; finish with "
                f"crisis-sim run --resume {directory}"
            )
        super().__init__(f"{reason}: {hint}")


@dataclass(frozen=True)
class Plan:
    """Everything that fixes a run's results, decided before anything runs."""

    scenario: Scenario
    seed: int
    runs: int
    chunk_size: int
    sampling: Sampling
    trajectories: tuple[int, ...] = ()

    @property
    def horizon(self) -> int:
        """Weeks simulated."""
        return self.scenario.run.horizon

    def chunks(self) -> list[tuple[int, int]]:
        """(first world, count) of every chunk."""
        return chunk_plan(self.runs, self.chunk_size)

    def to_json(self) -> dict[str, Any]:
        """The plan as JSON data (``plan.json`` in a partial run)."""
        return {
            "scenario": self.scenario.model_dump(mode="json"),
            "scenario_hash": scenario_hash(self.scenario),
            "seed": self.seed,
            "runs": self.runs,
            "chunk_size": self.chunk_size,
            "sampling": self.sampling,
            "trajectories": list(self.trajectories),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], file: str) -> Plan:
        """Read a plan written by :meth:`to_json`."""
        scenario = scenario_from_dict(data["scenario"], file=file)
        return cls(
            scenario=scenario,
            seed=int(data["seed"]),
            runs=int(data["runs"]),
            chunk_size=int(data["chunk_size"]),
            sampling=data["sampling"],
            trajectories=tuple(int(k) for k in data["trajectories"]),
        )


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


def _state_index(state: np.ndarray) -> np.ndarray:
    """Map the model's state codes (outcome, or 100 + rung) to columns of STATE_LABELS."""
    return np.where(state >= 100, len(OUTCOMES) + state - 100, state)


def run_chunk(plan: Plan, first: int, count: int) -> Chunk:
    """Run worlds ``first .. first + count - 1`` of a plan and reduce them.

    A model stops once all its worlds have ended; its last week is then carried to the
    horizon, as ended worlds stay in their outcome. The model's agents and the model
    refer to each other; the cycle is collected at
    once, since Python's collector, counting objects rather than bytes, would
    otherwise leave tens of megabytes of arrays per chunk waiting.
    """
    start = time.perf_counter()
    model = CrisisModel.from_scenario(
        plan.scenario,
        replications=count,
        seed=plan.seed,
        first_replication=first,
        sample_design=plan.sampling,
        event_log=False,
        record_history=True,
    ).run()
    history = model.history
    assert history is not None
    weeks = plan.horizon + 1
    recorded = len(history["state"])
    states = np.zeros((weeks, len(STATE_LABELS)), dtype=np.int64)
    for week, codes in enumerate(history["state"]):
        states[week] = np.bincount(_state_index(codes), minlength=len(STATE_LABELS))
    states[recorded:] = states[recorded - 1]
    histograms = {}
    for name, (low, high, bins) in BINNED.items():
        counts = np.zeros((weeks, bins), dtype=np.int64)
        for week, values in enumerate(history[name]):
            counts[week], _ = np.histogram(values, bins=bins, range=(low, high))
        counts[recorded:] = counts[recorded - 1]
        histograms[name] = counts
    wanted = [k for k in plan.trajectories if first <= k < first + count]
    trajectories = pd.DataFrame()
    if wanted:
        frame = model.history_frame()
        frame = frame[frame["replication"].isin(wanted)]
        last = frame[frame["week"] == recorded - 1]
        carried = [last.assign(week=week) for week in range(recorded, weeks)]
        trajectories = pd.concat([frame, *carried], ignore_index=True)
    worlds = model.outcomes()
    del model, history
    gc.collect(1)
    seconds = time.perf_counter() - start
    return Chunk(first, worlds, states, histograms, trajectories, seconds, _peak_mib())


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


def _process_context() -> multiprocessing.context.BaseContext:
    """The way to start worker processes.

    Workers come from a server that has imported the package once (forkserver) where
    the platform has one, else they are spawned afresh; neither forks a parent that
    may hold threads.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["crisis_sim.ensemble"])
        return context
    return multiprocessing.get_context("spawn")


def _run_processes(
    plan: Plan, todo: list[tuple[int, int]], workers: int, scheduler: str | None
) -> Iterator[Chunk]:
    context = _process_context()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    try:
        futures = [pool.submit(run_chunk, plan, first, count) for first, count in todo]
        for future in as_completed(futures):
            yield future.result()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _run_dask(
    plan: Plan, todo: list[tuple[int, int]], workers: int, scheduler: str | None
) -> Iterator[Chunk]:
    try:
        from distributed import Client, LocalCluster
        from distributed import as_completed as dask_as_completed
    except ImportError:
        raise RuntimeError(
            "the dask executor needs Dask distributed: pip install 'crisis-sim[dask]'"
        ) from None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = [
            client.submit(run_chunk, plan, first, count, pure=False) for first, count in todo
        ]
        for future in dask_as_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


_EXECUTORS: dict[str, Callable[..., Iterator[Chunk]]] = {
    "local": _run_local,
    "processes": _run_processes,
    "dask": _run_dask,
}


# -- persistence of chunks -------------------------------------------------------------


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file in the same folder, then rename it into place."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _chunk_stem(first: int) -> str:
    return f"chunk-{first:012d}"


def _save_chunk(folder: Path, chunk: Chunk) -> None:
    """Write a finished chunk; its worlds file, written last, marks it complete."""
    stem = _chunk_stem(chunk.first)
    _atomic_write(
        folder / f"{stem}.weekly.parquet",
        lambda path: write_weekly(path, chunk.state_counts, chunk.histograms),
    )
    _atomic_write(
        folder / f"{stem}.trajectories.parquet",
        lambda path: chunk.trajectories.to_parquet(path, index=False),
    )
    _atomic_write(
        folder / f"{stem}.worlds.parquet",
        lambda path: chunk.worlds.to_parquet(path, index=False),
    )


def _load_chunk(folder: Path, first: int) -> Chunk | None:
    stem = _chunk_stem(first)
    worlds_path = folder / f"{stem}.worlds.parquet"
    if not worlds_path.is_file():
        return None
    worlds = read_worlds(worlds_path)
    states, histograms = read_weekly(folder / f"{stem}.weekly.parquet")
    trajectories = pd.read_parquet(folder / f"{stem}.trajectories.parquet")
    return Chunk(first, worlds, states, histograms, trajectories, 0.0)


# -- running ---------------------------------------------------------------------------


def _execute(
    plan: Plan,
    *,
    executor: str,
    workers: int,
    scheduler: str | None,
    out: Path | None,
    progress: bool,
    on_chunk: Callable[[Chunk], None] | None,
    resumed: dict[int, Chunk],
    started: float,
    figures: bool,
) -> Results:
    if executor not in _EXECUTORS:
        raise ValueError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if executor == "local" and workers > 1:
        executor = "processes"
    chunks = dict(resumed)
    todo = [(first, count) for first, count in plan.chunks() if first not in chunks]
    partial = out / PARTIAL if out is not None else None
    done_worlds = sum(len(chunk.worlds) for chunk in chunks.values())
    name = plan.scenario.name or "ensemble"
    with tqdm(
        total=plan.runs, initial=done_worlds, unit="world", desc=name, disable=not progress
    ) as bar:
        try:
            for chunk in _EXECUTORS[executor](plan, todo, workers, scheduler):
                if partial is not None:
                    _save_chunk(partial, chunk)
                chunks[chunk.first] = chunk
                if on_chunk is not None:
                    on_chunk(chunk)
                bar.update(len(chunk.worlds))
        except KeyboardInterrupt:
            raise InterruptedRun(out, len(chunks), len(plan.chunks()), "interrupted") from None
        except BrokenProcessPool:
            raise InterruptedRun(
                out, len(chunks), len(plan.chunks()), "a worker process died"
            ) from None
    ordered = [chunks[first] for first, _ in plan.chunks()]
    wall = time.perf_counter() - started
    worlds = pd.concat([chunk.worlds for chunk in ordered], ignore_index=True)
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
        "sampling": plan.sampling,
        "executor": executor,
        "workers": workers,
        "scheduler": scheduler,
        "chunk_size": plan.chunk_size,
        "chunks": len(ordered),
        "chunks_resumed": len(resumed),
        "seconds_wall": wall,
        "seconds_in_chunks": sum(chunk.seconds for chunk in ordered),
        "worlds_per_second": plan.runs / wall if wall > 0 else float("inf"),
        "peak_mib_parent": _peak_mib(),
        "peak_mib_worker": max(chunk.peak_mib for chunk in ordered),
        "versions": versions(),
    }
    results = Results(plan.scenario, worlds, state_counts, histograms, info, trajectories)
    if out is not None:
        results.save(out, overwrite=True, figures=figures)
    return results


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
    out: str | Path | None = None,
    overwrite: bool = False,
    trajectories: Sequence[int] = (),
    progress: bool = True,
    figures: bool = True,
    on_chunk: Callable[[Chunk], None] | None = None,
) -> Results:
    """Run an ensemble of a scenario and return its :class:`~crisis_sim.results.Results`.

    Args:
        scenario: A :class:`Scenario`, a scenario file, or a bundled scenario's name.
        runs: Number of worlds; the scenario's ``run.runs`` if None.
        seed: The seed; the scenario's ``run.seed`` if None.
        sampling: ``monte_carlo`` or ``latin_hypercube``; the scenario's if None.
        executor: ``local``, ``processes`` or ``dask``.
        workers: Processes (``processes``) or local Dask workers (``dask`` without a
            scheduler). ``workers > 1`` with ``local`` means ``processes``.
        scheduler: Address of a running Dask scheduler (``tcp://HOST:PORT``).
        chunk_size: Worlds per chunk; it changes speed and memory, never results.
        out: Folder to write the results to, chunk by chunk (resumable).
        overwrite: Replace a non-empty ``out`` (only once the new results are complete).
        trajectories: Worlds whose full week-by-week state is kept.
        progress: Show a progress bar over the worlds.
        figures: Draw the main figures into ``out``.
        on_chunk: Called with each chunk as it finishes.

    Raises:
        InterruptedRun: On Ctrl-C or a dead worker; finished chunks stay in ``out``.
    """
    started = time.perf_counter()
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
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
    if plan.seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {plan.seed}")
    plan.chunks()
    outside = [k for k in plan.trajectories if not 0 <= k < plan.runs]
    if outside:
        raise ValueError(f"trajectories asked for worlds outside 0..{plan.runs - 1}: {outside}")
    folder = None
    if out is not None:
        folder = Path(out)
        check_output_dir(folder, overwrite)
        partial = folder / PARTIAL
        partial.mkdir(parents=True, exist_ok=True)
        for stale in partial.iterdir():
            stale.unlink()
        text = json.dumps(plan.to_json(), indent=2)
        _atomic_write(partial / "plan.json", lambda path: path.write_text(text, encoding="utf-8"))
    return _execute(
        plan,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        out=folder,
        progress=progress,
        on_chunk=on_chunk,
        resumed={},
        started=started,
        figures=figures,
    )


def resume(
    directory: str | Path,
    *,
    executor: Executor = "local",
    workers: int = 1,
    scheduler: str | None = None,
    progress: bool = True,
    figures: bool = True,
) -> Results:
    """Finish an interrupted run from the chunks saved in ``directory``.

    The plan (scenario, seed, worlds, chunks, sampling) is read from the folder, so
    the result equals the uninterrupted run's.

    Raises:
        FileNotFoundError: If the folder holds no interrupted run.
    """
    started = time.perf_counter()
    folder = Path(directory)
    plan_file = folder / PARTIAL / "plan.json"
    if not plan_file.is_file():
        raise FileNotFoundError(
            f"{folder} holds no interrupted run to resume (no {PARTIAL}/plan.json)"
        )
    plan = Plan.from_json(json.loads(plan_file.read_text(encoding="utf-8")), str(plan_file))
    resumed = {}
    for first, _ in plan.chunks():
        chunk = _load_chunk(folder / PARTIAL, first)
        if chunk is not None:
            resumed[first] = chunk
    return _execute(
        plan,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        out=folder,
        progress=progress,
        on_chunk=None,
        resumed=resumed,
        started=started,
        figures=figures,
    )
