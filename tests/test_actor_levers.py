"""Levers for every actor: Russia's moves, a named ally, third countries, partial agreements.

Each lever is run against the same worlds without it (same seed, same draws): it must
leave them as they were before its week or condition, and move the model the way its
mechanism says once it fires.
"""

from __future__ import annotations

import numpy as np
import pytest

from crisis_sim import CrisisModel, Lever, Params
from crisis_sim.model.domain import Issue, Outcome, Rung
from crisis_sim.model.members import load_members
from crisis_sim.model.params import with_values
from crisis_sim.scenario.errors import ScenarioError
from crisis_sim.scenario.files import loads_scenario

SEED = 20220113
WORLDS = 300
HORIZON = 12
CODES = [record.iso3 for record in load_members()]


def model(*levers: Lever, worlds: int = WORLDS, horizon: int = HORIZON) -> CrisisModel:
    """The baseline's fixed parameters over ``worlds`` worlds with the given levers."""
    return CrisisModel(
        Params(),
        replications=worlds,
        seed=SEED,
        horizon=horizon,
        levers=levers,
        record_history=True,
        event_log=False,
    )


def step_to(m: CrisisModel, week: int) -> CrisisModel:
    while m.week < week and m.running:
        m.step()
    return m


def rungs(m: CrisisModel) -> np.ndarray:
    assert m.history is not None
    return np.stack(m.history["rung"])


def ally(code: str, kind: str, level: float, week: int = 0, **extra: object) -> Lever:
    return Lever(actor="ally", ally=code, kind=kind, level=level, week=week, **extra)


def russia(kind: str, level: float = 1.0, week: int = 0, **extra: object) -> Lever:
    return Lever(actor="russia", kind=kind, level=level, week=week, **extra)


def recognition(week: int = 1) -> Lever:
    return russia("recognition", week=week)


# -- Russia ---------------------------------------------------------------------------


def test_a_stand_down_from_week_3_ends_coercion_from_week_3():
    base = model().run()
    m = model(russia("stand_down", week=3)).run()
    before = rungs(base)
    after = rungs(m)
    np.testing.assert_array_equal(after[:3], before[:3])
    in_crisis = base.history["state"][2] >= 100
    assert in_crisis.sum() > WORLDS // 2
    assert (after[3, in_crisis] == Rung.DIPLOMACY).all()
    assert (after[3:, in_crisis] < Rung.BUILD_UP).all()
    assert (m.outcome[in_crisis] == Outcome.DE_ESCALATION).all()
    assert (m.outcome_week[in_crisis] == 3).all()
    # Russia stood down with what it held, not the package on the table.
    np.testing.assert_array_equal(m.secured_terms()[:, in_crisis], 0.0)
    np.testing.assert_array_equal(m.outcome[~in_crisis], base.outcome[~in_crisis])


def test_a_stand_down_on_a_condition_waits_for_it():
    base = model().run()
    m = model(russia("stand_down", when_rung_at_least="limited_incursion")).run()
    reached = base.russia.first_incursion_week >= 0
    assert 0 < reached.sum() < WORLDS
    never = (base.russia.max_rung < Rung.LIMITED_INCURSION) & (
        base.outcome != Outcome.FULL_INVASION
    )
    np.testing.assert_array_equal(m.outcome[never], base.outcome[never])
    # It fires the week after Russia reaches the incursion rung: only a world that gets
    # there in the last week ends at it.
    at_incursion = m.outcome == Outcome.LIMITED_INCURSION
    assert (m.russia.first_incursion_week[at_incursion] == HORIZON).all()
    stood = m.russia.stood_down
    assert stood.any()
    assert (m.outcome_week[stood] == m.russia.first_incursion_week[stood] + 1).all()


def test_a_military_technical_step_puts_russia_at_rung_2_in_its_week_and_not_before():
    base = step_to(model(), 1)
    m = step_to(model(russia("military_technical", week=1)), 1)
    np.testing.assert_array_equal(rungs(m)[0], rungs(base)[0])
    assert (rungs(m)[0] == Rung.BUILD_UP).all()
    assert (m.russia.max_rung >= Rung.MILITARY_TECHNICAL).all()
    assert (base.russia.max_rung < Rung.MILITARY_TECHNICAL).sum() > WORLDS // 10
    assert (m.russia.rung >= Rung.MILITARY_TECHNICAL).mean() > 0.9


def test_recognition_is_the_incursion_rung_and_triggers_the_incursion_sanctions():
    base = step_to(model(), 2)
    m = step_to(model(recognition(week=2)), 2)
    live = base.history["state"][1] >= 100
    assert (m.russia.first_incursion_week[live] <= 2).all()
    assert (m.russia.first_incursion_week[live] >= 0).all()
    assert m.west.sanctions[live].mean() > base.west.sanctions[live].mean()


def test_an_unmet_ultimatum_makes_russia_climb_at_its_deadline():
    base = step_to(model(), 2)
    m = step_to(model(russia("ultimatum", level=1.0, week=0, deadline=2)), 2)
    np.testing.assert_array_equal(rungs(m)[:2], rungs(base)[:2])
    at_build_up = (rungs(base)[1] == Rung.BUILD_UP) & (base.history["state"][1] >= 100)
    assert at_build_up.sum() > 10
    assert (m.russia.max_rung[at_build_up] >= Rung.MILITARY_TECHNICAL).all()
    assert (base.russia.max_rung[at_build_up] < Rung.MILITARY_TECHNICAL).any()
    assert (m.russia.ultimatum_deadline == -1).all()


def test_an_ultimatum_the_table_already_meets_changes_nothing():
    base = model().run()
    m = model(russia("ultimatum", level=0.0, week=1, deadline=2)).run()
    np.testing.assert_array_equal(m.outcome, base.outcome)
    np.testing.assert_array_equal(rungs(m), rungs(base))


def test_a_gas_cutoff_lifts_the_gas_dependent_allies_most():
    base = model()
    m = model(russia("gas_cutoff", level=1.0))
    rise = {
        code: m.nato.member(code).willingness - base.nato.member(code).willingness
        for code in ("DEU", "GBR")
    }
    assert (rise["DEU"] > rise["GBR"]).all()
    assert (m.nato.participation > base.nato.participation).all()


def test_russia_accepting_part_of_the_table_agrees_those_items_and_the_crisis_goes_on():
    offer = Lever(actor="west", kind="offer", issue="exercises", level=0.6, week=1)
    base = step_to(model(offer), 3)
    m = step_to(model(offer, russia("accept_partial", level=0.0, week=2, issues=["exercises"])), 2)
    live = m.active | (m.outcome_week == 2)
    on_table = step_to(model(offer), 1).deal.terms[Issue.EXERCISES]
    assert (on_table > 0).all()
    np.testing.assert_array_equal(m.concessions.agreed[Issue.EXERCISES][live], on_table[live])
    np.testing.assert_array_equal(m.concessions.agreed[Issue.ENLARGEMENT], 0.0)
    np.testing.assert_array_equal(m.concessions.conceded, 0.0)
    assert (m.russia.partial_week[live] == 2).all()
    assert m.active.sum() >= base.active.sum() - WORLDS // 10


def test_an_item_below_the_level_russia_asks_for_is_not_taken():
    offer = Lever(actor="west", kind="offer", issue="exercises", level=0.3, week=1)
    m = step_to(model(offer, russia("accept_partial", level=0.9, week=2, issues=["exercises"])), 2)
    np.testing.assert_array_equal(m.concessions.agreed[Issue.EXERCISES], 0.0)


def test_a_russian_proposal_lets_it_agree_in_part_on_an_issue_beyond_the_reciprocal_ones():
    offer = Lever(actor="nato", kind="offer", issue="eastern_flank", level=0.5, week=1)
    propose = russia("propose_partial", week=1, issues=["eastern_flank"])
    base = step_to(model(offer), 2)
    m = step_to(model(offer, propose), 2)
    unagreed = (m.russia.partial_week < 0) & (base.russia.partial_week < 0)
    on_table = (m.deal.terms[Issue.EASTERN_FLANK] > 0) & unagreed & m.active
    assert on_table.sum() > WORLDS // 2
    gain, gain_before = m.deal.partial_gain(m), base.deal.partial_gain(base)
    assert (gain[on_table] > gain_before[on_table]).all()
    base, m = base.run(), m.run()
    np.testing.assert_array_equal(base.concessions.agreed[Issue.EASTERN_FLANK], 0.0)
    assert (m.concessions.agreed[Issue.EASTERN_FLANK] > 0).any()


# -- partial agreements -----------------------------------------------------------------


def test_a_partial_agreement_holds_the_named_items_and_is_no_concession():
    agreement = Lever(
        actor="west",
        kind="partial_agreement",
        issues=["inf_missiles", "exercises"],
        level=0.6,
        week=2,
    )
    concession = Lever(actor="west", kind="concede", issue="exercises", level=0.6, week=2)
    agreed = step_to(model(agreement), 2)
    conceded = step_to(model(concession), 2)
    live = agreed.history["state"][1] >= 100
    for issue in (Issue.INF_MISSILES, Issue.EXERCISES):
        assert (agreed.concessions.agreed[issue][live] == 0.6).all()
    np.testing.assert_array_equal(agreed.concessions.agreed[Issue.ENLARGEMENT], 0.0)
    np.testing.assert_array_equal(agreed.concessions.conceded, 0.0)
    assert (agreed.russia.partial_week[live] == 2).all()
    # Russia reads a concession as the West giving way, an agreement not.
    assert (conceded.russia.yield_belief[live] > agreed.russia.yield_belief[live]).all()
    # The crisis continues on the rest.
    assert agreed.active.mean() > 0.5


def test_the_united_states_alone_agrees_only_its_share():
    lever = Lever(
        actor="united_states", kind="partial_agreement", issues=["exercises"], level=1.0, week=1
    )
    m = step_to(model(lever), 1)
    share = Params().west.us_share.exercises
    assert share < 1.0
    np.testing.assert_allclose(m.concessions.agreed[Issue.EXERCISES], share)


# -- a named ally -----------------------------------------------------------------------


ALLIANCE_DECIDES = with_values(
    Params(), {"west.sanctions_tier_at_incursion": 3.0, "west.us_unilateral_sanctions": 0.0}
)
"""Incursion threatens the top tier, and the U.S. does not go beyond the Alliance alone."""


def test_one_large_allys_veto_lowers_the_sanctions_the_alliance_agrees_on():
    def after_recognition(*levers: Lever) -> CrisisModel:
        m = CrisisModel(
            ALLIANCE_DECIDES,
            replications=WORLDS,
            seed=SEED,
            horizon=HORIZON,
            levers=(recognition(), *levers),
        )
        return step_to(m, 1)

    base = after_recognition()
    veto = after_recognition(ally("DEU", "veto", 0.2))
    assert (base.west.sanctions > 0.6).all()
    assert (veto.nato.consensus <= 0.2).all()
    assert (veto.nato.consensus < base.nato.consensus).all()
    assert (veto.west.sanctions <= 3.0 * 0.2 + 1e-12).all()
    assert (veto.west.sanctions < base.west.sanctions).all()


def test_a_veto_that_never_binds_leaves_every_world_as_it_was():
    base = model(recognition(week=3)).run()
    m = model(recognition(week=3), ally("HUN", "veto", 1.0)).run()
    np.testing.assert_array_equal(m.outcome, base.outcome)
    np.testing.assert_array_equal(
        np.stack(m.history["cohesion"]), np.stack(base.history["cohesion"])
    )
    np.testing.assert_array_equal(
        np.stack(m.history["sanctions"]), np.stack(base.history["sanctions"])
    )


def test_a_delay_holds_collective_measures_for_its_weeks_then_lets_them_rise():
    m = model(ally("FRA", "delay", 3.0, week=1), recognition(week=2))
    step_to(m, 1)
    held = m.nato.member("FRA").veto_cap.copy()
    assert (m.nato.member("FRA").veto_until == 4).all()
    while m.week < 3:
        m.step()
        assert (m.nato.consensus <= held).all()
    m.step()
    assert m.week == 4
    assert (m.nato.consensus > held).mean() > 0.5


def test_an_ally_standing_aside_takes_no_part_in_sanctions_and_no_longer_drags_the_consensus():
    base = model()
    m = model(ally("HUN", "leave_consensus", 1.0))
    hungary = base.nato.member("HUN")
    assert (m.nato.participation < base.nato.participation).all()
    low = hungary.willingness < base.nato.consensus
    assert low.sum() > 10
    assert m.nato.consensus[low].mean() > base.nato.consensus[low].mean()
    others = [code for code in CODES if code != "HUN"]
    for code in others:
        np.testing.assert_array_equal(
            m.nato.member(code).willingness, base.nato.member(code).willingness
        )


def test_an_ally_standing_aside_cannot_veto():
    base = step_to(model(recognition()), 1)
    vetoed = step_to(model(recognition(), ally("HUN", "veto", 0.0)), 1)
    m = step_to(
        model(recognition(), ally("HUN", "veto", 0.0), ally("HUN", "leave_consensus", 1.0)), 1
    )
    assert (vetoed.nato.consensus == 0.0).all()
    assert (m.nato.consensus > 0.0).all()
    assert np.abs(m.nato.consensus - base.nato.consensus).mean() < 0.05


def test_an_ally_joining_the_common_line_moves_to_the_alliances_mean():
    base = model()
    m = model(ally("HUN", "join_consensus", 1.0))
    gap_before = np.abs(base.nato.member("HUN").willingness - base.nato.participation)
    gap_after = np.abs(m.nato.member("HUN").willingness - m.nato.participation)
    assert (gap_after <= gap_before + 1e-12).all()
    assert gap_after.mean() < gap_before.mean() / 2
    assert m.nato.cohesion.mean() > base.nato.cohesion.mean()


def test_an_allys_willingness_shift_moves_that_ally_most():
    base = model()
    m = model(ally("TUR", "willingness", -0.4))
    drop = base.nato.willingness - m.nato.willingness
    turkey = CODES.index("TUR")
    assert (drop[turkey] > 0).all()
    others = np.delete(drop, turkey, axis=0)
    assert (drop[turkey] > others.max(axis=0)).all()
    assert (m.nato.participation < base.nato.participation).all()


def test_national_measures_cost_russia_more_for_a_larger_economy_and_a_higher_tier():
    cost = {
        (code, tier): model(ally(code, "national_measures", tier)).russia.prospects().in_force
        for code, tier in (("DEU", 1.0), ("DEU", 2.0), ("EST", 2.0))
    }
    base = model().russia.prospects().in_force
    assert (cost["EST", 2.0] > base).all()
    assert (cost["DEU", 2.0] > cost["DEU", 1.0]).all()
    assert (cost["DEU", 2.0] > cost["EST", 2.0]).all()


# -- third countries --------------------------------------------------------------------


def test_hosting_russian_forces_adds_to_russias_force_and_its_chance_of_winning():
    base = step_to(model(), 1)
    host = Lever(actor="third_country", country="Belarus", kind="host_forces", level=1.0, week=1)
    m = step_to(model(host), 1)
    assert (m.russia.massed_force() > base.russia.massed_force()).all()
    assert (m.russia.prospects().victory_now >= base.russia.prospects().victory_now).all()
    assert m.russia.prospects().victory_now.mean() > base.russia.prospects().victory_now.mean()


def test_economic_backing_lowers_what_sanctions_cost_russia():
    backing = Lever(
        actor="third_country", country="China", kind="economic_backing", level=0.3, week=1
    )
    base = step_to(model(recognition()), 2)
    m = step_to(model(recognition(), backing), 2)
    assert (m.russia.sanction_unit() < base.russia.sanction_unit()).all()
    sanctioned = (base.west.sanctions > 0) & (m.west.sanctions > 0)
    assert sanctioned.sum() > 10
    assert (
        m.russia.prospects().in_force[sanctioned] < base.russia.prospects().in_force[sanctioned]
    ).all()


# -- validation -----------------------------------------------------------------------

VALID = 'title = "A scenario"\nquestion = "What happens?"\n'


def _error(lever_toml: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        loads_scenario(VALID + "[[levers]]\n" + lever_toml)
    return caught.value


def test_an_unknown_iso_code_is_one_line_naming_the_key_and_the_valid_codes():
    error = _error('actor = "ally"\nally = "XYZ"\nkind = "veto"\nlevel = 0.0\n')
    message = str(error)
    assert len(message.splitlines()) == 1
    assert "levers[0].ally" in message and "XYZ" in message
    assert "DEU" in message and "HUN" in message and "TUR" in message


@pytest.mark.parametrize(
    ("lever", "path"),
    [
        ('actor = "ally"\nkind = "veto"\nlevel = 0.0\n', "levers[0].ally"),
        ('actor = "west"\nally = "DEU"\nkind = "sanctions"\nlevel = 1.0\n', "levers[0].ally"),
        ('actor = "russia"\nkind = "ultimatum"\nlevel = 0.5\n', "levers[0].deadline"),
        ('actor = "russia"\nkind = "stand_down"\nlevel = 0.5\n', "levers[0].level"),
        ('actor = "russia"\nkind = "accept_partial"\nlevel = 0.0\n', "levers[0].issues"),
        (
            'actor = "west"\nkind = "partial_agreement"\nissues = ["enlargement"]\nlevel = 1.0\n',
            "levers[0].issues",
        ),
        ('actor = "russia"\nkind = "veto"\nlevel = 0.0\n', "levers[0].actor"),
        (
            'actor = "ally"\nally = "DEU"\nkind = "veto"\nlevel = 0.0\ncountry = "China"\n',
            "levers[0].country",
        ),
    ],
)
def test_a_misused_actor_lever_key_is_named(lever, path):
    error = _error(lever)
    assert path in error.paths
