"""Benchmark: the calibration's time and simulated worlds, and batching against one by one.

Runs the shipped calibration (``pre_t0``, with the settings recorded in the shipped
posterior's provenance, or those given) and prints its wall time, the number of
particle simulations and of simulated worlds, against the 15-minute target on two
cores (a busy machine makes the wall time longer, so the load average is printed). In
the same run it times particle simulations made one at a time (one model per
particle, as a plain pyabc model would) against the same number made in batches
(:func:`crisis_sim.calibration.abc.simulate_batch`), per simulation and as a ratio.

Run from the repository root::

    .venv/bin/python benchmarks/bench_calibration.py
    .venv/bin/python benchmarks/bench_calibration.py --population 60 --generations 3  # quick
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from crisis_sim.calibration import abc
from crisis_sim.calibration.posterior import load_posterior
from crisis_sim.calibration.targets import bundled_targets, load_targets

TARGET_SECONDS = 15 * 60
"""The calibration must run within this many seconds on two cores."""


def batching(settings: abc.Settings, particles: int) -> tuple[float, float]:
    """Seconds per particle simulation, one model per particle and in batches."""
    targets = load_targets(bundled_targets()["pre_t0"])
    scenario = abc.calibration_scenario(targets)
    mean = {prior.param: float(prior.quantile(np.array([0.5]))[0]) for prior in targets.priors}
    points = [mean] * particles
    start = time.perf_counter()
    for index, point in enumerate(points):
        abc.simulate_batch(scenario, targets.targets, [point], seed=index, worlds=settings.worlds)
    single = (time.perf_counter() - start) / particles
    start = time.perf_counter()
    for first in range(0, particles, settings.batch):
        abc.simulate_batch(
            scenario,
            targets.targets,
            points[first : first + settings.batch],
            seed=first,
            worlds=settings.worlds,
        )
    batched = (time.perf_counter() - start) / particles
    return single, batched


def main() -> None:
    """Run the benchmark and print its figures."""
    shipped = load_posterior("pre_t0").provenance.get("settings", {})
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in abc.Settings().__dict__.items():
        parser.add_argument(
            f"--{name.replace('_', '-')}", type=int, default=shipped.get(name, default)
        )
    parser.add_argument("--compare", type=int, default=100, help="particles for the ratio")
    args = parser.parse_args()
    settings = abc.Settings(**{name: getattr(args, name) for name in abc.Settings().__dict__})
    print(f"load average at start: {os.getloadavg()[0]:.2f}; settings: {settings}")
    single, batched = batching(settings, args.compare)
    print(
        f"per particle simulation ({settings.worlds} worlds): one model each "
        f"{1000 * single:.1f} ms, in batches of {settings.batch} {1000 * batched:.1f} ms: "
        f"{single / batched:.1f}x"
    )
    targets = load_targets(bundled_targets()["pre_t0"])
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        result = abc.calibrate(targets, settings, Path(folder))
    wall = time.perf_counter() - start
    provenance = result.provenance
    print(
        f"calibration: {wall:.0f} s wall (the chains run in forkserver processes, whose CPU "
        "time this process cannot read), "
        f"{provenance['simulations']:,} particle simulations, "
        f"{provenance['worlds_simulated']:,} worlds simulated, "
        f"acceptance {100 * provenance['acceptance']:.1f}%, "
        f"temperature 1 reached: {provenance['reached_temperature_1']}"
    )
    verdict = "met" if wall <= TARGET_SECONDS else "NOT met"
    print(f"target {TARGET_SECONDS} s on 2 cores: {verdict} ({wall / TARGET_SECONDS:.2f} of it)")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
