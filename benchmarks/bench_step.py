"""Benchmark: the weekly step with its compiled kernels against the numpy step it replaced.

The numpy step lives only here: the allies' update (``Nato.update_willingness``) and
Russia's plan values (``Russia.values_by_type``) as they were in numpy before the kernels
(commit 7ca4b68), Russia's outlook (``Russia.prospects``) as it was before its kernel
(commit 10a3505; its inputs, the force, the resistance later, the chance of winning and
the expected deals, in numpy as at commit 0e8644d), and Russia's choice
(``Russia.choose``) and the West's choice of offers (``West.choose_offers``) as they
were before theirs (commit 705f823), and the deal (``Deal.form``, with Ukraine's consent)
as it was before its kernel (commit e1fdad1), and the West's type belief, the chance of
war it sees and its response (``West.update_type_belief``, ``update_war_risk``,
``respond``) as they were before theirs (commit a0a846d), patched into the model for the
numpy runs, which also value Russia in every world, as before it was valued in the
worlds still in crisis alone (``compiled.COMPACT_SHARE`` 0). Ukraine's step
(``Ukraine.step``) is numpy in both and is timed as a control: its ratio should be
about 1. Both engines run the same
worlds in the same process, alternately, so the ratio is measured in the same run on
the same (possibly busy) machine; the worlds must come out identical to the bit.

Both engines take ``exp`` and ``pow`` from the C library (the model's ufuncs,
:mod:`crisis_sim.model.compiled`), so they compute the same numbers.

Reported: CPU time of this process per world-week of the step (construction
excluded; one process, one core, so CPU time is CPU time per core), for the whole step
and for the seven mechanisms the kernels replace, and the time to compile the kernels
(cold, cache cleared, in a fresh process) and to load them from the cache. With
``--before CHECKOUT`` (another checkout, such as the last release), the whole step of
both checkouts as fresh processes, alternately, with numpy as it runs here and with
numpy's AVX-512 code turned off (as numpy runs on most laptops, with AVX2 at most).

Run from the repository root::

    .venv/bin/python benchmarks/bench_step.py
    .venv/bin/python benchmarks/bench_step.py --worlds 100000 --repeats 3
    .venv/bin/python benchmarks/bench_step.py --before /path/to/crisis_sim-0.1.0
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from crisis_sim import CrisisModel
from crisis_sim.model import (
    alliance,
    bargaining,
    compiled,
    concessions,
    plans,
    russia,
    streams,
    ukraine,
    west,
)
from crisis_sim.model.domain import Action, InvasionReason, Rung

# -- the numpy step (before the kernels), kept only for this comparison ---------------------


def _column_quantile(values, quantile):
    ordered = np.sort(values, axis=0)
    position = quantile * (values.shape[0] - 1)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, values.shape[0] - 1)
    frac = position - low
    columns = np.arange(values.shape[1])
    return ordered[low, columns] * (1.0 - frac) + ordered[high, columns] * frac


def _alliance_cohesion(willingness):
    members = willingness.shape[0]
    mean = willingness.sum(axis=0) / members
    variance = (willingness * willingness).sum(axis=0) / members - mean**2
    return np.clip(1.0 - 2.0 * np.sqrt(np.maximum(variance, 0.0)), 0.0, 1.0)


def numpy_update_willingness(self) -> None:
    """``Nato.update_willingness`` in numpy (the path without ally levers)."""
    model = self.model
    p = model.p.alliance
    rus = model.russia
    if self.members_acting or self.gas_cut is not None:
        raise NotImplementedError("the numpy step here covers the baseline only")
    using_force = rus.max_rung >= Rung.LIMITED_INCURSION
    shift = (
        p.aggression_mobilisation * west.at_rung(self.mobilisation, rus.max_rung)
        + p.rejection_mobilisation * using_force
        + self.shock
    )
    wedge_push = model.p.russia.wedge_strength * self.wedge
    debate_push = p.concession_debate * model.deal.dispute
    views = []
    for member in self.members:
        view = member.standing_willingness + shift
        view -= wedge_push * member.wedge_exposure
        view += debate_push * member.debate_camp
        if member.own_shift is not None:
            view += member.own_shift
        views.append(view)
    own = np.stack(views, axis=1).T
    mean = (self.traits.gdp_weight * own).sum(axis=0)
    own *= 1.0 - p.solidarity
    own += p.solidarity * mean
    willingness = np.clip(own, 0.0, 1.0, out=own)
    cohesion = _alliance_cohesion(willingness)
    quantile = (
        p.consensus_quantile_low + (p.consensus_quantile_high - p.consensus_quantile_low) * cohesion
    )
    consensus = _column_quantile(willingness, np.clip(quantile, 0.0, 1.0))
    participation = (self.traits.gdp_weight * willingness).sum(axis=0)
    active = model.live
    rows = [
        settled if active.all() else np.where(active, settled, member.willingness)
        for member, settled in zip(self.members, willingness, strict=True)
    ]
    self.member_willingness = np.stack(rows, axis=1)
    if active.all():
        self.cohesion, self.consensus, self.participation = cohesion, consensus, participation
    else:
        self.cohesion = np.where(active, cohesion, self.cohesion)
        self.consensus = np.where(active, consensus, self.consensus)
        self.participation = np.where(active, participation, self.participation)


def _expected_level(now, threatened, belief):
    return now + belief * np.maximum(threatened - now, 0.0)


def _wait_powers(base, waits):
    base = np.asarray(base, dtype=float)
    powers = {0: np.ones_like(base), 1: base}

    def power(k):
        if k not in powers:
            powers[k] = power(k // 2) * power(k - k // 2)
        return powers[k]

    return np.stack([power(int(k)) for k in waits]).reshape(len(waits), *(base.shape or (1,)))


def _hold_then(flow, final, discount, waits):
    return flow + _wait_powers(discount, waits) * (final - flow)


def _force(weeks_massed, start, buildup_weeks, readiness_weeks, decline):
    built = np.minimum(1.0, start + (1.0 - start) * weeks_massed / buildup_weeks)
    return built * compiled.exp(-decline * np.maximum(weeks_massed - readiness_weeks, 0.0))


def _massed_force(self, weeks_on=0.0):
    p = self.model.p.russia
    force = _force(
        self.weeks_massed + weeks_on,
        p.buildup_start,
        p.buildup_weeks,
        p.readiness_weeks,
        p.readiness_decline,
    )
    return force if self.axis_gain is None else force * (1.0 + self.axis_gain)


def _victory_chance(force_now, resistance, slope):
    return np.clip(force_now * (1.0 - slope * resistance), 0.0, 1.0)


def _ground_ahead(model, waits):
    ground = model.ground
    later = ground[model.week + waits]
    if ground.ndim == 1:
        return ground[model.week], later[:, None]
    return ground[model.week], later


def numpy_prospects(self, *, reuse=False, rows=None):
    """``Russia.prospects`` in numpy (its inputs as at commit 0e8644d; new arrays, as then)."""
    assert rows is None, "the numpy step values every world"
    model = self.model
    p = model.p
    west, ukraine = model.west, model.ukraine
    waits = plans.WAITS
    belief = self.resolve_belief
    status_quo = model.concessions.status_quo_utility
    sensitivity = russia.cost_sensitivity(p.russia.resolve, p.russia.cost_sensitivity_slope)
    sanction_unit = self.sanction_unit()
    national = self.national_sanctions_cost()
    error = 1.0 - self.resistance_error
    resistance_now = ukraine.resistance * error
    target = ukraine.resistance_in_prospect
    remaining = _wait_powers(1.0 - np.asarray(p.ukraine.adjustment_rate), waits)
    resistance_later = (target + (ukraine.resistance - target) * remaining) * error
    ground_now, ground_later = _ground_ahead(model, waits)
    massed = self.weeks_massed
    force_mass = _massed_force(self)
    force_now = force_mass * ground_now
    force_later = _massed_force(self, waits[:, None]) * ground_later
    war_gain = np.maximum(model.concessions.war_utility - status_quo, 0.0)
    war_sanctions = sanction_unit * _expected_level(
        west.sanctions, west.sanctions_threatened[Rung.FULL_INVASION], belief
    ) + p.west.posture_cost * _expected_level(
        west.posture, west.posture_threatened[Rung.FULL_INVASION], belief
    )
    if self.model.nato.has_national_measures:
        war_sanctions = war_sanctions + national
    slope, war_cost = p.russia.victory_slope, p.russia.war_cost
    victory_now = _victory_chance(force_now, resistance_now, slope)
    victory_later = _victory_chance(force_later, resistance_later, slope)
    flows = np.empty((len(russia.RUNG_LEVERAGE), len(waits), *belief.shape))
    forever = np.empty((len(russia.RUNG_LEVERAGE), *belief.shape))
    deals = np.empty_like(flows)
    leverage = (
        p.russia.leverage_build_up,
        p.russia.leverage_military_technical,
        p.russia.leverage_incursion,
    )
    upkeep = p.russia.upkeep_cost
    doubling = p.russia.upkeep_doubling_weeks
    discount = p.russia.discount
    ahead_forever = discount / (1.0 - discount)
    for index, rung in enumerate(russia.RUNG_LEVERAGE):
        threat = sanction_unit * _expected_level(
            west.sanctions, west.sanctions_threatened[rung], belief
        ) + p.west.posture_cost * _expected_level(
            west.posture, west.posture_threatened[rung], belief
        )
        if model.nato.has_national_measures:
            threat = threat + national
        if rung is Rung.LIMITED_INCURSION:
            threat = threat + war_cost * resistance_now * p.russia.incursion_war_share
        base = upkeep * int(rung)
        flows[index] = status_quo - sensitivity * (
            threat + base * (1.0 + (massed + (waits[:, None] - 1) / 2.0) / doubling)
        )
        forever[index] = status_quo - sensitivity * (
            threat + base * (1.0 + (massed + ahead_forever) / doubling)
        )
        rate = leverage[index] * force_mass * self.yield_belief / p.russia.extraction_weeks
        deals[index] = 1.0 - (1.0 - model.deal.utility) * _wait_powers(1.0 - rate, waits)
    in_force = (
        sensitivity
        * (1.0 - p.west.sanctions_relief)
        * (sanction_unit * west.sanctions + p.west.posture_cost * west.posture + national)
    )
    return russia.Prospects(
        flows=flows,
        forever=forever,
        deals=deals,
        war_gain_now=victory_now * war_gain,
        war_cost_now=sensitivity * (war_cost * resistance_now * (2.0 - force_now) + war_sanctions),
        war_gain=victory_later * war_gain,
        war_cost=sensitivity * (war_cost * resistance_later * (2.0 - force_later) + war_sanctions),
        in_force=in_force,
        partial_gain=model.deal.partial_gain(model),
        status_quo=status_quo,
        sensitivity=sensitivity,
        threshold=sensitivity * p.russia.threshold_cost,
        victory_now=victory_now,
    )


def numpy_type_values(self, revisionist, prospects, *, explain=False, rows=None):
    """``Russia.type_values`` in numpy."""
    assert rows is None, "the numpy step values every world"
    model = self.model
    p = model.p
    pr = prospects
    waits = plans.WAITS
    discount = p.russia.discount
    aspiration = self.aspiration(revisionist)
    _, offramp = self._reading_weights(revisionist)
    saved = 1.0 - concessions.face_saving(
        p.concessions.offramp_strength, offramp, model.deal.reciprocity
    )
    audience = p.russia.audience_cost
    walk_back = p.russia.talks_walk_back_cost * saved * ~self.walked_back
    status_quo = pr.status_quo
    settle_base = status_quo * (1.0 - aspiration) - pr.in_force - walk_back
    war_later = status_quo + aspiration * pr.war_gain - pr.war_cost
    holds = np.empty((len(russia.RUNG_LEVERAGE), *status_quo.shape))
    war_plans = np.empty_like(holds)
    peace_plans = np.empty_like(holds)
    forevers = pr.forever
    best_wait = np.zeros(holds.shape, dtype=int)
    best_final = np.empty(holds.shape, dtype=int)
    for index, rung in enumerate(russia.RUNG_LEVERAGE):
        flow = pr.flows[index]
        backing = audience * int(rung) * saved
        strike = _hold_then(
            flow, war_later - pr.threshold * (Rung.FULL_INVASION - rung), discount, waits
        )
        settle = _hold_then(
            flow, settle_base - backing + aspiration * pr.deals[index], discount, waits
        )
        strike_best, settle_best = strike.max(axis=0), settle.max(axis=0)
        forever = pr.forever[index]
        war_plans[index] = strike_best
        peace_plans[index] = np.maximum(settle_best, forever)
        holds[index] = np.maximum(strike_best, peace_plans[index])
        final = np.where(
            strike_best >= peace_plans[index], 0, np.where(settle_best >= forever, 1, 2)
        )
        best_final[index] = final
        if explain:
            best_wait[index] = np.where(
                final == 0, waits[strike.argmax(axis=0)], waits[settle.argmax(axis=0)]
            )
    rung = self.rung
    last = len(russia.RUNG_LEVERAGE) - 1
    here, up, down = np.clip(rung - 1, 0, last), np.clip(rung, 0, last), np.clip(rung - 2, 0, last)
    columns = np.arange(rung.size)

    def at(table, row):
        return table[row, columns]

    hold = at(holds, here)
    invade = (
        status_quo
        + aspiration * pr.war_gain_now
        - pr.war_cost_now
        - pr.threshold * (Rung.FULL_INVASION - rung)
    )
    settle_now = settle_base - audience * rung * saved + aspiration * model.deal.utility
    gain = pr.partial_gain
    flow_here = pr.flows[here, :, columns].T
    settle_after = _hold_then(
        flow_here + gain,
        (status_quo + gain) * (1.0 - aspiration)
        - pr.in_force
        - audience * rung * saved
        + aspiration * pr.deals[here, :, columns].T,
        discount,
        waits,
    ).max(axis=0)
    partial = (
        np.maximum(np.maximum(at(war_plans, here), at(forevers, here)) + gain, settle_after)
        - p.russia.partial_agreement_cost
        - walk_back
    )
    utilities = np.stack(
        [
            at(holds, down) - audience * rung * saved,
            hold,
            at(holds, up) - pr.threshold,
            settle_now,
            invade,
            partial,
        ]
    )
    ones = np.ones_like(rung, dtype=bool)
    available = np.stack(
        [
            rung >= Rung.MILITARY_TECHNICAL,
            ones,
            rung <= Rung.MILITARY_TECHNICAL,
            ones,
            ones,
            pr.partial_gain > russia.DEAL_MARGIN,
        ]
    )
    levels = np.array(russia.RUNG_LEVERAGE)[:, None]
    reachable = np.abs(levels - rung) <= 1
    move = np.where(
        levels < rung, audience * rung * saved, np.where(levels > rung, pr.threshold, 0.0)
    )
    war_plan = np.maximum(invade, np.where(reachable, war_plans - move, -np.inf).max(axis=0))
    peace_plan = np.maximum(
        np.maximum(settle_now, np.where(available[5], partial, -np.inf)),
        np.where(reachable, peace_plans - move, -np.inf).max(axis=0),
    )
    return russia.TypeValues(
        utilities=utilities,
        available=available,
        war_plan=war_plan,
        peace_plan=peace_plan,
        settle_base=settle_base - audience * rung * saved,
        aspiration=aspiration,
        best_wait=at(best_wait, here),
        best_final=at(best_final, here),
    )


def numpy_values_by_type(self, prospects, *, explain=False, rows=None):
    """``Russia.values_by_type`` in numpy: :func:`numpy_type_values` of each type."""
    size = self.rung.shape[0]
    return tuple(
        numpy_type_values(self, np.full(size, kind), prospects, explain=explain, rows=rows)
        for kind in (True, False)
    )


def _logit(utilities, available, precision):
    scaled = np.where(available, utilities, -np.inf)
    best = scaled.max(axis=0)
    precision = np.broadcast_to(np.asarray(precision, dtype=float), best.shape)
    finite = np.isfinite(precision)
    with np.errstate(invalid="ignore", over="ignore"):
        smooth = compiled.exp(np.where(finite, precision, 0.0) * (scaled - best))
    weights = np.where(available, np.where(finite, smooth, scaled == best), 0.0)
    return weights / weights.sum(axis=0)


def _war_choice(utilities, available, precision, war_precision):
    others = available.copy()
    others[Action.INVADE] = False
    probabilities = _logit(utilities, others, precision)
    best_other = np.where(others, utilities, -np.inf).max(axis=0)
    gap = utilities[Action.INVADE] - best_other
    invade = np.where(available[Action.INVADE], west.logistic(war_precision * gap), 0.0)
    probabilities *= 1.0 - invade
    probabilities[Action.INVADE] = invade
    return probabilities


def numpy_choose(self, prospects, *, rows=None):
    """``Russia.choose`` in numpy."""
    assert rows is None, "the numpy step values every world"
    model = self.model
    active = model.active
    rev, sec = self.by_type
    precision, war_precision = model.p.russia.choice_precision, model.p.russia.war_precision
    p_rev = _war_choice(rev.utilities, rev.available, precision, war_precision)
    p_sec = _war_choice(sec.utilities, sec.available, precision, war_precision)
    self.probabilities_if_revisionist = p_rev
    self.probabilities_if_security_seeking = p_sec
    self.utilities = np.where(self.revisionist, rev.utilities, sec.utilities)
    self.probabilities = np.where(self.revisionist, p_rev, p_sec)
    available = np.where(self.revisionist, rev.available, sec.available)
    cumulative = np.cumsum(self.probabilities, axis=0)
    uniform = model.weekly_uniform(streams.CHOICE)
    action = np.argmax(cumulative > uniform * cumulative[-1], axis=0)
    acting = active & (self.rung < Rung.FULL_INVASION) & ~self.stood_down
    action = np.where(acting, action, -1)
    invading = action == Action.INVADE
    if invading.any():
        best = np.where(available, self.utilities, -np.inf).max(axis=0)
        margin = np.maximum(best - self.utilities[Action.INVADE], 0.0)
        reason = np.select(
            [margin <= 0.0, margin <= russia.NEAR_BEST_MARGIN],
            [int(InvasionReason.BEST_REPLY), int(InvasionReason.NEAR_BEST)],
            int(InvasionReason.LOW_PROBABILITY),
        )
        self.invasion_reason = np.where(invading, reason, self.invasion_reason)
        self.invasion_margin = np.where(invading, margin, self.invasion_margin)
        self.invasion_victory = np.where(invading, prospects.victory_now, self.invasion_victory)
    step = np.select([action == Action.DE_ESCALATE, action == Action.ESCALATE], [-1, 1], default=0)
    new_rung = np.select(
        [action == Action.ACCEPT, invading],
        [int(Rung.DIPLOMACY), int(Rung.FULL_INVASION)],
        self.rung + step,
    )
    self.rung = np.where(acting, new_rung, self.rung)
    self.talking = (
        active
        & np.isin(action, (Action.HOLD, Action.DE_ESCALATE, Action.ACCEPT_PARTIAL))
        & (self.rung <= Rung.MILITARY_TECHNICAL)
    )
    return action


def _effective_offer(us_offer, nato_offer, us_share, own_offer):
    effective = nato_offer + us_share * np.maximum(us_offer - nato_offer, 0.0)
    return np.maximum(effective, own_offer)


def _accepted_terms(model, terms):
    ukraine_ = model.ukraine
    p = model.p.ukraine
    about = bargaining.UKRAINE_TERMS
    excess = np.where(about, np.maximum(terms - ukraine_.own_offer, 0.0), 0.0)
    cost = np.sum(p.salience * excess, axis=0)
    threat = p.threat_weight * model.russia.rung / 4.0 * (1.0 - ukraine_.resistance)
    share = np.divide(threat, cost, out=np.ones_like(cost), where=cost > threat)
    return np.where(about, ukraine_.own_offer + share * excess, terms), share


def numpy_form(self, model) -> None:
    """``Deal.form`` in numpy."""
    p = model.p
    us, nato = model.united_states.offer, model.nato.offer
    effective = _effective_offer(us, nato, p.west.us_share, model.ukraine.own_offer)
    accepted, consent_share = _accepted_terms(model, effective)
    granted = model.concessions.granted
    terms = np.maximum(np.where(self.bypass_consent, effective, accepted), granted)
    active = model.active
    self.terms = np.where(active, terms, self.terms)
    self.ukraine_consent = np.where(active, consent_share, self.ukraine_consent)
    salience = p.russia.salience
    self.utility_last_week = self.utility
    self.utility = bargaining.issue_utility(1.0 - self.terms, salience, p.russia.distance_exponent)
    reciprocal = np.where(bargaining.RECIPROCAL_TERMS, salience, 0.0)
    weight = np.sum(reciprocal, axis=0)
    self.reciprocity = np.sum(reciprocal * self.terms, axis=0) / np.where(weight > 0, weight, 1.0)
    dispute = np.abs(us - nato).mean(axis=0) + model.concessions.conceded.mean(axis=0)
    self.dispute = np.where(active, dispute, self.dispute)


def numpy_choose_offers(self) -> None:
    """``West.choose_offers`` in numpy."""
    model = self.model
    p = model.p
    russia = model.russia
    live = model.active
    us, nato = model.united_states, model.nato
    varying, fixed = self.varying_issues, self.fixed_issues
    steps = west.OFFER_STEPS[None, :, None]
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
            _effective_offer(
                us_offers, nato_offers, share[varying][:, None], own[varying][:, None]
            ),
            granted[varying][:, None],
        )
        unchanged = np.maximum(
            _effective_offer(
                np.maximum(p.west.us_offer[fixed], us.offer_floor[fixed]),
                np.maximum(p.west.nato_offer[fixed], nato.offer_floor[fixed]),
                share[fixed],
                own[fixed],
            ),
            granted[fixed],
        )
        terms = bargaining.distance_terms
        total, weight = terms(1.0 - packages, salience[varying][:, None], exponent)
        total_fixed, weight_fixed = terms(1.0 - unchanged, salience[fixed], exponent)
        worth = bargaining.utility_of_distance(total + total_fixed, weight + weight_fixed, exponent)
        precision = p.russia.choice_precision
        acceptance = np.zeros_like(worth)
        for values, belief in zip(
            russia.by_type, (self.type_belief, 1.0 - self.type_belief), strict=True
        ):
            settle = values.settle_base + values.aspiration * worth
            other = np.maximum(values.war_plan, values.peace_plan)
            acceptance += belief * west.logistic(precision * (settle - other))
        us_salience = p.west.us_salience
        given = np.maximum(packages - packages[:, :1], 0.0)
        weight = us_salience.sum(axis=0)
        concession = (us_salience[varying][:, None] * given).sum(axis=0) / np.where(
            weight > 0, weight, 1.0
        )
        utility = west.offer_utility(acceptance, concession, self.war_risk, p.west.war_aversion)
        utility = np.where(west.OFFER_STEPS[:, None] >= self.offer_step - 1e-12, utility, -np.inf)
        chosen = utility.argmax(axis=0)
        self.acceptance = np.where(
            live, np.take_along_axis(acceptance, chosen[None], axis=0)[0], self.acceptance
        )
        model.narration.mask(
            live & (west.OFFER_STEPS[chosen] > self.offer_step + 1e-12),
            "west",
            "the West widens its offers toward its reservation points: the chance of war "
            "it sees is worth more than what the larger offer concedes (Fearon 1995)",
        )
    self.offer_step = np.where(live, west.OFFER_STEPS[chosen], self.offer_step)
    chosen_offers = (
        (us, p.west.us_offer, p.west.us_reservation),
        (nato, p.west.nato_offer, p.west.nato_reservation),
    )
    step = west.OFFER_STEPS[chosen]
    for actor, t0, reservation in chosen_offers:
        offer = np.maximum(t0 + step * np.maximum(reservation - t0, 0.0), actor.offer_floor)
        actor.offer = np.where(live, offer, actor.offer)


def numpy_update_war_risk(self) -> None:
    """``West.update_war_risk`` in numpy (as before its kernel, commit a0a846d)."""
    model = self.model
    russia_ = model.russia
    if russia_.by_type is None:
        return
    precision = model.p.russia.war_precision
    rev, sec = russia_.by_type
    risk = self.type_belief * west.logistic(precision * (rev.war_plan - rev.peace_plan)) + (
        1.0 - self.type_belief
    ) * west.logistic(precision * (sec.war_plan - sec.peace_plan))
    self.war_risk = np.where(model.active, risk, np.where(model.war.at_war, 1.0, self.war_risk))


def numpy_respond(self) -> None:
    """``West.respond`` in numpy (as before its kernel, commit a0a846d)."""
    model = self.model
    p = model.p
    nato = model.nato
    rung = model.russia.rung
    triggered = west.at_rung(self.sanctions_threatened, rung)
    fearing = self.war_risk
    posture_triggered = np.maximum(
        west.at_rung(self.posture_threatened, rung), 1.0 * (fearing > p.west.posture_threshold)
    )
    support_triggered = np.maximum(
        west.at_rung(self.support_triggered, rung), 1.0 * (fearing > p.west.support_threshold)
    )
    sanctions_cap = np.maximum(
        p.west.us_unilateral_sanctions, west.SANCTIONS_TIERS * nato.consensus
    )
    posture_cap = np.maximum(p.west.us_unilateral_posture, west.POSTURE_LEVELS * nato.consensus)
    sanctions = west.ratchet(self.sanctions, triggered, sanctions_cap)
    posture = west.ratchet(self.posture, posture_triggered, posture_cap)
    support = west.ratchet(self.support, support_triggered, west.SUPPORT_LEVELS)
    active = model.live
    sanctions = np.where(active, sanctions, self.sanctions)
    posture = np.where(active, posture, self.posture)
    support = np.where(active, support, self.support)
    shortfall = np.maximum(triggered - sanctions, 0.0) + np.maximum(
        posture_triggered - posture, 0.0
    )
    unseen = np.where(active, np.maximum(shortfall - self.shortfall_seen, 0.0), 0.0)
    self.shortfall_seen = np.maximum(self.shortfall_seen, np.where(active, shortfall, 0.0))
    self.carry_out(sanctions, posture, support, unseen)


def numpy_update_type_belief(self) -> None:
    """``West.update_type_belief`` in numpy (as before its kernel, commit a0a846d)."""
    russia_ = self.model.russia
    chosen = np.clip(russia_.last_action, 0, None)[None]
    like_rev = np.take_along_axis(russia_.probabilities_if_revisionist, chosen, axis=0)[0]
    like_sec = np.take_along_axis(russia_.probabilities_if_security_seeking, chosen, axis=0)[0]
    posterior = west.bayes_type_update(self.type_belief, like_rev, like_sec)
    self.type_belief = np.where(russia_.last_action >= 0, posterior, self.type_belief)


NUMPY_STEP = {
    (alliance.Nato, "update_willingness"): numpy_update_willingness,
    (russia.Russia, "prospects"): numpy_prospects,
    (russia.Russia, "values_by_type"): numpy_values_by_type,
    (russia.Russia, "choose"): numpy_choose,
    (west.West, "choose_offers"): numpy_choose_offers,
    (bargaining.Deal, "form"): numpy_form,
    (west.West, "update_type_belief"): numpy_update_type_belief,
    (west.West, "update_war_risk"): numpy_update_war_risk,
    (west.West, "respond"): numpy_respond,
}
"""The methods the numpy step replaces, by (class, name)."""


@contextlib.contextmanager
def numpy_step() -> Iterator[None]:
    """Run the model with the numpy step in this block."""
    saved = {key: getattr(*key) for key in NUMPY_STEP}
    share = compiled.COMPACT_SHARE
    for (owner, name), method in NUMPY_STEP.items():
        setattr(owner, name, method)
    compiled.COMPACT_SHARE = 0.0
    try:
        yield
    finally:
        for (owner, name), method in saved.items():
            setattr(owner, name, method)
        compiled.COMPACT_SHARE = share


# -- timing -------------------------------------------------------------------------------


class Timed:
    """CPU time spent in a method, summed over calls (wraps it for a run)."""

    def __init__(self, owner: type, name: str) -> None:
        self.owner, self.name, self.seconds = owner, name, 0.0

    def __enter__(self) -> Timed:
        inner = getattr(self.owner, self.name)
        self.inner = inner

        def timed(*args, **kwargs):
            start = time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds += time.process_time() - start

        setattr(self.owner, self.name, timed)
        return self

    def __exit__(self, *exc: object) -> None:
        setattr(self.owner, self.name, self.inner)


def run_once(worlds: int, seed: int) -> tuple[pd.DataFrame, int, tuple[float, ...]]:
    """Outcomes, weeks stepped, CPU seconds of the steps and of each mechanism with kernels."""
    model = CrisisModel(replications=worlds, seed=seed, event_log=False, record_history=False)
    with (
        Timed(alliance.Nato, "update_willingness") as allies,
        Timed(russia.Russia, "prospects") as outlook,
        Timed(russia.Russia, "values_by_type") as plan_values,
        Timed(russia.Russia, "choose") as choice,
        Timed(west.West, "choose_offers") as offers,
        Timed(bargaining.Deal, "form") as deal,
        Timed(west.West, "update_type_belief") as belief,
        Timed(west.West, "update_war_risk") as war_risk,
        Timed(west.West, "respond") as response,
        Timed(ukraine.Ukraine, "step") as control,
    ):
        start = time.process_time()
        model.run()
        stepping = time.process_time() - start
    seconds = (
        stepping,
        allies.seconds,
        outlook.seconds,
        plan_values.seconds,
        choice.seconds,
        offers.seconds,
        deal.seconds,
        belief.seconds + war_risk.seconds + response.seconds,
        control.seconds,
    )
    return model.outcomes(), model.week, seconds


COMPILE_PROBE = (
    "import time; from crisis_sim import CrisisModel; t = time.process_time(); "
    "m = CrisisModel(replications=2, seed=1, event_log=False, record_history=False); "
    "m.step(); print(time.process_time() - t)"
)


def first_step_seconds(cache_dir: str) -> float:
    """CPU seconds of a fresh process's set-up and first step, kernels compiled or loaded."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    found = subprocess.run(
        [sys.executable, "-c", COMPILE_PROBE], env=env, capture_output=True, text=True, check=True
    )
    return float(found.stdout.strip().splitlines()[-1])


STEP_PROBE = (
    "import sys, time; from crisis_sim import CrisisModel; worlds = int(sys.argv[1]); "
    "CrisisModel(replications=64, seed=11, event_log=False, record_history=False).run(); "
    "m = CrisisModel(replications=worlds, seed=11, event_log=False, record_history=False); "
    "t = time.process_time(); m.run(); print((time.process_time() - t) / (worlds * m.week))"
)

AVX512 = "X86_V4 AVX512_ICL AVX512_SPR AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL"
"""numpy's AVX-512 features (names of numpy 2.5 and older), for NPY_DISABLE_CPU_FEATURES."""


def checkout_step_seconds(checkout: Path, worlds: int, disabled: str) -> float:
    """CPU seconds per world-week of the whole step of ``checkout``'s model, fresh process."""
    python = checkout / ".venv" / "bin" / "python"
    env = dict(os.environ, PYTHONPATH=str(checkout / "src"), NPY_DISABLE_CPU_FEATURES=disabled)
    found = subprocess.run(
        [str(python if python.exists() else sys.executable), "-c", STEP_PROBE, str(worlds)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(found.stdout.strip().splitlines()[-1])


def compare_checkouts(before: Path, worlds: int, repeats: int) -> None:
    """Print the whole step of this checkout against ``before``, best of ``repeats``."""
    here = Path(__file__).resolve().parents[1]
    print(f"\nthe whole step against {before} ({worlds:,} worlds, fresh processes, alternately)")
    heading = f"ns per world-week, best of {repeats}"
    print(f"{heading:<34}{'before':>10}{'this':>10}{'ratio':>8}")
    for label, disabled in (("numpy as it runs here", ""), ("numpy without AVX-512", AVX512)):
        times: dict[Path, list[float]] = {before: [], here: []}
        for _ in range(repeats):
            for checkout in (before, here):
                times[checkout].append(checkout_step_seconds(checkout, worlds, disabled))
        old, new = min(times[before]) * 1e9, min(times[here]) * 1e9
        print(f"{label:<34}{old:>10.0f}{new:>10.0f}{old / new:>7.2f}x")


def main(argv: list[str] | None = None) -> int:
    """Time both engines alternately; print per world-week costs, the ratios and compile times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--before", type=Path, help="another checkout to time the step of")
    args = parser.parse_args(argv)

    run_once(64, args.seed)  # compile or load the kernels first
    with numpy_step():
        run_once(64, args.seed)
    found: dict[str, list[tuple[float, ...]]] = {"numba": [], "numpy": []}
    tables: dict[str, pd.DataFrame] = {}
    weeks = 0
    for _ in range(args.repeats):
        for engine in ("numpy", "numba"):
            context = numpy_step() if engine == "numpy" else contextlib.nullcontext()
            with context:
                table, weeks, seconds = run_once(args.worlds, args.seed)
            tables[engine] = table
            found[engine].append(seconds)
    pd.testing.assert_frame_equal(tables["numba"], tables["numpy"], check_exact=True)

    world_weeks = args.worlds * weeks
    print(
        f"{args.worlds:,} worlds x {weeks} weeks of the baseline; CPU time of one process "
        f"(one core), best of {args.repeats}; worlds identical to the bit: yes"
    )
    print(f"{'ns per world-week':<34}{'numpy':>10}{'numba':>10}{'ratio':>8}")
    labels = (
        "the whole step",
        "allies' update",
        "Russia's outlook",
        "Russia's plan values (x2 types)",
        "Russia's choice",
        "the West's offers",
        "the deal",
        "the West's belief, risk, response",
        "Ukraine's step (control)",
    )
    for column, label in enumerate(labels):
        numpy_ns = min(r[column] for r in found["numpy"]) / world_weeks * 1e9
        numba_ns = min(r[column] for r in found["numba"]) / world_weeks * 1e9
        print(f"{label:<34}{numpy_ns:>10.0f}{numba_ns:>10.0f}{numpy_ns / numba_ns:>7.2f}x")

    cache = tempfile.mkdtemp(prefix="crisis-sim-numba-")
    try:
        cold = first_step_seconds(cache)
        cached = first_step_seconds(cache)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    print(
        f"first step of a fresh process: {cold:.2f} s compiling the kernels, {cached:.2f} s cached"
    )
    if args.before:
        compare_checkouts(args.before.resolve(), args.worlds, args.repeats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
