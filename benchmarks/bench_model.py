"""Benchmark: R worlds stepped at once against one world at a time.

Times ``CrisisModel(replications=R, ...).run()`` (construction + run) for the baseline
parameters over the default horizon, and, in the same process so that the ratios are
not skewed by a busy shared machine, the same model driven one world at a time, both
through ``mesa.batch_run`` and through a plain Python loop. It then checks that the
methods agree world by world, and prints whether each target is met.

Run from the repository root::

    .venv/bin/python benchmarks/bench_model.py
    .venv/bin/python benchmarks/bench_model.py --worlds 20000 --baseline-worlds 100
    .venv/bin/python benchmarks/bench_model.py --profile 20000   # also show hot spots

See ``benchmarks/README.md`` for the targets.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import platform
import pstats
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.batchrunner import batch_run

from crisis_sim import CrisisModel
from crisis_sim.model import streams
from crisis_sim.model.crisis import DEFAULT_HORIZON

TARGET_BATCH_RUN_RATIO = 100.0
"""Vectorised worlds per second must be at least this many times batch_run's."""

FLOAT_TOLERANCE = 1e-12
"""Largest absolute difference tolerated between float columns of the two methods."""

_OPTIONS = {"event_log": False, "record_history": False}
"""The same bookkeeping switched off for every method, so that only the model is timed."""


# -- the three ways of running worlds ------------------------------------------------------


def run_vectorised(worlds: int, seed: int, horizon: int) -> CrisisModel:
    """Run ``worlds`` worlds at once; return the finished model."""
    return CrisisModel(replications=worlds, seed=seed, horizon=horizon, **_OPTIONS).run()


def time_vectorised(
    worlds: int, seed: int, horizon: int, repeats: int
) -> tuple[list[float], list[float], CrisisModel]:
    """Time construction and run of the vectorised model separately, ``repeats`` times.

    Returns:
        The construction times, the run times and the last finished model.
    """
    built, ran = [], []
    model = None
    for _ in range(repeats):
        model = None  # let the previous model go before the next one allocates
        gc.collect()
        start = time.perf_counter()
        model = CrisisModel(replications=worlds, seed=seed, horizon=horizon, **_OPTIONS)
        middle = time.perf_counter()
        model.run()
        built.append(middle - start)
        ran.append(time.perf_counter() - middle)
    assert model is not None
    return built, ran, model


def run_loop(worlds: int, seed: int, horizon: int) -> list[CrisisModel]:
    """Run worlds 0 .. worlds - 1 one at a time in a plain Python loop; return the models."""
    return [
        CrisisModel(
            replications=1, seed=seed, first_replication=k, horizon=horizon, **_OPTIONS
        ).run()
        for k in range(worlds)
    ]


def run_batch(worlds: int, seed: int, horizon: int) -> list[dict[str, Any]]:
    """Run worlds 0 .. worlds - 1 one at a time through ``mesa.batch_run``.

    ``batch_run`` passes its ``rng`` values under the name ``seed`` (the model's
    constructor has a ``seed`` argument) and overrides any ``seed`` in ``parameters``,
    so the scenario seed goes in ``rng`` and the world index in ``first_replication``:
    run k is then world (seed, k), the same world as row k of a vectorised run.
    """
    return batch_run(
        CrisisModel,
        parameters={"replications": 1, "first_replication": range(worlds), **_OPTIONS},
        rng=[seed],
        number_processes=1,
        max_steps=horizon,
        data_collection_period=-1,
        display_progress=False,
    )


# -- measurement ---------------------------------------------------------------------------


def timed(func: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    """Call ``func`` ``repeats`` times; return the wall times and the last result."""
    times = []
    result = None
    for _ in range(repeats):
        result = None  # let the previous result go before the next run allocates
        gc.collect()
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return times, result


def max_rss_bytes() -> int:
    """The process's peak resident set size so far (ru_maxrss is KiB on Linux, B on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def traced_peak_bytes(func: Callable[[], Any]) -> int:
    """Peak memory allocated while ``func`` runs, numpy buffers included (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        result = func()
        _, peak = tracemalloc.get_traced_memory()
        del result
    finally:
        tracemalloc.stop()
    return peak - base


def mib(size: float) -> str:
    """Format a byte count in MiB."""
    return f"{size / 2**20:,.1f} MiB"


def verdict(met: bool) -> str:
    """Say whether a target is met."""
    return "MET" if met else "NOT MET"


# -- agreement -----------------------------------------------------------------------------

OUTCOME_COLUMNS = ("replication", "outcome", "week", "date")
"""What a world's outcome is: the agreement target compares these exactly."""

BATCH_REPORTERS = {
    "mean_rung": "end_rung",
    "mean_sanctions": "sanctions",
    "mean_posture": "posture",
    "mean_cohesion": "cohesion",
}
"""batch_run's final model reporters, which for one world are that world's end state."""


def differing_rows(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Boolean mask of the rows where two columns differ (floats beyond the tolerance)."""
    if pd.api.types.is_float_dtype(a) or pd.api.types.is_float_dtype(b):
        x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
        return ~((np.abs(x - y) <= FLOAT_TOLERANCE) | (np.isnan(x) & np.isnan(y)))
    missing = a.isna().to_numpy() & b.isna().to_numpy()  # NaN != NaN in pandas' strings
    return (a.astype(str).to_numpy() != b.astype(str).to_numpy()) & ~missing


def compare(single: pd.DataFrame, vectorised: pd.DataFrame, pairs: dict[str, str]) -> dict:
    """Compare columns of one-at-a-time results with the same worlds' vectorised rows.

    Returns:
        For each pair of columns that differ anywhere, the mask of differing worlds.
    """
    found = {}
    for left, right in pairs.items():
        mask = differing_rows(single[left], vectorised[right])
        if mask.any():
            found[f"{left}" if left == right else f"{left}/{right}"] = mask
    return found


def describe(found: dict, ended_early: np.ndarray) -> str:
    """Say which columns differ, in how many worlds, and whether only in early-ended ones."""
    if not found:
        return "agree"
    parts = []
    for name, mask in found.items():
        early = " (all ended before the horizon)" if (ended_early[mask]).all() else ""
        parts.append(f"{name} in {int(mask.sum())} worlds{early}")
    return "DISAGREE: " + "; ".join(parts)


# -- profiling -----------------------------------------------------------------------------


def profile(worlds: int, seed: int, horizon: int, top: int) -> None:
    """Print cProfile's hot spots of one vectorised run, by own time and cumulative time."""
    gc.collect()
    profiler = cProfile.Profile()
    profiler.runcall(run_vectorised, worlds, seed, horizon)
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order)
        stats.print_stats(top)
        print(f"\n--- cProfile, {worlds:,} worlds, top {top} by {order} ---")
        print(out.getvalue().split("\n", 4)[-1].rstrip())


# -- main ----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        description="Time R worlds stepped at once against mesa.batch_run and a plain loop."
    )
    parser.add_argument("--worlds", type=int, default=100_000, help="worlds of the vectorised run")
    parser.add_argument(
        "--baseline-worlds",
        type=int,
        default=600,
        help="worlds run one at a time by batch_run and by the loop",
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="timed repeats of the vectorised run"
    )
    parser.add_argument(
        "--baseline-repeats", type=int, default=1, help="timed repeats of each baseline"
    )
    parser.add_argument("--seed", type=int, default=20220113, help="scenario seed")
    parser.add_argument("--horizon", type=int, default=DEFAULT_HORIZON, help="weeks per world")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="WORLDS",
        help="also profile a vectorised run of this many worlds (0: no profile)",
    )
    parser.add_argument("--profile-top", type=int, default=25, help="rows of the profile")
    args = parser.parse_args(argv)
    if args.baseline_worlds > args.worlds:
        parser.error("--baseline-worlds must not exceed --worlds (rows are compared)")
    if min(args.worlds, args.baseline_worlds, args.repeats, args.baseline_repeats) < 1:
        parser.error("counts must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    args = parse_args(argv)
    seed, horizon = args.seed, args.horizon
    print("crisis_sim benchmark: vectorised worlds against one world at a time")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"mesa {mesa.__version__}; {platform.machine()}, {os.cpu_count()} CPUs"
    )
    print(
        f"seed {seed}, horizon {horizon} weeks, baseline parameters; "
        f"event_log=False, record_history=False everywhere"
    )

    # Warm-up: imports, the allies' table cache, numpy's first-call costs.
    run_vectorised(min(args.worlds, 1_000), seed, horizon)
    run_loop(2, seed, horizon)

    # 1. Vectorised, first, so that its ru_maxrss rise is not hidden by an earlier peak.
    rss_before = max_rss_bytes()
    built, ran, vec_model = time_vectorised(args.worlds, seed, horizon, args.repeats)
    rss_rise = max_rss_bytes() - rss_before
    vec_outcomes = vec_model.outcomes()
    del vec_model
    vec_times = [b + r for b, r in zip(built, ran, strict=True)]
    vec_best, vec_median = min(vec_times), statistics.median(vec_times)
    vec_rate = args.worlds / vec_best
    gc.collect()
    start = time.perf_counter()
    streams.draw_worlds(seed, 0, args.worlds, horizon)
    draw_time = time.perf_counter() - start
    traced = traced_peak_bytes(lambda: run_vectorised(args.worlds, seed, horizon))

    print(f"\n1. Vectorised: CrisisModel(replications={args.worlds:,}).run(), construction + run")
    print(f"   times (s):        {', '.join(f'{t:.3f}' for t in vec_times)}")
    print(f"   best / median:    {vec_best:.3f} s / {vec_median:.3f} s")
    print(f"   worlds per second: {vec_rate:,.0f} (best), {args.worlds / vec_median:,.0f} (median)")
    print(
        f"   split (median):   construction {statistics.median(built):.3f} s (random draws "
        f"alone {draw_time:.3f} s), run {statistics.median(ran):.3f} s "
        f"({statistics.median(ran) / horizon * 1e3:.0f} ms per week)"
    )
    print(
        f"   peak memory:      {mib(traced)} traced by tracemalloc "
        f"({traced / args.worlds:,.0f} B per world); ru_maxrss rise {mib(rss_rise)}"
    )

    # 2. Baselines, one world at a time.
    n = args.baseline_worlds
    batch_times, batch_records = timed(lambda: run_batch(n, seed, horizon), args.baseline_repeats)
    loop_times, loop_models = timed(lambda: run_loop(n, seed, horizon), args.baseline_repeats)
    loop_outcomes = pd.concat([m.outcomes() for m in loop_models], ignore_index=True)
    del loop_models
    batch_rate = n / min(batch_times)
    loop_rate = n / min(loop_times)
    print(f"\n2. One world at a time, {n:,} worlds (best of {args.baseline_repeats})")
    print(
        f"   mesa.batch_run:   {min(batch_times):.3f} s, {batch_rate:,.1f} worlds per second "
        f"({1e3 / batch_rate:.1f} ms per world)"
    )
    print(
        f"   plain loop:       {min(loop_times):.3f} s, {loop_rate:,.1f} worlds per second "
        f"({1e3 / loop_rate:.1f} ms per world)"
    )

    # 3. Ratios.
    batch_ratio = vec_rate / batch_rate
    loop_ratio = vec_rate / loop_rate
    print("\n3. Speed-up of the vectorised run (best times)")
    print(
        f"   vectorised / batch_run: {batch_ratio:,.0f}x   "
        f"target >= {TARGET_BATCH_RUN_RATIO:.0f}x: {verdict(batch_ratio >= TARGET_BATCH_RUN_RATIO)}"
    )
    print(f"   vectorised / loop:      {loop_ratio:,.0f}x")
    print(f"   batch_run / loop:       {batch_rate / loop_rate:.2f} (batch_run's own overhead)")

    # 4. Agreement: world k run alone against row k of the vectorised run.
    rows = vec_outcomes.iloc[:n].reset_index(drop=True)
    ended_early = rows["week"].to_numpy() < horizon
    outcome_diff = compare(loop_outcomes, rows, {c: c for c in OUTCOME_COLUMNS})
    state_columns = [c for c in loop_outcomes.columns if c not in OUTCOME_COLUMNS]
    state_diff = compare(loop_outcomes, rows, {c: c for c in state_columns})
    batch = pd.DataFrame(batch_records).sort_values("first_replication", ignore_index=True)
    batch_rows = vec_outcomes.iloc[batch["first_replication"].to_numpy()].reset_index(drop=True)
    batch_diff = compare(batch, batch_rows, BATCH_REPORTERS)
    finished = bool((batch["share_ongoing"] == 0.0).all())
    matching = int((~differing_rows(loop_outcomes["outcome"], rows["outcome"])).sum())
    agree = not outcome_diff
    print(f"\n4. Agreement, worlds 0-{n - 1}: each run alone against its row of the vectorised run")
    print(
        f"   loop outcome (outcome, week, date) == vectorised row: {matching}/{n} outcomes "
        f"equal; {describe(outcome_diff, ended_early)}"
    )
    print(
        f"   loop end state (other {len(state_columns)} columns): "
        f"{describe(state_diff, ended_early)}"
    )
    print(
        f"   batch_run end state (final reporters): {describe(batch_diff, ended_early)}; "
        f"all worlds finished: {finished}"
    )
    print(f"   target: outcomes agree: {verdict(agree)}")
    if state_diff or batch_diff:
        print(
            "   note: end-state differences in worlds that ended before the horizon mean the\n"
            "   vectorised model keeps updating closed worlds (it stops only when all have ended)."
        )

    print("\nSummary")
    print(
        f"   vectorised  {vec_rate:12,.0f} worlds/s  ({args.worlds:,} worlds, best of "
        f"{args.repeats})"
    )
    print(f"   batch_run   {batch_rate:12,.1f} worlds/s  ({n:,} worlds)")
    print(f"   loop        {loop_rate:12,.1f} worlds/s  ({n:,} worlds)")
    print(
        f"   ratio vs batch_run {batch_ratio:,.0f}x "
        f"({verdict(batch_ratio >= TARGET_BATCH_RUN_RATIO)}, target "
        f">= {TARGET_BATCH_RUN_RATIO:.0f}x); agreement {verdict(agree)}"
    )

    if args.profile:
        profile(args.profile, seed, horizon, args.profile_top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
