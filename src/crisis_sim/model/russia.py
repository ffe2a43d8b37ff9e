"""Russia's choice (model card 5.2, 5.4 and 5.7): its ladder, expected utilities and logit choice.

Each week Russia values standing at each rung of its escalation ladder (gains of
coercion or war, expected sanctions and reinforcement, upkeep, the cost of war),
looks up the ladder for the best plan, weighs de-escalating, holding, escalating and
accepting the deal on the table (audience costs included) and chooses with logit
noise (Signorino 1999). It holds two Beta beliefs about the West, that it carries
out its threats (resolve) and that it gives way under coercion (yield), and an
underestimate of Ukraine's resistance that fighting corrects. The pure rules come
first; :class:`Russia` holds the state and applies them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from crisis_sim.model import concessions, streams
from crisis_sim.model.domain import Action, Rung

if TYPE_CHECKING:
    from crisis_sim.model.crisis import CrisisModel

DEAL_MARGIN = 1e-9
"""Numerical tolerance: a deal is on offer only if it beats the status quo by more than this."""


def cost_sensitivity(resolve: np.ndarray | float, slope: np.ndarray | float) -> np.ndarray | float:
    """How heavily Russia weighs costs: ``1 - slope x resolve`` (slope: a parameter)."""
    return 1.0 - slope * resolve


def expected_level(now: np.ndarray, threatened: np.ndarray, belief: np.ndarray) -> np.ndarray:
    """Level Russia expects: what is in force, plus the threatened rise times its belief."""
    return now + belief * np.maximum(threatened - now, 0.0)


def ladder_plan_values(values: np.ndarray, threshold: np.ndarray | float) -> np.ndarray:
    """Value of the best plan starting at each rung, shape (rungs, R).

    Russia looks up the whole ladder (judgement: a planning horizon in rungs, not in
    weeks): the plan value of rung L is the better of standing at L and climbing on,
    paying ``threshold`` for each rung crossed: ``C(4) = V(4)``,
    ``C(L) = max(V(L), C(L + 1) - threshold)``.
    """
    plans = np.array(values, dtype=float, copy=True)
    for rung in range(plans.shape[0] - 2, -1, -1):
        plans[rung] = np.maximum(plans[rung], plans[rung + 1] - threshold)
    return plans


def logit_choice_probabilities(
    utilities: np.ndarray, available: np.ndarray, precision: np.ndarray | float
) -> np.ndarray:
    """Quantal-response (logit) choice probabilities (Signorino 1999).

    ``P(a) = exp(lambda EU(a)) / sum_b exp(lambda EU(b))`` over the available actions.

    Args:
        utilities: (actions, R) expected utilities.
        available: (actions, R) boolean; each world needs at least one.
        precision: lambda, scalar or (R,); ``np.inf`` gives the best reply (ties split).
    """
    scaled = np.where(available, utilities, -np.inf)
    best = scaled.max(axis=0)
    precision = np.broadcast_to(np.asarray(precision, dtype=float), best.shape)
    finite = np.isfinite(precision)
    with np.errstate(invalid="ignore", over="ignore"):
        smooth = np.exp(np.where(finite, precision, 0.0) * (scaled - best))
    weights = np.where(available, np.where(finite, smooth, scaled == best), 0.0)
    return weights / weights.sum(axis=0)


def draw_choice(probabilities: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Pick one action per world by inverse CDF: the first whose cumulative share exceeds u."""
    cumulative = np.cumsum(probabilities, axis=0)
    return np.argmax(cumulative > uniform * cumulative[-1], axis=0)


def beta_mean(successes: np.ndarray, failures: np.ndarray) -> np.ndarray:
    """Mean of a Beta(successes, failures) belief."""
    return successes / (successes + failures)


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
        return beta_mean(self.resolve_evidence, self.weakness_evidence)

    @property
    def yield_belief(self) -> np.ndarray:
        """Russia's mean belief that the West gives way on its demands under coercion."""
        return beta_mean(self.yield_evidence, self.firmness_evidence)

    def _reading_weights(self, revisionist: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return concessions.reading_weights(revisionist, self.model.p.concessions.cross_type_weight)

    def aspiration(self, revisionist: np.ndarray) -> np.ndarray:
        """How much Russia values coercive gains, per world (:func:`concessions.aspiration`).

        It rises with concessions if Russia reads them as appeasement (H1) and falls
        with them if it reads them as reassurance (the off-ramp reading).
        """
        p = self.model.p
        appeasement, offramp = self._reading_weights(revisionist)
        return concessions.aspiration(
            revisionist,
            p.russia.revisionist_premium,
            p.concessions.appeasement_strength * appeasement,
            p.concessions.offramp_strength * offramp,
            self.model.concessions.granted_utility,
        )

    def rung_prospects(self) -> tuple[np.ndarray, np.ndarray]:
        """What each rung offers Russia, before its type is counted; each (rungs, R).

        Returns the gains per unit of aspiration and the costs (before cost
        sensitivity). Rungs 1-3 gain leverage x the belief that the West gives way under
        coercion, of the remaining distance to Russia's demands, and cost the expected
        sanctions and reinforcement (what is in force plus what is threatened at that
        rung, times the belief in Western resolve), the upkeep of massed forces and, at
        the incursion rung, part of the cost of war. Rung 4 gains the chance of winning
        (1 - ``russia.victory_slope`` x expected resistance) times the gains on the
        Ukrainian issues war can take, and costs war, sanctions and reinforcement. Rung 0
        is reached only through a deal.
        """
        model = self.model
        p = model.p
        west, nato = model.west, model.nato
        belief = self.resolve_belief
        status_quo = model.concessions.status_quo_utility
        resistance = model.ukraine.resistance * (1.0 - self.resistance_error)
        upkeep = p.russia.upkeep_cost * (1.0 + self.weeks_massed / p.russia.upkeep_doubling_weeks)
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
            sanctions = expected_level(west.sanctions, west.sanctions_threatened[rung], belief)
            posture = expected_level(west.posture, west.posture_threatened[rung], belief)
            costs[rung] = sanction_unit * sanctions + p.west.posture_cost * posture
            if rung is Rung.FULL_INVASION:
                victory = 1.0 - p.russia.victory_slope * resistance
                war_gain = model.concessions.war_utility - status_quo
                gains[rung] = victory * np.maximum(war_gain, 0.0)
                costs[rung] += p.russia.war_cost * resistance
                continue
            gains[rung] = leverage[rung] * coercion
            costs[rung] += upkeep * int(rung)
            if rung is Rung.LIMITED_INCURSION:
                costs[rung] += p.russia.war_cost * resistance * p.russia.incursion_war_share
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
        p = self.model.p.russia
        gains, costs = self.rung_prospects() if prospects is None else prospects
        sensitivity = cost_sensitivity(p.resolve, p.cost_sensitivity_slope)
        values = (
            self.model.concessions.status_quo_utility + self.aspiration(revisionist) * gains
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
        sensitivity = cost_sensitivity(p.russia.resolve, p.russia.cost_sensitivity_slope)
        threshold = sensitivity * p.russia.threshold_cost
        plans = ladder_plan_values(values, threshold)
        rung = self.rung
        audience = p.russia.audience_cost * rung
        taken = np.take_along_axis
        below = taken(values, np.clip(rung - 1, 0, len(Rung) - 1)[None], axis=0)[0]
        here = taken(values, np.clip(rung, 0, len(Rung) - 1)[None], axis=0)[0]
        above = taken(plans, np.clip(rung + 1, 0, len(Rung) - 1)[None], axis=0)[0]
        _, offramp = self._reading_weights(revisionist)
        saved = concessions.face_saving(
            p.concessions.offramp_strength, offramp, model.deal.reciprocity
        )
        backing_down = (audience + p.russia.talks_walk_back_cost) * (1.0 - saved)
        west = model.west
        in_force = (
            sensitivity
            * (1.0 - p.west.sanctions_relief)
            * (
                p.west.sanction_cost * model.nato.participation * west.sanctions
                + p.west.posture_cost * west.posture
            )
        )
        status_quo = model.concessions.status_quo_utility
        utilities = np.stack(
            [
                below - audience,
                here,
                above - threshold,
                model.deal.utility - backing_down - in_force,
            ]
        )
        available = np.stack(
            [
                rung >= Rung.MILITARY_TECHNICAL,
                np.ones_like(rung, dtype=bool),
                rung <= Rung.LIMITED_INCURSION,
                model.deal.utility > status_quo + DEAL_MARGIN,
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
            probabilities = logit_choice_probabilities(utilities, available, precision)
            by_type.append((utilities, probabilities))
        (u_rev, p_rev), (u_sec, p_sec) = by_type
        self.probabilities_if_revisionist = p_rev
        self.probabilities_if_security_seeking = p_sec
        self.utilities = np.where(self.revisionist, u_rev, u_sec)
        self.probabilities = np.where(self.revisionist, p_rev, p_sec)
        action = draw_choice(self.probabilities, model.weekly_uniform(streams.CHOICE))
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
        model.narration.choices(self, model.deal.terms)

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
        stalemate = model.concessions.granted_this_week <= 0
        coercing = active & (self.rung >= Rung.BUILD_UP) & stalemate
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
        self,
        sanctions_rise: np.ndarray | float,
        posture_rise: np.ndarray | float,
        shortfall: np.ndarray | float,
    ) -> None:
        """Update the belief in Western resolve from threats carried out or not.

        A tier of sanctions or a level of reinforcement carried out counts as
        ``russia.evidence_per_level`` observations of resolve; a tier or level
        threatened but not carried out (the Alliance could not agree) as as many of
        weakness, counted once, when the gap first opens or widens.
        """
        active = self.model.active
        per_level = self.model.p.russia.evidence_per_level
        carried_out = active * (sanctions_rise + posture_rise) * per_level
        self.resolve_evidence = self.resolve_evidence + carried_out
        self.weakness_evidence = self.weakness_evidence + active * shortfall * per_level

    def observe_concession(self, utility_gain: np.ndarray) -> None:
        """Take in a concession granted (:class:`~crisis_sim.model.concessions.Concessions`).

        Under the appeasement reading (H1) Russia learns that the West gives way under
        coercion and that its threats are weaker than they sounded: both beliefs move
        by appeasement strength x the reading's weight x the utility gained x the
        prior's strength.
        """
        p = self.model.p
        appeasement, _ = self._reading_weights(self.revisionist)
        evidence = concessions.appeasement_evidence(
            p.concessions.appeasement_strength,
            appeasement,
            utility_gain,
            p.russia.resolve_belief_prior_strength,
        )
        self.yield_evidence = self.yield_evidence + evidence
        self.weakness_evidence = self.weakness_evidence + evidence
