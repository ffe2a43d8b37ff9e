"""Ensembles: many worlds of a scenario, in chunks, reproducible on any number of workers.

Worlds are run in chunks of a fixed size. A chunk is fully described by (scenario,
seed, first replication, count): world k draws from its own stream, fixed by
(seed, k) alone (:mod:`crisis_sim.streams`), so results are identical whatever the
number of workers, the order chunks finish in, or the total number of worlds.
Each chunk is reduced as it finishes to its per-world rows and to week-by-week
counts (states and binned values), which merge exactly; memory is bounded by the
chunk size, not by the number of worlds.
"""

from __future__ import annotations

import multiprocessing
import platform
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from crisis_sim.domain import OUTCOMES
from crisis_sim.model import CrisisModel
from crisis_sim.results import BINNED, STATE_LABELS, Results
from crisis_sim.scenario import Scenario, load_scenario

DEFAULT_CHUNK_SIZE = 10_000
"""Worlds per chunk: large enough to amortise Python's per-step overhead."""


@dataclass
class Chunk:
    """The reduced result of one chunk of worlds."""

    first: int
    worlds: pd.DataFrame
    state_counts: np.ndarray
    """(weeks + 1, states) number of worlds in each state each week."""
    histograms: dict[str, np.ndarray]
    """(weeks + 1, bins) counts of each binned variable each week."""
    seconds: float


def _state_index(state: np.ndarray) -> np.ndarray:
    """Map the model's state codes (outcome, or 100 + rung) to columns of STATE_LABELS."""
    return np.where(state >= 100, len(OUTCOMES) + state - 100, state)


def run_chunk(scenario: Scenario, seed: int, first: int, count: int, horizon: int) -> Chunk:
    """Run worlds ``first .. first + count - 1`` of a scenario and reduce them."""
    start = time.perf_counter()
    model = CrisisModel(
        scenario.params,
        replications=count,
        seed=seed,
        first_replication=first,
        horizon=horizon,
        levers=scenario.all_levers(),
        uncertain=scenario.uncertain,
        start_date=scenario.run.start_date,
        event_log=False,
        record_history=True,
    ).run()
    history = model.history
    assert history is not None
    weeks = len(history["state"])
    states = np.zeros((weeks, len(STATE_LABELS)), dtype=np.int64)
    for week, codes in enumerate(history["state"]):
        states[week] = np.bincount(_state_index(codes), minlength=len(STATE_LABELS))
    histograms = {}
    for name, (low, high, bins) in BINNED.items():
        counts = np.zeros((weeks, bins), dtype=np.int64)
        for week, values in enumerate(history[name]):
            counts[week], _ = np.histogram(values, bins=bins, range=(low, high))
        histograms[name] = counts
    return Chunk(first, model.outcomes(), states, histograms, time.perf_counter() - start)


def chunk_plan(runs: int, chunk_size: int) -> list[tuple[int, int]]:
    """(first, count) of every chunk, fixed before anything runs."""
    if runs < 1 or chunk_size < 1:
        raise ValueError(f"runs and chunk_size must be positive, got {runs} and {chunk_size}")
    return [(first, min(chunk_size, runs - first)) for first in range(0, runs, chunk_size)]


def _versions() -> dict[str, str]:
    names = ("crisis-sim", "mesa", "numpy", "pandas", "scipy", "pydantic", "matplotlib")
    found = {"python": platform.python_version()}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def _execute(
    scenario: Scenario,
    seed: int,
    plan: list[tuple[int, int]],
    horizon: int,
    workers: int,
) -> Iterator[Chunk]:
    if workers <= 1:
        for first, count in plan:
            yield run_chunk(scenario, seed, first, count, horizon)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [
            pool.submit(run_chunk, scenario, seed, first, count, horizon) for first, count in plan
        ]
        for future in futures:
            yield future.result()


def run(
    scenario: Scenario | str | Path,
    *,
    runs: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: bool = True,
    on_chunk: Callable[[Chunk], None] | None = None,
) -> Results:
    """Run an ensemble of a scenario and return its :class:`~crisis_sim.results.Results`.

    Args:
        scenario: A :class:`Scenario`, a scenario file, or a bundled scenario's name.
        runs: Number of worlds; the scenario's ``run.runs`` if None.
        seed: The seed; the scenario's ``run.seed`` if None.
        workers: Processes to run chunks in (1 = in this process).
        chunk_size: Worlds per chunk; it changes speed and memory, never results.
        progress: Show a progress bar over the worlds.
        on_chunk: Called with each chunk as it finishes.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    runs = scenario.run.runs if runs is None else runs
    seed = scenario.run.seed if seed is None else seed
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    horizon = scenario.run.horizon
    plan = chunk_plan(runs, chunk_size)
    started = time.perf_counter()
    chunks: list[Chunk] = []
    with tqdm(
        total=runs, unit="world", desc=scenario.name or "ensemble", disable=not progress
    ) as bar:
        for chunk in _execute(scenario, seed, plan, horizon, workers):
            chunks.append(chunk)
            if on_chunk is not None:
                on_chunk(chunk)
            bar.update(len(chunk.worlds))
    chunks.sort(key=lambda chunk: chunk.first)
    wall = time.perf_counter() - started
    worlds = pd.concat([chunk.worlds for chunk in chunks], ignore_index=True)
    state_counts = np.sum([chunk.state_counts for chunk in chunks], axis=0)
    histograms = {
        name: np.sum([chunk.histograms[name] for chunk in chunks], axis=0) for name in BINNED
    }
    info = {
        "seed": seed,
        "runs": runs,
        "horizon": horizon,
        "workers": workers,
        "chunk_size": chunk_size,
        "chunks": len(plan),
        "seconds_wall": wall,
        "seconds_in_chunks": sum(chunk.seconds for chunk in chunks),
        "worlds_per_second": runs / wall if wall > 0 else float("inf"),
        "versions": _versions(),
    }
    return Results(scenario, worlds, state_counts, histograms, info)
