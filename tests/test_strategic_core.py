"""The strategic core (model card 5.2, 5.1, 5.8-5.10): each new rule, stated as a specification.

Russia plans in weeks (:mod:`crisis_sim.model.plans`), so the timing of a war follows
its windows: a window that closes (Ukraine's resistance heading up, readiness about
to decline) makes striking now beat waiting, one that opens (a build-up still
completing, the thaw now) makes waiting beat striking now. Russia can agree to part
of a package and keep coercing; an incident raises tension but never moves the rung,
so every invasion is chosen, and records why; the West chooses its offers by expected
utility; Ukraine mobilises; an invasion fixes the outcome, and the war runs on.

Expected values are computed by hand (the comments show how), or are limits,
orderings and invariants; none retypes the formula under test.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crisis_sim import CrisisModel, Lever, Params
from crisis_sim.model import plans, ukraine, war
from crisis_sim.model.domain import (
    ISSUES,
    RECIPROCAL_ISSUES,
    Action,
    InvasionReason,
    Issue,
    Outcome,
    Rung,
)
from crisis_sim.model.params import iter_params, with_values
from crisis_sim.model.russia import NEAR_BEST_MARGIN, war_choice_probabilities

DEFAULTS = Params()
RANDOM_WAR = {"russia.choice_precision": 0.0, "russia.war_precision": 0.0}
"""Uniform weekly choice, and an invasion in half the worlds whatever it is worth."""


def model(values: dict[str, float] | None = None, **kwargs) -> CrisisModel:
    """A model with default parameters except ``values`` (dotted paths)."""
    return CrisisModel(with_values(DEFAULTS, values or {}), **kwargs)


# -- force, season and shifting power: the pure rules -----------------------------------------


def test_the_force_builds_up_from_its_start_and_is_complete_after_the_build_up_weeks():
    # 0.4 + 0.6 x m / 6: 0.4 at once, 0.7 after 3 weeks, complete after 6 and after.
    force = plans.force(np.array([0.0, 3.0, 6.0, 12.0]), 0.4, 6.0, 16.0, 0.02)
    np.testing.assert_allclose(force, [0.4, 0.7, 1.0, 1.0])


def test_the_force_decays_once_readiness_has_passed_and_not_before():
    # Halving each week after 8 weeks massed (decline ln 2): 1, 1/2, 1/4.
    massed = np.array([0.0, 8.0, 9.0, 10.0])
    np.testing.assert_allclose(plans.force(massed, 1.0, 6.0, 8.0, math.log(2)), [1, 1, 0.5, 0.25])
    np.testing.assert_allclose(plans.force(massed, 1.0, 6.0, 8.0, 0.0), 1.0)


@pytest.mark.parametrize(
    ("day", "ground"),
    [
        (dt.date(2022, 1, 13), 1.0),  # t0: frozen ground
        (dt.date(2022, 2, 28), 1.0),
        (dt.date(2022, 3, 1), 0.7),  # the spring thaw, 1 March to 30 April
        (dt.date(2022, 4, 30), 0.7),
        (dt.date(2022, 5, 1), 1.0),
        (dt.date(2022, 10, 14), 1.0),
        (dt.date(2022, 10, 15), 0.85),  # the autumn mud, half the thaw's effect
        (dt.date(2022, 11, 15), 0.85),
        (dt.date(2022, 11, 16), 1.0),
        (dt.date(2023, 3, 15), 0.7),  # every year
    ],
)
def test_the_ground_gives_the_thaw_penalty_in_march_and_april_and_none_in_january(day, ground):
    np.testing.assert_allclose(plans.ground(day, 1, 0.3), [ground])


def test_the_ground_from_t0_thaws_in_weeks_7_to_15_and_is_mud_in_weeks_40_to_43():
    # t0 is Thursday 13 January 2022: week 7 is 3 March, week 15 28 April, week 16 5 May;
    # week 40 is 20 October, week 43 10 November, week 44 17 November.
    ground = plans.ground(dt.date(2022, 1, 13), 52, np.array([0.3, 0.5]))
    assert ground.shape == (52, 2)
    weeks = np.arange(52)
    thaw = (weeks >= 7) & (weeks <= 15)
    mud = (weeks >= 40) & (weeks <= 43)
    np.testing.assert_allclose(ground[thaw], [[0.7, 0.5]] * thaw.sum())
    np.testing.assert_allclose(ground[mud], [[0.85, 0.75]] * mud.sum())
    np.testing.assert_allclose(ground[~thaw & ~mud], 1.0)


def test_victory_falls_with_resistance_from_the_force_at_no_resistance():
    force = np.array([1.0, 1.0, 0.5, 0.8])
    resistance = np.array([0.0, 0.5, 1.0, 0.25])
    # force x (1 - 0.6 x resistance): 1, 0.7, 0.5 x 0.4, 0.8 x 0.85
    np.testing.assert_allclose(plans.victory_chance(force, resistance, 0.6), [1, 0.7, 0.2, 0.68])


def test_projected_resistance_closes_the_gap_to_its_target_at_the_adjustment_rate():
    waits = np.array([1, 2, 3])
    rising = plans.projected_resistance(np.array([0.4]), np.array([0.8]), 0.5, waits)
    np.testing.assert_allclose(rising[:, 0], [0.6, 0.7, 0.75])
    np.testing.assert_allclose(
        plans.projected_resistance(np.array([0.4]), np.array([0.8]), 0.0, waits), 0.4
    )
    np.testing.assert_allclose(
        plans.projected_resistance(np.array([0.4]), np.array([0.8]), 1.0, waits), 0.8
    )


def test_the_deal_expected_from_coercion_closes_the_gap_to_all_demands():
    waits = np.array([1, 2])
    np.testing.assert_allclose(
        plans.expected_deal(np.array([0.5]), np.array([0.5]), waits)[:, 0], [0.75, 0.875]
    )
    np.testing.assert_allclose(plans.expected_deal(np.array([0.3]), np.array([0.0]), waits), 0.3)
    np.testing.assert_allclose(plans.expected_deal(np.array([1.0]), np.array([0.2]), waits), 1.0)


def test_the_resistance_support_and_mobilisation_allow_is_additive_up_to_one():
    support, mobilised = np.array([0.0, 2.0, 2.0, 2.0]), np.array([0.0, 0.0, 1.0, 1.0])
    allowed = ukraine.resistance_allowed(
        0.45, np.array([0.08, 0.08, 0.08, 0.5]), support, 0.15, mobilised
    )
    np.testing.assert_allclose(allowed, [0.45, 0.61, 0.76, 1.0])


@given(
    massed=st.floats(0.0, 104.0),
    start=st.floats(0.0, 1.0),
    buildup=st.floats(0.5, 52.0),
    readiness=st.floats(0.0, 104.0),
    decline=st.floats(0.0, 1.0),
)
def test_the_force_stays_in_zero_one_rising_until_readiness_and_falling_after(
    massed, start, buildup, readiness, decline
):
    weeks = massed + np.arange(4.0)
    force = plans.force(weeks, start, buildup, readiness, decline)
    assert np.all((force >= 0.0) & (force <= 1.0))
    if massed + 3 <= readiness:
        assert np.all(np.diff(force) >= -1e-12)
    if massed >= buildup and massed >= readiness:
        assert np.all(np.diff(force) <= 1e-12)


# -- windows: striking now against waiting ----------------------------------------------------


def test_a_closing_window_makes_striking_now_beat_waiting_in_hold_then():
    # Ukraine's resistance heading from 0.4 to 0.8 at rate 0.5: 0.6 a week on, 0.7 two.
    # A war won at force 1 with slope 0.5 is worth its victory chance, 0.8 now, then 0.7
    # and 0.65; holding (worth 0 a week) first, at discount 0.9: 0.63 and 0.5265.
    waits = np.array([1, 2])
    resistance = plans.projected_resistance(np.array([0.4]), np.array([0.8]), 0.5, waits)
    strike_now = plans.victory_chance(np.array([1.0]), np.array([0.4]), 0.5)
    later = plans.victory_chance(1.0, resistance, 0.5)
    waiting = plans.hold_then(np.array([0.0]), later, 0.9, waits)
    np.testing.assert_allclose(strike_now, [0.8])
    np.testing.assert_allclose(waiting[:, 0], [0.63, 0.5265])
    assert np.all(waiting < strike_now)
    # Readiness about to decline (halving a week) closes a window just the same.
    force = plans.force(np.array([8.0, 9.0, 10.0]), 1.0, 6.0, 8.0, math.log(2))
    np.testing.assert_allclose(force, [1.0, 0.5, 0.25])
    waiting = plans.hold_then(np.array([0.0]), force[1:, None], 0.9, waits)
    np.testing.assert_allclose(waiting[:, 0], [0.45, 0.2025])
    assert np.all(waiting < force[0])


def test_an_opening_window_makes_waiting_beat_striking_now_in_hold_then():
    # A build-up from 0.4 over 2 weeks: force 0.4 now, 0.7 a week on, 1 two weeks on. A war
    # worth its force, after a hold worth 0 a week at discount 0.9: 0.63, then 0.81.
    waits = np.array([1, 2])
    force = plans.force(np.array([0.0, 1.0, 2.0]), 0.4, 2.0, 16.0, 0.02)
    np.testing.assert_allclose(force, [0.4, 0.7, 1.0])
    waiting = plans.hold_then(np.array([0.0]), force[1:, None], 0.9, waits)
    np.testing.assert_allclose(waiting[:, 0], [0.63, 0.81])
    assert np.all(waiting > force[0])
    # The thaw now (penalty 0.5 on 10 March), dry ground eight weeks on (5 May): 0.5 now
    # against 0.9^8 = 0.4305 later at a discount of 0.9, but 0.98^8 = 0.8508 at 0.98.
    ground = plans.ground(dt.date(2022, 3, 10), 9, 0.5)
    np.testing.assert_allclose(ground[[0, 7, 8]], [0.5, 0.5, 1.0])
    wait = np.array([8])
    assert plans.hold_then(np.array([0.0]), ground[8], 0.9, wait)[0, 0] < ground[0]
    assert plans.hold_then(np.array([0.0]), ground[8], 0.98, wait)[0, 0] > ground[0]


FULL_FORCE = {"russia.buildup_start": 1.0, "russia.readiness_weeks": 104.0}
"""The force complete from t0 and no decline of readiness within the planning horizon."""
NO_THAW = {"russia.thaw_penalty": 0.0}


def revisionist_values(values: dict[str, float], setup=None, start: str = "2022-01-13"):
    """A revisionist Russia's action values at t0 in one world (``setup`` edits the state)."""
    m = model(values, replications=1, start_date=start)
    if setup is not None:
        setup(m)
    russia = m.russia
    return russia.type_values(np.ones(1, dtype=bool), russia.prospects(), explain=True)


def test_russia_strikes_now_rather_than_wait_when_its_readiness_is_about_to_decline():
    def massed(m: CrisisModel) -> None:
        m.russia.weeks_massed = np.full(1, 8.0)

    steady = {**NO_THAW, "russia.buildup_start": 1.0, "russia.readiness_weeks": 8.0}
    flat = revisionist_values({**steady, "russia.readiness_decline": 0.0}, massed)
    closing = revisionist_values({**steady, "russia.readiness_decline": 0.3}, massed)
    u, u_flat = closing.utilities[:, 0], flat.utilities[:, 0]
    assert u[Action.INVADE] == pytest.approx(u_flat[Action.INVADE])  # striking now: as it was
    assert flat.best_final[0] == 0  # without the decline, the hold's best plan is a strike
    assert u[Action.HOLD] < u_flat[Action.HOLD] - 0.02  # with it, waiting loses its worth
    assert u[Action.INVADE] > u[Action.HOLD]
    assert closing.best_final[0] != 0  # the hold is no longer a strike deferred


def test_russia_strikes_now_rather_than_wait_when_ukraines_resistance_is_heading_up():
    def mobilising(m: CrisisModel) -> None:
        m.ukraine.mobilising = np.ones(1, dtype=bool)

    values = {
        **NO_THAW,
        **FULL_FORCE,
        "ukraine.mobilisation_effect": 0.25,
        "ukraine.adjustment_rate": 0.4,
    }
    flat = revisionist_values(values)
    closing = revisionist_values(values, mobilising)
    u, u_flat = closing.utilities[:, 0], flat.utilities[:, 0]
    assert u[Action.INVADE] == pytest.approx(u_flat[Action.INVADE])
    assert flat.best_final[0] == 0
    assert u[Action.HOLD] < u_flat[Action.HOLD] - 0.02
    assert u[Action.INVADE] > u[Action.HOLD]


def test_russia_waits_rather_than_strike_now_while_its_build_up_is_completing():
    # From 0.4 of the force over 4 weeks: the best plan of holding strikes when it is
    # complete, in 4 weeks.
    values = {**NO_THAW, **FULL_FORCE, "russia.buildup_start": 0.4, "russia.buildup_weeks": 4.0}
    opening = revisionist_values(values)
    complete = revisionist_values({**NO_THAW, **FULL_FORCE})
    u = opening.utilities[:, 0]
    assert u[Action.HOLD] > u[Action.INVADE]
    assert (opening.best_final[0], opening.best_wait[0]) == (0, 4)
    assert complete.utilities[Action.INVADE, 0] > complete.utilities[Action.HOLD, 0]


def test_russia_waits_for_the_end_of_the_thaw_rather_than_strike_in_it():
    # On 10 March, in the thaw, a strike is worth more after it: 8 weeks on is 5 May.
    values = {**FULL_FORCE, "russia.thaw_penalty": 0.5}
    thaw = revisionist_values(values, start="2022-03-10")
    frozen = revisionist_values(values, start="2022-01-13")
    assert thaw.utilities[Action.HOLD, 0] > thaw.utilities[Action.INVADE, 0]
    assert (thaw.best_final[0], thaw.best_wait[0]) == (0, 8)
    assert frozen.utilities[Action.INVADE, 0] > frozen.utilities[Action.HOLD, 0]


def test_at_the_defaults_invasions_wait_for_the_end_of_the_thaw():
    table = model(replications=2000, seed=2).run().outcomes()
    weeks = table.loc[table["outcome"] == "full_invasion", "week"]
    assert len(weeks) > 100
    # Hardly any in the nine weeks of the thaw (3 March to 28 April), many in the first
    # week after it (5 May), more than in the nine weeks after that.
    assert weeks.between(7, 15).sum() <= 0.01 * len(weeks)
    assert (weeks == 16).sum() > weeks.between(17, 25).sum()


# -- the choice of war: nested, and recorded -------------------------------------------------


def test_invading_is_weighed_against_the_best_other_action_at_the_war_precision():
    # HOLD and ESCALATE 0.2, DE_ESCALATE and ACCEPT 0; ACCEPT_PARTIAL unavailable.
    utilities = np.array([[0.0], [0.2], [0.2], [0.0], [0.2], [9.0]])
    available = np.array([[True], [True], [True], [True], [True], [False]])
    tie = war_choice_probabilities(utilities, available, np.inf, 300.0)
    np.testing.assert_allclose(tie[:, 0], [0, 0.25, 0.25, 0, 0.5, 0])
    utilities[Action.INVADE] = 0.3
    ahead = war_choice_probabilities(utilities, available, np.inf, 10.0)[:, 0]
    share = 1 / (1 + math.exp(-1.0))  # logistic(10 x 0.1)
    np.testing.assert_allclose(ahead, [0, (1 - share) / 2, (1 - share) / 2, 0, share, 0])
    sure = war_choice_probabilities(utilities, available, 80.0, 1e9)[:, 0]
    np.testing.assert_allclose(sure, [0, 0, 0, 0, 1, 0])
    utilities[Action.INVADE] = 0.1
    never = war_choice_probabilities(utilities, available, 80.0, 1e9)[:, 0]
    assert never[Action.INVADE] == 0.0
    np.testing.assert_allclose(never.sum(), 1.0)


@pytest.fixture(scope="module")
def baseline_worlds():
    """The defaults, 2,000 worlds run to the horizon (read only)."""
    return model(replications=2000, seed=1).run()


@pytest.mark.parametrize("war_precision", [300.0, 30.0])
def test_every_full_invasion_has_a_reason_and_its_margin_fits_the_reason(war_precision):
    m = model({"russia.war_precision": war_precision}, replications=2000, seed=1).run()
    table = m.outcomes()
    invasion = table["outcome"] == "full_invasion"
    assert invasion.sum() > 100
    reason, margin = table["invasion_reason"], table["invasion_margin"]
    assert reason[invasion].notna().all()
    assert reason[table["end_rung"] < Rung.FULL_INVASION].isna().all()
    best = reason == InvasionReason.BEST_REPLY.key
    near = reason == InvasionReason.NEAR_BEST.key
    low = reason == InvasionReason.LOW_PROBABILITY.key
    assert best.sum() > 0 and near.sum() > 0
    assert (margin[best] == 0.0).all()
    assert ((margin[near] > 0.0) & (margin[near] <= NEAR_BEST_MARGIN)).all()
    assert (margin[low] > NEAR_BEST_MARGIN).all()
    assert table.loc[invasion, "invasion_victory"].between(0.0, 1.0).all()
    if war_precision == 30.0:  # a noisy decision on war draws some clearly worse ones
        assert low.sum() > 0


def test_at_a_huge_war_precision_no_invasion_is_a_low_probability_draw():
    table = model({"russia.war_precision": 1e9}, replications=2000, seed=1).run().outcomes()
    reason = table["invasion_reason"]
    assert (table["outcome"] == "full_invasion").sum() > 100
    assert not (reason == InvasionReason.LOW_PROBABILITY.key).any()
    assert (table.loc[reason.notna(), "invasion_margin"] <= NEAR_BEST_MARGIN).all()


def test_the_best_plan_of_war_or_of_peace_is_worth_what_the_best_action_is():
    m = model(replications=200, seed=1)
    m.step()
    for values in m.russia.by_type:
        best = np.where(values.available, values.utilities, -np.inf).max(axis=0)
        np.testing.assert_allclose(np.maximum(values.war_plan, values.peace_plan), best)


# -- incidents: tension by accident, never a move up the ladder ------------------------------


def _step_histories(*models: CrisisModel) -> list[dict[str, np.ndarray]]:
    """Run the models in lockstep; each one's (weeks + 1, R) rung and allied-shock paths."""
    paths = [{"rung": [m.russia.rung.copy()], "shock": [m.nato.shock.copy()]} for m in models]
    while all(m.running for m in models):
        for m, path in zip(models, paths, strict=True):
            m.step()
            path["rung"].append(m.russia.rung.copy())
            path["shock"].append(m.nato.shock.copy())
    return [{name: np.stack(values) for name, values in path.items()} for path in paths]


def _first_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per world, the first week two (weeks, R) paths differ; the number of weeks if never."""
    differ = a != b
    return np.where(differ.any(axis=0), differ.argmax(axis=0), len(a))


def test_an_incident_hazard_never_moves_the_rung_but_through_the_tension_it_raises():
    calm = model({"west.incident_hazard": 0.0}, replications=500, seed=5)
    tense = model({"west.incident_hazard": 1.0}, replications=500, seed=5)
    quiet, loud = _step_histories(calm, tense)
    tension = _first_difference(quiet["shock"], loud["shock"])
    moved = _first_difference(quiet["rung"], loud["rung"])
    changed = moved < len(quiet["rung"])
    assert changed.sum() > 20  # the tension does change choices...
    assert np.all(moved[changed] > tension[changed])  # ...but only in the weeks after it rose
    # No tension, no difference at all: an incident has no other channel to the rung.
    values = {"west.incident_hazard": 1.0, "alliance.incident_tension": 0.0}
    silent = model(values, replications=500, seed=5).run()
    calm = model({"west.incident_hazard": 0.0}, replications=500, seed=5).run()
    np.testing.assert_array_equal(np.stack(silent.history["rung"]), np.stack(calm.history["rung"]))
    np.testing.assert_array_equal(silent.outcome, calm.outcome)


def test_an_incident_lever_never_produces_a_full_invasion_nor_moves_the_rung():
    # Two incidents in week 1, two more once Russia stands at the incursion rung, where an
    # incident once meant an invasion.
    incident = Lever(actor="event", kind="incident", level=1.0, week=1)
    at_incursion = incident.model_copy(update={"when_rung_at_least": Rung.LIMITED_INCURSION})
    levers = [incident, incident, at_incursion, at_incursion]
    values = {**RANDOM_WAR, "west.clash_hazard": 0.0}
    calm = model(values, replications=2000, seed=6)
    tense = model(values, replications=2000, seed=6, levers=levers)
    quiet, loud = _step_histories(calm, tense)
    assert (loud["shock"][-1] > 0).all()  # the incidents happened...
    assert (loud["shock"][-1] > loud["shock"][1]).sum() > 20  # ...at the incursion rung too
    # Under a choice that ignores utilities, the tension cannot matter: rungs identical.
    np.testing.assert_array_equal(loud["rung"], quiet["rung"])
    np.testing.assert_array_equal(tense.outcome, calm.outcome)
    # At the defaults, a world's rung can part from its twin's only from the week tension did.
    calm, tense = model(replications=2000, seed=6), model(replications=2000, seed=6, levers=levers)
    quiet, loud = _step_histories(calm, tense)
    tension = _first_difference(quiet["shock"], loud["shock"])
    assert (tension < len(quiet["shock"])).sum() > 100
    assert np.all(_first_difference(quiet["rung"], loud["rung"]) >= tension)


# -- a partial agreement ---------------------------------------------------------------------


def test_an_agreement_holds_for_good_and_is_not_read_as_a_concession():
    m = model(replications=3)
    terms = np.zeros((len(ISSUES), 3))
    terms[list(RECIPROCAL_ISSUES)] = [[0.5], [0.375], [1.0]]
    m.concessions.agree(terms, np.array([True, False, True]))
    # (0.5 x 0.5 + 0.4 x 0.375 + 0.2 x 1) / 3.6 = 1/6 of the way to Russia's demands.
    np.testing.assert_allclose(m.concessions.status_quo_utility, [1 / 6, 0, 1 / 6])
    np.testing.assert_array_equal(m.concessions.granted, m.concessions.agreed)
    np.testing.assert_array_equal(m.concessions.agreed[:, 1], 0.0)
    np.testing.assert_array_equal(m.concessions.granted_utility, 0.0)
    np.testing.assert_array_equal(m.concessions.granted_this_week, 0.0)


def test_an_agreement_on_some_items_leaves_the_others_and_never_lowers_what_is_held():
    m = model(replications=2)
    m.concessions.grant(Issue.EXERCISES, np.array([True, True]), 0.6)
    terms = np.full((len(ISSUES), 2), 0.5)
    items = np.zeros((len(ISSUES), 1), dtype=bool)
    items[[Issue.EXERCISES, Issue.INF_MISSILES]] = True
    m.concessions.agree(terms, np.array([True, False]), items)
    agreed, granted = m.concessions.agreed, m.concessions.granted
    np.testing.assert_array_equal(agreed[Issue.INF_MISSILES], [0.5, 0.0])
    np.testing.assert_array_equal(agreed[Issue.EXERCISES], [0.5, 0.0])
    np.testing.assert_array_equal(granted[Issue.EXERCISES], [0.6, 0.6])  # 0.6 was granted
    others = [issue for issue in range(len(ISSUES)) if not items[issue, 0]]
    np.testing.assert_array_equal(agreed[others], 0.0)


def test_the_partial_gain_is_what_the_reciprocal_items_on_the_table_add_and_then_nothing():
    m = model(replications=2)
    # The t0 deal's reciprocal items, 0.5, 0.375 and 1: worth 1/6 (as above).
    np.testing.assert_allclose(m.deal.partial_gain(m), 1 / 6)
    m.deal.agree_partial(m, np.array([True, False]))
    np.testing.assert_allclose(m.deal.partial_gain(m), [0.0, 1 / 6], atol=1e-15)
    np.testing.assert_allclose(m.concessions.agreed[Issue.EXERCISES], [0.375, 0.0])


def test_a_partial_agreement_leaves_the_other_issues_in_dispute():
    # With no cost of its own, agreeing in part is common enough to watch what follows.
    m = model({"russia.partial_agreement_cost": 0.0}, replications=2000, seed=1)
    agreed_in_part = np.zeros(2000, dtype=bool)
    while m.running:
        rung, terms = m.russia.rung.copy(), m.deal.terms.copy()
        m.step()
        partial = m.russia.last_action == Action.ACCEPT_PARTIAL
        if not partial.any():
            continue
        agreed_in_part |= partial
        # The world is still in crisis (unless a clash or the horizon came that week), at
        # the rung Russia stood at, and the reciprocal items on the table are agreed; the
        # main demands stay in dispute.
        ended = m.outcome[partial & ~m.active]
        still = [Outcome.NATO_RUSSIA_CLASH]
        if m.week == m.horizon:
            still += [Outcome.STANDOFF, Outcome.LIMITED_INCURSION]
        assert np.isin(ended, still).all(), ended
        np.testing.assert_array_equal(m.russia.rung[partial], rung[partial])
        reciprocal = list(RECIPROCAL_ISSUES)
        np.testing.assert_array_equal(
            m.concessions.agreed[reciprocal][:, partial], m.deal.terms[reciprocal][:, partial]
        )
        assert (m.concessions.agreed[reciprocal][:, partial] >= terms[reciprocal][:, partial]).all()
        for issue in (Issue.ENLARGEMENT, Issue.EASTERN_FLANK, Issue.UKRAINE_COOPERATION):
            np.testing.assert_array_equal(m.concessions.agreed[issue], 0.0)
        np.testing.assert_array_equal(m.concessions.granted_utility, 0.0)
    table = m.outcomes()
    assert agreed_in_part.sum() > 100
    assert (table["partial_week"] >= 0).sum() == agreed_in_part.sum()
    for issue in RECIPROCAL_ISSUES:
        assert (table.loc[agreed_in_part, f"agreed_{issue.key}"] > 0).any()
    # Russia can still settle, or invade, later.
    later = table[agreed_in_part & (table["week"] > table["partial_week"])]
    assert (later["outcome"] == "de_escalation").sum() > 20
    assert (later["outcome"] == "full_invasion").sum() > 20


# -- the West chooses its offers ----------------------------------------------------------------

FLOOR = Lever(actor="west", kind="offer", issue="exercises", level=0.9, week=3)
"""An offer above both reservation points on exercises (0.6 and 0.35), from week 3."""


def check_offers_week_by_week(m: CrisisModel) -> None:
    """Step ``m`` to the end: offers never fall, and stay between their floor and the cap.

    The cap is the larger of the t0 offer, the reservation point and the floor: the West
    moves no offer down, nor beyond its reservation point unless a lever put it there.
    """
    p = m.p.west
    us, nato, w = m.united_states, m.nato, m.west
    caps = (
        np.maximum(p.us_offer, p.us_reservation),
        np.maximum(p.nato_offer, p.nato_reservation),
    )
    before = (us.offer.copy(), nato.offer.copy(), w.offer_step.copy())
    while m.running:
        m.step()
        for actor, cap, previous in zip((us, nato), caps, before[:2], strict=True):
            assert (actor.offer >= previous - 1e-12).all()
            assert (actor.offer >= actor.offer_floor - 1e-12).all()
            assert (actor.offer <= np.maximum(cap, actor.offer_floor) + 1e-12).all()
        assert (w.offer_step >= before[2]).all()
        assert ((w.offer_step >= 0.0) & (w.offer_step <= 1.0)).all()
        before = (us.offer.copy(), nato.offer.copy(), w.offer_step.copy())


def test_the_wests_offer_never_falls_never_passes_its_reservation_point_nor_a_lever_floor():
    m = model(replications=500, seed=2, levers=[FLOOR])
    check_offers_week_by_week(m)
    assert (m.west.offer_step > 0).mean() > 0.5  # the West did widen its offers
    row = int(Issue.EXERCISES)
    floored = m.nato.offer_floor[row] > 0  # the worlds still in crisis in week 3
    assert floored.sum() > 400
    assert (m.united_states.offer[row][floored] >= 0.9).all()
    np.testing.assert_array_equal(m.nato.offer[row][floored], 0.9)


def test_a_larger_war_aversion_never_gives_a_smaller_offer_step():
    # The first choice the West makes (week 2, from the same state in every pair of worlds).
    steps = []
    for aversion in (0.0, 0.02, 0.05, 0.1, 0.6, 5.0):
        m = model({"west.war_aversion": aversion}, replications=1000, seed=1)
        m.step()
        m.step()
        steps.append(m.west.offer_step.copy())
    steps = np.array(steps)
    assert np.all(np.diff(steps, axis=0) >= 0.0)
    np.testing.assert_array_equal(steps[0], 0.0)  # no aversion to war: nothing given
    assert len(np.unique(steps)) >= 3  # the test sees more than two steps


# -- Ukraine and the war ------------------------------------------------------------------------


def test_ukraine_mobilises_at_war_and_not_before_when_it_sees_no_threshold_passed():
    # A threshold of 1 is never passed: Ukraine mobilises only at war, 0.1 a week from
    # the invasion's week (week 1 here): 0.5 after week 5. No ceasefire or collapse ends it.
    values = {
        **RANDOM_WAR,
        "ukraine.mobilisation_threshold": 1.0,
        "war.ceasefire_hazard": 0.0,
        "war.collapse_hazard": 0.0,
    }
    m = model(values, replications=200, seed=3)
    for _ in range(5):
        m.step()
    invaded = m.war.start_week == 1
    assert invaded.sum() > 50 and (~invaded).sum() > 50
    np.testing.assert_allclose(m.ukraine.mobilised[invaded], 0.5)
    assert m.ukraine.mobilising[invaded].all()
    np.testing.assert_array_equal(m.ukraine.mobilised[m.war.start_week < 0], 0.0)


def test_ukraine_mobilises_before_a_war_once_the_chance_of_war_passes_its_threshold():
    m = model({"ukraine.mobilisation_threshold": 0.15}, replications=500, seed=3)
    m.step()
    fearing = m.active & (m.west.war_risk > 0.15)
    assert fearing.sum() > 20
    np.testing.assert_allclose(m.ukraine.mobilised[fearing], DEFAULTS.ukraine.mobilisation_rate)
    np.testing.assert_array_equal(m.ukraine.mobilised[m.active & ~fearing & ~m.war.at_war], 0.0)


def test_after_an_invasion_the_war_runs_on(baseline_worlds):
    m = baseline_worlds
    table = m.outcomes()
    invaded = np.flatnonzero(table["outcome"] == "full_invasion")
    assert len(invaded) > 100
    week = table["week"].to_numpy()[invaded]
    history = {name: np.stack(values) for name, values in m.history.items()}
    # The West's response and the allies' cohesion keep moving after the invasion week.
    for name in ("sanctions", "posture", "cohesion"):
        then, end = history[name][week, invaded], history[name][-1, invaded]
        assert (end >= then - 1e-12).all(), name
        assert (end > then + 1e-9).mean() > 0.5, name
    np.testing.assert_array_equal(history["rung"][-1, invaded], Rung.FULL_INVASION)
    rows = table.iloc[invaded]
    assert rows["war_front"].between(0.0, 1.0).all()
    assert (rows["war_front"] > 0).mean() > 0.5  # the front moved
    ceasefire = rows["ceasefire_week"]
    assert ((ceasefire == -1) | (ceasefire > rows["week"])).all()
    assert (ceasefire > 0).any() and m.war.at_war[invaded].any()  # some end, some fight on
    assert (rows["mobilised"] > 0).all()  # Ukraine mobilised in every war
    # The outcome stays the invasion, dated to its week.
    np.testing.assert_array_equal(m.war.start_week[invaded], week)


def test_the_front_moves_toward_the_winner_by_the_rate_times_the_edge_over_stalemate():
    front = np.array([0.2, 0.2, 0.5, 0.0])
    victory = np.array([0.7, 0.3, 0.5, 0.3])
    # Winning by 0.2 at rate 0.5 takes 0.1 of the 0.8 still open; losing by 0.2 gives up
    # 0.1 of the 0.2 held; at stalemate nothing moves; with nothing held nothing is lost.
    movement = war.front_movement(front, victory, 0.5, 0.5)
    np.testing.assert_allclose(movement, [0.08, -0.02, 0.0, 0.0])


def test_a_ceasefire_is_likeliest_once_the_front_stalls():
    chance = war.ceasefire_chance(np.array([0.0, 0.01, -0.01, 0.05]), 0.03, 0.01)
    np.testing.assert_allclose(chance, [0.03, 0.03 / math.e, 0.03 / math.e, 0.03 * math.exp(-5)])


# -- invariants over plausible parameters ------------------------------------------------------

INFOS = list(iter_params())
R = 16


def plausible_values() -> st.SearchStrategy[dict[str, float]]:
    """One value per scalar parameter, within its plausible range."""
    return st.fixed_dictionaries(
        {info.path: st.floats(*info.plausible, allow_nan=False) for info in INFOS}
    )


@settings(max_examples=8)
@given(values=plausible_values(), seed=st.integers(0, 10_000))
def test_over_plausible_parameters_every_output_is_finite_bounded_and_one_outcome(values, seed):
    m = model(values, replications=R, seed=seed).run()
    table = m.outcomes()
    assert table["outcome"].notna().all() and not m.active.any()
    assert np.isin(m.outcome, [int(o) for o in Outcome if o is not Outcome.ONGOING]).all()
    assert table["week"].between(1, m.horizon).all()
    bounds = {
        "end_rung": (0, 4),
        "max_rung": (0, 4),
        "war_front": (0, 1),
        "resistance": (0, 1),
        "mobilised": (0, 1),
        "offer_step": (0, 1),
        "war_risk": (0, 1),
        "cohesion": (0, 1),
    }
    for name, (lo, hi) in bounds.items():
        values_ = table[name].to_numpy(dtype=float)
        assert np.isfinite(values_).all() and ((values_ >= lo) & (values_ <= hi)).all(), name
    invaded = table["end_rung"] == Rung.FULL_INVASION
    # A reason iff an invasion; the outcome is the invasion but for a clash that same week.
    assert (table["invasion_reason"].notna() == invaded).all()
    assert (table.loc[table["outcome"] == "full_invasion", "invasion_reason"].notna()).all()
    clash_first = invaded & (table["outcome"] != "full_invasion")
    assert (table.loc[clash_first, "outcome"] == "nato_russia_clash").all()
    assert np.isfinite(table.loc[invaded, "invasion_margin"]).all()
    assert (table.loc[invaded, "invasion_margin"] >= 0).all()


@settings(max_examples=6)
@given(
    values=plausible_values(),
    level=st.floats(0.0, 1.0),
    week=st.integers(0, 10),
    issue=st.sampled_from(ISSUES),
)
def test_over_plausible_parameters_the_wests_offers_never_fall_and_stay_within_bounds(
    values, level, week, issue
):
    lever = Lever(actor="united_states", kind="offer", issue=issue, level=level, week=week)
    check_offers_week_by_week(model(values, replications=R, seed=week, levers=[lever]))


def test_no_invalid_arithmetic_when_the_united_states_cares_about_no_issue():
    values = {f"west.us_salience.{issue.key}": 0.0 for issue in ISSUES}
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        model(values, replications=R, seed=1).run()
