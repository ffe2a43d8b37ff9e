"""``CrisisModel``: the January 2022 crisis as a Mesa model stepping R worlds at once.

One step is one week from t0 = 2022-01-13. Each week, in this order:

1. levers due this week fire (offers, concessions, policies, shocks);
2. the United States and NATO revise their offers, and the deal on the table is
   formed, with terms about Ukraine only as far as Ukraine consents (US-P1);
3. Russia chooses to de-escalate, hold, escalate or accept (logit choice);
4. the West updates its belief about Russia's type from that choice (Bayes);
5. a military incident may push Russia one rung up (inadvertent escalation);
6. Russia takes stock: weeks massed, highest rung, what a stalemate and fighting
   teach it; its wedge among the allies builds or collapses; allies' willingness,
   cohesion and the Alliance's consensus are recomputed;
7. the West's ladders respond to Russia's rung as far as consensus allows, and
   Russia updates its belief in Western resolve from what was and was not done;
8. Ukraine's resistance follows Western support;
9. a direct NATO-Russia clash may occur at the incursion rung or above;
10. worlds that reached an outcome are closed and frozen.

Randomness comes only from :mod:`crisis_sim.model.streams`: replication k draws the same
numbers whatever R, so a world run alone equals the same world in a batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import mesa
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from crisis_sim.model import rules, sampling, streams
from crisis_sim.model.actors import (
    Nato,
    Russia,
    Ukraine,
    UnitedStates,
    reciprocal_mask,
    ukraine_terms_mask,
)
from crisis_sim.model.brief import T0
from crisis_sim.model.domain import ISSUES, OUTCOMES, Action, Issue, Outcome, Rung
from crisis_sim.model.levers import Lever, LeverActor, LeverKind
from crisis_sim.model.members import load_members, member_arrays
from crisis_sim.model.params import Params
from crisis_sim.model.world import world_params


class RunLike(Protocol):
    """What the model reads of a scenario's run settings."""

    seed: int
    horizon: int
    sampling: str
    start_date: dt.date


class ScenarioLike(Protocol):
    """What the model reads of a scenario (a :class:`crisis_sim.scenario.Scenario` has it).

    The model sits below the scenario files and knows them only through this shape.
    """

    params: Params
    run: RunLike
    uncertain: Sequence[UncertainParameter]

    def all_levers(self) -> list[Lever]:
        """The levers and the scheduled events."""
        ...


DEFAULT_HORIZON = 26
"""Weeks simulated by default: half a year from t0."""

EVENT_LOG_LIMIT = 20
"""Largest R for which the event log is kept unless asked for."""

HISTORY_LIMIT = 20_000
"""Largest R for which the week-by-week history is kept unless asked for."""

OUTCOME_TEXT = {
    Outcome.DE_ESCALATION: "negotiated de-escalation: Russia accepts the deal on the table",
    Outcome.STANDOFF: "standoff: the horizon comes with no deal and no incursion",
    Outcome.LIMITED_INCURSION: "limited incursion: Russia stands at the incursion rung",
    Outcome.FULL_INVASION: "full-scale invasion of Ukraine",
    Outcome.NATO_RUSSIA_CLASH: "direct NATO-Russia clash",
}
"""How the event log names each outcome."""

_VERBS = {
    Action.DE_ESCALATE: "steps down to",
    Action.HOLD: "holds at",
    Action.ESCALATE: "escalates to",
}

HISTORY_FIELDS = (
    "rung",
    "sanctions",
    "posture",
    "support",
    "cohesion",
    "resolve_belief",
    "type_belief",
    "state",
)
"""What the week-by-week history holds, one (weeks + 1, R) array each."""


class UncertainParameter(Protocol):
    """What the model needs of an uncertain parameter's distribution."""

    param: str

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The parameter's value at each probability level ``u``."""
        ...


class WestResponse:
    """Where the West's response ladders stand in each world.

    Attributes:
        sanctions: Tier 0-3 of new sanctions imposed (US-T1).
        posture: Level 0-2 of Eastern Flank reinforcement (US-T2).
        support: Level 0-2 of Western military support to Ukraine.
    """

    def __init__(self, replications: int) -> None:
        """Start with nothing imposed."""
        self.sanctions = np.zeros(replications)
        self.posture = np.zeros(replications)
        self.support = np.zeros(replications)


class CrisisModel(mesa.Model):
    """The crisis as a Mesa model over R worlds (see the module docstring for the week).

    Args:
        params: Model parameters; the baseline defaults if None.
        replications: R, the number of worlds stepped at once.
        seed: The scenario seed; world k's randomness depends only on (seed, k).
        first_replication: Index of this model's first world, so that a chunk of a
            larger ensemble reproduces the same worlds.
        horizon: Weeks to simulate.
        levers: Offers, concessions, policies and shocks with their timing.
        sampled: Per-world parameter values by dotted path, arrays of length R.
        uncertain: Distributions of uncertain parameters (objects with ``param`` and
            ``quantile(levels)``, as in :mod:`crisis_sim.scenario.schema`), drawn per world
            by ``sample_design``; they take precedence over ``sampled``.
        sample_design: How uncertain parameters are drawn: ``monte_carlo`` (each world
            from its own stream) or ``latin_hypercube`` (see :mod:`crisis_sim.model.sampling`).
        start_date: The calendar date of week 0.
        event_log: Keep the narrated event log; by default when R <= 20.
        record_history: Keep week-by-week arrays; by default when R <= 20,000.

    Attributes:
        russia, united_states, nato, ukraine: The actors.
        week: The current week (0 = t0).
        outcome: (R,) outcome code per world (:class:`Outcome`), ``ONGOING`` while running.
        outcome_week: (R,) the week each outcome was reached.
    """

    def __init__(
        self,
        params: Params | None = None,
        *,
        replications: int = 1,
        seed: int = 0,
        first_replication: int = 0,
        horizon: int = DEFAULT_HORIZON,
        levers: Sequence[Lever] = (),
        sampled: Mapping[str, ArrayLike] | None = None,
        uncertain: Sequence[UncertainParameter] = (),
        sample_design: sampling.Sampling = "monte_carlo",
        start_date: dt.date | str = T0,
        event_log: bool | None = None,
        record_history: bool | None = None,
    ) -> None:
        """Set up R worlds at t0."""
        if replications < 1:
            raise ValueError(f"replications must be at least 1, got {replications}")
        if horizon < 1:
            raise ValueError(f"horizon must be at least 1 week, got {horizon}")
        if seed < 0 or first_replication < 0:
            raise ValueError("seed and first_replication must be non-negative integers")
        super().__init__(rng=seed)
        self.params = params or Params()
        self.replications = replications
        self.seed = seed
        self.first_replication = first_replication
        self.horizon = horizon
        self.levers = tuple(levers)
        self.start_date = dt.date.fromisoformat(str(start_date))
        self.draws = streams.draw_worlds(seed, first_replication, replications, horizon)
        self.sampled = {
            path: np.asarray(values, dtype=float) for path, values in (sampled or {}).items()
        }
        levels = sampling.parameter_levels(
            [dist.param for dist in uncertain],
            sample_design,
            seed=seed,
            first=first_replication,
            count=replications,
            draws=self.draws,
        )
        for dist in uncertain:
            self.sampled[dist.param] = dist.quantile(levels[dist.param])
        self.p = world_params(self.params, self.sampled, replications)
        self.week = 0
        self.active = np.ones(replications, dtype=bool)
        self.outcome = np.full(replications, int(Outcome.ONGOING))
        self.outcome_week = np.full(replications, -1)
        self.log_events = replications <= EVENT_LOG_LIMIT if event_log is None else event_log
        self.events: list[dict[str, Any]] = []
        keep_history = replications <= HISTORY_LIMIT if record_history is None else record_history
        self.history: dict[str, list[np.ndarray]] | None = (
            {name: [] for name in HISTORY_FIELDS} if keep_history else None
        )

        salience = self.p.russia.salience
        self.granted = np.zeros((len(Issue), replications))
        """What the West has granted unilaterally, per issue and world."""
        self.bypass_consent = np.zeros((len(Issue), replications), dtype=bool)
        self.type_belief = np.broadcast_to(
            np.asarray(self.p.russia.revisionist_prior, dtype=float), (replications,)
        ).copy()
        """The West's belief that Russia is revisionist."""
        revisionist = self.draws.type_uniform < self.p.russia.revisionist_prior
        self.sanctions_threatened = np.stack(
            [
                np.broadcast_to(np.asarray(tier, dtype=float), (replications,))
                for tier in (
                    0.0,
                    0.0,
                    0.0,
                    self.p.west.sanctions_tier_at_incursion,
                    self.p.west.sanctions_tier_at_invasion,
                )
            ]
        )
        """(rungs, R) sanctions tier threatened at each rung (US-T1)."""
        self._update_status_quo(salience)

        self.west_state = WestResponse(replications)
        self.dispute = np.zeros(replications)
        self.shortfall_seen = np.zeros(replications)
        """Largest gap seen so far between what the West threatened and what it did."""
        self.russia = Russia(self, revisionist)
        self.united_states = UnitedStates(self)
        records = load_members()
        self.nato = Nato(self, records, member_arrays(records))
        self.ukraine = Ukraine(self)
        self.gains = np.zeros((len(Issue), replications))
        self._fired = np.zeros((len(self.levers), replications), dtype=bool)
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "share_ongoing": "share_ongoing",
                "mean_rung": "mean_rung",
                "mean_sanctions": "mean_sanctions",
                "mean_posture": "mean_posture",
                "mean_cohesion": "mean_cohesion",
            }
        )
        self._fire_levers()
        self.united_states.step()
        self.nato.step()
        self._form_deal()
        self.nato.update_willingness()
        self._record_history()
        self.datacollector.collect(self)

    @classmethod
    def from_scenario(
        cls,
        scenario: ScenarioLike,
        *,
        replications: int = 1,
        seed: int | None = None,
        first_replication: int = 0,
        sample_design: sampling.Sampling | None = None,
        event_log: bool | None = None,
        record_history: bool | None = None,
    ) -> CrisisModel:
        """The model of worlds ``first_replication ..`` of a scenario.

        Args:
            scenario: A validated scenario (:func:`crisis_sim.scenario.schema.load_scenario`).
            replications: Number of worlds.
            seed: The seed; the scenario's if None.
            first_replication: Index of the first world.
            sample_design: How uncertain parameters are drawn; the scenario's if None.
            event_log: Keep the narrated event log (default: when R <= 20).
            record_history: Keep week-by-week arrays (default: when R <= 20,000).
        """
        return cls(
            scenario.params,
            replications=replications,
            seed=scenario.run.seed if seed is None else seed,
            first_replication=first_replication,
            horizon=scenario.run.horizon,
            levers=scenario.all_levers(),
            uncertain=scenario.uncertain,
            sample_design=sample_design or scenario.run.sampling,
            start_date=scenario.run.start_date,
            event_log=event_log,
            record_history=record_history,
        )

    # -- convenience views -------------------------------------------------------------

    @property
    def date(self) -> dt.date:
        """The calendar date of the current week."""
        return self.start_date + dt.timedelta(weeks=self.week)

    @property
    def share_ongoing(self) -> float:
        """Share of worlds still running."""
        return float(self.active.mean())

    @property
    def mean_rung(self) -> float:
        """Mean escalation rung over worlds."""
        return float(self.russia.rung.mean())

    @property
    def mean_sanctions(self) -> float:
        """Mean sanctions tier over worlds."""
        return float(self.west_state.sanctions.mean())

    @property
    def mean_posture(self) -> float:
        """Mean Eastern Flank posture level over worlds."""
        return float(self.west_state.posture.mean())

    @property
    def mean_cohesion(self) -> float:
        """Mean alliance cohesion over worlds."""
        return float(self.nato.cohesion.mean())

    def weekly_uniform(self, slot: int) -> np.ndarray:
        """Return this week's uniform draws in ``slot`` (see :mod:`crisis_sim.model.streams`)."""
        return self.draws.weekly[self.week - 1, slot]

    # -- the week ----------------------------------------------------------------------

    def step(self) -> None:
        """Advance every running world by one week (see the module docstring)."""
        if not self.running:
            return
        self.week += 1
        self._fire_levers()
        self.united_states.step()
        self.nato.step()
        self._form_deal()
        self.russia.step()
        self._update_type_belief()
        self._inadvertent_escalation()
        self.russia.after_week()
        self.nato.advance_wedge()
        self.nato.update_willingness()
        self._respond()
        self.ukraine.step()
        self._close_worlds()
        self._record_history()
        self.datacollector.collect(self)
        if self.week >= self.horizon or not self.active.any():
            self.running = False

    def run(self) -> CrisisModel:
        """Step until every world has ended or the horizon is reached; return self."""
        while self.running:
            self.step()
        return self

    def _update_status_quo(self, salience: np.ndarray) -> None:
        granted = self.granted
        exponent = self.p.russia.distance_exponent
        self.status_quo_utility = rules.issue_utility(1.0 - granted, salience, exponent)
        war_terms = np.where(ukraine_terms_mask(), 1.0, granted)
        self.ukraine_war_utility = rules.issue_utility(1.0 - war_terms, salience, exponent)

    def _form_deal(self) -> None:
        """Form the package on the table.

        NATO's offer plus the U.S. share of any gap, and Ukraine's own terms; terms
        about Ukraine only as far as Ukraine consents (US-P1), unless a lever set that
        principle aside; never below what is granted.
        """
        p = self.p
        us, nato = self.united_states.offer, self.nato.offer
        effective = nato + p.west.us_share * np.maximum(us - nato, 0.0)
        effective = np.maximum(effective, self.ukraine.own_offer)
        accepted, consent_share = self.ukraine.accepted_terms(effective)
        terms = np.maximum(np.where(self.bypass_consent, effective, accepted), self.granted)
        self.deal_terms = terms
        self.ukraine_consent = consent_share
        """Share of the terms about it beyond its own offer that Ukraine accepts (1 = all)."""
        salience = p.russia.salience
        self.deal_utility = rules.issue_utility(1.0 - terms, salience, p.russia.distance_exponent)
        reciprocal = np.where(reciprocal_mask(), salience, 0.0)
        weight = np.sum(reciprocal, axis=0)
        self.deal_reciprocity = np.sum(reciprocal * terms, axis=0) / np.where(
            weight > 0, weight, 1.0
        )
        """Share of the full reciprocal arms-control package the deal holds, 0-1."""
        dispute = np.abs(us - nato).mean(axis=0) + self.granted.mean(axis=0)
        self.dispute = np.where(self.active, dispute, self.dispute)

    def _update_type_belief(self) -> None:
        """Bayes: the West compares how likely Russia's choice was under each type."""
        russia = self.russia
        chosen = np.clip(russia.last_action, 0, None)[None]
        like_rev = np.take_along_axis(russia.probabilities_if_revisionist, chosen, axis=0)[0]
        like_sec = np.take_along_axis(russia.probabilities_if_security_seeking, chosen, axis=0)[0]
        posterior = rules.bayes_type_update(self.type_belief, like_rev, like_sec)
        self.type_belief = np.where(russia.last_action >= 0, posterior, self.type_belief)

    def _inadvertent_escalation(self) -> None:
        """Let a hold slip one rung up by accident.

        Schelling's 'threat that leaves something to chance': at rung 2-3 a hold may
        slip one rung up; risk-reduction channels granted (NATO-O2) cut the chance.
        """
        p = self.p
        russia = self.russia
        channels = 1.0 - p.west.channels_effect * self.granted[Issue.RISK_REDUCTION]
        exposed = (
            self.active
            & (russia.last_action == Action.HOLD)
            & (russia.rung >= Rung.MILITARY_TECHNICAL)
            & (russia.rung <= Rung.LIMITED_INCURSION)
        )
        slipped = exposed & (
            self.weekly_uniform(streams.INADVERTENT) < p.west.inadvertent_escalation * channels
        )
        russia.rung = russia.rung + slipped
        self._log_mask(slipped, "incident", "an incident pushes Russia one rung up, unchosen")

    def _respond(self) -> None:
        """Move the West's ladders in answer to Russia's rung.

        They rise as far as the Alliance agrees (US-T1, US-T2); the U.S. can go up to
        its unilateral levels alone.
        """
        p = self.p
        west, nato, russia = self.west_state, self.nato, self.russia
        rung = russia.rung
        triggered = np.take_along_axis(self.sanctions_threatened, rung[None], axis=0)[0]
        sanctions_cap = np.maximum(p.west.us_unilateral_sanctions, 3.0 * nato.consensus)
        posture_cap = np.maximum(p.west.us_unilateral_posture, 2.0 * nato.consensus)
        sanctions = rules.ratchet(west.sanctions, triggered, sanctions_cap)
        posture = rules.ratchet(west.posture, rules.POSTURE_THREATENED[rung], posture_cap)
        support = rules.ratchet(west.support, rules.SUPPORT_TRIGGERED[rung], 2.0)
        active = self.active
        sanctions = np.where(active, sanctions, west.sanctions)
        posture = np.where(active, posture, west.posture)
        support = np.where(active, support, west.support)
        shortfall = np.maximum(triggered - sanctions, 0.0) + np.maximum(
            rules.POSTURE_THREATENED[rung] - posture, 0.0
        )
        unseen = np.where(active, np.maximum(shortfall - self.shortfall_seen, 0.0), 0.0)
        self.shortfall_seen = np.maximum(self.shortfall_seen, np.where(active, shortfall, 0.0))
        russia.observe_west(sanctions - west.sanctions, posture - west.posture, unseen)
        if self.log_events:
            self._log_rises("sanctions tier", west.sanctions, sanctions, "US-T1")
            self._log_rises("Eastern Flank posture", west.posture, posture, "US-T2")
            self._log_rises("support to Ukraine", west.support, support, "judgement")
            short = unseen > 0
            self._log_mask(
                short,
                "allied shortfall",
                "the Alliance could not agree on all the sanctions or reinforcement threatened",
            )
        west.sanctions, west.posture, west.support = sanctions, posture, support

    def _close_worlds(self) -> None:
        """Record outcomes.

        A deal, an invasion or a clash ends a world; the horizon ends the rest as a
        limited incursion (at rung 3) or a standoff.
        """
        p = self.p
        russia, west = self.russia, self.west_state
        active = self.active
        channels = 1.0 - p.west.channels_effect * self.granted[Issue.RISK_REDUCTION]
        hazard = (
            p.west.clash_hazard * np.maximum(russia.rung - 2, 0) * (west.posture / 2.0) * channels
        )
        clash = active & (self.weekly_uniform(streams.CLASH) < hazard)
        invasion = active & (russia.rung >= Rung.FULL_INVASION)
        deal = active & (russia.last_action == Action.ACCEPT)
        self.gains = np.where(deal, self.deal_terms, np.where(active, self.granted, self.gains))
        self._end(clash, Outcome.NATO_RUSSIA_CLASH, self.week)
        self._end(invasion & ~clash, Outcome.FULL_INVASION, self.week)
        self._end(deal, Outcome.DE_ESCALATION, self.week)
        if self.week >= self.horizon:
            still = self.active
            incursion = still & (russia.rung == Rung.LIMITED_INCURSION)
            self._end(incursion, Outcome.LIMITED_INCURSION, russia.first_incursion_week)
            self._end(still & ~incursion, Outcome.STANDOFF, self.week)

    def _end(self, mask: np.ndarray, outcome: Outcome, week: np.ndarray | int) -> None:
        self.outcome = np.where(mask, int(outcome), self.outcome)
        self.outcome_week = np.where(mask, week, self.outcome_week)
        self.active = self.active & ~mask
        self._log_mask(mask, "outcome", OUTCOME_TEXT[outcome])

    # -- levers ------------------------------------------------------------------------

    def _fire_levers(self) -> None:
        """Fire each lever in the worlds where it is due and its condition holds.

        Allies' willingness and Ukraine's resistance are recomputed only when a lever
        fired: otherwise their inputs are as they were at the end of last week.
        """
        self.conceded_this_week = np.zeros(self.replications)
        if not self.levers:
            return
        russia = self.russia
        fired = False
        for index, lever in enumerate(self.levers):
            due = self.active & ~self._fired[index] & (self.week >= lever.week)
            if lever.when_rung_at_least is not None:
                due &= russia.rung >= lever.when_rung_at_least
            if lever.when_talking:
                due &= russia.talking
            if not due.any():
                continue
            self._fired[index] |= due
            self._apply(lever, due)
            self._log_mask(due, lever.actor.value, lever.describe())
            fired = True
        if fired:
            self.nato.update_willingness()
            self.ukraine.step()

    def _apply(self, lever: Lever, due: np.ndarray) -> None:
        p = self.p
        kind, level = lever.kind, lever.level
        west, russia = self.west_state, self.russia
        if kind is LeverKind.OFFER:
            assert lever.issue is not None
            row = int(lever.issue)
            for floor in self._offer_floors(lever.actor):
                floor[row] = np.where(due, np.maximum(floor[row], level), floor[row])
            if lever.bypass_ukraine_consent:
                self.bypass_consent[row] |= due
        elif kind is LeverKind.CONCEDE:
            assert lever.issue is not None
            row = int(lever.issue)
            share = p.west.us_share[row] if lever.actor is LeverActor.UNITED_STATES else 1.0
            before = self.status_quo_utility
            self.granted[row] = np.where(
                due, np.maximum(self.granted[row], level * share), self.granted[row]
            )
            for floor in self._offer_floors(lever.actor):
                floor[row] = np.where(due, np.maximum(floor[row], level), floor[row])
            self._update_status_quo(p.russia.salience)
            gain = self.status_quo_utility - before
            self.conceded_this_week = self.conceded_this_week + gain
            russia.observe_concession(gain)
        elif kind is LeverKind.SANCTIONS:
            rise = np.where(due, np.maximum(level - west.sanctions, 0.0), 0.0)
            west.sanctions = west.sanctions + rise
            russia.observe_west(rise, 0.0, 0.0)
        elif kind is LeverKind.POSTURE:
            rise = np.where(due, np.maximum(level - west.posture, 0.0), 0.0)
            west.posture = west.posture + rise
            russia.observe_west(0.0, rise, 0.0)
        elif kind is LeverKind.SUPPORT:
            west.support = np.where(due, np.maximum(west.support, level), west.support)
        elif kind is LeverKind.COMMITMENT:
            russia.resolve_evidence = russia.resolve_evidence + (
                due * level * p.russia.resolve_belief_prior_strength
            )
        elif kind is LeverKind.COHESION_SHOCK:
            self.nato.shock = self.nato.shock + due * level
        elif kind is LeverKind.INCIDENT:
            climbs = due & (russia.rung >= Rung.BUILD_UP) & (russia.rung <= Rung.LIMITED_INCURSION)
            russia.rung = russia.rung + climbs
            russia.max_rung = np.maximum(russia.max_rung, russia.rung)

    def _offer_floors(self, actor: LeverActor) -> list[np.ndarray]:
        if actor is LeverActor.UNITED_STATES:
            return [self.united_states.offer_floor]
        if actor is LeverActor.NATO:
            return [self.nato.offer_floor]
        if actor is LeverActor.WEST:
            return [self.united_states.offer_floor, self.nato.offer_floor]
        return [self.ukraine.own_offer]

    # -- records -----------------------------------------------------------------------

    def _state_code(self) -> np.ndarray:
        """Return each world's state for the shares-over-time view.

        Its outcome code if it has ended, else 100 + its rung.
        """
        return np.where(self.active, 100 + self.russia.rung, self.outcome)

    def _record_history(self) -> None:
        if self.history is None:
            return
        values = {
            "rung": self.russia.rung,
            "sanctions": self.west_state.sanctions,
            "posture": self.west_state.posture,
            "support": self.west_state.support,
            "cohesion": self.nato.cohesion,
            "resolve_belief": self.russia.resolve_belief,
            "type_belief": self.type_belief,
            "state": self._state_code(),
        }
        for name in HISTORY_FIELDS:
            self.history[name].append(np.array(values[name], copy=True))

    def _log_mask(self, mask: np.ndarray, actor: str, text: str) -> None:
        if not self.log_events:
            return
        for world in np.flatnonzero(mask):
            self._log(int(world), actor, text)

    def _log(self, world: int, actor: str, text: str) -> None:
        self.events.append(
            {
                "replication": self.first_replication + world,
                "week": self.week,
                "date": self.date.isoformat(),
                "actor": actor,
                "event": text,
            }
        )

    def _log_rises(self, what: str, before: np.ndarray, after: np.ndarray, source: str) -> None:
        for world in np.flatnonzero(after > before):
            self._log(
                int(world),
                "west",
                f"{what} rises from {before[world]:.2f} to {after[world]:.2f} ({source})",
            )

    def log_choices(self) -> None:
        """Add Russia's choice this week, with the reasons behind it, to the event log.

        The entry names the action, where it leads, the expected utility and the
        probability of every action available, and Russia's belief in Western resolve.
        """
        russia = self.russia
        for world in np.flatnonzero(russia.last_action >= 0):
            action = Action(int(russia.last_action[world]))
            rung = Rung(int(russia.rung[world]))
            where = f"rung {int(rung)} ({rung.name.lower().replace('_', ' ')})"
            if action is Action.ACCEPT:
                terms = ", ".join(
                    f"{issue.key} {self.deal_terms[issue, world]:.2f}"
                    for issue in ISSUES
                    if self.deal_terms[issue, world] > 0
                )
                what = f"accepts the deal on the table ({terms})"
            else:
                what = f"{_VERBS[action]} {where}"
            reasons = ", ".join(
                f"{a.name.lower().replace('_', '-')} {russia.utilities[a, world]:+.3f} "
                f"(p {russia.probabilities[a, world]:.2f})"
                for a in Action
                if russia.probabilities[a, world] > 0
            )
            self._log(
                int(world),
                "russia",
                f"{what}. Expected utilities: {reasons}; belief in Western resolve "
                f"{russia.resolve_belief[world]:.2f}",
            )

    # -- results -----------------------------------------------------------------------

    def outcomes(self) -> pd.DataFrame:
        """One row per world: outcome, week, date, end state and Russia's gains per issue."""
        weeks = self.outcome_week
        dates = np.datetime64(self.start_date.isoformat()) + 7 * weeks.astype("timedelta64[D]")
        table = {
            "replication": np.arange(self.replications) + self.first_replication,
            "outcome": pd.Categorical.from_codes(
                np.where(self.outcome >= 0, self.outcome, -1),
                categories=[o.key for o in OUTCOMES],
            ),
            "week": weeks,
            "date": np.where(weeks >= 0, dates.astype(str), ""),
            "revisionist": self.russia.revisionist,
            "end_rung": self.russia.rung,
            "max_rung": self.russia.max_rung,
            "sanctions": self.west_state.sanctions,
            "posture": self.west_state.posture,
            "support": self.west_state.support,
            "cohesion": self.nato.cohesion,
            "resolve_belief": self.russia.resolve_belief,
            "type_belief": self.type_belief,
            "concessions_granted": self.granted.sum(axis=0),
        }
        for issue in ISSUES:
            table[f"gain_{issue.key}"] = self.gains[issue]
        for path, values in self.sampled.items():
            table[path] = values
        return pd.DataFrame(table)

    def event_log(self) -> pd.DataFrame:
        """The narrated event log (kept when ``event_log`` is on), one row per event."""
        if not self.log_events:
            raise RuntimeError(
                "this model keeps no event log: create it with event_log=True (or R <= "
                f"{EVENT_LOG_LIMIT})"
            )
        columns = ["replication", "week", "date", "actor", "event"]
        return pd.DataFrame(self.events, columns=columns)

    def history_frame(self) -> pd.DataFrame:
        """The week-by-week history as a long table: week, replication and each field."""
        if self.history is None:
            raise RuntimeError("this model keeps no history: create it with record_history=True")
        weeks = len(self.history["rung"])
        frame = {
            "week": np.repeat(np.arange(weeks), self.replications),
            "replication": np.tile(np.arange(self.replications) + self.first_replication, weeks),
        }
        for name in HISTORY_FIELDS:
            frame[name] = np.concatenate(self.history[name])
        return pd.DataFrame(frame)
