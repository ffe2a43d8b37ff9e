"""Russia's choice (model card 5.2, 5.4 and 5.7): plans in weeks, their values and a logit choice.

Each week Russia values the plans open to it (:mod:`crisis_sim.model.plans`): strike now,
hold for some weeks and then strike or settle, hold to the end, settle now, or agree to
part of the package and keep coercing. Each action it can take this week (step down,
hold, climb, invade, settle, agree in part) is worth the best plan that starts with it;
Russia chooses among them with logit noise (Signorino 1999) and records, for every
invasion, whether it was its best reply, within :data:`NEAR_BEST_MARGIN` of it, or a
low-probability draw. It holds two Beta beliefs about the West, that it carries out
its threats (resolve) and that it gives way under coercion (yield), and an
underestimate of Ukraine's resistance that fighting corrects. The pure rules come
first; :class:`Russia` holds the state and applies them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from crisis_sim.model import concessions, plans, streams
from crisis_sim.model.compiled import (
    at_world,
    columns_of,
    crisis_rows,
    helper,
    in_rows,
    kernel,
    larger,
    per_world,
    spread,
    with_rows,
)
from crisis_sim.model.domain import Action, InvasionReason, Rung
from crisis_sim.model.plans import (
    deal_after,
    force_of,
    power_plan,
    powers_into,
    resistance_after,
    victory_of,
)
from crisis_sim.model.west import logistic_of

if TYPE_CHECKING:
    from crisis_sim.model.crisis import CrisisModel

DEAL_MARGIN = 1e-9
"""Numerical tolerance: a deal is on offer only if it beats the status quo by more than this."""


def cost_sensitivity(resolve: np.ndarray | float, slope: np.ndarray | float) -> np.ndarray | float:
    """How heavily Russia weighs costs: ``1 - slope x resolve`` (slope: a parameter)."""
    return 1.0 - slope * resolve


def logit_choice_probabilities(
    utilities: np.ndarray, available: np.ndarray, precision: np.ndarray | float
) -> np.ndarray:
    """Quantal-response (logit) choice probabilities (Signorino 1999).

    ``P(a) = exp(lambda EU(a)) / sum_b exp(lambda EU(b))`` over the available actions.
    The rule is :func:`logit_into`, run here as Python (for reading and for small
    tables); the model runs it compiled, in :func:`_choose`.

    Args:
        utilities: (actions, R) expected utilities.
        available: (actions, R) boolean; each world needs at least one.
        precision: lambda, scalar or (R,); ``np.inf`` gives the best reply (ties split).
    """
    utilities, available = _choice_tables(utilities, available)
    probabilities = np.empty_like(utilities)
    logit_into(utilities, available, per_world(precision), -1, probabilities)
    return probabilities


def war_choice_probabilities(
    utilities: np.ndarray,
    available: np.ndarray,
    precision: np.ndarray | float,
    war_precision: np.ndarray | float,
) -> np.ndarray:
    """Choice probabilities when going to war is decided on its own (a nested logit).

    Russia first weighs invading against the best of its other actions, with the
    precision of a deliberate decision, ``P(invade) = logistic(war_precision x (EU(invade) -
    max_b EU(b)))``; the rest of the probability goes to the other actions by
    :func:`logit_choice_probabilities` at the weekly ``precision``. The rule is
    :func:`war_choice_into`, run here as Python; the model runs it compiled, in
    :func:`_choose`.
    """
    utilities, available = _choice_tables(utilities, available)
    probabilities = np.empty_like(utilities)
    war_choice_into(
        utilities, available, per_world(precision), per_world(war_precision), probabilities
    )
    return probabilities


def draw_choice(probabilities: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Pick one action per world by inverse CDF: the first whose cumulative share exceeds u.

    The rule is :func:`draw_into`, run here as Python; the model runs it compiled, in
    :func:`_choose`.
    """
    probabilities = np.ascontiguousarray(probabilities, dtype=float)
    drawn = np.empty(probabilities.shape[1], dtype=np.int64)
    draw_into(probabilities, np.asarray(uniform, dtype=float), drawn)
    return drawn


def _choice_tables(utilities: np.ndarray, available: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(actions, R) utilities and availabilities as C-contiguous float and bool tables."""
    return np.ascontiguousarray(utilities, dtype=float), np.ascontiguousarray(available, dtype=bool)


def beta_mean(successes: np.ndarray, failures: np.ndarray) -> np.ndarray:
    """Mean of a Beta(successes, failures) belief."""
    return successes / (successes + failures)


NEAR_BEST_MARGIN = 0.01
"""How close to the best plan an invasion must be worth to count as a near-best reply.

In the units of Russia's plan values, where the whole distance from the status quo to
all its demands is 1: the model card measures the stakes (the gap between Russia's best
plan of war and its best plan of peace) at a median of about 0.15 over the weeks Russia
chooses and 0.06 in the weeks it invades, so a margin of 0.01 is a small fraction of
what is at stake in the decision.
"""

RUNG_LEVERAGE = (Rung.BUILD_UP, Rung.MILITARY_TECHNICAL, Rung.LIMITED_INCURSION)
"""The rungs Russia can hold and coerce from (structural: 0 is a deal, 4 is war)."""


@dataclass(slots=True)
class Prospects:
    """What each plan offers Russia before its type is counted (one week's outlook).

    Attributes:
        flows: (3, waits, R) weekly flow of holding at rungs 1-3 for that many weeks.
        forever: (3, R) weekly flow of holding at rungs 1-3 for ever.
        deals: (3, waits, R) the deal's utility Russia expects after holding at rungs
            1-3 that many weeks.
        war_gain_now, war_cost_now: (R,) the prize (before aspiration) and the costs of
            invading this week.
        war_gain, war_cost: (waits, R) the same, for invading after that many weeks.
        in_force: (R,) the cost of the sanctions and reinforcement a settlement leaves in force.
        partial_gain: (R,) what agreeing to the reciprocal items on the table adds to the
            status quo (0 if there are none).
        status_quo: (R,) Russia's utility of the status quo.
        sensitivity: cost sensitivity, number or (R,).
        threshold: one-off cost per rung crossed, number or (R,).
        victory_now: (R,) the chance of winning Russia sees if it invades now.
    """

    flows: np.ndarray
    forever: np.ndarray
    deals: np.ndarray
    war_gain_now: np.ndarray
    war_cost_now: np.ndarray
    war_gain: np.ndarray
    war_cost: np.ndarray
    in_force: np.ndarray
    partial_gain: np.ndarray
    status_quo: np.ndarray
    sensitivity: np.ndarray | float
    threshold: np.ndarray | float
    victory_now: np.ndarray


@dataclass(slots=True)
class TypeValues:
    """Russia's action values under one type, and what the West reads from them.

    Attributes:
        utilities, available: (actions, R) each action's value (its best plan) and
            whether it can be taken.
        war_plan: (R,) the value of its best plan that ends in war.
        peace_plan: (R,) the value of its best plan that does not.
        settle_base, aspiration: (R,) a settlement on terms worth ``D`` is worth
            ``settle_base + aspiration x D`` to Russia this week.
        best_wait, best_final: (R,) for the hold: the weeks of its best plan (kept only
            when explained, 0 otherwise) and its final move (0 strike, 1 settle, 2 hold
            to the end).
    """

    utilities: np.ndarray
    available: np.ndarray
    war_plan: np.ndarray
    peace_plan: np.ndarray
    settle_base: np.ndarray
    aspiration: np.ndarray
    best_wait: np.ndarray
    best_final: np.ndarray


@helper
def expected_level(now: float, threatened: float, belief: float) -> float:
    """Level Russia expects: what is in force, plus the threatened rise times its belief."""
    return now + belief * larger(threatened - now, 0.0)


@helper(inline=False)
def best_of(utilities: np.ndarray, available: np.ndarray, skip: int) -> np.ndarray:
    """(R,) the largest utility of an action available in each world, leaving out ``skip``.

    ``utilities`` and ``available`` are (actions, R); ``skip`` is an action left out (-1:
    none). ``-inf`` where no action is available, and NaN where one of their utilities
    is NaN, as numpy's ``max``.
    """
    actions, size = utilities.shape
    best = np.full(size, -np.inf)
    for action in range(actions):
        if action != skip:
            for world in range(size):
                value = utilities[action, world] if available[action, world] else -np.inf
                best[world] = larger(best[world], value)
    return best


@helper(inline=False)
def logit_into(
    utilities: np.ndarray,
    available: np.ndarray,
    precision: np.ndarray,
    skip: int,
    out: np.ndarray,
) -> np.ndarray:
    """The logit choice in every world (Signorino 1999), into (actions, R) ``out``.

    ``P(a) = exp(precision x (EU(a) - best)) / sum_b exp(precision x (EU(b) - best))``
    over the actions available, leaving out ``skip`` (-1: none), which get 0; an
    infinite precision (one value, or one per world) splits the choice evenly among the
    best. Returns the best utility in each world (:func:`best_of`).
    """
    actions, size = utilities.shape
    best = best_of(utilities, available, skip)
    total = np.zeros(size)
    for action in range(actions):
        for world in range(size):
            weight = 0.0
            if action != skip and available[action, world]:
                slope, value = at_world(precision, world), utilities[action, world]
                gap = value - best[world]
                if math.isfinite(slope):
                    # exp(slope x 0) is 1 exactly: the best action's weight needs no exp.
                    weight = 1.0 if gap == 0.0 else math.exp(slope * gap)
                elif value == best[world]:
                    weight = 1.0
            out[action, world] = weight
            total[world] += weight
    for action in range(actions):
        for world in range(size):
            out[action, world] = out[action, world] / total[world]
    return best


@helper(inline=False)
def war_choice_into(
    utilities: np.ndarray,
    available: np.ndarray,
    precision: np.ndarray,
    war_precision: np.ndarray,
    out: np.ndarray,
) -> None:
    """The nested logit in every world, into (actions, R) ``out``.

    Invading gets ``logistic(war_precision x (EU(invade) - best other))`` where it is
    available (0 where not); the other actions share the rest by :func:`logit_into`
    (:func:`war_choice_probabilities`).
    """
    actions, size = utilities.shape
    best = logit_into(utilities, available, precision, _INVADE, out)
    chance = np.zeros(size)
    for world in range(size):
        if available[_INVADE, world]:
            gap = utilities[_INVADE, world] - best[world]
            chance[world] = logistic_of(at_world(war_precision, world) * gap)
    for action in range(actions):
        for world in range(size):
            out[action, world] = out[action, world] * (1.0 - chance[world])
    for world in range(size):
        out[_INVADE, world] = chance[world]


@helper(inline=False)
def draw_into(probabilities: np.ndarray, uniform: np.ndarray, drawn: np.ndarray) -> None:
    """The action drawn in every world by inverse CDF, into (R,) ``drawn``.

    From (actions, R) ``probabilities``: the first action whose cumulative share
    exceeds ``uniform`` times the total (the first action if none does).
    """
    actions, size = probabilities.shape
    total = np.zeros(size)
    for action in range(actions):
        for world in range(size):
            total[world] += probabilities[action, world]
    cumulative = np.zeros(size)
    for world in range(size):
        drawn[world] = -1
    for action in range(actions):
        for world in range(size):
            cumulative[world] += probabilities[action, world]
            if drawn[world] < 0 and cumulative[world] > uniform[world] * total[world]:
                drawn[world] = action
    for world in range(size):
        if drawn[world] < 0:
            drawn[world] = 0


_INVADE = int(Action.INVADE)
_ESCALATE, _DE_ESCALATE = int(Action.ESCALATE), int(Action.DE_ESCALATE)
_ACCEPT, _HOLD, _ACCEPT_PARTIAL = int(Action.ACCEPT), int(Action.HOLD), int(Action.ACCEPT_PARTIAL)
_FULL_INVASION, _DIPLOMACY = int(Rung.FULL_INVASION), int(Rung.DIPLOMACY)
_TALKS_UP_TO = int(Rung.MILITARY_TECHNICAL)
_BEST_REPLY, _NEAR_BEST = int(InvasionReason.BEST_REPLY), int(InvasionReason.NEAR_BEST)
_LOW_PROBABILITY = int(InvasionReason.LOW_PROBABILITY)


@kernel(
    "void(float64[:, ::1], boolean[:, ::1], float64[:, ::1], boolean[:, ::1], boolean[::1],"
    " float64[::1], float64[::1], float64[::1], boolean[::1], boolean[::1], int64[::1],"
    " float64[::1], float64, float64[:, ::1], float64[:, ::1], float64[:, ::1], float64[:, ::1],"
    " int64[::1], int64[::1], boolean[::1], int64[::1], float64[::1], float64[::1])"
)
def _choose(
    rev_utilities: np.ndarray,
    rev_available: np.ndarray,
    sec_utilities: np.ndarray,
    sec_available: np.ndarray,
    revisionist: np.ndarray,
    precision: np.ndarray,
    war_precision: np.ndarray,
    uniform: np.ndarray,
    active: np.ndarray,
    stood_down: np.ndarray,
    rung: np.ndarray,
    victory_now: np.ndarray,
    near_best: float,
    p_rev: np.ndarray,
    p_sec: np.ndarray,
    utilities: np.ndarray,
    probabilities: np.ndarray,
    action: np.ndarray,
    new_rung: np.ndarray,
    talking: np.ndarray,
    reason: np.ndarray,
    margin: np.ndarray,
    victory: np.ndarray,
) -> None:
    """Russia's choice this week, the rule of :meth:`Russia.choose`, in every world.

    The nested logit under each type (:func:`war_choice_into`, into ``p_rev`` and
    ``p_sec``); the world's own type's utilities and probabilities; the action drawn
    with ``uniform`` (:func:`draw_into`), or -1 where Russia does not choose (the world
    has ended, Russia is at war or has stood down). An invasion records its reason (a
    best reply, within ``near_best`` of it, or a low-probability draw), how far below
    the best action it stood, and the chance of winning Russia saw (``victory_now``).
    The new rung: down or up one, 0 after a settlement, 4 after an invasion. Russia
    talks in the worlds still in crisis where it held, stepped down or agreed in part
    and stands at the military-technical rung or below.
    """
    actions, size = utilities.shape
    war_choice_into(rev_utilities, rev_available, precision, war_precision, p_rev)
    war_choice_into(sec_utilities, sec_available, precision, war_precision, p_sec)
    for index in range(actions):
        for world in range(size):
            own = revisionist[world]
            utilities[index, world] = (
                rev_utilities[index, world] if own else sec_utilities[index, world]
            )
            probabilities[index, world] = p_rev[index, world] if own else p_sec[index, world]
    drawn = np.empty(size, dtype=np.int64)
    draw_into(probabilities, uniform, drawn)
    for world in range(size):
        at = rung[world]
        acting = active[world] and at < _FULL_INVASION and not stood_down[world]
        chosen = drawn[world] if acting else -1
        action[world] = chosen
        if chosen == _INVADE:
            open_to = rev_available if revisionist[world] else sec_available
            best = -np.inf
            for index in range(actions):
                if open_to[index, world]:
                    best = larger(best, utilities[index, world])
            below = larger(best - utilities[_INVADE, world], 0.0)
            if below <= 0.0:
                reason[world] = _BEST_REPLY
            elif below <= near_best:
                reason[world] = _NEAR_BEST
            else:
                reason[world] = _LOW_PROBABILITY
            margin[world] = below
            victory[world] = victory_now[world]
            at = _FULL_INVASION
        elif chosen == _ACCEPT:
            at = _DIPLOMACY
        elif chosen == _DE_ESCALATE:
            at -= 1
        elif chosen == _ESCALATE:
            at += 1
        new_rung[world] = at
        talks = chosen == _HOLD or chosen == _DE_ESCALATE or chosen == _ACCEPT_PARTIAL
        talking[world] = active[world] and talks and at <= _TALKS_UP_TO


@helper
def massed_at(
    weeks: float,
    world: int,
    buildup_start: np.ndarray,
    buildup_weeks: np.ndarray,
    readiness_weeks: np.ndarray,
    readiness_decline: np.ndarray,
    axis_gain: np.ndarray,
) -> float:
    """The massed force in ``world`` after ``weeks`` weeks, as :meth:`Russia.massed_force`.

    :func:`crisis_sim.model.plans.force_of` times ``1 + axis_gain`` (0 without a second
    axis: the product is then the force to the bit); each parameter one value or (R,).
    """
    force = force_of(
        weeks,
        at_world(buildup_start, world),
        at_world(buildup_weeks, world),
        at_world(readiness_weeks, world),
        at_world(readiness_decline, world),
    )
    return force * (1.0 + at_world(axis_gain, world))


@kernel(
    "void(int64[::1], int64[::1], int64[::1], int64[::1], float64[::1], float64[::1],"
    " float64[::1], float64[::1], float64[::1], float64[::1], boolean, float64[::1],"
    " float64[::1], float64[::1], float64[::1], float64[::1], float64[::1], float64[:, ::1],"
    " int64, float64[::1], float64[::1],"
    " float64[::1], float64[::1], float64[::1], float64[::1], float64[::1], float64[::1],"
    " float64[::1], float64[::1], float64[::1], float64[::1], float64[::1], float64[::1],"
    " float64[::1], float64[:, ::1], float64[:, ::1], float64[::1], float64[::1],"
    " float64[::1], float64[::1], float64[::1], float64[::1], float64[::1], float64[::1],"
    " float64[:, :, ::1], float64[:, ::1], float64[:, :, ::1], float64[::1], float64[::1],"
    " float64[::1], float64[:, ::1], float64[:, ::1])"
)
def _outlook(
    waits: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    rows: np.ndarray,
    resolve_evidence: np.ndarray,
    weakness_evidence: np.ndarray,
    status_quo: np.ndarray,
    sensitivity: np.ndarray,
    sanction_unit: np.ndarray,
    national: np.ndarray,
    has_national: bool,
    weeks_massed: np.ndarray,
    start: np.ndarray,
    buildup: np.ndarray,
    readiness: np.ndarray,
    decline: np.ndarray,
    axis_gain: np.ndarray,
    ground: np.ndarray,
    week: int,
    resistance: np.ndarray,
    resistance_in_prospect: np.ndarray,
    adjustment_rate: np.ndarray,
    resistance_error: np.ndarray,
    victory_slope: np.ndarray,
    deal_utility: np.ndarray,
    leverage_build_up: np.ndarray,
    leverage_military_technical: np.ndarray,
    leverage_incursion: np.ndarray,
    yield_evidence: np.ndarray,
    firmness_evidence: np.ndarray,
    extraction_weeks: np.ndarray,
    war_utility: np.ndarray,
    sanctions: np.ndarray,
    posture: np.ndarray,
    sanctions_threatened: np.ndarray,
    posture_threatened: np.ndarray,
    posture_cost: np.ndarray,
    war_cost: np.ndarray,
    incursion_share: np.ndarray,
    upkeep: np.ndarray,
    doubling: np.ndarray,
    ahead_forever: np.ndarray,
    relief: np.ndarray,
    victory_now: np.ndarray,
    flows: np.ndarray,
    forever: np.ndarray,
    deals: np.ndarray,
    war_gain_now: np.ndarray,
    war_cost_now: np.ndarray,
    in_force: np.ndarray,
    war_gain: np.ndarray,
    war_cost_later: np.ndarray,
) -> None:
    """Russia's outlook for every plan, the rule of :meth:`Russia.prospects`, per world.

    The force now and after each wait ``k``: :func:`crisis_sim.model.plans.force_of`
    after ``weeks massed (+ k)`` weeks, times ``1 + axis gain`` (a second axis from a
    host country) and the ground of that week (``ground``, (weeks, 1 or R), from row
    ``week``). The resistance Russia expects: Ukraine's, now and closing on what its
    support allows (:func:`crisis_sim.model.plans.resistance_after` at ``(1 -
    adjustment rate)^k``, by the products ``first`` x ``second`` of
    :func:`crisis_sim.model.plans.power_plan`, row ``rows[k]``), times ``1 -``
    its underestimate. The chance of winning
    (:func:`crisis_sim.model.plans.victory_of`), now (into ``victory_now``) and after
    each wait. The deal Russia expects after holding ``k`` weeks at rung ``L``
    (:func:`crisis_sim.model.plans.deal_after` at ``(1 - rate)^k``, the rate
    ``leverage_L x force now x yield belief / extraction weeks``, the yield belief
    ``yield / (yield + firmness)``).

    For each rung ``L`` (1-3) Russia can hold at and each wait ``k`` (tables are
    (rungs, waits, R)): the weekly flow of holding, ``status quo - sensitivity x
    (threat_L + upkeep x L x (1 + (weeks massed + (k - 1) / 2) / doubling))``, where the
    threat is the sanctions and reinforcement expected at ``L`` (:func:`expected_level`
    at Russia's belief in Western resolve, ``resolve / (resolve + weakness)``), plus
    allies' national measures, plus at the incursion rung its share of the war's cost;
    and holding for ever (the mean weeks ahead are ``delta / (1 - delta)``). The war now
    and after each wait: the chance of winning times what war could gain beyond the
    status quo; its cost, ``sensitivity x (war cost x resistance x (2 - force) + the
    sanctions and reinforcement an invasion triggers)``. And what is in force now, less
    the relief a deal brings.
    """
    levels, count, size = flows.shape
    threats = np.empty((levels, size))
    war_threat = np.empty(size)
    prize = np.empty(size)
    resisting = np.empty(size)
    massed = np.empty(size)
    yielding = np.empty(size)
    force_now = np.empty(size)
    column = ground.shape[1] > 1
    for world in range(size):
        resisting[world] = resistance[world] * (1.0 - resistance_error[world])
        massed[world] = massed_at(
            weeks_massed[world], world, start, buildup, readiness, decline, axis_gain
        )
        force_now[world] = massed[world] * ground[week, world if column else 0]
        slope = at_world(victory_slope, world)
        victory_now[world] = victory_of(force_now[world], resisting[world], slope)
        yielding[world] = yield_evidence[world] / (yield_evidence[world] + firmness_evidence[world])
    resisting_later = np.empty((count, size))
    bases = np.empty(size)
    powers = np.empty((first.shape[0], size))
    for world in range(size):
        bases[world] = 1.0 - at_world(adjustment_rate, world)
    powers_into(bases, first, second, powers)
    for index in range(count):
        row = rows[index]
        for world in range(size):
            later = resistance_after(
                resistance[world], resistance_in_prospect[world], powers[row, world]
            )
            resisting_later[index, world] = later * (1.0 - resistance_error[world])
    leverages = (leverage_build_up, leverage_military_technical, leverage_incursion)
    for level in range(levels):
        for world in range(size):
            rate = (
                at_world(leverages[level], world)
                * massed[world]
                * yielding[world]
                / at_world(extraction_weeks, world)
            )
            bases[world] = 1.0 - rate
        powers_into(bases, first, second, powers)
        for index in range(count):
            row = rows[index]
            for world in range(size):
                deals[level, index, world] = deal_after(deal_utility[world], powers[row, world])
    for world in range(size):
        belief = resolve_evidence[world] / (resolve_evidence[world] + weakness_evidence[world])
        unit, extra = sanction_unit[world], at_world(national, world)
        imposed, posted = sanctions[world], posture[world]
        posting = at_world(posture_cost, world)
        for rung in range(1, levels + 2):
            threat = unit * expected_level(
                imposed, sanctions_threatened[rung, world], belief
            ) + posting * expected_level(posted, posture_threatened[rung, world], belief)
            if has_national:
                threat = threat + extra
            if rung == 3:
                threat = threat + at_world(war_cost, world) * resisting[world] * at_world(
                    incursion_share, world
                )
            if rung <= levels:
                threats[rung - 1, world] = threat
            else:
                war_threat[world] = threat
        sens = at_world(sensitivity, world)
        prize[world] = larger(war_utility[world] - status_quo[world], 0.0)
        war_gain_now[world] = victory_now[world] * prize[world]
        war_cost_now[world] = sens * (
            at_world(war_cost, world) * resisting[world] * (2.0 - force_now[world])
            + war_threat[world]
        )
        in_force[world] = (
            sens * (1.0 - at_world(relief, world)) * (unit * imposed + posting * posted + extra)
        )
    for index in range(count):
        wait = waits[index]
        for world in range(size):
            force = massed_at(
                weeks_massed[world] + wait, world, start, buildup, readiness, decline, axis_gain
            )
            force = force * ground[week + wait, world if column else 0]
            later = resisting_later[index, world]
            victory = victory_of(force, later, at_world(victory_slope, world))
            war_gain[index, world] = victory * prize[world]
            war_cost_later[index, world] = at_world(sensitivity, world) * (
                at_world(war_cost, world) * later * (2.0 - force) + war_threat[world]
            )
    for level in range(levels):
        for index in range(count):
            wait = (waits[index] - 1) / 2.0
            for world in range(size):
                held = (weeks_massed[world] + wait) / at_world(doubling, world)
                base = at_world(upkeep, world) * (level + 1)
                flows[level, index, world] = status_quo[world] - at_world(sensitivity, world) * (
                    threats[level, world] + base * (1.0 + held)
                )
        for world in range(size):
            ahead = weeks_massed[world] + at_world(ahead_forever, world)
            held = ahead / at_world(doubling, world)
            base = at_world(upkeep, world) * (level + 1)
            forever[level, world] = status_quo[world] - at_world(sensitivity, world) * (
                threats[level, world] + base * (1.0 + held)
            )


@helper
def hold_then_values(
    tables: tuple[np.ndarray, ...],
    aspiration: np.ndarray,
    saved: np.ndarray,
    base: np.ndarray,
    level: int,
    index: int,
    world: int,
) -> tuple[float, float]:
    """The plans of holding at rung ``level + 1`` for the ``index``-th wait: (strike, settle).

    ``flow + delta^k (F - flow)`` (:func:`plans.hold_then`) with ``F`` the war then, less
    the thresholds still to cross, or the deal expected then (from ``base``, the status
    quo Russia keeps, what stays in force and the walk-back), less the audience cost of
    backing down from the rung. ``tables``: the flows, deals, war gains and costs,
    discount weights, status quo, thresholds and audience costs (:func:`_plan_values`);
    ``aspiration``, ``saved`` and ``base`` are a type's.
    """
    flows, deals, war_gain, war_cost, weight, status_quo, threshold, audience = tables
    at = level + 1
    flow = flows[level, index, world]
    discount = weight[index, world]
    asp = aspiration[world]
    war_later = status_quo[world] + asp * war_gain[index, world] - war_cost[index, world]
    to_cross = threshold[world] * (4 - at)
    backing = audience[world] * at * saved[world]
    strike = flow + discount * ((war_later - to_cross) - flow)
    settle = flow + discount * ((base[world] - backing + asp * deals[level, index, world]) - flow)
    return strike, settle


@helper
def is_best(value: float, best: float) -> bool:
    """Whether ``value`` is the ``best`` of its plans (by :func:`larger`): equal, or both NaN."""
    return (value == best) | ((value != value) & (best != best))


@kernel(
    "void(float64[:, :, ::1], float64[:, ::1], float64[:, :, ::1], float64[:, ::1],"
    " float64[:, ::1], float64[:, ::1], int64[::1], float64[::1], float64[::1],"
    " float64[:, ::1], float64[:, ::1], float64[::1], float64[:, ::1], float64[::1],"
    " float64[::1], float64[::1], float64[::1], float64[::1], float64[::1], float64,"
    " int64[::1], boolean, float64[:, :, ::1], boolean[:, ::1], float64[:, ::1],"
    " float64[:, ::1], float64[:, ::1], int64[:, ::1], int64[:, ::1])"
)
def _plan_values(
    flows: np.ndarray,
    forever: np.ndarray,
    deals: np.ndarray,
    war_gain: np.ndarray,
    war_cost: np.ndarray,
    weight: np.ndarray,
    waits: np.ndarray,
    threshold: np.ndarray,
    status_quo: np.ndarray,
    aspiration: np.ndarray,
    saved: np.ndarray,
    audience: np.ndarray,
    walk_back: np.ndarray,
    in_force: np.ndarray,
    war_gain_now: np.ndarray,
    war_cost_now: np.ndarray,
    deal_utility: np.ndarray,
    partial_gain: np.ndarray,
    partial_cost: np.ndarray,
    deal_margin: float,
    rung: np.ndarray,
    explain: bool,
    utilities: np.ndarray,
    available: np.ndarray,
    war_plan: np.ndarray,
    peace_plan: np.ndarray,
    settle_base: np.ndarray,
    best_wait: np.ndarray,
    best_final: np.ndarray,
) -> None:
    """Russia's action values under each type, the rule of :meth:`Russia.type_values`, per world.

    Every type in one call: the inputs and results that depend on the type
    (``aspiration``, ``saved``, ``walk_back``; ``utilities``, ``war_plan``,
    ``peace_plan``, ``settle_base``, ``best_wait``, ``best_final``) have a first axis of
    types, whose rows are computed alike, each as if alone.

    For each rung ``L`` Russia can hold at (1-3; tables are (rungs, waits, R)), the
    plans of holding ``k`` weeks at the weekly ``flow`` and then a final move worth
    ``F``, ``flow + delta^k (F - flow)`` (``weight`` is ``delta^k``, :func:`plans.hold_then`):
    strike (``F`` the war then, less the thresholds still to cross), settle (the deal
    expected then, less the audience cost of backing down from ``L``); holding for ever.
    Then each action's value is its best plan (step down, hold, climb: from the rung
    below, here, above; invade now; settle now; agree in part: holding here once the
    items agreed join the status quo), and the best plans of war and of peace reachable
    this week, each less the cost of its first move. ``best_wait`` and ``best_final``:
    the weeks (if ``explain``) and the final move (0 strike, 1 settle, 2 hold to the end)
    of the best hold here.
    """
    levels, count, size = flows.shape
    types = aspiration.shape[0]
    base = np.empty((types, size))
    for kind in range(types):
        for world in range(size):
            kept = status_quo[world] * (1.0 - aspiration[kind, world]) - in_force[world]
            base[kind, world] = kept - walk_back[kind, world]
    tables = (flows, deals, war_gain, war_cost, weight, status_quo, threshold, audience)
    war_plans = np.empty((types, levels, size))
    settle_best = np.empty((types, levels, size))
    for kind in range(types):
        asp, face, rest = aspiration[kind], saved[kind], base[kind]
        for level in range(levels):
            strikes, settles = war_plans[kind, level], settle_best[kind, level]
            for index in range(count):
                for world in range(size):
                    strike, settle = hold_then_values(tables, asp, face, rest, level, index, world)
                    best = strikes[world] if index > 0 else strike
                    strikes[world] = larger(best, strike)
                    best = settles[world] if index > 0 else settle
                    settles[world] = larger(best, settle)
    strike_wait = np.full((types, levels, size), -1, dtype=np.int64)
    settle_wait = np.full((types, levels, size), -1, dtype=np.int64)
    if explain:
        # The weeks of the best plans: the first wait whose value is the best (the first
        # NaN, where one made the best NaN), in a second pass only when asked for.
        for level in range(levels):
            for index in range(count):
                for kind in range(types):
                    for world in range(size):
                        strike, settle = hold_then_values(
                            tables, aspiration[kind], saved[kind], base[kind], level, index, world
                        )
                        best_strike = war_plans[kind, level, world]
                        if strike_wait[kind, level, world] < 0 and is_best(strike, best_strike):
                            strike_wait[kind, level, world] = index
                        best_settle = settle_best[kind, level, world]
                        if settle_wait[kind, level, world] < 0 and is_best(settle, best_settle):
                            settle_wait[kind, level, world] = index
    for world in range(size):
        now = rung[world]
        available[0, world] = now >= 2
        available[1, world] = True
        available[2, world] = now <= 2
        available[3, world] = True
        available[4, world] = True
        available[5, world] = partial_gain[world] > deal_margin
    for kind in range(types):
        for world in range(size):
            asp = aspiration[kind, world]
            quo = status_quo[world]
            face = saved[kind, world]
            threshold_here = threshold[world]
            now = rung[world]
            here = min(max(now - 1, 0), levels - 1)
            up = min(max(now, 0), levels - 1)
            down = min(max(now - 2, 0), levels - 1)
            backing = audience[world] * now * face
            gain = partial_gain[world]
            war_best = -np.inf
            peace_best = -np.inf
            hold_here = hold_up = hold_down = 0.0
            for level in range(levels):
                strike_best = war_plans[kind, level, world]
                held = forever[level, world]
                peace = larger(settle_best[kind, level, world], held)
                hold = larger(strike_best, peace)
                if level == here:
                    hold_here = hold
                    if strike_best >= peace:
                        best_final[kind, world] = 0
                        wait = strike_wait[kind, level, world]
                    else:
                        settles_best = settle_best[kind, level, world] >= held
                        best_final[kind, world] = 1 if settles_best else 2
                        wait = settle_wait[kind, level, world]
                    best_wait[kind, world] = waits[wait] if explain else 0
                if level == up:
                    hold_up = hold
                if level == down:
                    hold_down = hold
                at = level + 1
                if abs(at - now) <= 1:
                    move = backing if at < now else (threshold_here if at > now else 0.0)
                    war_best = larger(war_best, strike_best - move)
                    peace_best = larger(peace_best, peace - move)
            invade = (
                quo + asp * war_gain_now[world] - war_cost_now[world] - threshold_here * (4 - now)
            )
            settle_now = base[kind, world] - backing + asp * deal_utility[world]
            after_best = -np.inf
            for index in range(count):
                flow = flows[here, index, world] + gain
                final = (
                    (quo + gain) * (1.0 - asp)
                    - in_force[world]
                    - backing
                    + (asp * deals[here, index, world])
                )
                value = flow + weight[index, world] * (final - flow)
                after_best = value if index == 0 else larger(after_best, value)
            hold_on = larger(war_plans[kind, here, world], forever[here, world])
            partial = (
                larger(hold_on + gain, after_best) - partial_cost[world] - walk_back[kind, world]
            )
            utilities[kind, 0, world] = hold_down - backing
            utilities[kind, 1, world] = hold_here
            utilities[kind, 2, world] = hold_up - threshold_here
            utilities[kind, 3, world] = settle_now
            utilities[kind, 4, world] = invade
            utilities[kind, 5, world] = partial
            war_plan[kind, world] = larger(invade, war_best)
            partial_or_none = partial if gain > deal_margin else -np.inf
            peace_plan[kind, world] = larger(larger(settle_now, partial_or_none), peace_best)
            settle_base[kind, world] = base[kind, world] - backing


def _table(value: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``value`` broadcast to ``shape``, as a writable C-contiguous float array (for a kernel).

    ``value`` itself when it is one already (no copy).
    """
    array = np.asarray(value, dtype=float)
    if array.shape == shape and array.flags.writeable and array.flags.c_contiguous:
        return array
    return np.array(np.broadcast_to(array, shape), dtype=float, order="C")


def _spread_values(values: TypeValues, rows: np.ndarray, size: int) -> TypeValues:
    """A type's values in the worlds ``rows`` as values in all ``size`` worlds (NaN elsewhere).

    Where Russia is not valued nothing reads them
    (:func:`crisis_sim.model.compiled.crisis_rows`); NaN would show it if anything did.
    """
    return TypeValues(
        utilities=spread(values.utilities, rows, size, np.nan),
        available=spread(values.available, rows, size, False),
        war_plan=spread(values.war_plan, rows, size, np.nan),
        peace_plan=spread(values.peace_plan, rows, size, np.nan),
        settle_base=spread(values.settle_base, rows, size, np.nan),
        aspiration=spread(np.asarray(values.aspiration), rows, size, np.nan),
        best_wait=spread(values.best_wait, rows, size, 0),
        best_final=spread(values.best_final, rows, size, 0),
    )


class Russia(mesa.Agent):
    """Russia: holds, climbs or steps down its ladder, invades, settles, or agrees in part.

    Each week it values every plan open to it in time (:mod:`crisis_sim.model.plans`)
    and chooses the first move of one with logit noise (Signorino 1999). It is
    privately of a revisionist or a security-seeking type (Kydd 2005), and it holds two
    Beta beliefs that it updates from what the West does: that the West carries out
    its threats (resolve), and that the West gives way on its demands under coercion
    (yield).
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
        self.partial_week = np.full(size, -1)
        """The week Russia first agreed to part of a package, -1 if never."""
        self.walked_back = np.zeros(size, dtype=bool)
        """Russia has walked back its declaration that talks are pointless (RU-A2) by agreeing."""
        self.invasion_reason = np.full(size, int(InvasionReason.NONE))
        """Why the world's invasion was chosen (:class:`InvasionReason`)."""
        self.invasion_margin = np.full(size, np.nan)
        """How far below the best plan invading stood when chosen (0 for a best reply)."""
        self.invasion_victory = np.full(size, np.nan)
        """The chance of winning Russia saw when it invaded."""
        self.utilities = np.zeros((len(Action), *size))
        self.probabilities = np.zeros((len(Action), *size))
        self.probabilities_if_revisionist = self.probabilities
        self.probabilities_if_security_seeking = self.probabilities
        self.by_type: tuple[TypeValues, TypeValues] | None = None
        """This week's values under the revisionist and the security-seeking type."""
        self.stood_down = np.zeros(size, dtype=bool)
        """Russia has stood its forces down unilaterally (a ``stand_down`` lever)."""
        self.ultimatum_deadline = np.full(size, -1)
        """The week of a pending ultimatum's deadline, -1 if none (``ultimatum`` lever)."""
        self.ultimatum_demand = np.zeros(size)
        """What the deal on the table must be worth to Russia by the deadline, 0-1."""
        self.axis_gain: np.ndarray | None = None
        """(R,) the share a second axis from a host country adds to Russia's force, or None."""
        self.sanctions_offset: np.ndarray | None = None
        """(R,) the share of sanctions' cost a third country's backing offsets, or None."""
        self.discount_weights = _table(
            plans.wait_powers(p.russia.discount), (len(plans.WAITS), revisionist.shape[0])
        )
        """(waits, R) ``delta^k``, the weight of a plan's final move after each wait."""
        self._outlook_tables: dict[str, np.ndarray] | None = None
        """The tables the week's own outlook is written into, kept from week to week."""

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
        """How much Russia values gains beyond the status quo (:func:`concessions.aspiration`).

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

    def massed_force(
        self, weeks_on: np.ndarray | float = 0.0, rows: np.ndarray | None = None
    ) -> np.ndarray:
        """The massed force (:func:`plans.force`) now, or ``weeks_on`` weeks from now.

        A host country's second axis (``host_forces``) multiplies it by ``1 + axis_gain``:
        the same forces threaten Ukraine from one more side, so the force can pass 1.
        ``rows``: in those worlds only (None: in every world).
        """
        p = self.model.p.russia

        def pick(value: np.ndarray | float) -> np.ndarray | float:
            return value if rows is None else in_rows(value, rows)

        force = plans.force(
            pick(self.weeks_massed) + weeks_on,
            pick(p.buildup_start),
            pick(p.buildup_weeks),
            pick(p.readiness_weeks),
            pick(p.readiness_decline),
        )
        if self.axis_gain is None:
            return force
        return force * (1.0 + pick(self.axis_gain))

    def sanction_unit(self) -> np.ndarray:
        """What a tier of sanctions costs Russia a week: ``west.sanction_cost x participation``.

        Times ``1 - offset`` where a third country backs Russia (``economic_backing``).
        """
        model = self.model
        unit = model.p.west.sanction_cost * model.nato.participation
        if self.sanctions_offset is None:
            return unit
        return unit * (1.0 - self.sanctions_offset)

    def national_sanctions_cost(self) -> np.ndarray | float:
        """What allies' national measures cost Russia a week beyond the collective tier.

        ``west.sanction_cost x sum_i gdp_i x max(n_i - w_i x T, 0)``, less any backing's
        offset: an ally's own tier ``n_i`` counts only beyond its part in the collective
        tier ``T`` (:meth:`crisis_sim.model.alliance.Nato.national_excess`).
        """
        model = self.model
        excess = model.nato.national_excess(model.west.sanctions)
        if excess is None:
            return 0.0
        cost = model.p.west.sanction_cost * excess
        if self.sanctions_offset is None:
            return cost
        return cost * (1.0 - self.sanctions_offset)

    def prospects(self, *, reuse: bool = False, rows: np.ndarray | None = None) -> Prospects:
        """Return this week's outlook for every plan, before Russia's type is counted.

        ``reuse`` writes it into tables kept from week to week (the weekly step's own
        outlook, which overwrites the last one it returned); otherwise into new arrays.
        ``rows``: the outlook of those worlds only (its tables have one column per row),
        the same numbers there as for every world.

        Holding at rung L costs each week the upkeep of massed forces (``upkeep x L``,
        growing by 1 / ``russia.upkeep_doubling_weeks`` per week massed), the sanctions and
        reinforcement expected at L (what is in force plus what L triggers, times the
        belief in Western resolve) and, at the incursion rung, ``russia.incursion_war_share``
        of the cost of war each week. Its pay-off is a better deal later
        (:func:`plans.expected_deal`, at ``leverage_L x force x yield belief /
        extraction_weeks`` a week: a threat is as strong as the force behind it, Slantchev
        2005). Invading after k weeks wins with :func:`plans.victory_chance` of the force
        then (build-up, readiness, season) against the resistance Russia expects then
        (shifting power, less its underestimate), gains the Ukrainian issues in full,
        and costs ``war_cost x resistance x (2 - force)`` once plus the sanctions and
        reinforcement expected for an invasion for ever. The rule is the compiled kernel
        :func:`_outlook`, which computes the force over the waits, the expected deals and
        Ukraine's resistance later by the rules of :mod:`crisis_sim.model.plans`.
        """
        model = self.model
        p = model.p
        west, ukraine = model.west, model.ukraine
        waits = plans.WAITS
        everywhere = model.replications
        size = everywhere if rows is None else rows.shape[0]
        levels = len(RUNG_LEVERAGE)
        sensitivity = cost_sensitivity(p.russia.resolve, p.russia.cost_sensitivity_slope)
        discount = p.russia.discount
        reuse = reuse and rows is None

        def pick(value: np.ndarray | float, wide: bool = False) -> np.ndarray:
            return in_rows(value, rows, everywhere if wide else 1)

        tables = self._outlook_tables if reuse else None
        if tables is None:
            shapes = {
                "victory_now": (size,),
                "flows": (levels, len(waits), size),
                "forever": (levels, size),
                "deals": (levels, len(waits), size),
                "war_gain_now": (size,),
                "war_cost_now": (size,),
                "in_force": (size,),
                "war_gain": (len(waits), size),
                "war_cost": (len(waits), size),
            }
            tables = {name: np.empty(shape) for name, shape in shapes.items()}
            if reuse:
                self._outlook_tables = tables
        ground = model.ground
        _outlook(
            waits.astype(np.int64),
            *power_plan(waits),
            pick(self.resolve_evidence),
            pick(self.weakness_evidence),
            pick(model.concessions.status_quo_utility),
            pick(sensitivity),
            pick(self.sanction_unit()),
            pick(self.national_sanctions_cost()),
            model.nato.has_national_measures,
            pick(self.weeks_massed, wide=True),
            pick(p.russia.buildup_start),
            pick(p.russia.buildup_weeks),
            pick(p.russia.readiness_weeks),
            pick(p.russia.readiness_decline),
            pick(0.0 if self.axis_gain is None else self.axis_gain),
            columns_of(ground.reshape(ground.shape[0], -1).astype(float, copy=False), rows),
            model.week,
            pick(ukraine.resistance, wide=True),
            pick(ukraine.resistance_in_prospect, wide=True),
            pick(p.ukraine.adjustment_rate),
            pick(self.resistance_error, wide=True),
            pick(p.russia.victory_slope),
            pick(model.deal.utility, wide=True),
            pick(p.russia.leverage_build_up),
            pick(p.russia.leverage_military_technical),
            pick(p.russia.leverage_incursion),
            pick(self.yield_evidence, wide=True),
            pick(self.firmness_evidence, wide=True),
            pick(p.russia.extraction_weeks),
            pick(model.concessions.war_utility),
            pick(west.sanctions),
            pick(west.posture),
            columns_of(west.sanctions_threatened.astype(float, copy=False), rows),
            columns_of(west.posture_threatened.astype(float, copy=False), rows),
            pick(p.west.posture_cost),
            pick(p.russia.war_cost),
            pick(p.russia.incursion_war_share),
            pick(p.russia.upkeep_cost),
            pick(p.russia.upkeep_doubling_weeks),
            pick(discount / (1.0 - discount)),
            pick(p.west.sanctions_relief),
            *tables.values(),
        )
        return Prospects(
            **tables,
            partial_gain=model.deal.partial_gain(model, rows),
            status_quo=in_rows(model.concessions.status_quo_utility, rows, everywhere),
            sensitivity=sensitivity if rows is None else pick(sensitivity),
            threshold=(
                sensitivity * p.russia.threshold_cost
                if rows is None
                else pick(sensitivity * p.russia.threshold_cost)
            ),
        )

    def type_values(
        self,
        revisionist: np.ndarray,
        prospects: Prospects,
        *,
        explain: bool = False,
        rows: np.ndarray | None = None,
    ) -> TypeValues:
        """Each action's value under a type: the value of the best plan starting with it.

        Hold: the best of holding k weeks then invading (less the thresholds still to
        cross), holding k weeks then settling on the deal expected by then, and holding
        for ever. Climb: the same one rung up, less one threshold. Step down: the same
        one rung down, less the audience cost of backing down from the public rung
        (Fearon 1994). Invade: the war now, less the thresholds crossed. Settle: the deal
        on the table (``status quo + aspiration x (deal - status quo)``), less the
        audience cost and the cost of walking back the declaration that talks are
        pointless (RU-A2), which the reciprocal items save face on (the off-ramp
        reading) and which is paid once (not again after a partial agreement), and less
        the sanctions and reinforcement a deal leaves in force
        (``west.sanctions_relief``). Agree in part: the best plan of holding at this rung
        once the reciprocal items on the table have joined the status quo (then invading
        or holding on are worth the items more; settling later is valued again, with the
        items now in the status quo and the walk-back paid), less
        ``russia.partial_agreement_cost`` and the walk-back. The best plans of war and of
        peace (what the West reads) count the cost of the first move, as the actions do.

        ``explain`` also finds the weeks of the best plan of holding (for the event log;
        0 otherwise). ``rows``: the values in those worlds only, from their outlook
        (:meth:`prospects` with the same ``rows``); ``revisionist`` is for every world.
        The rule is the compiled kernel :func:`_plan_values`; the discount over each
        wait, ``delta^k``, is :attr:`discount_weights`, computed once.
        """
        return self._valued((revisionist,), prospects, explain, rows)[0]

    def values_by_type(
        self, prospects: Prospects, *, explain: bool = False, rows: np.ndarray | None = None
    ) -> tuple[TypeValues, TypeValues]:
        """:meth:`type_values` under the revisionist type and under the security-seeking one.

        In one call of the kernel, with what both read prepared once: the same numbers
        as two calls of :meth:`type_values`.
        """
        size = self.rung.shape[0]
        revisionist, security_seeking = self._valued(
            (np.ones(size, dtype=bool), np.zeros(size, dtype=bool)), prospects, explain, rows
        )
        return revisionist, security_seeking

    def _valued(
        self,
        types: tuple[np.ndarray, ...],
        prospects: Prospects,
        explain: bool,
        rows: np.ndarray | None,
    ) -> list[TypeValues]:
        """:meth:`type_values` under each of ``types`` (each a (R,) revisionist mask)."""
        model = self.model
        p = model.p
        pr = prospects
        waits = plans.WAITS
        everywhere = self.rung.shape[0]
        rung = columns_of(self.rung, rows)
        size = rung.shape[0]

        def pick(value: np.ndarray | float) -> np.ndarray:
            return in_rows(value, rows, everywhere)

        aspirations, saved, walk_back = [], [], []
        for revisionist in types:
            aspirations.append(self.aspiration(revisionist))
            _, offramp = self._reading_weights(revisionist)
            face = 1.0 - concessions.face_saving(
                p.concessions.offramp_strength, offramp, model.deal.reciprocity
            )
            saved.append(pick(face))
            walk_back.append(pick(p.russia.talks_walk_back_cost * face * ~self.walked_back))
        picked = [pick(aspiration) for aspiration in aspirations]
        count = len(types)
        utilities = np.empty((count, len(Action), size))
        available = np.empty((len(Action), size), dtype=bool)
        war_plan, peace_plan = np.empty((count, size)), np.empty((count, size))
        settle_base = np.empty((count, size))
        best_wait = np.empty((count, size), dtype=np.int64)
        best_final = np.empty((count, size), dtype=np.int64)
        _plan_values(
            np.ascontiguousarray(pr.flows),
            np.ascontiguousarray(pr.forever),
            np.ascontiguousarray(pr.deals),
            _table(pr.war_gain, (len(waits), size)),
            _table(pr.war_cost, (len(waits), size)),
            columns_of(self.discount_weights, rows),
            waits.astype(np.int64),
            per_world(pr.threshold, size),
            per_world(pr.status_quo, size),
            np.stack(picked),
            np.stack(saved),
            pick(p.russia.audience_cost),
            np.stack(walk_back),
            per_world(pr.in_force, size),
            per_world(pr.war_gain_now, size),
            per_world(pr.war_cost_now, size),
            pick(model.deal.utility),
            per_world(pr.partial_gain, size),
            pick(p.russia.partial_agreement_cost),
            DEAL_MARGIN,
            np.ascontiguousarray(rung, dtype=np.int64),
            explain,
            utilities,
            available,
            war_plan,
            peace_plan,
            settle_base,
            best_wait,
            best_final,
        )
        return [
            TypeValues(
                utilities=utilities[kind],
                available=available,
                war_plan=war_plan[kind],
                peace_plan=peace_plan[kind],
                settle_base=settle_base[kind],
                aspiration=aspirations[kind] if rows is None else picked[kind],
                best_wait=best_wait[kind],
                best_final=best_final[kind],
            )
            for kind in range(count)
        ]

    def step(self) -> None:
        """Choose this week's action in every world in crisis and carry it out.

        The values are computed under both types: the world's own type decides, and the
        West compares the two to update its belief and to judge its offers
        (:meth:`choose`). A pending ultimatum whose deadline is this week is enforced
        first (:meth:`enforce_ultimatum`); a Russia that has stood down no longer chooses.
        Once few enough worlds are in crisis (:func:`crisis_sim.model.compiled.crisis_rows`),
        the values are computed in those worlds alone.
        """
        model = self.model
        active = model.active
        self.enforce_ultimatum()
        explain = model.narration.enabled
        size = active.shape[0]
        rows = crisis_rows(active, explain)
        prospects = self.prospects(reuse=True, rows=rows)
        self.by_type = self.values_by_type(prospects, explain=explain, rows=rows)
        action = self.choose(prospects, rows=rows)
        if rows is not None:
            rev, sec = self.by_type
            self.by_type = (_spread_values(rev, rows, size), _spread_values(sec, rows, size))
        partial = action == Action.ACCEPT_PARTIAL
        if partial.any():
            model.deal.agree_partial(model, partial)
            self.record_partial(partial)
        self.last_action = action
        model.narration.choices(self, model.deal.terms)

    def choose(self, prospects: Prospects, *, rows: np.ndarray | None = None) -> np.ndarray:
        """Draw this week's action in every world from the values under both types.

        The nested logit under each type (:func:`war_choice_probabilities`), the world's
        own type's, the draw (:func:`draw_choice`), the new rung and whether Russia talks;
        an invasion records why it was chosen (:class:`InvasionReason`), how far below the
        best action it stood and the chance of winning Russia saw. Returns the (R,)
        action, -1 where Russia does not choose. ``rows``: the worlds the values and
        ``prospects`` are of (:meth:`type_values`); elsewhere Russia does not choose, and
        its utilities and probabilities there are 0. The rule is the compiled kernel
        :func:`_choose`.
        """
        model = self.model
        active = model.active
        assert self.by_type is not None, "choose after the values of both types"
        rev, sec = self.by_type
        everywhere = active.shape[0]
        size = everywhere if rows is None else rows.shape[0]
        table = (len(Action), size)
        p_rev, p_sec = np.empty(table), np.empty(table)
        utilities, probabilities = np.empty(table), np.empty(table)
        action, rung = np.empty(size, dtype=np.int64), np.empty(size, dtype=np.int64)
        talking = np.empty(size, dtype=bool)
        reason, margin, victory = (
            (self.invasion_reason, self.invasion_margin, self.invasion_victory)
            if rows is None
            else (
                self.invasion_reason[rows],
                self.invasion_margin[rows],
                self.invasion_victory[rows],
            )
        )

        _choose(
            rev.utilities,
            rev.available,
            sec.utilities,
            sec.available,
            columns_of(self.revisionist, rows),
            per_world(model.p.russia.choice_precision),
            per_world(model.p.russia.war_precision),
            columns_of(model.weekly_uniform(streams.CHOICE), rows),
            columns_of(active, rows),
            columns_of(self.stood_down, rows),
            columns_of(self.rung.astype(np.int64, copy=False), rows),
            per_world(prospects.victory_now, size),
            NEAR_BEST_MARGIN,
            p_rev,
            p_sec,
            utilities,
            probabilities,
            action,
            rung,
            talking,
            reason,
            margin,
            victory,
        )
        if rows is not None:
            p_rev, p_sec = (
                spread(p_rev, rows, everywhere, 0.0),
                spread(p_sec, rows, everywhere, 0.0),
            )
            utilities = spread(utilities, rows, everywhere, 0.0)
            probabilities = spread(probabilities, rows, everywhere, 0.0)
            action = spread(action, rows, everywhere, -1)
            rung = with_rows(self.rung.astype(np.int64), rows, rung)
            talking = spread(talking, rows, everywhere, False)
            self.invasion_reason[rows] = reason
            self.invasion_margin[rows] = margin
            self.invasion_victory[rows] = victory
        self.utilities, self.probabilities = utilities, probabilities
        self.probabilities_if_revisionist = p_rev
        self.probabilities_if_security_seeking = p_sec
        self.rung = rung
        self.talking = talking
        return action

    def record_partial(self, mask: np.ndarray) -> None:
        """Note a partial agreement in the worlds ``mask``: its first week, and the walk-back.

        Agreeing to anything walks back the declaration that talks are pointless (RU-A2),
        once and for good.
        """
        week = self.model.week
        self.partial_week = np.where(mask & (self.partial_week < 0), week, self.partial_week)
        self.walked_back = self.walked_back | mask

    def force_rung(self, rung: Rung, mask: np.ndarray, text: str) -> None:
        """Forced move: stand at ``rung`` now in the worlds ``mask`` (never lower, never war).

        The move is made whatever Russia's values say; no threshold cost is charged (it
        was not chosen). The week's choice that follows starts from the new rung.
        """
        target = int(min(rung, Rung.LIMITED_INCURSION))
        moved = mask & (self.rung < target) & (self.rung >= Rung.BUILD_UP)
        if not moved.any():
            return
        self.rung = np.where(moved, target, self.rung)
        self.max_rung = np.maximum(self.max_rung, self.rung)
        newly = moved & (target == Rung.LIMITED_INCURSION) & (self.first_incursion_week < 0)
        self.first_incursion_week = np.where(newly, self.model.week, self.first_incursion_week)
        self.model.narration.mask(moved, "russia", f"{text}: Russia stands at rung {target}")

    def issue_ultimatum(self, mask: np.ndarray, demand: float, deadline: int) -> None:
        """Set an ultimatum in ``mask``: the table must be worth ``demand`` by week ``deadline``."""
        self.ultimatum_deadline = np.where(mask, deadline, self.ultimatum_deadline)
        self.ultimatum_demand = np.where(mask, demand, self.ultimatum_demand)

    def enforce_ultimatum(self) -> None:
        """Forced move at an ultimatum's deadline: climb a rung if the table falls short.

        In the worlds in crisis whose deadline is this week, Russia climbs one rung (to
        the incursion rung at most) unless the deal on the table is now worth at least
        the demand to it (``Deal.utility``, 0-1 of its demands). Either way the
        ultimatum is then spent.
        """
        model = self.model
        due = model.active & (self.ultimatum_deadline == model.week)
        if not due.any():
            return
        short = due & (model.deal.utility < self.ultimatum_demand)
        before = self.rung
        for rung in (Rung.MILITARY_TECHNICAL, Rung.LIMITED_INCURSION):
            climbing = short & (before == rung - 1)
            self.force_rung(rung, climbing, "the ultimatum's deadline passes")
        model.narration.mask(due & ~short, "russia", "the West's table meets the ultimatum")
        self.ultimatum_deadline = np.where(due, -1, self.ultimatum_deadline)

    def stand_down(self, mask: np.ndarray) -> None:
        """Forced move: stand the forces down unilaterally in the worlds ``mask``.

        Russia goes to the diplomacy rung and makes no further choice; the world ends this
        week as a de-escalation (``CrisisModel._close_worlds``) with what Russia holds
        (granted or agreed), not the deal on the table.
        """
        self.stood_down = self.stood_down | mask
        self.rung = np.where(mask, int(Rung.DIPLOMACY), self.rung)
        self.talking = self.talking & ~mask

    def add_axis(self, mask: np.ndarray, level: float) -> None:
        """A host country's territory opens a second axis: force x ``1 + gain x level``.

        ``gain`` is ``russia.hosting_force_gain``; two hosts add up.
        """
        gain = mask * (level * self.model.p.russia.hosting_force_gain)
        self.axis_gain = gain if self.axis_gain is None else self.axis_gain + gain

    def add_backing(self, mask: np.ndarray, level: float) -> None:
        """A third country offsets ``level`` of what sanctions cost Russia (backers add, to 1)."""
        offset = mask * level
        total = offset if self.sanctions_offset is None else self.sanctions_offset + offset
        self.sanctions_offset = np.minimum(total, 1.0)

    def after_week(self) -> None:
        """Bookkeeping once the week's moves are made: time massed, highest rung, learning.

        A week of coercion in which the West neither grants anything nor improves the
        table is evidence that it will not give way, a week in which it does is evidence
        that it will (``russia.stalemate_learning`` pseudo-observations either way); a week
        of fighting teaches Russia Ukraine's real resistance (``russia.resistance_learning``,
        times ``russia.incursion_war_share`` in a limited incursion: it teaches as much as
        it fights).
        """
        model = self.model
        active = model.active
        self.max_rung = np.maximum(self.max_rung, self.rung)
        self.weeks_massed = self.weeks_massed + (active & (self.rung >= Rung.BUILD_UP))
        newly = active & (self.rung == Rung.LIMITED_INCURSION) & (self.first_incursion_week < 0)
        self.first_incursion_week = np.where(newly, model.week, self.first_incursion_week)
        coercing = active & (self.rung >= Rung.BUILD_UP)
        gave_way = (model.concessions.granted_this_week > 0) | (
            model.deal.utility > model.deal.utility_last_week + DEAL_MARGIN
        )
        learning = model.p.russia.stalemate_learning
        self.firmness_evidence = self.firmness_evidence + (coercing & ~gave_way) * learning
        self.yield_evidence = self.yield_evidence + (coercing & gave_way) * learning
        p = model.p.russia
        fighting = model.live & (self.rung >= Rung.LIMITED_INCURSION)
        share = np.where(self.rung >= Rung.FULL_INVASION, 1.0, p.incursion_war_share)
        self.resistance_error = np.where(
            fighting,
            self.resistance_error * (1.0 - p.resistance_learning * share),
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
