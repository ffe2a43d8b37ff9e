"""Statistics of ensembles: probabilities, paired comparisons, incidence, convergence.

Outcome probabilities come with honest intervals, scenarios are compared on common
random numbers with paired intervals, and cumulative incidence and convergence show
how outcomes build up over the weeks and how estimates settle as worlds are added.
Intervals of single probabilities are Wilson score intervals (Wilson 1927; recommended over the Wald
interval by Brown, Cai and DasGupta 2001), which stay inside [0, 1] and keep their
coverage for rare outcomes such as a direct NATO-Russia clash.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crisis_sim.ensemble import runner as ensemble
from crisis_sim.ensemble.results import Z_95, Results, wilson_interval
from crisis_sim.model.domain import OUTCOMES
from crisis_sim.scenario.files import load_scenario
from crisis_sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from pathlib import Path


def format_outcome_table(table: pd.DataFrame) -> str:
    """The outcome table as aligned text for a terminal."""
    lines = [f"{'outcome':<20} {'probability':>11}  {'95% interval':>15}  {'median week':>11}"]
    for outcome, row in table.iterrows():
        week = "-" if np.isnan(row["median_week"]) else f"{row['median_week']:.0f}"
        interval = f"{100 * row['low']:5.1f} - {100 * row['high']:5.1f}%"
        lines.append(f"{outcome:<20} {100 * row['probability']:10.1f}%  {interval:>15}  {week:>11}")
    return "\n".join(lines)


def paired_difference(
    reference: np.ndarray, scenario: np.ndarray, z: float = Z_95
) -> tuple[float, float, float]:
    """Difference of two paired proportions with its Wald interval (McNemar's set-up).

    Args:
        reference: 0/1 per world in the reference scenario.
        scenario: 0/1 per world in the other scenario, the same worlds in the same order.
        z: Normal quantile (1.96 for 95%).

    Returns:
        The difference (scenario minus reference) and its interval. Only the
        discordant worlds (in the outcome in one scenario, not the other) carry
        information: with b worlds gained and c lost out of n, the difference is
        (b - c) / n with variance (b + c - (b - c)^2 / n) / n^2.
    """
    a = np.asarray(reference, dtype=bool)
    s = np.asarray(scenario, dtype=bool)
    if a.shape != s.shape or a.size == 0:
        raise ValueError("paired outcomes need the same, non-zero number of worlds")
    n = a.size
    gained = float(np.sum(s & ~a))
    lost = float(np.sum(a & ~s))
    difference = (gained - lost) / n
    half = z * np.sqrt(max(gained + lost - (gained - lost) ** 2 / n, 0.0)) / n
    return difference, difference - half, difference + half


def independent_difference(
    reference: np.ndarray, scenario: np.ndarray, z: float = Z_95
) -> tuple[float, float]:
    """Wald interval of the same difference as if the two runs had been independent."""
    p1 = float(np.mean(reference))
    p2 = float(np.mean(scenario))
    n1, n2 = len(reference), len(scenario)
    half = z * np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return p2 - p1 - half, p2 - p1 + half


def paired_comparison(results: Sequence[Results], reference: int | str = 0) -> pd.DataFrame:
    """Paired comparison of scenarios run on common random numbers.

    Scenarios run with the same seed and number of worlds share each world's random
    stream and sampled uncertainties (:mod:`crisis_sim.model.streams`), so world k differs
    between them only by what the scenarios change. The difference in each outcome's
    probability then gets a paired interval (:func:`paired_difference`), which is
    much narrower than if the runs were independent (also reported).

    Args:
        results: Two or more results of the same seed and number of worlds.
        reference: The reference result, by position or scenario name.

    Returns:
        One row per (scenario, outcome) other than the reference: p_reference,
        p_scenario, difference, low, high (95% paired interval), independent_low,
        independent_high, and the numbers of worlds gained and lost. ``attrs`` holds
        the reference's name and the number of worlds.

    Raises:
        ValueError: If the results do not share seed and worlds, or the reference is
            not among them.
    """
    if len(results) < 2:
        raise ValueError("a comparison needs at least two results")
    names = [r.scenario.name or f"scenario {i}" for i, r in enumerate(results)]
    if isinstance(reference, str) and reference not in names:
        raise ValueError(f"no scenario {reference!r} among {', '.join(names)}")
    index = names.index(reference) if isinstance(reference, str) else reference
    base = results[index]
    for name, other in zip(names, results, strict=True):
        if other.info.get("seed") != base.info.get("seed") or other.runs != base.runs:
            raise ValueError(
                f"{name} was run with seed {other.info.get('seed')} and {other.runs} worlds, "
                f"the reference with seed {base.info.get('seed')} and {base.runs}: a paired "
                "comparison needs the same seed and number of worlds"
            )
    rows = []
    for name, other in zip(names, results, strict=True):
        if other is base:
            continue
        for outcome in OUTCOMES:
            a = (base.worlds["outcome"] == outcome.key).to_numpy()
            b = (other.worlds["outcome"] == outcome.key).to_numpy()
            difference, low, high = paired_difference(a, b)
            ind_low, ind_high = independent_difference(a, b)
            rows.append(
                {
                    "reference": names[index],
                    "scenario": name,
                    "outcome": outcome.key,
                    "p_reference": float(a.mean()),
                    "p_scenario": float(b.mean()),
                    "difference": difference,
                    "low": low,
                    "high": high,
                    "independent_low": ind_low,
                    "independent_high": ind_high,
                    "gained": int(np.sum(b & ~a)),
                    "lost": int(np.sum(a & ~b)),
                }
            )
    table = pd.DataFrame(rows)
    table.attrs["reference"] = names[index]
    table.attrs["runs"] = base.runs
    return table


def format_comparison(table: pd.DataFrame) -> str:
    """A paired comparison as aligned text: points of probability, 95% intervals."""
    lines = [
        f"Against {table.attrs.get('reference', 'the reference')} "
        f"({table.attrs.get('runs', '?'):,} paired worlds), percentage points:",
        f"{'scenario':<34} {'outcome':<18} {'reference':>9} {'scenario':>9} "
        f"{'difference':>10}  {'paired 95%':>15}  {'if independent':>15}",
    ]
    for row in table.itertuples():
        lines.append(
            f"{row.scenario:<34} {row.outcome:<18} {100 * row.p_reference:8.1f}% "
            f"{100 * row.p_scenario:8.1f}% {100 * row.difference:+9.1f}  "
            f"{100 * row.low:+6.1f} to {100 * row.high:+5.1f}  "
            f"{100 * row.independent_low:+6.1f} to {100 * row.independent_high:+5.1f}"
        )
    return "\n".join(lines)


def cumulative_incidence(results: Results) -> pd.DataFrame:
    """Share of worlds that have reached each outcome by each week, with 95% intervals.

    Returns a long table: week, outcome, share, low, high (Wilson). At the horizon
    the worlds still running are classed as a standoff or a limited incursion, so
    those two outcomes jump in the last week by construction.
    """
    shares = results.state_shares()
    runs = results.runs
    frames = []
    for outcome in OUTCOMES:
        share = shares[outcome.key].to_numpy()
        low, high = wilson_interval(np.round(share * runs), runs)
        frames.append(
            pd.DataFrame(
                {
                    "week": shares.index.to_numpy(),
                    "outcome": outcome.key,
                    "share": share,
                    "low": low,
                    "high": high,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def convergence(worlds: pd.DataFrame, points: int = 25) -> pd.DataFrame:
    """How each outcome's estimated probability settles as worlds are added.

    The estimate after the first n worlds (in replication order), with its 95% Wilson
    interval, at ``points`` values of n spaced evenly on a log scale up to all worlds:
    if the last stretch of the curve still moves beyond the interval's width, run
    more worlds.

    Returns:
        A long table: worlds, outcome, probability, low, high.
    """
    total = len(worlds)
    if total == 0:
        raise ValueError("no worlds to summarise")
    grid = np.unique(np.geomspace(min(10, total), total, num=points).astype(int))
    ordered = worlds.sort_values("replication") if "replication" in worlds else worlds
    frames = []
    for outcome in OUTCOMES:
        hits = np.cumsum((ordered["outcome"] == outcome.key).to_numpy())
        counts = hits[grid - 1]
        low, high = wilson_interval(counts, grid)
        frames.append(
            pd.DataFrame(
                {
                    "worlds": grid,
                    "outcome": outcome.key,
                    "probability": counts / grid,
                    "low": low,
                    "high": high,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def compare_scenarios(
    scenarios: Sequence[Scenario | str | Path],
    *,
    reference: int | str = 0,
    runs: int | None = None,
    seed: int | None = None,
    **options: Any,
) -> tuple[list[Results], pd.DataFrame]:
    """Run scenarios on common random numbers and compare them against a reference.

    Every scenario runs with the same seed (``seed``, or the first scenario's) and the
    same number of worlds (``runs``, or the first scenario's), so the comparison is
    paired (:func:`paired_comparison`).

    Args:
        scenarios: Two or more scenarios, files or bundled names.
        reference: The reference, by position or scenario name.
        runs: Worlds per scenario.
        seed: The common seed.
        options: Passed on to :func:`crisis_sim.ensemble.runner.run` (executor, workers,
            sampling, progress...).

    Returns:
        The results, in the order given, and the paired comparison table.
    """
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    if len(loaded) < 2:
        raise ValueError("a comparison needs at least two scenarios")
    common_seed = loaded[0].run.seed if seed is None else seed
    common_runs = loaded[0].run.runs if runs is None else runs
    results = [ensemble.run(s, runs=common_runs, seed=common_seed, **options) for s in loaded]
    return results, paired_comparison(results, reference=reference)
