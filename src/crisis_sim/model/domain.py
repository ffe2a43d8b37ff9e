"""The model's discrete vocabulary: issues, escalation rungs, actions and outcomes.

Each issue sits on a scale from the Western status quo (0) to Russia's written
demand of 17 December 2021 (1), as THEORY.md suggests; the brief's offers and red
lines are points on these scales.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

DEFAULT_HORIZON = 51
"""Weeks simulated by default: from t0 to 5 January 2023, the rest of 2022 and a week."""


Sampling = Literal["monte_carlo", "latin_hypercube"]
"""The sampling designs of the parameter sets (:mod:`crisis_sim.model.sampling`)."""

SAMPLINGS: tuple[str, ...] = ("monte_carlo", "latin_hypercube")
"""The sampling designs, by name."""


class Issue(IntEnum):
    """The brief's issues, in the order of every per-issue array in the model."""

    ENLARGEMENT = 0
    """NATO enlargement to Ukraine and Georgia (RU-D1); 1 = a binding 'never'."""
    EASTERN_FLANK = 1
    """Allied posture on the Eastern Flank (RU-D2); 1 = allied troops withdrawn."""
    UKRAINE_COOPERATION = 2
    """Western military cooperation with Ukraine (RU-D3); 1 = ended."""
    INF_MISSILES = 3
    """Ground-launched intermediate-range missiles (RU-P1, US-O1); 1 = full moratorium."""
    EXERCISES = 4
    """Scale and transparency of exercises (US-O2, NATO-O1); 1 = strict limits."""
    RISK_REDUCTION = 5
    """Risk reduction and channels of communication (NATO-O2); 1 = full new mechanisms."""

    @property
    def key(self) -> str:
        """The issue's name as used in scenario files and tables."""
        return self.name.lower()


ISSUES: tuple[Issue, ...] = tuple(Issue)
"""All issues, in array order."""

UKRAINE_ISSUES: tuple[Issue, ...] = (Issue.ENLARGEMENT, Issue.UKRAINE_COOPERATION)
"""Terms about Ukraine, which need Ukraine's consent (US-P1, UA-3)."""

RECIPROCAL_ISSUES: tuple[Issue, ...] = (Issue.INF_MISSILES, Issue.EXERCISES, Issue.RISK_REDUCTION)
"""Arms-control items offered on the basis of reciprocity: the face-saving off-ramp."""


class Rung(IntEnum):
    """Russia's escalation ladder (after Kahn 1965, reduced to the brief's steps)."""

    DIPLOMACY = 0
    """Forces withdrawn, talks only; reached only through a deal."""
    BUILD_UP = 1
    """Forces massed on Ukraine's border: the state at t0 (RU-A1)."""
    MILITARY_TECHNICAL = 2
    """'Military-technical' measures: build-up in Belarus, Crimea, Kaliningrad (RU-T1, RU-A3)."""
    LIMITED_INCURSION = 3
    """Recognition of the separatist republics and a limited incursion."""
    FULL_INVASION = 4
    """Full-scale invasion of Ukraine: the war runs on (:mod:`crisis_sim.model.war`)."""


class Action(IntEnum):
    """What Russia chooses each week (model card 5.2).

    Each action is the first move of the plans that start with it; its value is that
    of the best of them (:mod:`crisis_sim.model.plans`).
    """

    DE_ESCALATE = 0
    """Step one rung down (rung 2 or 3)."""
    HOLD = 1
    """Stay at this rung, keeping every plan open."""
    ESCALATE = 2
    """Climb one rung, to the military-technical or the incursion rung at most."""
    ACCEPT = 3
    """Settle: accept the package on the table and stand the forces down."""
    INVADE = 4
    """Launch a full-scale invasion: only ever chosen, never an accident."""
    ACCEPT_PARTIAL = 5
    """Agree to the reciprocal items on the table and keep coercing on the rest."""


class InvasionReason(IntEnum):
    """Why a world's invasion was chosen (model card 5.2): how it stood against the best plan."""

    NONE = -1
    """No invasion."""
    BEST_REPLY = 0
    """Invading was Russia's best plan that week."""
    NEAR_BEST = 1
    """Invading was within :data:`crisis_sim.model.russia.NEAR_BEST_MARGIN` of the best plan."""
    LOW_PROBABILITY = 2
    """A low-probability draw of the choice noise: another plan was clearly better."""

    @property
    def key(self) -> str:
        """The reason's name as used in tables and files."""
        return self.name.lower()


class Outcome(IntEnum):
    """The class each world ends in; ``ONGOING`` only while a world still runs.

    What each class means, how it is named and its colour in every figure are in
    :data:`OUTCOME_FACTS` (also as :attr:`label`, :attr:`colour` and :attr:`text`).
    """

    ONGOING = -1
    DE_ESCALATION = 0
    STANDOFF = 1
    LIMITED_INCURSION = 2
    FULL_INVASION = 3
    NATO_RUSSIA_CLASH = 4

    @property
    def key(self) -> str:
        """The outcome's name as used in tables and files."""
        return self.name.lower()

    @property
    def label(self) -> str:
        """The outcome's name in figures and text."""
        return OUTCOME_FACTS[self].label

    @property
    def colour(self) -> str:
        """The outcome's colour in every figure."""
        return OUTCOME_FACTS[self].colour

    @property
    def text(self) -> str:
        """One line saying when a world ends in this outcome."""
        return OUTCOME_FACTS[self].text


@dataclass(frozen=True)
class OutcomeFacts:
    """How one outcome is named, drawn and explained."""

    label: str
    """Its name in figures and text."""
    colour: str
    """Its colour in every figure (hex RGB)."""
    text: str
    """One line saying when a world ends in it."""


OUTCOME_FACTS: dict[Outcome, OutcomeFacts] = {
    Outcome.ONGOING: OutcomeFacts("Ongoing", "#999999", "The world has not ended yet."),
    Outcome.DE_ESCALATION: OutcomeFacts(
        "Negotiated de-escalation", "#009E73", "A deal was accepted: negotiated de-escalation."
    ),
    Outcome.STANDOFF: OutcomeFacts(
        "Standoff", "#56B4E9", "The horizon came with no deal and no incursion."
    ),
    Outcome.LIMITED_INCURSION: OutcomeFacts(
        "Limited incursion", "#E69F00", "Russia stood at the incursion rung at the horizon."
    ),
    Outcome.FULL_INVASION: OutcomeFacts(
        "Full-scale invasion", "#D55E00", "Russia launched a full-scale invasion."
    ),
    Outcome.NATO_RUSSIA_CLASH: OutcomeFacts(
        "NATO-Russia clash", "#000000", "A direct military clash between NATO and Russia."
    ),
}
"""The per-outcome table: label, colour and one line of text of every outcome, by class.

The colours of the five terminal outcomes are the Okabe-Ito palette, which stays
distinguishable for colour-blind readers (Okabe and Ito 2008); worlds still running
are grey.
"""

OUTCOMES: tuple[Outcome, ...] = tuple(o for o in Outcome if o is not Outcome.ONGOING)
"""The five terminal classes, in table order."""
