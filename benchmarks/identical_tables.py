"""Fingerprints of the per-world tables of every bundled scenario, to show a change keeps them.

A refactoring that must not change results is checked by recording the fingerprints
before it and comparing after::

    .venv/bin/python benchmarks/identical_tables.py --write before.json   # on the old commit
    .venv/bin/python benchmarks/identical_tables.py --check before.json   # on the new one

A fingerprint is the SHA-256 of every column of the per-world table (name, dtype and
bytes, in order) and of the week-by-week state counts, for ``--runs`` worlds of each
bundled scenario at its own seed, in Monte Carlo and in Latin hypercube sampling. Any
difference in any world, in any bit, changes it. ``--check`` prints each scenario's
verdict and, for a scenario that differs, how many worlds changed outcome; it exits 1
if any differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from crisis_sim.ensemble import runner as ensemble
from crisis_sim.scenario.files import bundled_scenarios, load_scenario


def fingerprint(worlds: pd.DataFrame, state_counts: np.ndarray) -> str:
    """SHA-256 over every column of a per-world table and the weekly state counts."""
    digest = hashlib.sha256()
    for name in worlds.columns:
        column = worlds[name]
        digest.update(f"{name}:{column.dtype}".encode())
        if pd.api.types.is_numeric_dtype(column.dtype) or column.dtype == bool:
            digest.update(np.ascontiguousarray(column.to_numpy()).tobytes())
        else:
            digest.update("\x1f".join(map(str, column.tolist())).encode())
    digest.update(np.ascontiguousarray(state_counts, dtype=np.int64).tobytes())
    return digest.hexdigest()


def tables(runs: int) -> dict[str, dict[str, object]]:
    """Fingerprint and outcome counts of every bundled scenario in both samplings."""
    found: dict[str, dict[str, object]] = {}
    for path in bundled_scenarios():
        scenario = load_scenario(path)
        for sampling in ("monte_carlo", "latin_hypercube"):
            results = ensemble.run(scenario, runs=runs, sampling=sampling, progress=False)
            found[f"{path.stem}/{sampling}"] = {
                "fingerprint": fingerprint(results.worlds, results.state_counts),
                "outcomes": results.worlds["outcome"].astype(str).tolist(),
            }
    return found


def main(argv: list[str] | None = None) -> int:
    """Write or check the fingerprints; exit 1 if a check finds a difference."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", metavar="FILE", type=Path)
    action.add_argument("--check", metavar="FILE", type=Path)
    parser.add_argument("--runs", type=int, default=2_000)
    args = parser.parse_args(argv)
    if args.write:
        found = tables(args.runs)
        args.write.write_text(json.dumps({"runs": args.runs, "tables": found}) + "\n")
        for key, entry in found.items():
            print(f"{key:<52} {str(entry['fingerprint'])[:16]}")
        return 0
    recorded = json.loads(args.check.read_text())
    found = tables(int(recorded["runs"]))
    differ = 0
    for key, entry in recorded["tables"].items():
        now = found.get(key)
        if now is None:
            print(f"{key:<52} MISSING")
            differ += 1
        elif now["fingerprint"] == entry["fingerprint"]:
            print(f"{key:<52} identical")
        else:
            moved = sum(a != b for a, b in zip(entry["outcomes"], now["outcomes"], strict=True))
            print(f"{key:<52} DIFFERENT ({moved} of {len(now['outcomes'])} worlds change outcome)")
            differ += 1
    print(f"\n{len(recorded['tables']) - differ} of {len(recorded['tables'])} tables identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
