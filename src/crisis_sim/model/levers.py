"""Levers: the choices a scenario pulls for any actor, with their timing or condition.

A lever is an offer, a concession or a policy by a Western actor or Ukraine; a move
by Russia; a step by one named ally (by its ISO code); a third country's part
(hosting Russian forces, backing Russia economically); a partial agreement on named
issues; or a scheduled shock. It fires once in each world, in the first week (at or
after ``week``) in which its condition holds, at the start of that week, so Russia's
choice that week already sees it.

Each kind says plainly whether it is a *forced move* (the model makes the move
whatever the actor's values; Russia's choices after it are its own again), a *change
in what an actor values* (the move stays the actor's choice), a *policy* or an
*event* (:mod:`crisis_sim.model.lever_catalogue` holds the words for each kind).
What each kind does is one small function in :data:`LEVER_EFFECTS`.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Self

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from crisis_sim.model.domain import UKRAINE_ISSUES, Issue, Rung
from crisis_sim.model.members import load_members
from crisis_sim.problems import MISSING, FieldProblems, PlainText, Problem, enum_member

if TYPE_CHECKING:
    from crisis_sim.model.alliance import NatoMember
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
    RUSSIA = "russia"
    """Russia's own moves, forced or as a change in what it values."""
    ALLY = "ally"
    """One NATO ally, named by its ISO code in the lever's ``ally`` key."""
    THIRD_COUNTRY = "third_country"
    """A country outside NATO and the crisis pair (Belarus, China, ...), named in ``country``."""
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
    MILITARY_TECHNICAL = "military_technical"
    """Forced move: Russia takes 'military-technical' measures (RU-T1): rung 2 now."""
    RECOGNITION = "recognition"
    """Forced move: Russia recognises the separatist republics: the incursion rung (3) now."""
    ULTIMATUM = "ultimatum"
    """Forced move at a deadline: Russia climbs a rung ``deadline`` weeks on unless the
    deal on the table is then worth ``level`` (0-1) of its demands to it."""
    GAS_CUTOFF = "gas_cutoff"
    """Russia cuts a share ``level`` (0-1) of its gas to the allies: the gas lever is spent."""
    ACCEPT_PARTIAL = "accept_partial"
    """Forced move: Russia agrees now to what the table holds on ``issues`` (each at least
    ``level``); the crisis continues on the rest."""
    PROPOSE_PARTIAL = "propose_partial"
    """Change in what Russia values: from now Russia may agree in part on ``issues`` too."""
    STAND_DOWN = "stand_down"
    """Forced move: Russia stands its forces down unilaterally; coercion ends this week."""
    WILLINGNESS = "willingness"
    """Shift one ally's own willingness to punish Russia by ``level`` (-1 to 1) from now on."""
    VETO = "veto"
    """One ally agrees to collective measures only up to consensus level ``level`` (0-1)."""
    DELAY = "delay"
    """One ally holds collective measures where they stand for ``level`` weeks (1-26)."""
    LEAVE_CONSENSUS = "leave_consensus"
    """One ally stands aside: out of collective decisions and collective sanctions."""
    JOIN_CONSENSUS = "join_consensus"
    """One ally takes the Alliance's common line (its GDP-weighted mean) from now on."""
    NATIONAL_MEASURES = "national_measures"
    """One ally imposes sanctions of tier ``level`` (0-3) alone, whatever the consensus."""
    HOST_FORCES = "host_forces"
    """A third country hosts Russian forces: a second axis adds to Russia's force."""
    ECONOMIC_BACKING = "economic_backing"
    """A third country offsets a share ``level`` (0-1) of what sanctions cost Russia."""
    PARTIAL_AGREEMENT = "partial_agreement"
    """The actor and Russia agree on ``issues`` at ``level`` (0-1) now; the crisis
    continues on the rest."""


LEVEL_BOUNDS: dict[LeverKind, tuple[float, float]] = {
    LeverKind.OFFER: (0.0, 1.0),
    LeverKind.CONCEDE: (0.0, 1.0),
    LeverKind.SANCTIONS: (0.0, 3.0),
    LeverKind.POSTURE: (0.0, 2.0),
    LeverKind.SUPPORT: (0.0, 2.0),
    LeverKind.COMMITMENT: (0.0, 1.0),
    LeverKind.COHESION_SHOCK: (-1.0, 1.0),
    LeverKind.INCIDENT: (0.0, 1.0),
    LeverKind.MILITARY_TECHNICAL: (1.0, 1.0),
    LeverKind.RECOGNITION: (1.0, 1.0),
    LeverKind.ULTIMATUM: (0.0, 1.0),
    LeverKind.GAS_CUTOFF: (0.0, 1.0),
    LeverKind.ACCEPT_PARTIAL: (0.0, 1.0),
    LeverKind.PROPOSE_PARTIAL: (1.0, 1.0),
    LeverKind.STAND_DOWN: (1.0, 1.0),
    LeverKind.WILLINGNESS: (-1.0, 1.0),
    LeverKind.VETO: (0.0, 1.0),
    LeverKind.DELAY: (1.0, 26.0),
    LeverKind.LEAVE_CONSENSUS: (1.0, 1.0),
    LeverKind.JOIN_CONSENSUS: (1.0, 1.0),
    LeverKind.NATIONAL_MEASURES: (0.0, 3.0),
    LeverKind.HOST_FORCES: (0.0, 1.0),
    LeverKind.ECONOMIC_BACKING: (0.0, 1.0),
    LeverKind.PARTIAL_AGREEMENT: (0.0, 1.0),
}
"""Valid ``level`` for each kind; an all-or-nothing move takes ``level = 1`` only."""

_WESTERN = frozenset({LeverActor.UNITED_STATES, LeverActor.NATO, LeverActor.WEST})
_RUSSIA = frozenset({LeverActor.RUSSIA})
_ALLY = frozenset({LeverActor.ALLY})
_THIRD = frozenset({LeverActor.THIRD_COUNTRY})

ACTORS_BY_KIND: dict[LeverKind, frozenset[LeverActor]] = {
    LeverKind.OFFER: frozenset(
        {LeverActor.UNITED_STATES, LeverActor.NATO, LeverActor.WEST, LeverActor.UKRAINE}
    ),
    LeverKind.CONCEDE: _WESTERN,
    LeverKind.SANCTIONS: _WESTERN,
    LeverKind.POSTURE: _WESTERN,
    LeverKind.SUPPORT: _WESTERN,
    LeverKind.COMMITMENT: _WESTERN,
    LeverKind.COHESION_SHOCK: frozenset({LeverActor.EVENT}),
    LeverKind.INCIDENT: frozenset({LeverActor.EVENT}),
    LeverKind.MILITARY_TECHNICAL: _RUSSIA,
    LeverKind.RECOGNITION: _RUSSIA,
    LeverKind.ULTIMATUM: _RUSSIA,
    LeverKind.GAS_CUTOFF: _RUSSIA,
    LeverKind.ACCEPT_PARTIAL: _RUSSIA,
    LeverKind.PROPOSE_PARTIAL: _RUSSIA,
    LeverKind.STAND_DOWN: _RUSSIA,
    LeverKind.WILLINGNESS: _ALLY,
    LeverKind.VETO: _ALLY,
    LeverKind.DELAY: _ALLY,
    LeverKind.LEAVE_CONSENSUS: _ALLY,
    LeverKind.JOIN_CONSENSUS: _ALLY,
    LeverKind.NATIONAL_MEASURES: _ALLY,
    LeverKind.HOST_FORCES: _THIRD,
    LeverKind.ECONOMIC_BACKING: _THIRD,
    LeverKind.PARTIAL_AGREEMENT: _WESTERN,
}
"""Who may pull each kind of lever."""

HIGHEST_LEVEL_KINDS: frozenset[LeverKind] = frozenset(
    {
        LeverKind.OFFER,
        LeverKind.CONCEDE,
        LeverKind.SANCTIONS,
        LeverKind.POSTURE,
        LeverKind.SUPPORT,
        LeverKind.GAS_CUTOFF,
        LeverKind.NATIONAL_MEASURES,
    }
)
"""Kinds whose levels do not add up: two such levers firing together count as the higher.

Commitments, cohesion shocks, incidents, an ally's willingness shifts, hosting and
economic backing add up instead (two shocks shift twice); of an ally's vetoes and
delays the latest holds.
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
    if lo == hi:
        expected = f"level {lo:g}: {_article(kind.value)} lever is all or nothing"
        return [Problem("level", level, expected)]
    return [Problem("level", level, f"a level from {lo:g} to {hi:g} for {_article(kind.value)}")]


ISSUES_KINDS: frozenset[LeverKind] = frozenset(
    {LeverKind.ACCEPT_PARTIAL, LeverKind.PROPOSE_PARTIAL, LeverKind.PARTIAL_AGREEMENT}
)
"""Kinds that name the issues they bear on in ``issues`` (a list)."""


def ally_codes() -> tuple[str, ...]:
    """The ISO 3166-1 alpha-3 codes of NATO's 30 allies of January 2022, in table order."""
    return tuple(record.iso3 for record in load_members())


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
        bypass_ukraine_consent: For an offer or a partial agreement on Ukraine's terms:
            put it on the table (or agree it) without Ukraine's consent, against the U.S.
            principle US-P1.
        ally: For an ``ally`` lever: the ally's ISO 3166-1 alpha-3 code (``DEU``).
        issues: For partial agreements (``accept_partial``, ``propose_partial``,
            ``partial_agreement``): the issues agreed on, by name.
        deadline: For an ultimatum: weeks from its firing to its deadline.
        country: For a ``third_country`` lever: the country's name (for logs only).
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
    ally: str | None = Field(default=None, json_schema_extra={"enum": list(ally_codes())})
    issues: tuple[Issue, ...] = ()
    deadline: int | None = Field(default=None, ge=1)
    country: PlainText = ""
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

    @field_validator("issues", mode="before")
    @classmethod
    def _issues_by_name(cls, value: object) -> object:
        if not isinstance(value, list | tuple):
            return value
        return tuple(enum_member(Issue, item, ISSUE_NAMES, "issue") for item in value)

    @field_validator("ally")
    @classmethod
    def _known_ally(cls, value: str | None) -> str | None:
        codes = ally_codes()
        if value is not None and value not in codes:
            raise ValueError(
                f"an unknown ally; expected the ISO code of one of NATO's 30 allies: "
                f"{', '.join(codes)}"
            )
        return value

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
        problems += self._actor_key_problems() + self._kind_key_problems()
        if problems:
            raise FieldProblems(problems)
        return self

    def _actor_key_problems(self) -> list[Problem]:
        """``ally`` and ``country`` belong to ally and third-country levers only."""
        problems = []
        if self.actor is LeverActor.ALLY and self.ally is None:
            problems.append(
                Problem(
                    "ally", MISSING, "an ally's ISO code (such as DEU): an ally lever needs one"
                )
            )
        if self.actor is not LeverActor.ALLY and self.ally is not None:
            problems.append(Problem("ally", self.ally, 'no ally: only actor = "ally" names one'))
        if self.actor is not LeverActor.THIRD_COUNTRY and self.country:
            problems.append(
                Problem(
                    "country", self.country, 'no country: only actor = "third_country" names one'
                )
            )
        return problems

    def _kind_key_problems(self) -> list[Problem]:
        """``issues`` for partial agreements (no issue twice), ``deadline`` for ultimatums."""
        problems = []
        article = _article(self.kind.value)
        if self.kind in ISSUES_KINDS and not self.issues:
            problems.append(
                Problem("issues", MISSING, f"a list of issues: {article} lever needs one")
            )
        if self.kind not in ISSUES_KINDS and self.issues:
            problems.append(
                Problem(
                    "issues", [i.key for i in self.issues], f"no issues: {article} lever takes none"
                )
            )
        if len(set(self.issues)) != len(self.issues):
            problems.append(
                Problem("issues", [i.key for i in self.issues], "a list naming each issue once")
            )
        ukrainian = [i.key for i in self.issues if i in UKRAINE_ISSUES]
        if (
            self.kind is LeverKind.PARTIAL_AGREEMENT
            and ukrainian
            and not self.bypass_ukraine_consent
        ):
            problems.append(
                Problem(
                    "issues",
                    ukrainian,
                    "no issue about Ukraine without bypass_ukraine_consent = true (US-P1: nothing "
                    "about Ukraine without Ukraine)",
                )
            )
        if self.kind is LeverKind.ULTIMATUM and self.deadline is None:
            problems.append(
                Problem(
                    "deadline", MISSING, "the weeks from the ultimatum to its deadline (1 or more)"
                )
            )
        if self.kind is not LeverKind.ULTIMATUM and self.deadline is not None:
            problems.append(
                Problem("deadline", self.deadline, f"no deadline: {article} lever takes none")
            )
        return problems

    def describe(self) -> str:
        """One line for logs: who does what, on which issue, how far."""
        who = self.ally or self.country or self.actor.value
        what = f"{who} {self.kind.value}"
        if self.issue is not None:
            what += f" on {self.issue.key}"
        if self.issues:
            what += " on " + ", ".join(issue.key for issue in self.issues)
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


def _military_technical(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """Forced move: Russia stands at the military-technical rung now (never lower)."""
    model.russia.force_rung(Rung.MILITARY_TECHNICAL, due, lever.describe())


def _recognition(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """Forced move: recognition of the separatist republics is the incursion rung (3)."""
    model.russia.force_rung(Rung.LIMITED_INCURSION, due, lever.describe())


def _ultimatum(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """Set the ultimatum's demand and deadline; Russia enforces it then (``Russia.step``)."""
    assert lever.deadline is not None
    model.russia.issue_ultimatum(due, lever.level, model.week + lever.deadline)


def _gas_cutoff(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """Cut a share of gas to the allies: the gas lever over them is spent by that share."""
    model.nato.cut_gas(due, lever.level)


def _accept_partial(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """Forced move: Russia agrees to what the table holds on the issues (at least the level)."""
    model.deal.agree_on_table(model, lever.issues, due, lever.level)


def _propose_partial(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """Change in what Russia values: its agree-in-part option covers the issues from now."""
    model.deal.open_partial(lever.issues, due)


def _stand_down(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """Forced move: Russia stands its forces down; the world ends this week, coercion over."""
    del lever
    model.russia.stand_down(due)


def _partial_agreement(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """The actor and Russia agree on the issues at the level (the U.S. alone: its share)."""
    alone = lever.actor is LeverActor.UNITED_STATES
    terms = np.zeros((len(Issue), 1))
    for issue in lever.issues:
        share = model.p.west.us_share[int(issue)] if alone else 1.0
        terms[int(issue)] = lever.level * share
    model.deal.agree_terms(model, terms, due)


def _member(model: CrisisModel, lever: Lever) -> NatoMember:
    assert lever.ally is not None
    return model.nato.member(lever.ally)


def _willingness(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """Shift the ally's own willingness by the level from now on."""
    _member(model, lever).shift_willingness(due, lever.level)


def _veto(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """The ally agrees to collective measures only up to the consensus level ``level``."""
    _member(model, lever).block(due, lever.level, until=-1)


def _delay(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """The ally holds collective measures at today's consensus for ``level`` weeks."""
    until = model.week + int(np.ceil(lever.level))
    _member(model, lever).block(due, model.nato.consensus, until=until)


def _leave_consensus(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """The ally stands aside from collective decisions and collective sanctions."""
    _member(model, lever).set_stance(due, outside=True)


def _join_consensus(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """The ally takes the Alliance's common line (and rejoins it if it had stood aside)."""
    _member(model, lever).set_stance(due, outside=False)


def _national_measures(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """The ally imposes sanctions of the tier alone, whatever the consensus."""
    _member(model, lever).impose_national(due, lever.level)


def _host_forces(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """A second axis from the host's territory adds to Russia's force (and so its war)."""
    model.russia.add_axis(due, lever.level)


def _economic_backing(model: CrisisModel, lever: Lever, due: np.ndarray) -> None:
    """The backer offsets a share of what sanctions cost Russia (shares add up, to 1)."""
    model.russia.add_backing(due, lever.level)


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
    LeverKind.MILITARY_TECHNICAL: _military_technical,
    LeverKind.RECOGNITION: _recognition,
    LeverKind.ULTIMATUM: _ultimatum,
    LeverKind.GAS_CUTOFF: _gas_cutoff,
    LeverKind.ACCEPT_PARTIAL: _accept_partial,
    LeverKind.PROPOSE_PARTIAL: _propose_partial,
    LeverKind.STAND_DOWN: _stand_down,
    LeverKind.WILLINGNESS: _willingness,
    LeverKind.VETO: _veto,
    LeverKind.DELAY: _delay,
    LeverKind.LEAVE_CONSENSUS: _leave_consensus,
    LeverKind.JOIN_CONSENSUS: _join_consensus,
    LeverKind.NATIONAL_MEASURES: _national_measures,
    LeverKind.HOST_FORCES: _host_forces,
    LeverKind.ECONOMIC_BACKING: _economic_backing,
    LeverKind.PARTIAL_AGREEMENT: _partial_agreement,
}
"""What each kind of lever does, one function per kind."""
