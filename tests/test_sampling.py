"""Sampling designs: Latin hypercube strata, chunk independence, common random numbers.

Both designs fix world k's probability levels by (seed, k) alone, and Monte Carlo
levels by the parameter's path too, whatever else is declared. The Latin hypercube
is stratified within every full block of ``LHS_BLOCK`` worlds; Monte Carlo gives a
parameter the same level in every scenario run with the same seed.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from crisis_sim.ensemble import runner as ensemble
from crisis_sim.model.params import parameter_paths
from crisis_sim.model.sampling import LHS_BLOCK, SAMPLINGS, parameter_levels
from crisis_sim.model.streams import path_key, path_levels
from crisis_sim.scenario.files import load_scenario, scenario_from_dict
from crisis_sim.scenario.schema import Scenario

SEED = 20220113
BASELINE = load_scenario("baseline").with_posterior_as_ranges()
PATHS = [dist.param for dist in BASELINE.uncertain]


def levels(method: str, first: int, count: int, paths=PATHS, seed: int = SEED):
    """The levels of ``paths`` for worlds ``first .. first + count - 1``."""
    return parameter_levels(paths, method, seed=seed, first=first, count=count)


def with_uncertain(indices: list[int], **run) -> Scenario:
    """The baseline with only the uncertain parameters at ``indices``, in that order."""
    data = BASELINE.model_dump(mode="json")
    data["uncertain"] = [data["uncertain"][i] for i in indices]
    data["run"] = {**data["run"], **run}
    return scenario_from_dict(data, name="variant")


def test_the_baseline_has_its_twelve_judgement_parameters():
    assert PATHS == [
        "russia.revisionist_prior",
        "russia.resolve",
        "russia.war_cost",
        "russia.resistance_underestimate",
        "west.sanction_credibility",
        "ukraine.resistance",
        "russia.buildup_start",
        "russia.buildup_weeks",
        "russia.wedge_strength",
        "concessions.appeasement_strength",
        "concessions.offramp_strength",
        "alliance.solidarity",
    ]
    assert load_scenario("baseline").judgement_paths() == PATHS


@pytest.mark.parametrize("block", [0, 1, 7])
def test_latin_hypercube_levels_are_stratified_in_every_full_block(block):
    drawn = levels("latin_hypercube", block * LHS_BLOCK, LHS_BLOCK)
    assert set(drawn) == set(PATHS)
    for path, values in drawn.items():
        assert values.shape == (LHS_BLOCK,)
        assert ((values >= 0) & (values < 1)).all(), path
        bins = np.floor(values * LHS_BLOCK).astype(int)
        np.testing.assert_array_equal(np.sort(bins), np.arange(LHS_BLOCK), err_msg=path)


def assert_independent_blocks(a: np.ndarray, b: np.ndarray) -> None:
    """Two blocks of levels are unrelated stratifications, not one shifted or copied.

    Independent random permutations of the strata put world k in the same stratum in
    about one of the block's worlds, and their levels are uncorrelated (standard error
    of the correlation 1/sqrt(LHS_BLOCK), 0.03).
    """
    same_stratum = np.floor(a * LHS_BLOCK) == np.floor(b * LHS_BLOCK)
    assert same_stratum.sum() <= 10, f"{same_stratum.sum()} worlds share their stratum"
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.15


def test_latin_hypercube_blocks_differ_from_each_other_and_between_seeds():
    first, second = levels("latin_hypercube", 0, 2 * LHS_BLOCK)[PATHS[0]].reshape(2, LHS_BLOCK)
    assert_independent_blocks(first, second)
    other_seed = levels("latin_hypercube", 0, LHS_BLOCK, seed=SEED + 1)[PATHS[0]]
    assert_independent_blocks(first, other_seed)


@pytest.mark.parametrize(
    "cuts",
    [
        [0, 1, 500, 1_024, 1_025, 3_000, 3_300],
        [0, 700, 2_100, 3_300],
        [0, 3_300],
    ],
)
def test_latin_hypercube_levels_of_world_k_do_not_depend_on_its_chunk(cuts):
    whole = levels("latin_hypercube", 0, 3_300)
    pieces = [levels("latin_hypercube", a, b - a) for a, b in itertools.pairwise(cuts)]
    for path in PATHS:
        np.testing.assert_array_equal(
            np.concatenate([piece[path] for piece in pieces]), whole[path], err_msg=path
        )


@pytest.mark.parametrize("k", [0, 1_023, 1_024, 2_999])
def test_latin_hypercube_world_k_alone_has_the_levels_it_has_in_a_block(k):
    whole = levels("latin_hypercube", 0, 3_000)
    alone = levels("latin_hypercube", k, 1)
    for path in PATHS:
        assert alone[path][0] == whole[path][k]


def test_latin_hypercube_worlds_do_not_depend_on_the_ensemble_chunk_size():
    runs = {
        chunk_size: ensemble.run(
            BASELINE,
            runs=2_500,
            sampling="latin_hypercube",
            chunk_size=chunk_size,
            progress=False,
        ).worlds
        for chunk_size in (700, 1_024, 2_500)
    }
    pd.testing.assert_frame_equal(runs[700], runs[2_500], check_exact=True)
    pd.testing.assert_frame_equal(runs[1_024], runs[2_500], check_exact=True)


def test_monte_carlo_levels_of_world_k_do_not_depend_on_its_chunk():
    whole = levels("monte_carlo", 0, 2_000)
    piece = levels("monte_carlo", 1_500, 500)
    for path in PATHS:
        np.testing.assert_array_equal(piece[path], whole[path][1_500:], err_msg=path)


def test_monte_carlo_levels_are_the_same_whatever_the_other_uncertain_parameters():
    everything = levels("monte_carlo", 0, 1_000)
    few = levels("monte_carlo", 0, 1_000, paths=[PATHS[3], PATHS[0]])
    for path in (PATHS[0], PATHS[3]):
        np.testing.assert_array_equal(few[path], everything[path], err_msg=path)


def test_monte_carlo_gives_common_random_numbers_to_scenarios_with_different_uncertainty():
    subset = [4, 0, 2]
    variant = with_uncertain(subset)
    assert {d.param for d in variant.uncertain} < set(PATHS)
    full = ensemble.run(BASELINE, runs=1_000, sampling="monte_carlo", progress=False).worlds
    part = ensemble.run(variant, runs=1_000, sampling="monte_carlo", progress=False).worlds
    for index in subset:
        path = PATHS[index]
        pd.testing.assert_series_equal(part[path], full[path], check_exact=True)
    for index in set(range(len(PATHS))) - set(subset):
        assert PATHS[index] not in part.columns


def test_an_unknown_sampling_method_is_a_value_error():
    with pytest.raises(ValueError, match="unknown sampling 'sobol'"):
        levels("sobol", 0, 10)
    with pytest.raises(ValueError, match="unknown sampling 'sobol'"):
        levels("sobol", 0, 10, paths=[])
    with pytest.raises(ValueError, match="unknown sampling 'sobol'"):
        ensemble.run(BASELINE, runs=10, sampling="sobol", progress=False)


@pytest.mark.parametrize("method", SAMPLINGS)
def test_an_unknown_parameter_path_is_a_value_error_naming_it(method):
    assert "russia.mood" not in parameter_paths()
    with pytest.raises(ValueError, match=r"russia\.mood"):
        levels(method, 0, 10, paths=[PATHS[0], "russia.mood"])


def test_the_scenario_sampling_latin_hypercube_is_honoured_by_ensemble_run():
    latin = with_uncertain(list(range(len(PATHS))), sampling="latin_hypercube")
    assert latin.run.sampling == "latin_hypercube"
    runs = LHS_BLOCK + 200
    results = ensemble.run(latin, runs=runs, chunk_size=500, progress=False)
    assert results.info["sampling"] == "latin_hypercube"

    expected = parameter_levels(
        PATHS,
        "latin_hypercube",
        seed=latin.run.seed,
        first=0,
        count=runs,
        worlds_per_set=latin.run.worlds_per_set,
    )
    for dist in latin.uncertain:
        np.testing.assert_array_equal(
            results.worlds[dist.param].to_numpy(),
            dist.quantile(expected[dist.param]),
            err_msg=dist.param,
        )
    asked = ensemble.run(BASELINE, runs=runs, sampling="latin_hypercube", progress=False)
    pd.testing.assert_frame_equal(results.worlds, asked.worlds, check_exact=True)

    monte_carlo = ensemble.run(latin, runs=runs, sampling="monte_carlo", progress=False)
    assert monte_carlo.info["sampling"] == "monte_carlo"
    baseline = ensemble.run(BASELINE, runs=runs, progress=False)
    pd.testing.assert_frame_equal(monte_carlo.worlds, baseline.worlds, check_exact=True)
    # The two designs draw every world's level of a continuous parameter apart.
    differs = monte_carlo.worlds[PATHS[0]].to_numpy() != results.worlds[PATHS[0]].to_numpy()
    assert differs.mean() > 0.99


def test_a_parameters_levels_are_keyed_by_its_path_alone():
    # The level of a path in world k does not depend on which other parameters are
    # uncertain, on their order, or on how the worlds are chunked.
    alone = levels("monte_carlo", 0, 1_000, paths=["russia.resolve"])["russia.resolve"]
    among = levels("monte_carlo", 0, 1_000, paths=PATHS[::-1])["russia.resolve"]
    chunked = np.concatenate(
        [path_levels(SEED, "russia.resolve", first, 7) for first in range(0, 1_001, 7)]
    )[:1_000]
    np.testing.assert_array_equal(alone, among)
    np.testing.assert_array_equal(alone, chunked)
    other = levels("monte_carlo", 0, 1_000, paths=["russia.war_cost"])["russia.war_cost"]
    assert np.corrcoef(alone, other)[0, 1] ** 2 < 0.01, "two paths draw independent levels"


def test_a_paths_stream_key_is_its_sha256_with_the_top_bit_set():
    # sha256(b"russia.resolve") begins 52 a4 1e 0c 53 1f 7e 0b: read little-endian that
    # is 0x0b7e1f530c1ea452, and with bit 63 set (so it never equals a world's index)
    # 0x8b7e1f530c1ea452 = 10051505859883607122.
    assert path_key("russia.resolve") == 10051505859883607122
    assert all(path_key(path) >= 2**63 for path in parameter_paths())
    assert len({path_key(path) for path in parameter_paths()}) == len(parameter_paths())
