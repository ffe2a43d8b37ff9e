"""Reproducibility: a world depends only on (seed, replication), never on the batch.

Replication k run alone must equal row k of a batch of 1,000, column by column and
week by week; the same seed must give identical results; different seeds must not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crisis_sim import CrisisModel, Lever, Params
from crisis_sim.ensemble import runner as ensemble
from crisis_sim.model import streams
from crisis_sim.model.params import with_values
from crisis_sim.model.streams import draw_worlds
from crisis_sim.scenario.files import load_scenario

SEED = 20220113
BATCH = 1000
LEVERS = (
    Lever(actor="united_states", kind="concede", issue="exercises", level=1.0, week=2),
    Lever(actor="west", kind="offer", issue="enlargement", level=0.3, week=1),
    Lever(actor="event", kind="incident", level=1.0, week=3, when_rung_at_least="build_up"),
)


def history(m: CrisisModel) -> dict[str, np.ndarray]:
    assert m.history is not None
    return {name: np.stack(values) for name, values in m.history.items()}


def assert_same_world(alone: CrisisModel, batch: CrisisModel, k: int) -> None:
    """World 0 of ``alone`` equals world ``k`` of ``batch`` in every column and week."""
    row = batch.outcomes().iloc[[k]].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone.outcomes(), row, check_exact=True)
    mine, theirs = history(alone), history(batch)
    for name, values in mine.items():
        weeks = values.shape[0]
        np.testing.assert_array_equal(values[:, 0], theirs[name][:weeks, k], err_msg=name)
        # Once the world has ended the batch keeps it frozen.
        np.testing.assert_array_equal(theirs[name][weeks:, k], values[-1, 0], err_msg=name)


@pytest.fixture(scope="module")
def batch() -> CrisisModel:
    return CrisisModel(replications=BATCH, seed=SEED, record_history=True).run()


@pytest.fixture(scope="module")
def batch_with_levers() -> CrisisModel:
    return CrisisModel(replications=BATCH, seed=SEED, levers=LEVERS, record_history=True).run()


@pytest.mark.parametrize("k", [0, 1, 417, 998, 999])
def test_replication_k_run_alone_equals_row_k_of_a_batch_of_1000(batch, k):
    alone = CrisisModel(replications=1, seed=SEED, first_replication=k, record_history=True)
    assert_same_world(alone.run(), batch, k)


@pytest.mark.parametrize("k", [3, 500, 999])
def test_replication_k_run_alone_equals_row_k_of_a_batch_with_levers(batch_with_levers, k):
    alone = CrisisModel(
        replications=1, seed=SEED, first_replication=k, levers=LEVERS, record_history=True
    )
    assert_same_world(alone.run(), batch_with_levers, k)


def test_a_chunk_of_the_ensemble_reproduces_the_same_worlds(batch):
    chunk = CrisisModel(replications=250, seed=SEED, first_replication=600).run()
    expected = batch.outcomes().iloc[600:850].reset_index(drop=True)
    pd.testing.assert_frame_equal(chunk.outcomes(), expected, check_exact=True)


def test_replication_k_alone_equals_row_k_with_per_world_sampled_parameters():
    rng = np.random.default_rng(7)
    sampled = {
        "russia.resolve": rng.uniform(0.2, 0.8, BATCH),
        "alliance.solidarity": rng.uniform(0.0, 0.8, BATCH),
        "concessions.appeasement_strength": rng.uniform(0.0, 1.0, BATCH),
    }
    whole = CrisisModel(replications=BATCH, seed=SEED, sampled=sampled, levers=LEVERS).run()
    for k in (5, 731):
        alone = CrisisModel(
            replications=1,
            seed=SEED,
            first_replication=k,
            sampled={path: values[k : k + 1] for path, values in sampled.items()},
            levers=LEVERS,
        ).run()
        assert_same_world(alone, whole, k)


def test_an_ensemble_in_chunks_that_end_in_different_weeks_equals_it_in_one_chunk():
    # A model stops once all its worlds have ended, so a chunk whose worlds all end
    # early has a shorter history than the others; the ensemble must still merge it,
    # with the ended worlds frozen in their outcome (as in one chunk). World 4 of the
    # baseline ends in week 6, and a run of 10,001 worlds at the default chunk size
    # ends with such a one-world chunk.
    scenario = load_scenario("baseline")
    whole = ensemble.run(scenario, runs=8, progress=False)
    assert (whole.worlds["week"] < scenario.run.horizon).any()  # the premise
    chunked = ensemble.run(scenario, runs=8, chunk_size=1, progress=False)
    pd.testing.assert_frame_equal(chunked.worlds, whole.worlds, check_exact=True)
    np.testing.assert_array_equal(chunked.state_counts, whole.state_counts)
    for name, counts in whole.histograms.items():
        np.testing.assert_array_equal(chunked.histograms[name], counts, err_msg=name)


def test_the_same_seed_gives_identical_outcomes_histories_and_event_logs():
    runs = [
        CrisisModel(replications=500, seed=11, levers=LEVERS, record_history=True).run()
        for _ in range(2)
    ]
    pd.testing.assert_frame_equal(runs[0].outcomes(), runs[1].outcomes(), check_exact=True)
    for name, values in history(runs[0]).items():
        np.testing.assert_array_equal(values, history(runs[1])[name], err_msg=name)
    small = [CrisisModel(replications=5, seed=11, levers=LEVERS).run() for _ in range(2)]
    pd.testing.assert_frame_equal(small[0].event_log(), small[1].event_log())
    assert len(small[0].event_log()) > 0


def test_different_seeds_give_different_worlds():
    # Independent worlds, not the same worlds with a few bits changed: world k's latent
    # type (revisionist with probability about 1/2) agrees between the seeds about half
    # the time, its outcome (five classes) less often, and its continuous end state
    # (cohesion) never.
    a = CrisisModel(replications=500, seed=11).run().outcomes()
    b = CrisisModel(replications=500, seed=12).run().outcomes()
    assert 0.4 < (a["revisionist"] != b["revisionist"]).mean() < 0.6
    assert (a["outcome"] != b["outcome"]).mean() > 0.5
    assert (a["cohesion"] != b["cohesion"]).mean() > 0.99


def test_keeping_an_event_log_does_not_change_the_worlds():
    logged = CrisisModel(replications=8, seed=3, levers=LEVERS, event_log=True).run()
    silent = CrisisModel(replications=8, seed=3, levers=LEVERS, event_log=False).run()
    pd.testing.assert_frame_equal(logged.outcomes(), silent.outcomes(), check_exact=True)


def test_a_longer_horizon_only_appends_weeks():
    short = CrisisModel(replications=300, seed=5, horizon=12, record_history=True).run()
    long = CrisisModel(replications=300, seed=5, horizon=26, record_history=True).run()
    short_history, long_history = history(short), history(long)
    weeks = short_history["rung"].shape[0]
    for name, values in short_history.items():
        if name == "state":  # the horizon closes the short run's open worlds in its last week
            np.testing.assert_array_equal(values[:-1], long_history[name][: weeks - 1])
        else:
            np.testing.assert_array_equal(values, long_history[name][:weeks], err_msg=name)
    ended_early = short_history["state"][-2] < 100  # closed before the short horizon
    assert ended_early.any()
    np.testing.assert_array_equal(short.outcome[ended_early], long.outcome[ended_early])


def test_a_worlds_random_numbers_do_not_depend_on_the_batch_or_the_horizon():
    batch = draw_worlds(SEED, 0, 50, 10)
    for k in (0, 17, 49):
        alone = draw_worlds(SEED, k, 1, 26)
        assert alone.type_uniform[0] == batch.type_uniform[k]
        np.testing.assert_array_equal(alone.member_normal[:, 0], batch.member_normal[:, k])
        np.testing.assert_array_equal(alone.weekly[:10, :, 0], batch.weekly[:, :, k])


@pytest.mark.parametrize(
    ("seed", "first", "count", "weeks"),
    [
        (SEED, 0, 40, 10),
        (0, 0, 1, 0),  # 33 numbers: a last block of four words of which one is used
        (2**64 - 1, 2**63 - 3, 5, 1),  # the largest seed; worlds' keys at 2**63
        (2**63 + 7, 2**62, 3, 52),
        (7, 123_456_789, 9, 3),
    ],
)
def test_a_worlds_random_numbers_are_numpys_philox_stream_keyed_by_seed_and_world(
    seed, first, count, weeks
):
    # The compiled generator must give, to the bit, what numpy's Generator gives.
    draws = draw_worlds(seed, first, count, weeks)
    for j in range(count):
        expected = streams.replication_generator(seed, first + j).random(
            1 + streams.MEMBER_SLOTS + weeks * streams.WEEKLY_SLOTS
        )
        assert draws.type_uniform[j] == expected[0]
        normal = streams.special.ndtri(np.clip(expected[1:33], 2.0**-53, 1 - 2.0**-53))
        np.testing.assert_array_equal(draws.member_normal[:, j], normal)
        np.testing.assert_array_equal(draws.weekly[:, :, j].ravel(), expected[33:])


def test_the_generators_python_source_gives_the_numbers_its_compiled_code_gives():
    # The source a reader sees is the rule (and its lines run where coverage sees them).
    compiled, python = np.zeros((11, 4)), np.zeros((11, 4))
    streams._uniforms(np.uint64(SEED), np.uint64(2**63 - 2), compiled)
    with np.errstate(over="ignore"):  # products and sums of 64-bit words wrap, by design
        streams._uniforms.__wrapped__(np.uint64(SEED), np.uint64(2**63 - 2), python)
    np.testing.assert_array_equal(python, compiled)
    assert len(np.unique(compiled)) == compiled.size


def test_parameters_do_not_shift_the_random_numbers_common_random_numbers():
    # The same seed draws the same latent types whatever the parameters, so that
    # scenario comparisons are paired world by world.
    a = CrisisModel(replications=400, seed=8)
    b = CrisisModel(with_values(Params(), {"russia.resolve": 0.8}), replications=400, seed=8)
    np.testing.assert_array_equal(a.draws.weekly, b.draws.weekly)
    np.testing.assert_array_equal(a.russia.revisionist, b.russia.revisionist)
