"""The West (model card 5.1 offers, 5.3 and 5.4): its choices, response ladders and what it learns.

The West chooses. Each week it picks how far the U.S. and NATO offers go, from the t0
offers toward their reservation points, by its expected utility (Fearon 1995's
risk-return trade-off, :func:`offer_utility`): a larger offer is more likely to be
accepted (judged from its belief about Russia's type and what each type would take)
and concedes more. It reinforces the Eastern Flank and arms Ukraine ahead of an attack
once the chance it sees that Russia plans to invade is high enough. :class:`West` holds
the three response ladders (sanctions, Eastern Flank posture, support to Ukraine), which
rise toward what Russia's rung triggers as far as the allies agree (:func:`ratchet`) and
never step down, and the West's belief that Russia is revisionist, updated by Bayes from
Russia's choice (:func:`bayes_type_update`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import mesa
import numpy as np

from crisis_sim.model.bargaining import distance_terms, effective_offer, utility_of_distance
from crisis_sim.model.compiled import exp
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
    return table[rung, np.arange(rung.size)]


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


OFFER_STEPS = np.linspace(0.0, 1.0, 5)
"""The offers the West weighs: 0, 1/4, ... of the way from its t0 offer to its reservation point."""


def logistic(x: np.ndarray | float) -> np.ndarray:
    """The logistic function, ``1 / (1 + exp(-x))``, safe for large ``|x|``.

    From the C library's ``exp`` (:func:`crisis_sim.model.compiled.exp`) of ``-|x|``,
    a number never above 0, so it never overflows: ``e / (1 + e)`` below 0, ``1 / (1 + e)``
    from 0 on.
    """
    x = np.asarray(x, dtype=float)
    shrunk = exp(-np.abs(x))
    return np.where(x < 0.0, shrunk / (1.0 + shrunk), 1.0 / (1.0 + shrunk))


def offer_utility(
    acceptance: np.ndarray,
    concession: np.ndarray,
    war_risk: np.ndarray,
    war_aversion: np.ndarray | float,
) -> np.ndarray:
    """The West's expected utility of an offer (Fearon 1995's risk-return trade-off).

    ``-P(accept) x concession - (1 - P(accept)) x war_aversion x P(war)``: an accepted
    offer costs what it concedes; a refused one leaves the risk of war it sees.
    """
    return -acceptance * concession - (1.0 - acceptance) * war_aversion * war_risk


class UnitedStates(mesa.Agent):
    """The United States: its offers (US-O1, US-O2).

    Its offers are chosen by the :class:`West` (US-S1: dialogue as an off-ramp), never
    below what a lever has put on the table. Its unilateral threats (US-T1, US-T2) cap
    the :class:`West`'s ladders from below; the United States is also one of NATO's
    members.
    """

    def __init__(self, model: CrisisModel) -> None:
        """Put the t0 offers on the table."""
        super().__init__(model)
        size = (len(Issue), model.replications)
        self.offer_floor = np.zeros(size)
        """Least the U.S. offers on each issue, raised by levers."""
        self.offer = np.broadcast_to(model.p.west.us_offer, size).astype(float)


class West(mesa.Agent):
    """The West as one: its response ladders and its belief about Russia's type.

    Attributes:
        sanctions: (R,) tier 0-3 of new sanctions imposed (US-T1).
        posture: (R,) level 0-2 of Eastern Flank reinforcement (US-T2).
        support: (R,) level 0-2 of Western military support to Ukraine.
        type_belief: (R,) the West's belief that Russia is revisionist.
        shortfall_seen: (R,) the largest gap seen so far between what the West
            threatened at Russia's rung and what it did.
        war_risk: (R,) the West's estimate of the chance that Russia's best plan ends in
            an invasion, by its belief about Russia's type (shared with Ukraine).
        offer_step: (R,) how far the offers stand between the t0 offers (0) and the
            reservation points (1), as the West last chose.
        acceptance: (R,) the chance the West expects Russia to accept the chosen offer.
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
        self.war_risk = np.zeros(size)
        self.offer_step = np.zeros(size)
        self.acceptance = np.zeros(size)
        west = p.west
        moves = ((west.us_reservation - west.us_offer) > 0) | (
            (west.nato_reservation - west.nato_offer) > 0
        )
        self.varying_issues = np.flatnonzero(moves.any(axis=1))
        """Issues on which some world's offers can move toward a reservation point."""
        self.fixed_issues = np.flatnonzero(~moves.any(axis=1))
        """Issues on which no world's offers move: the same in every candidate offer."""
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

    def choose_offers(self) -> None:
        """Choose how far the U.S. and NATO offers go this week, by expected utility.

        For each step of :data:`OFFER_STEPS` from the step chosen before (offers once made
        are not withdrawn) the West forms the package, judges the chance that Russia
        accepts it (under each type: the logistic, at Russia's choice precision, of what
        settling on it is worth to Russia against Russia's best plan otherwise, as the
        West saw them last week; weighted by its belief about Russia's type), and takes
        the step of highest :func:`offer_utility`. The concession is the U.S.-salience
        weighted share of the issues given beyond the t0 offers. Levers raise floors
        under the offers; the reservation points bound them.
        """
        model = self.model
        p = model.p
        russia = model.russia
        live = model.active
        us, nato = model.united_states, model.nato
        varying, fixed = self.varying_issues, self.fixed_issues
        steps = OFFER_STEPS[None, :, None]
        us_t0 = p.west.us_offer[varying][:, None]
        nato_t0 = p.west.nato_offer[varying][:, None]
        us_offers = np.maximum(
            us_t0 + steps * np.maximum(p.west.us_reservation[varying][:, None] - us_t0, 0.0),
            us.offer_floor[varying][:, None],
        )
        nato_offers = np.maximum(
            nato_t0 + steps * np.maximum(p.west.nato_reservation[varying][:, None] - nato_t0, 0.0),
            nato.offer_floor[varying][:, None],
        )
        if russia.by_type is None or varying.size == 0:
            chosen = np.zeros(model.replications, dtype=int)
        else:
            own, granted = model.ukraine.own_offer, model.concessions.granted
            share, salience = p.west.us_share, p.russia.salience
            exponent = p.russia.distance_exponent
            packages = np.maximum(
                effective_offer(
                    us_offers, nato_offers, share[varying][:, None], own[varying][:, None]
                ),
                granted[varying][:, None],
            )
            unchanged = np.maximum(
                effective_offer(
                    np.maximum(p.west.us_offer[fixed], us.offer_floor[fixed]),
                    np.maximum(p.west.nato_offer[fixed], nato.offer_floor[fixed]),
                    share[fixed],
                    own[fixed],
                ),
                granted[fixed],
            )
            total, weight = distance_terms(1.0 - packages, salience[varying][:, None], exponent)
            total_fixed, weight_fixed = distance_terms(1.0 - unchanged, salience[fixed], exponent)
            worth = utility_of_distance(total + total_fixed, weight + weight_fixed, exponent)
            precision = p.russia.choice_precision
            acceptance = np.zeros_like(worth)
            for values, belief in zip(
                russia.by_type, (self.type_belief, 1.0 - self.type_belief), strict=True
            ):
                settle = values.settle_base + values.aspiration * worth
                other = np.maximum(values.war_plan, values.peace_plan)
                acceptance += belief * logistic(precision * (settle - other))
            us_salience = p.west.us_salience
            given = np.maximum(packages - packages[:, :1], 0.0)
            weight = us_salience.sum(axis=0)
            concession = (us_salience[varying][:, None] * given).sum(axis=0) / np.where(
                weight > 0, weight, 1.0
            )
            utility = offer_utility(acceptance, concession, self.war_risk, p.west.war_aversion)
            utility = np.where(OFFER_STEPS[:, None] >= self.offer_step - 1e-12, utility, -np.inf)
            chosen = utility.argmax(axis=0)
            self.acceptance = np.where(
                live, np.take_along_axis(acceptance, chosen[None], axis=0)[0], self.acceptance
            )
            model.narration.mask(
                live & (OFFER_STEPS[chosen] > self.offer_step + 1e-12),
                "west",
                "the West widens its offers toward its reservation points: the chance of war "
                "it sees is worth more than what the larger offer concedes (Fearon 1995)",
            )
        self.offer_step = np.where(live, OFFER_STEPS[chosen], self.offer_step)
        chosen_offers = (
            (us, p.west.us_offer, p.west.us_reservation),
            (nato, p.west.nato_offer, p.west.nato_reservation),
        )
        step = OFFER_STEPS[chosen]
        for actor, t0, reservation in chosen_offers:
            offer = np.maximum(t0 + step * np.maximum(reservation - t0, 0.0), actor.offer_floor)
            actor.offer = np.where(live, offer, actor.offer)

    def update_war_risk(self) -> None:
        """The chance the West sees that Russia's best plan ends in war, by its type belief.

        Under each type, the logistic at Russia's war precision of the best plan ending
        in war against the best that does not; once Russia has invaded, 1.
        """
        model = self.model
        russia = model.russia
        if russia.by_type is None:
            return
        precision = model.p.russia.war_precision
        rev, sec = russia.by_type
        risk = self.type_belief * logistic(precision * (rev.war_plan - rev.peace_plan)) + (
            1.0 - self.type_belief
        ) * logistic(precision * (sec.war_plan - sec.peace_plan))
        self.war_risk = np.where(model.active, risk, np.where(model.war.at_war, 1.0, self.war_risk))

    def respond(self) -> None:
        """Move the ladders in answer to Russia's rung, and ahead of an attack it fears.

        They rise as far as the Alliance agrees (US-T1, US-T2); the U.S. can go up to
        its unilateral levels alone. Ahead of any attack, the West reinforces the
        Eastern Flank to level 1 once the chance of war it sees passes
        ``west.posture_threshold``, and arms Ukraine to support level 1 once it passes
        ``west.support_threshold`` (the linear form of its expected-utility rule: act when
        the chance of war times the harm averted exceeds the cost). Sanctions stay a
        threat until Russia acts (US-T1: 'in case Russia attacked'). The ladders keep
        responding in the worlds at war. Russia learns from what was and was not done.
        """
        model = self.model
        p = model.p
        nato, russia = model.nato, model.russia
        rung = russia.rung
        triggered = at_rung(self.sanctions_threatened, rung)
        fearing = self.war_risk
        posture_triggered = np.maximum(
            at_rung(self.posture_threatened, rung), 1.0 * (fearing > p.west.posture_threshold)
        )
        support_triggered = np.maximum(
            at_rung(self.support_triggered, rung), 1.0 * (fearing > p.west.support_threshold)
        )
        sanctions_cap = np.maximum(p.west.us_unilateral_sanctions, SANCTIONS_TIERS * nato.consensus)
        posture_cap = np.maximum(p.west.us_unilateral_posture, POSTURE_LEVELS * nato.consensus)
        sanctions = ratchet(self.sanctions, triggered, sanctions_cap)
        posture = ratchet(self.posture, posture_triggered, posture_cap)
        support = ratchet(self.support, support_triggered, SUPPORT_LEVELS)
        active = model.live
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
