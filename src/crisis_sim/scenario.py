"""Scenario files: TOML, read with ``tomllib``, validated strictly with pydantic.

A scenario is a small file an analyst writes and shares. It holds its story
(title, description, the question it asks, the brief ids it exercises), the run
settings (start date, horizon, seed, number of worlds), parameter overrides, the
uncertain parameters as distributions, the levers (offers, concessions and
policies with their timing or condition) and scheduled events (shocks).
``extends = "baseline.toml"`` starts from another scenario: tables merge key by key,
and any other value (arrays included) replaces the parent's.

Every mistake is a :class:`ScenarioError` naming the file, the key path
(``levers[2].week``), the value and what was expected; a TOML syntax error gives
the line and column. Scenario files are data: nothing in them is ever executed.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from scipy import special, stats

from crisis_sim.brief import BRIEF, T0
from crisis_sim.domain import Rung
from crisis_sim.levers import RUNG_NAMES, Lever, LeverActor, LeverKind, check_level
from crisis_sim.params import Params, iter_params
from crisis_sim.problems import MISSING, FieldProblems, Problem, enum_member

MAX_HORIZON = 104
"""Longest horizon a scenario may ask for, in weeks (two years)."""

MAX_RUNS = 100_000_000
"""Most worlds a scenario may ask for."""


class ScenarioError(ValueError):
    """A scenario file is malformed; the message lists every problem found.

    Attributes:
        file: The scenario file (or ``"<string>"``).
        problems: One :class:`Problem` per mistake.
    """

    def __init__(self, file: str, problems: Iterable[Problem]) -> None:
        """Collect the problems of one file."""
        self.file = file
        self.problems = list(problems)
        lines = [f"{file}: {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))

    @property
    def paths(self) -> list[str]:
        """The key path of each problem, e.g. ``["levers[2].week"]``."""
        return [problem.path for problem in self.problems]


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
        return np.clip(self.mean + self.sd * special.ndtri(u), self.low, self.high)

    def support(self) -> tuple[float, float]:
        """Smallest and largest value it can give."""
        return self.low, self.high


class Beta(_Strict):
    """Beta(alpha, beta) stretched onto [low, high] (by default [0, 1])."""

    distribution: Literal["beta"]
    param: str
    alpha: float = Field(gt=0.0)
    beta: float = Field(gt=0.0)
    low: float = 0.0
    high: float = 1.0

    @model_validator(mode="after")
    def _check(self) -> Self:
        _check_range(self.low, self.high)
        return self

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The value at each probability level ``u`` (inverse CDF)."""
        return self.low + (self.high - self.low) * stats.beta.ppf(u, self.alpha, self.beta)

    def support(self) -> tuple[float, float]:
        """Smallest and largest value it can give."""
        return self.low, self.high


class Choice(_Strict):
    """One of ``values``, with ``weights`` (equal if omitted)."""

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
        return self

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The value at each probability level ``u`` (inverse CDF)."""
        weights = np.asarray(self.weights or [1.0] * len(self.values), dtype=float)
        cumulative = np.cumsum(weights) / weights.sum()
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
    horizon: int = Field(default=26, ge=1, le=MAX_HORIZON)
    seed: int = Field(default=20220113, ge=0, le=2**63 - 1)
    runs: int = Field(default=10_000, ge=1, le=MAX_RUNS)
    sampling: Literal["monte_carlo", "latin_hypercube"] = "monte_carlo"

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
    label: str = ""

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
        name: The file's stem (``baseline``), or what the caller named it.
        title, description, question: Its story.
        brief_ids: The brief items it exercises (ids from SEED-POSITIONS).
        run: Start date, horizon, seed, default number of worlds, sampling.
        params: The model's parameters with this scenario's overrides.
        uncertain: Parameters drawn per world, each from its distribution.
        levers: Offers, concessions and policies with their timing or condition.
        events: Scheduled shocks.
    """

    name: str = ""
    title: str = Field(min_length=1)
    description: str = ""
    question: str = Field(min_length=1)
    brief_ids: list[str] = Field(default_factory=list)
    run: RunSettings = RunSettings()
    params: Params = Params()
    uncertain: list[Distribution] = Field(default_factory=list)
    levers: list[Lever] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems = cross_problems(self.model_dump())
        if problems:
            raise FieldProblems(problems)
        return self

    def all_levers(self) -> list[Lever]:
        """The levers and the events, as the model takes them."""
        return [*self.levers, *(event.as_lever() for event in self.events)]

    def sample(self, uniforms: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Per-world values of the uncertain parameters from their probability levels.

        Args:
            uniforms: For each uncertain parameter's path, the probability levels in
                (0, 1) of the worlds (see :func:`crisis_sim.streams.draw_worlds`).
        """
        return {dist.param: dist.quantile(uniforms[dist.param]) for dist in self.uncertain}


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
    if not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds):
        return None
    return float(min(bounds)), float(max(bounds))


def cross_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Problems that involve more than one key, read from raw or validated scenario data.

    Brief ids must exist; an uncertain parameter must name a model parameter, once,
    and stay within its bounds; no lever or event may come after the horizon. Entries
    that are malformed in themselves are skipped here (their own checks report them).
    """
    problems: list[Problem] = []
    brief_ids = data.get("brief_ids")
    for index, item in enumerate(brief_ids if isinstance(brief_ids, list) else []):
        if isinstance(item, str) and item not in BRIEF:
            problems.append(
                Problem(f"brief_ids[{index}]", item, "a brief id from SEED-POSITIONS.md")
            )
    infos = {info.path: info for info in iter_params()}
    seen: set[str] = set()
    uncertain = data.get("uncertain")
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
        if path in seen:
            problems.append(Problem(f"uncertain[{index}].param", path, "each parameter only once"))
        seen.add(path)
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
    run = data.get("run")
    horizon = run.get("horizon", 26) if isinstance(run, Mapping) else 26
    if isinstance(horizon, int) and not isinstance(horizon, bool):
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
    return problems


# -- loading ---------------------------------------------------------------------------

_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def bundled_dir() -> Path:
    """The folder of the scenarios shipped with the package."""
    return Path(str(resources.files("crisis_sim").joinpath("scenarios")))


def bundled_scenarios() -> list[Path]:
    """The bundled scenario files, sorted by name."""
    return sorted(bundled_dir().glob("*.toml"))


def resolve_path(name_or_path: str | Path) -> Path:
    """A scenario's file from its path, or from a bundled scenario's name (``"baseline"``).

    Raises:
        ScenarioError: If there is no such file, listing the bundled names.
    """
    path = Path(name_or_path)
    if path.is_file():
        return path
    bundled = bundled_dir() / f"{path.stem}.toml"
    if path.parent == Path(".") and bundled.is_file():
        return bundled
    names = ", ".join(p.stem for p in bundled_scenarios())
    raise ScenarioError(
        str(name_or_path),
        [Problem("", MISSING, f"no such scenario file; bundled scenarios are: {names}")],
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(
            str(path), [Problem("", MISSING, f"cannot read file: {error}")]
        ) from None
    return _parse_toml(text, str(path))


def _parse_toml(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = _TOML_POSITION.search(message)
        if found:
            where = f"line {found.group(1)}, column {found.group(2)}"
        elif "(at end of document)" in message:
            where = f"the end of the document (line {text.count(chr(10)) + 1})"
        else:
            where = "an unknown position"
        reason = _TOML_POSITION.sub("", message).replace("(at end of document)", "").strip()
        raise ScenarioError(
            file, [Problem("", MISSING, f"TOML syntax error at {where}: {reason}")]
        ) from None


def _merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``child`` over ``parent``: tables merge, everything else replaces."""
    merged = dict(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


Origins = dict[tuple[str, ...], str]
"""For each key path set in a file, the file that set it."""


def _leaf_origins(data: Mapping[str, Any], file: str, prefix: tuple[str, ...] = ()) -> Origins:
    origins: Origins = {}
    for key, value in data.items():
        if isinstance(value, dict):
            origins.update(_leaf_origins(value, file, (*prefix, key)))
        else:
            origins[(*prefix, key)] = file
    return origins


def _resolve_extends(
    path: Path, data: dict[str, Any], chain: tuple[Path, ...]
) -> tuple[dict[str, Any], Origins]:
    parent_name = data.pop("extends", None)
    own = _leaf_origins(data, str(path))
    if parent_name is None:
        return data, own
    if not isinstance(parent_name, str):
        raise ScenarioError(
            str(path), [Problem("extends", parent_name, "a file name such as 'baseline.toml'")]
        )
    parent_path = (path.parent / parent_name).resolve()
    if parent_path in chain:
        cycle = " -> ".join(p.name for p in (*chain, parent_path))
        raise ScenarioError(
            str(path), [Problem("extends", parent_name, f"no cycle of extends ({cycle})")]
        )
    if not parent_path.is_file():
        raise ScenarioError(
            str(path),
            [Problem("extends", parent_name, f"an existing scenario file ({parent_path} is not)")],
        )
    parent, origins = _resolve_extends(parent_path, _read_toml(parent_path), (*chain, parent_path))
    return _merge(parent, data), {**origins, **own}


def _with_origin(problem: Problem, origins: Origins, file: str) -> Problem:
    """Say which file set the value, when it is a parent rather than ``file`` itself."""
    keys = tuple(re.findall(r"[^.\[\]]+", problem.path))
    for end in range(len(keys), 0, -1):
        origin = origins.get(keys[:end])
        if origin is not None:
            if origin != file:
                return Problem(problem.path, problem.value, f"{problem.expected} (set in {origin})")
            return problem
    return problem


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    previous_was_index = False
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            previous_was_index = True
            continue
        if previous_was_index and part in DISTRIBUTION_TAGS:
            previous_was_index = False
            continue
        if part in ("function-after", "function-before") or part.startswith("function-"):
            continue
        text += f".{part}" if text else part
        previous_was_index = False
    return text


def _lookup(data: Any, loc: tuple[int | str, ...]) -> Any:
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(part, str) and part in DISTRIBUTION_TAGS:
            continue
        else:
            return MISSING
    return node


_BOUND_MESSAGES = {
    "greater_than_equal": "a value of at least {}",
    "greater_than": "a value greater than {}",
    "less_than_equal": "a value of at most {}",
    "less_than": "a value less than {}",
    "too_short": "at least {} item(s)",
}
_TYPE_MESSAGES = {
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "a string in quotes",
    "list_type": "a list in square brackets",
    "model_type": "a table",
    "dict_type": "a table",
    "date_type": "a date such as 2022-01-13",
    "date_from_datetime_parsing": "a date such as 2022-01-13",
    "date_parsing": "a date such as 2022-01-13",
}


def _allowed_keys(loc: tuple[int | str, ...]) -> list[str]:
    """The keys allowed in the table at ``loc``, when it is a plain (non-union) table."""
    model: Any = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return []
        field = model.model_fields.get(part)
        if field is None:
            return []
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        model = args[0] if getattr(annotation, "__origin__", None) is list and args else annotation
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return []
    if model is Scenario:
        return ["extends", *(name for name in model.model_fields if name != "name")]
    return list(model.model_fields)


def _problems_from(error: ValidationError, data: dict[str, Any]) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = tuple(item["loc"])
        context = item.get("ctx", {}) or {}
        inner = context.get("error")
        if isinstance(inner, FieldProblems):
            prefix = _location(loc)
            for problem in inner.problems:
                path = f"{prefix}.{problem.path}" if prefix else problem.path
                problems.append(Problem(path, problem.value, problem.expected))
            continue
        kind = item["type"]
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            loc = (*loc, "distribution")
        value = _lookup(data, loc)
        message = item["msg"].removeprefix("Value error, ")
        if kind == "extra_forbidden":
            allowed = _allowed_keys(loc[:-1])
            message = "an unknown key here (check its spelling)"
            if allowed:
                message = f"an unknown key; expected one of: {', '.join(allowed)}"
        elif kind in _BOUND_MESSAGES:
            bound = next(iter(context.values()), "?")
            message = _BOUND_MESSAGES[kind].format(bound)
        elif kind in _TYPE_MESSAGES:
            message = _TYPE_MESSAGES[kind]
        elif kind == "missing":
            message = "a value: this key is required"
        elif kind == "string_too_short":
            message = "a non-empty text"
        elif kind == "finite_number":
            message = "a finite number (not nan or inf)"
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            message = f"a distribution, one of: {', '.join(DISTRIBUTION_TAGS)}"
        problems.append(Problem(_location(loc), value, message))
    return problems


def scenario_from_dict(
    data: Mapping[str, Any],
    *,
    file: str = "<string>",
    name: str = "",
    origins: Origins | None = None,
) -> Scenario:
    """Validate an already-parsed scenario (no ``extends``) into a :class:`Scenario`.

    Args:
        data: The scenario as parsed from TOML (or as dumped by :meth:`Scenario.model_dump`).
        file: The file to name in errors.
        name: The scenario's name, unless ``data`` has one.
        origins: For merged scenarios, which file set each key (errors then name it).

    Raises:
        ScenarioError: Listing every problem, with key paths.
    """
    if not isinstance(data, Mapping):
        raise ScenarioError(file, [Problem("", data, "a table of scenario keys")])
    content = dict(data)
    if "extends" in content:
        raise ScenarioError(
            file, [Problem("extends", content["extends"], "extends only in a scenario file")]
        )
    content.setdefault("name", name)
    if isinstance(content.get("params"), dict):
        content["params"] = _merge(Params().model_dump(), content["params"])
    try:
        return Scenario.model_validate(content)
    except ValidationError as error:
        problems = _problems_from(error, content)
        reported = {problem.path for problem in problems}
        problems += [p for p in cross_problems(content) if p.path not in reported]
        if origins:
            problems = [_with_origin(problem, origins, file) for problem in problems]
        raise ScenarioError(file, problems) from None


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Read, merge (``extends``) and validate a scenario file or a bundled scenario's name.

    Raises:
        ScenarioError: Naming the file, the key path, the value and what was expected.
    """
    path = resolve_path(name_or_path)
    data, origins = _resolve_extends(path, _read_toml(path), (path.resolve(),))
    return scenario_from_dict(data, file=str(path), name=path.stem, origins=origins)


def loads_scenario(text: str, *, name: str = "scenario") -> Scenario:
    """Validate a scenario given as TOML text (``extends`` is not available here)."""
    return scenario_from_dict(_parse_toml(text, "<string>"), file="<string>", name=name)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the scenario format, for editors (``crisis-sim schema``)."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "crisis_sim scenario"
    schema.setdefault("properties", {})["extends"] = {
        "type": "string",
        "description": "Another scenario file to start from, relative to this one.",
    }
    return schema
