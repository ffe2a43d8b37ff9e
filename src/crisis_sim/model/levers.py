"""Levers: the policy choices a scenario pulls, with their timing or condition.

A lever is an offer, a concession or a policy by a Western actor or Ukraine, or a
scheduled shock. It fires once in each world, in the first week (at or after
``week``) in which its condition holds, at the start of that week, so Russia's
choice that week already sees it.

What each kind of lever does is one small function in :data:`LEVER_EFFECTS`.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from crisis_sim.model.domain import Issue, Rung
from crisis_sim.problems import MISSING, FieldProblems, PlainText, Problem, enum_member

if TYPE_CHECKING:
    from crisis_sim.model.crisis import CrisisModel


def _article(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


class LeverActor(StrEnum):
    """Who pulls a lever."""

    UNITED_STATES = "united_states"
    NATO = "nato"
    WEST = "west"
    """The United States and NATO together."""
    UKRAINE = "ukraine"
    EVENT = "event"
    """No actor: a scheduled shock."""


class LeverKind(StrEnum):
    """What a lever does."""

    OFFER = "offer"
    """Put terms on the table on ``issue`` up to ``level``; granted only in a deal."""
    CONCEDE = "concede"
    """Grant ``level`` on ``issue`` now, unilaterally (what H1 warns against)."""
    SANCTIONS = "sanctions"
    """Impose sanctions up to tier ``level`` (0-3) now."""
    POSTURE = "posture"
    """Reinforce the Eastern Flank up to level ``level`` (0-2) now."""
    SUPPORT = "support"
    """Raise support to Ukraine up to level ``level`` (0-2) now."""
    COMMITMENT = "commitment"
    """Announce threats publicly: adds ``level`` (0-1) times the prior's strength in
    pseudo-observations of resolve to Russia's belief in Western threats."""
    COHESION_SHOCK = "cohesion_shock"
    """Shift every ally's willingness by ``level`` (-1 to 1) from now on."""
    INCIDENT = "incident"
    """A military incident: raises tension among the allies; never moves Russia's rung."""


LEVEL_BOUNDS: dict[LeverKind, tuple[float, float]] = {
    LeverKind.OFFER: (0.0, 1.0),
    LeverKind.CONCEDE: (0.0, 1.0),
    LeverKind.SANCTIONS: (0.0, 3.0),
    LeverKind.POSTURE: (0.0, 2.0),
    LeverKind.SUPPORT: (0.0, 2.0),
    LeverKind.COMMITMENT: (0.0, 1.0),
    LeverKind.COHESION_SHOCK: (-1.0, 1.0),
    LeverKind.INCIDENT: (0.0, 1.0),
}
"""Valid ``level`` for each kind."""

ACTORS_BY_KIND: dict[LeverKind, frozenset[LeverActor]] = {
    LeverKind.OFFER: frozenset(
        {LeverActor.UNITED_STATES, LeverActor.NATO, LeverActor.WEST, LeverActor.UKRAINE}
    ),
    LeverKind.CONCEDE: frozenset({LeverActor.UNITED_STATES, LeverActor.NATO, LeverActor.WEST}),
    LeverKind.SANCTIONS: frozenset({LeverActor.UNITED_STATES, LeverActor.NATO, LeverActor.WEST}),
    LeverKind.POSTURE: frozenset({LeverActor.UNITED_STATES, LeverActor.NATO, LeverActor.WEST}),
    LeverKind.SUPPORT: frozenset({LeverActor.UNITED_STATES, LeverActor.NATO, LeverActor.WEST}),
    LeverKind.COMMITMENT: frozenset({LeverActor.UNITED_STATES, LeverActor.NATO, LeverActor.WEST}),
    LeverKind.COHESION_SHOCK: frozenset({LeverActor.EVENT}),
    LeverKind.INCIDENT: frozenset({LeverActor.EVENT}),
}
"""Who may pull each kind of lever."""

HIGHEST_LEVEL_KINDS: frozenset[LeverKind] = frozenset(
    {LeverKind.OFFER, LeverKind.CONCEDE, LeverKind.SANCTIONS, LeverKind.POSTURE, LeverKind.SUPPORT}
)
"""Kinds whose levels do not add up: two such levers firing together count as the higher.

Commitments, cohesion shocks and incidents add up instead (two shocks shift twice).
"""

HIGHEST_TALKING_RUNG = Rung.MILITARY_TECHNICAL
"""Russia talks (``when_talking``) only at this rung or below (see ``Russia.talking``)."""


ISSUE_NAMES = {issue.key: issue for issue in Issue}
RUNG_NAMES = {rung.name.lower(): rung for rung in Rung}


def check_level(kind: LeverKind, level: float) -> list[Problem]:
    """Problems with ``level`` for a lever of ``kind``: it must lie in LEVEL_BOUNDS."""
    lo, hi = LEVEL_BOUNDS[kind]
    if lo <= level <= hi:
        return []
    return [Problem("level", level, f"a level from {lo:g} to {hi:g} for {_article(kind.value)}")]


class Lever(BaseModel):
    """One policy choice or shock, with its timing and condition.

    Attributes:
        actor: Who pulls it.
        kind: What it does.
        issue: The issue, for offers and concessions.
        level: How far it goes (see :data:`LEVEL_BOUNDS`).
        week: The earliest week it can fire (0 = t0; week 1 is the first step).
        when_rung_at_least: Fire only once Russia stands at this rung or higher.
        when_talking: Fire only while Russia is talking (it held or stepped down last
            week, at rung 2 or below).
        bypass_ukraine_consent: For an offer on Ukraine's terms: put it on the table
            without Ukraine's consent, against the U.S. principle US-P1.
        label: A short name for logs and tables.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    actor: LeverActor
    kind: LeverKind
    issue: Issue | None = None
    level: float
    week: int = Field(default=0, ge=0)
    when_rung_at_least: Rung | None = None
    when_talking: bool = False
    bypass_ukraine_consent: bool = False
    label: PlainText = ""

    @field_validator("actor", mode="before")
    @classmethod
    def _actor_by_name(cls, value: object) -> object:
        return enum_member(LeverActor, value, {a.value: a for a in LeverActor}, "actor")

    @field_validator("kind", mode="before")
    @classmethod
    def _kind_by_name(cls, value: object) -> object:
        return enum_member(LeverKind, value, {k.value: k for k in LeverKind}, "lever kind")

    @field_validator("issue", mode="before")
    @classmethod
    def _issue_by_name(cls, value: object) -> object:
        return enum_member(Issue, value, ISSUE_NAMES, "issue")

    @field_validator("when_rung_at_least", mode="before")
    @classmethod
    def _rung_by_name(cls, value: object) -> object:
        return enum_member(Rung, value, RUNG_NAMES, "rung")

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems = check_level(self.kind, self.level)
        if self.actor not in ACTORS_BY_KIND[self.kind]:
            allowed = ", ".join(sorted(a.value for a in ACTORS_BY_KIND[self.kind]))
            problems.append(
                Problem(
                    "actor",
                    self.actor.value,
                    f"one of {allowed}: who may pull {_article(self.kind.value)} lever",
                )
            )
        needs_issue = self.kind in (LeverKind.OFFER, LeverKind.CONCEDE)
        if needs_issue and self.issue is None:
            problems.append(
                Problem("issue", MISSING, f"an issue: {_article(self.kind.value)} lever needs one")
            )
        if not needs_issue and self.issue is not None:
            problems.append(
                Problem(
                    "issue",
                    self.issue.key,
                    f"no issue: {_article(self.kind.value)} lever takes none",
                )
            )
        if problems:
            raise FieldProblems(problems)
        return self

    def describe(self) -> str:
        """One line for logs: who does what, on which issue, how far."""
        what = f"{self.actor.value} {self.kind.value}"
        if self.issue is not None:
            what += f" on {self.issue.key}"
        return self.label or f"{what} to {self.level:g}"


# -- what each kind of lever does -------------------------------------------------------


def _raise_floors(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    assert lever.issue is not None
    row = int(lever.issue)
    for floor in model.west.offer_floors(lever.actor):
        floor[row] = np.where(due, np.maximum(floor[row], lever.level), floor[row])


def _offer(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """Raise the actor's offer floor on the issue; maybe set Ukraine's consent aside there."""
    assert lever.issue is not None
    _raise_floors(model, lever, due)
    if lever.bypass_ukraine_consent:
        model.deal.bypass_consent[int(lever.issue)] |= due


def _concede(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """Grant the level now (the U.S. alone only its share of it); Russia reads the concession."""
    assert lever.issue is not None
    alone = lever.actor is LeverActor.UNITED_STATES
    share = model.p.west.us_share[int(lever.issue)] if alone else 1.0
    gain = model.concessions.grant(lever.issue, due, lever.level * share)
    _raise_floors(model, lever, due)
    model.russia.observe_concession(gain)


def _sanctions(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """Impose sanctions up to the tier now; Russia reads them as resolve."""
    west = model.west
    rise = np.where(due, np.maximum(lever.level - west.sanctions, 0.0), 0.0)
    west.sanctions = west.sanctions + rise
    model.russia.observe_west(rise, 0.0, 0.0)


def _posture(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """Reinforce the Eastern Flank up to the level now; Russia reads it as resolve."""
    west = model.west
    rise = np.where(due, np.maximum(lever.level - west.posture, 0.0), 0.0)
    west.posture = west.posture + rise
    model.russia.observe_west(0.0, rise, 0.0)


def _support(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """Raise support to Ukraine up to the level now."""
    west = model.west
    west.support = np.where(due, np.maximum(west.support, lever.level), west.support)


def _commitment(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """Announce threats: level x the prior's strength in pseudo-observations of resolve."""
    russia = model.russia
    strength = model.p.russia.resolve_belief_prior_strength
    russia.resolve_evidence = russia.resolve_evidence + (due * lever.level * strength)


def _cohesion_shock(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """Shift every ally's willingness by the level from now on."""
    model.nato.shock = model.nato.shock + due * lever.level


def _incident(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """A military incident: the allies' willingness rises (``alliance.incident_tension``).

    As :func:`crisis_sim.model.incidents.raise_tension`; Russia's rung does not move.
    """
    del lever
    model.nato.shock = model.nato.shock + due * model.p.alliance.incident_tension


type LeverEffect = Callable[[CrisisModel, Lever, np.ndarray], None]
"""What a lever does in the worlds where it is due: ``effect(model, lever, due)``."""

LEVER_EFFECTS: dict[LeverKind, LeverEffect] = {
    LeverKind.OFFER: _offer,
    LeverKind.CONCEDE: _concede,
    LeverKind.SANCTIONS: _sanctions,
    LeverKind.POSTURE: _posture,
    LeverKind.SUPPORT: _support,
    LeverKind.COMMITMENT: _commitment,
    LeverKind.COHESION_SHOCK: _cohesion_shock,
    LeverKind.INCIDENT: _incident,
}
"""What each kind of lever does, one function per kind."""
