"""Statistics of ensembles: probabilities, paired comparisons, incidence, convergence.

Outcome probabilities come with honest intervals, scenarios are compared on common
random numbers with paired intervals, and cumulative incidence and convergence show
how outcomes build up over the weeks and how estimates settle as worlds are added.
Intervals of single probabilities are Wilson score intervals (Wilson 1927; recommended over the Wald
interval by Brown, Cai and DasGupta 2001), which stay inside [0, 1] and keep their
coverage for rare outcomes such as a direct NATO-Russia clash.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crisis_sim.ensemble import runner as ensemble
from crisis_sim.ensemble.intervals import (
    JUDGEMENT_LEVELS,
    Z_95,
    clustered_variance,
    design_effect,
    set_counts,
    sign_agreement,
    transition_table,
)
from crisis_sim.ensemble.results import EVENT_OUTCOMES, Results, wilson_interval
from crisis_sim.model.domain import OUTCOMES
from crisis_sim.scenario.files import load_scenario
from crisis_sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from pathlib import Path


JUDGEMENT_LABEL = f"judgement {100 * JUDGEMENT_LEVELS[0]:.0f}-{100 * JUDGEMENT_LEVELS[1]:.0f}%"
"""How the band across parameter sets is labelled in text and figures."""

CHANCE_LABEL = "Monte Carlo 95%"
"""How the chance interval is labelled in text and figures."""

INTERVALS_NOTE = (
    f"{CHANCE_LABEL}: chance, how precisely these worlds estimate the probability. "
    f"{JUDGEMENT_LABEL}: judgement, the spread of the probability across the parameter "
    "sets drawn for the scenario's judgement parameters (binomial noise removed)."
)
"""The sentence that says which interval is which."""


def _band(low: float, high: float) -> str:
    """``12.3 - 14.5%``, or ``-`` for a missing band."""
    if np.isnan(low):
        return "-"
    return f"{100 * low:5.1f} - {100 * high:5.1f}%"


def format_outcome_table(table: pd.DataFrame) -> str:
    """The outcome table as aligned text for a terminal: both intervals, labelled."""
    lines = [
        f"{'outcome':<20} {'probability':>11}  {CHANCE_LABEL:>15}  {JUDGEMENT_LABEL:>17}  "
        f"{'median week':>11}"
    ]
    for outcome, row in table.iterrows():
        week = "-" if np.isnan(row["median_week"]) else f"{row['median_week']:.0f}"
        chance = _band(row["low"], row["high"])
        judged = _band(row.get("judgement_low", np.nan), row.get("judgement_high", np.nan))
        if judged != "-" and not row.get("judgement_detected", True):
            judged += "*"
        lines.append(
            f"{outcome:<20} {100 * row['probability']:10.1f}%  {chance:>15}  {judged:>17}  "
            f"{week:>11}"
        )
    lines.append(textwrap.fill(INTERVALS_NOTE, width=88))
    if "judgement_detected" in table and not table["judgement_detected"].all():
        lines.append(
            textwrap.fill(
                "* The sets' shares spread no more than chance alone could explain (a "
                "chi-square test at 95%): no spread across judgement can be told apart from "
                "chance here; more worlds per set (run.worlds_per_set) could reveal one.",
                width=88,
            )
        )
    reason = table.attrs.get("judgement", "")
    if reason:
        lines.append(f"No judgement band: {reason}.")
    elif "judgement_sets" in table:
        lines.append(f"({int(table['judgement_sets'].iloc[0]):,} parameter sets.)")
    return "\n".join(lines)


def paired_difference(
    reference: np.ndarray,
    scenario: np.ndarray,
    z: float = Z_95,
    sets: np.ndarray | None = None,
) -> tuple[float, float, float]:
    """Difference of two paired proportions with its Wald interval (McNemar's set-up).

    Args:
        reference: 0/1 per world in the reference scenario.
        scenario: 0/1 per world in the other scenario, the same worlds in the same order.
        z: Normal quantile (1.96 for 95%).
        sets: Each world's parameter set, if the worlds come in sets sharing their
            judgement parameters; the variance then allows for the sets' clustering.

    Returns:
        The difference (scenario minus reference) and its interval. Only the
        discordant worlds (in the outcome in one scenario, not the other) carry
        information: with b worlds gained and c lost out of n, the difference is
        (b - c) / n with variance (b + c - (b - c)^2 / n) / n^2; with sets, the
        larger of that and the variance between sets, S / (S - 1) times the sum over
        sets of (D_j - d m_j)^2 / n^2, D_j the set's summed differences and m_j its
        worlds.
    """
    a = np.asarray(reference, dtype=bool)
    s = np.asarray(scenario, dtype=bool)
    if a.shape != s.shape or a.size == 0:
        raise ValueError("paired outcomes need the same, non-zero number of worlds")
    n = a.size
    gained = float(np.sum(s & ~a))
    lost = float(np.sum(a & ~s))
    difference = (gained - lost) / n
    variance = max(gained + lost - (gained - lost) ** 2 / n, 0.0) / n**2
    if sets is not None:
        summed, sizes = set_counts(s.astype(float) - a.astype(float), sets)
        if len(sizes) >= 2:
            variance = max(variance, float(clustered_variance(summed, sizes)[0]))
    half = z * np.sqrt(variance)
    return difference, difference - half, difference + half


def independent_difference(
    reference: np.ndarray,
    scenario: np.ndarray,
    z: float = Z_95,
    sets: np.ndarray | None = None,
) -> tuple[float, float]:
    """Wald interval of the same difference as if the two runs had been independent.

    With ``sets``, each run's variance is multiplied by its design effect
    (:func:`crisis_sim.ensemble.intervals.design_effect`), as the Monte Carlo interval
    of one probability is.
    """
    p1 = float(np.mean(reference))
    p2 = float(np.mean(scenario))
    n1, n2 = len(reference), len(scenario)
    d1 = 1.0 if sets is None else design_effect(np.asarray(reference, dtype=bool), sets)
    d2 = 1.0 if sets is None else design_effect(np.asarray(scenario, dtype=bool), sets)
    half = z * np.sqrt(d1 * p1 * (1 - p1) / n1 + d2 * p2 * (1 - p2) / n2)
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
    sets = _common_sets(results, names, index)
    rows = []
    for name, other in zip(names, results, strict=True):
        if other is base:
            continue
        for outcome in OUTCOMES:
            a = (base.worlds["outcome"] == outcome.key).to_numpy()
            b = (other.worlds["outcome"] == outcome.key).to_numpy()
            difference, low, high = paired_difference(a, b, sets=sets)
            ind_low, ind_high = independent_difference(a, b, sets=sets)
            agreement = sign_agreement(a, b, sets)
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
                    "same_sign": agreement.same_sign,
                    "judgement_low": agreement.low,
                    "judgement_high": agreement.high,
                    "sets_raised": agreement.raised,
                    "sets_lowered": agreement.lowered,
                    "sets_unchanged": agreement.unchanged,
                    "sets": agreement.sets,
                    "spread_detected": agreement.detected,
                }
            )
    table = pd.DataFrame(rows)
    table.attrs["reference"] = names[index]
    table.attrs["runs"] = base.runs
    table.attrs["judgement"] = "" if sets is not None else "the scenarios draw no judgement"
    return table


def _common_sets(results: Sequence[Results], names: list[str], index: int) -> np.ndarray | None:
    """The parameter sets the paired worlds share, or None if no scenario draws judgement.

    Raises:
        ValueError: If the scenarios group their worlds in sets of different sizes (their
            worlds would then not share their judgement parameters).
    """
    base = results[index]
    size = base.scenario.run.worlds_per_set
    for name, other in zip(names, results, strict=True):
        if other.scenario.run.worlds_per_set != size:
            raise ValueError(
                f"{name} groups its worlds in sets of {other.scenario.run.worlds_per_set}, "
                f"the reference in sets of {size}: a paired comparison needs the same "
                "run.worlds_per_set"
            )
    found = [r.parameter_sets() for r in results]
    return next((sets for sets in found if sets is not None), None)


def transitions(results: Sequence[Results], reference: int | str = 0) -> dict[str, pd.DataFrame]:
    """For each scenario, where the reference's worlds of each outcome end under it.

    Args:
        results: Two or more results of the same seed and number of worlds (checked by
            :func:`paired_comparison`).
        reference: The reference, by position or scenario name.

    Returns:
        One table of counts per scenario other than the reference, by its name: rows
        the outcome under the reference, columns the outcome under the scenario
        (:func:`crisis_sim.ensemble.intervals.transition_table`).
    """
    names = [r.scenario.name or f"scenario {i}" for i, r in enumerate(results)]
    index = names.index(reference) if isinstance(reference, str) else reference
    base = results[index]
    return {
        name: transition_table(base.worlds["outcome"], other.worlds["outcome"])
        for name, other in zip(names, results, strict=True)
        if other is not base
    }


def format_transitions(tables: dict[str, pd.DataFrame], reference: str) -> str:
    """Transition tables as text: where the reference's worlds of each outcome end."""
    lines = []
    for name, table in tables.items():
        lines.append(
            f"Where the worlds go: rows are outcomes under {reference}, columns under {name} "
            "(worlds)"
        )
        lines.append(table.to_string())
        moved = int(table.to_numpy().sum() - np.trace(table.to_numpy()))
        lines.append(f"{moved:,} of {int(table.to_numpy().sum()):,} worlds change outcome.")
    return "\n".join(lines)


def _same_sign(row: Any) -> str:
    """``raises in 71%``: the share of parameter sets with the overall effect's sign."""
    same = getattr(row, "same_sign", np.nan)
    if np.isnan(same) or row.difference == 0:
        return "-"
    verb = "raises" if row.difference > 0 else "lowers"
    mark = "" if getattr(row, "spread_detected", True) else "*"
    return f"{verb} in {100 * same:.0f}%{mark}"


def format_comparison(table: pd.DataFrame) -> str:
    """A paired comparison as aligned text: points, both intervals, sign robustness."""
    lines = [
        f"Against {table.attrs.get('reference', 'the reference')} "
        f"({table.attrs.get('runs', '?'):,} paired worlds), percentage points:",
        f"{'scenario':<30} {'outcome':<18} {'reference':>9} {'scenario':>9} "
        f"{'difference':>10}  {'Monte Carlo 95%':>15}  {JUDGEMENT_LABEL:>17}  "
        f"{'of parameter sets':>18}",
    ]
    for row in table.itertuples():
        judged = (
            "-"
            if np.isnan(getattr(row, "judgement_low", np.nan))
            else f"{100 * row.judgement_low:+6.1f} to {100 * row.judgement_high:+5.1f}"
        )
        lines.append(
            f"{row.scenario:<30} {row.outcome:<18} {100 * row.p_reference:8.1f}% "
            f"{100 * row.p_scenario:8.1f}% {100 * row.difference:+9.1f}  "
            f"{100 * row.low:+6.1f} to {100 * row.high:+5.1f}  {judged:>17}  "
            f"{_same_sign(row):>18}"
        )
    lines.append(
        textwrap.fill(
            f"Monte Carlo 95%: chance, the paired interval of the difference. {JUDGEMENT_LABEL}: "
            "the spread of the effect across parameter sets. 'Of parameter sets': the share "
            "of parameter sets in which the effect has the sign of the overall effect (both "
            "from a normal fit to the sets' effects with their paired noise removed).",
            width=88,
        )
    )
    if "spread_detected" in table and not table["spread_detected"].all():
        lines.append(
            textwrap.fill(
                "* The effect spreads across parameter sets no more than its paired noise "
                "could: its spread, and so the share, cannot be told apart from chance.",
                width=88,
            )
        )
    reason = table.attrs.get("judgement", "")
    if reason:
        lines.append(f"No judgement band: {reason}.")
    return "\n".join(lines)


def cumulative_incidence(results: Results) -> pd.DataFrame:
    """Share of all worlds that have reached each event outcome by each week, long form.

    The table of :meth:`Results.cumulative_incidence` with one row per (week, outcome):
    week, date, outcome, share, low, high (95% Wilson). Only the outcomes that are events
    in time (:data:`~crisis_sim.ensemble.results.EVENT_OUTCOMES`: de-escalation, full
    invasion, NATO-Russia clash); a standoff and a limited incursion are classes given at
    the horizon, whose probabilities are in the outcome table.
    """
    wide = results.cumulative_incidence()
    frames = [
        pd.DataFrame(
            {
                "week": wide.index.to_numpy(),
                "date": wide["date"].to_numpy(),
                "outcome": outcome.key,
                "share": wide[outcome.key].to_numpy(),
                "low": wide[f"{outcome.key}_low"].to_numpy(),
                "high": wide[f"{outcome.key}_high"].to_numpy(),
            }
        )
        for outcome in EVENT_OUTCOMES
    ]
    return pd.concat(frames, ignore_index=True)


BY_DATES: tuple[dt.date, ...] = (
    dt.date(2022, 2, 28),
    dt.date(2022, 6, 30),
    dt.date(2022, 12, 31),
)
"""The dates of the short "by date" table ``crisis-sim run`` prints: the ends of
February, June and December 2022 (those within the result's weeks)."""


def by_date(results: Results, dates: Sequence[dt.date | str] | None = None) -> pd.DataFrame:
    """The share of all worlds that reached each event outcome by each of a few dates.

    Args:
        results: The ensemble.
        dates: The dates; by default those of :data:`BY_DATES` within the result's weeks,
            or the horizon's date if none is.

    Returns:
        One row per (date, outcome): date (as asked), week (the last one counted),
        outcome, worlds, probability, low, high (95% Wilson).

    Raises:
        ValueError: If a date given is outside the result's weeks.
    """
    run = results.scenario.run
    if dates is None:
        start = run.start_date
        end = start + dt.timedelta(weeks=run.horizon)
        dates = [date for date in BY_DATES if start <= date <= end] or [end]
    rows = []
    for date in dates:
        asked = dt.date.fromisoformat(str(date))
        for outcome in EVENT_OUTCOMES:
            found = results.probability_by(asked, outcome.key)
            rows.append(
                {
                    "date": asked,
                    "week": found.week,
                    "outcome": outcome.key,
                    "worlds": found.worlds,
                    "probability": found.probability,
                    "low": found.low,
                    "high": found.high,
                    "judgement_low": found.judgement_low,
                    "judgement_high": found.judgement_high,
                }
            )
    return pd.DataFrame(rows)


def format_by_date(table: pd.DataFrame) -> str:
    """A :func:`by_date` table as aligned text: one row per outcome, one column per date."""
    dates = list(dict.fromkeys(table["date"]))
    judged = "judgement_low" in table and not table["judgement_low"].isna().all()
    cell = 34 if judged else 24
    header = f"{'reached by':<20}" + "".join(
        f"{f'{date.isoformat()} (wk {int(week)})':>{cell}}"
        for date, week in table.drop_duplicates("date")[["date", "week"]].itertuples(index=False)
    )
    what = f"{CHANCE_LABEL}; [{JUDGEMENT_LABEL}]" if judged else CHANCE_LABEL
    lines = [f"Share of all worlds that reached each outcome by a date ({what}):", header]
    for outcome in dict.fromkeys(table["outcome"]):
        part = table[table["outcome"] == outcome].set_index("date")
        cells = []
        for date in dates:
            text = _share_with_interval(*part.loc[date, ["probability", "low", "high"]])
            if judged:
                text += f" [{100 * part.loc[date, 'judgement_low']:4.1f}-"
                text += f"{100 * part.loc[date, 'judgement_high']:4.1f}]"
            cells.append(f"{text:>{cell}}")
        lines.append(f"{outcome:<20}{''.join(cells)}")
    return "\n".join(lines)


def _share_with_interval(share: float, low: float, high: float) -> str:
    """``12.3% (11.1-13.6)``: a share in percent with its interval."""
    return f"{100 * share:5.1f}% ({100 * low:4.1f}-{100 * high:4.1f})"


REASON_LABELS = {
    "best_reply": "best reply",
    "near_best": "near-best",
    "low_probability": "low-probability draw",
}
"""How the reasons for an invasion are named in text."""


def format_invasions(reasons: pd.DataFrame, end_state: pd.DataFrame, runs: int) -> str:
    """Full invasions as aligned text: the share by reason, then the end state after them.

    Args:
        reasons: :meth:`Results.invasion_reasons`.
        end_state: :meth:`Results.invasion_end_state`.
        runs: The number of worlds.
    """
    count = int(reasons.attrs.get("invasions", reasons["worlds"].sum()))
    lines = [f"Full invasions: {count:,} of {runs:,} worlds ({100 * count / runs:.1f}%)"]
    if count == 0:
        return "\n".join(lines)
    lines.append(f"{'why Russia invaded':<22} {'share of invasions':>19}  {'median week':>11}")
    for reason, row in reasons.iterrows():
        week = "-" if np.isnan(row["median_week"]) else f"{row['median_week']:.0f}"
        share = _share_with_interval(row["share"], row["low"], row["high"])
        lines.append(f"{REASON_LABELS.get(str(reason), str(reason)):<22} {share:>19}  {week:>11}")
    lines.append("After the invasion, at the horizon:")
    labels = [
        row["title"] if row["statistic"] == "share" else f"{row['title']} ({row['unit']})"
        for _, row in end_state.iterrows()
    ]
    width = max(len(label) for label in labels)
    for label, (_, row) in zip(labels, end_state.iterrows(), strict=True):
        if row["statistic"] == "share":
            value = _share_with_interval(row["value"], row["low"], row["high"])
        else:
            value = f"median {row['value']:.2f} (quartiles {row['low']:.2f}-{row['high']:.2f})"
        lines.append(f"  {label:<{width}}  {value}")
    return "\n".join(lines)


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
