"""Outcome classes do not depend on where a run stops (model card 6).

Russia's plans look ahead in weeks from the current week, never to the run's horizon,
so a world's course up to week W is the same whatever the horizon beyond W: every
settlement, invasion or clash by week W, with its week, is the same in a run of 30
weeks and in one of 80. Standoff and limited incursion are the states of the worlds
still in crisis at the horizon, so only they may differ.
"""

from __future__ import annotations

import numpy as np

from crisis_sim import CrisisModel, load_scenario
from crisis_sim.model.domain import Outcome

EVENTS = (Outcome.DE_ESCALATION, Outcome.FULL_INVASION, Outcome.NATO_RUSSIA_CLASH)


def _outcomes(horizon: int) -> tuple[np.ndarray, np.ndarray]:
    scenario = load_scenario("baseline")
    model = CrisisModel(
        scenario.params,
        replications=1500,
        seed=scenario.run.seed,
        horizon=horizon,
        levers=scenario.all_levers(),
        uncertain=scenario.uncertain,
        record_history=False,
    ).run()
    return model.outcome, model.outcome_week


def test_every_settlement_invasion_and_clash_before_the_horizon_is_the_same_with_a_later_horizon():
    short, short_week = _outcomes(30)
    long, long_week = _outcomes(80)
    ended = np.isin(short, [int(o) for o in EVENTS])
    assert ended.sum() > 300
    assert np.array_equal(short[ended], long[ended])
    assert np.array_equal(short_week[ended], long_week[ended])


def test_worlds_still_in_crisis_at_a_short_horizon_go_on_to_other_outcomes_in_a_longer_run():
    short, _ = _outcomes(30)
    long, long_week = _outcomes(80)
    open_worlds = np.isin(short, [int(Outcome.STANDOFF), int(Outcome.LIMITED_INCURSION)])
    assert open_worlds.sum() > 100
    moved = open_worlds & np.isin(long, [int(o) for o in EVENTS])
    assert moved.any()
    assert (long_week[moved] > 30).all()
