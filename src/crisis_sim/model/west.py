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

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import mesa
import numpy as np

from crisis_sim.model.bargaining import (
    at_issue,
    distance_part,
    issue_table,
    package_at,
    utility_from_share,
)
from crisis_sim.model.compiled import (
    at_world,
    columns_of,
    crisis_rows,
    exp,
    helper,
    in_rows,
    kernel,
    larger,
    per_world,
    smaller,
    with_rows,
)
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


def logistic(x: np.ndarray | float) -> np.ndarray:
    """The logistic function, ``1 / (1 + exp(-x))``, safe for large ``|x|``.

    From the C library's ``exp`` (:func:`crisis_sim.model.compiled.exp`) of ``-|x|``,
    a number never above 0, so it never overflows: ``e / (1 + e)`` below 0, ``1 / (1 + e)``
    from 0 on.
    """
    x = np.asarray(x, dtype=float)
    shrunk = exp(-np.abs(x))
    return np.where(x < 0.0, shrunk / (1.0 + shrunk), 1.0 / (1.0 + shrunk))


@helper
def offer_utility(
    acceptance: np.ndarray | float,
    concession: np.ndarray | float,
    war_risk: np.ndarray | float,
    war_aversion: np.ndarray | float,
) -> np.ndarray | float:
    """The West's expected utility of an offer (Fearon 1995's risk-return trade-off).

    ``-P(accept) x concession - (1 - P(accept)) x war_aversion x P(war)``: an accepted
    offer costs what it concedes; a refused one leaves the risk of war it sees. For
    arrays or numbers (a helper the kernel :func:`_offers` calls).
    """
    return -acceptance * concession - (1.0 - acceptance) * war_aversion * war_risk


OFFER_STEPS = np.linspace(0.0, 1.0, 5)
"""The offers the West weighs: 0, 1/4, ... of the way from its t0 offer to its reservation point."""

STEP_TOLERANCE = 1e-12
"""How far below the step chosen before a step may be and still count as not below it."""


@helper
def logistic_of(value: float) -> float:
    """:func:`logistic` of one number, for the kernels (the same bits: a test holds them)."""
    shrunk = math.exp(-abs(value))
    return shrunk / (1.0 + shrunk) if value < 0.0 else 1.0 / (1.0 + shrunk)


@helper(inline=False)
def offer_at(t0: float, reservation: float, step: float, floor: float) -> float:
    """An offer ``step`` of the way from ``t0`` toward ``reservation``, never below ``floor``."""
    return larger(t0 + step * larger(reservation - t0, 0.0), floor)


@kernel(
    "void(float64[::1], int64[::1], int64[::1], float64[:, ::1], float64[:, ::1],"
    " float64[:, ::1], float64[:, ::1], float64[:, ::1], float64[:, ::1], float64[:, ::1],"
    " float64[:, ::1], float64[:, ::1], float64[:, ::1], float64[:, ::1], float64[::1], boolean,"
    " boolean, float64[:, ::1], float64[::1], float64[::1], float64[::1], float64[::1],"
    " float64[::1], float64[::1], boolean[::1], float64[::1], int64[::1], float64[:, ::1],"
    " float64[:, ::1])"
)
def _offers(
    steps: np.ndarray,
    varying: np.ndarray,
    fixed: np.ndarray,
    us_t0: np.ndarray,
    us_reservation: np.ndarray,
    nato_t0: np.ndarray,
    nato_reservation: np.ndarray,
    us_floor: np.ndarray,
    nato_floor: np.ndarray,
    us_share: np.ndarray,
    own: np.ndarray,
    granted: np.ndarray,
    salience: np.ndarray,
    us_salience: np.ndarray,
    exponent: np.ndarray,
    plain: bool,
    judged: bool,
    readings: np.ndarray,
    type_belief: np.ndarray,
    precision: np.ndarray,
    war_risk: np.ndarray,
    war_aversion: np.ndarray,
    offer_step: np.ndarray,
    acceptance: np.ndarray,
    live: np.ndarray,
    new_step: np.ndarray,
    chosen: np.ndarray,
    us_offer: np.ndarray,
    nato_offer: np.ndarray,
) -> None:
    """The West's choice of offers, the rule of :meth:`West.choose_offers`, per world.

    For each step of ``steps`` (0 the t0 offers, 1 the reservation points), the U.S. and
    NATO offers on the issues that can move (``varying``; the ``fixed`` ones stay at
    their t0 offers), never below their floors; the package they put on the table
    (:func:`package_at`); what it is worth to Russia (``1 - (sum (s gap)^p / sum
    s^p)^(1/p)``, as :func:`crisis_sim.model.bargaining.issue_utility`); the chance that
    Russia accepts it, ``sum over types of belief x logistic(precision x (settle on it -
    best other plan))``, the types' readings (rows of ``readings``: settle base,
    aspiration, war plan, peace plan, for the revisionist and then the security-seeking
    type) being last week's; what it concedes (the U.S.-salience weighted share given
    beyond the t0 package); and :func:`offer_utility`. The step chosen is the best of
    those not below the step chosen before (the first if none can be judged:
    ``judged`` false). In the worlds still in crisis (``live``), the chance of
    acceptance, the step and both offers on every issue follow the choice.
    """
    count, size = steps.shape[0], live.shape[0]
    moving = varying.shape[0]
    best = np.zeros(size, dtype=np.int64)
    if judged:
        package = np.empty((moving, count, size))
        accept = np.empty((count, size))
        fixed_total, fixed_weight = np.full(size, -0.0), np.full(size, -0.0)
        for issue in fixed:
            for world in range(size):
                term = package_at(
                    larger(at_issue(us_t0, issue, world), us_floor[issue, world]),
                    larger(at_issue(nato_t0, issue, world), nato_floor[issue, world]),
                    at_issue(us_share, issue, world),
                    own[issue, world],
                    granted[issue, world],
                )
                fixed_total[world] += distance_part(
                    salience, issue, world, 1.0 - term, exponent, plain
                )
                fixed_weight[world] += distance_part(salience, issue, world, 1.0, exponent, plain)
        weights = np.full(size, -0.0)
        judged_worlds = np.empty(size, dtype=np.int64)
        for index in range(moving):
            for world in range(size):
                weights[world] += distance_part(
                    salience, varying[index], world, 1.0, exponent, plain
                )
        for world in range(size):
            weights[world] = weights[world] + fixed_weight[world]
            weights[world] = weights[world] if weights[world] > 0.0 else 1.0
        for step in range(count):
            toward = steps[step]
            total = np.full(size, -0.0)
            for index in range(moving):
                issue = varying[index]
                row = package[index, step]
                for world in range(size):
                    row[world] = package_at(
                        offer_at(
                            at_issue(us_t0, issue, world),
                            at_issue(us_reservation, issue, world),
                            toward,
                            us_floor[issue, world],
                        ),
                        offer_at(
                            at_issue(nato_t0, issue, world),
                            at_issue(nato_reservation, issue, world),
                            toward,
                            nato_floor[issue, world],
                        ),
                        at_issue(us_share, issue, world),
                        own[issue, world],
                        granted[issue, world],
                    )
                for world in range(size):
                    total[world] += distance_part(
                        salience, issue, world, 1.0 - row[world], exponent, plain
                    )
            for world in range(size):
                total[world] = (total[world] + fixed_total[world]) / weights[world]
            utility_from_share(total, exponent, plain)
            chance = accept[step]
            # Only the worlds where this step is not below the one chosen before (and all
            # at the first step, whose chance is read where no step can be chosen): a
            # step below is never chosen, so its chance is never read. A list of worlds,
            # not a branch, which the compiler would remove by computing exp everywhere.
            judging = 0
            for world in range(size):
                chance[world] = 0.0
                if live[world] and (step == 0 or toward >= offer_step[world] - STEP_TOLERANCE):
                    judged_worlds[judging] = world
                    judging += 1
            for index in range(judging):
                world = judged_worlds[index]
                belief, slope = type_belief[world], at_world(precision, world)
                for kind in range(2):
                    row_of = 4 * kind
                    settle = readings[row_of, world] + readings[row_of + 1, world] * total[world]
                    other = larger(readings[row_of + 2, world], readings[row_of + 3, world])
                    held = belief if kind == 0 else 1.0 - belief
                    chance[world] += held * logistic_of(slope * (settle - other))
        divisor = np.full(size, -0.0)
        for issue in range(us_salience.shape[0]):
            for world in range(size):
                divisor[world] += at_issue(us_salience, issue, world)
        for world in range(size):
            divisor[world] = divisor[world] if divisor[world] > 0.0 else 1.0
        value = np.empty(size)
        for step in range(count):
            given = np.full(size, -0.0)
            for index in range(moving):
                weight_of = varying[index]
                for world in range(size):
                    gain = package[index, step, world] - package[index, 0, world]
                    given[world] += at_issue(us_salience, weight_of, world) * larger(gain, 0.0)
            for world in range(size):
                utility = offer_utility(
                    accept[step, world],
                    given[world] / divisor[world],
                    war_risk[world],
                    at_world(war_aversion, world),
                )
                if not steps[step] >= offer_step[world] - STEP_TOLERANCE:
                    utility = -np.inf
                better = utility > value[world] or (
                    utility != utility and value[world] == value[world]
                )
                if step == 0 or better:
                    best[world], value[world] = step, utility
        for world in range(size):
            if live[world]:
                acceptance[world] = accept[best[world], world]
    for world in range(size):
        chosen[world] = best[world]
        new_step[world] = steps[best[world]] if live[world] else offer_step[world]
    for issue in range(us_offer.shape[0]):
        for world in range(size):
            if live[world]:
                toward = steps[best[world]]
                us_offer[issue, world] = offer_at(
                    at_issue(us_t0, issue, world),
                    at_issue(us_reservation, issue, world),
                    toward,
                    us_floor[issue, world],
                )
                nato_offer[issue, world] = offer_at(
                    at_issue(nato_t0, issue, world),
                    at_issue(nato_reservation, issue, world),
                    toward,
                    nato_floor[issue, world],
                )


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


@helper
def posterior_of(prior: float, likelihood_if_type: float, likelihood_otherwise: float) -> float:
    """:func:`bayes_type_update` of one world's numbers, for the kernels (the same bits)."""
    numerator = prior * likelihood_if_type
    denominator = numerator + (1.0 - prior) * likelihood_otherwise
    return numerator / denominator if denominator > 0 else prior


@kernel("void(float64[:, ::1], float64[:, ::1], int64[::1], float64[::1])")
def _type_beliefs(
    if_revisionist: np.ndarray,
    if_security_seeking: np.ndarray,
    action: np.ndarray,
    belief: np.ndarray,
) -> None:
    """The West's belief that Russia is revisionist after this week's choice, per world.

    Bayes (:func:`posterior_of`) with the chances of the action chosen under each type
    ((actions, R) tables); unchanged where Russia did not choose (``action`` -1).
    """
    for world in range(belief.shape[0]):
        chosen = action[world]
        if chosen >= 0:
            belief[world] = posterior_of(
                belief[world],
                if_revisionist[chosen, world],
                if_security_seeking[chosen, world],
            )


@kernel(
    "void(float64[::1], float64[::1], float64[::1], float64[::1], float64[::1], float64[::1],"
    " float64[::1], boolean[::1], boolean[::1], float64[::1])"
)
def _war_risks(
    war_if_revisionist: np.ndarray,
    peace_if_revisionist: np.ndarray,
    war_if_security_seeking: np.ndarray,
    peace_if_security_seeking: np.ndarray,
    precision: np.ndarray,
    belief: np.ndarray,
    risk: np.ndarray,
    active: np.ndarray,
    at_war: np.ndarray,
    updated: np.ndarray,
) -> None:
    """The chance of war the West sees, per world (the rule of :meth:`West.update_war_risk`).

    ``belief x logistic(precision x (war - peace))`` under the revisionist type plus the
    rest of the belief times the same under the security-seeking type, in the worlds in
    crisis; 1 in the worlds at war; as it was elsewhere.
    """
    for world in range(risk.shape[0]):
        if active[world]:
            slope = at_world(precision, world)
            revisionist = logistic_of(
                slope * (war_if_revisionist[world] - peace_if_revisionist[world])
            )
            security_seeking = logistic_of(
                slope * (war_if_security_seeking[world] - peace_if_security_seeking[world])
            )
            share = belief[world]
            updated[world] = share * revisionist + (1.0 - share) * security_seeking
        else:
            updated[world] = 1.0 if at_war[world] else risk[world]


@kernel(
    "void(int64[::1], float64[:, ::1], float64[:, ::1], float64[:, ::1], float64[::1],"
    " float64[::1], float64[::1], float64[::1], float64[::1], float64[::1], boolean[::1],"
    " float64[::1], float64[::1], float64[::1], float64[::1], float64[::1], float64[::1],"
    " float64[::1], float64[::1], float64[::1])"
)
def _respond(
    rung: np.ndarray,
    sanctions_threatened: np.ndarray,
    posture_threatened: np.ndarray,
    support_threatened: np.ndarray,
    war_risk: np.ndarray,
    posture_threshold: np.ndarray,
    support_threshold: np.ndarray,
    us_sanctions: np.ndarray,
    us_posture: np.ndarray,
    consensus: np.ndarray,
    live: np.ndarray,
    sanctions: np.ndarray,
    posture: np.ndarray,
    support: np.ndarray,
    shortfall_seen: np.ndarray,
    new_sanctions: np.ndarray,
    new_posture: np.ndarray,
    new_support: np.ndarray,
    unseen: np.ndarray,
    new_shortfall_seen: np.ndarray,
) -> None:
    """The response ladders this week, per world (the rule of :meth:`West.respond`).

    Each ladder rises (never falls) toward what Russia's rung triggers ((rungs, R)
    tables), posture and support at least to level 1 once the chance of war passes
    their thresholds, sanctions and posture no further than the allies agree
    (``levels x consensus``) or the U.S. goes alone; in the worlds not live, as they
    were. ``unseen``: the part of the gap between what was triggered and what was done
    (sanctions and posture) beyond the largest seen so far, which ``new_shortfall_seen``
    then holds.
    """
    for world in range(rung.shape[0]):
        if not live[world]:
            new_sanctions[world] = sanctions[world]
            new_posture[world] = posture[world]
            new_support[world] = support[world]
            unseen[world] = 0.0
            new_shortfall_seen[world] = larger(shortfall_seen[world], 0.0)
            continue
        at = rung[world]
        fearing = war_risk[world]
        triggered = sanctions_threatened[at, world]
        posted = larger(
            posture_threatened[at, world],
            1.0 * (fearing > at_world(posture_threshold, world)),
        )
        armed = larger(
            support_threatened[at, world],
            1.0 * (fearing > at_world(support_threshold, world)),
        )
        agreed = consensus[world]
        sanctions_cap = larger(at_world(us_sanctions, world), SANCTIONS_TIERS * agreed)
        posture_cap = larger(at_world(us_posture, world), POSTURE_LEVELS * agreed)
        imposed = larger(sanctions[world], smaller(triggered, sanctions_cap))
        reinforced = larger(posture[world], smaller(posted, posture_cap))
        new_sanctions[world] = imposed
        new_posture[world] = reinforced
        new_support[world] = larger(support[world], smaller(armed, SUPPORT_LEVELS))
        shortfall = larger(triggered - imposed, 0.0) + larger(posted - reinforced, 0.0)
        unseen[world] = larger(shortfall - shortfall_seen[world], 0.0)
        new_shortfall_seen[world] = larger(shortfall_seen[world], shortfall)


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
        under the offers; the reservation points bound them. The rule is the compiled
        kernel :func:`_offers`.
        """
        model = self.model
        p = model.p
        russia = model.russia
        everywhere = model.replications
        rows = crisis_rows(model.active, model.narration.enabled)
        live = columns_of(model.active, rows)
        size = live.shape[0]
        us, nato = model.united_states, model.nato
        judged = russia.by_type is not None and self.varying_issues.size > 0

        def pick(value: np.ndarray | float, wide: bool = False) -> np.ndarray:
            return in_rows(value, rows, everywhere if wide else 1)

        def table(value: np.ndarray | float) -> np.ndarray:
            return columns_of(issue_table(value), rows)

        if russia.by_type is None:
            readings = np.zeros((8, size))
        else:
            readings = np.stack(
                [
                    pick(reading, wide=True)
                    for values in russia.by_type
                    for reading in (
                        values.settle_base,
                        values.aspiration,
                        values.war_plan,
                        values.peace_plan,
                    )
                ]
            )
        exponent = p.russia.distance_exponent
        acceptance = columns_of(self.acceptance, rows).copy()
        offer_step = np.empty(size)
        chosen = np.empty(size, dtype=np.int64)
        us_offer, nato_offer = table(us.offer).copy(), table(nato.offer).copy()
        _offers(
            OFFER_STEPS,
            self.varying_issues.astype(np.int64),
            self.fixed_issues.astype(np.int64),
            table(p.west.us_offer),
            table(p.west.us_reservation),
            table(p.west.nato_offer),
            table(p.west.nato_reservation),
            table(us.offer_floor),
            table(nato.offer_floor),
            table(p.west.us_share),
            table(model.ukraine.own_offer),
            table(model.concessions.granted),
            table(p.russia.salience),
            table(p.west.us_salience),
            pick(exponent),
            bool(np.ndim(exponent) == 0 and exponent == 1.0),
            judged,
            readings,
            pick(self.type_belief, wide=True),
            pick(p.russia.choice_precision),
            pick(self.war_risk, wide=True),
            pick(p.west.war_aversion),
            pick(self.offer_step, wide=True),
            acceptance,
            live,
            offer_step,
            chosen,
            us_offer,
            nato_offer,
        )
        if judged and model.narration.enabled:
            model.narration.mask(
                live & (OFFER_STEPS[chosen] > self.offer_step + STEP_TOLERANCE),
                "west",
                "the West widens its offers toward its reservation points: the chance of war "
                "it sees is worth more than what the larger offer concedes (Fearon 1995)",
            )
        if rows is not None:
            acceptance = with_rows(self.acceptance, rows, acceptance)
            offer_step = with_rows(per_world(self.offer_step, everywhere), rows, offer_step)
            us_offer = with_rows(us.offer, rows, us_offer)
            nato_offer = with_rows(nato.offer, rows, nato_offer)
        self.acceptance, self.offer_step = acceptance, offer_step
        us.offer, nato.offer = us_offer, nato_offer

    def update_war_risk(self) -> None:
        """The chance the West sees that Russia's best plan ends in war, by its type belief.

        Under each type, the logistic at Russia's war precision of the best plan ending
        in war against the best that does not; once Russia has invaded, 1. The rule is
        the compiled kernel :func:`_war_risks`.
        """
        model = self.model
        russia = model.russia
        if russia.by_type is None:
            return
        rev, sec = russia.by_type
        risk = np.empty(model.replications)
        _war_risks(
            rev.war_plan,
            rev.peace_plan,
            sec.war_plan,
            sec.peace_plan,
            per_world(model.p.russia.war_precision),
            per_world(self.type_belief),
            per_world(self.war_risk),
            model.active,
            model.war.at_war,
            risk,
        )
        self.war_risk = risk

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
        The rule is the compiled kernel :func:`_respond`.
        """
        model = self.model
        p = model.p.west
        russia = model.russia
        size = model.replications
        sanctions, posture, support = np.empty(size), np.empty(size), np.empty(size)
        unseen, shortfall_seen = np.empty(size), np.empty(size)
        _respond(
            np.ascontiguousarray(russia.rung, dtype=np.int64),
            issue_table(self.sanctions_threatened),
            issue_table(self.posture_threatened),
            issue_table(self.support_triggered),
            per_world(self.war_risk, size),
            per_world(p.posture_threshold),
            per_world(p.support_threshold),
            per_world(p.us_unilateral_sanctions),
            per_world(p.us_unilateral_posture),
            per_world(model.nato.consensus, size),
            np.ascontiguousarray(model.live),
            per_world(self.sanctions, size),
            per_world(self.posture, size),
            per_world(self.support, size),
            per_world(self.shortfall_seen, size),
            sanctions,
            posture,
            support,
            unseen,
            shortfall_seen,
        )
        self.shortfall_seen = shortfall_seen
        self.carry_out(sanctions, posture, support, unseen)

    def carry_out(
        self, sanctions: np.ndarray, posture: np.ndarray, support: np.ndarray, unseen: np.ndarray
    ) -> None:
        """Move the ladders to this week's levels (:meth:`respond`); Russia learns from them.

        Russia sees the rises carried out and the ``unseen`` shortfall
        (:meth:`Russia.observe_west`), and the event log records both.
        """
        model = self.model
        model.russia.observe_west(sanctions - self.sanctions, posture - self.posture, unseen)
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
        """Bayes: compare how likely Russia's choice was under each type.

        The rule is the compiled kernel :func:`_type_beliefs`.
        """
        russia = self.model.russia
        belief = self.type_belief.copy()
        _type_beliefs(
            russia.probabilities_if_revisionist,
            russia.probabilities_if_security_seeking,
            np.ascontiguousarray(russia.last_action, dtype=np.int64),
            belief,
        )
        self.type_belief = belief

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
