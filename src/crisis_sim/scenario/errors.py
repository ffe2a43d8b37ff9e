"""Errors in scenario files: a line per problem, naming the file, the key and what was expected.

:class:`ScenarioError` collects the problems of one file; pydantic's validation errors
are turned into :class:`~crisis_sim.problems.Problem` s with key paths such as
``levers[2].week``, and a value another file set (through ``extends``) is named by
that file, never shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from crisis_sim.problems import MISSING, FieldProblems, Problem, printable
from crisis_sim.scenario.schema import DISTRIBUTION_TAGS, Scenario


class ScenarioError(ValueError):
    """A scenario file is malformed; the message lists every problem found.

    Attributes:
        file: The scenario file (or ``"<string>"``).
        problems: One :class:`Problem` per mistake.
    """

    def __init__(self, file: str, problems: Iterable[Problem]) -> None:
        """Collect the problems of one file: one line each, non-printable characters escaped."""
        self.file = file
        self.problems = list(problems)
        lines = [f"{printable(file)}: {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))

    @property
    def paths(self) -> list[str]:
        """The key path of each problem, e.g. ``["levers[2].week"]``."""
        return [problem.path for problem in self.problems]


Origins = dict[tuple[str, ...], str]
"""For each key path set in a file, the file that set it."""


def _origins_of(path: str, origins: Origins) -> set[str]:
    """The files that set the value at ``path`` (a problem's key path) or any part of it."""
    found = set()
    for keys, origin in origins.items():
        key = ".".join(keys)
        if (
            not path
            or key == path
            or path.startswith((f"{key}.", f"{key}["))
            or key.startswith(f"{path}.")
        ):
            found.add(origin)
    return found


def _with_origin(problem: Problem, origins: Origins, file: str) -> Problem:
    """Say which other file set the value, and then do not show it.

    A value a parent set is not shown in the child's errors: whatever file a child
    extends, its errors must not copy that file's contents to the screen.
    """
    others = sorted(_origins_of(problem.path, origins) - {file})
    if not others:
        return problem
    return Problem(problem.path, MISSING, f"{problem.expected} (set in {', '.join(others)})")


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
    """The value at a pydantic location, skipping the union tag after an index.

    The tag comes first, so ``("uncertain", 1, "beta", "alpha")`` is the ``alpha`` of
    the beta distribution at ``uncertain[1]``, not a key of its ``beta`` value.
    """
    node = data
    previous_was_index = False
    for part in loc:
        if previous_was_index and isinstance(part, str) and part in DISTRIBUTION_TAGS:
            previous_was_index = False
            continue
        previous_was_index = isinstance(part, int)
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
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


def _allowed_keys(loc: tuple[int | str, ...], root: type[BaseModel] = Scenario) -> list[str]:
    """The keys allowed in the table at ``loc``, when it is a plain (non-union) table."""
    model: Any = root
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


def _unknown_key(loc: tuple[int | str, ...], root: type[BaseModel] = Scenario) -> str:
    """What an unknown key in the table at ``loc`` should have been."""
    allowed = _allowed_keys(loc, root)
    if allowed:
        return f"an unknown key; expected one of: {', '.join(allowed)}"
    return "an unknown key here (check its spelling)"


def problems_from(
    error: ValidationError, data: Mapping[str, Any], root: type[BaseModel] = Scenario
) -> list[Problem]:
    """The problems of a pydantic error on ``data`` (validated as ``root``), one per mistake."""
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
            message = _unknown_key(loc[:-1], root)
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
