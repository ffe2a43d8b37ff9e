"""``Results``: what an ensemble produced, and how it is saved and loaded.

A result folder holds everything needed to reproduce every table and figure:

- ``worlds.parquet``: one row per world (sampled parameters, outcome, week, end state);
- ``weekly.parquet``: week by week, the number of worlds in each state and the
  binned values of the fan charts' variables;
- ``trajectories.parquet``: the full week-by-week state of the worlds asked for;
- ``levers.parquet``: one row per world (``replication``), one column per lever by its
  key path (``levers[0]``, ``events[0]``): the week it fired in that world, -1 if never;
- ``DATA_DICTIONARY.md``: every column of these tables and every key of
  ``summary.json``, with its unit and meaning (:func:`data_dictionary`);
- ``figures/``: the main figures as PNG (and SVG if asked for), when the command line
  (or :func:`crisis_sim.plots.save_main_figures`) draws them: saving writes data only;
- ``summary.json``: the scenario (in full), its hash, the seed, the outcome table
  (``outcomes``), the cumulative incidence (``cumulative_incidence``: one record per
  week 0..horizon with its ``date`` and, for each outcome that is an event in time,
  the share of all worlds that reached it by that week and its 95% Wilson interval,
  as :meth:`Results.cumulative_incidence`), the full invasions (``invasions``:
  ``worlds``, ``reasons`` as :meth:`Results.invasion_reasons` and ``end_state`` as
  :meth:`Results.invasion_end_state`), each lever's firing (``levers``, as
  :meth:`Results.lever_firing`), package and dependency versions, the executor and
  timings; written last, so a folder without it is incomplete.

Results are written into a staging folder inside the output folder and moved into
place, ``summary.json`` last, so a crash never leaves a half-written folder that looks
complete. The package writes only into folders it owns and replaces only its own
files (:mod:`crisis_sim.ensemble.outputs`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from crisis_sim.ensemble import dictionary
from crisis_sim.ensemble.intervals import (
    Spread,
    chance_interval,
    chance_intervals,
    dense_sets,
    judgement_spread,
    judgement_spreads,
    wilson_interval,
)
from crisis_sim.ensemble.outputs import OutputExistsError, OutputFolder
from crisis_sim.model.crisis import CrisisModel
from crisis_sim.model.domain import ISSUES, OUTCOMES, InvasionReason, Outcome, Rung
from crisis_sim.scenario.describe import is_conditional, lever_paths, lever_timing
from crisis_sim.scenario.errors import ScenarioError
from crisis_sim.scenario.files import scenario_from_dict
from crisis_sim.scenario.schema import Scenario

if TYPE_CHECKING:
    import xarray

STATE_LABELS: tuple[str, ...] = (
    *(o.key for o in OUTCOMES),
    *(f"ongoing_{rung.name.lower()}" for rung in Rung),
)
"""The state each world is in, week by week: an outcome, or still running at a rung."""


@dataclass(frozen=True)
class Variable:
    """A variable of the results: what it is, its unit, and its histogram if kept weekly."""

    title: str
    """What it is, in a few words (``"sanctions tier"``)."""
    unit: str
    """Its unit or scale (``"0-3"``)."""
    bins: tuple[float, float, int] | None = None
    """(low edge, high edge, bins) of its week-by-week histogram; None if not kept weekly."""
    none: float | None = None
    """The value that means "did not happen" (-1 for the week of an event that did not
    come); figures of the distribution leave it out. None if every value is a value."""

    @property
    def label(self) -> str:
        """Axis label with the unit: ``"sanctions tier (0-3)"``."""
        return f"{self.title} ({self.unit})"


VARIABLES: dict[str, Variable] = {
    "rung": Variable("escalation rung", "0 diplomacy - 4 invasion", (-0.5, 4.5, 5)),
    "sanctions": Variable("sanctions tier", "0-3", (0.0, 3.0, 120)),
    "posture": Variable("Eastern Flank posture", "0-2", (0.0, 2.0, 80)),
    "support": Variable("support to Ukraine", "0-2", (0.0, 2.0, 80)),
    "cohesion": Variable("alliance cohesion", "0-1", (0.0, 1.0, 100)),
    "resolve_belief": Variable("Russia's belief in Western resolve", "0-1", (0.0, 1.0, 100)),
    "end_rung": Variable("escalation rung at the end", "0 diplomacy - 4 invasion"),
    "max_rung": Variable("highest escalation rung reached", "0-4"),
    "type_belief": Variable("West's belief that Russia is revisionist", "0-1"),
    "concessions_granted": Variable("concessions granted", "sum over the six issues, 0-6"),
    "partial_week": Variable("week of the first partial agreement", "weeks after t0", none=-1),
    "offer_step": Variable(
        "how far the West's offers moved", "0 the t0 offers - 1 the reservation points"
    ),
    "war_risk": Variable("West's estimate of the chance of invasion", "0-1; 1 at war"),
    "resistance": Variable("Ukraine's resistance", "0-1"),
    "mobilised": Variable("Ukraine's mobilisation", "0-1"),
    "invasion_margin": Variable(
        "how far invading fell short of Russia's best plan", "demand units, 0 = best reply"
    ),
    "invasion_victory": Variable("chance of winning Russia saw when it invaded", "0-1"),
    "war_front": Variable("front held by Russia", "share of Ukraine beyond the 2021 line"),
    "war_collapse_week": Variable("week Ukraine's defence collapsed", "weeks after t0", none=-1),
    "ceasefire_week": Variable("week of the ceasefire", "weeks after t0", none=-1),
    "war_clash_week": Variable(
        "week of a NATO-Russia clash during the war", "weeks after t0", none=-1
    ),
    **{
        f"gain_{issue.key}": Variable(
            f"Russia's gain on {issue.key.replace('_', ' ')}", "issue scale 0-1"
        )
        for issue in ISSUES
    },
    **{
        f"agreed_{issue.key}": Variable(
            f"agreed in part on {issue.key.replace('_', ' ')}", "issue scale 0-1"
        )
        for issue in ISSUES
    },
}
"""The per-variable table: each week-by-week variable and end-state column of
:attr:`Results.worlds` with its unit, and the histogram of those kept week by week.
Figures label their axes from it. The columns of the war (``war_*``, ``ceasefire_week``,
``invasion_*``) hold values only in the worlds Russia invaded: NaN, or -1 for a week,
elsewhere."""

EVENT_OUTCOMES: tuple[Outcome, ...] = (
    Outcome.DE_ESCALATION,
    Outcome.FULL_INVASION,
    Outcome.NATO_RUSSIA_CLASH,
)
"""The outcomes that are events in time, reached in the week a world records: a deal,
an invasion, a clash. A standoff and a limited incursion are classes given at the
horizon to the worlds still in crisis, so no world "reaches" them by an earlier week."""

INVASION_REASONS: tuple[InvasionReason, ...] = tuple(
    reason for reason in InvasionReason if reason is not InvasionReason.NONE
)
"""Why an invasion was chosen: Russia's best reply, within a small margin of it, or a
low-probability draw of its choice noise (:class:`~crisis_sim.model.domain.InvasionReason`)."""

BINNED: dict[str, tuple[float, float, int]] = {
    name: variable.bins for name, variable in VARIABLES.items() if variable.bins is not None
}
"""Week-by-week variables kept as histograms: (low edge, high edge, bins), from
:data:`VARIABLES`."""

FORMAT_VERSION = 1
"""Version of the result-folder layout: raised when a file, column or key is removed or
renamed, or changes its unit, coding or meaning; not for additions a reader can ignore,
nor for new model numbers (the data dictionary's *Format version* says how to check it)."""

REQUIRED_SUMMARY_KEYS = ("format_version", "scenario", "seed", "runs", "sampling")
"""Keys ``summary.json`` must hold for a result folder to be read."""

SUMMARY_TABLE_KEYS = ("cumulative_incidence", "invasions", "levers", "judgement")
"""Keys of ``summary.json`` that hold tables computed from the worlds: not read back,
since loading computes them again from ``worlds.parquet``."""


class ResultsFolderError(ValueError):
    """A folder is not a readable result folder of this package; the message says why."""


def json_safe(value: Any) -> Any:
    """``value`` with every NaN or infinity replaced by None, so it dumps as strict JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, np.generic):
        return json_safe(value.item())
    return value


def _judgement_columns(spread: Spread) -> dict[str, float]:
    """The judgement band's columns of an outcome table row."""
    return {
        "judgement_low": spread.low,
        "judgement_high": spread.high,
        "judgement_observed_low": spread.observed_low,
        "judgement_observed_high": spread.observed_high,
        "judgement_sets": spread.sets,
        "judgement_detected": spread.detected,
    }


def outcome_table(worlds: pd.DataFrame, sets: np.ndarray | None = None) -> pd.DataFrame:
    """Probability of each outcome with its chance interval, judgement band and median week.

    Args:
        worlds: A per-world table with ``outcome`` and ``week`` columns.
        sets: Each world's parameter set, when the scenario draws judgement parameters
            (:mod:`crisis_sim.ensemble.intervals`); None otherwise.

    Returns:
        One row per outcome class (all five, in order): ``worlds``, ``probability``,
        ``low``, ``high`` (the Monte Carlo 95% interval: chance, the sets' clustering
        allowed for), ``judgement_low``, ``judgement_high`` (the 5-95% band across
        parameter sets, binomial noise removed; NaN without one),
        ``judgement_observed_low``, ``judgement_observed_high`` (the same of the sets'
        observed shares), ``judgement_sets``, ``judgement_detected`` (False where the
        sets' shares spread no more than chance alone would: the band is then the point)
        and ``median_week`` (NaN if none).
        ``attrs["judgement"]`` says why there is no band, or is "".
    """
    total = len(worlds)
    if total == 0:
        raise ValueError("no worlds to summarise")
    rows = []
    reason = ""
    for outcome in OUTCOMES:
        mask = (worlds["outcome"] == outcome.key).to_numpy()
        count = int(mask.sum())
        low, high = chance_interval(mask, sets)
        spread = judgement_spread(mask, sets)
        reason = spread.reason
        weeks = worlds["week"].to_numpy()[mask]
        rows.append(
            {
                "outcome": outcome.key,
                "worlds": count,
                "probability": count / total,
                "low": low,
                "high": high,
                **_judgement_columns(spread),
                "median_week": float(np.median(weeks)) if count else np.nan,
            }
        )
    table = pd.DataFrame(rows).set_index("outcome")
    table.attrs["judgement"] = reason
    return table


def _event_outcome(outcome: str | Outcome) -> Outcome:
    """The event outcome named ``outcome``; a clear ValueError for any other name."""
    keys = {o.key: o for o in EVENT_OUTCOMES}
    key = outcome.key if isinstance(outcome, Outcome) else str(outcome)
    if key in keys:
        return keys[key]
    if key in {o.key for o in OUTCOMES}:
        raise ValueError(
            f"{key} is not an event in time: it is the class of the worlds still in crisis "
            "at the horizon, so no world reaches it by an earlier week (outcome_table() has "
            f"its probability); choose from {', '.join(keys)}"
        )
    raise ValueError(f"no outcome {key!r}; choose from {', '.join(keys)}")


def _event_weeks(worlds: pd.DataFrame, horizon: int) -> dict[str, np.ndarray]:
    """Each event outcome's weeks, checked to lie in 0..``horizon``."""
    if len(worlds) == 0:
        raise ValueError("no worlds to summarise")
    outcomes = worlds["outcome"].to_numpy()
    weeks = worlds["week"].to_numpy()
    found = {}
    for outcome in EVENT_OUTCOMES:
        reached = weeks[outcomes == outcome.key].astype(np.int64)
        outside = np.unique(reached[(reached < 0) | (reached > horizon)])
        if outside.size:
            raise ValueError(
                f"{outcome.key} recorded in week {', '.join(map(str, outside))}: outside "
                f"the weeks 0..{horizon} of this result"
            )
        found[outcome.key] = reached
    return found


def cumulative_incidence(
    worlds: pd.DataFrame,
    horizon: int,
    start_date: dt.date | str,
    sets: np.ndarray | None = None,
) -> pd.DataFrame:
    """Share of all worlds that have reached each event outcome by each week.

    Args:
        worlds: A per-world table with ``outcome`` and ``week`` columns.
        horizon: The last week simulated.
        start_date: The date of week 0.
        sets: Each world's parameter set, when the scenario draws judgement parameters.

    Returns:
        One row per week 0..``horizon`` (the index, ``week``): ``date`` (of the week),
        then for each outcome of :data:`EVENT_OUTCOMES` its share of all worlds reached
        by that week (in that week or before), ``<outcome>_low``, ``<outcome>_high``,
        the Monte Carlo 95% interval, and ``<outcome>_judgement_low``,
        ``<outcome>_judgement_high``, the 5-95% band across parameter sets (NaN
        without one; :mod:`crisis_sim.ensemble.intervals`). Each share only rises, and
        ends at the outcome's probability in :func:`outcome_table`. ``attrs["runs"]``
        is the number of worlds.
    """
    total = len(worlds)
    found = _event_weeks(worlds, horizon)
    start = np.datetime64(dt.date.fromisoformat(str(start_date)).isoformat(), "D")
    weeks = np.arange(horizon + 1)
    table: dict[str, Any] = {"date": (start + 7 * weeks).astype("datetime64[ns]")}
    outcomes = worlds["outcome"].to_numpy()
    world_weeks = worlds["week"].to_numpy().astype(np.int64)
    index, count = (np.zeros(total, dtype=np.int64), 1) if sets is None else dense_sets(sets)
    m = np.bincount(index, minlength=count).astype(float)
    for key, reached in found.items():
        counts = np.cumsum(np.bincount(reached, minlength=horizon + 1))
        table[key] = counts / total
        mine = outcomes == key
        per_set = np.zeros((count, horizon + 1))
        np.add.at(per_set, (index[mine], world_weeks[mine]), 1.0)
        per_set = np.cumsum(per_set, axis=1)
        low, high = chance_intervals(per_set, m)
        table[f"{key}_low"], table[f"{key}_high"] = low, high
        bands = [] if sets is None else judgement_spreads(per_set, m)
        nan = np.full(horizon + 1, np.nan)
        table[f"{key}_judgement_low"] = np.array([band.low for band in bands]) if bands else nan
        table[f"{key}_judgement_high"] = (
            np.array([band.high for band in bands]) if bands else nan.copy()
        )
    frame = pd.DataFrame(table, index=pd.Index(weeks, name="week"))
    frame.attrs["runs"] = total
    return frame


def week_by(when: int | str | dt.date, horizon: int, start_date: dt.date | str) -> int:
    """The last week whose date is on or before ``when``; a week number is itself.

    Args:
        when: A week number (0..``horizon``), a date, or an ISO date (``"2022-02-24"``).
        horizon: The last week simulated.
        start_date: The date of week 0.

    Raises:
        ValueError: If ``when`` is before week 0 or after the horizon, or is neither a
            week nor a date.
    """
    start = dt.date.fromisoformat(str(start_date))
    end = start + dt.timedelta(weeks=horizon)
    if isinstance(when, bool):
        raise ValueError(f"expected a week number or a date, got {when!r}")
    if isinstance(when, int | np.integer):
        if not 0 <= when <= horizon:
            raise ValueError(
                f"week {when} is outside this result's weeks 0..{horizon} "
                f"({start.isoformat()} to {end.isoformat()})"
            )
        return int(when)
    if isinstance(when, str):
        try:
            when = dt.date.fromisoformat(when.strip())
        except ValueError:
            raise ValueError(
                f"expected a week number or an ISO date such as 2022-02-24, got {when!r}"
            ) from None
    if isinstance(when, pd.Timestamp | np.datetime64):
        when = pd.Timestamp(when).date()
    if isinstance(when, dt.datetime):
        when = when.date()
    if not isinstance(when, dt.date):
        raise ValueError(f"expected a week number or a date, got {when!r}")
    if when < start:
        raise ValueError(
            f"{when.isoformat()} is before the start of this result, {start.isoformat()} (week 0)"
        )
    if when > end:
        raise ValueError(
            f"{when.isoformat()} is after the horizon of this result, week {horizon} "
            f"({end.isoformat()}): run the scenario with a longer horizon to ask about it"
        )
    return (when - start).days // 7


@dataclass(frozen=True)
class Incidence:
    """The share of all worlds that reached one outcome by a week, with its interval.

    ``float(incidence)`` is the probability.
    """

    outcome: str
    """The outcome (one of :data:`EVENT_OUTCOMES`)."""
    week: int
    """The last week counted: outcomes reached in this week or before."""
    date: dt.date
    """The date of that week: the outcomes reached on or before it."""
    worlds: int
    """Worlds that reached the outcome by then."""
    runs: int
    """All worlds."""
    probability: float
    """``worlds / runs``."""
    low: float
    """Lower end of the Monte Carlo 95% interval (chance)."""
    high: float
    """Upper end of the Monte Carlo 95% interval (chance)."""
    judgement_low: float = float("nan")
    """The 5% quantile of the probability across parameter sets (NaN without a band)."""
    judgement_high: float = float("nan")
    """The 95% quantile of the probability across parameter sets (NaN without a band)."""

    def __float__(self) -> float:
        """The probability."""
        return self.probability

    def __str__(self) -> str:
        """One line: the outcome, the date and week, the share and both intervals."""
        judgement = (
            ""
            if math.isnan(self.judgement_low)
            else f", judgement 5-95% {100 * self.judgement_low:.1f} - "
            f"{100 * self.judgement_high:.1f}%"
        )
        return (
            f"{self.outcome} by {self.date.isoformat()} (week {self.week}): "
            f"{100 * self.probability:.1f}% (Monte Carlo 95% {100 * self.low:.1f} - "
            f"{100 * self.high:.1f}%{judgement}), {self.worlds:,} of {self.runs:,} worlds"
        )


def probability_by(
    worlds: pd.DataFrame,
    when: int | str | dt.date,
    outcome: str | Outcome,
    horizon: int,
    start_date: dt.date | str,
    sets: np.ndarray | None = None,
) -> Incidence:
    """The share of all worlds that reached ``outcome`` by ``when``, from the worlds alone.

    Args:
        worlds: A per-world table with ``outcome`` and ``week`` columns.
        when: A week number or a date (see :func:`week_by`).
        outcome: One of :data:`EVENT_OUTCOMES`.
        horizon: The last week simulated.
        start_date: The date of week 0.
        sets: Each world's parameter set, when the scenario draws judgement parameters.

    Raises:
        ValueError: If ``when`` is outside the result's weeks, or ``outcome`` is not an
            event in time.
    """
    event = _event_outcome(outcome)
    week = week_by(when, horizon, start_date)
    _event_weeks(worlds, horizon)
    hit = ((worlds["outcome"] == event.key) & (worlds["week"] <= week)).to_numpy()
    count = int(hit.sum())
    total = len(worlds)
    low, high = chance_interval(hit, sets)
    spread = judgement_spread(hit, sets)
    start = dt.date.fromisoformat(str(start_date))
    return Incidence(
        outcome=event.key,
        week=week,
        date=start + dt.timedelta(weeks=week),
        worlds=count,
        runs=total,
        probability=count / total,
        low=low,
        high=high,
        judgement_low=spread.low,
        judgement_high=spread.high,
    )


INVASION_COLUMNS = (
    "invasion_reason",
    "war_front",
    "war_collapse_week",
    "ceasefire_week",
    "war_clash_week",
    "sanctions",
    "cohesion",
)
"""The per-world columns the tables of full invasions read."""


def _invasions(worlds: pd.DataFrame) -> pd.DataFrame:
    """The worlds whose outcome is a full invasion, after checking the columns."""
    missing = [column for column in ("outcome", "week", *INVASION_COLUMNS) if column not in worlds]
    if missing:
        raise ValueError(
            f"the per-world table lacks {', '.join(missing)}: it was written by an earlier "
            "version of crisis_sim; run the scenario again"
        )
    return worlds[(worlds["outcome"] == Outcome.FULL_INVASION.key).to_numpy()]


def invasion_reasons(worlds: pd.DataFrame) -> pd.DataFrame:
    """Why Russia chose each full invasion: the share of the invasions by reason.

    Args:
        worlds: A per-world table with ``outcome``, ``week`` and ``invasion_reason``.

    Returns:
        One row per reason of :data:`INVASION_REASONS` (best_reply, near_best,
        low_probability): ``worlds``, ``share`` of the full invasions with ``low``,
        ``high`` (95% Wilson interval; NaN if no world invaded), ``probability`` (share
        of all worlds) and ``median_week`` of those invasions (NaN if none).
        ``attrs["invasions"]`` is the number of full invasions.
    """
    invaded = _invasions(worlds)
    count = len(invaded)
    reasons = invaded["invasion_reason"].astype(object).to_numpy()
    weeks = invaded["week"].to_numpy()
    rows = []
    for reason in INVASION_REASONS:
        mask = reasons == reason.key
        hits = int(mask.sum())
        low, high = wilson_interval(hits, count) if count else (np.nan, np.nan)
        rows.append(
            {
                "reason": reason.key,
                "worlds": hits,
                "share": hits / count if count else np.nan,
                "low": float(low),
                "high": float(high),
                "probability": hits / len(worlds),
                "median_week": float(np.median(weeks[mask])) if hits else np.nan,
            }
        )
    table = pd.DataFrame(rows).set_index("reason")
    table.attrs["invasions"] = count
    return table


def invasion_end_state(worlds: pd.DataFrame) -> pd.DataFrame:
    """Where the worlds Russia invaded stand at the horizon: the war and the West.

    Args:
        worlds: A per-world table with ``outcome`` and the columns of
            :data:`INVASION_COLUMNS`.

    Returns:
        One row per measure over the full invasions (the index, ``measure``):
        ``front`` (median share of Ukraine beyond the 2021 line of contact Russia
        holds), ``ceasefire`` (share whose war ended in a ceasefire by the horizon,
        one on Russia's terms after a collapse included), ``early_collapse`` (share in
        which Ukraine's defence collapsed in the first weeks), ``clash_during_war``
        (share with a direct NATO-Russia clash during the war), ``sanctions`` (median
        tier) and ``cohesion`` (median). Columns: ``statistic`` (``share`` or
        ``median``), ``value``, ``low`` and ``high`` (the 95% Wilson interval of a
        share; the quartiles of a median), ``spread`` (which of the two), ``unit``
        and ``title``. Values are NaN if no world invaded; ``attrs["invasions"]`` is
        their number.
    """
    invaded = _invasions(worlds)
    count = len(invaded)
    rows = []

    def share(measure: str, title: str, happened: np.ndarray) -> None:
        hits = int(happened.sum())
        low, high = wilson_interval(hits, count) if count else (np.nan, np.nan)
        rows.append(
            {
                "measure": measure,
                "statistic": "share",
                "value": hits / count if count else np.nan,
                "low": float(low),
                "high": float(high),
                "spread": "95% interval",
                "unit": "share of invasions",
                "title": title,
            }
        )

    def median(measure: str, column: str) -> None:
        values = invaded[column].to_numpy(dtype=float)
        values = values[~np.isnan(values)]
        quartiles = np.quantile(values, [0.25, 0.5, 0.75]) if values.size else [np.nan] * 3
        variable = VARIABLES[column]
        rows.append(
            {
                "measure": measure,
                "statistic": "median",
                "value": float(quartiles[1]),
                "low": float(quartiles[0]),
                "high": float(quartiles[2]),
                "spread": "quartiles",
                "unit": variable.unit,
                "title": variable.title,
            }
        )

    median("front", "war_front")
    share("ceasefire", "war ended in a ceasefire", invaded["ceasefire_week"].to_numpy() >= 0)
    share(
        "early_collapse",
        "Ukraine's defence collapsed early",
        invaded["war_collapse_week"].to_numpy() >= 0,
    )
    share(
        "clash_during_war",
        "NATO-Russia clash during the war",
        invaded["war_clash_week"].to_numpy() >= 0,
    )
    median("sanctions", "sanctions")
    median("cohesion", "cohesion")
    table = pd.DataFrame(rows).set_index("measure")
    table.attrs["invasions"] = count
    return table


DICTIONARY_FILE = "DATA_DICTIONARY.md"
"""The data dictionary each result folder holds (:func:`data_dictionary`)."""


def data_dictionary() -> str:
    """The data dictionary of a result folder, as Markdown (:mod:`.dictionary`)."""
    return dictionary.data_dictionary(VARIABLES, STATE_LABELS, FORMAT_VERSION)


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return table.reset_index().to_dict(orient="records")


def lever_weeks_table(scenario: Scenario, first: int, fired: np.ndarray) -> pd.DataFrame:
    """The per-world table of levers' firing weeks of worlds ``first ..``.

    Args:
        scenario: The scenario (its levers name the columns, :func:`lever_paths`).
        first: The first world's index.
        fired: (levers, R) the week each lever fired in each world, -1 if never
            (:attr:`~crisis_sim.model.crisis.CrisisModel.lever_week`).
    """
    table: dict[str, np.ndarray] = {"replication": np.arange(fired.shape[1]) + first}
    for path, weeks in zip(lever_paths(scenario), fired, strict=True):
        table[path] = np.asarray(weeks, dtype=np.int64)
    return pd.DataFrame(table)


def _open_at(worlds: pd.DataFrame, week: int) -> int:
    """Worlds still in crisis at the start of ``week``: none of a deal, invasion or clash before."""
    events = worlds["outcome"].isin([o.key for o in EVENT_OUTCOMES]).to_numpy()
    return int(np.sum(~(events & (worlds["week"].to_numpy() < week))))


def _flag(path: str, label: str, lever: Any, fired: int, runs: int, open_worlds: int) -> str:
    """The sentence that flags a lever that fired in no world, or unconditionally not in all."""
    name = f"{path} ({label})"
    conditional = is_conditional(lever)
    if fired == 0:
        if conditional:
            return (
                f"{name} fired in no world: its condition never held in a world still in "
                f"crisis {lever_timing(lever)}."
            )
        return f"{name} fired in no world: every world had ended before week {lever.week}."
    if conditional or fired == runs:
        return ""
    closed = runs - open_worlds
    text = f"{name} has no condition but fired in {fired:,} of {runs:,} worlds ({fired / runs:.1%})"
    if closed:
        text += (
            f": {closed:,} had ended (a deal, an invasion or a clash) before week {lever.week}, "
            "and a lever fires only in a world still in crisis"
        )
    missed = open_worlds - fired
    if missed > 0:
        text += f"; {missed:,} still in crisis then did not see it fire"
    return text + "."


def lever_firing(
    scenario: Scenario, lever_weeks: pd.DataFrame, worlds: pd.DataFrame
) -> pd.DataFrame:
    """In how many worlds each lever fired, and the spread of its week.

    Args:
        scenario: The scenario whose levers fired.
        lever_weeks: As :attr:`Results.lever_weeks`.
        worlds: The per-world table (its ``outcome`` and ``week`` tell which worlds had
            ended before a lever's week).

    Returns:
        One row per lever (the index, ``lever``: its key path, ``levers[i]`` or
        ``events[j]``): ``label`` (what it does), ``when`` (its week and condition in
        words), ``conditional``, ``worlds`` (worlds it fired in), ``share`` (of all
        worlds), ``open_worlds`` (worlds still in crisis at the start of its week: a
        lever fires only there), ``min_week``, ``median_week`` and ``max_week`` of its
        firing (NaN if it never fired), and ``flag``: a sentence if it fired in no
        world, or in fewer than all worlds though it has no condition; else "".
    """
    runs = len(worlds)
    rows = []
    for path, lever in zip(lever_paths(scenario), scenario.all_levers(), strict=True):
        weeks = lever_weeks[path].to_numpy()
        weeks = weeks[weeks >= 0]
        fired = int(weeks.size)
        open_worlds = _open_at(worlds, lever.week)
        label = lever.describe()
        rows.append(
            {
                "lever": path,
                "label": label,
                "when": lever_timing(lever),
                "conditional": is_conditional(lever),
                "worlds": fired,
                "share": fired / runs if runs else np.nan,
                "open_worlds": open_worlds,
                "min_week": float(weeks.min()) if fired else np.nan,
                "median_week": float(np.median(weeks)) if fired else np.nan,
                "max_week": float(weeks.max()) if fired else np.nan,
                "flag": _flag(path, label, lever, fired, runs, open_worlds),
            }
        )
    columns = [
        "lever",
        "label",
        "when",
        "conditional",
        "worlds",
        "share",
        "open_worlds",
        "min_week",
        "median_week",
        "max_week",
        "flag",
    ]
    return pd.DataFrame(rows, columns=columns).set_index("lever")


def write_weekly(path: Path, state_counts: np.ndarray, histograms: dict[str, np.ndarray]) -> None:
    """Write week-by-week counts as one long Parquet table: variable, week, bin, count.

    The states are the variable ``state`` (bins in the order of ``STATE_LABELS``).
    """
    frames = []
    for name, counts in {"state": state_counts, **histograms}.items():
        week, bin_index = np.indices(counts.shape)
        frames.append(
            pd.DataFrame(
                {
                    "variable": name,
                    "week": week.ravel(),
                    "bin": bin_index.ravel(),
                    "count": counts.ravel(),
                }
            )
        )
    pd.concat(frames, ignore_index=True).to_parquet(path, index=False)


def read_weekly(path: Path) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Read a table written by :func:`write_weekly`: state counts and histograms."""
    table = pd.read_parquet(path)
    shapes = {"state": len(STATE_LABELS), **{name: bins for name, (_, _, bins) in BINNED.items()}}
    weeks = int(table["week"].max()) + 1
    arrays = {}
    for name, bins in shapes.items():
        part = table[table["variable"] == name]
        counts = np.zeros((weeks, bins), dtype=np.int64)
        counts[part["week"].to_numpy(), part["bin"].to_numpy()] = part["count"].to_numpy()
        arrays[name] = counts
    states = arrays.pop("state")
    return states, arrays


def read_worlds(path: Path) -> pd.DataFrame:
    """Read a per-world table written as Parquet, with its outcome as a category."""
    worlds = pd.read_parquet(path)
    worlds["outcome"] = pd.Categorical(worlds["outcome"], categories=[o.key for o in OUTCOMES])
    if "invasion_reason" in worlds:
        worlds["invasion_reason"] = pd.Categorical(
            worlds["invasion_reason"], categories=[r.key for r in INVASION_REASONS]
        )
    return worlds


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON: equal hashes, equal scenarios."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Results:
    """The result of an ensemble.

    Attributes:
        scenario: The scenario that ran.
        worlds: One row per world: sampled parameters, outcome, week, end state.
        state_counts: (weeks + 1, states) worlds in each state of ``STATE_LABELS``.
        histograms: For each variable of ``BINNED``, (weeks + 1, bins) counts.
        info: Seed, number of worlds, executor, timings, versions.
        trajectories: Week-by-week state of the worlds asked for (long table).
        lever_weeks: One row per world: ``replication`` and, for each lever by its key
            path, the week it fired in that world (-1 if never); None for a result
            saved before levers' firing was recorded.
    """

    scenario: Scenario
    worlds: pd.DataFrame
    state_counts: np.ndarray
    histograms: dict[str, np.ndarray]
    info: dict[str, Any] = field(default_factory=dict)
    trajectories: pd.DataFrame = field(default_factory=pd.DataFrame)
    lever_weeks: pd.DataFrame | None = None

    @property
    def runs(self) -> int:
        """Number of worlds."""
        return len(self.worlds)

    def parameter_sets(self) -> np.ndarray | None:
        """Each world's parameter set, if the scenario draws judgement parameters."""
        if "parameter_set" not in self.worlds or not self.scenario.judgement_paths():
            return None
        return self.worlds["parameter_set"].to_numpy()

    def judgement_summary(self) -> dict[str, Any]:
        """What ``summary.json`` says of the two intervals: sets, parameters, posterior."""
        sets = self.parameter_sets()
        sample = self.scenario.posterior_sample()
        return {
            "intervals": {
                "low, high": "Monte Carlo 95% interval (chance), the sets' clustering allowed for",
                "judgement_low, judgement_high": "5-95% band of the probability across "
                "parameter sets, binomial noise removed (beta fitted by moments)",
                "judgement_observed_low, judgement_observed_high": "5-95% quantiles of the "
                "sets' observed shares, noise included",
            },
            "worlds_per_set": self.scenario.run.worlds_per_set,
            "sets": 0 if sets is None else dense_sets(sets)[1],
            "parameters": self.scenario.judgement_paths(),
            "posterior": None
            if sample is None
            else {
                "reference": self.scenario.posterior,
                "sha256": sample.digest,
                "particles": len(sample.weights),
                "held": self.scenario.held_posterior(),
            },
        }

    def outcome_table(self) -> pd.DataFrame:
        """Probability of each outcome with both intervals and median week.

        See :func:`outcome_table` (the module's): the Monte Carlo 95% interval and the
        5-95% judgement band across parameter sets.
        """
        return outcome_table(self.worlds, self.parameter_sets())

    def cumulative_incidence(self) -> pd.DataFrame:
        """Share of all worlds that reached each event outcome by each week, with dates.

        One row per week 0..horizon; see :func:`cumulative_incidence` (the module's). From
        the per-world table, so a saved result answers it without running again.
        """
        run = self.scenario.run
        frame = cumulative_incidence(
            self.worlds, run.horizon, run.start_date, self.parameter_sets()
        )
        frame.attrs["scenario"] = self.scenario.name
        return frame

    def probability_by(self, when: int | str | dt.date, outcome: str | Outcome) -> Incidence:
        """The share of all worlds that reached ``outcome`` by a date or week.

        ``results.probability_by("2022-02-24", "full_invasion")`` is P(a full invasion
        by 24 February 2022): the worlds whose invasion came in a week dated on or
        before it; ``results.probability_by(20, "de_escalation")`` counts weeks 0..20.

        Args:
            when: A week number (0..horizon), a date, or an ISO date.
            outcome: ``de_escalation``, ``full_invasion`` or ``nato_russia_clash``
                (:data:`EVENT_OUTCOMES`).

        Raises:
            ValueError: If the date is before the start or after the horizon, the week
                outside 0..horizon, or the outcome not an event in time.
        """
        run = self.scenario.run
        return probability_by(
            self.worlds, when, outcome, run.horizon, run.start_date, self.parameter_sets()
        )

    def invasion_reasons(self) -> pd.DataFrame:
        """Why Russia chose each full invasion, by reason; see :func:`invasion_reasons`."""
        return invasion_reasons(self.worlds)

    def invasion_end_state(self) -> pd.DataFrame:
        """The war and the West at the horizon after a full invasion.

        See :func:`invasion_end_state`.
        """
        return invasion_end_state(self.worlds)

    def reduced(self, columns: Sequence[str] = ()) -> Results:
        """The result with only ``columns`` of its per-world table: what a figure reads.

        The scenario, the week-by-week counts and histograms and the info are kept, and
        the worlds' index with ``columns`` alone (none by default), so :attr:`runs` is
        unchanged; the trajectories and the levers' weeks are dropped. Sent to another
        process (a figure helper, :func:`crisis_sim.plots.figure_helper`), the
        week-by-week part costs about as little for a million worlds as for ten
        thousand.

        Raises:
            KeyError: For a column the per-world table does not have.
        """
        return replace(
            self,
            worlds=self.worlds.loc[:, list(columns)],
            trajectories=pd.DataFrame(),
            lever_weeks=None,
        )

    def state_shares(self) -> pd.DataFrame:
        """Share of worlds in each state (outcome reached, or rung), week by week."""
        counts = self.state_counts
        shares = counts / counts.sum(axis=1, keepdims=True)
        return pd.DataFrame(shares, columns=list(STATE_LABELS)).rename_axis("week")

    def weekly_quantiles(
        self, variable: str, quantiles: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
    ) -> pd.DataFrame:
        """Quantiles of a binned variable week by week (to the bin's width).

        Args:
            variable: One of ``BINNED`` (rung, sanctions, posture, support, cohesion,
                resolve_belief).
            quantiles: Probability levels.
        """
        if variable not in BINNED:
            raise KeyError(f"no weekly variable {variable!r}; choose from {', '.join(BINNED)}")
        low, high, bins = BINNED[variable]
        centres = low + (np.arange(bins) + 0.5) * (high - low) / bins
        counts = self.histograms[variable]
        cumulative = np.cumsum(counts, axis=1) / counts.sum(axis=1, keepdims=True)
        table = {
            f"q{round(100 * q):02d}": centres[np.argmax(cumulative >= q - 1e-12, axis=1)]
            for q in quantiles
        }
        return pd.DataFrame(table).rename_axis("week")

    def replay(self, replication: int) -> CrisisModel:
        """Re-run world ``replication`` alone, with its narrated event log.

        The world is rebuilt from the scenario, the seed and the sampling design, so
        its outcome equals row ``replication`` of :attr:`worlds`.

        Raises:
            IndexError: If there is no such world in this result.
        """
        if not 0 <= replication < self.runs:
            raise IndexError(f"no world {replication}: this result has worlds 0..{self.runs - 1}")
        model = CrisisModel.from_scenario(
            self.scenario,
            seed=int(self.info["seed"]),
            first_replication=replication,
            sample_design=self.info.get("sampling", "monte_carlo"),
            event_log=True,
            record_history=True,
        )
        return model.run()

    def summary(self) -> dict[str, Any]:
        """What ``summary.json`` holds."""
        return {
            **self.info,
            "format_version": FORMAT_VERSION,
            "scenario_name": self.scenario.name,
            "title": self.scenario.title,
            "question": self.scenario.question,
            "scenario_hash": scenario_hash(self.scenario),
            "scenario": self.scenario.model_dump(mode="json"),
            "outcomes": self.outcome_table().reset_index().to_dict(orient="records"),
            "judgement": self.judgement_summary(),
            **self._time_summary(),
            "levers": None if self.lever_weeks is None else _records(self.lever_firing()),
        }

    def lever_firing(self) -> pd.DataFrame:
        """In how many worlds each lever fired, and when; see :func:`lever_firing`.

        Raises:
            ValueError: If this result was saved before levers' firing was recorded.
        """
        if self.lever_weeks is None:
            raise ValueError(
                "this result holds no record of when its levers fired (it was saved by an "
                "earlier version of crisis_sim): run the scenario again"
            )
        return lever_firing(self.scenario, self.lever_weeks, self.worlds)

    def _time_summary(self) -> dict[str, Any]:
        """The keys of ``summary.json`` about time and invasions (see the module docstring).

        Left out for a per-world table of an earlier version, which lacks their columns.
        """
        incidence = self.cumulative_incidence().reset_index()
        incidence["date"] = incidence["date"].dt.strftime("%Y-%m-%d")
        summary: dict[str, Any] = {"cumulative_incidence": incidence.to_dict(orient="records")}
        if all(column in self.worlds for column in INVASION_COLUMNS):
            reasons = self.invasion_reasons()
            summary["invasions"] = {
                "worlds": reasons.attrs["invasions"],
                "reasons": reasons.reset_index().to_dict(orient="records"),
                "end_state": self.invasion_end_state().reset_index().to_dict(orient="records"),
            }
        return summary

    def to_xarray(self) -> xarray.Dataset:
        """The result as an xarray Dataset: named dimensions, units and meanings.

        Dimensions ``world`` (the per-world table, one variable per column),
        ``lever`` (``lever_week``: the week each lever fired, -1 if never), ``week``
        with ``state`` (``state_count``) and ``<variable>_bin`` for each binned
        variable (``<variable>_count``, bin centres as coordinates). Each variable's
        ``units`` and ``long_name`` come from the data dictionary; the Dataset's
        attributes hold the scenario (name, title, question, and in full as JSON),
        seed, runs, sampling, horizon, ``format_version`` and the crisis_sim version
        (:mod:`crisis_sim.ensemble.dataset`).

        Raises:
            MissingXarray: If xarray is not installed (``pip install 'crisis-sim[xarray]'``).
        """
        from crisis_sim.ensemble import dataset

        scenario = self.scenario.model_dump(mode="json")
        info = {**self.info, "runs": self.runs, "horizon": self.scenario.run.horizon}
        attrs = dataset.dataset_attrs(info, scenario, FORMAT_VERSION)
        attrs["scenario_hash"] = scenario_hash(self.scenario)
        labels = (
            [lever.describe() for lever in self.scenario.all_levers()]
            if self.lever_weeks is not None
            else []
        )
        return dataset.to_dataset(
            self.worlds,
            self.state_counts,
            self.histograms,
            variables=VARIABLES,
            state_labels=STATE_LABELS,
            start_date=self.scenario.run.start_date.isoformat(),
            lever_weeks=self.lever_weeks,
            lever_labels=labels,
            attrs=attrs,
        )

    def to_netcdf(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write :meth:`to_xarray` as a NetCDF-4 file; return its path.

        The file goes into a folder the package owns, as every output does
        (:mod:`crisis_sim.ensemble.outputs`): a new or empty folder, or one the package
        wrote (a result folder: ``results.save(d); results.to_netcdf(d / "results.nc")``).
        Read it with ``xarray.open_dataset(path)``.

        Args:
            path: The file, named ``*.nc``.
            overwrite: Replace a file of that name the package wrote earlier (a file
                it did not write is never replaced).

        Raises:
            ValueError: If the name does not end in ``.nc``.
            OutputExistsError: If the file exists and ``overwrite`` is False, or the
                folder (or the file) is not the package's.
            MissingXarray: If xarray or h5netcdf is not installed.
        """
        from crisis_sim.ensemble import dataset

        target = Path(path)
        if target.suffix != ".nc":
            raise ValueError(f"{target}: a NetCDF file's name ends in .nc")
        table = self.to_xarray()
        folder = OutputFolder.read(target.parent) if target.parent.is_dir() else None
        if folder is None:
            folder = OutputFolder.claim(target.parent, overwrite=False, kind="netcdf")
        elif os.path.lexists(target) and not overwrite:
            raise OutputExistsError(
                f"{target} already exists; pass overwrite=True to replace the file "
                "crisis_sim wrote there"
            )
        with folder.staging(replace=False) as stage:
            dataset.write_netcdf(table, stage / target.name)
        return target

    def save(self, directory: str | Path, *, overwrite: bool = False) -> Path:
        """Write the result folder (see the module docstring).

        Raises:
            OutputExistsError: If ``directory`` holds files and ``overwrite`` is False, or
                holds files the package did not write.
        """
        folder = OutputFolder.claim(
            directory, overwrite=overwrite, kind="run", plan_hash=self.info.get("plan_hash")
        )
        self.write_into(folder)
        return folder.path

    def write_into(self, folder: OutputFolder) -> None:
        """Write the results into a folder the package owns, through a staging folder."""
        with folder.staging() as stage:
            self.worlds.to_parquet(stage / "worlds.parquet", index=False)
            write_weekly(stage / "weekly.parquet", self.state_counts, self.histograms)
            if len(self.trajectories):
                self.trajectories.to_parquet(stage / "trajectories.parquet", index=False)
            if self.lever_weeks is not None:
                self.lever_weeks.to_parquet(stage / "levers.parquet", index=False)
            (stage / DICTIONARY_FILE).write_text(data_dictionary(), encoding="utf-8")
            text = json.dumps(json_safe(self.summary()), indent=2, allow_nan=False, default=str)
            (stage / "summary.json").write_text(text + "\n", encoding="utf-8")

    @classmethod
    def load(cls, directory: str | Path) -> Results:
        """Read a result folder written by :meth:`save`.

        Raises:
            FileNotFoundError: Naming the missing file, if the folder is incomplete.
            ResultsFolderError: If a file is unreadable, lacks a key, or was written by
                an incompatible version.
        """
        folder = Path(directory)
        for name in ("summary.json", "worlds.parquet", "weekly.parquet"):
            if not (folder / name).is_file():
                raise FileNotFoundError(f"{folder} is not a crisis_sim result folder: no {name}")
        summary_file = folder / "summary.json"
        try:
            summary = json.loads(summary_file.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise ResultsFolderError(f"{summary_file} is not readable JSON: {error}") from None
        if not isinstance(summary, dict):
            raise ResultsFolderError(f"{summary_file} holds no table of results")
        if summary.get("format_version") != FORMAT_VERSION:
            raise ResultsFolderError(
                f"{summary_file} has format_version {summary.get('format_version')!r}; "
                f"this crisis_sim reads version {FORMAT_VERSION}"
            )
        missing = [key for key in REQUIRED_SUMMARY_KEYS if key not in summary]
        if missing:
            raise ResultsFolderError(f"{summary_file} lacks the key(s) {', '.join(missing)}")
        try:
            scenario = scenario_from_dict(summary["scenario"], file=str(summary_file))
        except ScenarioError as error:
            raise ResultsFolderError(
                f"{summary_file} holds a scenario that does not validate: "
                f"{str(error).splitlines()[0]}"
            ) from None
        try:
            worlds = read_worlds(folder / "worlds.parquet")
            state_counts, histograms = read_weekly(folder / "weekly.parquet")
            path = folder / "trajectories.parquet"
            trajectories = pd.read_parquet(path) if path.is_file() else pd.DataFrame()
            path = folder / "levers.parquet"
            lever_weeks = pd.read_parquet(path) if path.is_file() else None
        except (ValueError, KeyError, IndexError, pa.ArrowException) as error:
            raise ResultsFolderError(f"{folder} holds an unreadable table: {error}") from None
        if len(worlds) != summary["runs"]:
            raise ResultsFolderError(
                f"{folder}/worlds.parquet has {len(worlds)} worlds where summary.json says "
                f"{summary['runs']}"
            )
        info_keys = set(summary) - {
            "format_version",
            "scenario_name",
            "title",
            "question",
            "scenario_hash",
            "scenario",
            "outcomes",
            *SUMMARY_TABLE_KEYS,
        }
        info = {key: summary[key] for key in info_keys}
        if lever_weeks is not None and (
            len(lever_weeks) != len(worlds)
            or list(lever_weeks.columns) != ["replication", *lever_paths(scenario)]
        ):
            raise ResultsFolderError(
                f"{folder}/levers.parquet does not hold one row per world and one column per "
                "lever of the scenario in summary.json"
            )
        return cls(scenario, worlds, state_counts, histograms, info, trajectories, lever_weeks)
