"""Levers change the model, at their week and under their condition, and not before.

A model with a lever and one without, on the same seed, draw the same random
numbers world by world (common random numbers), so they must agree exactly until
the lever's week and differ from it on.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from crisis_sim import CrisisModel, Issue, Lever, LeverActor, LeverKind, Rung
from crisis_sim.ensemble import runner as ensemble
from crisis_sim.model.params import Params, with_values
from crisis_sim.scenario.files import bundled_scenarios, load_scenario, loads_scenario

R = 400
SEED = 2022
WEEK = 3
DEFAULTS = Params()

A, K = LeverActor, LeverKind

ONE_OF_EACH_KIND = {
    "offer_west": Lever(actor=A.WEST, kind=K.OFFER, issue=Issue.INF_MISSILES, level=1.0),
    "offer_us": Lever(actor=A.UNITED_STATES, kind=K.OFFER, issue=Issue.EXERCISES, level=0.9),
    "offer_nato": Lever(actor=A.NATO, kind=K.OFFER, issue=Issue.EXERCISES, level=0.9),
    "offer_ukraine": Lever(actor=A.UKRAINE, kind=K.OFFER, issue=Issue.ENLARGEMENT, level=1.0),
    "concede": Lever(actor=A.WEST, kind=K.CONCEDE, issue=Issue.INF_MISSILES, level=1.0),
    "sanctions": Lever(actor=A.WEST, kind=K.SANCTIONS, level=2.0),
    "posture": Lever(actor=A.NATO, kind=K.POSTURE, level=1.5),
    "support": Lever(actor=A.WEST, kind=K.SUPPORT, level=2.0),
    "commitment": Lever(actor=A.WEST, kind=K.COMMITMENT, level=1.0),
    "cohesion_shock": Lever(actor=A.EVENT, kind=K.COHESION_SHOCK, level=-0.5),
    "incident": Lever(actor=A.EVENT, kind=K.INCIDENT, level=1.0),
}


def _at(lever: Lever, week: int = WEEK, **changes) -> Lever:
    return lever.model_copy(update={"week": week, **changes})


def _model(
    *levers: Lever, replications: int = R, seed: int = SEED, params: Params = DEFAULTS
) -> CrisisModel:
    return CrisisModel(params, levers=list(levers), replications=replications, seed=seed)


def _state(model: CrisisModel) -> dict[str, np.ndarray]:
    """Everything a lever can touch, copied."""
    return {
        name: np.array(value, copy=True)
        for name, value in {
            "rung": model.russia.rung,
            "max_rung": model.russia.max_rung,
            "outcome": model.outcome,
            "active": model.active,
            "sanctions": model.west.sanctions,
            "posture": model.west.posture,
            "support": model.west.support,
            "resistance": model.ukraine.resistance,
            "resolve_belief": model.russia.resolve_belief,
            "willingness": model.nato.willingness,
            "us_offer": model.united_states.offer,
            "nato_offer": model.nato.offer,
            "deal_terms": model.deal.terms,
            "granted": model.concessions.granted,
        }.items()
    }


def _weeks(*models: CrisisModel) -> Iterator[tuple[int, list[np.ndarray]]]:
    """Step the models in lockstep; yield the week and who was active at its start."""
    while all(m.running for m in models):
        active = [m.active.copy() for m in models]
        for m in models:
            m.step()
        yield models[0].week, active


# -- timing: nothing before the week, something from it --------------------------------


@pytest.mark.parametrize("name", sorted(ONE_OF_EACH_KIND))
def test_a_lever_changes_nothing_before_its_week_and_something_in_it(name):
    lever = _at(ONE_OF_EACH_KIND[name])
    with_lever, without = _model(lever), _model()
    before = _state(with_lever)
    for key, value in _state(without).items():
        np.testing.assert_array_equal(before[key], value, err_msg=f"week 0: {key}")
    for week, (active, _) in _weeks(with_lever, without):
        a, b = _state(with_lever), _state(without)
        if week < WEEK:
            for key in a:
                np.testing.assert_array_equal(a[key], b[key], err_msg=f"week {week}: {key}")
        else:
            # Not one stray bit: the lever moves some state of nearly every world
            # running at its week by more than rounding (each kind moves at least 97%
            # of them at the defaults).
            moved = np.zeros(R, dtype=bool)
            for key in a:
                gap = np.abs(a[key].astype(float) - b[key].astype(float))
                moved |= gap.reshape(-1, R).max(axis=0) > 1e-6
            share = moved[active].mean()
            assert share >= 0.9, f"{name} moved {share:.0%} of the running worlds"
            break


def test_a_concession_in_week_2_is_granted_in_week_2_and_not_before():
    # What Russia agrees in part (the reciprocal items, missiles among them) also holds for
    # good; a concession is what the West grants without an agreement (granted_utility).
    lever = Lever(actor=A.WEST, kind=K.CONCEDE, issue=Issue.INF_MISSILES, level=0.8, week=2)
    model, baseline = _model(lever), _model()
    assert not model.concessions.granted.any()
    fired = np.zeros(R, dtype=bool)
    for week, (active, _) in _weeks(model, baseline):
        concessions = model.concessions
        row = concessions.granted[Issue.INF_MISSILES]
        if week < 2:
            np.testing.assert_array_equal(concessions.granted, baseline.concessions.granted)
            assert not concessions.granted_utility.any(), f"granted already in week {week}"
        else:
            if week == 2:
                fired = active
            np.testing.assert_array_equal(row[fired], 0.8)
            assert (concessions.granted_utility[fired] > 0).all()
            np.testing.assert_array_equal(concessions.granted_utility[~fired], 0.0)
            np.testing.assert_array_equal(
                row[~fired], concessions.agreed[Issue.INF_MISSILES][~fired]
            )
        others = np.delete(concessions.granted, int(Issue.INF_MISSILES), axis=0)
        np.testing.assert_array_equal(
            others, np.delete(concessions.agreed, int(Issue.INF_MISSILES), axis=0)
        )
    assert week == model.horizon


def test_a_us_concession_grants_the_us_share_of_the_issue():
    lever = Lever(actor=A.UNITED_STATES, kind=K.CONCEDE, issue=Issue.EXERCISES, level=1.0)
    model = _model(lever)
    share = DEFAULTS.west.us_share.exercises
    np.testing.assert_allclose(model.concessions.granted[Issue.EXERCISES], share)


def test_a_concession_fires_only_in_worlds_still_running_at_its_week():
    # The Eastern Flank: no agreement in part reaches it, so only the lever can grant it.
    lever = Lever(actor=A.WEST, kind=K.CONCEDE, issue=Issue.EASTERN_FLANK, level=1.0, week=10)
    model = _model(lever)
    for week, (active,) in _weeks(model):
        if week == 10:
            assert (~active).any(), "some worlds should have ended before week 10"
            np.testing.assert_array_equal(
                model.concessions.granted[Issue.EASTERN_FLANK] > 0, active
            )
            break


# -- offers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "us_raised", "nato_raised"),
    [(A.UNITED_STATES, True, False), (A.NATO, False, True), (A.WEST, True, True)],
)
def test_an_offer_raises_its_actors_offer_from_its_week(actor, us_raised, nato_raised):
    level = 0.9  # above both reservation points on exercises (0.6 and 0.35)
    assert level > DEFAULTS.west.us_reservation.exercises
    lever = Lever(actor=actor, kind=K.OFFER, issue=Issue.EXERCISES, level=level, week=WEEK)
    model = _model(lever)
    row = int(Issue.EXERCISES)
    for week, (active,) in _weeks(model):
        us = model.united_states.offer[row]
        nato = model.nato.offer[row]
        if week < WEEK:
            assert (us < level).all() and (nato < level).all(), f"offered in week {week}"
            continue
        assert (us[active] >= level).all() == us_raised
        assert (nato[active] >= level).all() == nato_raised
        # An offer grants nothing outside a deal: what is granted was agreed in part.
        assert not model.concessions.granted_utility.any(), "an offer is not a concession"
        np.testing.assert_array_equal(model.concessions.granted, model.concessions.agreed)
        break


def test_a_west_offer_puts_its_level_in_the_deal_on_the_table_from_its_week():
    lever = Lever(actor=A.WEST, kind=K.OFFER, issue=Issue.INF_MISSILES, level=1.0, week=WEEK)
    model, baseline = _model(lever), _model()
    row = int(Issue.INF_MISSILES)
    for week, (active, _) in _weeks(model, baseline):
        if week < WEEK:
            np.testing.assert_array_equal(model.deal.terms, baseline.deal.terms)
        else:
            np.testing.assert_array_equal(model.deal.terms[row][active], 1.0)
            assert (baseline.deal.terms[row] < 1.0).all()
            break


def test_ukraines_own_offer_enters_the_deal_from_its_week_without_a_consent_question():
    lever = Lever(actor=A.UKRAINE, kind=K.OFFER, issue=Issue.ENLARGEMENT, level=1.0, week=WEEK)
    model = _model(lever)
    row = int(Issue.ENLARGEMENT)
    for week, (active,) in _weeks(model):
        if week < WEEK:
            assert not model.deal.terms[row].any()
            assert not model.ukraine.own_offer.any()
        else:
            np.testing.assert_array_equal(model.ukraine.own_offer[row][active], 1.0)
            np.testing.assert_array_equal(model.deal.terms[row][active], 1.0)
            break


def test_an_offer_over_ukraines_head_stays_on_the_table_without_its_consent():
    offer = Lever(actor=A.WEST, kind=K.OFFER, issue=Issue.ENLARGEMENT, level=1.0, week=1)
    bypass = offer.model_copy(update={"bypass_ukraine_consent": True})
    row = int(Issue.ENLARGEMENT)
    with_consent, without_consent = _model(offer), _model(bypass)
    with_consent.step()
    without_consent.step()
    refused = with_consent.deal.terms[row] < 1.0
    assert refused.any(), "Ukraine should refuse the full moratorium in some worlds"
    np.testing.assert_array_equal(without_consent.deal.terms[row], 1.0)


# -- policies and shocks ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "actor", "level", "field"),
    [
        (K.SANCTIONS, A.WEST, 2.0, "sanctions"),
        (K.POSTURE, A.NATO, 1.5, "posture"),
        (K.SUPPORT, A.UNITED_STATES, 2.0, "support"),
    ],
)
def test_a_policy_lever_raises_the_wests_response_to_its_level_from_its_week(
    kind, actor, level, field
):
    model, baseline = _model(Lever(actor=actor, kind=kind, level=level, week=WEEK)), _model()
    for week, (active, _) in _weeks(model, baseline):
        mine = getattr(model.west, field)
        theirs = getattr(baseline.west, field)
        if week < WEEK:
            np.testing.assert_array_equal(mine, theirs)
        else:
            assert (mine[active] >= level).all()
            assert (theirs[active] < level).any()
            break


def test_support_raises_ukraines_resistance_from_its_week():
    lever = Lever(actor=A.WEST, kind=K.SUPPORT, level=2.0, week=WEEK)
    model, baseline = _model(lever), _model()
    # Support at level 2 allows 0.45 + 2 x 0.08 (ukraine.support_effect), plus 0.15 for
    # full mobilisation; resistance closes on it over the weeks (ukraine.adjustment_rate).
    assert (DEFAULTS.ukraine.resistance, DEFAULTS.ukraine.support_effect) == (0.45, 0.08)
    assert DEFAULTS.ukraine.mobilisation_effect == 0.15
    for week, (active, _) in _weeks(model, baseline):
        mine, theirs = model.ukraine.resistance, baseline.ukraine.resistance
        if week < WEEK:
            np.testing.assert_array_equal(mine, theirs)
        else:
            # The worlds' paths part after the lever (Russia reads the resistance it
            # faces), so compare the worlds running at its week on the whole.
            assert mine[active].mean() > theirs[active].mean() + 0.01
            assert (mine[active] > theirs[active]).mean() > 0.5
            assert (mine <= 0.76 + 1e-12).all()
            if week == WEEK + 8:
                break


@pytest.mark.parametrize(("level", "expected"), [(0.5, 2 / 3), (1.0, 0.75)])
def test_a_commitment_at_t0_raises_russias_belief_in_western_resolve_at_once(level, expected):
    # The prior: mean 0.5 (west.sanction_credibility) worth 4 observations; a commitment
    # at level L is read as 4 L more observations of resolve: (2 + 4 L) / (4 + 4 L).
    defaults = (DEFAULTS.west.sanction_credibility, DEFAULTS.russia.resolve_belief_prior_strength)
    assert defaults == (0.5, 4.0)
    model = _model(Lever(actor=A.WEST, kind=K.COMMITMENT, level=level))
    np.testing.assert_allclose(model.russia.resolve_belief, expected)
    np.testing.assert_allclose(_model().russia.resolve_belief, 0.5)


def test_a_commitment_raises_russias_belief_in_western_resolve_from_its_week():
    lever = Lever(actor=A.WEST, kind=K.COMMITMENT, level=1.0, week=WEEK)
    model, baseline = _model(lever), _model()
    for week, (active, _) in _weeks(model, baseline):
        mine, theirs = model.russia.resolve_belief, baseline.russia.resolve_belief
        if week < WEEK:
            np.testing.assert_array_equal(mine, theirs)
        else:
            assert mine[active].mean() > theirs[active].mean() + 0.05
            break


def test_a_cohesion_shock_shifts_allied_willingness_once_from_its_week():
    level = -0.3
    quiet = with_values(DEFAULTS, {"west.incident_hazard": 0.0})  # no incident adds tension
    lever = Lever(actor=A.EVENT, kind=K.COHESION_SHOCK, level=level, week=WEEK)
    model, baseline = _model(lever, params=quiet), _model(params=quiet)
    fired = np.zeros(R, dtype=bool)
    for week, (active, _) in _weeks(model, baseline):
        if week < WEEK:
            assert not model.nato.shock.any()
            np.testing.assert_array_equal(model.nato.willingness, baseline.nato.willingness)
            continue
        if week == WEEK:
            fired = active
        np.testing.assert_array_equal(model.nato.shock[fired], level)  # once, not every week
        if week == WEEK:
            assert model.nato.willingness.mean() < baseline.nato.willingness.mean() - 0.05


def test_a_positive_cohesion_shock_raises_allied_willingness():
    lever = Lever(actor=A.EVENT, kind=K.COHESION_SHOCK, level=0.2)
    raised = _model(lever).nato.willingness.mean() - _model().nato.willingness.mean()
    assert raised == pytest.approx(0.2, abs=0.02), "by its level, short of the cap at 1"


def test_an_incident_at_t0_raises_tension_at_once_and_leaves_russias_rung():
    model = _model(Lever(actor=A.EVENT, kind=K.INCIDENT, level=1.0))
    baseline = _model()
    np.testing.assert_array_equal(model.russia.rung, Rung.BUILD_UP)
    np.testing.assert_array_equal(model.russia.max_rung, Rung.BUILD_UP)
    np.testing.assert_allclose(model.nato.shock, DEFAULTS.alliance.incident_tension)
    assert model.nato.willingness.mean() > baseline.nato.willingness.mean()


def test_an_incident_raises_tension_from_its_week_and_moves_the_rung_only_through_it():
    lever = Lever(actor=A.EVENT, kind=K.INCIDENT, level=1.0, week=WEEK)
    tension = DEFAULTS.alliance.incident_tension
    model, baseline = _model(lever), _model()
    for week, (active, _) in _weeks(model, baseline):
        extra = model.nato.shock - baseline.nato.shock
        if week < WEEK:
            np.testing.assert_array_equal(extra, 0.0)
            np.testing.assert_array_equal(model.russia.rung, baseline.russia.rung)
            continue
        np.testing.assert_allclose(extra[active], tension)
        break
    # Without the tension it raises, an incident changes nothing at all: not one rung.
    calm = with_values(DEFAULTS, {"alliance.incident_tension": 0.0})
    model, baseline = _model(lever, params=calm).run(), _model(params=calm).run()
    np.testing.assert_array_equal(
        np.stack(model.history["rung"]), np.stack(baseline.history["rung"])
    )
    np.testing.assert_array_equal(model.outcome, baseline.outcome)


# -- conditions ------------------------------------------------------------------------


def _fired_week_by_week(lever: Lever, condition) -> int:
    """Step a model with an enlargement offer lever (its floor marks that it fired).

    Checks, week by week, that it fires exactly in the worlds that are running, have
    not fired yet, are at or past its week, and meet ``condition(model)`` at the start
    of the week. Returns the number of worlds it fired in.
    """
    model = _model(lever, replications=600)
    row = int(Issue.ENLARGEMENT)
    fired = model.nato.offer_floor[row] > 0
    assert not fired.any(), "at t0 Russia stands at the build-up rung and is not talking"
    weeks_fired = set()
    while model.running:
        due = model.active & ~fired & condition(model) & (model.week + 1 >= lever.week)
        model.step()
        now = model.nato.offer_floor[row] > 0
        np.testing.assert_array_equal(now & ~fired, due, err_msg=f"week {model.week}")
        if (now & ~fired).any():
            weeks_fired.add(model.week)
        fired = now
    assert fired.any(), "the condition never held: the test proves nothing"
    assert not fired.all() or len(weeks_fired) > 1, (
        "the condition held in every world at once: the test proves nothing"
    )
    return int(fired.sum())


def test_a_lever_on_a_rung_fires_only_once_russia_has_reached_the_rung():
    # The incursion rung, not the military-technical one: at the defaults nearly every
    # world climbs to military-technical in week 1 (all 600 by week 2), so a condition
    # on it holds everywhere and tells no world apart; some worlds never reach an
    # incursion, and the others reach it in many different weeks.
    lever = Lever(
        actor=A.NATO,
        kind=K.OFFER,
        issue=Issue.ENLARGEMENT,
        level=0.5,
        when_rung_at_least=Rung.LIMITED_INCURSION,
    )
    _fired_week_by_week(lever, lambda m: m.russia.rung >= Rung.LIMITED_INCURSION)


def test_a_lever_on_talks_fires_only_while_russia_is_talking():
    lever = Lever(actor=A.NATO, kind=K.OFFER, issue=Issue.ENLARGEMENT, level=0.5, when_talking=True)
    _fired_week_by_week(lever, lambda m: m.russia.talking)


def test_a_lever_with_a_week_and_a_condition_waits_for_both():
    lever = Lever(
        actor=A.NATO,
        kind=K.OFFER,
        issue=Issue.ENLARGEMENT,
        level=0.5,
        week=6,
        when_talking=True,
    )
    _fired_week_by_week(lever, lambda m: m.russia.talking)


def test_an_event_on_a_rung_from_a_scenario_fires_only_once_russia_has_reached_it():
    scenario = loads_scenario(
        'title = "t"\nquestion = "q"\n[[events]]\nkind = "cohesion_shock"\nweek = 0\n'
        'level = -0.4\nwhen_rung_at_least = "military_technical"\n'
    )
    (lever,) = scenario.all_levers()
    model = _model(lever)
    assert not model.nato.shock.any()
    while model.running:
        rung = model.russia.rung.copy()
        active = model.active.copy()
        shocked = model.nato.shock < 0
        model.step()
        newly = (model.nato.shock < 0) & ~shocked
        np.testing.assert_array_equal(newly, active & ~shocked & (rung >= 2))


# -- every kind changes what happens ---------------------------------------------------


@pytest.fixture(scope="module")
def baseline_outcomes() -> np.ndarray:
    return _model(replications=1000).run().outcome


@pytest.mark.parametrize("name", sorted(ONE_OF_EACH_KIND))
def test_every_lever_kind_changes_the_outcomes_of_some_worlds(name, baseline_outcomes):
    outcome = baseline_outcomes
    model = _model(_at(ONE_OF_EACH_KIND[name], week=2), replications=1000).run()
    assert (model.outcome != outcome).sum() >= 10, name
    assert not np.array_equal(np.bincount(model.outcome), np.bincount(outcome))


# -- the bundled scenarios' levers -----------------------------------------------------

RUNS = 2000
MOVED = RUNS // 40
"""A scenario's levers change the outcome of at least 2.5% of the worlds (the fewest at
the time of writing: us_exercise_limits, 136 of 2,000)."""
WITH_LEVERS = [path.stem for path in bundled_scenarios() if load_scenario(path).all_levers()]

QUICK = {"us_exercise_limits", "ally_blocks_sanctions", "russian_ultimatum", "belarus_and_china"}
"""Scenarios whose run without their levers stays in the default tests (one per kind of
actor); the others run it with the slow tests."""


@pytest.fixture(scope="module")
def baseline_worlds(baseline_2000):
    assert baseline_2000.runs == RUNS
    return baseline_2000.worlds


def test_every_bundled_scenario_but_baseline_pulls_a_lever_or_schedules_an_event():
    names = {path.stem for path in bundled_scenarios()}
    assert set(WITH_LEVERS) == names - {"baseline"}


@pytest.mark.parametrize("name", WITH_LEVERS)
def test_a_bundled_scenarios_levers_change_its_outcomes_from_baseline(
    name, baseline_worlds, bundled_ensemble
):
    worlds = bundled_ensemble(name, RUNS).worlds
    changed = (worlds["outcome"] != baseline_worlds["outcome"]).sum()
    assert changed >= MOVED, f"{name} changes the outcome of {changed} of {RUNS} worlds"


@pytest.mark.parametrize(
    "name",
    [name if name in QUICK else pytest.param(name, marks=pytest.mark.slow) for name in WITH_LEVERS],
)
def test_a_bundled_scenarios_levers_change_its_outcomes_from_itself_without_them(
    name, bundled_ensemble
):
    scenario = load_scenario(name)
    bare = scenario.model_copy(update={"levers": [], "events": []})
    worlds = bundled_ensemble(name, RUNS).worlds
    bare_worlds = ensemble.run(bare, runs=RUNS, progress=False).worlds
    changed = (worlds["outcome"] != bare_worlds["outcome"]).sum()
    assert changed >= MOVED, f"{name} changes the outcome of {changed} of {RUNS} worlds"


def test_a_scenario_that_only_adds_levers_reproduces_baseline_without_them(baseline_worlds):
    """Common random numbers: the comparisons above are world by world, not noise."""
    scenario = load_scenario("missile_moratorium")
    bare = scenario.model_copy(update={"levers": [], "events": [], "name": "baseline"})
    worlds = ensemble.run(bare, runs=RUNS, progress=False).worlds
    np.testing.assert_array_equal(worlds["outcome"], baseline_worlds["outcome"])
    np.testing.assert_array_equal(worlds["week"], baseline_worlds["week"])
