"""The pure rules of each mechanism (crisis_sim.model.*), each on inputs whose answer is known.

Expected values are computed by hand from the equations of docs/MODEL.md, never by
calling the code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from crisis_sim import CrisisModel, Params
from crisis_sim.model import (
    alliance,
    bargaining,
    concessions,
    incidents,
    plans,
    russia,
    ukraine,
    west,
)
from crisis_sim.model.domain import Issue
from crisis_sim.model.params import with_values

unit_floats = st.floats(0.0, 1.0, allow_nan=False)


# -- issue_utility (KTAB at exponent 2, city-block at exponent 1) ----------------------------


@pytest.mark.parametrize("exponent", [1.0, 2.0, 3.0])
def test_issue_utility_is_one_at_the_ideal_and_zero_at_the_full_gap(exponent):
    salience = np.array([1.0, 0.8, 0.7, 0.5, 0.4, 0.2])
    assert bargaining.issue_utility(np.zeros(6), salience, exponent) == pytest.approx(1.0)
    assert bargaining.issue_utility(np.ones(6), salience, exponent) == pytest.approx(0.0)


def test_issue_utility_at_exponent_2_is_ktabs_salience_weighted_euclidean_distance():
    # d = sqrt(sum (s g)^2 / sum s^2)
    assert bargaining.issue_utility(
        np.array([1.0, 0.0]), np.array([1.0, 1.0]), 2.0
    ) == pytest.approx(1.0 - math.sqrt(0.5))
    assert bargaining.issue_utility(
        np.array([1.0, 0.0]), np.array([2.0, 1.0]), 2.0
    ) == pytest.approx(1.0 - math.sqrt(4.0 / 5.0))
    assert bargaining.issue_utility(
        np.array([0.5, 0.5]), np.array([1.0, 3.0]), 2.0
    ) == pytest.approx(0.5)


def test_issue_utility_at_exponent_1_is_the_salience_weighted_city_block_distance():
    # d = sum s g / sum s
    assert bargaining.issue_utility(
        np.array([1.0, 0.0]), np.array([1.0, 1.0]), 1.0
    ) == pytest.approx(0.5)
    assert bargaining.issue_utility(
        np.array([1.0, 0.5]), np.array([3.0, 1.0]), 1.0
    ) == pytest.approx(1.0 - 3.5 / 4.0)


def test_issue_utility_at_exponent_1_makes_issues_separable():
    # A gain on one issue is worth the same whatever stands on the others.
    salience = np.array([1.0, 0.8, 0.4])
    gain = []
    for rest in (0.0, 0.5, 1.0):
        before = bargaining.issue_utility(np.array([1.0, rest, rest]), salience, 1.0)
        after = bargaining.issue_utility(np.array([0.5, rest, rest]), salience, 1.0)
        gain.append(after - before)
    np.testing.assert_allclose(gain, gain[0])


def test_issue_utility_ignores_issues_of_no_salience():
    value = bargaining.issue_utility(np.array([0.3, 1.0]), np.array([1.0, 0.0]), 2.0)
    assert value == pytest.approx(0.7)


def test_issue_utility_is_computed_per_world_on_the_last_axis():
    gap = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5]])
    salience = np.array([[1.0], [1.0]])
    expected = [1.0 - math.sqrt(0.5), 1.0 - math.sqrt(0.5), 0.5]
    np.testing.assert_allclose(bargaining.issue_utility(gap, salience, 2.0), expected)
    np.testing.assert_allclose(
        bargaining.issue_utility(gap, salience, np.array([1.0, 2.0, 1.0])),
        [0.5, 1.0 - math.sqrt(0.5), 0.5],
    )


@given(
    gap=arrays(float, 6, elements=unit_floats),
    salience=arrays(float, 6, elements=st.floats(0.01, 1.0)),
    exponent=st.floats(1.0, 4.0),
)
def test_issue_utility_stays_in_zero_one_and_falls_as_any_gap_widens(gap, salience, exponent):
    utility = bargaining.issue_utility(gap, salience, exponent)
    assert 0.0 - 1e-12 <= utility <= 1.0 + 1e-12
    wider = gap.copy()
    wider[0] = min(1.0, gap[0] + 0.5)
    assert bargaining.issue_utility(wider, salience, exponent) <= utility + 1e-12


# -- cost_sensitivity and expected_level -------------------------------------------------


def test_cost_sensitivity_runs_from_one_for_no_resolve_to_point_four_for_full_resolve():
    assert russia.cost_sensitivity(0.0, 0.6) == pytest.approx(1.0)
    assert russia.cost_sensitivity(0.5, 0.6) == pytest.approx(0.7)
    assert russia.cost_sensitivity(1.0, 0.6) == pytest.approx(0.4)
    assert russia.cost_sensitivity(1.0, 0.8) == pytest.approx(0.2)


def test_expected_level_adds_the_believed_share_of_the_threatened_rise():
    cases = [(1.0, 3.0, 0.5), (0.0, 2.0, 0.25), (2.0, 2.0, 0.9)]
    expected = [1.0 + 0.5 * 2.0, 0.0 + 0.25 * 2.0, 2.0]
    assert [russia.expected_level(*case) for case in cases] == pytest.approx(expected)


def test_expected_level_never_falls_below_what_is_in_force():
    assert russia.expected_level(3.0, 1.0, 1.0) == 3.0
    assert np.isnan(russia.expected_level(3.0, np.nan, 1.0))


# -- hold_then: the value of a plan in weeks (MODEL.md 5.2) ----------------------------------


def test_hold_then_weighs_the_hold_and_the_final_move_by_the_discount_over_the_wait():
    # (1 - 0.9^k) x 0.2 + 0.9^k x 0.5: k = 1 gives 0.02 + 0.45, k = 2 gives 0.038 + 0.405,
    # k = 3 gives 0.0542 + 0.3645.
    value = plans.hold_then(np.array([0.2]), np.array([0.5]), 0.9, np.array([1, 2, 3]))
    np.testing.assert_allclose(value[:, 0], [0.47, 0.443, 0.4187])


def test_hold_then_of_a_state_held_for_ever_is_its_weekly_flow():
    # The normalisation of MODEL.md 5.2: a plan whose final move is worth its flow is
    # worth that flow, however long the hold.
    value = plans.hold_then(np.array([0.3, -0.2]), np.array([0.3, -0.2]), 0.98, plans.WAITS)
    np.testing.assert_allclose(value, np.array([[0.3, -0.2]]).repeat(len(plans.WAITS), 0))


def test_hold_then_is_the_final_move_without_discounting_and_the_flow_at_full_discounting():
    flow, final = np.array([0.1]), np.array([0.7])
    np.testing.assert_allclose(plans.hold_then(flow, final, 1.0, plans.WAITS), 0.7)
    np.testing.assert_allclose(plans.hold_then(flow, final, 0.0, plans.WAITS), 0.1)


def test_hold_then_works_per_world_with_a_final_per_wait_and_a_discount_per_world():
    flow = np.array([0.0, 1.0])
    final = np.array([[1.0, 0.0], [0.5, 0.0]])  # (waits, R): the final move after 1 and 2 weeks
    value = plans.hold_then(flow, final, np.array([0.5, 0.8]), np.array([1, 2]))
    # world 0: 0.5 x 1, 0.25 x 0.5; world 1: 0.2 x 1, 0.36 x 1
    np.testing.assert_allclose(value, [[0.5, 0.2], [0.125, 0.36]])


def test_hold_then_leaves_its_inputs_unchanged():
    flow, final = np.array([0.2, 0.1]), np.array([[0.5, 0.4]])
    before = (flow.copy(), final.copy())
    plans.hold_then(flow, final, 0.9, np.array([3]))
    np.testing.assert_array_equal(flow, before[0])
    np.testing.assert_array_equal(final, before[1])


@given(
    flow=st.floats(-1.0, 1.0),
    final=st.floats(-1.0, 1.0),
    discount=st.floats(0.0, 1.0),
)
def test_hold_then_lies_between_the_flow_and_the_final_move(flow, final, discount):
    value = plans.hold_then(np.array([flow]), np.array([final]), discount, plans.WAITS)
    assert np.all(value >= min(flow, final) - 1e-12)
    assert np.all(value <= max(flow, final) + 1e-12)
    # The longer the wait, the closer to the flow.
    gaps = np.abs(value[:, 0] - flow)
    assert np.all(np.diff(gaps) <= 1e-12)


# -- logit_choice_probabilities and draw_choice ---------------------------------------------


def test_logit_choice_with_infinite_precision_is_the_best_reply():
    utilities = np.array([[0.1, 0.9], [0.5, 0.2], [0.3, 0.1], [0.0, 0.0]])
    available = np.ones_like(utilities, dtype=bool)
    probabilities = russia.logit_choice_probabilities(utilities, available, np.inf)
    np.testing.assert_array_equal(probabilities[:, 0], [0.0, 1.0, 0.0, 0.0])
    np.testing.assert_array_equal(probabilities[:, 1], [1.0, 0.0, 0.0, 0.0])


def test_logit_choice_with_infinite_precision_splits_ties_evenly():
    utilities = np.array([[0.5], [0.5], [0.1]])
    available = np.ones_like(utilities, dtype=bool)
    probabilities = russia.logit_choice_probabilities(utilities, available, np.inf)
    np.testing.assert_allclose(probabilities[:, 0], [0.5, 0.5, 0.0])


@pytest.mark.parametrize("precision", [0.0, 1.0, 80.0, 1e9, np.inf])
def test_logit_choice_never_picks_an_unavailable_action_however_good(precision):
    utilities = np.array([[5.0], [0.1], [0.0]])
    available = np.array([[False], [True], [True]])
    probabilities = russia.logit_choice_probabilities(utilities, available, precision)
    assert probabilities[0, 0] == 0.0
    assert probabilities[:, 0].sum() == pytest.approx(1.0)


def test_logit_choice_with_zero_precision_is_uniform_over_the_available_actions():
    utilities = np.array([[1.0], [0.0], [-1.0], [3.0]])
    available = np.array([[True], [True], [True], [False]])
    probabilities = russia.logit_choice_probabilities(utilities, available, 0.0)
    np.testing.assert_allclose(probabilities[:, 0], [1 / 3, 1 / 3, 1 / 3, 0.0])


def test_logit_choice_odds_are_the_exponential_of_precision_times_the_utility_gap():
    utilities = np.array([[0.3], [0.1]])
    available = np.ones_like(utilities, dtype=bool)
    probabilities = russia.logit_choice_probabilities(utilities, available, 10.0)
    assert probabilities[0, 0] / probabilities[1, 0] == pytest.approx(math.exp(10.0 * 0.2))


def test_logit_choice_with_a_huge_finite_precision_is_the_best_reply():
    # The model's no-noise setting is russia.choice_precision = 1e9, its upper bound.
    utilities = np.array([[0.30], [0.31], [0.29], [-np.inf]])
    available = np.array([[True], [True], [True], [False]])
    probabilities = russia.logit_choice_probabilities(utilities, available, 1e9)
    np.testing.assert_array_equal(probabilities[:, 0], [0.0, 1.0, 0.0, 0.0])


def test_logit_choice_applies_each_worlds_own_precision():
    # The docstring: precision is a scalar or (R,), and np.inf gives the best reply.
    # World 0 plays its best reply; world 1, with precision 0, is indifferent.
    utilities = np.array([[1.0, 1.0], [0.0, 0.0]])
    available = np.ones_like(utilities, dtype=bool)
    probabilities = russia.logit_choice_probabilities(utilities, available, np.array([np.inf, 0.0]))
    np.testing.assert_allclose(probabilities[:, 0], [1.0, 0.0])
    np.testing.assert_allclose(probabilities[:, 1], [0.5, 0.5])


@given(
    utilities=arrays(float, (4, 5), elements=st.floats(-1.0, 1.0)),
    available=arrays(bool, (4, 5)),
    precision=st.floats(0.0, 500.0),
)
def test_logit_choice_probabilities_are_a_distribution_over_available_actions(
    utilities, available, precision
):
    available[1] = True  # holding is always possible
    probabilities = russia.logit_choice_probabilities(utilities, available, precision)
    assert np.all(np.isfinite(probabilities))
    assert np.all(probabilities[~available] == 0.0)
    np.testing.assert_allclose(probabilities.sum(axis=0), 1.0)


def test_draw_choice_picks_the_first_action_whose_cumulative_share_exceeds_the_uniform():
    probabilities = np.array([[0.2], [0.3], [0.5]]).repeat(5, axis=1)
    uniforms = np.array([0.0, 0.19, 0.2, 0.49, 0.999])
    np.testing.assert_array_equal(russia.draw_choice(probabilities, uniforms), [0, 0, 1, 1, 2])


def test_draw_choice_follows_each_worlds_own_probabilities():
    probabilities = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    chosen = russia.draw_choice(probabilities, np.array([0.7, 0.7, 0.7]))
    np.testing.assert_array_equal(chosen, [0, 1, 2])


@given(
    probabilities=arrays(float, (4, 6), elements=st.floats(0.0, 1.0)),
    uniform=arrays(float, 6, elements=st.floats(0.0, 1.0, exclude_max=True)),
)
def test_draw_choice_never_draws_an_action_of_zero_probability(probabilities, uniform):
    probabilities[1] += 0.01  # at least one action possible in every world
    probabilities = probabilities / probabilities.sum(axis=0)
    chosen = russia.draw_choice(probabilities, uniform)
    assert np.all(probabilities[chosen, np.arange(6)] > 0.0)


def test_draw_choice_frequencies_match_the_probabilities():
    probabilities = np.array([[0.1], [0.6], [0.3]]).repeat(100_000, axis=1)
    uniform = np.random.default_rng(1).random(100_000)
    counts = np.bincount(russia.draw_choice(probabilities, uniform), minlength=3) / 100_000
    # Binomial standard error is at most 0.0016 here; 4 standard errors.
    np.testing.assert_allclose(counts, [0.1, 0.6, 0.3], atol=4 * 0.0016)


# -- beliefs ------------------------------------------------------------------------------


def test_beta_mean_is_successes_over_all_observations():
    np.testing.assert_allclose(
        russia.beta_mean(np.array([3.0, 1.0, 2.0]), np.array([1.0, 1.0, 6.0])), [0.75, 0.5, 0.25]
    )


def test_bayes_type_update_on_hand_computed_cases():
    prior = np.array([0.5, 0.2, 0.9])
    if_type = np.array([0.8, 0.6, 0.1])
    otherwise = np.array([0.2, 0.3, 0.1])
    np.testing.assert_allclose(
        west.bayes_type_update(prior, if_type, otherwise), [0.8, 0.12 / 0.36, 0.9]
    )


def test_bayes_type_update_keeps_the_prior_when_the_action_was_impossible_under_both_types():
    assert west.bayes_type_update(np.array([0.3]), np.array([0.0]), np.array([0.0]))[0] == 0.3


def test_bayes_type_update_is_certain_when_only_one_type_could_have_acted():
    np.testing.assert_allclose(
        west.bayes_type_update(np.array([0.3, 0.3]), np.array([0.5, 0.0]), np.array([0.0, 0.5])),
        [1.0, 0.0],
    )


@given(
    prior=st.floats(0.01, 0.99),
    if_type=st.floats(0.001, 1.0),
    otherwise=st.floats(0.001, 1.0),
)
def test_bayes_type_update_moves_toward_the_type_under_which_the_action_is_likelier(
    prior, if_type, otherwise
):
    posterior = west.bayes_type_update(
        np.array([prior]), np.array([if_type]), np.array([otherwise])
    )[0]
    assert 0.0 <= posterior <= 1.0
    if if_type > otherwise:
        assert posterior >= prior
    elif if_type < otherwise:
        assert posterior <= prior
    else:
        assert posterior == pytest.approx(prior)


# -- alliance rules -------------------------------------------------------------------------


def test_column_quantile_on_hand_computed_cases():
    values = np.array([[4.0, 1.0], [1.0, 1.0], [3.0, 5.0], [2.0, 9.0]])
    np.testing.assert_allclose(alliance.column_quantile(values, np.array([0.5, 0.0])), [2.5, 1.0])
    np.testing.assert_allclose(alliance.column_quantile(values, np.array([1.0, 1.0])), [4.0, 9.0])
    np.testing.assert_allclose(
        alliance.column_quantile(values, np.array([1 / 3, 2 / 3])), [2.0, 5.0]
    )


@given(
    values=arrays(float, (30, 4), elements=unit_floats),
    quantiles=arrays(float, 4, elements=unit_floats),
)
def test_column_quantile_agrees_with_numpys_linear_quantile_in_every_column(values, quantiles):
    expected = [np.quantile(values[:, r], quantiles[r]) for r in range(4)]
    np.testing.assert_allclose(alliance.column_quantile(values, quantiles), expected, atol=1e-12)


def test_alliance_cohesion_is_one_when_all_agree_and_zero_for_two_equal_opposite_camps():
    agree = np.full((30, 1), 0.4)
    split = np.array([0.0, 1.0] * 15)[:, None]
    assert alliance.alliance_cohesion(agree)[0] == pytest.approx(1.0)
    assert alliance.alliance_cohesion(split)[0] == pytest.approx(0.0)


def test_alliance_cohesion_is_one_minus_twice_the_spread():
    willingness = np.array([[0.4], [0.6]])  # standard deviation 0.1
    assert alliance.alliance_cohesion(willingness)[0] == pytest.approx(0.8)


@given(
    willingness=arrays(float, (30, 1), elements=st.floats(0.2, 0.8)),
    stretch=st.floats(1.01, 1.6),
)
def test_alliance_cohesion_falls_when_members_willingness_spreads(willingness, stretch):
    mean = willingness.mean(axis=0)
    spread = np.clip(mean + stretch * (willingness - mean), 0.0, 1.0)
    before = alliance.alliance_cohesion(willingness)[0]
    after = alliance.alliance_cohesion(spread)[0]
    if willingness.std() > 1e-9:
        assert after < before
    else:
        assert after == pytest.approx(before)


def test_consensus_acts_at_the_low_quantile_without_cohesion_and_the_high_one_with_full():
    willingness = np.linspace(0.0, 1.0, 11)[:, None].repeat(2, axis=1)  # quantile q is q
    level = alliance.consensus_level(willingness, np.array([0.0, 1.0]), 0.1, 0.5)
    np.testing.assert_allclose(level, [0.1, 0.5])
    halfway = alliance.consensus_level(willingness[:, :1], np.array([0.5]), 0.1, 0.5)
    np.testing.assert_allclose(halfway, [0.3])


# -- ratchet ----------------------------------------------------------------------------------


def test_ratchet_rises_to_the_trigger_within_the_cap_and_never_steps_down():
    current = np.array([0.0, 0.0, 2.0, 1.0])
    triggered = np.array([2.0, 3.0, 0.0, 3.0])
    cap = np.array([3.0, 1.5, 3.0, 0.5])
    np.testing.assert_allclose(west.ratchet(current, triggered, cap), [2.0, 1.5, 2.0, 1.0])


def test_ratchet_on_hand_computed_cases_each_of_its_three_arms():
    # max(current, min(triggered, cap)): the trigger binds, the cap binds, the current
    # level binds (no step down), and a trigger below the current level changes nothing.
    current = np.array([0.5, 0.5, 1.5, 1.0, 0.0])
    triggered = np.array([1.0, 3.0, 2.0, 0.0, 0.0])
    cap = np.array([3.0, 2.25, 1.0, 3.0, 3.0])
    np.testing.assert_array_equal(west.ratchet(current, triggered, cap), [1.0, 2.25, 1.5, 1.0, 0.0])


# -- the response ladders and the mobilisation table, from the parameters -------------------


def test_the_ladders_trigger_the_documented_levels_at_each_rung():
    m = CrisisModel(replications=2)
    # rungs 0-4: diplomacy, build-up, military-technical, incursion, invasion
    np.testing.assert_array_equal(m.west.sanctions_threatened[:, 0], [0, 0, 0, 1, 3])
    np.testing.assert_array_equal(m.west.posture_threatened[:, 0], [0, 0, 1, 2, 2])
    np.testing.assert_array_equal(m.west.support_triggered[:, 0], [0, 0, 1, 2, 2])
    np.testing.assert_array_equal(m.nato.mobilisation[:, 0], [0, 0, 0.2, 1, 1.7])


def test_the_ladders_follow_their_parameters_world_by_world():
    values = {"west.posture_at_military_technical": 0.5, "alliance.mobilisation_at_invasion": 1.3}
    m = CrisisModel(
        with_values(Params(), values),
        replications=2,
        sampled={"west.support_at_incursion": np.array([1.0, 1.5])},
    )
    np.testing.assert_array_equal(m.west.posture_threatened[:, 1], [0, 0, 0.5, 2, 2])
    np.testing.assert_array_equal(m.west.support_triggered[3], [1.0, 1.5])
    np.testing.assert_array_equal(m.nato.mobilisation[:, 0], [0, 0, 0.2, 1, 1.3])


# -- the clash and incident hazards (MODEL.md 5.9) ------------------------------------------


def test_clash_hazard_on_hand_computed_cases():
    # west.clash_hazard x max(L - 2, 0) x P / 2 x (1 - west.channels_effect x g_risk_reduction)
    rung = np.array([3, 3, 4, 4, 3, 2, 1, 4])
    posture = np.array([2.0, 1.0, 1.0, 2.0, 0.5, 2.0, 2.0, 0.0])
    granted = np.array([0.0, 0.0, 0.0, 1.0, 0.5, 0.0, 0.0, 0.0])
    effect = np.array([0.5, 0.5, 0.5, 0.5, 0.9, 0.5, 0.5, 0.5])
    base = np.array([0.005, 0.005, 0.005, 0.01, 0.02, 0.005, 0.005, 0.005])
    channels = incidents.channels_factor(effect, granted)
    np.testing.assert_allclose(channels, [1.0, 1.0, 1.0, 0.5, 0.55, 1.0, 1.0, 1.0])
    hazard = incidents.clash_hazard(base, rung, posture, channels)
    expected = [
        0.005,  # rung 3, full posture: the base hazard
        0.0025,  # half the posture: half the hazard
        0.005,  # rung 4 doubles it, half the posture halves it
        0.01,  # 0.01 x 2 x 1 x 0.5: channels granted in full at effect 0.5
        0.00275,  # 0.02 x 1 x 0.25 x 0.55
        0.0,  # rung 2: no force, no clash
        0.0,  # rung 1
        0.0,  # no reinforcement on the Eastern Flank
    ]
    np.testing.assert_allclose(hazard, expected, rtol=1e-12, atol=0.0)


def test_the_model_draws_clashes_at_the_documented_hazard():
    # 4,000 worlds at the incursion rung with posture 1 of 2 and a base hazard of 0.4:
    # a clash in 0.4 x 1 x 1/2 = 20% of them (binomial standard error 0.0063).
    m = CrisisModel(with_values(Params(), {"west.clash_hazard": 0.4}), replications=4000)
    m.week = 1
    m.russia.rung = np.full(4000, 3)
    m.west.posture = np.full(4000, 1.0)
    share = incidents.clashes(m).mean()
    assert share == pytest.approx(0.2, abs=4 * 0.0063)


@pytest.mark.parametrize(("granted", "share"), [(0.0, 0.4), (1.0, 0.2)])
def test_the_model_draws_incidents_at_the_documented_hazard_and_leaves_the_rung(granted, share):
    # 4,000 worlds at the military-technical rung with a hazard of 0.4: an incident in 40%
    # of them, 20% once channels are granted in full at effect 0.5 (standard error <= 0.0078).
    values = {"west.incident_hazard": 0.4, "west.channels_effect": 0.5}
    m = CrisisModel(with_values(Params(), values), replications=4000)
    m.week = 1
    m.russia.rung = np.full(4000, 2)
    m.concessions.granted[Issue.RISK_REDUCTION] = granted
    incidents.incidents(m)
    occurred = m.nato.shock > 0
    assert occurred.mean() == pytest.approx(share, abs=4 * 0.0078)
    np.testing.assert_allclose(m.nato.shock[occurred], Params().alliance.incident_tension)
    np.testing.assert_array_equal(m.russia.rung, 2)


@pytest.mark.parametrize("rung", [0, 1, 4])
def test_no_incident_occurs_below_the_military_technical_rung_or_at_war(rung):
    m = CrisisModel(with_values(Params(), {"west.incident_hazard": 1.0}), replications=50)
    m.week = 1
    m.russia.rung = np.full(50, rung)
    incidents.incidents(m)
    np.testing.assert_array_equal(m.nato.shock, 0.0)


# -- bargaining, concessions, Ukraine, the wedge ------------------------------------------------


def _formed(us, nato, share, salience, **given):
    """Run the deal's kernel on (issues, R) offers; what it puts on the table and its values."""
    size = us.shape[1]
    issues = (len(Issue), size)
    inputs = {
        "own": np.zeros(issues),
        "granted": np.zeros(issues),
        "bypass": np.zeros(issues, dtype=bool),
        "ukraine_salience": np.ones((len(Issue), 1)),
        "threat_weight": np.array([0.0]),
        "rung": np.zeros(size, dtype=np.int64),
        "resistance": np.zeros(size),
        "exponent": np.array([1.0]),
        "conceded": np.zeros(issues),
        "active": np.ones(size, dtype=bool),
        "terms": np.zeros(issues),
        "consent": np.ones(size),
        "dispute": np.zeros(size),
    }
    inputs.update(given)
    utility, reciprocity = np.empty(size), np.empty(size)
    bargaining._form(
        us, nato, share, inputs["own"], inputs["granted"], inputs["bypass"],
        bargaining.UKRAINE_TERMS[:, 0], bargaining.RECIPROCAL_TERMS[:, 0],
        inputs["ukraine_salience"], inputs["threat_weight"], inputs["rung"],
        inputs["resistance"], salience, inputs["exponent"], bool(inputs["exponent"][0] == 1.0),
        inputs["conceded"], inputs["active"], inputs["terms"], inputs["consent"], utility,
        reciprocity, inputs["dispute"],
    )  # fmt: skip
    return inputs["terms"], inputs["consent"], utility, reciprocity, inputs["dispute"]


def test_the_deal_at_the_t0_offers_its_worth_reciprocity_and_dispute():
    us = np.array([0.0, 0.0, 0.0, 0.5, 0.5, 1.0])[:, None]
    nato = np.array([0.0, 0.0, 0.0, 0.5, 0.25, 1.0])[:, None]
    share = np.array([0.0, 0.3, 0.5, 1.0, 0.5, 0.5])[:, None]
    salience = np.array([1.0, 0.8, 0.7, 0.5, 0.4, 0.2])[:, None]
    conceded = np.array([0.0, 0.0, 0.0, 0.0, 0.6, 0.0])[:, None]
    terms, consent, utility, reciprocity, dispute = _formed(
        us, nato, share, salience, conceded=conceded
    )
    # NATO's offer plus the U.S. share of the gap: 0.25 + 0.5 x 0.25 on exercises
    np.testing.assert_allclose(terms[:, 0], [0, 0, 0, 0.5, 0.375, 1.0])
    np.testing.assert_array_equal(consent, [1.0])
    # 1 - (1 + 0.8 + 0.7 + 0.5 x 0.5 + 0.4 x 0.625 + 0) / 3.6 = 1 - 3 / 3.6
    np.testing.assert_allclose(utility, [1.0 / 6.0])
    # (0.5 x 0.5 + 0.4 x 0.375 + 0.2 x 1) / (0.5 + 0.4 + 0.2) = 0.6 / 1.1
    np.testing.assert_allclose(reciprocity, [0.6 / 1.1])
    # mean |A - N| = 0.25 / 6, plus the mean conceded 0.6 / 6
    np.testing.assert_allclose(dispute, [0.85 / 6])


def test_ukraine_consents_to_the_share_of_terms_about_it_the_threat_it_faces_is_worth():
    # A binding 'never' on enlargement offered in four worlds. Ukraine's salience 0.5
    # makes its cost 0.5 beyond Ukraine's own offer; the threat at rung 2 with resistance
    # 0.5 is 1 x 2 / 4 x 0.5 = 0.25, so Ukraine consents to half of it.
    size = 4
    us, nato = np.zeros((6, size)), np.zeros((6, size))
    us[0], nato[0] = 1.0, 1.0
    own, granted, bypass = np.zeros((6, size)), np.zeros((6, size)), np.zeros((6, size), bool)
    own[0, 1] = 0.4  # its own offer: excess 0.6, cost 0.3, share 0.25 / 0.3
    bypass[0, 2] = True  # a lever sets its consent aside
    granted[0, 3] = 0.7  # granted already: the table never goes below it
    ukraine_salience = np.array([0.5, 0.0, 0.5, 0.0, 0.0, 0.0])[:, None]
    terms, consent, *_ = _formed(
        us, nato, np.zeros((6, 1)), np.ones((6, 1)), own=own, granted=granted, bypass=bypass,
        ukraine_salience=ukraine_salience, threat_weight=np.array([1.0]),
        rung=np.full(size, 2, dtype=np.int64), resistance=np.full(size, 0.5),
    )  # fmt: skip
    np.testing.assert_allclose(terms[0], [0.5, 0.4 + 0.6 * 0.25 / 0.3, 1.0, 0.7])
    np.testing.assert_allclose(consent, [0.5, 0.25 / 0.3, 0.5, 0.5])
    np.testing.assert_array_equal(terms[1:], 0.0)


def test_a_world_no_longer_active_keeps_its_deal_and_dispute_and_its_worth_is_read_again():
    us = nato = np.full((6, 2), 0.5)
    last = np.full((6, 2), 0.2)
    terms, consent, utility, _, dispute = _formed(
        us, nato, np.zeros((6, 1)), np.ones((6, 1)), terms=last.copy(),
        consent=np.array([0.3, 0.3]), dispute=np.array([0.9, 0.9]),
        active=np.array([True, False]),
    )  # fmt: skip
    np.testing.assert_array_equal(terms[:, 1], 0.2)
    # No threat (weight 0): Ukraine consents to nothing about it beyond its own offer.
    np.testing.assert_array_equal(terms[:, 0], [0.0, 0.5, 0.0, 0.5, 0.5, 0.5])
    np.testing.assert_array_equal(consent, [0.0, 0.3])
    np.testing.assert_array_equal(dispute, [0.0, 0.9])
    # 1 - (1 + 0.5 + 1 + 3 x 0.5) / 6, and last week's terms valued again
    np.testing.assert_allclose(utility, [1.0 / 3.0, 0.2])


def test_aspiration_face_saving_and_appeasement_evidence_on_hand_computed_cases():
    revisionist = np.array([True, False])
    appeasement, offramp = concessions.reading_weights(revisionist, 0.25)
    np.testing.assert_array_equal(appeasement, [1.0, 0.25])
    np.testing.assert_array_equal(offramp, [0.25, 1.0])
    # max(1 + 0.3 x rev + (0.5 w_app - 0.5 w_off) x 0.2, 0)
    aspiration = concessions.aspiration(
        revisionist, 0.3, 0.5 * appeasement, 0.5 * offramp, np.array([0.2, 0.2])
    )
    np.testing.assert_allclose(aspiration, [1.3 + 0.075, 1.0 - 0.075])
    np.testing.assert_allclose(
        concessions.face_saving(0.5, offramp, np.array([0.6, 0.6])), [0.075, 0.3]
    )
    np.testing.assert_allclose(
        concessions.face_saving(1.0, offramp, np.array([1.0, 1.5])), [0.25, 1.0]
    )
    evidence = concessions.appeasement_evidence(0.5, appeasement, np.array([0.1, 0.1]), 4.0)
    np.testing.assert_allclose(evidence, [0.2, 0.05])


def test_ukraines_consent_share_is_one_until_the_terms_cost_more_than_the_threat():
    found = [ukraine.consent_share(cost, 0.1) for cost in (0.0, 0.1, 0.2, 0.4)]
    np.testing.assert_allclose(found, [1.0, 1.0, 0.5, 0.25])
    # threat weight x rung / 4 x (1 - resistance)
    assert ukraine.threat_faced(0.8, 3, 0.25) == pytest.approx(0.8 * 0.75 * 0.75)


def test_the_wedge_builds_a_quarter_of_the_way_and_collapses_by_half():
    wedge = np.array([0.0, 0.8, 0.8, 1.0])
    coercing = np.array([True, True, False, False])
    np.testing.assert_allclose(
        alliance.advanced_wedge(wedge, coercing, 0.25, 0.5), [0.25, 0.85, 0.4, 0.5]
    )


def test_offer_utility_on_hand_computed_cases():
    # -P(accept) x concession - (1 - P(accept)) x war_aversion x P(war)
    acceptance = np.array([0.5, 1.0, 0.0, 0.25])
    concession = np.array([0.2, 0.3, 0.3, 0.0])
    war_risk = np.array([0.4, 0.9, 0.5, 0.8])
    utility = west.offer_utility(acceptance, concession, war_risk, np.array([1.0, 1.0, 0.6, 2.0]))
    # -0.1 - 0.2; an accepted offer costs only its concession; a refused one only the war
    # risk, 0.6 x 0.5; nothing conceded: 0.75 x 2 x 0.8
    np.testing.assert_allclose(utility, [-0.3, -0.3, -0.3, -1.2])


@given(
    acceptance=st.floats(0.0, 1.0),
    concession=st.floats(0.0, 1.0),
    war_risk=st.floats(0.0, 1.0),
    aversion=st.floats(0.0, 10.0),
)
def test_offer_utility_falls_with_the_concession_the_war_risk_and_the_aversion_to_war(
    acceptance, concession, war_risk, aversion
):
    def u(a=acceptance, c=concession, r=war_risk, w=aversion):
        return west.offer_utility(np.array([a]), np.array([c]), np.array([r]), w)[0]

    assert u(c=min(1.0, concession + 0.1)) <= u()
    assert u(r=min(1.0, war_risk + 0.1)) <= u()
    assert u(w=aversion + 0.5) <= u()
    assert -1.0 - aversion <= u() <= 0.0


def test_logistic_is_a_half_at_zero_and_saturates_without_overflow():
    x = np.array([0.0, 2.0, -2.0, 1e6, -1e6])
    np.testing.assert_allclose(
        west.logistic(x), [0.5, 1 / (1 + math.exp(-2)), 1 / (1 + math.exp(2)), 1.0, 0.0]
    )
