"""The West (model card 5.1 offers, 5.3 and 5.4): its offers, response ladders and what it learns.

The United States and NATO move their offers toward their reservation points as the
risk of war they see grows (:func:`revised_offer`; NATO's offer is revised by
:class:`crisis_sim.model.alliance.Nato`). :class:`West` holds the three response
ladders (sanctions, Eastern Flank posture, support to Ukraine), which rise toward
what Russia's rung triggers as far as the allies agree (:func:`ratchet`) and never
step down, and the West's belief that Russia is revisionist, updated by Bayes from
Russia's choice (:func:`bayes_type_update`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import mesa
import numpy as np

from crisis_sim.model.domain import Issue
from crisis_sim.model.levers import LeverActor

if TYPE_CHECKING:
    from crisis_sim.model.crisis import CrisisModel

SANCTIONS_TIERS = 3.0
"""Structural: the sanctions ladder has tiers 0-3 (US-T1)."""

POSTURE_LEVELS = 2.0
"""Structural: the Eastern Flank posture ladder has levels 0-2 (US-T2)."""

SUPPORT_LEVELS = 2.0
"""Structural: the ladder of support to Ukraine has levels 0-2."""


def rung_table(levels: Sequence[np.ndarray | float], replications: int) -> np.ndarray:
    """Stack one level per rung (a number, or an (R,) array) into a (rungs, R) table."""
    return np.stack(
        [np.broadcast_to(np.asarray(level, dtype=float), (replications,)) for level in levels]
    )


def at_rung(table: np.ndarray, rung: np.ndarray) -> np.ndarray:
    """Each world's entry of a (rungs, R) table at its rung."""
    return np.take_along_axis(table, rung[None], axis=0)[0]


def ratchet(current: np.ndarray, triggered: np.ndarray, cap: np.ndarray | float) -> np.ndarray:
    """A response ladder that never steps down: ``max(current, min(triggered, cap))``."""
    return np.maximum(current, np.minimum(triggered, cap))


def bayes_type_update(
    prior: np.ndarray, likelihood_if_type: np.ndarray, likelihood_otherwise: np.ndarray
) -> np.ndarray:
    """Posterior that Russia is of a type, after an action with the given likelihoods."""
    numerator = prior * likelihood_if_type
    denominator = numerator + (1.0 - prior) * likelihood_otherwise
    return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), prior)


def revised_offer(
    t0_offer: np.ndarray,
    reservation: np.ndarray,
    floor: np.ndarray,
    model: CrisisModel,
) -> np.ndarray:
    """Return an actor's offer for this week.

    It moves from the t0 offer toward the reservation point by flexibility x
    urgency, where urgency is (rung - 1) / ``west.urgency_rungs``, capped at 1, times
    the West's belief that Russia is security-seeking; never below a lever's floor.
    """
    p = model.p.west
    urgency = np.clip((model.russia.rung - 1) / p.urgency_rungs, 0.0, 1.0) * (
        1.0 - model.west.type_belief
    )
    moved = t0_offer + np.maximum(reservation - t0_offer, 0.0) * p.flexibility * urgency
    return np.maximum(moved, floor)


class UnitedStates(mesa.Agent):
    """The United States: its offers (US-O1, US-O2).

    Its offers move from those of t0 toward its reservation points as the risk of
    war it sees grows (US-S1: dialogue as an off-ramp), never below what a lever has
    put on the table. Its unilateral threats (US-T1, US-T2) cap the :class:`West`'s
    ladders from below; the United States is also one of NATO's members.
    """

    def __init__(self, model: CrisisModel) -> None:
        """Put the t0 offers on the table."""
        super().__init__(model)
        size = (len(Issue), model.replications)
        self.offer_floor = np.zeros(size)
        """Least the U.S. offers on each issue, raised by levers."""
        self.offer = np.broadcast_to(model.p.west.us_offer, size).astype(float)

    def step(self) -> None:
        """Revise the offers for this week."""
        p = self.model.p
        offer = revised_offer(p.west.us_offer, p.west.us_reservation, self.offer_floor, self.model)
        self.offer = np.where(self.model.active, offer, self.offer)


class West(mesa.Agent):
    """The West as one: its response ladders and its belief about Russia's type.

    Attributes:
        sanctions: (R,) tier 0-3 of new sanctions imposed (US-T1).
        posture: (R,) level 0-2 of Eastern Flank reinforcement (US-T2).
        support: (R,) level 0-2 of Western military support to Ukraine.
        type_belief: (R,) the West's belief that Russia is revisionist.
        shortfall_seen: (R,) the largest gap seen so far between what the West
            threatened at Russia's rung and what it did.
        sanctions_threatened, posture_threatened, support_triggered: (rungs, R) what
            each rung triggers.
    """

    def __init__(self, model: CrisisModel) -> None:
        """Start with nothing imposed and the prior belief about Russia's type."""
        super().__init__(model)
        p = model.p
        size = model.replications
        self.sanctions = np.zeros(size)
        self.posture = np.zeros(size)
        self.support = np.zeros(size)
        self.type_belief = np.broadcast_to(
            np.asarray(p.russia.revisionist_prior, dtype=float), (size,)
        ).copy()
        self.shortfall_seen = np.zeros(size)
        west = p.west
        self.sanctions_threatened = rung_table(
            (0.0, 0.0, 0.0, west.sanctions_tier_at_incursion, west.sanctions_tier_at_invasion),
            size,
        )
        self.posture_threatened = rung_table(
            (
                0.0,
                0.0,
                west.posture_at_military_technical,
                west.posture_at_incursion,
                west.posture_at_invasion,
            ),
            size,
        )
        self.support_triggered = rung_table(
            (
                0.0,
                0.0,
                west.support_at_military_technical,
                west.support_at_incursion,
                west.support_at_incursion,
            ),
            size,
        )

    def respond(self) -> None:
        """Move the ladders in answer to Russia's rung.

        They rise as far as the Alliance agrees (US-T1, US-T2); the U.S. can go up to
        its unilateral levels alone. Russia learns from what was and was not done.
        """
        model = self.model
        p = model.p
        nato, russia = model.nato, model.russia
        rung = russia.rung
        triggered = at_rung(self.sanctions_threatened, rung)
        posture_triggered = at_rung(self.posture_threatened, rung)
        sanctions_cap = np.maximum(p.west.us_unilateral_sanctions, SANCTIONS_TIERS * nato.consensus)
        posture_cap = np.maximum(p.west.us_unilateral_posture, POSTURE_LEVELS * nato.consensus)
        sanctions = ratchet(self.sanctions, triggered, sanctions_cap)
        posture = ratchet(self.posture, posture_triggered, posture_cap)
        support = ratchet(self.support, at_rung(self.support_triggered, rung), SUPPORT_LEVELS)
        active = model.active
        sanctions = np.where(active, sanctions, self.sanctions)
        posture = np.where(active, posture, self.posture)
        support = np.where(active, support, self.support)
        shortfall = np.maximum(triggered - sanctions, 0.0) + np.maximum(
            posture_triggered - posture, 0.0
        )
        unseen = np.where(active, np.maximum(shortfall - self.shortfall_seen, 0.0), 0.0)
        self.shortfall_seen = np.maximum(self.shortfall_seen, np.where(active, shortfall, 0.0))
        russia.observe_west(sanctions - self.sanctions, posture - self.posture, unseen)
        narration = model.narration
        narration.rises("sanctions tier", self.sanctions, sanctions, "US-T1")
        narration.rises("Eastern Flank posture", self.posture, posture, "US-T2")
        narration.rises("support to Ukraine", self.support, support, "judgement")
        narration.mask(
            unseen > 0,
            "allied shortfall",
            "the Alliance could not agree on all the sanctions or reinforcement threatened",
        )
        self.sanctions, self.posture, self.support = sanctions, posture, support

    def update_type_belief(self) -> None:
        """Bayes: compare how likely Russia's choice was under each type."""
        russia = self.model.russia
        chosen = np.clip(russia.last_action, 0, None)[None]
        like_rev = np.take_along_axis(russia.probabilities_if_revisionist, chosen, axis=0)[0]
        like_sec = np.take_along_axis(russia.probabilities_if_security_seeking, chosen, axis=0)[0]
        posterior = bayes_type_update(self.type_belief, like_rev, like_sec)
        self.type_belief = np.where(russia.last_action >= 0, posterior, self.type_belief)

    def offer_floors(self, actor: LeverActor) -> list[np.ndarray]:
        """The (issues, R) floors under the offers of ``actor`` that its levers raise."""
        model = self.model
        if actor is LeverActor.UNITED_STATES:
            return [model.united_states.offer_floor]
        if actor is LeverActor.NATO:
            return [model.nato.offer_floor]
        if actor is LeverActor.WEST:
            return [model.united_states.offer_floor, model.nato.offer_floor]
        return [model.ukraine.own_offer]
