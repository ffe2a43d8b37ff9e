"""The actors of the brief as Mesa agents whose state is an array over R worlds.

Each agent holds its own state and applies the rules of :mod:`crisis_sim.model.rules` to
it; :class:`crisis_sim.model.crisis.CrisisModel` calls them in a fixed weekly order. Every
array's last axis runs over the model's worlds, so R = 1 is one ordinary world and
R = 100,000 is an ensemble stepped at once, by the same code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from crisis_sim.model import rules, streams
from crisis_sim.model.domain import RECIPROCAL_ISSUES, UKRAINE_ISSUES, Action, Issue, Rung
from crisis_sim.model.members import MemberArrays, MemberRecord

if TYPE_CHECKING:
    from crisis_sim.model.crisis import CrisisModel

_UKRAINE_MASK = np.isin(np.arange(len(Issue)), [int(i) for i in UKRAINE_ISSUES])[:, None]
_RECIPROCAL_MASK = np.isin(np.arange(len(Issue)), [int(i) for i in RECIPROCAL_ISSUES])[:, None]


class Russia(mesa.Agent):
    """Russia: climbs or descends its escalation ladder, or accepts the deal on the table.

    Each week it weighs de-escalating, holding, escalating and accepting by expected
    utility (gains on its demands, expected sanctions and reinforcement, Ukraine's
    resistance, the cost of keeping forces massed, audience costs) and chooses with
    logit noise (Signorino 1999). It is privately of a revisionist or a
    security-seeking type (Kydd 2005), and it holds two Beta beliefs that it updates
    from what the West does: that the West carries out its threats (resolve), and that
    the West gives way on its demands under coercion (yield).
    """

    def __init__(self, model: CrisisModel, revisionist: np.ndarray) -> None:
        """Start every world at t0: forces massed (RU-A1), talks declared pointless (RU-A2)."""
        super().__init__(model)
        p = model.p
        size = revisionist.shape
        self.revisionist = revisionist
        """Latent type per world: True for revisionist, False for security-seeking."""
        self.rung = np.full(size, int(Rung.BUILD_UP))
        self.max_rung = self.rung.copy()
        self.weeks_massed = np.zeros(size)
        strength = p.russia.resolve_belief_prior_strength
        credibility = p.west.sanction_credibility
        self.resolve_evidence = np.broadcast_to(credibility * strength, size).astype(float)
        """Beta pseudo-count for 'the West is resolved'."""
        self.weakness_evidence = np.broadcast_to((1.0 - credibility) * strength, size).astype(float)
        """Beta pseudo-count for 'the West is not resolved'."""
        yield_prior = p.russia.yield_prior
        self.yield_evidence = np.broadcast_to(yield_prior * strength, size).astype(float)
        """Beta pseudo-count for 'the West gives way under coercion'."""
        self.firmness_evidence = np.broadcast_to((1.0 - yield_prior) * strength, size).astype(float)
        """Beta pseudo-count for 'the West does not give way'."""
        self.resistance_error = np.broadcast_to(p.russia.resistance_underestimate, size).astype(
            float
        )
        self.conceded = np.zeros(size)
        """Utility to Russia of what the West has granted unilaterally so far."""
        self.talking = np.zeros(size, dtype=bool)
        self.last_action = np.full(size, -1)
        self.first_incursion_week = np.full(size, -1)
        self.utilities = np.zeros((len(Action), *size))
        self.probabilities = np.zeros((len(Action), *size))
        self.probabilities_if_revisionist = self.probabilities
        self.probabilities_if_security_seeking = self.probabilities

    @property
    def resolve_belief(self) -> np.ndarray:
        """Russia's mean belief that the West will carry out its threats in full."""
        return rules.beta_mean(self.resolve_evidence, self.weakness_evidence)

    @property
    def yield_belief(self) -> np.ndarray:
        """Russia's mean belief that the West gives way on its demands under coercion."""
        return rules.beta_mean(self.yield_evidence, self.firmness_evidence)

    def reading_weights(self, revisionist: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weights of the appeasement (H1) and off-ramp readings of a concession.

        Both readings are present in every world; the type decides which weighs more.
        """
        cross = self.model.p.concessions.cross_type_weight
        return np.where(revisionist, 1.0, cross), np.where(revisionist, cross, 1.0)

    def aspiration(self, revisionist: np.ndarray) -> np.ndarray:
        """How much Russia values coercive gains, per world.

        It rises with concessions if Russia reads them as appeasement (H1) and falls
        with them if it reads them as reassurance (the off-ramp reading).
        """
        p = self.model.p
        appeasement, offramp = self.reading_weights(revisionist)
        shift = (
            p.concessions.appeasement_strength * appeasement
            - p.concessions.offramp_strength * offramp
        ) * self.conceded
        return np.maximum(1.0 + p.russia.revisionist_premium * revisionist + shift, 0.0)

    def rung_prospects(self) -> tuple[np.ndarray, np.ndarray]:
        """What each rung offers Russia, before its type is counted; each (rungs, R).

        Returns the gains per unit of aspiration and the costs (before cost
        sensitivity). Rungs 1-3 gain leverage x the belief that the West gives way under
        coercion, of the remaining distance to Russia's demands, and cost the expected
        sanctions and reinforcement (what is in force plus what is threatened at that
        rung, times the belief in Western resolve), the upkeep of massed forces and, at
        the incursion rung, part of the cost of war. Rung 4 gains the chance of winning
        (1 - 0.6 x expected resistance) times the gains on the Ukrainian issues war can
        take, and costs war, sanctions and reinforcement. Rung 0 is reached only through a deal.
        """
        model = self.model
        p = model.p
        west, nato = model.west_state, model.nato
        belief = self.resolve_belief
        status_quo = model.status_quo_utility
        resistance = model.ukraine.resistance * (1.0 - self.resistance_error)
        upkeep = p.russia.upkeep_cost * (1.0 + self.weeks_massed / 26.0)
        sanction_unit = p.west.sanction_cost * nato.participation
        leverage = (
            0.0,
            p.russia.leverage_build_up,
            p.russia.leverage_military_technical,
            p.russia.leverage_incursion,
        )
        coercion = self.yield_belief * (1.0 - status_quo)
        gains = np.zeros((len(Rung), *belief.shape))
        costs = np.zeros((len(Rung), *belief.shape))
        for rung in Rung:
            if rung is Rung.DIPLOMACY:
                continue
            sanctions = rules.expected_level(
                west.sanctions, model.sanctions_threatened[rung], belief
            )
            posture = rules.expected_level(west.posture, rules.POSTURE_THREATENED[rung], belief)
            costs[rung] = sanction_unit * sanctions + p.west.posture_cost * posture
            if rung is Rung.FULL_INVASION:
                victory = 1.0 - rules.VICTORY_SLOPE * resistance
                gains[rung] = victory * np.maximum(model.ukraine_war_utility - status_quo, 0.0)
                costs[rung] += p.russia.war_cost * resistance
                continue
            gains[rung] = leverage[rung] * coercion
            costs[rung] += upkeep * int(rung)
            if rung is Rung.LIMITED_INCURSION:
                costs[rung] += p.russia.war_cost * resistance * rules.INCURSION_WAR_SHARE
        return gains, costs

    def rung_values(
        self,
        revisionist: np.ndarray,
        prospects: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> np.ndarray:
        """Value to Russia of standing at each rung next week, shape (rungs, R).

        ``status quo + aspiration x gains - cost sensitivity x costs``, from
        :meth:`rung_prospects` (computed here unless given); rung 0 is ``-inf``.
        """
        gains, costs = self.rung_prospects() if prospects is None else prospects
        sensitivity = rules.cost_sensitivity(self.model.p.russia.resolve)
        values = (
            self.model.status_quo_utility + self.aspiration(revisionist) * gains
        ) - sensitivity * costs
        values[Rung.DIPLOMACY] = -np.inf
        return values

    def action_utilities(
        self,
        revisionist: np.ndarray,
        prospects: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Expected utility and availability of each action, each shape (actions, R).

        De-escalate: the rung below, less the audience cost of backing down from the
        public rung (Fearon 1994). Hold: this rung. Escalate: the best plan that starts
        at the rung above (standing there, or climbing on to a rung it values more), less
        the one-off threshold cost of each rung crossed (Kahn 1965). Accept: the deal on
        the table, less the audience cost and the cost of walking back the declaration
        that talks are pointless (RU-A2), and less the part of the sanctions and
        reinforcement in force that a deal does not lift (``west.sanctions_relief``);
        the reciprocal items of the deal save face, cutting the backing-down costs by up
        to all of them (the off-ramp reading).
        """
        model = self.model
        p = model.p
        values = self.rung_values(revisionist, prospects)
        threshold = rules.cost_sensitivity(p.russia.resolve) * p.russia.threshold_cost
        plans = rules.ladder_plan_values(values, threshold)
        rung = self.rung
        audience = p.russia.audience_cost * rung
        taken = np.take_along_axis
        below = taken(values, np.clip(rung - 1, 0, len(Rung) - 1)[None], axis=0)[0]
        here = taken(values, np.clip(rung, 0, len(Rung) - 1)[None], axis=0)[0]
        above = taken(plans, np.clip(rung + 1, 0, len(Rung) - 1)[None], axis=0)[0]
        _, offramp = self.reading_weights(revisionist)
        face_saving = np.clip(
            p.concessions.offramp_strength * offramp * model.deal_reciprocity, 0.0, 1.0
        )
        backing_down = (audience + p.russia.talks_walk_back_cost) * (1.0 - face_saving)
        west = model.west_state
        in_force = (
            rules.cost_sensitivity(p.russia.resolve)
            * (1.0 - p.west.sanctions_relief)
            * (
                p.west.sanction_cost * model.nato.participation * west.sanctions
                + p.west.posture_cost * west.posture
            )
        )
        utilities = np.stack(
            [
                below - audience,
                here,
                above - threshold,
                model.deal_utility - backing_down - in_force,
            ]
        )
        available = np.stack(
            [
                rung >= Rung.MILITARY_TECHNICAL,
                np.ones_like(rung, dtype=bool),
                rung <= Rung.LIMITED_INCURSION,
                model.deal_utility > model.status_quo_utility + 1e-9,
            ]
        )
        return utilities, available

    def step(self) -> None:
        """Choose this week's action in every active world and move on the ladder.

        The choice probabilities are computed under both types: the world's own type
        decides, and the West later compares the two to update its belief.
        """
        model = self.model
        active = model.active
        precision = model.p.russia.choice_precision
        prospects = self.rung_prospects()
        by_type = []
        for revisionist in (True, False):
            utilities, available = self.action_utilities(
                np.full(active.shape, revisionist), prospects
            )
            probabilities = rules.logit_choice_probabilities(utilities, available, precision)
            by_type.append((utilities, probabilities))
        (u_rev, p_rev), (u_sec, p_sec) = by_type
        self.probabilities_if_revisionist = p_rev
        self.probabilities_if_security_seeking = p_sec
        self.utilities = np.where(self.revisionist, u_rev, u_sec)
        self.probabilities = np.where(self.revisionist, p_rev, p_sec)
        action = rules.draw_choice(self.probabilities, model.weekly_uniform(streams.CHOICE))
        acting = active & (self.rung < Rung.FULL_INVASION)
        action = np.where(acting, action, -1)
        step = np.select(
            [action == Action.DE_ESCALATE, action == Action.ESCALATE], [-1, 1], default=0
        )
        new_rung = np.where(action == Action.ACCEPT, int(Rung.DIPLOMACY), self.rung + step)
        self.rung = np.where(acting, new_rung, self.rung)
        self.last_action = action
        self.talking = (
            active
            & np.isin(action, (Action.HOLD, Action.DE_ESCALATE))
            & (self.rung <= Rung.MILITARY_TECHNICAL)
        )
        if model.log_events:
            model.log_choices()

    def after_week(self) -> None:
        """Bookkeeping once the week's moves are made: time massed, highest rung, learning.

        A week of coercion in which the West grants nothing is evidence that it will not
        give way (``russia.stalemate_learning``); a week of fighting teaches Russia Ukraine's
        real resistance (``russia.resistance_learning``).
        """
        model = self.model
        active = model.active
        self.max_rung = np.maximum(self.max_rung, self.rung)
        self.weeks_massed = self.weeks_massed + (active & (self.rung >= Rung.BUILD_UP))
        newly = active & (self.rung >= Rung.LIMITED_INCURSION) & (self.first_incursion_week < 0)
        self.first_incursion_week = np.where(newly, model.week, self.first_incursion_week)
        coercing = active & (self.rung >= Rung.BUILD_UP) & (model.conceded_this_week <= 0)
        self.firmness_evidence = (
            self.firmness_evidence + coercing * model.p.russia.stalemate_learning
        )
        fighting = active & (self.rung >= Rung.LIMITED_INCURSION)
        self.resistance_error = np.where(
            fighting,
            self.resistance_error * (1.0 - model.p.russia.resistance_learning),
            self.resistance_error,
        )

    def observe_west(
        self, sanctions_rise: np.ndarray, posture_rise: np.ndarray, shortfall: np.ndarray
    ) -> None:
        """Update the belief in Western resolve from threats carried out or not.

        A tier of sanctions or a level of reinforcement carried out counts as one
        observation of resolve; a tier or level threatened but not carried out (the
        Alliance could not agree) as one of weakness, counted once, when the gap first
        opens or widens (judgement: one pseudo-observation each).
        """
        active = self.model.active
        self.resolve_evidence = self.resolve_evidence + active * (sanctions_rise + posture_rise)
        self.weakness_evidence = self.weakness_evidence + active * shortfall

    def observe_concession(self, utility_gain: np.ndarray) -> None:
        """Take in a concession granted.

        Russia's gains grow. Under the appeasement reading (H1) it also learns that the
        West gives way under coercion and that its threats are weaker than they
        sounded: both beliefs move by appeasement strength x the reading's weight x the
        utility gained x the prior's strength.
        """
        p = self.model.p
        appeasement, _ = self.reading_weights(self.revisionist)
        self.conceded = self.conceded + utility_gain
        evidence = (
            p.concessions.appeasement_strength
            * appeasement
            * utility_gain
            * p.russia.resolve_belief_prior_strength
        )
        self.yield_evidence = self.yield_evidence + evidence
        self.weakness_evidence = self.weakness_evidence + evidence


class UnitedStates(mesa.Agent):
    """The United States: its offers (US-O1, US-O2) and its unilateral threats (US-T1, US-T2).

    Its offers move from those of t0 toward its reservation points as the risk of
    war it sees grows (US-S1: dialogue as an off-ramp), never below what a lever has
    put on the table. The United States is also one of NATO's members.
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
        offer = _revised_offer(p.west.us_offer, p.west.us_reservation, self.offer_floor, self.model)
        self.offer = np.where(self.model.active, offer, self.offer)


class Nato(mesa.Agent):
    """NATO: its offers (NATO-O1, NATO-O2) and its collective decisions.

    Its members' willingness to punish Russia is a (members, R) array, each ally's
    pulled by ``alliance.solidarity`` toward the Alliance's GDP-weighted mean (the
    common line the larger allies carry: Olson and Zeckhauser 1966); cohesion is
    1 - 2 x its spread, and a decision passes at a low quantile of it that rises with
    cohesion (Snyder 1984). Russia's wedge (RU-S1) and debates over concessions
    spread the members apart; visible aggression draws them together (H4).
    """

    def __init__(
        self, model: CrisisModel, records: tuple[MemberRecord, ...], traits: MemberArrays
    ) -> None:
        """Set each member's standing willingness from its traits and this world's draws.

        An ally with no defence spending on record (Iceland, which has no armed forces:
        'not applicable' in ``data/SOURCES.md``) gets no spending effect.
        """
        super().__init__(model)
        p = model.p.alliance
        self.traits = traits
        base = (
            p.base_willingness
            + p.bucharest_nine_effect * traits.bucharest_nine
            + p.border_effect * traits.border
            + p.spending_effect
            * np.where(traits.defence_spending > 0, traits.defence_spending - 2.0, 0.0)
            - p.gas_effect * traits.gas_share
        )
        perception = model.draws.member_normal[: len(records)]
        self.standing_willingness = base + p.perception_noise * perception
        """(members, R) willingness before this week's events."""
        self.wedge_exposure = traits.gas_share * (1.0 - traits.border)
        """(members, 1) how far Russia's wedge reaches each ally: gas dependence, no border."""
        self.debate_camp = 2.0 * traits.frontline - 1.0
        """(members, 1) +1 for frontline allies (pushed up by a debate), -1 for the others."""
        size = model.replications
        self.offer_floor = np.zeros((len(Issue), size))
        self.offer = np.broadcast_to(model.p.west.nato_offer, (len(Issue), size)).astype(float)
        self.wedge = np.zeros(size)
        """How far Russia's wedge has built up, 0-1."""
        self.shock = np.zeros(size)
        """Sum of the cohesion shocks so far."""
        self.willingness = np.empty((len(records), size))
        self.cohesion = np.empty(size)
        self.consensus = np.empty(size)
        self.participation = np.empty(size)
        self.members = [NatoMember(model, record, self, row) for row, record in enumerate(records)]
        self.update_willingness()

    def step(self) -> None:
        """Revise the offers for this week."""
        p = self.model.p
        offer = _revised_offer(
            p.west.nato_offer, p.west.nato_reservation, self.offer_floor, self.model
        )
        self.offer = np.where(self.model.active, offer, self.offer)

    def update_willingness(self) -> None:
        """Recompute members' willingness, cohesion, consensus level and participation.

        Worlds that have ended keep the values they ended with.
        """
        model = self.model
        p = model.p.alliance
        russia = model.russia
        using_force = russia.max_rung >= Rung.LIMITED_INCURSION
        shift = (
            p.aggression_mobilisation * rules.MOBILISATION_BY_RUNG[russia.max_rung]
            + p.rejection_mobilisation * using_force
            + self.shock
        )
        own = self.standing_willingness + shift
        own -= (model.p.russia.wedge_strength * self.wedge) * self.wedge_exposure
        own += (p.concession_debate * model.dispute) * self.debate_camp
        mean = (self.traits.gdp_weight * own).sum(axis=0)
        own *= 1.0 - p.solidarity
        own += p.solidarity * mean
        willingness = np.clip(own, 0.0, 1.0, out=own)
        cohesion = rules.alliance_cohesion(willingness)
        consensus = rules.consensus_level(
            willingness, cohesion, p.consensus_quantile_low, p.consensus_quantile_high
        )
        participation = (self.traits.gdp_weight * willingness).sum(axis=0)
        active = model.active
        if active.all():
            self.willingness, self.cohesion = willingness, cohesion
            self.consensus, self.participation = consensus, participation
        else:
            np.copyto(self.willingness, willingness, where=active)
            self.cohesion = np.where(active, cohesion, self.cohesion)
            self.consensus = np.where(active, consensus, self.consensus)
            self.participation = np.where(active, participation, self.participation)

    def advance_wedge(self) -> None:
        """Build or collapse Russia's wedge.

        The wedge builds in the weeks Russia coerces without force (rung 2 or below) and
        collapses in the weeks it uses force (RU-S1; H4); it can build again if Russia
        steps back down.
        """
        model = self.model
        coercing = model.russia.rung <= Rung.MILITARY_TECHNICAL
        built = self.wedge + (1.0 - self.wedge) * rules.WEDGE_BUILD_RATE
        collapsed = self.wedge * (1.0 - rules.WEDGE_COLLAPSE_RATE)
        self.wedge = np.where(model.active, np.where(coercing, built, collapsed), self.wedge)


class NatoMember(mesa.Agent):
    """One of NATO's 30 allies of January 2022, with its traits from the shipped table.

    Its willingness to punish Russia is its row of the Alliance's (members, R) array,
    computed by :meth:`Nato.update_willingness` for all members at once.
    """

    def __init__(self, model: CrisisModel, record: MemberRecord, alliance: Nato, row: int) -> None:
        """Join the Alliance as its ``row``-th member."""
        super().__init__(model)
        self.record = record
        self.alliance = alliance
        self.row = row

    @property
    def iso3(self) -> str:
        """The ally's ISO 3166-1 alpha-3 code."""
        return self.record.iso3

    @property
    def willingness(self) -> np.ndarray:
        """The ally's willingness to punish Russia in each world, 0-1."""
        return self.alliance.willingness[self.row]


class Ukraine(mesa.Agent):
    """Ukraine: its resistance capacity and its consent to terms about it.

    Resistance rises with Western support; terms about Ukraine need its consent
    (US-P1, UA-3).
    """

    def __init__(self, model: CrisisModel) -> None:
        """Start at the t0 resistance, with no terms offered on its own initiative."""
        super().__init__(model)
        self.resistance = np.broadcast_to(model.p.ukraine.resistance, (model.replications,)).astype(
            float
        )
        self.own_offer = np.zeros((len(Issue), model.replications))
        """Terms Ukraine itself puts on the table (e.g. neutrality)."""

    def accepted_terms(self, terms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The terms about Ukraine that Ukraine accepts, and its consent share, per world.

        Terms it offered itself it always accepts. Beyond them, it accepts terms on the
        Ukrainian issues up to the point where their cost to it (salience x how far they
        go beyond its own offer) equals the threat it faces without a deal, threat
        weight x rung / 4 x (1 - resistance): if the terms cost more, it consents to
        that share of them on each Ukrainian issue (judgement: a partial term stands
        for a time-limited or conditional commitment). Other issues pass unchanged.

        Returns:
            The terms (issues, R) and the share of the excess Ukraine accepts (R,),
            1 when it accepts them all.
        """
        model = self.model
        p = model.p.ukraine
        excess = np.where(_UKRAINE_MASK, np.maximum(terms - self.own_offer, 0.0), 0.0)
        cost = np.sum(p.salience * excess, axis=0)
        threat = p.threat_weight * model.russia.rung / 4.0 * (1.0 - self.resistance)
        over = cost > threat
        share = np.divide(threat, cost, out=np.ones_like(cost), where=over)
        accepted = np.where(_UKRAINE_MASK, self.own_offer + share * excess, terms)
        return accepted, share

    def step(self) -> None:
        """Resistance follows Western support (judgement: no lag)."""
        p = self.model.p.ukraine
        resistance = np.clip(
            p.resistance + p.support_effect * self.model.west_state.support, 0.0, 1.0
        )
        self.resistance = np.where(self.model.active, resistance, self.resistance)


def _revised_offer(
    t0_offer: np.ndarray, reservation: np.ndarray, floor: np.ndarray, model: CrisisModel
) -> np.ndarray:
    """Return an actor's offer for this week.

    It moves from the t0 offer toward the reservation point by flexibility x
    urgency, where urgency is (rung - 1) / 2, capped at 1, times the West's belief that
    Russia is security-seeking; never below a lever's floor (judgement).
    """
    urgency = np.clip((model.russia.rung - 1) / 2.0, 0.0, 1.0) * (1.0 - model.type_belief)
    moved = t0_offer + np.maximum(reservation - t0_offer, 0.0) * model.p.west.flexibility * urgency
    return np.maximum(moved, floor)


def ukraine_terms_mask() -> np.ndarray:
    """(issues, 1) boolean mask of the issues about Ukraine."""
    return _UKRAINE_MASK


def reciprocal_mask() -> np.ndarray:
    """(issues, 1) boolean mask of the reciprocal arms-control issues."""
    return _RECIPROCAL_MASK
