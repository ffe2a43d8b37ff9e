"""Calibration by likelihood-free inference: pyabc's ABC-SMC against targets known before t0.

The inference treats each target as the model's quantity plus a normal error of the
target's standard deviation (``sd``: the disagreement among sources, the forecast's own
noise), independent across targets. pyabc's ABC-SMC with its stochastic acceptor and
a temperature schedule (Wilkinson 2013; Klinger and Hasenauer 2020) then samples
exactly the posterior of that error model, once the temperature reaches 1 in its last
generation; a particle's quantities are estimated from ``worlds`` simulated worlds, so
their chance adds to the error (said in the report). Priors are the targets file's
uniform or triangular distributions.

Every simulation of a particle runs ``worlds`` worlds of the targets file's scenario at
the particle's values of the calibrated parameters; the scenario's other uncertain
parameters are drawn per world from their distributions (integrated over), its
posterior is not used. pyabc draws from NumPy's global generator, seeded here; one
chain runs on one core with pyabc's single-core sampler, so a calibration is
reproducible from its seed. With several workers, independent chains with seeds
derived from the seed run in parallel and their final populations are pooled, each
chain's weights scaled by 1 / chains.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crisis_sim.calibration.posterior import (
    PROVENANCE_FILE,
    effective_size,
    weighted_quantiles,
    write_posterior,
)
from crisis_sim.calibration.targets import CalibrationTargets, Target, measure
from crisis_sim.model.crisis import CrisisModel
from crisis_sim.scenario.files import load_scenario
from crisis_sim.scenario.schema import Scenario
from crisis_sim.version import __version__

MET_Z = 2.0
"""A target is met when its value lies within this many standard deviations (its own and
the posterior predictive's together) of the posterior-predictive mean."""

CONSTRAINED_RATIO = 0.8
"""A parameter is constrained by the targets when its posterior standard deviation is
below this share of its prior's (judgement, 0.7-0.9)."""

_SEED_BOUND = 2**62
"""Seeds drawn for the simulations lie below this."""


@dataclass(frozen=True)
class Settings:
    """How a calibration runs.

    Attributes:
        population: Particles per generation.
        worlds: Worlds simulated per particle.
        generations: Most generations of ABC-SMC (the last one at temperature 1).
        max_simulations: Most particle simulations per chain.
        seed: The seed of the whole calibration.
        chains: Independent chains, pooled.
        workers: Processes running chains at once.
        predictive: Particles re-simulated for the posterior-predictive check.
        batch: Particles simulated at once, as one model (:class:`BatchSampler`).
    """

    population: int = 300
    worlds: int = 150
    generations: int = 8
    max_simulations: int = 16000
    seed: int = 20220113
    chains: int = 2
    workers: int = 2
    predictive: int = 200
    batch: int = 100

    def __post_init__(self) -> None:
        """Check the settings' ranges."""
        for name in ("population", "worlds", "generations", "max_simulations", "chains", "batch"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.workers < 1 or self.predictive < 1 or self.seed < 0:
            raise ValueError("workers and predictive must be at least 1, seed at least 0")


def calibration_scenario(targets: CalibrationTargets) -> Scenario:
    """The targets' scenario without its posterior or the calibrated parameters.

    The calibrated parameters leave its uncertain ones: they come from the particles.
    """
    scenario = load_scenario(targets.scenario)
    calibrated = set(targets.paths())
    return scenario.model_copy(
        update={
            "posterior": None,
            "uncertain": [d for d in scenario.uncertain if d.param not in calibrated],
        }
    )


def simulate_batch(
    scenario: Scenario,
    targets: list[Target],
    points: list[dict[str, float]],
    *,
    seed: int,
    worlds: int,
) -> list[dict[str, float]]:
    """The targets' quantities at several sets of calibrated values, in one model.

    Particle i's worlds are worlds ``i * worlds .. (i + 1) * worlds - 1`` of one model
    seeded by ``seed``; each runs :func:`simulate`'s rules, so a batch is as exact as
    its particles run one by one, and much faster (one model's weekly overhead).

    Args:
        scenario: The calibration scenario (:func:`calibration_scenario`).
        targets: The targets.
        points: The calibrated parameters' values, by path, one mapping per particle.
        seed: The worlds' seed.
        worlds: Worlds per particle.
    """
    count = len(points)
    total = count * worlds
    sampled = {path: np.repeat([point[path] for point in points], worlds) for path in points[0]}
    model = CrisisModel(
        scenario.params,
        replications=total,
        seed=seed,
        horizon=scenario.run.horizon,
        levers=scenario.all_levers(),
        sampled=sampled,
        uncertain=scenario.uncertain,
        sample_design="monte_carlo",
        start_date=scenario.run.start_date,
        event_log=False,
        record_history=False,
    )
    start = scenario.run.start_date
    massed = {
        target.id: model.russia.massed_force((target.by - start).days / 7)
        for target in targets
        if target.quantity == "massed_force"
    }
    model.run()
    table = model.outcomes()
    found = []
    for index in range(count):
        part = slice(index * worlds, (index + 1) * worlds)
        means = {key: float(np.mean(values[part])) for key, values in massed.items()}
        found.append(measure(targets, table.iloc[part], means, start))
    return found


def batch_sampler(batch: int, run_batch: Callable[[list[dict[str, float]]], list[Any]]) -> Any:
    """A pyabc sampler that simulates ``batch`` particles at a time as one vectorised model.

    pyabc builds a particle in ``simulate_one``: it proposes parameters (drawing from
    NumPy's global generator), calls the model, then accepts or rejects (drawing
    again). Here each round runs ``batch`` calls of ``simulate_one`` in threads that
    take turns: thread i proposes, hands its parameters over and waits; once all have,
    one model simulates them all (:func:`simulate_batch`); then the threads accept in
    turn, in order. Only one thread runs pyabc's code at a time, in a fixed order, so
    the random draws, and the calibration, are the same on every run. Particles are
    kept in order until ``n`` are accepted; the rest of the round is simulated but
    dropped (and counted among the simulations).
    """
    import pyabc

    class _Batched(pyabc.sampler.Sampler):
        def __init__(self, batch: int, run_batch: Callable[[list[dict[str, float]]], list[Any]]):
            super().__init__()
            self.batch = batch
            self.run_batch = run_batch
            self.slot = threading.local()
            self.hand_over: list[Any] = []
            self.handed: threading.Event = threading.Event()
            self.outputs: list[Any] = []
            self.turns: list[threading.Event] = []

        def model(self, parameters: dict[str, float]) -> Any:
            """The pyabc model: hand the parameters to the round and wait for the batch."""
            index = self.slot.index
            self.hand_over[index] = dict(parameters)
            if index + 1 < len(self.turns):
                self.turns[index + 1].set()
            else:
                self.handed.set()
            self.returns[index].wait()
            return self.outputs[index]

        def _round(self, simulate_one: Callable[[], Any]) -> list[Any]:
            size = self.batch
            self.turns = [threading.Event() for _ in range(size)]
            self.returns = [threading.Event() for _ in range(size)]
            finished = [threading.Event() for _ in range(size)]
            self.handed = threading.Event()
            self.hand_over = [None] * size
            particles: list[Any] = [None] * size
            errors: list[BaseException] = []

            def work(index: int) -> None:
                self.slot.index = index
                self.turns[index].wait()
                try:
                    particles[index] = simulate_one()
                except BaseException as error:  # handed to the main thread below
                    errors.append(error)
                    self.handed.set()
                    for event in (*self.turns, *self.returns):
                        event.set()
                finally:
                    finished[index].set()
                    if index + 1 < size:
                        self.returns[index + 1].set()

            threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(size)]
            for thread in threads:
                thread.start()
            self.turns[0].set()
            self.handed.wait()
            if not errors:
                self.outputs = self.run_batch(self.hand_over)
            self.returns[0].set()
            for thread in threads:
                thread.join()
            if errors:
                raise errors[0]
            return particles

        def sample_until_n_accepted(
            self,
            n: int,
            simulate_one: Callable[[], Any],
            t: int,
            *,
            max_eval: float = np.inf,
            all_accepted: bool = False,
            ana_vars: Any = None,
        ) -> Any:
            sample = self._create_empty_sample()
            simulations = 0
            accepted = 0
            while accepted < n:
                for particle in self._round(simulate_one):
                    simulations += 1
                    if accepted < n:
                        sample.append(particle)
                        accepted += int(particle.accepted)
            self.nr_evaluations_ = simulations
            return sample

    return _Batched(batch, run_batch)


def _names(paths: list[str]) -> dict[str, str]:
    """Pyabc names (identifiers) for the calibrated parameters' dotted paths."""
    return {path: f"p{index}" for index, path in enumerate(paths)}


def _prior(targets: CalibrationTargets) -> Any:
    """The pyabc prior: each calibrated parameter's uniform or triangular distribution."""
    import pyabc

    names = _names(targets.paths())
    rvs = {}
    for prior in targets.priors:
        support = prior.support()
        width = support[1] - support[0]
        if prior.distribution == "triangular":
            shape = (prior.mode - support[0]) / width
            rvs[names[prior.param]] = pyabc.RV("triang", shape, loc=support[0], scale=width)
        else:
            rvs[names[prior.param]] = pyabc.RV("uniform", support[0], width)
    return pyabc.Distribution(**rvs)


@dataclass
class Chain:
    """One chain's result: its final population and its generations."""

    values: np.ndarray
    weights: np.ndarray
    generations: pd.DataFrame
    simulations: int
    final_temperature: float
    seconds: float


def run_chain(targets: CalibrationTargets, settings: Settings, index: int, database: Path) -> Chain:
    """One ABC-SMC chain with the seed ``settings.seed + index``, on one core."""
    import pyabc

    start = time.perf_counter()
    scenario = calibration_scenario(targets)
    paths = targets.paths()
    names = _names(paths)
    ids = [target.id for target in targets.targets]

    def run_batch(batch: list[dict[str, float]]) -> list[dict[str, float]]:
        # pyabc samples from NumPy's global generator: the worlds' seed comes from it too.
        seed = int(np.random.randint(0, _SEED_BOUND, dtype=np.int64))  # noqa: NPY002
        points = [{path: float(point[names[path]]) for path in paths} for point in batch]
        return simulate_batch(scenario, targets.targets, points, seed=seed, worlds=settings.worlds)

    np.random.seed([settings.seed, index])  # noqa: NPY002 (pyabc reads the global generator)
    sampler = batch_sampler(settings.batch, run_batch)
    kernel = pyabc.IndependentNormalKernel(
        var=np.array([target.sd**2 for target in targets.targets]), keys=ids
    )
    abc = pyabc.ABCSMC(
        sampler.model,
        _prior(targets),
        kernel,
        population_size=settings.population,
        sampler=sampler,
        acceptor=pyabc.StochasticAcceptor(),
        eps=pyabc.Temperature(),
    )
    abc.new(f"sqlite:///{database}", {target.id: target.value for target in targets.targets})
    history = abc.run(
        max_nr_populations=settings.generations,
        max_total_nr_simulations=settings.max_simulations,
    )
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    values = frame[[names[path] for path in paths]].to_numpy(dtype=float)
    populations = history.get_all_populations()
    populations = populations[populations["t"] >= 0].rename(columns={"epsilon": "temperature"})
    generations = pd.DataFrame(
        {
            "chain": index,
            "generation": populations["t"].to_numpy(),
            "temperature": populations["temperature"].to_numpy(),
            "simulations": populations["samples"].to_numpy(),
            "particles": populations["particles"].to_numpy(),
        }
    )
    generations["acceptance"] = generations["particles"] / generations["simulations"]
    return Chain(
        values=values,
        weights=np.asarray(weights, dtype=float),
        generations=generations,
        simulations=int(history.total_nr_simulations),
        final_temperature=float(generations["temperature"].iloc[-1]),
        seconds=time.perf_counter() - start,
    )


def _run_chain_task(task: tuple[CalibrationTargets, Settings, int, Path]) -> Chain:
    """A process pool's entry point: one chain."""
    return run_chain(*task)


@dataclass
class Calibration:
    """The result of a calibration.

    Attributes:
        targets: The targets file's content.
        settings: How it ran.
        paths: The calibrated parameters.
        values: (particles, parameters) pooled final populations.
        weights: Their weights, summing to 1.
        generations: Per chain and generation: temperature, simulations, particles,
            acceptance.
        predictive: The posterior-predictive check (:func:`predictive_check`).
        marginals: Prior and posterior summaries per parameter (:func:`marginals`).
        provenance: How it was made, as written to ``provenance.json``.
    """

    targets: CalibrationTargets
    settings: Settings
    paths: list[str]
    values: np.ndarray
    weights: np.ndarray
    generations: pd.DataFrame
    predictive: pd.DataFrame
    marginals: pd.DataFrame
    provenance: dict[str, Any] = field(default_factory=dict)

    def unmet(self) -> list[str]:
        """The targets the posterior cannot meet (:data:`MET_Z`)."""
        return self.predictive.loc[~self.predictive["met"], "id"].tolist()


def predictive_check(
    targets: CalibrationTargets,
    paths: list[str],
    values: np.ndarray,
    weights: np.ndarray,
    settings: Settings,
) -> pd.DataFrame:
    """The targets recomputed from the posterior, with their spread.

    ``settings.predictive`` particles drawn by weight are each simulated in
    ``settings.worlds`` new worlds. A target is met when
    ``|value - predictive mean| <= MET_Z * sqrt(sd^2 + predictive variance)``.

    Returns:
        One row per target: id, value, sd, predictive mean, q05 and q95, z and met.
    """
    scenario = calibration_scenario(targets)
    rng = np.random.default_rng([settings.seed, 0x50524544])
    rows = rng.choice(len(weights), size=settings.predictive, p=weights)
    points = [{path: float(values[row, i]) for i, path in enumerate(paths)} for row in rows]
    found = []
    for first in range(0, len(points), settings.batch):
        seed = int(rng.integers(0, _SEED_BOUND))
        found += simulate_batch(
            scenario,
            targets.targets,
            points[first : first + settings.batch],
            seed=seed,
            worlds=settings.worlds,
        )
    table = pd.DataFrame(found)
    records = []
    for target in targets.targets:
        drawn = table[target.id].to_numpy()
        mean = float(drawn.mean())
        spread = float(np.sqrt(target.sd**2 + drawn.var()))
        z = (target.value - mean) / spread
        records.append(
            {
                "id": target.id,
                "value": target.value,
                "sd": target.sd,
                "predictive_mean": mean,
                "predictive_q05": float(np.quantile(drawn, 0.05)),
                "predictive_q95": float(np.quantile(drawn, 0.95)),
                "z": z,
                "met": bool(abs(z) <= MET_Z),
            }
        )
    return pd.DataFrame(records)


def marginals(targets: CalibrationTargets, values: np.ndarray, weights: np.ndarray) -> pd.DataFrame:
    """Prior and posterior of each calibrated parameter, and whether the targets constrain it.

    Returns:
        One row per parameter: prior mean and sd (of its distribution), posterior mean,
        sd, q05, q50, q95, the ratio of sds and ``constrained``
        (ratio < :data:`CONSTRAINED_RATIO`).
    """
    levels = np.linspace(0.0005, 0.9995, 2000)
    rows = []
    for column, prior in enumerate(targets.priors):
        prior_draws = prior.quantile(levels)
        x = values[:, column]
        mean = float(weights @ x)
        sd = float(np.sqrt(weights @ (x - mean) ** 2))
        q05, q50, q95 = weighted_quantiles(x, weights, (0.05, 0.5, 0.95))
        ratio = sd / float(np.std(prior_draws))
        rows.append(
            {
                "parameter": prior.param,
                "prior_mean": float(np.mean(prior_draws)),
                "prior_sd": float(np.std(prior_draws)),
                "posterior_mean": mean,
                "posterior_sd": sd,
                "q05": q05,
                "q50": q50,
                "q95": q95,
                "sd_ratio": ratio,
                "constrained": bool(ratio < CONSTRAINED_RATIO),
            }
        )
    return pd.DataFrame(rows)


def calibrate(
    targets: CalibrationTargets,
    settings: Settings,
    folder: Path,
    *,
    targets_text: str = "",
    report: Callable[[str], None] | None = None,
) -> Calibration:
    """Run the chains, pool them, check the posterior and write it all into ``folder``.

    Args:
        targets: The validated targets.
        settings: How to run.
        folder: A staging folder the package owns: receives ``posterior.parquet``,
            ``provenance.json``, ``generations.csv``, ``predictive.csv``,
            ``marginals.csv``, ``targets.toml`` and one pyabc database per chain.
        targets_text: The targets file's text, copied into the folder.
        report: Called with a line of progress now and then.
    """
    say = report or (lambda line: None)
    start = time.perf_counter()
    tasks = [
        (targets, settings, index, folder / f"abc_chain{index}.db")
        for index in range(settings.chains)
    ]
    say(
        f"{settings.chains} chain(s) of ABC-SMC, {settings.population} particles, "
        f"{settings.worlds} worlds each, on {min(settings.workers, settings.chains)} process(es)"
    )
    if settings.workers > 1 and settings.chains > 1:
        context = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
        with ProcessPoolExecutor(
            max_workers=min(settings.workers, settings.chains), mp_context=context
        ) as pool:
            chains = list(pool.map(_run_chain_task, tasks))
    else:
        chains = [_run_chain_task(task) for task in tasks]
    values = np.vstack([chain.values for chain in chains])
    weights = np.concatenate([chain.weights / chain.weights.sum() for chain in chains])
    weights /= weights.sum()
    paths = targets.paths()
    generations = pd.concat([chain.generations for chain in chains], ignore_index=True)
    say(f"chains done in {time.perf_counter() - start:.0f} s; posterior-predictive check")
    predictive = predictive_check(targets, paths, values, weights, settings)
    summary = marginals(targets, values, weights)
    simulations = sum(chain.simulations for chain in chains)
    provenance = {
        "made_by": f"crisis-sim {__version__} calibrate",
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "method": "pyabc ABC-SMC, stochastic acceptor, temperature schedule, normal error "
        "of each target's sd",
        "targets_title": targets.title,
        "scenario": targets.scenario,
        "settings": settings.__dict__,
        "seed": settings.seed,
        "targets": [target.model_dump(mode="json") for target in targets.targets],
        "priors": [prior.model_dump(mode="json") for prior in targets.priors],
        "simulations": simulations,
        "worlds_simulated": simulations * settings.worlds + settings.predictive * settings.worlds,
        "acceptance": float(generations["particles"].sum() / generations["simulations"].sum()),
        "effective_sample_size": effective_size(weights),
        "final_temperatures": [chain.final_temperature for chain in chains],
        "reached_temperature_1": all(chain.final_temperature <= 1.0 + 1e-9 for chain in chains),
        "seconds": time.perf_counter() - start,
        "unmet_targets": predictive.loc[~predictive["met"], "id"].tolist(),
        "versions": _versions(),
    }
    write_posterior(folder, paths, values, weights)
    generations.to_csv(folder / "generations.csv", index=False)
    predictive.to_csv(folder / "predictive.csv", index=False)
    summary.to_csv(folder / "marginals.csv", index=False)
    if targets_text:
        (folder / "targets.toml").write_text(targets_text, encoding="utf-8")
    text = json.dumps(provenance, indent=2, default=str)
    (folder / PROVENANCE_FILE).write_text(text + "\n", encoding="utf-8")
    return Calibration(
        targets, settings, paths, values, weights, generations, predictive, summary, provenance
    )


def _versions() -> dict[str, str]:
    """The versions that made the posterior."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("crisis-sim", "pyabc", "numpy", "scipy", "mesa"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def format_report(result: Calibration) -> str:
    """The calibration as text: generations, the posterior against the prior, the check."""
    lines = ["Generations (per chain): temperature, simulations, acceptance"]
    for row in result.generations.itertuples():
        lines.append(
            f"  chain {row.chain} generation {row.generation}: temperature {row.temperature:8.2f}"
            f"  {row.simulations:6,} simulations  acceptance {100 * row.acceptance:5.1f}%"
        )
    provenance = result.provenance
    lines.append(
        f"{provenance['simulations']:,} simulations, {provenance['worlds_simulated']:,} worlds, "
        f"{provenance['seconds']:.0f} s; effective sample size "
        f"{effective_size(result.weights):.0f} of {len(result.weights)} particles"
    )
    if not provenance["reached_temperature_1"]:
        lines.append(
            "WARNING: a chain stopped before temperature 1 (raise --generations or "
            "--max-simulations): its population is not yet the posterior."
        )
    lines.append(
        f"\n  {'parameter':<32} {'prior mean (sd)':>16}  {'posterior mean (sd)':>19}  5-95%"
    )
    for row in result.marginals.itertuples():
        mark = "constrained" if row.constrained else "at its prior"
        lines.append(
            f"  {row.parameter:<32} {row.prior_mean:6.3f} ({row.prior_sd:5.3f})   "
            f"{row.posterior_mean:6.3f} ({row.posterior_sd:5.3f})   "
            f"{row.q05:6.3f}-{row.q95:6.3f}  {mark}"
        )
    lines.append("\nPosterior-predictive check (the targets recomputed from the posterior):")
    for row in result.predictive.itertuples():
        verdict = "met" if row.met else "NOT MET: the posterior cannot reach this target"
        lines.append(
            f"  {row.id:<28} target {row.value:5.3f} +/- {row.sd:5.3f}   predictive "
            f"{row.predictive_mean:5.3f} ({row.predictive_q05:5.3f}-{row.predictive_q95:5.3f})  "
            f"z {row.z:+5.2f}  {verdict}"
        )
    return "\n".join(lines)
