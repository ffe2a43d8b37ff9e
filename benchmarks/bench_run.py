"""Benchmark the everyday costs: ``import crisis_sim``, and a run broken into its parts.

Prints, for this checkout and (with ``--before PATH``) another checkout measured in the
same run, interleaved:

1. ``import crisis_sim`` in a fresh process: wall and CPU time, best of ``--repeats``.
   Target: under 0.5 s.
2. A ``crisis-sim run baseline --runs N`` with figures (N = 10,000 by default) as a fresh
   process: wall time and CPU time of its whole process tree (:mod:`process_tree`).
   Target: under 2.5 s on an idle 2-core machine.
3. The same run inside one fresh process, broken into its parts: import (what the
   command imports, matplotlib included), set-up (the scenario, the compiled kernels,
   loaded before the run, and building each chunk's model: its parameters and random
   draws), simulation (stepping the weeks), reduction (each chunk's rows and counts, and
   merging them), saving (the chunks and the result files) and drawing (the main
   figures, in the command's default formats, with a figure helper forked before the
   run as the command forks one where it can). Where a twin ran half of each chunk
   beside this process (``crisis_sim.ensemble.twin``), a chunk's parts are the mean of
   the two processes.
4. In this process or in a pool (this checkout): runs of 1 to ``--chunks`` chunks of
   10,000 worlds, each a fresh process, in this process (one worker) and on a pool of
   two workers forced even for one or two chunks: wall time and CPU of the process tree.
   Where the pool starts to win is the crossover ``pool.POOL_MIN_CHUNKS`` is set by.

A checkout named by ``--before`` runs with its own ``.venv/bin/python`` and its own
``src`` first on the path; a checkout whose runner does not time its chunks' parts
(before this benchmark existed) reports set-up, simulation and reduction as one figure.

Run: .venv/bin/python benchmarks/bench_run.py [--before /work/main] [--runs 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from process_tree import ProcessTree

HERE = Path(__file__).resolve().parents[1]

IMPORT_TARGET = 0.5
RUN_TARGET = 2.5

CHILD = r"""
import json, sys, time
from pathlib import Path
started = time.perf_counter()
import crisis_sim.cli as cli
from crisis_sim import plots
from crisis_sim.ensemble import runner
from crisis_sim.scenario.files import load_scenario
imported = time.perf_counter()
out, runs = Path(sys.argv[1]), int(sys.argv[2])
scenario = load_scenario("baseline")
loaded = time.perf_counter()
# As the command does: a helper forked before the run draws some figures (a checkout
# from before helpers draws them all here).
helper = plots.figure_helper() if hasattr(plots, "figure_helper") else None
# The kernels loaded first, timed apart (a run otherwise loads them in its first chunk,
# or before it forks its twin).
from crisis_sim.model import compiled
compiled.load_kernels()
loaded_kernels = time.perf_counter()
results = runner.run(scenario, runs=runs, out=out, progress=False)
ran = time.perf_counter()
figures = out / "figures"
if helper is None:
    paths = plots.save_main_figures(results, figures)
else:
    with helper:
        paths = plots.save_main_figures(results, figures, helper=helper)
drawn = time.perf_counter()
info = results.info
phases = {key: info.get(f"seconds_{key}") for key in ("setup", "simulation", "reduction")}
print(json.dumps({
    "file": cli.__file__,
    "import": imported - started,
    "load": loaded - imported,
    "kernels": loaded_kernels - loaded,
    "run": ran - loaded_kernels,
    "twin": bool(info.get("twin")),
    "in_chunks": info["seconds_in_chunks"],
    "phases": phases,
    "drawing": drawn - ran,
    "figures": sorted(path.name for path in paths),
}))
"""


POOL_CHILD = r"""
import sys, time
from crisis_sim.ensemble import runner
try:
    from crisis_sim.ensemble import pool
except ImportError:  # a checkout from before ensemble.pool
    pool = runner

if __name__ == "__main__":
    chunks, workers = int(sys.argv[1]), int(sys.argv[2])
    pool.POOL_MIN_CHUNKS = 1  # a pool whenever more than one worker is asked for
    results = runner.run("baseline", runs=chunks * 10_000, workers=workers, progress=False)
    print(results.info["executor"])
"""


def interpreter(checkout: Path) -> tuple[str, dict[str, str]]:
    """The checkout's Python and an environment that imports its ``src`` first."""
    python = checkout / ".venv" / "bin" / "python"
    env = dict(os.environ, PYTHONPATH=str(checkout / "src"))
    return str(python if python.exists() else sys.executable), env


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and process-tree CPU seconds of a command, and its standard output."""
    with ProcessTree(memory=False) as tree:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return tree.wall_seconds, tree.cpu_seconds, done.stdout


def best(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    """The fastest (wall, cpu) pair by wall time."""
    return min(pairs)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="another checkout to measure alongside")
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--chunks", type=int, default=4, help="most chunks in part 4 (0: skip)")
    args = parser.parse_args(argv)
    checkouts = {"this": HERE}
    if args.before:
        checkouts = {"before": args.before.resolve(), "this": HERE}
    print("crisis_sim start-up and run benchmark")
    print(f"load average at the start {os.getloadavg()[0]:.2f}; best of {args.repeats}\n")

    imports: dict[str, list[tuple[float, float]]] = {name: [] for name in checkouts}
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in checkouts}
    parts: dict[str, list[dict]] = {name: [] for name in checkouts}
    with tempfile.TemporaryDirectory(prefix="bench_run-") as scratch:
        for repeat in range(args.repeats):
            for name, checkout in checkouts.items():
                python, env = interpreter(checkout)
                wall, cpu, _ = timed([python, "-c", "import crisis_sim"], env)
                imports[name].append((wall, cpu))
                folder = Path(scratch) / f"{name}-cli-{repeat}"
                command = [python, "-m", "crisis_sim.cli", "run", "baseline", "--quiet"]
                command += ["--runs", str(args.runs), "--out", str(folder)]
                wall, cpu, _ = timed(command, env)
                runs[name].append((wall, cpu))
                folder = Path(scratch) / f"{name}-parts-{repeat}"
                _, _, text = timed([python, "-c", CHILD, str(folder), str(args.runs)], env)
                parts[name].append(json.loads(text.splitlines()[-1]))
    print(f"load average at the end {os.getloadavg()[0]:.2f}\n")

    print("1. import crisis_sim (fresh process)")
    for name in checkouts:
        wall, cpu = best(imports[name])
        verdict = "MET" if wall < IMPORT_TARGET else "NOT MET"
        print(f"   {name:<7} wall {wall:.3f} s, CPU {cpu:.3f} s   target < 0.5 s: {verdict}")
    if args.before:
        ratio = best(imports["before"])[0] / best(imports["this"])[0]
        print(f"   before / this: {ratio:.1f}x")

    print(f"\n2. crisis-sim run baseline --runs {args.runs:,}, with figures (fresh process)")
    for name in checkouts:
        wall, cpu = best(runs[name])
        verdict = "MET" if wall < RUN_TARGET else "NOT MET"
        print(
            f"   {name:<7} wall {wall:.2f} s, CPU of the process tree {cpu:.2f} s   "
            f"target < 2.5 s: {verdict}"
        )
    if args.before:
        ratio = best(runs["before"])[0] / best(runs["this"])[0]
        print(f"   before / this: {ratio:.2f}x")

    print("\n3. the same run in one process, by part (seconds of wall time, best by total)")
    header = ["import", "set-up", "simulation", "reduction", "saving", "drawing", "total"]
    print("   " + f"{'':<8}" + "".join(f"{h:>11}" for h in header) + "   figures")
    for name in checkouts:
        row = min(parts[name], key=_total)
        phases = row["phases"]
        # A twin's half ran beside this process's: the chunk's parts are the mean of two.
        share = 2 if row["twin"] else 1
        saving = row["run"] - row["in_chunks"] / share
        setup = row["load"] + row["kernels"]
        if phases["setup"] is None:
            cells = [row["import"], setup, row["in_chunks"], None, saving, row["drawing"]]
            note = "(set-up + simulation + reduction of the chunks under simulation)"
        else:
            cells = [
                row["import"],
                setup + phases["setup"] / share,
                phases["simulation"] / share,
                phases["reduction"] / share,
                saving,
                row["drawing"],
            ]
            note = "(a twin ran half of the chunk beside it)" if row["twin"] else ""
        total = _total(row)
        text = "".join(f"{'':>11}" if cell is None else f"{cell:>11.3f}" for cell in cells)
        formats = sorted({figure.rsplit(".", 1)[1] for figure in row["figures"]})
        print(
            f"   {name:<8}{text}{total:>11.3f}   {len(row['figures'])} {'+'.join(formats)} {note}"
        )
    print(
        "   set-up: the scenario, the kernels (loaded before the run) and each chunk's model;"
        "\n   saving: the run's time outside its chunks (saving each chunk and the results, "
        "merging the chunks);\n   with a twin, a chunk's parts are the mean of the two "
        "processes, which ran its halves side by side"
    )
    if args.chunks:
        crossover(args.chunks)
    return 0


def _total(row: dict) -> float:
    """A run's wall time in one process, import to figures."""
    return row["import"] + row["load"] + row["kernels"] + row["run"] + row["drawing"]


def crossover(most: int) -> None:
    """Part 4: runs of 1 .. ``most`` chunks in this process against a pool of two."""
    print("\n4. in this process or in a pool of two (fresh process per run, this checkout)")
    python, env = interpreter(HERE)
    with tempfile.TemporaryDirectory(prefix="bench_pool-") as scratch:
        script = Path(scratch) / "pool_child.py"
        script.write_text(POOL_CHILD, encoding="utf-8")
        for chunks in range(1, most + 1):
            cells = []
            for workers in (1, 2):
                wall, cpu, out = timed([python, str(script), str(chunks), str(workers)], env)
                cells.append((wall, cpu, out.split()[-1]))
            (local, local_cpu, _), (pool, pool_cpu, executor) = cells
            winner = "pool" if pool < local else "this process"
            print(
                f"   {chunks} chunk(s): this process {local:6.2f} s wall ({local_cpu:5.2f} s CPU), "
                f"{executor} {pool:6.2f} s wall ({pool_cpu:5.2f} s CPU of the tree): "
                f"{winner} faster ({local / pool:.2f}x)"
            )


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s)")
    sys.exit(code)
