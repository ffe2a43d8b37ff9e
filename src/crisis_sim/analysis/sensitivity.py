"""Global sensitivity analysis of a scenario's outcomes with SALib.

Which of a scenario's uncertain parameters drive an outcome? Two methods of SALib
(Herman and Usher 2017; Iwanaga, Usher and Herman 2022) answer it:

- :func:`sobol`: variance-based first- and total-order indices (Sobol 2001) from
  Saltelli's sampling scheme over a scrambled Sobol' sequence
  (``SALib.sample.sobol.sample``) and the estimators of Saltelli et al. (2010)
  (``SALib.analyze.sobol.analyze``), with bootstrap confidence intervals;
- :func:`morris`: elementary effects (Morris 1991; ``mu_star`` of Campolongo et al.
  2007), a cheap screening that ranks parameters with a few hundred worlds.

Parameters are sampled on their probability levels: SALib's problem has the bounds
[0, 1] for every uncertain parameter, and each level ``u`` is mapped through the
parameter's distribution (``dist.quantile(u)``), so a triangular, normal, beta or
choice parameter is sampled from its own distribution and not from a uniform over
its range. Morris's effects are therefore changes of the indicator per unit of
probability level (moving a parameter across its whole distribution), comparable
across parameters.

Every sample point is a world of the model, run by the ensemble runner
(:func:`crisis_sim.ensemble.runner.run_worlds`) at the point's parameter values:
world ``k`` is the point's row in SALib's sample, in order (SALib's estimators read
the outputs by position), and draws from the stream keyed by the scenario's seed and
``k``. With ``worlds_per_point = w`` point ``i`` is worlds ``i * w .. i * w + w - 1``
and its output is their mean.

The model is stochastic: two worlds with the same parameters may end differently. Its
own randomness acts as one more input, drawn afresh at every point: it counts in the
output's variance (so first-order indices are shares of the total variance, noise
included), and it adds its share to every total-order index and to every
elementary effect (an inert parameter does not get ``mu_star = 0``). Averaging
``w`` worlds per point divides that noise by ``w``; :attr:`SensitivityResult.noise_share`
estimates what is left of it.

:func:`analyse_function` runs the same sampling and analysis on any Python function
of the sample matrix, so the plumbing can be checked against known answers (the
tests reproduce the Ishigami function's analytic indices).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from crisis_sim.ensemble import runner as ensemble
from crisis_sim.ensemble.limits import DEFAULT_CHUNK_SIZE
from crisis_sim.model.domain import OUTCOMES
from crisis_sim.scenario.schema import Scenario

__all__ = [
    "METHODS",
    "SensitivityResult",
    "analyse_function",
    "evaluate",
    "indicator_function",
    "morris",
    "parameter_values",
    "problem_for",
    "sobol",
]

Method = Literal["sobol", "morris"]
"""The sensitivity methods."""

METHODS: tuple[str, ...] = ("sobol", "morris")

Indicator = str | Callable[[pd.DataFrame], ArrayLike]
"""What is analysed: an outcome name, a column of the per-world table, or a function of
that table returning one number per world."""

SOBOL_COLUMNS = ("parameter", "S1", "S1_conf", "ST", "ST_conf")
"""Columns of a Sobol result's ``indices``."""

MORRIS_COLUMNS = ("parameter", "mu_star", "mu_star_conf", "sigma", "mu")
"""Columns of a Morris result's ``indices``."""

CONF_LEVEL = 0.95
"""Confidence level of the bootstrap intervals."""

NUM_RESAMPLES = 100
"""Bootstrap resamples behind each confidence interval (SALib's default)."""

_BOOTSTRAP_TAG = 0x5A_11B
"""Keeps the bootstrap's random numbers apart from the sampler's."""


@dataclass(frozen=True, eq=False)
class SensitivityResult:
    """The sensitivity of one indicator to the uncertain parameters.

    Attributes:
        method: ``"sobol"`` or ``"morris"``.
        indicator: The indicator's name (an outcome, a column, or a function's name).
        indices: One row per parameter, in the problem's order. Sobol: ``parameter``,
            ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (first- and total-order indices
            and the half-widths of their 95% bootstrap intervals). Morris:
            ``parameter``, ``mu_star``, ``mu_star_conf`` (half-width of its 95%
            interval), ``sigma``, ``mu``.
        n_evaluations: Model evaluations: worlds run (points times worlds per point),
            or calls of the function's rows.
        scenario: The scenario's name (``""`` for a plain function).
        n_points: Sample points (rows of SALib's sample).
        worlds_per_point: Worlds averaged at each point (1 for a plain function).
        seed: The seed of SALib's sampler and of the bootstrap (None: unseeded).
        problem: SALib's problem (names and bounds).
        samples: (points, parameters) SALib's sample matrix, in SALib's order; for a
            scenario, the probability levels in [0, 1].
        inputs: The values the model or function was given, one row per point, one
            column per parameter (for a scenario, each level through its quantile).
        outputs: (points,) the indicator at each point, in sample order.
        second_order: Sobol with ``calc_second_order``: ``parameter_1``,
            ``parameter_2``, ``S2``, ``S2_conf`` for every pair; else None.
        noise_share: With several worlds per point, the estimated share of the
            outputs' variance that is the model's own randomness left after
            averaging (between-world variance within points over ``w``, divided by the
            variance of the outputs); None with one world per point.
    """

    method: str
    indicator: str
    indices: pd.DataFrame
    n_evaluations: int
    scenario: str
    n_points: int
    worlds_per_point: int
    seed: int | None
    problem: dict[str, Any]
    samples: np.ndarray
    inputs: pd.DataFrame
    outputs: np.ndarray
    second_order: pd.DataFrame | None = None
    noise_share: float | None = None

    def to_frame(self) -> pd.DataFrame:
        """The indices with the scenario, method and indicator on every row.

        Tables of several indicators or scenarios can then be concatenated.
        """
        frame = self.indices.copy()
        frame.insert(0, "indicator", self.indicator)
        frame.insert(0, "method", self.method)
        frame.insert(0, "scenario", self.scenario)
        return frame


# -- the problem -----------------------------------------------------------------------


def problem_for(scenario: Scenario) -> dict[str, Any]:
    """SALib's problem over a scenario's uncertain parameters, on probability levels.

    Every parameter is sampled on [0, 1] and mapped through its distribution's
    quantile (:func:`parameter_values`), so any distribution works.

    Returns:
        ``{"num_vars": D, "names": [dotted paths], "bounds": [[0.0, 1.0]] * D}``.

    A posterior's parameters count as uncertain here, each over its 5-95% posterior
    range (:meth:`~crisis_sim.scenario.schema.Scenario.with_posterior_as_ranges`).

    Raises:
        ValueError: If the scenario has no uncertain parameter.
    """
    names = [dist.param for dist in scenario.with_posterior_as_ranges().uncertain]
    if not names:
        raise ValueError(
            f"scenario {scenario.name or '(unnamed)'!r} has no uncertain parameters to analyse"
        )
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def parameter_values(scenario: Scenario, levels: np.ndarray) -> dict[str, np.ndarray]:
    """Each uncertain parameter's values at the rows of a matrix of probability levels.

    Args:
        scenario: The scenario whose uncertain parameters are the matrix's columns,
            in order (as in :func:`problem_for`).
        levels: (points, parameters) probability levels in [0, 1].
    """
    levels = np.asarray(levels, dtype=float)
    uncertain = scenario.with_posterior_as_ranges().uncertain
    if levels.ndim != 2 or levels.shape[1] != len(uncertain):
        raise ValueError(f"levels must have shape (points, {len(uncertain)}); got {levels.shape}")
    return {
        dist.param: np.asarray(dist.quantile(levels[:, column]), dtype=float)
        for column, dist in enumerate(uncertain)
    }


# -- indicators ------------------------------------------------------------------------


def indicator_function(indicator: Indicator) -> tuple[str, Callable[[pd.DataFrame], np.ndarray]]:
    """The indicator's name and the function computing it from a per-world table.

    Args:
        indicator: An outcome (``"full_invasion"``: 1 where the world ended in it, else
            0), a numeric column of :meth:`~crisis_sim.model.crisis.CrisisModel.outcomes`
            (``"sanctions"``, ``"week"``, ``"gain_inf_missiles"``), or a function
            of that table returning one number per row.

    Raises:
        TypeError: If ``indicator`` is neither a string nor callable.
    """
    outcomes = {outcome.key for outcome in OUTCOMES}
    if callable(indicator):
        function = indicator
        name = getattr(indicator, "__name__", "custom")

        def custom(table: pd.DataFrame) -> np.ndarray:
            values = np.asarray(function(table), dtype=float)
            if values.shape != (len(table),):
                raise ValueError(
                    f"indicator {name!r} returned shape {values.shape}; expected ({len(table)},)"
                )
            return values

        return name, custom
    if not isinstance(indicator, str):
        raise TypeError(f"indicator must be a name or a function, got {type(indicator).__name__}")
    if indicator in outcomes:

        def ended_in(table: pd.DataFrame) -> np.ndarray:
            return (table["outcome"] == indicator).to_numpy(dtype=float)

        return indicator, ended_in

    def column(table: pd.DataFrame) -> np.ndarray:
        if indicator not in table.columns or indicator == "outcome":
            numeric = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]
            raise KeyError(
                f"no indicator {indicator!r}: name an outcome "
                f"({', '.join(o.key for o in OUTCOMES)}) or a numeric column "
                f"({', '.join(numeric)})"
            )
        values = table[indicator]
        if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
            raise ValueError(f"column {indicator!r} is not numeric")
        return values.to_numpy(dtype=float)

    return indicator, column


# -- evaluating sample points on the model ---------------------------------------------


def evaluate(
    scenario: Scenario,
    levels: np.ndarray,
    *,
    indicator: Indicator,
    worlds_per_point: int = 1,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: bool = False,
) -> np.ndarray:
    """The indicator in every world of every sample point, in sample order.

    Point ``i`` (row ``i`` of ``levels``) is worlds ``i * w .. i * w + w - 1`` of the
    scenario's seed, with ``w = worlds_per_point``, run by the ensemble runner
    (:func:`crisis_sim.ensemble.runner.run_worlds`) in chunks; no point is ever moved.

    Args:
        scenario: The scenario (its parameters, levers, horizon and seed).
        levels: (points, parameters) probability levels, columns in the order of
            ``scenario.uncertain``.
        indicator: See :func:`indicator_function`; a function is applied to each
            chunk's per-world table and must work row by row.
        worlds_per_point: Worlds run at each point.
        chunk_size: Most worlds per model run; changes speed and memory, never results.
        progress: Show a progress bar over the worlds.

    Returns:
        (points, worlds_per_point) the indicator of each world.
    """
    if worlds_per_point < 1:
        raise ValueError(f"worlds_per_point must be at least 1, got {worlds_per_point}")
    values = parameter_values(scenario, levels)
    _, function = indicator_function(indicator)
    tables = ensemble.run_worlds(
        scenario,
        {path: np.repeat(column, worlds_per_point) for path, column in values.items()},
        chunk_size=chunk_size,
        progress=progress,
    )
    per_world = np.concatenate([function(table) for table in tables])
    return per_world.reshape(len(levels), worlds_per_point)


# -- the shared path: sample, evaluate, analyse ----------------------------------------


def _bootstrap_seed(seed: int | None) -> int | None:
    """A positive seed for SALib's bootstrap (its Sobol analysis ignores a seed of 0)."""
    if seed is None:
        return None
    state = np.random.SeedSequence([seed, _BOOTSTRAP_TAG]).generate_state(1)
    return int(state[0]) + 1


def _sample(
    problem: Mapping[str, Any],
    method: str,
    size: int,
    seed: int | None,
    levels: int,
    calc_second_order: bool,
) -> np.ndarray:
    if method == "sobol":
        if size < 2 or size & (size - 1):
            raise ValueError(
                f"n must be a power of 2 (Sobol' sequences balance only then), got {size}"
            )
        return sobol_sample.sample(
            dict(problem), size, calc_second_order=calc_second_order, seed=seed
        )
    if method == "morris":
        if size < 2:
            raise ValueError(f"trajectories must be at least 2, got {size}")
        return morris_sample.sample(dict(problem), size, num_levels=levels, seed=seed)
    raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def _analyse(
    problem: Mapping[str, Any],
    method: str,
    samples: np.ndarray,
    outputs: np.ndarray,
    seed: int | None,
    levels: int,
    calc_second_order: bool,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    if not np.isfinite(outputs).all():
        raise ValueError("the indicator is not finite at every sample point")
    if np.ptp(outputs) == 0.0:
        raise ValueError(
            f"the indicator is {outputs[0]:g} at every one of the {len(outputs)} sample "
            "points: there is no variance to attribute (sample more points, or average "
            "more worlds per point for a rare outcome)"
        )
    names = list(problem["names"])
    bootstrap = _bootstrap_seed(seed)
    if method == "sobol":
        found = sobol_analyze.analyze(
            dict(problem),
            outputs,
            calc_second_order=calc_second_order,
            num_resamples=NUM_RESAMPLES,
            conf_level=CONF_LEVEL,
            seed=bootstrap,
        )
        indices = pd.DataFrame(
            {"parameter": names, **{key: np.asarray(found[key]) for key in SOBOL_COLUMNS[1:]}}
        )
        second = None
        if calc_second_order:
            rows = [
                {
                    "parameter_1": names[j],
                    "parameter_2": names[k],
                    "S2": float(found["S2"][j, k]),
                    "S2_conf": float(found["S2_conf"][j, k]),
                }
                for j in range(len(names))
                for k in range(j + 1, len(names))
            ]
            second = pd.DataFrame(rows, columns=["parameter_1", "parameter_2", "S2", "S2_conf"])
        return indices, second
    found = morris_analyze.analyze(
        dict(problem),
        samples,
        outputs,
        num_resamples=NUM_RESAMPLES,
        conf_level=CONF_LEVEL,
        num_levels=levels,
        seed=bootstrap,
    )
    indices = pd.DataFrame(
        {
            "parameter": names,
            **{key: np.asarray(found[key], dtype=float) for key in MORRIS_COLUMNS[1:]},
        }
    )
    return indices, None


def _noise_share(per_world: np.ndarray) -> float | None:
    """Share of the point means' variance that is between-world noise (see the result)."""
    worlds = per_world.shape[1]
    if worlds < 2:
        return None
    means = per_world.mean(axis=1)
    total = float(means.var(ddof=1))
    if total == 0.0:
        return None
    noise = float(per_world.var(axis=1, ddof=1).mean()) / worlds
    return min(noise / total, 1.0)


def _run(
    problem: Mapping[str, Any],
    evaluate_points: Callable[[np.ndarray], np.ndarray],
    *,
    method: str,
    size: int,
    seed: int | None,
    levels: int,
    calc_second_order: bool,
    to_inputs: Callable[[np.ndarray], pd.DataFrame],
    indicator: str,
    scenario: str,
) -> SensitivityResult:
    """Sample, evaluate every point in sample order, analyse: one path for all callers.

    ``evaluate_points`` takes SALib's whole sample and returns (points, worlds) outputs.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    samples = _sample(problem, method, size, seed, levels, calc_second_order)
    per_world = np.asarray(evaluate_points(samples), dtype=float)
    if per_world.ndim == 1:
        per_world = per_world[:, np.newaxis]
    if per_world.shape[0] != len(samples):
        raise ValueError(
            f"evaluation returned {per_world.shape[0]} outputs for {len(samples)} sample points"
        )
    outputs = per_world.mean(axis=1)
    indices, second = _analyse(problem, method, samples, outputs, seed, levels, calc_second_order)
    return SensitivityResult(
        method=method,
        indicator=indicator,
        indices=indices,
        n_evaluations=int(per_world.size),
        scenario=scenario,
        n_points=len(samples),
        worlds_per_point=per_world.shape[1],
        seed=seed,
        problem=dict(problem),
        samples=samples,
        inputs=to_inputs(samples),
        outputs=outputs,
        second_order=second,
        noise_share=_noise_share(per_world),
    )


def analyse_function(
    problem: Mapping[str, Any],
    func: Callable[[np.ndarray], ArrayLike],
    method: Method = "sobol",
    n: int = 1024,
    seed: int | None = None,
    *,
    levels: int = 4,
    calc_second_order: bool = False,
) -> SensitivityResult:
    """Sensitivity of any Python function, by the same path as :func:`sobol` and :func:`morris`.

    Args:
        problem: SALib's problem: ``num_vars``, ``names`` and ``bounds`` (the function
            gets samples scaled to the bounds).
        func: Takes the (points, num_vars) sample matrix and returns (points,) outputs.
        method: ``"sobol"`` or ``"morris"``.
        n: Sobol: base sample size, a power of 2 (``n * (D + 2)`` evaluations, or
            ``n * (2D + 2)`` with second order). Morris: trajectories
            (``n * (D + 1)`` evaluations).
        seed: Seeds SALib's sampler and the bootstrap; None for fresh randomness.
        levels: Morris grid levels (even).
        calc_second_order: Sobol: estimate second-order indices too.
    """
    name = getattr(func, "__name__", "function")

    def evaluate_points(samples: np.ndarray) -> np.ndarray:
        values = np.asarray(func(samples), dtype=float)
        if values.shape != (len(samples),):
            raise ValueError(f"{name} returned shape {values.shape}; expected ({len(samples)},)")
        return values

    return _run(
        problem,
        evaluate_points,
        method=method,
        size=n,
        seed=seed,
        levels=levels,
        calc_second_order=calc_second_order,
        to_inputs=lambda samples: pd.DataFrame(samples, columns=list(problem["names"])),
        indicator=name,
        scenario="",
    )


def _analyse_scenario(
    scenario: Scenario,
    *,
    method: str,
    size: int,
    indicator: Indicator,
    seed: int | None,
    worlds_per_point: int,
    levels: int,
    calc_second_order: bool,
    chunk_size: int,
    progress: bool,
) -> SensitivityResult:
    problem = problem_for(scenario)
    name, _ = indicator_function(indicator)
    seed = scenario.run.seed if seed is None else seed
    return _run(
        problem,
        lambda samples: evaluate(
            scenario,
            samples,
            indicator=indicator,
            worlds_per_point=worlds_per_point,
            chunk_size=chunk_size,
            progress=progress,
        ),
        method=method,
        size=size,
        seed=seed,
        levels=levels,
        calc_second_order=calc_second_order,
        to_inputs=lambda samples: pd.DataFrame(parameter_values(scenario, samples)),
        indicator=name,
        scenario=scenario.name,
    )


def sobol(
    scenario: Scenario,
    *,
    n: int,
    indicator: Indicator,
    seed: int | None = None,
    worlds_per_point: int = 1,
    calc_second_order: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: bool = False,
) -> SensitivityResult:
    """Sobol' first- and total-order indices of an indicator over the uncertain parameters.

    Args:
        scenario: A scenario with uncertain parameters.
        n: Base sample size, a power of 2; the model runs ``n * (D + 2)`` points
            (``n * (2D + 2)`` with second order) of ``worlds_per_point`` worlds each,
            for D uncertain parameters.
        indicator: An outcome name, a numeric per-world column, or a function of the
            per-world table (see :func:`indicator_function`).
        seed: Seeds SALib's sampler and the bootstrap; the scenario's seed if None.
            The worlds' own randomness always comes from the scenario's seed.
        worlds_per_point: Worlds averaged at each point, to damp the model's noise.
        calc_second_order: Estimate second-order indices too
            (:attr:`SensitivityResult.second_order`).
        chunk_size: Most worlds per model run.
        progress: Show a progress bar over the worlds.

    Raises:
        ValueError: If the scenario has no uncertain parameter, ``n`` is not a power
            of 2, or the indicator is the same at every point.
    """
    return _analyse_scenario(
        scenario,
        method="sobol",
        size=n,
        indicator=indicator,
        seed=seed,
        worlds_per_point=worlds_per_point,
        levels=4,
        calc_second_order=calc_second_order,
        chunk_size=chunk_size,
        progress=progress,
    )


def morris(
    scenario: Scenario,
    *,
    trajectories: int,
    levels: int = 4,
    indicator: Indicator,
    seed: int | None = None,
    worlds_per_point: int = 1,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: bool = False,
) -> SensitivityResult:
    """Morris elementary effects of an indicator over the uncertain parameters.

    Args:
        scenario: A scenario with uncertain parameters.
        trajectories: Morris trajectories; the model runs ``trajectories * (D + 1)``
            points of ``worlds_per_point`` worlds each.
        levels: Grid levels on each parameter's probability scale (even).
        indicator: An outcome name, a numeric per-world column, or a function of the
            per-world table (see :func:`indicator_function`).
        seed: Seeds SALib's sampler and the bootstrap; the scenario's seed if None.
        worlds_per_point: Worlds averaged at each point, to damp the model's noise.
        chunk_size: Most worlds per model run.
        progress: Show a progress bar over the worlds.
    """
    return _analyse_scenario(
        scenario,
        method="morris",
        size=trajectories,
        indicator=indicator,
        seed=seed,
        worlds_per_point=worlds_per_point,
        levels=levels,
        calc_second_order=False,
        chunk_size=chunk_size,
        progress=progress,
    )
