"""Chance and judgement: parameter sets, the two intervals, sign agreement and transitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crisis_sim.ensemble.intervals import (
    MIN_SETS,
    chance_interval,
    judgement_spread,
    sign_agreement,
    transition_table,
)
from crisis_sim.ensemble.results import wilson_interval
from crisis_sim.model.crisis import CrisisModel
from crisis_sim.model.sampling import parameter_levels, posterior_rows
from crisis_sim.scenario.files import load_scenario

SETS, SIZE = 400, 50


def _clustered(probabilities: np.ndarray, size: int, rng: np.random.Generator) -> tuple:
    """Worlds in sets of ``size``: set j's worlds hit with probability ``probabilities[j]``."""
    sets = np.repeat(np.arange(len(probabilities)), size)
    hit = rng.random(sets.size) < probabilities[sets]
    return hit, sets


def test_the_judgement_band_recovers_the_spread_of_known_probabilities_across_sets() -> None:
    rng = np.random.default_rng(1)
    truth = stats.beta(2, 5)
    hit, sets = _clustered(truth.rvs(SETS, random_state=rng), SIZE, rng)
    spread = judgement_spread(hit, sets)
    low, high = truth.ppf([0.05, 0.95])
    assert spread.detected
    assert spread.low == pytest.approx(low, abs=0.03)
    assert spread.high == pytest.approx(high, abs=0.04)
    # The sets' observed shares carry binomial noise too: their band is wider.
    assert spread.observed_high - spread.observed_low > spread.high - spread.low


def test_without_judgement_the_band_collapses_while_the_observed_shares_still_spread() -> None:
    rng = np.random.default_rng(2)
    hit, sets = _clustered(np.full(SETS, 0.3), SIZE, rng)
    spread = judgement_spread(hit, sets)
    assert spread.high - spread.low < 0.06
    assert spread.observed_high - spread.observed_low > 0.15
    assert not spread.detected


def test_a_band_needs_enough_sets_and_a_scenario_that_draws_judgement() -> None:
    rng = np.random.default_rng(3)
    hit, sets = _clustered(np.full(MIN_SETS - 1, 0.3), SIZE, rng)
    assert not judgement_spread(hit, sets).available
    assert "draws no judgement" in judgement_spread(hit, None).reason
    assert np.isnan(judgement_spread(hit, None).low)


def test_the_chance_interval_keeps_its_coverage_where_wilson_over_worlds_does_not() -> None:
    rng = np.random.default_rng(4)
    truth = stats.beta(2, 5)
    covered = naive = 0
    trials = 300
    for _ in range(trials):
        hit, sets = _clustered(truth.rvs(100, random_state=rng), SIZE, rng)
        low, high = chance_interval(hit, sets)
        covered += low <= truth.mean() <= high
        wlow, whigh = wilson_interval(int(hit.sum()), hit.size)
        naive += wlow <= truth.mean() <= whigh
    assert covered / trials >= 0.9
    assert naive / trials < 0.8


def test_without_sets_the_chance_interval_is_wilsons() -> None:
    hit = np.arange(1000) % 7 == 0
    assert chance_interval(hit) == pytest.approx(
        tuple(float(v) for v in wilson_interval(int(hit.sum()), 1000))
    )


def test_sign_agreement_recovers_the_share_of_sets_with_the_overall_effects_sign() -> None:
    rng = np.random.default_rng(5)
    effects = rng.normal(0.05, 0.05, SETS).clip(-0.3, 0.3)
    sets = np.repeat(np.arange(SETS), SIZE)
    u = rng.random(sets.size)
    reference = u < 0.4
    scenario = u < 0.4 + effects[sets]
    found = sign_agreement(reference, scenario, sets)
    assert found.same_sign == pytest.approx(stats.norm.cdf(1.0), abs=0.07)
    assert found.low == pytest.approx(0.05 - 1.645 * 0.05, abs=0.03)
    assert found.high == pytest.approx(0.05 + 1.645 * 0.05, abs=0.03)
    assert found.raised + found.lowered + found.unchanged == SETS


def test_an_effect_the_same_in_every_set_has_the_same_sign_in_all_of_them() -> None:
    rng = np.random.default_rng(6)
    sets = np.repeat(np.arange(SETS), SIZE)
    u = rng.random(sets.size)
    found = sign_agreement(u < 0.3, u < 0.33, sets)
    assert found.same_sign > 0.95
    # Yet in many sets the observed effect is zero or negative: noise, not judgement.
    assert found.raised < SETS


def test_the_transition_table_counts_where_each_world_goes() -> None:
    reference = np.array(["standoff", "standoff", "full_invasion", "de_escalation"])
    scenario = np.array(["de_escalation", "standoff", "standoff", "de_escalation"])
    table = transition_table(reference, scenario)
    assert table.loc["standoff", "de_escalation"] == 1
    assert table.loc["standoff", "standoff"] == 1
    assert table.loc["full_invasion", "standoff"] == 1
    assert table.to_numpy().sum() == 4
    assert list(table.index) == list(table.columns)


def test_worlds_of_a_set_share_their_parameters_and_sets_do_not_depend_on_chunks() -> None:
    paths = ["russia.resolve", "west.sanction_credibility"]
    whole = parameter_levels(paths, "monte_carlo", seed=9, first=0, count=300, worlds_per_set=50)
    part = parameter_levels(paths, "monte_carlo", seed=9, first=73, count=100, worlds_per_set=50)
    for path in paths:
        assert np.array_equal(whole[path][73:173], part[path])
        assert len(np.unique(whole[path])) == 6
        assert np.all(whole[path][:50] == whole[path][0])
    hypercube = parameter_levels(
        paths, "latin_hypercube", seed=9, first=0, count=300, worlds_per_set=50
    )
    assert len(np.unique(hypercube[paths[0]])) == 6


def test_posterior_rows_follow_the_weights() -> None:
    rows = posterior_rows(np.array([0.0, 1.0, 0.0]), seed=1, first=0, count=500)
    assert np.all(rows == 1)
    rows = posterior_rows(np.array([0.2, 0.8]), seed=1, first=0, count=20_000)
    assert np.mean(rows == 1) == pytest.approx(0.8, abs=0.02)
    grouped = posterior_rows(np.array([0.5, 0.5]), seed=1, first=0, count=100, worlds_per_set=25)
    assert len(np.unique(grouped.reshape(4, 25), axis=1)) == 4


def test_a_run_reports_both_intervals_and_a_scenario_without_judgement_none() -> None:
    from crisis_sim.ensemble import runner

    scenario = load_scenario("baseline")
    results = runner.run(scenario, runs=1000, seed=3)
    table = results.outcome_table()
    assert table["judgement_sets"].iloc[0] == 1000 // scenario.run.worlds_per_set
    assert (table["judgement_high"] >= table["judgement_low"]).all()
    invasion = table.loc["full_invasion"]
    # Across the judgement ranges the probability varies far more than chance allows.
    assert (
        invasion["judgement_high"] - invasion["judgement_low"] > invasion["high"] - invasion["low"]
    )
    plain = scenario.model_copy(update={"uncertain": [], "posterior": None})
    fixed = runner.run(plain, runs=200, seed=3).outcome_table()
    assert fixed["judgement_low"].isna().all()
    assert "draws no judgement" in fixed.attrs["judgement"]


def test_the_model_records_parameter_sets_and_the_week_forces_cross() -> None:
    scenario = load_scenario("baseline")
    model = CrisisModel.from_scenario(scenario, replications=120, seed=1, first_replication=30)
    table = model.run().outcomes()
    assert np.array_equal(table["parameter_set"], (np.arange(30, 150)) // 50)
    crossed = table["crossing_week"].to_numpy()
    invaded = (table["outcome"] == "full_invasion").to_numpy()
    assert np.all(crossed[invaded] >= 0)
    assert np.all(crossed[invaded] <= table["week"].to_numpy()[invaded])


def test_an_effect_with_no_spread_beyond_noise_is_marked_as_such() -> None:
    rng = np.random.default_rng(7)
    sets = np.repeat(np.arange(SETS), SIZE)
    u = rng.random(sets.size)
    found = sign_agreement(u < 0.3, u < 0.31, sets)
    assert not found.detected
    spread = rng.normal(0.0, 0.1, SETS).clip(-0.25, 0.25)
    varied = sign_agreement(u < 0.3, u < 0.3 + spread[sets], sets)
    assert varied.detected and 0.3 < varied.same_sign < 0.7


def test_cumulative_incidence_gives_each_week_the_intervals_of_that_weeks_worlds() -> None:
    from crisis_sim.ensemble.results import EVENT_OUTCOMES, cumulative_incidence

    rng = np.random.default_rng(8)
    worlds = pd.DataFrame(
        {
            "outcome": rng.choice(["de_escalation", "standoff", "full_invasion"], 3000),
            "week": rng.integers(0, 11, 3000),
        }
    )
    sets = np.arange(3000) // 25
    table = cumulative_incidence(worlds, 10, "2022-01-13", sets)
    for key in (o.key for o in EVENT_OUTCOMES):
        for week in (0, 4, 10):
            hit = ((worlds["outcome"] == key) & (worlds["week"] <= week)).to_numpy()
            low, high = chance_interval(hit, sets)
            spread = judgement_spread(hit, sets)
            row = table.loc[week]
            assert (row[f"{key}_low"], row[f"{key}_high"]) == pytest.approx((low, high))
            assert row[f"{key}_judgement_low"] == pytest.approx(spread.low, nan_ok=True)
            assert row[f"{key}_judgement_high"] == pytest.approx(spread.high, nan_ok=True)
