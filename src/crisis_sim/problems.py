"""Problems in what a user hands the package: where, what was found, what was expected.

Validators raise :class:`FieldProblems` with paths relative to the object they check;
:mod:`crisis_sim.scenario` prefixes them with the object's own key path, so every
message names the exact key to fix (``levers[2].level``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()
"""Stands for 'no value' in a :class:`Problem` (a missing key, a whole file)."""


def show(value: Any) -> str:
    """A short, readable rendering of a value from a scenario file."""
    if isinstance(value, str):
        text = repr(value)
    else:
        text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake: its key path, the value found there, and what was expected."""

    path: str
    value: Any
    expected: str

    def __str__(self) -> str:
        """``path = value: expected``, or ``path: expected`` when there is no value."""
        where = self.path or "(top level)"
        if self.value is MISSING:
            return f"{where}: {self.expected}"
        return f"{where} = {show(self.value)}: {self.expected}"


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
            raise ValueError(f"unknown {what} {value!r}; expected one of: {', '.join(names)}")
        return names[value]
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return enum(value)
        except ValueError:
            raise ValueError(
                f"unknown {what} {value!r}; expected one of: {', '.join(names)}"
            ) from None
    return value
