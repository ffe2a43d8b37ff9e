"""Benchmark the model core: its cost per world-week, the new core against the old one.

The core was rewritten from commit 391ca29 on (Russia plans in weeks, invades only by
choice, the war runs on after an invasion, a 51-week default horizon); the previous
core is commit a5ffb19. The new core is this checkout's ``src``. This script measures
both in the same run, so that the ratio is not skewed by a busy shared machine:

1. Each core runs in its own subprocess (``PYTHONPATH=<checkout>/src``, this
   interpreter and its virtual environment) on the worlds of the bundled ``baseline``
   scenario, as the ensemble builds them (its parameters, uncertain parameters and
   levers; ``event_log=False, record_history=False``): R = 10,000 and 100,000 worlds,
   at the core's own default horizon and at 51 weeks. The process's CPU time
   (``resource.getrusage(RUSAGE_CHILDREN)``) and wall time are measured from outside;
   the CPU time of a process that only imports the package and loads the scenario is
   subtracted before dividing by R x weeks stepped, giving nanoseconds per
   world-week; the CPU time of building and running the model, measured inside the
   process, gives the same figure without the start-up's noise (the better measure at
   10,000 worlds). Every configuration runs ``--repeats`` times, interleaved, and the
   best is kept.
2. One million worlds of ``baseline`` at its default horizon on two worker
   processes with the new core, ``crisis_sim.run("baseline", runs=1_000_000,
   workers=2)``: wall time against a target of 20 s, the CPU time of the whole process
   tree and its simultaneous memory peak (target 1 GiB; :mod:`process_tree`: the workers
   are children of the forkserver, which ``RUSAGE_CHILDREN`` does not see), with the CPU
   time of one chunk run in this process after it, which bounds the wall time on idle
   workers from below.

The old core comes from ``--old PATH`` (a checkout of the old commit, or its ``src``
folder); without it, a git worktree of ``--old-commit`` is made in a temporary folder
outside the repository and removed at the end.

Run from the repository root::

    .venv/bin/python benchmarks/bench_core.py            # 5-7 minutes
    .venv/bin/python benchmarks/bench_core.py --quick    # a tenth of the sizes
    .venv/bin/python benchmarks/bench_core.py --old /tmp/crisis_old

Nothing is asserted: the script prints its figures and whether the target is met.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from process_tree import ProcessTree

REPO = Path(__file__).resolve().parents[1]
NEW_SRC = REPO / "src"
OLD_COMMIT = "a5ffb19"
SIZES = (10_000, 100_000)
MILLION = 1_000_000
MILLION_TARGET_SECONDS = 20.0
MILLION_TARGET_MIB = 1024.0
COMPARED_HORIZON = 51
SEED = 20220113


# -- the child: one core, one configuration ----------------------------------------------


def child(worlds: int, horizon: int) -> None:
    """Run ``worlds`` worlds of baseline for ``horizon`` weeks (0: the default); print JSON.

    With ``worlds == 0`` only import the package and load the scenario: the start-up
    cost that the parent subtracts.
    """
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    import crisis_sim
    from crisis_sim import CrisisModel, load_scenario

    scenario = load_scenario("baseline")
    weeks = horizon or scenario.run.horizon
    report = {
        "file": crisis_sim.__file__,
        "default_horizon": scenario.run.horizon,
        "weeks": weeks,
        "steps": 0,
        "import_seconds": time.perf_counter() - start_wall,
    }
    if worlds:
        wall, cpu = time.perf_counter(), time.process_time()
        model = CrisisModel(
            scenario.params,
            replications=worlds,
            seed=SEED,
            horizon=weeks,
            levers=scenario.all_levers(),
            uncertain=scenario.uncertain,
            sample_design=scenario.run.sampling,
            start_date=scenario.run.start_date,
            event_log=False,
            record_history=False,
        ).run()
        report["model_wall"] = time.perf_counter() - wall
        report["model_cpu"] = time.process_time() - cpu
        report["steps"] = int(model.week)
    report["total_cpu"] = time.process_time() - start_cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report["peak_mib"] = peak / 2**20 if sys.platform == "darwin" else peak / 2**10
    print(json.dumps(report))


# -- the parent ---------------------------------------------------------------------------


@dataclass
class Measure:
    """The best of the repeats of one (core, worlds, horizon)."""

    core: str
    worlds: int
    horizon: int  # 0: the core's default
    cpu: float = float("inf")
    wall: float = float("inf")
    report: dict | None = None


def children_cpu() -> float:
    """CPU time (user + system) of the waited-for children of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_child(src: Path, worlds: int, horizon: int) -> tuple[float, float, dict]:
    """Run one child on the core in ``src``; return its CPU time, wall time and report."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    env.pop("COVERAGE_PROCESS_START", None)
    command = [sys.executable, __file__, "--child", str(worlds), str(horizon)]
    cpu, wall = children_cpu(), time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - wall, children_cpu() - cpu
    if done.returncode:
        sys.exit(f"the child on {src} failed:\n{done.stderr}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    if Path(report["file"]).resolve().parents[1] != src.resolve():
        sys.exit(f"the child imported {report['file']}, not the core in {src}")
    return cpu, wall, report


def old_source(path: Path | None, commit: str) -> tuple[Path, Path | None]:
    """The old core's ``src`` folder, and the worktree made for it (None if given)."""
    if path is not None:
        for src in (path / "src", path):
            if (src / "crisis_sim" / "__init__.py").is_file():
                return src, None
        sys.exit(f"--old {path}: no crisis_sim package in it or in its src folder")
    folder = Path(tempfile.mkdtemp(prefix="crisis_old_"))
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", str(folder), commit],
        check=True,
        capture_output=True,
    )
    return folder / "src", folder


def remove_worktree(folder: Path) -> None:
    """Remove the worktree this script made."""
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "remove", "--force", str(folder)],
        check=False,
        capture_output=True,
    )


def core_table(sources: dict[str, Path], sizes: list[int], repeats: int) -> None:
    """Measure both cores at each size and horizon; print the table."""
    startup = {core: Measure(core, 0, 0) for core in sources}
    runs: dict[tuple[str, int, int], Measure] = {}
    for core in sources:
        for worlds in sizes:
            for horizon in (0, COMPARED_HORIZON):
                runs[core, worlds, horizon] = Measure(core, worlds, horizon)
    print(f"   {len(runs) + len(startup)} configurations x {repeats} repeats, interleaved")
    for _ in range(repeats):
        for measure in [*startup.values(), *runs.values()]:
            default = runs.get((measure.core, measure.worlds, 0))
            if measure.horizon and default.report and default.report["weeks"] == measure.horizon:
                continue  # the core's default horizon is this one: measured once
            cpu, wall, report = run_child(sources[measure.core], measure.worlds, measure.horizon)
            if cpu < measure.cpu:
                measure.cpu, measure.report = cpu, report
            measure.wall = min(measure.wall, wall)
    for core, worlds, horizon in list(runs):
        default = runs[core, worlds, 0]
        if horizon and default.report["weeks"] == horizon:
            runs[core, worlds, horizon] = default

    def per_world_week(measure: Measure, model: bool = False) -> float:
        """Nanoseconds of CPU per world-week: of the process net of start-up, or of the model."""
        report = measure.report
        seconds = report["model_cpu"] if model else measure.cpu - startup[measure.core].cpu
        return seconds / (measure.worlds * report["steps"]) * 1e9

    for core, measure in startup.items():
        print(
            f"   start-up of the {core} core (import, load the scenario): "
            f"{measure.cpu:.2f} s CPU, {measure.wall:.2f} s wall; "
            f"{measure.report['file']}"
        )
    header = (
        f"   {'core':<4} {'R':>8} {'weeks':>12} {'steps':>5} {'CPU s':>6} {'wall s':>6} "
        f"{'MiB':>5} | {'ns/world-week':>13} {'new/old':>7} | {'model s':>7} "
        f"{'ns/world-week':>13} {'new/old':>7}"
    )
    print(
        "\n" + f"   {'':<4} {'':>8} {'':>12} {'':>5} {'process (best of repeats)':^20} | "
        f"{'process - start-up':^21} | {'the model alone':^29}"
    )
    print(header)
    print("   " + "-" * (len(header) - 3))
    for worlds in sizes:
        for horizon in (0, COMPARED_HORIZON):
            for core in sources:
                measure = runs[core, worlds, horizon]
                report = measure.report
                weeks = str(report["weeks"])
                if report["weeks"] == report["default_horizon"]:
                    weeks += " (default)"
                ratios = ["", ""]
                if core == "new":
                    old = runs["old", worlds, horizon]
                    ratios = [
                        f"{per_world_week(measure, m) / per_world_week(old, m):.2f}x"
                        for m in (False, True)
                    ]
                print(
                    f"   {core:<4} {worlds:>8,} {weeks:>12} {report['steps']:>5} "
                    f"{measure.cpu:>6.2f} {measure.wall:>6.2f} {report['peak_mib']:>5,.0f} | "
                    f"{per_world_week(measure):>13,.0f} {ratios[0]:>7} | "
                    f"{report['model_cpu']:>7.2f} {per_world_week(measure, True):>13,.0f} "
                    f"{ratios[1]:>7}"
                )
    print(
        "\n   CPU s, wall s, MiB: the whole process (CPU from getrusage of the children, peak\n"
        "   resident memory), best of the repeats. Process - start-up: (CPU s - start-up CPU)\n"
        "   / (R x steps). The model alone: CPU time of building and running the model,\n"
        "   measured inside the process, / (R x steps). new/old: the ratio of ns/world-week\n"
        "   at the same R, first each core at its own default horizon, then both at\n"
        f"   {COMPARED_HORIZON} weeks."
    )


def million(worlds: int, workers: int) -> None:
    """Time ``crisis_sim.run("baseline", runs=worlds, workers=workers)`` with the new core."""
    import crisis_sim
    from crisis_sim.ensemble import runner

    with ProcessTree() as tree:
        results = crisis_sim.run("baseline", runs=worlds, workers=workers, progress=False)

    # Then one chunk in this process: the CPU the run's work needs, whatever the load
    # (after the run, so that the run's memory peak does not count this chunk's).
    plan = runner.make_plan(crisis_sim.load_scenario("baseline"), runs=worlds)
    size = min(plan.chunk_size, worlds)
    cpu, chunk_wall = time.process_time(), time.perf_counter()
    runner.run_chunk(plan, 0, size)
    cpu, chunk_wall = time.process_time() - cpu, time.perf_counter() - chunk_wall
    floor = worlds / size * cpu / workers
    wall = tree.wall_seconds
    info = results.info
    weeks = info["horizon"]
    in_chunks = info["seconds_in_chunks"]
    print(
        f"   wall time {wall:.1f} s ({worlds / wall:,.0f} worlds/s), {weeks} weeks; "
        f"{info['chunks']} chunks, {in_chunks:.1f} s of wall time inside them "
        f"({in_chunks / (worlds * weeks) * 1e9:,.0f} ns per world-week)"
    )
    print(
        f"   one chunk of {size:,} worlds run in this process afterwards: {cpu:.2f} s CPU, "
        f"{chunk_wall:.2f} s wall ({cpu / (size * weeks) * 1e9:,.0f} ns per world-week); "
        f"the run's work is then {floor * workers:.0f} s of CPU, at least {floor:.0f} s "
        f"of wall time on {workers} idle workers"
    )
    print(
        f"   CPU of the whole process tree {tree.cpu_seconds:.1f} s ({tree.processes} "
        f"processes, {tree.cpu_seconds / wall:.2f} cores busy on average)"
    )
    print(
        f"   simultaneous memory peak {tree.peak_mib:,.0f} MiB (parent's own peak "
        f"{info['peak_mib_parent']:,.0f} MiB, each worker's up to "
        f"{info['peak_mib_worker']:,.0f} MiB)"
    )
    if worlds == MILLION:
        verdict = "MET" if wall < MILLION_TARGET_SECONDS else "NOT MET"
        memory = "MET" if tree.peak_mib < MILLION_TARGET_MIB else "NOT MET"
        print(
            f"   target < {MILLION_TARGET_SECONDS:.0f} s: {verdict}; "
            f"target < {MILLION_TARGET_MIB:,.0f} MiB: {memory}"
        )
    else:
        scaled = wall * MILLION / worlds
        print(
            f"   (the {MILLION_TARGET_SECONDS:.0f} s target is for {MILLION:,} worlds; "
            f"scaled linearly: {scaled:.0f} s, which overstates the pool's start-up)"
        )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--child", nargs=2, type=int, metavar=("WORLDS", "HORIZON"), help=argparse.SUPPRESS
    )
    parser.add_argument("--old", type=Path, help="a checkout of the old core (or its src)")
    parser.add_argument("--old-commit", default=OLD_COMMIT, help="the old core's commit")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats of each run")
    parser.add_argument("--workers", type=int, default=2, help="workers of the million run")
    parser.add_argument(
        "--skip-million", action="store_true", help="leave out the million-world run"
    )
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    scale = 10 if args.quick else 1
    sizes = [size // scale for size in SIZES]
    print("crisis_sim core benchmark: cost per world-week, new core against old")
    print(
        f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    old_src, worktree = old_source(args.old, args.old_commit)
    try:
        print(f"\n1. baseline.toml, one process per run; new {NEW_SRC}, old {old_src}")
        core_table({"old": old_src, "new": NEW_SRC}, sizes, args.repeats)
    finally:
        if worktree is not None:
            remove_worktree(worktree)
    if not args.skip_million:
        worlds = MILLION // scale
        print(f"\n2. {worlds:,} worlds of baseline.toml, new core, {args.workers} workers")
        million(worlds, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
