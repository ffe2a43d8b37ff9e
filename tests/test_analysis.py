"""Statistics: paired comparisons on common random numbers, incidence and convergence."""

import numpy as np
import pandas as pd
import pytest

from crisis_sim.analysis import statistics as analysis
from crisis_sim.ensemble import runner as ensemble
from crisis_sim.model.domain import OUTCOMES

RUNS = 3000


@pytest.fixture(scope="module")
def runs():
    names = ("baseline", "us_exercise_limits", "missile_moratorium", "arms_control_package")
    return [ensemble.run(name, runs=RUNS, progress=False) for name in names]


def test_paired_difference_counts_only_the_discordant_worlds():
    reference = np.array([1, 1, 0, 0, 1, 0, 0, 0, 1, 0])
    scenario = np.array([1, 0, 1, 1, 1, 0, 0, 0, 1, 0])
    difference, low, high = analysis.paired_difference(reference, scenario)
    gained, lost, n = 2, 1, 10
    assert difference == pytest.approx((gained - lost) / n)
    half = 1.959963984540054 * np.sqrt(gained + lost - (gained - lost) ** 2 / n) / n
    assert (low, high) == pytest.approx((difference - half, difference + half))


def test_identical_runs_differ_by_exactly_zero_with_a_zero_width_interval():
    same = np.array([0, 1, 1, 0, 1])
    assert analysis.paired_difference(same, same) == (0.0, 0.0, 0.0)


def test_the_paired_interval_is_narrower_than_the_independent_one_on_the_bundled_scenarios(
    runs,
):
    table = analysis.compare(runs)
    paired = table["high"] - table["low"]
    independent = table["independent_high"] - table["independent_low"]
    moved = table["gained"] + table["lost"] > 0
    assert moved.any()
    assert (paired[moved] < independent[moved]).all()
    assert paired[moved].mean() < 0.6 * independent[moved].mean()


def test_a_comparison_has_one_row_per_scenario_and_outcome_against_the_reference(runs):
    table = analysis.compare(runs, reference="baseline")
    assert table.attrs == {"reference": "baseline", "runs": RUNS}
    assert len(table) == (len(runs) - 1) * len(OUTCOMES)
    assert set(table["scenario"]) == {r.scenario.name for r in runs[1:]}
    for row in table.itertuples():
        assert row.low <= row.difference <= row.high
        assert row.difference == pytest.approx(row.p_scenario - row.p_reference)
        assert row.difference == pytest.approx((row.gained - row.lost) / RUNS)
    text = analysis.format_comparison(table)
    assert "paired 95%" in text and "us_exercise_limits" in text


def test_results_of_different_seeds_cannot_be_paired(runs):
    other = ensemble.run("us_exercise_limits", runs=RUNS, seed=7, progress=False)
    with pytest.raises(ValueError, match="same seed and number of worlds"):
        analysis.compare([runs[0], other])
    with pytest.raises(ValueError, match="no scenario"):
        analysis.compare(runs, reference="nonsense")


def test_cumulative_incidence_ends_at_the_outcome_probabilities_and_never_falls(runs):
    incidence = analysis.cumulative_incidence(runs[0])
    table = runs[0].outcome_table()
    for outcome, part in incidence.groupby("outcome"):
        shares = part.sort_values("week")["share"].to_numpy()
        assert np.all(np.diff(shares) >= -1e-12)
        assert shares[-1] == pytest.approx(table.loc[outcome, "probability"])
        assert (part["low"] <= part["share"] + 1e-12).all()
        assert (part["share"] <= part["high"] + 1e-12).all()


def test_convergence_ends_at_the_full_estimate_and_its_interval_narrows(runs):
    curve = analysis.convergence(runs[0].worlds)
    table = runs[0].outcome_table()
    for outcome, part in curve.groupby("outcome"):
        part = part.sort_values("worlds")
        assert part["worlds"].iloc[-1] == RUNS
        assert part["probability"].iloc[-1] == pytest.approx(table.loc[outcome, "probability"])
        width = (part["high"] - part["low"]).to_numpy()
        assert width[-1] < width[0]


def test_convergence_follows_replication_order_whatever_the_row_order(runs):
    worlds = runs[0].worlds
    shuffled = worlds.sample(frac=1.0, random_state=3)
    pd.testing.assert_frame_equal(analysis.convergence(worlds), analysis.convergence(shuffled))
