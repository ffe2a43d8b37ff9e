"""Each mechanism of the crisis model on a set-up whose answer is known.

The set-ups use levers (offers, concessions, incidents, shocks) or set the state of
the actors directly, and read the model's state after one or two weeks.
"""

from __future__ import annotations

import numpy as np
import pytest

from crisis_sim import CrisisModel, Lever, Params
from crisis_sim.model.domain import ISSUES, Action, Issue, Outcome, Rung
from crisis_sim.model.params import with_values

NO_NOISE = {"russia.choice_precision": 1e9}
"""Russia's logit precision at its upper bound: it plays its best reply."""


def model(values: dict[str, float] | None = None, **kwargs) -> CrisisModel:
    """A model with default parameters except ``values`` (dotted paths)."""
    return CrisisModel(with_values(Params(), values or {}), **kwargs)


def incidents(count: int, week: int = 1) -> list[Lever]:
    """``count`` military incidents in ``week``: each raises tension, none moves the rung."""
    return [Lever(actor="event", kind="incident", level=1.0, week=week) for _ in range(count)]


def stand_at(m: CrisisModel, rung: Rung) -> CrisisModel:
    """Put Russia at ``rung`` in every world before its first choice."""
    m.russia.rung = np.full(m.replications, int(rung))
    m.russia.max_rung = m.russia.rung.copy()
    return m


# -- the deal on the table ---------------------------------------------------------------


def test_us_offer_on_exercises_is_on_the_table_from_week_0():
    # The deal is NATO's offer plus the U.S. share of any gap to the U.S. offer (US-O2):
    # on exercises NATO's 0.25 plus half the gap to the U.S. 0.5 (MODEL.md, issues table).
    m = model(replications=3)
    np.testing.assert_allclose(m.deal.terms, np.array([[0, 0, 0, 0.5, 0.375, 1.0]]).T.repeat(3, 1))


def test_red_lines_are_off_the_table_at_t0():
    m = model(replications=3)
    for issue in (Issue.ENLARGEMENT, Issue.EASTERN_FLANK, Issue.UKRAINE_COOPERATION):
        np.testing.assert_array_equal(m.deal.terms[issue], 0.0)


def test_an_offer_lever_of_week_0_is_on_the_table_at_t0():
    lever = Lever(actor="united_states", kind="offer", issue="exercises", level=1.0, week=0)
    m = model(replications=3, levers=[lever])
    # NATO's 0.25 plus the U.S. share (0.5) of the gap to the U.S. offer of 1.0.
    np.testing.assert_allclose(m.deal.terms[Issue.EXERCISES], 0.625)


def test_an_offer_lever_is_on_the_table_when_russia_first_chooses():
    lever = Lever(actor="united_states", kind="offer", issue="exercises", level=1.0, week=0)
    m = model(replications=3, levers=[lever])
    m.step()
    np.testing.assert_allclose(m.united_states.offer[Issue.EXERCISES], 1.0)
    np.testing.assert_allclose(m.deal.terms[Issue.EXERCISES], 0.625)


def test_a_deal_russia_values_above_every_alternative_is_accepted_in_week_1():
    levers = [
        Lever(actor="west", kind="offer", issue=issue, level=1.0, bypass_ukraine_consent=True)
        for issue in ISSUES
    ]
    m = model(NO_NOISE, replications=200, seed=3, levers=levers)
    m.step()
    utilities = m.russia.utilities
    others = np.delete(utilities, Action.ACCEPT, axis=0)
    assert np.all(utilities[Action.ACCEPT] > others.max(axis=0))  # the premise
    table = m.outcomes()
    assert (table["outcome"] == "de_escalation").all()
    assert (table["week"] == 1).all()
    for issue in ISSUES:
        np.testing.assert_allclose(table[f"gain_{issue.key}"], 1.0)


def test_a_binding_no_enlargement_pledge_alone_is_accepted_without_noise():
    lever = Lever(
        actor="west",
        kind="offer",
        issue="enlargement",
        level=1.0,
        bypass_ukraine_consent=True,
    )
    m = model(NO_NOISE, replications=200, seed=3, levers=[lever])
    m.step()
    assert (m.outcome == Outcome.DE_ESCALATION).all()
    np.testing.assert_allclose(m.secured_terms()[Issue.ENLARGEMENT], 1.0)


def test_without_noise_russia_takes_its_best_available_action():
    m = model(NO_NOISE, replications=500, seed=5)
    m.step()
    chosen = m.russia.last_action
    np.testing.assert_array_equal(m.russia.probabilities.max(axis=0), 1.0)
    np.testing.assert_array_equal(chosen, m.russia.probabilities.argmax(axis=0))
    best = m.russia.utilities.max(axis=0)
    np.testing.assert_array_equal(m.russia.utilities[chosen, np.arange(500)], best)


# -- Ukraine's consent (US-P1) --------------------------------------------------------------


def build_up_threat() -> float:
    """The threat Ukraine faces at the build-up rung, at its t0 resistance."""
    p = Params().ukraine
    return p.threat_weight * Rung.BUILD_UP / 4 * (1 - p.resistance)


def test_an_offer_on_enlargement_is_dropped_when_ukraine_faces_no_threat_and_does_not_consent():
    # With resistance 1 Ukraine fears nothing from Russia and consents to nothing about it.
    lever = Lever(actor="west", kind="offer", issue="enlargement", level=1.0)
    m = model({"ukraine.resistance": 1.0}, replications=50, seed=1, levers=[lever])
    m.step()
    np.testing.assert_array_equal(m.deal.ukraine_consent, 0.0)
    np.testing.assert_array_equal(m.deal.terms[Issue.ENLARGEMENT], 0.0)


def test_an_offer_on_enlargement_is_kept_when_it_bypasses_ukraines_consent():
    lever = Lever(
        actor="west", kind="offer", issue="enlargement", level=1.0, bypass_ukraine_consent=True
    )
    m = model({"ukraine.resistance": 1.0}, replications=50, seed=1, levers=[lever])
    m.step()
    np.testing.assert_array_equal(m.deal.ukraine_consent, 0.0)
    np.testing.assert_array_equal(m.deal.terms[Issue.ENLARGEMENT], 1.0)


@pytest.mark.parametrize("ratio", [0.5, 1.0, 2.0, 4.0])
def test_ukraine_consents_to_terms_about_it_as_far_as_the_threat_outweighs_their_cost(ratio):
    # A pledge on enlargement whose cost to Ukraine (salience x level) is ``ratio`` times
    # the threat it faces: accepted in full up to ratio 1, beyond that cut to 1 / ratio.
    level = ratio * build_up_threat() / Params().ukraine.salience.enlargement
    share = min(1.0, 1.0 / ratio)
    lever = Lever(actor="west", kind="offer", issue="enlargement", level=level)
    m = model(replications=20, seed=1, levers=[lever])
    m.step()
    np.testing.assert_allclose(m.deal.ukraine_consent, share)
    np.testing.assert_allclose(m.deal.terms[Issue.ENLARGEMENT], level * share)


def test_terms_ukraine_offers_itself_need_no_further_consent():
    lever = Lever(actor="ukraine", kind="offer", issue="enlargement", level=0.6)
    m = model({"ukraine.resistance": 1.0}, replications=20, seed=1, levers=[lever])
    m.step()
    np.testing.assert_allclose(m.deal.terms[Issue.ENLARGEMENT], 0.6)


def test_terms_on_issues_not_about_ukraine_need_no_consent():
    lever = Lever(actor="west", kind="offer", issue="eastern_flank", level=1.0)
    m = model({"ukraine.resistance": 1.0}, replications=20, seed=1, levers=[lever])
    m.step()
    np.testing.assert_allclose(m.deal.terms[Issue.EASTERN_FLANK], 1.0)


# -- threats carried out or not (US-T1, US-T2) ----------------------------------------------

UNITED = [Lever(actor="event", kind="cohesion_shock", level=0.5)]
DIVIDED = [Lever(actor="event", kind="cohesion_shock", level=-1.0)]
RANDOM_RUSSIA = {"russia.choice_precision": 0.0}
"""Logit precision 0: Russia picks uniformly among its available actions other than
invading, so that every state a set-up aims at is reached in many worlds whatever the
utilities (invading is decided on its own, at ``russia.war_precision``)."""
RANDOM_WAR = {**RANDOM_RUSSIA, "russia.war_precision": 0.0}
"""War precision 0 as well: Russia invades in half the worlds, whatever it is worth."""


def test_threatened_sanctions_are_imposed_when_the_trigger_occurs_and_the_allies_agree():
    values = {**RANDOM_WAR, "alliance.solidarity": 0.8, "west.us_unilateral_sanctions": 0.0}
    m = stand_at(model(values, replications=1000, seed=2, levers=UNITED), Rung.LIMITED_INCURSION)
    m.step()
    rung = m.russia.rung
    triggered = rung >= Rung.LIMITED_INCURSION
    assert triggered.sum() > 200  # Russia held at the incursion rung or invaded
    assert (rung == Rung.LIMITED_INCURSION).sum() > 100 and (rung == Rung.FULL_INVASION).sum() > 100
    west = Params().west
    threatened = np.where(
        rung == Rung.FULL_INVASION,
        west.sanctions_tier_at_invasion,
        west.sanctions_tier_at_incursion,
    )
    assert np.all(3.0 * m.nato.consensus[triggered] >= threatened[triggered])  # allies agree
    np.testing.assert_allclose(m.west.sanctions[triggered], threatened[triggered])
    np.testing.assert_allclose(m.west.posture[triggered], 2.0)
    np.testing.assert_allclose(m.west.support[triggered], 2.0)
    assert (~triggered).sum() > 100  # stepped down or settled
    np.testing.assert_array_equal(m.west.sanctions[~triggered], 0.0)


def test_threatened_sanctions_fall_short_when_the_allies_cannot_agree():
    values = {**RANDOM_RUSSIA, "alliance.solidarity": 0.0, "west.us_unilateral_sanctions": 0.0}
    m = stand_at(model(values, replications=1000, seed=2, levers=DIVIDED), Rung.LIMITED_INCURSION)
    before = m.russia.weakness_evidence.copy()
    m.step()
    rung = m.russia.rung
    at_incursion = rung == Rung.LIMITED_INCURSION
    assert at_incursion.sum() > 100
    tier = Params().west.sanctions_tier_at_incursion
    sanctions = m.west.sanctions[at_incursion]
    np.testing.assert_allclose(sanctions, np.minimum(tier, 3.0 * m.nato.consensus[at_incursion]))
    assert np.all(sanctions < tier)
    # Each tier or level threatened but not carried out is one observation of weakness.
    shortfall = (tier - sanctions) + (2.0 - m.west.posture[at_incursion])  # posture 2 threatened
    np.testing.assert_allclose(
        m.russia.weakness_evidence[at_incursion], before[at_incursion] + shortfall
    )


def test_the_united_states_imposes_its_unilateral_tier_whatever_the_allies_decide():
    values = {**RANDOM_RUSSIA, "alliance.solidarity": 0.0, "west.us_unilateral_sanctions": 1.0}
    m = stand_at(model(values, replications=1000, seed=2, levers=DIVIDED), Rung.LIMITED_INCURSION)
    m.step()
    at_incursion = m.russia.rung == Rung.LIMITED_INCURSION
    assert at_incursion.sum() > 100
    assert np.all(m.west.sanctions[at_incursion] >= 1.0)
    assert np.all(m.west.sanctions[at_incursion] < 2.0)


def test_a_sanctions_lever_is_imposed_at_once_and_read_as_resolve():
    lever = Lever(actor="west", kind="sanctions", level=2.0, week=0)
    plain = model(replications=5)
    m = model(replications=5, levers=[lever])
    np.testing.assert_array_equal(m.west.sanctions, 2.0)
    np.testing.assert_allclose(m.russia.resolve_evidence, plain.russia.resolve_evidence + 2.0)


def test_a_public_commitment_raises_russias_belief_in_western_resolve_by_its_prior_strength():
    lever = Lever(actor="united_states", kind="commitment", level=1.0, week=0)
    m = model(replications=5, levers=[lever])
    # Beta(0.5 x 4 + 4, 0.5 x 4) has mean 6 / 8.
    np.testing.assert_allclose(m.russia.resolve_belief, 0.75)


# -- audience costs (Fearon 1994) -----------------------------------------------------------


def test_backing_down_costs_more_the_higher_the_rung():
    quiet = model({"russia.audience_cost": 0.0}, replications=50, seed=4)
    loud = model({"russia.audience_cost": 0.1}, replications=50, seed=4)
    penalties = {}
    for rung in (Rung.MILITARY_TECHNICAL, Rung.LIMITED_INCURSION):
        utilities = []
        for m in (quiet, loud):
            m.russia.rung = np.full(50, int(rung))
            russia = m.russia
            utilities.append(russia.type_values(russia.revisionist, russia.prospects()).utilities)
        penalty = utilities[0] - utilities[1]
        # Accepting now: 0.1 x rung x (1 - face-saving), face-saving 0.5 x w_off x 0.6 / 1.1
        # (the t0 deal's reciprocity), w_off 0.25 for a revisionist and 1 for a security seeker.
        saved = np.where(m.russia.revisionist, 0.5 * 0.25, 0.5) * 0.6 / 1.1
        np.testing.assert_allclose(penalty[Action.ACCEPT], 0.1 * rung * (1 - saved))
        # Stepping down pays it now, and its plans may pay it again (from one rung lower)
        # when they settle later; holding and climbing pay it only in a later settlement.
        now = 0.1 * rung * (1 - saved)
        assert np.all(penalty[Action.DE_ESCALATE] >= now - 1e-12)
        assert np.all(penalty[Action.DE_ESCALATE] <= now + 0.1 * (rung - 1) * (1 - saved) + 1e-12)
        assert np.all(penalty[Action.HOLD] >= -1e-12)
        assert np.all(penalty[Action.HOLD] <= 0.1 * rung * (1 - saved) + 1e-12)
        assert np.all(penalty[Action.ESCALATE] >= -1e-12)
        # No audience cost in a war: invading is worth the same.
        np.testing.assert_allclose(penalty[Action.INVADE], 0.0, atol=1e-15)
        penalties[rung] = penalty
    for action in (Action.DE_ESCALATE, Action.ACCEPT):
        assert np.all(
            penalties[Rung.LIMITED_INCURSION][action] > penalties[Rung.MILITARY_TECHNICAL][action]
        )


# -- what the West learns about Russia (Bayes) -----------------------------------------------


def test_the_west_believes_russia_more_revisionist_after_an_action_likelier_under_that_type():
    m = model({"russia.choice_precision": 30.0}, replications=2000, seed=4)
    prior = m.west.type_belief.copy()
    m.step()
    russia = m.russia
    chosen = russia.last_action[None]
    if_revisionist = np.take_along_axis(russia.probabilities_if_revisionist, chosen, axis=0)[0]
    if_security = np.take_along_axis(russia.probabilities_if_security_seeking, chosen, axis=0)[0]
    likelier, unlikelier = if_revisionist > if_security, if_revisionist < if_security
    assert likelier.sum() > 20 and unlikelier.sum() > 20  # the premise holds in many worlds
    assert np.all(m.west.type_belief[likelier] > prior[likelier])
    assert np.all(m.west.type_belief[unlikelier] < prior[unlikelier])


def test_the_wests_bayes_update_reads_the_likelihood_of_the_action_chosen_under_each_type():
    m = model(replications=3)
    russia = m.russia
    m.west.type_belief = np.array([0.5, 0.2, 0.9])
    russia.last_action = np.array([int(Action.ESCALATE), int(Action.HOLD), -1])
    russia.probabilities_if_revisionist = np.zeros((4, 3))
    russia.probabilities_if_security_seeking = np.zeros((4, 3))
    russia.probabilities_if_revisionist[Action.ESCALATE] = [0.8, 0.0, 0.5]
    russia.probabilities_if_security_seeking[Action.ESCALATE] = [0.2, 0.0, 0.5]
    russia.probabilities_if_revisionist[Action.HOLD] = [0.2, 0.6, 0.5]
    russia.probabilities_if_security_seeking[Action.HOLD] = [0.8, 0.3, 0.5]
    m.west.update_type_belief()
    # 0.5 x 0.8 / (0.4 + 0.1); 0.2 x 0.6 / (0.12 + 0.24); no action: the prior stays
    np.testing.assert_allclose(m.west.type_belief, [0.8, 1 / 3, 0.9])


def test_a_revisionist_russia_climbs_higher_and_invades_more_often_than_a_security_seeker():
    m = model({"russia.choice_precision": 30.0}, replications=2000, seed=4).run()
    table = m.outcomes()
    revisionist = table["revisionist"]
    invaded = table["outcome"] == "full_invasion"
    assert table["max_rung"][revisionist].mean() > table["max_rung"][~revisionist].mean() + 0.2
    assert invaded[revisionist].mean() > 2 * invaded[~revisionist].mean()


# -- the Alliance: cohesion, wedge, mobilisation ---------------------------------------------


def test_the_t0_state_is_consistent_recomputing_willingness_at_t0_changes_nothing():
    m = model(replications=200, seed=4)
    recorded = m.nato.cohesion.copy()
    m.nato.update_willingness()
    np.testing.assert_allclose(m.nato.cohesion, recorded)


def test_visible_aggression_raises_alliance_cohesion():
    m = model(replications=2000, seed=4)
    cohesion = {}
    for rung in (Rung.BUILD_UP, Rung.LIMITED_INCURSION, Rung.FULL_INVASION):
        m.russia.max_rung = np.full(2000, int(rung))
        m.nato.update_willingness()
        cohesion[rung] = m.nato.cohesion.copy()
    assert cohesion[Rung.LIMITED_INCURSION].mean() > cohesion[Rung.BUILD_UP].mean()
    assert cohesion[Rung.FULL_INVASION].mean() > cohesion[Rung.LIMITED_INCURSION].mean()
    assert np.all(cohesion[Rung.FULL_INVASION] > cohesion[Rung.BUILD_UP])


def test_stronger_aggression_mobilisation_raises_cohesion_once_force_is_used():
    means = []
    for mobilisation in (0.1, 0.3, 0.5):
        m = model({"alliance.aggression_mobilisation": mobilisation}, replications=1000, seed=4)
        m.russia.max_rung = np.full(1000, int(Rung.LIMITED_INCURSION))
        m.nato.update_willingness()
        means.append(m.nato.cohesion.mean())
    assert means[0] < means[1] < means[2]


def test_an_incursion_draws_the_allies_together_in_the_running_model():
    calm = model(replications=500, seed=8)
    pushed = stand_at(model(replications=500, seed=8), Rung.LIMITED_INCURSION)
    calm.step()
    pushed.step()
    assert np.all(pushed.russia.max_rung >= Rung.LIMITED_INCURSION)
    assert np.all(calm.russia.max_rung <= Rung.MILITARY_TECHNICAL)
    assert pushed.nato.cohesion.mean() > calm.nato.cohesion.mean()


def test_russias_wedge_lowers_the_willingness_of_gas_exposed_allies_without_a_border():
    values = {"alliance.solidarity": 0.0, "alliance.perception_noise": 0.0}
    m = model({**values, "russia.wedge_strength": 0.3}, replications=4)
    m.nato.update_willingness()
    without = m.nato.willingness.copy()
    m.nato.wedge = np.ones(4)
    m.nato.update_willingness()
    traits = m.nato.traits
    exposed = ((traits.gas_share > 0) & (traits.border == 0))[:, 0]
    assert exposed.sum() >= 10
    assert np.all(without[exposed] > 0.0) and np.all(without < 1.0)
    reach = 0.3 * traits.gas_share[:, 0] * (1.0 - traits.border[:, 0])
    np.testing.assert_allclose(m.nato.willingness[:, 0], np.clip(without[:, 0] - reach, 0.0, 1.0))
    np.testing.assert_array_equal(m.nato.willingness[~exposed], without[~exposed])
    assert np.all(m.nato.willingness[exposed] < without[exposed])


def test_russias_wedge_in_the_running_model_hits_exposed_allies_hardest():
    plain = model({"russia.wedge_strength": 0.0}, replications=500, seed=8)
    wedged = model({"russia.wedge_strength": 0.3}, replications=500, seed=8)
    plain.step()
    wedged.step()
    np.testing.assert_array_equal(plain.russia.rung, wedged.russia.rung)  # same choices
    built = wedged.nato.wedge > 0
    assert built.sum() > 100
    np.testing.assert_allclose(wedged.nato.wedge[built], 0.25)  # a quarter of the way
    traits = wedged.nato.traits
    exposed = ((traits.gas_share > 0) & (traits.border == 0))[:, 0]
    drop = plain.nato.willingness - wedged.nato.willingness
    assert np.all(drop[exposed][:, built].mean(axis=0) > drop[~exposed][:, built].mean(axis=0))


def test_russias_wedge_collapses_once_it_uses_force():
    m = model(replications=2)
    m.nato.wedge = np.array([0.8, 0.8])
    m.russia.rung = np.array([int(Rung.LIMITED_INCURSION), int(Rung.MILITARY_TECHNICAL)])
    m.nato.advance_wedge()
    np.testing.assert_allclose(m.nato.wedge, [0.4, 0.85])  # halved; a quarter of the rest built


# -- concessions (H1 and the off-ramp) -------------------------------------------------------

CONCEDE_EXERCISES = Lever(
    actor="united_states", kind="concede", issue="exercises", level=1.0, week=2
)


def test_a_concession_due_in_week_2_is_granted_in_week_2_and_not_before():
    m = model(replications=300, seed=6, levers=[CONCEDE_EXERCISES])
    np.testing.assert_array_equal(m.concessions.granted, 0.0)
    m.step()
    np.testing.assert_array_equal(m.concessions.granted, 0.0)
    running = m.active.copy()
    assert running.any()
    m.step()
    share = Params().west.us_share.exercises
    np.testing.assert_allclose(m.concessions.granted[Issue.EXERCISES, running], 1.0 * share)
    np.testing.assert_array_equal(m.concessions.granted[Issue.EXERCISES, ~running], 0.0)
    others = [int(issue) for issue in ISSUES if issue is not Issue.EXERCISES]
    np.testing.assert_array_equal(m.concessions.granted[others], 0.0)


def test_a_concession_raises_the_status_quo_russia_keeps_without_a_deal():
    now = Lever(actor="united_states", kind="concede", issue="exercises", level=1.0, week=0)
    m = model(replications=20, seed=6, levers=[now])
    # The U.S. alone grants its share 0.5 of exercises: the distance to Russia's ideal
    # falls from 1 by salience 0.4 x 0.5 of the total 3.6, so the status quo is worth 0.2 / 3.6.
    np.testing.assert_allclose(m.concessions.granted[Issue.EXERCISES], 0.5)
    np.testing.assert_allclose(m.concessions.status_quo_utility, 1 / 18)
    np.testing.assert_allclose(m.concessions.granted_utility, 1 / 18)
    # War still takes the Ukrainian issues (salience 1 + 0.7) and keeps the 0.2 granted.
    np.testing.assert_allclose(m.concessions.war_utility, 1.9 / 3.6)


def test_appeasement_raises_a_revisionists_aspiration_and_the_offramp_a_security_seekers():
    now = Lever(actor="united_states", kind="concede", issue="exercises", level=1.0, week=0)
    m = model(replications=50, seed=6, levers=[now])
    np.testing.assert_allclose(m.concessions.granted_utility, 1 / 18)
    revisionist = m.russia.aspiration(np.ones(50, dtype=bool))
    security = m.russia.aspiration(np.zeros(50, dtype=bool))
    # 1 + 0.3 + (0.5 - 0.5 x 0.25) / 18 and 1 + (0.5 x 0.25 - 0.5) / 18
    np.testing.assert_allclose(revisionist, 1.3 + 0.375 / 18)
    np.testing.assert_allclose(security, 1.0 - 0.375 / 18)
    bold = model(
        {"concessions.appeasement_strength": 1.0, "concessions.offramp_strength": 0.0},
        replications=50,
        seed=6,
        levers=[CONCEDE_EXERCISES],
    )
    bold.step()
    bold.step()
    granted = bold.concessions.granted_utility > 0
    assert granted.any()
    aspiration = bold.russia.aspiration(np.ones(50, dtype=bool))
    np.testing.assert_allclose(aspiration[granted], 1.3 + 1.0 / 18)


def test_the_appeasement_reading_lowers_russias_belief_in_western_resolve():
    now = Lever(actor="united_states", kind="concede", issue="exercises", level=1.0, week=0)
    plain = model({"concessions.appeasement_strength": 0.0}, replications=300, levers=[now])
    appeased = model({"concessions.appeasement_strength": 1.0}, replications=300, levers=[now])
    # strength 1 x reading weight (1 or 0.25) x utility 1/18 x prior strength 4
    extra = np.where(appeased.russia.revisionist, 4 / 18, 1 / 18)
    np.testing.assert_allclose(
        appeased.russia.weakness_evidence, plain.russia.weakness_evidence + extra
    )
    assert np.all(appeased.russia.resolve_belief < plain.russia.resolve_belief)
    # It also teaches that the West gives way under coercion, by the same evidence.
    np.testing.assert_allclose(appeased.russia.yield_evidence, plain.russia.yield_evidence + extra)
    assert np.all(appeased.russia.yield_belief > plain.russia.yield_belief)


def test_fearing_war_the_west_moves_its_offers_to_its_reservation_points_and_not_otherwise():
    # With a war aversion of 10, a certain war outweighs any concession short of the whole
    # scale: the West takes the offer Russia is likeliest to accept, its reservation points.
    # With no risk of war, any concession is a pure loss: it keeps its t0 offers.
    m = model({"west.war_aversion": 10.0}, replications=4, seed=1)
    m.step()
    m.west.offer_step = np.zeros(4)
    m.west.war_risk = np.array([0.0, 1.0, 0.0, 1.0])
    m.west.type_belief = np.array([0.0, 0.0, 1.0, 1.0])  # security-seeking, revisionist
    m.west.choose_offers()
    np.testing.assert_array_equal(m.west.offer_step, [0.0, 1.0, 0.0, 1.0])
    assert np.all(m.west.acceptance[[1, 3]] > m.west.acceptance[[0, 2]])
    west = Params().west
    for issue in ISSUES:
        us_t0, us_r = getattr(west.us_offer, issue.key), getattr(west.us_reservation, issue.key)
        nato_t0 = getattr(west.nato_offer, issue.key)
        nato_r = getattr(west.nato_reservation, issue.key)
        us = [us_t0, max(us_r, us_t0)] * 2
        nato = [nato_t0, max(nato_r, nato_t0)] * 2
        np.testing.assert_allclose(m.united_states.offer[issue], us, err_msg=issue.key)
        np.testing.assert_allclose(m.nato.offer[issue], nato, err_msg=issue.key)
    # Offers once made are not withdrawn, even when the fear is gone.
    m.west.war_risk = np.zeros(4)
    m.west.choose_offers()
    np.testing.assert_array_equal(m.west.offer_step, [0.0, 1.0, 0.0, 1.0])
    assert m.united_states.offer[Issue.INF_MISSILES, 1] == west.us_reservation.inf_missiles


# -- incidents and clashes: tension by accident, never a move up the ladder -----------------


def test_an_incident_raises_the_allies_tension_and_leaves_russias_rung():
    calm = model(replications=20, seed=1)
    m = model(replications=20, seed=1, levers=incidents(2, week=0))
    np.testing.assert_array_equal(m.russia.rung, int(Rung.BUILD_UP))
    np.testing.assert_array_equal(m.russia.max_rung, int(Rung.BUILD_UP))
    np.testing.assert_allclose(m.nato.shock, 2 * Params().alliance.incident_tension)
    assert np.all(m.nato.willingness.mean(axis=0) > calm.nato.willingness.mean(axis=0))


def test_incidents_never_put_russia_at_war():
    # Under a uniformly random choice, what Russia does cannot depend on the tension an
    # incident raises: three incidents a week and one every week at the hazard's bound
    # leave every rung and every invasion as they were.
    values = {**RANDOM_WAR, "west.clash_hazard": 0.0}
    calm = model(values, replications=500, seed=1).run()
    tense = model(
        {**values, "west.incident_hazard": 1.0},
        replications=500,
        seed=1,
        levers=[*incidents(3), *incidents(3, week=4)],
    ).run()
    assert (tense.nato.shock > calm.nato.shock).any()
    np.testing.assert_array_equal(np.stack(tense.history["rung"]), np.stack(calm.history["rung"]))
    np.testing.assert_array_equal(tense.outcome, calm.outcome)
    np.testing.assert_array_equal(tense.outcome_week, calm.outcome_week)


@pytest.mark.parametrize("hazard", [1.0, 0.0])
def test_a_hold_stays_at_its_rung_whatever_the_incident_hazard(hazard):
    values = {**RANDOM_RUSSIA, "west.incident_hazard": hazard, "west.clash_hazard": 0.0}
    m = stand_at(model(values, replications=500, seed=3), Rung.MILITARY_TECHNICAL)
    m.step()
    held = m.russia.last_action == Action.HOLD
    assert held.sum() > 50
    np.testing.assert_array_equal(m.russia.rung[held], int(Rung.MILITARY_TECHNICAL))
    tension = hazard * Params().alliance.incident_tension
    np.testing.assert_allclose(m.nato.shock[held], tension)


def test_risk_reduction_channels_granted_cut_the_incident_hazard():
    values = {
        **RANDOM_RUSSIA,
        "west.incident_hazard": 1.0,
        "west.channels_effect": 1.0,
        "west.clash_hazard": 0.0,
    }
    channels = Lever(actor="nato", kind="concede", issue="risk_reduction", level=1.0, week=0)
    m = stand_at(
        model(values, replications=500, seed=3, levers=[channels]), Rung.MILITARY_TECHNICAL
    )
    m.step()
    held = m.russia.last_action == Action.HOLD
    assert held.sum() > 50
    np.testing.assert_array_equal(m.russia.rung[held], int(Rung.MILITARY_TECHNICAL))
    np.testing.assert_array_equal(m.nato.shock, 0.0)


def test_a_clash_comes_only_at_the_incursion_rung_with_the_flank_reinforced():
    values = {
        **RANDOM_WAR,
        "west.clash_hazard": 1.0,
        "west.channels_effect": 0.0,
        "alliance.solidarity": 0.8,
    }
    m = stand_at(model(values, replications=500, seed=2, levers=UNITED), Rung.LIMITED_INCURSION)
    m.step()
    table = m.outcomes()
    high = table["end_rung"] >= Rung.LIMITED_INCURSION
    assert high.sum() > 100 and (~high).sum() > 50
    np.testing.assert_array_equal(table.loc[high, "posture"], 2.0)
    # Russia's choice comes first in the week: a world that invaded clashes in its war.
    invaded = table["outcome"] == "full_invasion"
    assert (table.loc[high & ~invaded, "outcome"] == "nato_russia_clash").all()
    np.testing.assert_array_equal(table.loc[high & invaded, "war_clash_week"], 1)
    assert not (table.loc[~high, "outcome"] == "nato_russia_clash").any()


def test_a_world_at_the_invasion_rung_after_russias_choice_ends_as_full_invasion():
    m = model(RANDOM_WAR, replications=500, seed=2)
    m.step()
    invaded = m.russia.rung == Rung.FULL_INVASION
    assert invaded.sum() > 100
    np.testing.assert_array_equal(m.russia.last_action[invaded], int(Action.INVADE))
    np.testing.assert_array_equal(m.outcome[invaded], int(Outcome.FULL_INVASION))
    assert not m.active[invaded].any()
    np.testing.assert_array_equal(m.outcome_week[invaded], 1)
    # The outcome is fixed; the war it starts runs on.
    war = invaded
    assert war.any()
    assert m.war.at_war[war].all()
    np.testing.assert_array_equal(m.war.start_week[war], 1)
    assert not m.war.at_war[~invaded].any()


# -- Ukraine and what Russia learns ----------------------------------------------------------


def test_western_support_raises_ukraines_resistance_week_by_week_toward_what_it_allows():
    # Support 2 allows 0.45 + 2 x 0.08 = 0.61; resistance closes 0.15 of the gap a week:
    # 0.45 + 0.15 x 0.16 = 0.474, then 0.474 + 0.15 x 0.136 = 0.4944, then 0.51174.
    # (Ukraine mobilises only at war here: its threshold is the highest chance of war.)
    lever = Lever(actor="west", kind="support", level=2.0, week=0)
    m = model({"ukraine.mobilisation_threshold": 1.0}, replications=3, seed=1, levers=[lever])
    p = Params().ukraine
    np.testing.assert_allclose(m.ukraine.resistance, p.resistance)
    for expected in (0.474, 0.4944, 0.51174):
        m.step()
        assert not m.war.at_war.any()
        np.testing.assert_allclose(m.ukraine.resistance, expected)
    m.run()
    never_at_war = m.war.start_week < 0
    assert never_at_war.any()
    assert np.all(m.ukraine.resistance[never_at_war] <= 0.61)


def test_russia_learns_the_west_will_not_give_way_from_a_week_of_coercion_that_wins_nothing():
    m = model(RANDOM_RUSSIA, replications=500, seed=3)
    russia = m.russia
    firmness = russia.firmness_evidence.copy()
    yielding = russia.yield_evidence.copy()
    resolve = russia.resolve_evidence.copy()
    belief = russia.yield_belief.copy()
    m.step()
    coerced = russia.rung >= Rung.BUILD_UP
    assert coerced.sum() > 50 and (~coerced).sum() > 50  # some worlds took the deal
    # One stalemate observation that the West does not give way...
    np.testing.assert_allclose(
        russia.firmness_evidence[coerced],
        firmness[coerced] + Params().russia.stalemate_learning,
    )
    np.testing.assert_allclose(russia.firmness_evidence[~coerced], firmness[~coerced])
    np.testing.assert_allclose(russia.yield_evidence, yielding)
    assert np.all(russia.yield_belief[coerced] < belief[coerced])
    # ...while the belief that the West carries out its threats moves only with the
    # threats carried out: one observation per tier or level of response.
    carried_out = m.west.sanctions + m.west.posture
    np.testing.assert_allclose(russia.resolve_evidence, resolve + carried_out)


def test_a_week_in_which_the_west_concedes_teaches_russia_neither_firmness_nor_resolve():
    lever = Lever(actor="nato", kind="concede", issue="exercises", level=0.5, week=1)
    m = model(replications=500, seed=3, levers=[lever])
    firmness = m.russia.firmness_evidence.copy()
    resolve = m.russia.resolve_evidence.copy()
    m.step()
    assert np.all(m.concessions.granted_this_week > 0)  # the premise: the West granted something
    np.testing.assert_allclose(m.russia.firmness_evidence, firmness)
    carried_out = m.west.sanctions + m.west.posture
    np.testing.assert_allclose(m.russia.resolve_evidence, resolve + carried_out)


def test_russias_belief_that_the_west_gives_way_starts_at_its_prior():
    m = model({"russia.yield_prior": 0.3}, replications=5)
    np.testing.assert_allclose(m.russia.yield_belief, 0.3)
    np.testing.assert_allclose(m.russia.resolve_belief, Params().west.sanction_credibility)


def test_coercion_gains_at_rungs_1_to_3_rest_on_the_belief_that_the_west_gives_way():
    m = model(replications=50, seed=4)
    russia = m.russia
    deals = russia.prospects().deals  # (rungs 1-3, waits, R)
    # The t0 deal is worth 1 - (1 + 0.8 + 0.7 + 0.5 x 0.5 + 0.4 x 0.625) / 3.6 = 1/6. At the
    # build-up rung the gap to 1 shrinks each week by leverage 0.15 x force 0.6 x yield
    # belief 0.5 / 8 extraction weeks = 0.005625: after a week 1 - 5/6 x 0.994375.
    np.testing.assert_allclose(m.deal.utility, 1 / 6)
    np.testing.assert_allclose(deals[0, 0], 1 - 5 / 6 * 0.994375)
    # More leverage higher up the ladder, more gained the longer the coercion lasts.
    assert np.all(deals[0] < deals[1]) and np.all(deals[1] < deals[2])
    assert np.all(np.diff(deals, axis=1) > 0)
    # The belief in Western threats prices the costs, not the gains...
    russia.resolve_evidence = russia.resolve_evidence + 10.0
    np.testing.assert_allclose(russia.prospects().deals, deals)
    # ...while firmer evidence that the West will not give way shrinks them...
    russia.firmness_evidence = russia.firmness_evidence + 10.0
    assert np.all(russia.prospects().deals < deals)
    # ...and with no belief that it gives way, coercion is expected to gain nothing.
    russia.yield_evidence = np.zeros(50)
    np.testing.assert_allclose(russia.prospects().deals, 1 / 6)


def test_fighting_teaches_russia_ukraines_real_resistance_as_far_as_it_fights():
    m = stand_at(model(RANDOM_WAR, replications=500, seed=2), Rung.LIMITED_INCURSION)
    m.step()
    rung = m.russia.rung
    incursion, war = rung == Rung.LIMITED_INCURSION, rung == Rung.FULL_INVASION
    assert incursion.sum() > 100 and war.sum() > 100
    p = Params().russia
    assert (p.resistance_underestimate, p.resistance_learning) == (0.4, 0.5)
    # A war teaches half the error away (0.4 x 0.5); an incursion fights 0.3 of a war and
    # teaches 0.3 of that (0.4 x (1 - 0.5 x 0.3)); stepping down or settling teaches nothing.
    np.testing.assert_allclose(m.russia.resistance_error[war], 0.2)
    np.testing.assert_allclose(m.russia.resistance_error[incursion], 0.34)
    np.testing.assert_allclose(m.russia.resistance_error[rung < Rung.LIMITED_INCURSION], 0.4)
