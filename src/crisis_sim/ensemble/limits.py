"""The runner's defaults and limits, apart from the runner.

The command line checks its options against them and shows them in its help before it
has a reason to import the runner, with the model, numba, Mesa and pandas behind it;
:mod:`crisis_sim.ensemble.runner` gives them the same names.
"""

from __future__ import annotations

from typing import Literal

DEFAULT_CHUNK_SIZE = 10_000
"""Worlds per chunk: large enough to amortise Python's per-step overhead."""

MAX_SEED = 2**63 - 1
"""Largest seed (the scenario format's limit)."""

MAX_WORKERS = 1024
"""Most worker processes a run may ask for."""

Executor = Literal["local", "processes", "dask"]
"""Where a run's chunks run: this process, a local process pool, or a Dask cluster."""

EXECUTORS: tuple[str, ...] = ("local", "processes", "dask")
"""The executors, by name."""
