"""The scenario format: what a scenario holds, validated strictly with pydantic.

A scenario is a small file an analyst writes and shares. It holds its story
(title, description, the question it asks, the brief ids it exercises), the run
settings (start date, horizon, seed, number of worlds), parameter overrides, the
uncertain parameters as distributions, the levers (offers, concessions and
policies with their timing or condition) and scheduled events (shocks).
Reading files and ``extends`` are in :mod:`crisis_sim.scenario.files`; the messages
of mistakes (file, key path, what was expected) in :mod:`crisis_sim.scenario.errors`.
Scenario files are treated as hostile input: text fields hold no control characters,
values stay within their bounds and in order across keys, and a file cannot choose
the scenario's name (which names output folders).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal, NamedTuple, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from crisis_sim.calibration.posterior import Posterior, PosteriorError, load_posterior
from crisis_sim.model.brief import BRIEF, T0
from crisis_sim.model.domain import DEFAULT_HORIZON, Issue, Rung, Sampling
from crisis_sim.model.levers import (
    HIGHEST_LEVEL_KINDS,
    HIGHEST_TALKING_RUNG,
    ISSUE_NAMES,
    RUNG_NAMES,
    Lever,
    LeverActor,
    LeverKind,
    check_level,
)
from crisis_sim.model.params import ORDERED_PAIRS, ParamInfo, Params, iter_params
from crisis_sim.problems import (
    MISSING,
    FieldProblems,
    PlainText,
    Problem,
    enum_member,
)

MAX_HORIZON = 104
"""Longest horizon a scenario may ask for, in weeks (two years)."""

MAX_RUNS = 100_000_000
"""Most worlds a scenario may ask for."""

MAX_BETA_SHAPE = 1e6
"""Largest ``alpha`` or ``beta`` of a beta distribution (SciPy's inverse CDF stays finite)."""

DEFAULT_WORLDS_PER_SET = 50
"""Worlds per parameter set unless a scenario says otherwise: judgement, 20-200. Fewer
worlds per set leave each set's probability noisier (its binomial noise, removed from
the judgement band, grows); more leave fewer sets for the band at a given number of
worlds (10,000 worlds give 200 sets)."""

MAX_WORLDS_PER_SET = 100_000
"""Most worlds a parameter set may hold."""

MAX_EXTENDS = 32
"""Most files a chain of ``extends`` may pass through."""

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
"""What a scenario's name must match in full (or be empty): it names output folders."""

_NAME_EXPECTED = (
    "a name of at most 100 letters, digits, '_', '.' and '-' that starts with a letter or a "
    "digit (or no name)"
)


def safe_name(text: str) -> str:
    """``text`` made into a name that matches :data:`NAME_PATTERN`, for paths and folders.

    Every character but ASCII letters, digits, ``_``, ``.`` and ``-`` becomes ``_``;
    leading ``_``, ``.`` and ``-`` are dropped; at most 100 characters are kept; an
    empty result becomes ``"scenario"``. A name that already matches comes back as it is.
    """
    slug = re.sub(r"[^A-Za-z0-9_.-]", "_", text).lstrip("_.-")[:100]
    return slug or "scenario"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


# -- distributions ---------------------------------------------------------------------


def _check_range(low: float, high: float, inner: tuple[str, float] | None = None) -> None:
    """Raise FieldProblems unless low < high and, if given, low <= inner <= high."""
    problems = []
    if not low < high:
        problems.append(Problem("high", high, f"a value greater than low ({low:g})"))
    elif inner is not None and not low <= inner[1] <= high:
        problems.append(
            Problem(inner[0], inner[1], f"a value from low ({low:g}) to high ({high:g})")
        )
    if problems:
        raise FieldProblems(problems)


class Fixed(_Strict):
    """Always the same value."""

    distribution: Literal["fixed"]
    param: str
    value: float

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The value at each probability level ``u`` (inverse CDF)."""
        return np.full_like(u, self.value, dtype=float)

    def support(self) -> tuple[float, float]:
        """Smallest and largest value it can give."""
        return self.value, self.value


class Uniform(_Strict):
    """Uniform on [low, high]."""

    distribution: Literal["uniform"]
    param: str
    low: float
    high: float

    @model_validator(mode="after")
    def _check(self) -> Self:
        _check_range(self.low, self.high)
        return self

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The value at each probability level ``u`` (inverse CDF)."""
        return self.low + u * (self.high - self.low)

    def support(self) -> tuple[float, float]:
        """Smallest and largest value it can give."""
        return self.low, self.high


class Triangular(_Strict):
    """Triangular on [low, high] with its peak at ``mode``."""

    distribution: Literal["triangular"]
    param: str
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _check(self) -> Self:
        _check_range(self.low, self.high, ("mode", self.mode))
        return self

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The value at each probability level ``u`` (inverse CDF)."""
        low, mode, high = self.low, self.mode, self.high
        split = (mode - low) / (high - low)
        left = low + np.sqrt(u * (high - low) * (mode - low))
        right = high - np.sqrt((1.0 - u) * (high - low) * (high - mode))
        return np.where(u < split, left, right)

    def support(self) -> tuple[float, float]:
        """Smallest and largest value it can give."""
        return self.low, self.high


class Normal(_Strict):
    """Normal with ``mean`` and ``sd``, clipped to [low, high]."""

    distribution: Literal["normal"]
    param: str
    mean: float
    sd: float = Field(gt=0.0)
    low: float
    high: float

    @model_validator(mode="after")
    def _check(self) -> Self:
        _check_range(self.low, self.high, ("mean", self.mean))
        return self

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The value at each probability level ``u`` (inverse CDF, then clipped)."""
        from scipy import special  # here: scipy costs a fraction of a second to import

        return np.clip(self.mean + self.sd * special.ndtri(u), self.low, self.high)

    def support(self) -> tuple[float, float]:
        """Smallest and largest value it can give."""
        return self.low, self.high


class Beta(_Strict):
    """Beta(alpha, beta) stretched onto [low, high] (by default [0, 1]).

    ``alpha`` and ``beta`` are at most :data:`MAX_BETA_SHAPE`.
    """

    distribution: Literal["beta"]
    param: str
    alpha: float = Field(gt=0.0, le=MAX_BETA_SHAPE)
    beta: float = Field(gt=0.0, le=MAX_BETA_SHAPE)
    low: float = 0.0
    high: float = 1.0

    @model_validator(mode="after")
    def _check(self) -> Self:
        _check_range(self.low, self.high)
        return self

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The value at each probability level ``u`` (inverse CDF)."""
        from scipy import stats  # here: scipy.stats costs most of a second to import

        return self.low + (self.high - self.low) * stats.beta.ppf(u, self.alpha, self.beta)

    def support(self) -> tuple[float, float]:
        """Smallest and largest value it can give."""
        return self.low, self.high


class Choice(_Strict):
    """One of ``values``, with ``weights`` (equal if omitted); only the weights' ratios matter."""

    distribution: Literal["choice"]
    param: str
    values: list[float] = Field(min_length=1)
    weights: list[float] | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise FieldProblems(
                    [Problem("weights", self.weights, f"one weight per value ({len(self.values)})")]
                )
            if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                raise FieldProblems(
                    [Problem("weights", self.weights, "non-negative weights with a positive sum")]
                )
            if not math.isfinite(sum(self.weights)):
                raise FieldProblems(
                    [
                        Problem(
                            "weights",
                            self.weights,
                            "weights with a finite sum (only their ratios matter: scale them down)",
                        )
                    ]
                )
        return self

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The value at each probability level ``u`` (inverse CDF).

        The weights are scaled by the largest first, so that neither huge nor tiny
        weights lose their ratios in the cumulative sum.
        """
        weights = np.asarray(self.weights or [1.0] * len(self.values), dtype=float)
        cumulative = np.cumsum(weights / weights.max())
        cumulative /= cumulative[-1]
        index = np.minimum(np.searchsorted(cumulative, u, side="right"), len(self.values) - 1)
        return np.asarray(self.values, dtype=float)[index]

    def support(self) -> tuple[float, float]:
        """Smallest and largest value it can give."""
        return min(self.values), max(self.values)


Distribution = Annotated[
    Fixed | Uniform | Triangular | Normal | Beta | Choice, Field(discriminator="distribution")
]
"""An uncertain parameter: ``param`` (a dotted path) and its distribution."""

DISTRIBUTION_TAGS = ("fixed", "uniform", "triangular", "normal", "beta", "choice")


# -- the scenario ----------------------------------------------------------------------


class RunSettings(_Strict):
    """How a scenario runs by default."""

    start_date: dt.date = dt.date.fromisoformat(T0)
    horizon: int = Field(default=DEFAULT_HORIZON, ge=1, le=MAX_HORIZON)
    seed: int = Field(default=20220113, ge=0, le=2**63 - 1)
    runs: int = Field(default=10_000, ge=1, le=MAX_RUNS)
    sampling: Sampling = "monte_carlo"
    worlds_per_set: int = Field(default=DEFAULT_WORLDS_PER_SET, ge=1, le=MAX_WORLDS_PER_SET)
    """Worlds per parameter set: the worlds of a set share their judgement parameters
    (uncertain and posterior), so the spread across sets is judgement and the spread
    within a set chance (:mod:`crisis_sim.ensemble.intervals`)."""

    @field_validator("start_date", mode="before")
    @classmethod
    def _date_from_text(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError("a date such as 2022-01-13") from None
        return value


class Event(_Strict):
    """A scheduled shock: a cohesion shock or a military incident."""

    kind: Literal["cohesion_shock", "incident"]
    week: int = Field(ge=0)
    level: float = 1.0
    when_rung_at_least: Rung | None = None
    label: PlainText = ""

    @field_validator("when_rung_at_least", mode="before")
    @classmethod
    def _rung_by_name(cls, value: object) -> object:
        return enum_member(Rung, value, RUNG_NAMES, "rung")

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems = check_level(LeverKind(self.kind), self.level)
        if problems:
            raise FieldProblems(problems)
        return self

    def as_lever(self) -> Lever:
        """The shock as a lever pulled by no actor."""
        return Lever(
            actor=LeverActor.EVENT,
            kind=LeverKind(self.kind),
            level=self.level,
            week=self.week,
            when_rung_at_least=self.when_rung_at_least,
            label=self.label,
        )


class Scenario(_Strict):
    """A validated scenario.

    Attributes:
        name: The file's stem made path-safe (:func:`safe_name`), or what the caller
            named it; it matches :data:`NAME_PATTERN` or is empty. A scenario file
            cannot set it.
        title, description, question: Its story.
        brief_ids: The brief items it exercises (ids from SEED-POSITIONS).
        run: Start date, horizon, seed, default number of worlds, sampling.
        params: The model's parameters with this scenario's overrides.
        uncertain: Parameters drawn per world, each from its distribution.
        levers: Offers, concessions and policies with their timing or condition.
        events: Scheduled shocks.
    """

    name: str = ""
    title: PlainText = Field(min_length=1)
    description: PlainText = ""
    question: PlainText = Field(min_length=1)
    brief_ids: list[str] = Field(default_factory=list)
    run: RunSettings = RunSettings()
    params: Params = Params()
    uncertain: list[Distribution] = Field(default_factory=list)
    posterior: str | None = Field(default=None, min_length=1, max_length=1000)
    levers: list[Lever] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _path_safe(cls, value: str) -> str:
        if value and not NAME_PATTERN.fullmatch(value):
            raise ValueError(_NAME_EXPECTED)
        return value

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems = cross_problems(self.model_dump())
        if problems:
            raise FieldProblems(problems)
        return self

    def all_levers(self) -> list[Lever]:
        """The levers and the events, as the model takes them."""
        return [*self.levers, *(event.as_lever() for event in self.events)]

    def posterior_sample(self) -> Posterior | None:
        """The posterior the scenario draws its calibrated parameters from, if any."""
        return None if self.posterior is None else load_posterior(self.posterior)

    def with_posterior_as_ranges(self) -> Scenario:
        """The scenario with its posterior's parameters as independent uniform ranges.

        For methods that need each judgement parameter as its own distribution over a
        range (Sobol and Morris sensitivity, PRIM's boxes, the panel's fixed judgements):
        each posterior parameter ranges uniformly over its weighted 5-95% posterior
        quantiles, independently of the others (judgement: the posterior's correlations
        are dropped there; 5-95% rather than the sample's extremes so that a few
        outlying particles do not stretch the range). Without a posterior, the scenario
        itself.
        """
        sample = self.posterior_sample()
        if sample is None:
            return self
        held = self.held_posterior()
        ranges = [
            Uniform(distribution="uniform", param=path, low=q[0], high=max(q[-1], q[0] + 1e-9))
            for path, q in sample.quantiles((0.05, 0.95)).items()
            if path not in held
        ]
        return self.model_copy(update={"posterior": None, "uncertain": [*ranges, *self.uncertain]})

    def held_posterior(self) -> dict[str, float]:
        """The posterior's parameters the scenario holds fixed, with their values.

        An ``uncertain`` entry with ``distribution = "fixed"`` on a posterior parameter
        holds it: every parameter set takes its posterior row as without the entry, with
        that coordinate replaced by the value. Judgement: this is an intervention on
        the coordinate, not conditioning on it; conditioning on a point would reweight
        the particles by their closeness to it, which a few hundred particles cannot
        support, while the intervention leaves the other coordinates' joint draw, set
        by set, exactly as without it (a paired comparison isolates the fix). Empty
        without a posterior.
        """
        sample = self.posterior_sample()
        if sample is None:
            return {}
        return {
            dist.param: dist.value
            for dist in self.uncertain
            if isinstance(dist, Fixed) and dist.param in sample.paths
        }

    def data_with_fixed(self, fixed: Mapping[str, float]) -> dict[str, Any]:
        """The scenario's data with the judgement parameters ``fixed`` at their values.

        An uncertain parameter's distribution becomes ``fixed``; a posterior's
        parameter gets a ``fixed`` entry in ``uncertain``, so the posterior keeps
        drawing the others (:meth:`held_posterior`). Other paths are left as they are.
        """
        data = self.model_dump(mode="json")
        data["uncertain"] = [
            {
                "distribution": "fixed",
                "param": entry["param"],
                "value": float(fixed[entry["param"]]),
            }
            if entry["param"] in fixed
            else entry
            for entry in data["uncertain"]
        ]
        sample = self.posterior_sample()
        listed = {entry["param"] for entry in data["uncertain"]}
        data["uncertain"] += [
            {"distribution": "fixed", "param": path, "value": float(fixed[path])}
            for path in (sample.paths if sample is not None else ())
            if path in fixed and path not in listed
        ]
        return data

    def judgement_paths(self) -> list[str]:
        """The parameters drawn per parameter set: the posterior's, then the uncertain.

        A posterior parameter the scenario holds (:meth:`held_posterior`) is listed once,
        among the uncertain, as a fixed one is.
        """
        sample = self.posterior_sample()
        held = self.held_posterior()
        drawn = [path for path in sample.paths if path not in held] if sample is not None else []
        return [*drawn, *(dist.param for dist in self.uncertain)]


def _number(value: object) -> float | None:
    """``value`` as a float if it is a number (not a bool); a huge integer is infinite."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int) and value.bit_length() > 1023:
        return math.inf if value > 0 else -math.inf
    return float(value)


def _support_of(entry: Mapping[str, Any]) -> tuple[float, float] | None:
    """Smallest and largest value a raw distribution entry can give, if readable."""
    tag = entry.get("distribution")
    if tag == "fixed":
        bounds = [entry.get("value")]
    elif tag == "choice":
        values = entry.get("values")
        bounds = list(values) if isinstance(values, list) and values else [None]
    elif tag == "beta":
        bounds = [entry.get("low", 0.0), entry.get("high", 1.0)]
    else:
        bounds = [entry.get("low"), entry.get("high")]
    numbers = [number for number in map(_number, bounds) if number is not None]
    if len(numbers) < len(bounds):
        return None
    return min(numbers), max(numbers)


def _within(info: ParamInfo, low: float, high: float) -> bool:
    """Whether [low, high] is finite and lies within the valid bounds of a parameter."""
    lo, hi = info.bounds
    return (
        math.isfinite(low)
        and math.isfinite(high)
        and (lo is None or low >= lo)
        and (hi is None or high <= hi)
    )


Drawn = dict[str, tuple[int, tuple[float, float]] | None]
"""For each drawn parameter, its ``uncertain`` entry's index (-1 for the posterior) and
support (None if unreadable)."""


def _uncertain_problems(
    uncertain: object, infos: Mapping[str, ParamInfo]
) -> tuple[list[Problem], Drawn]:
    problems: list[Problem] = []
    drawn: Drawn = {}
    for index, entry in enumerate(uncertain if isinstance(uncertain, list) else []):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("param"), str):
            continue
        path = entry["param"]
        if path not in infos:
            problems.append(
                Problem(
                    f"uncertain[{index}].param",
                    path,
                    "a parameter path such as 'russia.resolve' (crisis-sim params lists them)",
                )
            )
            continue
        if path in drawn:
            problems.append(Problem(f"uncertain[{index}].param", path, "each parameter only once"))
        support = _support_of(entry)
        lo, hi = infos[path].bounds
        if support is not None and (
            (lo is not None and support[0] < lo) or (hi is not None and support[1] > hi)
        ):
            problems.append(
                Problem(
                    f"uncertain[{index}]",
                    list(support),
                    f"values within the bounds of {path}: [{lo}, {hi}]",
                )
            )
        if path not in drawn:
            usable = support is not None and _within(infos[path], *support)
            drawn[path] = (index, support) if usable and support is not None else None
    return problems, drawn


class _Side(NamedTuple):
    """How a scenario sets one parameter."""

    path: str
    """The key path that sets it: ``params.<path>`` or ``uncertain[i]``."""
    value: Any
    """The value there (a distribution's support, for a drawn parameter)."""
    low: float
    high: float
    """The smallest and largest value it can take in a world."""
    drawn: bool


def _side(params: Mapping[str, Any], info: ParamInfo, drawn: Drawn) -> _Side | None:
    """How a scenario sets one parameter, if readable and valid (else its own check reports it)."""
    if info.path in drawn:
        entry = drawn[info.path]
        if entry is None:
            return None
        index, (low, high) = entry
        key = "posterior" if index < 0 else f"uncertain[{index}]"
        return _Side(key, [low, high], low, high, drawn=True)
    node: Any = params
    for part in info.path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part, MISSING)
    value = info.default if node is MISSING else _number(node)
    if value is None or not _within(info, value, value):
        return None
    return _Side(f"params.{info.path}", value, value, value, drawn=False)


def _ordered_problems(
    params: object, infos: Mapping[str, ParamInfo], drawn: Drawn
) -> list[Problem]:
    """Problems with the :data:`~crisis_sim.model.params.ORDERED_PAIRS` in any world."""
    problems: list[Problem] = []
    table = params if isinstance(params, Mapping) else {}
    for low_path, high_path, reason in ORDERED_PAIRS:
        low = _side(table, infos[low_path], drawn)
        high = _side(table, infos[high_path], drawn)
        if low is None or high is None or low.high <= high.low:
            continue
        # Report at the key the scenario changed: a drawn one, else one off its default.
        at_high = not low.drawn and (
            high.drawn
            or (low.value == infos[low_path].default and high.value != infos[high_path].default)
        )
        if at_high:
            problems.append(
                Problem(high.path, high.value, f"at least {low_path} in every world ({reason})")
            )
        else:
            problems.append(
                Problem(low.path, low.value, f"at most {high_path} in every world ({reason})")
            )
    return problems


_RUNGS = frozenset(int(rung) for rung in Rung)
_ISSUES = frozenset(int(issue) for issue in Issue)
_ACTORS = frozenset(actor.value for actor in LeverActor)
_KINDS = frozenset(kind.value for kind in LeverKind)


def _rung_of(value: object) -> int | None:
    """A raw or validated rung (a name, a number or a :class:`Rung`) as a number."""
    if isinstance(value, str):
        rung = RUNG_NAMES.get(value)
        return None if rung is None else int(rung)
    if isinstance(value, int) and not isinstance(value, bool) and value in _RUNGS:
        return int(value)
    return None


def _issue_of(value: object) -> int | None:
    """A raw or validated issue (a name, a number or an :class:`Issue`) as a number."""
    if isinstance(value, str):
        issue = ISSUE_NAMES.get(value)
        return None if issue is None else int(issue)
    if isinstance(value, int) and not isinstance(value, bool) and value in _ISSUES:
        return int(value)
    return None


def _lever_problems(levers: object) -> list[Problem]:
    """Levers that could never fire, and pairs that pull one lever to two levels at once."""
    problems: list[Problem] = []
    first: dict[tuple[Any, ...], tuple[int, float]] = {}
    for index, item in enumerate(levers if isinstance(levers, list) else []):
        if not isinstance(item, Mapping):
            continue
        raw_rung = item.get("when_rung_at_least")
        rung = _rung_of(raw_rung)
        talking = item.get("when_talking", False)
        if (raw_rung is not None and rung is None) or not isinstance(talking, bool):
            continue
        if talking and rung is not None and rung > HIGHEST_TALKING_RUNG:
            problems.append(
                Problem(
                    f"levers[{index}].when_rung_at_least",
                    Rung(rung).name.lower(),
                    f"a rung no higher than {HIGHEST_TALKING_RUNG.name.lower()} with when_talking "
                    f"= true (Russia talks only at rung {int(HIGHEST_TALKING_RUNG)} or below, so "
                    "this lever could never fire)",
                )
            )
        actor, kind, week = item.get("actor"), item.get("kind"), item.get("week", 0)
        raw_issue = item.get("issue")
        issue = _issue_of(raw_issue)
        level = _number(item.get("level"))
        if (
            not (isinstance(actor, str) and actor in _ACTORS)
            or not (isinstance(kind, str) and kind in _KINDS)
            or LeverKind(kind) not in HIGHEST_LEVEL_KINDS
            or (raw_issue is not None and issue is None)
            or isinstance(week, bool)
            or not isinstance(week, int)
            or level is None
        ):
            continue
        ally = item.get("ally")
        if ally is not None and not isinstance(ally, str):
            continue
        key = (str(actor), ally, str(kind), issue, week, rung, talking)
        if key not in first:
            first[key] = (index, level)
        elif first[key][1] != level:
            other, other_level = first[key]
            problems.append(
                Problem(
                    f"levers[{index}].level",
                    level,
                    f"the level of levers[{other}] ({other_level:g}), which has the same actor, "
                    "kind, issue, week and condition: of two such levels only the higher counts",
                )
            )
    return problems


def _deadline_problems(levers: object, horizon: int) -> list[Problem]:
    """Ultimatums whose deadline would come after the horizon (it could never be enforced)."""
    problems: list[Problem] = []
    for index, item in enumerate(levers if isinstance(levers, list) else []):
        if not isinstance(item, Mapping):
            continue
        week, deadline = item.get("week", 0), item.get("deadline")
        numbers = [value for value in (week, deadline) if isinstance(value, int)]
        if len(numbers) < 2 or any(isinstance(value, bool) for value in numbers):
            continue
        if week <= horizon < week + deadline:
            problems.append(
                Problem(
                    f"levers[{index}].deadline",
                    deadline,
                    f"at most {horizon - week} weeks: the deadline must come by the horizon "
                    f"({horizon}), or the ultimatum could never be enforced",
                )
            )
    return problems


def cross_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Problems that involve more than one key, read from raw or validated scenario data.

    Brief ids must exist; an uncertain parameter must name a model parameter, once,
    and stay within its bounds; no lever or event may come after the horizon; the
    ordered parameters (:data:`~crisis_sim.model.params.ORDERED_PAIRS`) must stay in order
    in every world; no lever may wait for talks at a rung where Russia never talks;
    and two levers of one actor, kind and issue may not fire at different levels in
    the same week under the same condition. Entries that are malformed in themselves
    are skipped here (their own checks report them).
    """
    problems: list[Problem] = []
    brief_ids = data.get("brief_ids")
    for index, item in enumerate(brief_ids if isinstance(brief_ids, list) else []):
        if isinstance(item, str) and item not in BRIEF:
            problems.append(
                Problem(f"brief_ids[{index}]", item, "a brief id from SEED-POSITIONS.md")
            )
    infos = {info.path: info for info in iter_params()}
    uncertain, drawn = _uncertain_problems(data.get("uncertain"), infos)
    problems += uncertain
    run = data.get("run")
    horizon = run.get("horizon", DEFAULT_HORIZON) if isinstance(run, Mapping) else DEFAULT_HORIZON
    if isinstance(horizon, int) and not isinstance(horizon, bool) and 1 <= horizon <= MAX_HORIZON:
        for section in ("levers", "events"):
            items = data.get(section)
            for index, item in enumerate(items if isinstance(items, list) else []):
                week = item.get("week") if isinstance(item, Mapping) else None
                if isinstance(week, int) and not isinstance(week, bool) and week > horizon:
                    problems.append(
                        Problem(
                            f"{section}[{index}].week",
                            week,
                            f"a week from 0 to the horizon ({horizon})",
                        )
                    )
        problems += _deadline_problems(data.get("levers"), horizon)
    problems += _posterior_problems(data.get("posterior"), data.get("uncertain"), infos, drawn)
    problems += _ordered_problems(data.get("params"), infos, drawn)
    problems += _lever_problems(data.get("levers"))
    return problems


def _posterior_problems(
    reference: object, uncertain: object, infos: Mapping[str, ParamInfo], drawn: Drawn
) -> list[Problem]:
    """Problems with ``posterior``: it must load, within bounds, sharing no parameter.

    Its parameters must lie within their bounds and none may also be uncertain, unless
    held there with ``distribution = "fixed"`` (:meth:`Scenario.held_posterior`: the
    fixed value then stands in ``drawn`` for it); their ranges join ``drawn`` for the
    ordered checks.
    """
    if not isinstance(reference, str) or not reference:
        return []
    try:
        sample = load_posterior(reference)
    except PosteriorError as error:
        return [Problem("posterior", reference, str(error))]
    held = {
        entry.get("param")
        for entry in (uncertain if isinstance(uncertain, list) else [])
        if isinstance(entry, Mapping) and entry.get("distribution") == "fixed"
    }
    problems = []
    for path, (low, high) in sample.ranges().items():
        if path in held:
            continue
        if path in drawn:
            problems.append(
                Problem(
                    "posterior",
                    reference,
                    f"no parameter also uncertain unless distribution = 'fixed' ({path} is both)",
                )
            )
        elif not _within(infos[path], low, high):
            problems.append(Problem("posterior", reference, f"values of {path} within its bounds"))
        else:
            drawn[path] = (-1, (low, high))
    return problems
