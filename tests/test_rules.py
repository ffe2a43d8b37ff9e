"""The pure decision rules of crisis_sim.model.rules, each on inputs whose answer is known."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from crisis_sim.model import rules
from crisis_sim.model.domain import Action, Rung

unit_floats = st.floats(0.0, 1.0, allow_nan=False)


# -- issue_utility (KTAB at exponent 2, city-block at exponent 1) ----------------------------


@pytest.mark.parametrize("exponent", [1.0, 2.0, 3.0])
def test_issue_utility_is_one_at_the_ideal_and_zero_at_the_full_gap(exponent):
    salience = np.array([1.0, 0.8, 0.7, 0.5, 0.4, 0.2])
    assert rules.issue_utility(np.zeros(6), salience, exponent) == pytest.approx(1.0)
    assert rules.issue_utility(np.ones(6), salience, exponent) == pytest.approx(0.0)


def test_issue_utility_at_exponent_2_is_ktabs_salience_weighted_euclidean_distance():
    # d = sqrt(sum (s g)^2 / sum s^2)
    assert rules.issue_utility(np.array([1.0, 0.0]), np.array([1.0, 1.0]), 2.0) == pytest.approx(
        1.0 - math.sqrt(0.5)
    )
    assert rules.issue_utility(np.array([1.0, 0.0]), np.array([2.0, 1.0]), 2.0) == pytest.approx(
        1.0 - math.sqrt(4.0 / 5.0)
    )
    assert rules.issue_utility(np.array([0.5, 0.5]), np.array([1.0, 3.0]), 2.0) == pytest.approx(
        0.5
    )


def test_issue_utility_at_exponent_1_is_the_salience_weighted_city_block_distance():
    # d = sum s g / sum s
    assert rules.issue_utility(np.array([1.0, 0.0]), np.array([1.0, 1.0]), 1.0) == pytest.approx(
        0.5
    )
    assert rules.issue_utility(np.array([1.0, 0.5]), np.array([3.0, 1.0]), 1.0) == pytest.approx(
        1.0 - 3.5 / 4.0
    )


def test_issue_utility_at_exponent_1_makes_issues_separable():
    # A gain on one issue is worth the same whatever stands on the others.
    salience = np.array([1.0, 0.8, 0.4])
    gain = []
    for rest in (0.0, 0.5, 1.0):
        before = rules.issue_utility(np.array([1.0, rest, rest]), salience, 1.0)
        after = rules.issue_utility(np.array([0.5, rest, rest]), salience, 1.0)
        gain.append(after - before)
    np.testing.assert_allclose(gain, gain[0])


def test_issue_utility_ignores_issues_of_no_salience():
    value = rules.issue_utility(np.array([0.3, 1.0]), np.array([1.0, 0.0]), 2.0)
    assert value == pytest.approx(0.7)


def test_issue_utility_is_computed_per_world_on_the_last_axis():
    gap = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5]])
    salience = np.array([[1.0], [1.0]])
    expected = [1.0 - math.sqrt(0.5), 1.0 - math.sqrt(0.5), 0.5]
    np.testing.assert_allclose(rules.issue_utility(gap, salience, 2.0), expected)
    np.testing.assert_allclose(
        rules.issue_utility(gap, salience, np.array([1.0, 2.0, 1.0])),
        [0.5, 1.0 - math.sqrt(0.5), 0.5],
    )


@given(
    gap=arrays(float, 6, elements=unit_floats),
    salience=arrays(float, 6, elements=st.floats(0.01, 1.0)),
    exponent=st.floats(1.0, 4.0),
)
def test_issue_utility_stays_in_zero_one_and_falls_as_any_gap_widens(gap, salience, exponent):
    utility = rules.issue_utility(gap, salience, exponent)
    assert 0.0 - 1e-12 <= utility <= 1.0 + 1e-12
    wider = gap.copy()
    wider[0] = min(1.0, gap[0] + 0.5)
    assert rules.issue_utility(wider, salience, exponent) <= utility + 1e-12


# -- cost_sensitivity and expected_level -------------------------------------------------


def test_cost_sensitivity_runs_from_one_for_no_resolve_to_point_four_for_full_resolve():
    assert rules.cost_sensitivity(0.0) == pytest.approx(1.0)
    assert rules.cost_sensitivity(0.5) == pytest.approx(0.7)
    assert rules.cost_sensitivity(1.0) == pytest.approx(0.4)


def test_expected_level_adds_the_believed_share_of_the_threatened_rise():
    now = np.array([1.0, 0.0, 2.0])
    threatened = np.array([3.0, 2.0, 2.0])
    belief = np.array([0.5, 0.25, 0.9])
    np.testing.assert_allclose(rules.expected_level(now, threatened, belief), [2.0, 0.5, 2.0])


def test_expected_level_never_falls_below_what_is_in_force():
    assert rules.expected_level(np.array([3.0]), np.array([1.0]), np.array([1.0])) == 3.0


# -- ladder_plan_values ----------------------------------------------------------------------


def test_ladder_plan_values_take_the_best_plan_up_the_ladder_net_of_thresholds():
    values = np.array([-np.inf, 0.0, 0.1, 0.5, 0.2])[:, None]
    plans = rules.ladder_plan_values(values, 0.1)
    # C4 = 0.2; C3 = max(0.5, 0.1); C2 = max(0.1, 0.4); C1 = max(0, 0.3); C0 = max(-inf, 0.2)
    np.testing.assert_allclose(plans[:, 0], [0.2, 0.3, 0.4, 0.5, 0.2])


def test_ladder_plan_values_stand_where_climbing_does_not_pay():
    values = np.array([-np.inf, 0.4, 0.3, 0.2, 0.1])[:, None]
    plans = rules.ladder_plan_values(values, 0.0)
    np.testing.assert_allclose(plans[1:, 0], [0.4, 0.3, 0.2, 0.1])


def test_ladder_plan_values_work_per_world_with_a_threshold_per_world():
    values = np.array(
        [[-np.inf, -np.inf], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [1.0, 1.0]], dtype=float
    )
    plans = rules.ladder_plan_values(values, np.array([0.1, 0.5]))
    np.testing.assert_allclose(plans[1:, 0], [0.7, 0.8, 0.9, 1.0])
    np.testing.assert_allclose(plans[1:, 1], [0.0, 0.0, 0.5, 1.0])


def test_ladder_plan_values_leave_their_input_unchanged():
    values = np.array([-np.inf, 0.0, 0.1, 0.5, 0.2])[:, None]
    before = values.copy()
    rules.ladder_plan_values(values, 0.1)
    np.testing.assert_array_equal(values, before)


@given(
    values=arrays(float, (5, 3), elements=st.floats(-2.0, 2.0)),
    threshold=st.floats(0.0, 0.5),
)
def test_ladder_plan_value_is_at_least_the_rung_value_and_the_next_plan_less_threshold(
    values, threshold
):
    plans = rules.ladder_plan_values(values, threshold)
    assert np.all(plans >= values)
    assert np.all(plans[:-1] >= plans[1:] - threshold - 1e-12)
    np.testing.assert_array_equal(plans[-1], values[-1])


# -- logit_choice_probabilities and draw_choice ---------------------------------------------


def test_logit_choice_with_infinite_precision_is_the_best_reply():
    utilities = np.array([[0.1, 0.9], [0.5, 0.2], [0.3, 0.1], [0.0, 0.0]])
    available = np.ones_like(utilities, dtype=bool)
    probabilities = rules.logit_choice_probabilities(utilities, available, np.inf)
    np.testing.assert_array_equal(probabilities[:, 0], [0.0, 1.0, 0.0, 0.0])
    np.testing.assert_array_equal(probabilities[:, 1], [1.0, 0.0, 0.0, 0.0])


def test_logit_choice_with_infinite_precision_splits_ties_evenly():
    utilities = np.array([[0.5], [0.5], [0.1]])
    available = np.ones_like(utilities, dtype=bool)
    probabilities = rules.logit_choice_probabilities(utilities, available, np.inf)
    np.testing.assert_allclose(probabilities[:, 0], [0.5, 0.5, 0.0])


@pytest.mark.parametrize("precision", [0.0, 1.0, 80.0, 1e9, np.inf])
def test_logit_choice_never_picks_an_unavailable_action_however_good(precision):
    utilities = np.array([[5.0], [0.1], [0.0]])
    available = np.array([[False], [True], [True]])
    probabilities = rules.logit_choice_probabilities(utilities, available, precision)
    assert probabilities[0, 0] == 0.0
    assert probabilities[:, 0].sum() == pytest.approx(1.0)


def test_logit_choice_with_zero_precision_is_uniform_over_the_available_actions():
    utilities = np.array([[1.0], [0.0], [-1.0], [3.0]])
    available = np.array([[True], [True], [True], [False]])
    probabilities = rules.logit_choice_probabilities(utilities, available, 0.0)
    np.testing.assert_allclose(probabilities[:, 0], [1 / 3, 1 / 3, 1 / 3, 0.0])


def test_logit_choice_odds_are_the_exponential_of_precision_times_the_utility_gap():
    utilities = np.array([[0.3], [0.1]])
    available = np.ones_like(utilities, dtype=bool)
    probabilities = rules.logit_choice_probabilities(utilities, available, 10.0)
    assert probabilities[0, 0] / probabilities[1, 0] == pytest.approx(math.exp(10.0 * 0.2))


def test_logit_choice_with_a_huge_finite_precision_is_the_best_reply():
    # The model's no-noise setting is russia.choice_precision = 1e9, its upper bound.
    utilities = np.array([[0.30], [0.31], [0.29], [-np.inf]])
    available = np.array([[True], [True], [True], [False]])
    probabilities = rules.logit_choice_probabilities(utilities, available, 1e9)
    np.testing.assert_array_equal(probabilities[:, 0], [0.0, 1.0, 0.0, 0.0])


def test_logit_choice_applies_each_worlds_own_precision():
    # The docstring: precision is a scalar or (R,), and np.inf gives the best reply.
    # World 0 plays its best reply; world 1, with precision 0, is indifferent.
    utilities = np.array([[1.0, 1.0], [0.0, 0.0]])
    available = np.ones_like(utilities, dtype=bool)
    probabilities = rules.logit_choice_probabilities(utilities, available, np.array([np.inf, 0.0]))
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
    probabilities = rules.logit_choice_probabilities(utilities, available, precision)
    assert np.all(np.isfinite(probabilities))
    assert np.all(probabilities[~available] == 0.0)
    np.testing.assert_allclose(probabilities.sum(axis=0), 1.0)


def test_draw_choice_picks_the_first_action_whose_cumulative_share_exceeds_the_uniform():
    probabilities = np.array([[0.2], [0.3], [0.5]]).repeat(5, axis=1)
    uniforms = np.array([0.0, 0.19, 0.2, 0.49, 0.999])
    np.testing.assert_array_equal(rules.draw_choice(probabilities, uniforms), [0, 0, 1, 1, 2])


def test_draw_choice_follows_each_worlds_own_probabilities():
    probabilities = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    chosen = rules.draw_choice(probabilities, np.array([0.7, 0.7, 0.7]))
    np.testing.assert_array_equal(chosen, [0, 1, 2])


@given(
    probabilities=arrays(float, (4, 6), elements=st.floats(0.0, 1.0)),
    uniform=arrays(float, 6, elements=st.floats(0.0, 1.0, exclude_max=True)),
)
def test_draw_choice_never_draws_an_action_of_zero_probability(probabilities, uniform):
    probabilities[1] += 0.01  # at least one action possible in every world
    probabilities = probabilities / probabilities.sum(axis=0)
    chosen = rules.draw_choice(probabilities, uniform)
    assert np.all(probabilities[chosen, np.arange(6)] > 0.0)


def test_draw_choice_frequencies_match_the_probabilities():
    probabilities = np.array([[0.1], [0.6], [0.3]]).repeat(100_000, axis=1)
    uniform = np.random.default_rng(1).random(100_000)
    counts = np.bincount(rules.draw_choice(probabilities, uniform), minlength=3) / 100_000
    # Binomial standard error is at most 0.0016 here; 4 standard errors.
    np.testing.assert_allclose(counts, [0.1, 0.6, 0.3], atol=4 * 0.0016)


# -- beliefs ------------------------------------------------------------------------------


def test_beta_mean_is_successes_over_all_observations():
    np.testing.assert_allclose(
        rules.beta_mean(np.array([3.0, 1.0, 2.0]), np.array([1.0, 1.0, 6.0])), [0.75, 0.5, 0.25]
    )


def test_bayes_type_update_on_hand_computed_cases():
    prior = np.array([0.5, 0.2, 0.9])
    if_type = np.array([0.8, 0.6, 0.1])
    otherwise = np.array([0.2, 0.3, 0.1])
    np.testing.assert_allclose(
        rules.bayes_type_update(prior, if_type, otherwise), [0.8, 0.12 / 0.36, 0.9]
    )


def test_bayes_type_update_keeps_the_prior_when_the_action_was_impossible_under_both_types():
    assert rules.bayes_type_update(np.array([0.3]), np.array([0.0]), np.array([0.0]))[0] == 0.3


def test_bayes_type_update_is_certain_when_only_one_type_could_have_acted():
    np.testing.assert_allclose(
        rules.bayes_type_update(np.array([0.3, 0.3]), np.array([0.5, 0.0]), np.array([0.0, 0.5])),
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
    posterior = rules.bayes_type_update(
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
    np.testing.assert_allclose(rules.column_quantile(values, np.array([0.5, 0.0])), [2.5, 1.0])
    np.testing.assert_allclose(rules.column_quantile(values, np.array([1.0, 1.0])), [4.0, 9.0])
    np.testing.assert_allclose(rules.column_quantile(values, np.array([1 / 3, 2 / 3])), [2.0, 5.0])


@given(
    values=arrays(float, (30, 4), elements=unit_floats),
    quantiles=arrays(float, 4, elements=unit_floats),
)
def test_column_quantile_agrees_with_numpys_linear_quantile_in_every_column(values, quantiles):
    expected = [np.quantile(values[:, r], quantiles[r]) for r in range(4)]
    np.testing.assert_allclose(rules.column_quantile(values, quantiles), expected, atol=1e-12)


def test_alliance_cohesion_is_one_when_all_agree_and_zero_for_two_equal_opposite_camps():
    agree = np.full((30, 1), 0.4)
    split = np.array([0.0, 1.0] * 15)[:, None]
    assert rules.alliance_cohesion(agree)[0] == pytest.approx(1.0)
    assert rules.alliance_cohesion(split)[0] == pytest.approx(0.0)


def test_alliance_cohesion_is_one_minus_twice_the_spread():
    willingness = np.array([[0.4], [0.6]])  # standard deviation 0.1
    assert rules.alliance_cohesion(willingness)[0] == pytest.approx(0.8)


@given(
    willingness=arrays(float, (30, 1), elements=st.floats(0.2, 0.8)),
    stretch=st.floats(1.01, 1.6),
)
def test_alliance_cohesion_falls_when_members_willingness_spreads(willingness, stretch):
    mean = willingness.mean(axis=0)
    spread = np.clip(mean + stretch * (willingness - mean), 0.0, 1.0)
    before = rules.alliance_cohesion(willingness)[0]
    after = rules.alliance_cohesion(spread)[0]
    if willingness.std() > 1e-9:
        assert after < before
    else:
        assert after == pytest.approx(before)


def test_consensus_acts_at_the_low_quantile_without_cohesion_and_the_high_one_with_full():
    willingness = np.linspace(0.0, 1.0, 11)[:, None].repeat(2, axis=1)  # quantile q is q
    level = rules.consensus_level(willingness, np.array([0.0, 1.0]), 0.1, 0.5)
    np.testing.assert_allclose(level, [0.1, 0.5])
    halfway = rules.consensus_level(willingness[:, :1], np.array([0.5]), 0.1, 0.5)
    np.testing.assert_allclose(halfway, [0.3])


# -- ratchet ----------------------------------------------------------------------------------


def test_ratchet_rises_to_the_trigger_within_the_cap_and_never_steps_down():
    current = np.array([0.0, 0.0, 2.0, 1.0])
    triggered = np.array([2.0, 3.0, 0.0, 3.0])
    cap = np.array([3.0, 1.5, 3.0, 0.5])
    np.testing.assert_allclose(rules.ratchet(current, triggered, cap), [2.0, 1.5, 2.0, 1.0])


@given(
    current=arrays(float, 5, elements=st.floats(0.0, 3.0)),
    triggered=arrays(float, 5, elements=st.floats(0.0, 3.0)),
    cap=arrays(float, 5, elements=st.floats(0.0, 3.0)),
)
def test_ratchet_never_steps_down_nor_rises_past_the_cap_or_trigger(current, triggered, cap):
    after = rules.ratchet(current, triggered, cap)
    assert np.all(after >= current)
    assert np.all(after <= np.maximum(current, np.minimum(triggered, cap)))


# -- the ladders' constants ------------------------------------------------------------------


def test_response_ladders_rise_with_the_rung_and_start_above_build_up():
    for ladder in (rules.POSTURE_THREATENED, rules.SUPPORT_TRIGGERED, rules.MOBILISATION_BY_RUNG):
        assert len(ladder) == len(Rung)
        assert np.all(np.diff(ladder) >= 0)
        assert ladder[Rung.BUILD_UP] == 0.0
        assert ladder[Rung.LIMITED_INCURSION] > 0.0
    assert rules.ACTIONS == len(Action)
