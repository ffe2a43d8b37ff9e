"""The model as EMA Workbench sees it: uncertainties, levers, outcomes and models.

EMA Workbench (Kwakkel 2017) drives a model through *experiments*: a scenario (values
of the uncertainties) and a policy (values of the levers). Here

- the **uncertainties** are a scenario's judgement parameters (:func:`uncertainties`):
  its uncertain parameters and, with a calibrated posterior, the posterior's as
  independent ranges (:meth:`~crisis_sim.scenario.schema.Scenario.with_posterior_as_ranges`),
  each over its support (the exploratory convention: every value we cannot rule out
  equally) or by its own distribution;
- the **levers** come from lever templates (:class:`LeverTemplate`): a lever of the
  package (actor, kind, issue) whose level, week and being pulled at all are EMA
  levers;
- the **outcomes** of an experiment are read from its worlds (:func:`world_outcomes`):
  each outcome's probability, the probability of any war and of a settlement, the
  median week of each event, and the share of worlds at war or settled by each week.

EMA needs Python identifiers as names: a parameter's dotted path becomes an
identifier with :data:`SEPARATOR` (``russia.resolve`` is ``russia__resolve``).

Two kinds of experiment, each a :class:`CrisisSimModel` that any EMA evaluator runs:

- :class:`ExperimentAdapter` (:func:`experiment_model`): an EMA scenario is one
  parameter set, run on ``worlds`` worlds. The worlds are fixed by the scenario's name:
  scenario ``j`` (EMA names sampled scenarios 0, 1, 2, ... in the order sampled) runs
  worlds ``j * worlds`` to ``j * worlds + worlds - 1`` of the scenario's seed, whatever
  the policy (common random numbers: every policy meets the same worlds), and whether
  it runs alone or in a batch (:class:`~crisis_sim.ema.evaluator.BatchedEvaluator`).
  A name that is not a whole number is hashed to a block of its own.
- :class:`PolicyAdapter` (:func:`policy_model`): an experiment is one policy run over
  the scenario's own first ``sets`` parameter sets, drawn exactly as ``crisis-sim run``
  draws them (posterior rows with their correlations, and the uncertain parameters),
  which gives robustness measures across them; this is what the robust search
  optimises (:mod:`crisis_sim.ema.search`).
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

with warnings.catch_warnings():  # EMA warns about optional extras it does not find
    warnings.simplefilter("ignore")
    from ema_workbench import (
        ArrayOutcome,
        CategoricalParameter,
        IntegerParameter,
        Model,
        RealParameter,
        ScalarOutcome,
    )
    from ema_workbench.em_framework.parameters import Parameter
    from ema_workbench.em_framework.points import Sample
    from ema_workbench.em_framework.samplers import AbstractSampler, LHSSampler
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from scipy import stats

from crisis_sim.analysis.robustness import HIGH_PERCENTILE, LOW_PERCENTILE
from crisis_sim.ensemble import runner
from crisis_sim.model.domain import OUTCOMES
from crisis_sim.model.levers import HIGHEST_LEVEL_KINDS, Lever
from crisis_sim.model.params import parameter_paths
from crisis_sim.problems import FieldProblems, PlainText, Problem
from crisis_sim.scenario.errors import problems_from
from crisis_sim.scenario.schema import (
    Beta,
    Choice,
    Fixed,
    Scenario,
    Triangular,
    Uniform,
    cross_problems,
)

__all__ = [
    "HELD_OUT",
    "SEPARATOR",
    "SETTLEMENT_OUTCOMES",
    "WAR_OUTCOMES",
    "CrisisSimModel",
    "ExperimentAdapter",
    "LeverTemplate",
    "PolicyAdapter",
    "experiment_model",
    "identifier",
    "parameter_path",
    "policy_model",
    "scenario_design",
    "template_problems",
    "uncertainties",
    "world_block",
    "world_outcomes",
]

SEPARATOR = "__"
"""What stands for the dots of a parameter's path in an EMA name."""

WAR_OUTCOMES: tuple[str, ...] = ("limited_incursion", "full_invasion", "nato_russia_clash")
"""The outcomes counted as war (judgement: an armed incursion is war; without it,
P(any war) drops by P(limited incursion), 0.4% in the baseline)."""

SETTLEMENT_OUTCOMES: tuple[str, ...] = ("de_escalation",)
"""The outcomes counted as a settlement."""

EVENT_OUTCOMES: tuple[str, ...] = ("de_escalation", "full_invasion", "nato_russia_clash")
"""The outcomes that come in a week (the others are states at the horizon)."""

_PATHS = {path.replace(".", SEPARATOR): path for path in parameter_paths()}
assert len(_PATHS) == len(parameter_paths()), "two parameter paths map to one EMA name"

_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")

_HASHED_BLOCKS = 2**40
"""Blocks for scenario names that are not whole numbers start here (above any design)."""


def identifier(path: str) -> str:
    """The EMA name of a parameter path: ``russia.resolve`` becomes ``russia__resolve``."""
    return path.replace(".", SEPARATOR)


def parameter_path(name: str) -> str:
    """The parameter path of an EMA name made by :func:`identifier`.

    Raises:
        KeyError: If ``name`` names no model parameter.
    """
    if name not in _PATHS:
        raise KeyError(f"{name!r} is the EMA name of no model parameter")
    return _PATHS[name]


def world_block(name: object) -> int:
    """The block of worlds an EMA scenario of this name runs (block ``j``: worlds ``j*w ..``).

    A whole number ``j >= 0`` (or its digits) is block ``j``; any other name is
    hashed (SHA-256) to a block from ``2**40`` on, of its own.
    """
    if isinstance(name, int | np.integer) and not isinstance(name, bool) and name >= 0:
        return int(name)
    text = str(name)
    if text.isdigit() and text.isascii():
        return int(text)
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return _HASHED_BLOCKS + int.from_bytes(digest[:5], "little")


# -- uncertainties -------------------------------------------------------------------


Sampling = Literal["support", "distribution"]
"""How an uncertainty is given to EMA: uniform over its support, or by its distribution."""


def _as_distribution(dist: Any, name: str) -> Parameter:
    """An EMA parameter sampled by the package distribution's own law."""
    if isinstance(dist, Uniform):
        return RealParameter(name, dist.low, dist.high)
    if isinstance(dist, Triangular):
        width = dist.high - dist.low
        law = stats.triang((dist.mode - dist.low) / width, loc=dist.low, scale=width)
        return RealParameter.from_dist(name, law)
    if isinstance(dist, Beta):
        law = stats.beta(dist.alpha, dist.beta, loc=dist.low, scale=dist.high - dist.low)
        return RealParameter.from_dist(name, law)
    if isinstance(dist, Choice) and dist.weights is None:
        return CategoricalParameter(name, sorted(set(dist.values)))
    raise ValueError(
        f"{dist.param}: EMA has no parameter with its {dist.distribution} distribution "
        "(a clipped normal, or a weighted choice); use sampling='support'"
    )


def uncertainties(scenario: Scenario, sampling: Sampling = "support") -> list[Parameter]:
    """EMA uncertainties for a scenario's judgement parameters.

    A posterior's parameters range over their 5-95% quantiles, independently
    (:meth:`~crisis_sim.scenario.schema.Scenario.with_posterior_as_ranges`). A fixed
    distribution is no uncertainty (its value is filled in); a choice becomes a
    categorical parameter.

    Args:
        scenario: The scenario.
        sampling: ``support``, each uniform over its support (a choice: its values
            equally); or ``distribution``, each by its own law (uniform, triangular,
            beta, unweighted choice).

    Raises:
        ValueError: For ``distribution`` with a clipped normal or a weighted choice.
    """
    found: list[Parameter] = []
    for dist in scenario.with_posterior_as_ranges().uncertain:
        name = identifier(dist.param)
        if isinstance(dist, Fixed):
            continue
        if sampling == "distribution":
            found.append(_as_distribution(dist, name))
        elif isinstance(dist, Choice):
            found.append(CategoricalParameter(name, sorted(set(dist.values))))
        else:
            low, high = dist.support()
            found.append(RealParameter(name, float(low), float(high)))
    return found


def _judgement_values(
    scenario: Scenario, scenarios: Sequence[Mapping[str, Any]]
) -> dict[str, np.ndarray]:
    """Each uncertain parameter's value in each EMA scenario, by path, within its support.

    A fixed parameter takes its value; one an EMA scenario leaves out, its median.
    """
    values: dict[str, np.ndarray] = {}
    for dist in scenario.with_posterior_as_ranges().uncertain:
        name = identifier(dist.param)
        low, high = dist.support()
        if isinstance(dist, Fixed):
            column = np.full(len(scenarios), dist.value)
        else:
            middle = float(dist.quantile(np.array([0.5]))[0])
            column = np.array([float(s.get(name, middle)) for s in scenarios])
        values[dist.param] = np.clip(column, low, high)
    return values


def scenario_design(
    parameters: Sequence[Parameter],
    size: int,
    *,
    sampler: AbstractSampler | None = None,
    rng: Any = None,
    **kwargs: Any,
) -> list[Sample]:
    """EMA scenarios over ``parameters``, named 0..n-1 in the order sampled.

    An :class:`ExperimentAdapter` scenario named ``j`` runs world block ``j``. EMA's
    samplers name their samples from a counter that runs on through a Python session
    (the second design of a session starts where the first stopped), so the worlds a
    design meets would depend on what ran before it; named here, they do not.

    Args:
        parameters: The uncertainties (``model.uncertainties``).
        size: Scenarios to sample (for Sobol, Morris and FAST: EMA's base size).
        sampler: An EMA sampler (default: Latin hypercube).
        rng: The sampler's seed.
        kwargs: Passed to the sampler's ``generate_samples``.
    """
    chosen = LHSSampler() if sampler is None else sampler
    samples = chosen.generate_samples(list(parameters), size, rng=rng, **kwargs)
    return [Sample(j, **dict(sample.items())) for j, sample in enumerate(samples)]


# -- levers ----------------------------------------------------------------------------


class LeverTemplate(BaseModel):
    """A lever of the package whose level, week and being pulled are EMA levers.

    ``level`` and ``week`` are each a value (fixed) or ``[low, high]`` (searched); with
    ``switch`` (the default) whether the lever is pulled at all is searched too. The
    other keys are those of a ``[[levers]]`` entry (``crisis-sim levers``).

    Attributes:
        name: The template's name, a lower-case identifier; its EMA levers are
            ``NAME_on``, ``NAME_level`` and ``NAME_week``. By default
            ``actor_kind[_issue][_ally]``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = ""
    actor: str
    kind: str
    issue: str | None = None
    level: float | tuple[float, float]
    week: int | tuple[int, int] = 0
    switch: bool = True
    when_rung_at_least: str | None = None
    when_talking: bool = False
    bypass_ukraine_consent: bool = False
    ally: str | None = None
    issues: tuple[str, ...] = ()
    deadline: int | None = Field(default=None, ge=1)
    country: PlainText = ""
    label: PlainText = ""

    @field_validator("name")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if value and not _NAME.fullmatch(value):
            raise ValueError(
                "a name of at most 40 lower-case letters, digits and '_' that starts with a letter"
            )
        return value

    @model_validator(mode="after")
    def _check(self) -> LeverTemplate:
        problems = []
        for key, value in (("level", self.level), ("week", self.week)):
            if isinstance(value, tuple) and not value[0] < value[1]:
                problems.append(Problem(key, list(value), "[low, high] with low below high"))
        if not problems:
            for end in (0, 1):
                problems += self._lever_problems(end)
        if problems:
            raise FieldProblems(problems)
        if not self.name:
            parts = [self.actor, self.kind, self.issue or "", (self.ally or "").lower()]
            object.__setattr__(self, "name", "_".join(part for part in parts if part))
        return self

    def _lever_problems(self, end: int) -> list[Problem]:
        """Problems of the lever at the low (0) or high (1) end of the ranges.

        A problem with a searched level or week shows the whole range.
        """
        data = self._lever_data(self._end(self.level, end), int(self._end(self.week, end)))
        try:
            Lever.model_validate(data)
        except ValidationError as error:
            problems = []
            for problem in problems_from(error, data, root=Lever):
                value = (
                    getattr(self, problem.path, None) if problem.path in ("level", "week") else None
                )
                shown = list(value) if isinstance(value, tuple) else problem.value
                problems.append(Problem(problem.path, shown, problem.expected))
            return problems
        return []

    @staticmethod
    def _end(value: float | tuple[float, float], end: int) -> float:
        return value[end] if isinstance(value, tuple) else value

    def _lever_data(self, level: float, week: int) -> dict[str, Any]:
        data: dict[str, Any] = {
            "actor": self.actor,
            "kind": self.kind,
            "level": float(level),
            "week": int(week),
        }
        optional = {
            "issue": self.issue,
            "when_rung_at_least": self.when_rung_at_least,
            "ally": self.ally,
            "deadline": self.deadline,
        }
        data.update({key: value for key, value in optional.items() if value is not None})
        for key in ("when_talking", "bypass_ukraine_consent"):
            if getattr(self, key):
                data[key] = True
        if self.issues:
            data["issues"] = list(self.issues)
        for key in ("country", "label"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data

    @property
    def highest_week(self) -> int:
        """The latest week the lever may fire."""
        return int(self._end(self.week, 1))

    def levers(self) -> list[Parameter]:
        """The template's EMA levers (on/off as an integer 0-1: platypus cannot search booleans)."""
        found: list[Parameter] = []
        if self.switch:
            found.append(IntegerParameter(f"{self.name}_on", 0, 1))
        if isinstance(self.level, tuple):
            found.append(RealParameter(f"{self.name}_level", *map(float, self.level)))
        if isinstance(self.week, tuple):
            found.append(IntegerParameter(f"{self.name}_week", *map(int, self.week)))
        return found

    def entry(self, policy: Mapping[str, Any]) -> dict[str, Any] | None:
        """The ``[[levers]]`` entry a policy pulls (None if switched off), as TOML data.

        A level or week the policy leaves out is the middle of its range (rounded down).
        """
        if self.switch and int(policy.get(f"{self.name}_on", 1)) == 0:
            return None
        level, week = self.level, self.week
        if isinstance(level, tuple):
            level = float(policy.get(f"{self.name}_level", sum(level) / 2))
            level = min(max(level, self.level[0]), self.level[1])  # type: ignore[index]
        if isinstance(week, tuple):
            week = round(float(policy.get(f"{self.name}_week", sum(week) // 2)))
            week = min(max(week, self.week[0]), self.week[1])  # type: ignore[index]
        data = self._lever_data(float(level), int(week))
        data.setdefault("label", f"{self.name} (searched)")
        return data

    def lever(self, policy: Mapping[str, Any]) -> Lever | None:
        """The lever a policy pulls, or None if it switches it off."""
        entry = self.entry(policy)
        return None if entry is None else Lever.model_validate(entry)


def lever_parameters(templates: Sequence[LeverTemplate]) -> list[Parameter]:
    """Every template's EMA levers, in order.

    Raises:
        ValueError: If two templates share a name.
    """
    names = [template.name for template in templates]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError(f"two lever templates are named {', '.join(twice)}: give each a name")
    return [parameter for template in templates for parameter in template.levers()]


def _weeks(template: LeverTemplate) -> tuple[int, int]:
    """The first and last week a template's lever may fire."""
    return int(template._end(template.week, 0)), template.highest_week


def _collision_key(lever: Lever) -> tuple[Any, ...] | None:
    """What two levers share when the scenario refuses them at two levels in one week.

    The scenario format's rule (:func:`~crisis_sim.scenario.schema.cross_problems`):
    one actor (and ally), kind, issue and condition, of a kind whose highest level
    counts; None for the other kinds, which may fire twice.
    """
    if lever.kind not in HIGHEST_LEVEL_KINDS:
        return None
    return (
        lever.actor,
        lever.ally,
        lever.kind,
        lever.issue,
        lever.when_rung_at_least,
        lever.when_talking,
    )


def _described(lever: Lever) -> str:
    issue = f" {lever.issue.key}" if lever.issue is not None else ""
    what = f"{lever.actor.value} {lever.kind.value}{issue}"
    return f"{what} in week {lever.week} at level {lever.level:g}"


def template_problems(scenario: Scenario, templates: Sequence[LeverTemplate]) -> list[Problem]:
    """What would make a policy's scenario file one that ``crisis-sim run`` refuses.

    Every policy of the templates must make a valid scenario file (the scenario's own
    levers, then the policy's), so a template is refused up front (paths
    ``levers[i]...``, ``i`` the template's index) if some policy could break a rule of
    the scenario format (:func:`~crisis_sim.scenario.schema.cross_problems`):

    - it has the actor, kind, issue and condition of one of the scenario's own levers,
      whose week lies in the template's weeks, and a level that may differ from that
      lever's: the file would pull one lever to two levels in one week (judgement: the
      search refuses it rather than replacing the scenario's lever, which would change
      what "the scenario as it is" means for the policies);
    - two templates are such a pair, with overlapping weeks;
    - at the ends of its ranges it breaks a rule of a single lever (an ultimatum's
      deadline past the horizon, waiting for talks at a rung where Russia never talks,
      a week past the horizon).
    """
    problems: list[Problem] = []
    horizon = scenario.run.horizon
    middle = [template.lever({}) for template in templates]  # every template pulled
    for index, template in enumerate(templates):
        seen: set[str] = set()
        for level_end in (0, 1):
            for week_end in (0, 1):
                entry = template._lever_data(
                    template._end(template.level, level_end),
                    int(template._end(template.week, week_end)),
                )
                for problem in cross_problems({"run": {"horizon": horizon}, "levers": [entry]}):
                    path = problem.path.replace("levers[0]", f"levers[{index}]", 1)
                    if path not in seen:
                        seen.add(path)
                        problems.append(Problem(path, problem.value, problem.expected))
        own_middle = middle[index]
        key = _collision_key(own_middle) if own_middle is not None else None
        if key is None:
            continue
        first, last = _weeks(template)
        fixed = None if isinstance(template.level, tuple) else float(template.level)
        for own, lever in enumerate(scenario.levers):
            if _collision_key(lever) != key or not first <= lever.week <= last:
                continue
            if fixed is not None and fixed == lever.level:
                continue
            problems.append(
                Problem(
                    f"levers[{index}]",
                    template.name,
                    f"a lever the scenario does not pull already: its levers[{own}] "
                    f"({_described(lever)}) has the same actor, kind, issue and condition, "
                    f"so a policy at another level in week {lever.week} makes a scenario "
                    f"file crisis-sim run refuses; keep week {lever.week} out of week, "
                    f"fix level = {lever.level:g}, or search a scenario without that lever",
                )
            )
        for other in range(index):
            partner = templates[other]
            partner_middle = middle[other]
            if partner_middle is None or _collision_key(partner_middle) != key:
                continue
            low, high = _weeks(partner)
            if high < first or last < low:
                continue
            levels = (template.level, partner.level)
            if not any(isinstance(level, tuple) for level in levels) and levels[0] == levels[1]:
                continue
            problems.append(
                Problem(
                    f"levers[{index}]",
                    template.name,
                    f"a lever of its own: levers[{other}] ({partner.name}) has the same actor, "
                    "kind, issue and condition in overlapping weeks, so a policy could pull "
                    "it to two levels in one week, which crisis-sim run refuses; give the "
                    "two disjoint weeks, or make them one template",
                )
            )
    return problems


def with_policy(
    scenario: Scenario, templates: Sequence[LeverTemplate], policy: Mapping[str, Any]
) -> Scenario:
    """The scenario with the levers a policy pulls added to its own.

    A policy with no lever values at all is the scenario as it is.
    """
    if not policy:
        return scenario
    pulled = [lever for t in templates if (lever := t.lever(policy)) is not None]
    return scenario.model_copy(update={"levers": [*scenario.levers, *pulled]})


# -- outcomes --------------------------------------------------------------------------


def _war_week(worlds: pd.DataFrame) -> np.ndarray:
    """The week each world's war began (its incursion week for a limited one); -1 if none."""
    outcome = worlds["outcome"].astype(str).to_numpy()
    week = worlds["week"].to_numpy()
    crossing = worlds["crossing_week"].to_numpy()
    began = np.where(outcome == "limited_incursion", crossing, week)
    return np.where(np.isin(outcome, WAR_OUTCOMES), began, -1)


def world_outcomes(worlds: pd.DataFrame, horizon: int) -> dict[str, Any]:
    """The standard outcomes of a group of worlds (one experiment).

    ``p_OUTCOME`` for each outcome class, ``p_war`` (any of :data:`WAR_OUTCOMES`),
    ``p_settlement`` (:data:`SETTLEMENT_OUTCOMES`), ``median_week_EVENT`` for each
    event (NaN where no world reached it), and ``war_by_week`` and
    ``settlement_by_week``, the share of worlds whose war had begun, or that had
    settled, by each week 0..horizon.
    """
    outcome = worlds["outcome"].astype(str).to_numpy()
    count = len(worlds)
    found: dict[str, Any] = {}
    for item in OUTCOMES:
        found[f"p_{item.key}"] = float(np.mean(outcome == item.key))
    found["p_war"] = float(np.mean(np.isin(outcome, WAR_OUTCOMES)))
    found["p_settlement"] = float(np.mean(np.isin(outcome, SETTLEMENT_OUTCOMES)))
    week = worlds["week"].to_numpy()
    for key in EVENT_OUTCOMES:
        weeks = week[outcome == key]
        found[f"median_week_{key}"] = float(np.median(weeks)) if len(weeks) else float("nan")
    weeks = np.arange(horizon + 1)
    war = _war_week(worlds)
    settled = np.where(np.isin(outcome, SETTLEMENT_OUTCOMES), week, -1)
    found["war_by_week"] = ((war[None, :] >= 0) & (war[None, :] <= weeks[:, None])).sum(1) / count
    found["settlement_by_week"] = (
        (settled[None, :] >= 0) & (settled[None, :] <= weeks[:, None])
    ).sum(1) / count
    return found


def _scalar_outcome(name: str, kind: int = ScalarOutcome.INFO) -> ScalarOutcome:
    return ScalarOutcome(name, kind=kind)


def _standard_outcomes(horizon: int) -> list[Any]:
    names = [f"p_{item.key}" for item in OUTCOMES] + ["p_war", "p_settlement"]
    names += [f"median_week_{key}" for key in EVENT_OUTCOMES]
    found: list[Any] = [_scalar_outcome(name) for name in names]
    found += [
        ArrayOutcome("war_by_week", shape=(horizon + 1,), dtype=float),
        ArrayOutcome("settlement_by_week", shape=(horizon + 1,), dtype=float),
    ]
    return found


# -- the two kinds of experiment -------------------------------------------------------

ScenarioValues = tuple[object, dict[str, Any]]
"""An EMA scenario as an adapter evaluates it: its name and its values by EMA name."""


@dataclass(frozen=True)
class ExperimentAdapter:
    """An EMA scenario is one parameter set, run on ``worlds`` worlds (module docstring).

    Attributes:
        scenario: The scenario the policies change.
        templates: The lever templates (the EMA levers).
        worlds: Worlds per experiment (by default the scenario's ``run.worlds_per_set``).
        seed: The worlds' seed (by default the scenario's).
        sampling: How uncertainties are given to EMA (:func:`uncertainties`).
    """

    scenario: Scenario
    templates: tuple[LeverTemplate, ...] = ()
    worlds: int = 0
    seed: int | None = None
    sampling: Sampling = "support"

    def __post_init__(self) -> None:
        """Fill in the defaults and check the templates."""
        object.__setattr__(self, "templates", tuple(self.templates))
        if self.worlds == 0:
            object.__setattr__(self, "worlds", self.scenario.run.worlds_per_set)
        if self.seed is None:
            object.__setattr__(self, "seed", self.scenario.run.seed)
        if self.worlds < 1:
            raise ValueError(f"worlds must be at least 1, got {self.worlds}")
        lever_parameters(self.templates)
        _check_weeks(self.scenario, self.templates)

    def uncertainties(self) -> list[Parameter]:
        """The EMA uncertainties (:func:`uncertainties`)."""
        return uncertainties(self.scenario, self.sampling)

    def levers(self) -> list[Parameter]:
        """The EMA levers of the templates."""
        return lever_parameters(self.templates)

    def outcomes(self) -> list[Any]:
        """The standard outcomes (:func:`world_outcomes`), all of kind INFO."""
        return _standard_outcomes(self.scenario.run.horizon)

    def evaluate(
        self, policy: Mapping[str, Any], scenarios: Sequence[ScenarioValues]
    ) -> list[dict[str, Any]]:
        """The outcomes of one policy on EMA scenarios, in their order.

        Scenarios whose world blocks follow one another run as one vectorised model
        (:func:`crisis_sim.ensemble.runner.run_worlds`), so a whole design under one
        policy is one model, and each scenario's worlds are those of its block alone.
        """
        changed = with_policy(self.scenario, self.templates, policy)
        horizon = self.scenario.run.horizon
        order = sorted(range(len(scenarios)), key=lambda i: world_block(scenarios[i][0]))
        found: list[dict[str, Any]] = [{} for _ in scenarios]
        start = 0
        while start < len(order):
            stop = start + 1
            first = world_block(scenarios[order[start]][0])
            while stop < len(order) and world_block(scenarios[order[stop]][0]) == first + (
                stop - start
            ):
                stop += 1
            members = order[start:stop]
            values = _judgement_values(changed, [scenarios[i][1] for i in members])
            repeated = {path: np.repeat(column, self.worlds) for path, column in values.items()}
            tables = _run(changed, repeated, self.seed, first * self.worlds, len(members), self)
            for position, i in enumerate(members):
                part = tables.iloc[position * self.worlds : (position + 1) * self.worlds]
                found[i] = world_outcomes(part, horizon)
            start = stop
        return found


def _run(
    scenario: Scenario,
    values: dict[str, np.ndarray],
    seed: int | None,
    first: int,
    count: int,
    adapter: ExperimentAdapter,
) -> pd.DataFrame:
    """The worlds of ``count`` consecutive experiments, from world ``first``, as one table.

    A scenario with no judgement parameter gets one fixed at its own value, as
    :func:`~crisis_sim.ensemble.runner.run_worlds` runs worlds at given values.
    """
    worlds = count * adapter.worlds
    if not values:
        path = parameter_paths()[0]
        node: Any = scenario.params
        for part in path.split("."):
            node = getattr(node, part)
        fixed = Fixed(distribution="fixed", param=path, value=float(node))
        scenario = scenario.model_copy(update={"uncertain": [fixed]})
        values = {path: np.full(worlds, float(node))}
    chunks = runner.run_worlds(scenario, values, seed=seed, first=first, chunk_size=worlds)
    return pd.concat(list(chunks), ignore_index=True)


def _check_weeks(scenario: Scenario, templates: Sequence[LeverTemplate]) -> None:
    late = [t.name for t in templates if t.highest_week > scenario.run.horizon]
    if late:
        raise ValueError(
            f"lever templates {', '.join(late)} reach past the horizon "
            f"({scenario.run.horizon} weeks)"
        )


POLICY_OBJECTIVES: dict[str, tuple[str, str]] = {
    "mean": ("p_war", "p_settlement"),
    "pessimistic": ("p_war_p90", "p_settlement_p10"),
}
"""What the search minimises and maximises, by objective: the probabilities over all
parameter sets (``mean``), or the worse tail across sets (``pessimistic``: the
90th percentile of P(war), the 10th of P(settlement))."""


HELD_OUT = "_held_out"
"""The suffix of a held-out measure (``p_war_held_out``): on parameter sets and worlds
the search never saw (:class:`PolicyAdapter`)."""


@dataclass(frozen=True)
class PolicyAdapter:
    """An experiment is one policy over the scenario's own parameter sets (module docstring).

    With ``held_out_sets``, each policy also runs on the next ``held_out_sets`` sets
    (``sets .. sets + held_out_sets - 1``, worlds ``runs .. runs + held_out_runs - 1``
    of the same seed): fresh draws of the judgement parameters (posterior rows and
    uncertain parameters, each fixed by the seed and the set) and fresh chance (each
    world's stream is fixed by the seed and the world), the same for every policy. A
    search that chose its policies on the first sets reports them there too, so their
    measures there are biased towards them (the winner's curse); the held-out measures
    (suffix :data:`HELD_OUT`) are not. Both blocks run as one ensemble of
    ``runs + held_out_runs`` worlds, as ``crisis_sim.run(policy, runs=...)`` runs them.

    Attributes:
        scenario: The scenario the policies change.
        templates: The lever templates (the EMA levers).
        sets: Parameter sets each policy is run on: the scenario's sets 0..sets-1, of
            ``run.worlds_per_set`` worlds each, as ``crisis-sim run`` draws them.
        objective: ``mean`` or ``pessimistic`` (:data:`POLICY_OBJECTIVES`).
        seed: The worlds' seed (by default the scenario's).
        held_out_sets: Parameter sets after those, measured apart (0: none).
    """

    scenario: Scenario
    templates: tuple[LeverTemplate, ...] = ()
    sets: int = 100
    objective: Literal["mean", "pessimistic"] = "mean"
    seed: int | None = None
    held_out_sets: int = 0

    def __post_init__(self) -> None:
        """Fill in the defaults and check the templates."""
        object.__setattr__(self, "templates", tuple(self.templates))
        if self.seed is None:
            object.__setattr__(self, "seed", self.scenario.run.seed)
        if self.sets < 1:
            raise ValueError(f"sets must be at least 1, got {self.sets}")
        if self.held_out_sets < 0:
            raise ValueError(f"held_out_sets must be at least 0, got {self.held_out_sets}")
        if self.objective not in POLICY_OBJECTIVES:
            raise ValueError(f"objective must be one of {', '.join(POLICY_OBJECTIVES)}")
        lever_parameters(self.templates)
        _check_weeks(self.scenario, self.templates)

    @property
    def runs(self) -> int:
        """Worlds per policy: sets times the scenario's worlds per set."""
        return self.sets * self.scenario.run.worlds_per_set

    @property
    def held_out_runs(self) -> int:
        """Held-out worlds per policy: held-out sets times the worlds per set."""
        return self.held_out_sets * self.scenario.run.worlds_per_set

    def uncertainties(self) -> list[Parameter]:
        """None: the judgement parameters are drawn inside each experiment."""
        return []

    def levers(self) -> list[Parameter]:
        """The EMA levers of the templates."""
        return lever_parameters(self.templates)

    def _blocks(self) -> list[tuple[str, int]]:
        """The suffix and number of sets of each block measured: the sets, the held-out."""
        return [("", self.sets)] + ([(HELD_OUT, self.held_out_sets)] if self.held_out_sets else [])

    def outcomes(self) -> list[Any]:
        """The two objectives (minimise war, maximise settlement) and INFO outcomes.

        INFO: each outcome's probability, the percentiles of the two shares across
        sets, and the per-set shares (``war_by_set``, ``settlement_by_set``); with
        held-out sets, each of them again on those (suffix :data:`HELD_OUT`).
        """
        war, settlement = POLICY_OBJECTIVES[self.objective]
        found: list[Any] = [
            ScalarOutcome(war, kind=ScalarOutcome.MINIMIZE),
            ScalarOutcome(settlement, kind=ScalarOutcome.MAXIMIZE),
        ]
        for suffix, sets in self._blocks():
            names = [f"p_{item.key}{suffix}" for item in OUTCOMES]
            for measure in ("p_war", "p_settlement"):
                names += [measure + suffix, f"{measure}_p10{suffix}", f"{measure}_p90{suffix}"]
            found += [_scalar_outcome(name) for name in names if name not in (war, settlement)]
            found += [
                ArrayOutcome(f"war_by_set{suffix}", shape=(sets,), dtype=float),
                ArrayOutcome(f"settlement_by_set{suffix}", shape=(sets,), dtype=float),
            ]
        return found

    def policy_scenario(self, policy: Mapping[str, Any]) -> Scenario:
        """The scenario a policy makes of this one (its levers added)."""
        return with_policy(self.scenario, self.templates, policy)

    def evaluate(
        self, policy: Mapping[str, Any], scenarios: Sequence[ScenarioValues]
    ) -> list[dict[str, Any]]:
        """The outcomes of one policy; the same for every EMA scenario (there are none)."""
        results = runner.run(
            self.policy_scenario(policy),
            runs=self.runs + self.held_out_runs,
            seed=self.seed,
            progress=False,
        )
        outcome = results.worlds["outcome"].astype(str).to_numpy()
        sets = results.worlds["parameter_set"].to_numpy()
        found: dict[str, Any] = {}
        start = 0
        for suffix, count in self._blocks():
            inside = (sets >= start) & (sets < start + count)
            found.update(_policy_measures(outcome[inside], sets[inside] - start, count, suffix))
            start += count
        return [dict(found) for _ in scenarios] or [found]


def _policy_measures(
    outcome: np.ndarray, sets: np.ndarray, count: int, suffix: str
) -> dict[str, Any]:
    """A policy's measures on one block of ``count`` parameter sets (``sets`` from 0)."""
    found: dict[str, Any] = {
        f"p_{item.key}{suffix}": float(np.mean(outcome == item.key)) for item in OUTCOMES
    }
    shares = {
        "p_war": np.isin(outcome, WAR_OUTCOMES),
        "p_settlement": np.isin(outcome, SETTLEMENT_OUTCOMES),
    }
    for measure, hits in shares.items():
        by_set = np.bincount(sets, weights=hits, minlength=count)
        by_set = by_set / np.bincount(sets, minlength=count)
        low, high = np.percentile(by_set, [LOW_PERCENTILE, HIGH_PERCENTILE])
        found[measure + suffix] = float(hits.mean())
        found[f"{measure}_p10{suffix}"] = float(low)
        found[f"{measure}_p90{suffix}"] = float(high)
        array = "war_by_set" if measure == "p_war" else "settlement_by_set"
        found[array + suffix] = by_set
    return found


Adapter = ExperimentAdapter | PolicyAdapter
"""What a :class:`CrisisSimModel` evaluates."""


class CrisisSimModel(Model):
    """An EMA ``Model`` of crisis_sim: one experiment per call with any EMA evaluator.

    Its uncertainties, levers and outcomes are the adapter's, set once (EMA appends
    when they are assigned twice). :class:`~crisis_sim.ema.evaluator.BatchedEvaluator`
    runs a whole policy's experiments through :meth:`evaluate_group` instead.
    """

    def __init__(self, name: str, adapter: Adapter) -> None:
        """A model named ``name`` (a Python identifier) over ``adapter``."""
        super().__init__(name, function=_unused_function)
        self.adapter = adapter
        self.uncertainties = adapter.uncertainties()
        self.levers = adapter.levers()
        self.outcomes = adapter.outcomes()

    def run_model(self, scenario: Any, policy: Any, constants: Any) -> None:
        """Run one experiment: the policy on the scenario's worlds (its name's block)."""
        values = {u.name: scenario[u.name] for u in self.uncertainties if u.name in scenario}
        levers = {lever.name: policy[lever.name] for lever in self.levers if lever.name in policy}
        raw = self.adapter.evaluate(levers, [(scenario.name, values)])[0]
        self.outcomes_output = raw
        self.constraints_output = (scenario, self.outcomes_output)

    def process(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The outcomes EMA records from an adapter's raw values (as ``outcomes_output``)."""
        return {
            outcome.name: outcome.process([raw[var] for var in outcome.variable_name])
            for outcome in self.outcomes
        }


def _unused_function(**kwargs: Any) -> None:
    """EMA's ``Model`` wants a callable; :class:`CrisisSimModel` runs its adapter instead."""
    raise NotImplementedError("CrisisSimModel runs its adapter, not a function")


def experiment_model(
    scenario: Scenario,
    templates: Sequence[LeverTemplate] = (),
    *,
    worlds: int = 0,
    seed: int | None = None,
    sampling: Sampling = "support",
    name: str = "crisis_sim",
) -> CrisisSimModel:
    """An EMA model whose scenarios are parameter sets (:class:`ExperimentAdapter`)."""
    adapter = ExperimentAdapter(scenario, tuple(templates), worlds, seed, sampling)
    return CrisisSimModel(name, adapter)


def policy_model(
    scenario: Scenario,
    templates: Sequence[LeverTemplate],
    *,
    sets: int = 100,
    objective: Literal["mean", "pessimistic"] = "mean",
    seed: int | None = None,
    name: str = "crisis_sim_policies",
    held_out_sets: int = 0,
) -> CrisisSimModel:
    """An EMA model whose experiments are policies over parameter sets (:class:`PolicyAdapter`)."""
    adapter = PolicyAdapter(scenario, tuple(templates), sets, objective, seed, held_out_sets)
    return CrisisSimModel(name, adapter)
