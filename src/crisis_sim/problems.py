"""Problems in what a user hands the package: where, what was found, what was expected.

Validators raise :class:`FieldProblems` with paths relative to the object they check;
:mod:`crisis_sim.scenario.schema` prefixes them with the object's own key path, so every
message names the exact key to fix (``levers[2].level``).

Scenario files are hostile input: a rendered problem is one line, shows at most
:data:`SHOW_LIMIT` characters of a value, and never prints a control character raw
(so a file cannot send escape sequences to the terminal that reads its errors).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any

from pydantic import AfterValidator

SHOW_LIMIT = 80
"""Most characters of a value or a key path that an error message shows."""

CONTROL_FREE = "a text without control characters"
"""What a text field expects when it holds a control character."""


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()
"""Stands for 'no value' in a :class:`Problem` (a missing key, a whole file)."""


def printable(text: str) -> str:
    """``text`` with every non-printable character (control, format, line break) escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def clip(text: str, limit: int = SHOW_LIMIT) -> str:
    """``text`` made :func:`printable` and cut to at most ``limit`` characters."""
    shown = printable(text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def show(value: Any) -> str:
    """A short, readable rendering of a value from a scenario file.

    Strings are quoted with their control characters escaped; anything else is shown
    as JSON (ASCII only). Whatever the value, the result has at most
    :data:`SHOW_LIMIT` characters and no control character.
    """
    if isinstance(value, str):
        return clip(repr(value[: SHOW_LIMIT + 1]))
    try:
        text = json.dumps(value, default=str)
    except (ValueError, TypeError, RecursionError):
        text = f"<a {type(value).__name__} that cannot be shown>"
    return clip(text)


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a control character (category Cc) other than newline and tab."""
    return any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text)


def _control_free(text: str) -> str:
    if has_control_characters(text):
        raise ValueError(CONTROL_FREE)
    return text


PlainText = Annotated[str, AfterValidator(_control_free)]
"""A text field of a scenario (a title, a label): no control characters but newline and tab."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake: its key path, the value found there, and what was expected."""

    path: str
    value: Any
    expected: str

    def __str__(self) -> str:
        """``path = value: expected``, or ``path: expected`` when there is no value.

        One line, with every non-printable character escaped, whatever the parts hold.
        """
        where = clip(self.path) if self.path else "(top level)"
        expected = printable(self.expected)
        if self.value is MISSING:
            return f"{where}: {expected}"
        return f"{where} = {show(self.value)}: {expected}"


class FieldProblems(ValueError):
    """Raised by a validator that found problems in named fields of what it checks."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        """Collect the problems; their paths are relative to the object checked."""
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def enum_member[E: Enum](enum: type[E], value: object, names: dict[str, E], what: str) -> object:
    """Turn a name (a string) or a stored value into a member of ``enum``.

    Anything else is passed on for pydantic to reject with its own message.

    Raises:
        ValueError: Listing the names, if a string names no member.
    """
    if isinstance(value, enum):
        return value
    if isinstance(value, str):
        if value not in names:
            raise ValueError(f"an unknown {what}; expected one of: {', '.join(names)}")
        return names[value]
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return enum(value)
        except ValueError:
            raise ValueError(f"an unknown {what}; expected one of: {', '.join(names)}") from None
    return value
