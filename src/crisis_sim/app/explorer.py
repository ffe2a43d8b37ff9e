"""The ensemble explorer's state: controls built from a scenario, the scenario they make, runs.

:func:`controls_for` reads a scenario and offers, as :class:`crisis_sim.panel.Panel`
does for the baseline, its levers and its judgement parameters:

- each lever the scenario pulls (on, with its level and week), and the levers the
  panel adds to any scenario that lacks them: the West's offers on each issue in
  week 1 and the U.S. concession on exercises in week 2 (off);
- each judgement parameter (the posterior's and the uncertain ones), drawn from
  its range as in the scenario unless "fix" is ticked, with a slider over its range.

A :class:`Settings` is every choice at once; it is hashable and keys the cache of
runs, so returning to a setting is instant. :func:`run` runs the edited scenario and
its reference (the scenario it ``extends``, else the scenario as written) on the same
seed and number of worlds, so the paired difference
(:func:`crisis_sim.analysis.statistics.compare_scenarios`) is on common random numbers.
Everything runs through the package's one runner.
"""

from __future__ import annotations

import functools
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crisis_sim.analysis.statistics import CHANCE_LABEL, JUDGEMENT_LABEL, compare_scenarios
from crisis_sim.ensemble import runner as ensemble
from crisis_sim.ensemble.results import Results
from crisis_sim.model.domain import ISSUES, OUTCOMES
from crisis_sim.model.levers import LEVEL_BOUNDS, Lever, LeverActor, LeverKind
from crisis_sim.scenario.files import (
    bundled_scenarios,
    load_scenario,
    parent_of,
    scenario_from_dict,
)
from crisis_sim.scenario.schema import Scenario

__all__ = [
    "CACHE_SIZE",
    "WORLD_CHOICES",
    "Controls",
    "ExplorerRun",
    "JudgementControl",
    "LeverControl",
    "Settings",
    "cached_run",
    "comparison_html",
    "controls_for",
    "controls_of",
    "outcome_html",
    "reference_for",
    "run",
    "scenario_for",
    "source_names",
]

WORLD_CHOICES: tuple[int, ...] = (500, 1000, 2000, 5000, 10_000, 20_000)
"""Numbers of worlds the explorer offers (2,000 by default: about a second a run here)."""

DEFAULT_WORLDS = 2000
"""The explorer's default number of worlds per scenario."""

CACHE_SIZE = 24
"""Runs kept in memory (each holds two ensembles' per-world tables)."""

OFFER_WEEK = 1
"""The week of the offers the explorer adds (as the panel's)."""

CONCESSION_WEEK = 2
"""The week of the U.S. concession on exercises the explorer adds (as the panel's)."""


@dataclass(frozen=True)
class LeverControl:
    """One lever the explorer can pull.

    Attributes:
        key: ``lever_<i>`` for the scenario's i-th lever, ``add_<what>`` for an added one.
        label: What the checkbox says.
        lever: The lever as the scenario (or the panel) has it.
        on: Whether it is pulled by default (the scenario's own levers are).
        level_range: (low, high) of its level; equal when it is all or nothing.
    """

    key: str
    label: str
    lever: Lever
    on: bool
    level_range: tuple[float, float]


@dataclass(frozen=True)
class JudgementControl:
    """One judgement parameter the explorer can fix.

    Attributes:
        path: Its dotted path (``russia.revisionist_prior``).
        low, high: The range it is drawn from (the posterior's 5-95%, for a
            posterior's parameter).
        median: Its median there: the slider's starting value.
        from_posterior: Whether the scenario draws it from a calibrated posterior.
    """

    path: str
    low: float
    high: float
    median: float
    from_posterior: bool

    @property
    def step(self) -> float:
        """The slider's step: a 40th of the range."""
        return (self.high - self.low) / 40

    def snap(self, value: float) -> float:
        """``value`` on the slider's grid of steps from ``low`` (as the slider shows it)."""
        steps = round((value - self.low) / self.step)
        return round(min(self.high, self.low + steps * self.step), 6)


@dataclass(frozen=True)
class Controls:
    """Every control of one scenario: its levers and its judgement parameters."""

    scenario: Scenario
    levers: tuple[LeverControl, ...]
    judgements: tuple[JudgementControl, ...]

    def default_settings(self, source: str, worlds: int = DEFAULT_WORLDS) -> Settings:
        """The settings that give the scenario as written."""
        return Settings(
            scenario=source,
            levers=tuple(
                (control.key, control.on, float(control.lever.level), int(control.lever.week))
                for control in self.levers
            ),
            judgements=tuple(
                (control.path, False, control.snap(control.median)) for control in self.judgements
            ),
            worlds=int(worlds),
            seed=int(self.scenario.run.seed),
        )


@dataclass(frozen=True)
class Settings:
    """Every choice of the explorer at once; hashable, so it keys the cache of runs.

    Attributes:
        scenario: The scenario as the user named it (bundled name or file).
        levers: (key, on, level, week) for each lever control, in the controls' order.
        judgements: (path, fixed, value) for each judgement control.
        worlds: Worlds per scenario.
        seed: The common seed of the scenario and its reference.
    """

    scenario: str
    levers: tuple[tuple[str, bool, float, int], ...] = ()
    judgements: tuple[tuple[str, bool, float], ...] = ()
    worlds: int = DEFAULT_WORLDS
    seed: int = 0

    def with_lever(
        self,
        key: str,
        *,
        on: bool | None = None,
        level: float | None = None,
        week: int | None = None,
    ) -> Settings:
        """These settings with lever ``key`` changed."""
        rows = []
        for row in self.levers:
            if row[0] == key:
                row = (
                    key,
                    row[1] if on is None else bool(on),
                    row[2] if level is None else round(float(level), 6),
                    row[3] if week is None else int(week),
                )
            rows.append(row)
        return replace(self, levers=tuple(rows))

    def with_judgement(
        self, path: str, *, fixed: bool | None = None, value: float | None = None
    ) -> Settings:
        """These settings with judgement ``path`` changed."""
        rows = []
        for row in self.judgements:
            if row[0] == path:
                row = (
                    path,
                    row[1] if fixed is None else bool(fixed),
                    row[2] if value is None else round(float(value), 6),
                )
            rows.append(row)
        return replace(self, judgements=tuple(rows))

    def fixed(self) -> dict[str, float]:
        """The judgement parameters fixed, with their values."""
        return {path: value for path, fixed, value in self.judgements if fixed}


def _range(lever: Lever) -> tuple[float, float]:
    return LEVEL_BOUNDS[lever.kind]


def _added_levers(scenario: Scenario) -> list[LeverControl]:
    """The panel's levers (offers in week 1, the U.S. concession on exercises in week 2)."""
    pulled = {(lever.actor.value, lever.kind.value, lever.issue) for lever in scenario.levers}
    added = []
    for issue in ISSUES:
        lever = Lever(
            actor=LeverActor.WEST, kind=LeverKind.OFFER, issue=issue, level=1.0, week=OFFER_WEEK
        )
        if ("west", "offer", issue) not in pulled:
            label = f"add: the West offers {issue.key.replace('_', ' ')} (week {OFFER_WEEK})"
            added.append(LeverControl(f"add_offer_{issue.key}", label, lever, False, (0.0, 1.0)))
    exercises = next(issue for issue in ISSUES if issue.key == "exercises")
    if ("united_states", "concede", exercises) not in pulled:
        lever = Lever(
            actor=LeverActor.UNITED_STATES,
            kind=LeverKind.CONCEDE,
            issue=exercises,
            level=1.0,
            week=CONCESSION_WEEK,
        )
        label = f"add: the U.S. concedes limits on exercises (week {CONCESSION_WEEK})"
        added.append(LeverControl("add_concede_exercises", label, lever, False, (0.0, 1.0)))
    return added


def controls_for(scenario: Scenario) -> Controls:
    """The levers and judgement parameters the explorer offers for ``scenario``."""
    own = [
        LeverControl(f"lever_{index}", lever.describe(), lever, True, _range(lever))
        for index, lever in enumerate(scenario.levers)
    ]
    judgements = []
    sample = scenario.posterior_sample()
    if sample is not None:
        quantiles = sample.quantiles((0.05, 0.5, 0.95))
        held = scenario.held_posterior()
        for path in (path for path in sample.paths if path not in held):
            low, median, high = (float(q) for q in quantiles[path])
            judgements.append(JudgementControl(path, low, max(high, low + 1e-9), median, True))
    for dist in scenario.uncertain:
        low, high = (float(v) for v in dist.support())
        median = float(dist.quantile(np.array([0.5]))[0])
        judgements.append(JudgementControl(dist.param, low, high, median, False))
    return Controls(scenario, (*own, *_added_levers(scenario)), tuple(judgements))


@functools.lru_cache(maxsize=32)
def controls_of(source: str) -> Controls:
    """The controls of the scenario named or filed as ``source`` (kept once built)."""
    return controls_for(load_scenario(source))


def _with_judgements(scenario: Scenario, fixed: dict[str, float]) -> dict[str, Any]:
    """The scenario's data with the ``fixed`` judgement parameters fixed at their values.

    The posterior stays: a posterior's parameter is fixed by a ``fixed`` entry in
    ``uncertain``, which holds that coordinate of every set's posterior row while the
    rows and the other coordinates are drawn as without it
    (:meth:`~crisis_sim.scenario.schema.Scenario.held_posterior`; judgement: an
    intervention on the coordinate, not conditioning on it). So the paired comparison
    against the scenario as written isolates the fixed value.
    """
    return scenario.data_with_fixed(fixed)


def _lever_data(control: LeverControl, level: float, week: int) -> dict[str, Any]:
    data = control.lever.model_dump(mode="json", exclude_defaults=True)
    data.update(actor=control.lever.actor.value, kind=control.lever.kind.value)
    data["level"] = float(level)
    data["week"] = int(week)
    return data


def scenario_for(settings: Settings, controls: Controls | None = None) -> Scenario:
    """The scenario the settings make: its levers as chosen, its judgements as fixed.

    Named ``<scenario>_edited`` unless the settings give the scenario as written.
    """
    controls = controls or controls_of(settings.scenario)
    scenario = controls.scenario
    by_key = {control.key: control for control in controls.levers}
    data = _with_judgements(scenario, settings.fixed())
    data["levers"] = [
        _lever_data(by_key[key], level, week) for key, on, level, week in settings.levers if on
    ]
    name = scenario.name or "scenario"
    edited = settings.levers != controls.default_settings(settings.scenario).levers or bool(
        settings.fixed()
    )
    data["name"] = f"{name}_edited" if edited else name
    return scenario_from_dict(data)


def reference_for(settings: Settings, controls: Controls | None = None) -> Scenario | None:
    """What the settings are compared against.

    The scenario the settings' scenario extends, if it extends one, with the same
    judgement parameters fixed as in the settings (those it has), so that the
    difference is what the scenario's levers do at those judgements. Else the
    scenario as written, so that the difference is what the settings change; None
    when the settings give the scenario as written (nothing to compare).
    """
    controls = controls or controls_of(settings.scenario)
    parent = parent_of(settings.scenario)
    if parent is None:
        if scenario_for(settings, controls).name == controls.scenario.name:
            return None
        return controls.scenario
    base = parent[1]
    fixed = {
        path: value for path, value in settings.fixed().items() if path in base.judgement_paths()
    }
    data = _with_judgements(base, fixed)
    data["name"] = base.name or "reference"
    return scenario_from_dict(data)


@dataclass
class ExplorerRun:
    """One run of the explorer: the edited scenario's results and the paired comparison.

    Attributes:
        settings: What was run.
        results: The edited scenario's ensemble.
        reference: The reference's ensemble (None if there is nothing to compare).
        comparison: The paired comparison table (empty if no reference).
        seconds: Wall time of the run.
    """

    settings: Settings
    results: Results
    reference: Results | None
    comparison: pd.DataFrame = field(default_factory=pd.DataFrame)
    seconds: float = 0.0


_CACHE: OrderedDict[Settings, ExplorerRun] = OrderedDict()


def cached_run(settings: Settings) -> ExplorerRun | None:
    """The run of ``settings`` if it is in the cache (and mark it recently used)."""
    found = _CACHE.get(settings)
    if found is not None:
        _CACHE.move_to_end(settings)
    return found


def run(
    settings: Settings,
    *,
    controls: Controls | None = None,
    progress: Callable[[float], None] | None = None,
) -> ExplorerRun:
    """Run the settings' scenario and its reference on the same seed; cached by settings.

    Args:
        settings: What to run.
        controls: The scenario's controls (built from the scenario if None).
        progress: Called with the share of worlds done (0-1) after each chunk.
    """
    found = cached_run(settings)
    if found is not None:
        return found
    started = time.perf_counter()
    controls = controls or controls_of(settings.scenario)
    scenario = scenario_for(settings, controls)
    reference = reference_for(settings, controls)
    total = settings.worlds * (1 if reference is None else 2)
    done = [0]

    def on_chunk(chunk: Any) -> None:
        done[0] += len(chunk.worlds)
        if progress is not None:
            progress(min(1.0, done[0] / total))

    options: dict[str, Any] = {
        "progress": False,
        "on_chunk": on_chunk,
        "chunk_size": max(250, settings.worlds // 8),
    }
    if reference is None:
        results = ensemble.run(scenario, runs=settings.worlds, seed=settings.seed, **options)
        outcome = ExplorerRun(settings, results, None)
    else:
        both, table = compare_scenarios(
            [reference, scenario],
            reference=0,
            runs=settings.worlds,
            seed=settings.seed,
            **options,
        )
        outcome = ExplorerRun(settings, both[1], both[0], table)
    outcome.seconds = time.perf_counter() - started
    _CACHE[settings] = outcome
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return outcome


def source_names(extra: str | Path | None = None) -> list[str]:
    """The scenarios the explorer and the one-world view offer: the bundled ones, and ``extra``."""
    names = [path.stem for path in bundled_scenarios()]
    if extra is not None and str(extra) not in names:
        names.insert(0, str(extra))
    return names


def _percent(value: float) -> str:
    return "-" if np.isnan(value) else f"{100 * value:.1f}%"


def outcome_html(table: pd.DataFrame) -> str:
    """An outcome table (``Results.outcome_table``) as HTML, with both intervals."""
    rows = []
    for outcome in OUTCOMES:
        row = table.loc[outcome.key]
        low, high = row.get("judgement_low", np.nan), row.get("judgement_high", np.nan)
        judged = "-" if np.isnan(low) else f"{_percent(low)} - {_percent(high)}"
        rows.append(
            f"<tr><td>{outcome.label}</td><td>{_percent(row['probability'])}</td>"
            f"<td>{_percent(row['low'])} - {_percent(row['high'])}</td><td>{judged}</td></tr>"
        )
    return (
        f"<table><tr><th>outcome</th><th>probability</th><th>{CHANCE_LABEL}</th>"
        f"<th>{JUDGEMENT_LABEL}</th></tr>{''.join(rows)}</table>"
    )


def comparison_html(table: pd.DataFrame) -> str:
    """A paired comparison (``paired_comparison``) as HTML, in percentage points."""
    rows = []
    for row in table.itertuples():
        judged = (
            "-"
            if np.isnan(row.judgement_low)
            else f"{100 * row.judgement_low:+.1f} to {100 * row.judgement_high:+.1f}"
        )
        rows.append(
            f"<tr><td>{row.outcome.replace('_', ' ')}</td><td>{_percent(row.p_reference)}</td>"
            f"<td>{_percent(row.p_scenario)}</td><td>{100 * row.difference:+.1f}</td>"
            f"<td>{100 * row.low:+.1f} to {100 * row.high:+.1f}</td><td>{judged}</td></tr>"
        )
    reference = escape(str(table.attrs.get("reference", "the reference")))
    return (
        f"<p>Against <b>{reference}</b>, {table.attrs.get('runs', 0):,} paired worlds (the "
        "same seed: common random numbers), in percentage points:</p>"
        "<table><tr><th>outcome</th><th>reference</th><th>edited</th><th>difference</th>"
        f"<th>Monte Carlo 95%</th><th>{JUDGEMENT_LABEL}</th></tr>{''.join(rows)}</table>"
    )
