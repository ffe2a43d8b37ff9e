"""Shared settings and fixtures for the crisis_sim test suite.

Hypothesis runs few, deadline-free examples on small ensembles, the same ones on
every run (derandomized), so that the suite stays within a few minutes on two cores
and a failure reproduces; set ``HYPOTHESIS_PROFILE=thorough`` to search harder with
fresh random examples. Figures are drawn off screen (MPLBACKEND=Agg).

The ensembles that several test files read (a bundled scenario at its own seed, run
in this process with no trajectories) are computed once per test session (once per
worker under pytest-xdist) by :func:`bundled_ensemble`; the tests only read them.
Tests that take seconds and whose guarantee a faster test also holds, or that are
inherently long (notebooks, process pools, Dask clusters, kill tests), are marked
``slow``: ``./dev test`` leaves them out, ``./dev test --all`` and CI run them.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from crisis_sim.ensemble.results import Results

os.environ.setdefault("MPLBACKEND", "Agg")

HERE = Path(__file__).resolve().parent

EMA_TEST_FILES = ("test_ema.py", "test_search.py")
"""The test files that import EMA Workbench as they are collected."""


def pytest_configure(config: pytest.Config) -> None:
    """Import EMA Workbench before anything else when its tests are to be collected.

    Its import calls ``inspect.getmodule`` about 1,800 times (each method it logs looks
    up its caller's frames), and each call for a frame of the import machinery scans
    every module loaded: imported by the test files, after the other files had loaded
    3,000 modules, it took about 12 s in each pytest-xdist worker; imported here, with
    about 420 loaded, 3-4 s. (This module imports nothing heavy itself for that reason.)
    """
    paths = [Path(str(arg).split("::")[0]).resolve() for arg in config.args]
    if any(path == HERE or path.name in EMA_TEST_FILES for path in paths):
        with contextlib.suppress(ImportError):  # test_ema.py says so if it is missing
            importlib.import_module("ema_workbench")


settings.register_profile(
    "crisis_sim",
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "thorough",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "crisis_sim"))


@pytest.fixture(scope="session")
def bundled_ensemble() -> Callable[[str, int], Results]:
    """``ensemble.run(name, runs=runs, progress=False)``, computed once per session.

    The same (name, runs) gives the same :class:`Results` object to every test that
    asks, so a test must not change it.
    """
    from crisis_sim.ensemble import runner as ensemble

    cache: dict[tuple[str, int], Results] = {}

    def get(name: str, runs: int) -> Results:
        if (name, runs) not in cache:
            cache[name, runs] = ensemble.run(name, runs=runs, progress=False)
        return cache[name, runs]

    return get


@pytest.fixture(scope="session")
def baseline_500(bundled_ensemble) -> Results:
    """The baseline, 500 worlds (figures, the bundled scenarios' small ensembles)."""
    return bundled_ensemble("baseline", 500)


@pytest.fixture(scope="session")
def baseline_2000(bundled_ensemble) -> Results:
    """The baseline, 2,000 worlds (the bundled scenarios' levers against it)."""
    return bundled_ensemble("baseline", 2000)


@pytest.fixture(scope="session")
def baseline_3000(bundled_ensemble) -> Results:
    """The baseline, 3,000 worlds (paired comparisons, scenario discovery)."""
    return bundled_ensemble("baseline", 3000)
