"""Invariants that hold for every parameter setting and every scenario.

Hypothesis draws parameter values over their documented plausible ranges (and, in
one test, over their whole valid bounds), per-world ``sampled=`` arrays, and
random levers; every run must keep each state within its bounds, stay finite, and
end every world in exactly one of the five outcome classes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from crisis_sim import CrisisModel, Lever, Params
from crisis_sim.model.domain import ISSUES, OUTCOMES, Outcome, Rung
from crisis_sim.model.levers import (
    ACTORS_BY_KIND,
    ISSUES_KINDS,
    LEVEL_BOUNDS,
    LeverActor,
    LeverKind,
    ally_codes,
)
from crisis_sim.model.params import iter_params, with_values

R = 64
HORIZON = 26
INFOS = list(iter_params())
PATHS = [info.path for info in INFOS]

STATE_BOUNDS = {
    "rung": (0, 4),
    "sanctions": (0.0, 3.0),
    "posture": (0.0, 2.0),
    "support": (0.0, 2.0),
    "cohesion": (0.0, 1.0),
    "resolve_belief": (0.0, 1.0),
    "type_belief": (0.0, 1.0),
}
RATCHETS = ("sanctions", "posture", "support")
OUTCOME_CODES = {int(o) for o in OUTCOMES}


def plausible_values() -> st.SearchStrategy[dict[str, float]]:
    """One value per scalar parameter, within its plausible range."""
    return st.fixed_dictionaries(
        {
            info.path: st.floats(*info.plausible, allow_nan=False, allow_infinity=False)
            for info in INFOS
        }
    )


def valid_values() -> st.SearchStrategy[dict[str, float]]:
    """Values for a few parameters anywhere within their valid bounds."""
    return st.dictionaries(
        st.sampled_from(INFOS),
        st.just(None),
        max_size=12,
    ).flatmap(
        lambda chosen: st.fixed_dictionaries(
            {
                info.path: st.floats(info.bounds[0], info.bounds[1], allow_nan=False)
                for info in chosen
            }
        )
    )


@st.composite
def levers(draw: st.DrawFn) -> Lever:
    """Any valid lever, with its timing and condition."""
    kind = draw(st.sampled_from(list(LeverKind)))
    actor = draw(st.sampled_from(sorted(ACTORS_BY_KIND[kind])))
    lo, hi = LEVEL_BOUNDS[kind]
    needs_issue = kind in (LeverKind.OFFER, LeverKind.CONCEDE)
    agreement = kind is LeverKind.PARTIAL_AGREEMENT
    issues = (
        draw(st.lists(st.sampled_from(ISSUES), min_size=1, max_size=3, unique=True))
        if kind in ISSUES_KINDS
        else []
    )
    return Lever(
        actor=actor,
        kind=kind,
        issue=draw(st.sampled_from(ISSUES)) if needs_issue else None,
        level=draw(st.floats(lo, hi)),
        week=draw(st.integers(0, 8)),
        when_rung_at_least=draw(st.none() | st.sampled_from(list(Rung))),
        when_talking=draw(st.booleans()),
        bypass_ukraine_consent=(
            draw(st.booleans()) if kind is LeverKind.OFFER else agreement and bool(issues)
        ),
        ally=draw(st.sampled_from(ally_codes())) if actor is LeverActor.ALLY else None,
        issues=issues,
        deadline=draw(st.integers(1, 6)) if kind is LeverKind.ULTIMATUM else None,
    )


RUNS_ON = ("sanctions", "posture", "support", "cohesion")
"""What keeps evolving in a world at war after its invasion week (the war runs on)."""

INVASION_ONLY = ("invasion_margin", "invasion_victory")
"""Columns recorded only for a world Russia invaded (NaN otherwise)."""


def check_invariants(m: CrisisModel) -> None:
    """Every state in bounds and finite; every world ended in one class, in time."""
    r = m.replications
    assert not m.running
    table = m.outcomes()
    # Exactly one of the five classes, reached in week 1..horizon.
    assert set(np.unique(m.outcome)) <= OUTCOME_CODES
    assert table["outcome"].notna().all()
    assert table["week"].between(1, m.horizon).all()
    assert not m.active.any()
    numeric = table.select_dtypes(include=["number", "bool"]).drop(columns=list(INVASION_ONLY))
    assert np.isfinite(numeric.to_numpy(dtype=float)).all(), numeric.columns[
        ~np.isfinite(numeric.to_numpy(dtype=float)).all(axis=0)
    ].tolist()
    # Each class agrees with where Russia ended.
    end, top = table["end_rung"], table["max_rung"]
    outcome = table["outcome"]
    assert (end[outcome == "de_escalation"] == Rung.DIPLOMACY).all()
    assert (end[outcome == "full_invasion"] == Rung.FULL_INVASION).all()
    assert (end[outcome == "limited_incursion"] == Rung.LIMITED_INCURSION).all()
    assert (end[outcome == "standoff"] <= Rung.MILITARY_TECHNICAL).all()
    assert (table.loc[outcome == "standoff", "week"] == m.horizon).all()
    assert (end[outcome == "nato_russia_clash"] >= Rung.LIMITED_INCURSION).all()
    assert (top >= end).all()
    for issue in ISSUES:
        assert table[f"gain_{issue.key}"].between(0.0, 1.0).all()
        assert table[f"agreed_{issue.key}"].between(0.0, 1.0).all()
    assert (table["concessions_granted"] >= 0).all()
    # An invasion, and only one, has a reason, a margin and a chance of victory; it ends
    # the world as a full invasion (a clash in its week is a clash in the war).
    invaded = end == Rung.FULL_INVASION
    assert (table["invasion_reason"].notna() == invaded).all()
    for name in INVASION_ONLY:
        assert (np.isfinite(table[name]) == invaded).all(), name
    assert (table.loc[invaded, "invasion_margin"] >= 0).all()
    assert table.loc[invaded, "invasion_victory"].between(0.0, 1.0).all()
    assert (outcome[invaded] == "full_invasion").all()
    # The war and the actors' choices, in their bounds.
    for name in ("offer_step", "war_risk", "resistance", "mobilised", "war_front"):
        assert table[name].between(0.0, 1.0).all(), name
    for name in ("war_collapse_week", "ceasefire_week", "war_clash_week"):
        assert (table.loc[~invaded, name] == -1).all(), name
        weeks = table.loc[invaded, name]
        after = (
            weeks >= table.loc[invaded, "week"]
            if name == "war_clash_week"
            else weeks > table.loc[invaded, "week"]
        )
        assert ((weeks == -1) | after).all(), name
    assert (table.loc[~invaded, "war_front"] == 0).all()
    # The alliance's and Ukraine's states.
    for name in ("willingness", "cohesion", "consensus", "participation", "wedge"):
        values = getattr(m.nato, name)
        assert np.isfinite(values).all() and (values >= 0).all() and (values <= 1).all(), name
    assert np.isfinite(m.ukraine.resistance).all()
    assert ((m.ukraine.resistance >= 0) & (m.ukraine.resistance <= 1)).all()
    # The history: in bounds, finite, ratchets never step down, ended worlds frozen (but
    # for the West's response and the allies' cohesion in a world at war).
    assert m.history is not None
    history = {name: np.stack(values) for name, values in m.history.items()}
    weeks = history["rung"].shape[0]
    assert weeks == m.week + 1
    for name, (lo, hi) in STATE_BOUNDS.items():
        values = history[name]
        assert values.shape == (weeks, r)
        assert np.isfinite(values).all(), name
        assert (values >= lo).all() and (values <= hi).all(), name
    assert set(np.unique(history["state"])) <= OUTCOME_CODES | {100 + int(g) for g in Rung}
    for name in RATCHETS:
        assert (np.diff(history[name], axis=0) >= 0).all(), name
    for world in range(r):
        ended = int(np.flatnonzero(history["state"][:, world] < 100)[0])
        if m.outcome[world] == Outcome.LIMITED_INCURSION:
            assert ended == m.horizon
        else:
            assert ended == m.outcome_week[world]
        assert history["state"][ended, world] == m.outcome[world]
        frozen = (*STATE_BOUNDS, "state")
        if m.russia.rung[world] == Rung.FULL_INVASION:
            frozen = tuple(name for name in frozen if name not in RUNS_ON)
        for name in frozen:
            assert (history[name][ended:, world] == history[name][ended, world]).all(), name
    # A limited incursion dates from the first week Russia stood at the incursion rung.
    incursion = np.flatnonzero(m.outcome == Outcome.LIMITED_INCURSION)
    for world in incursion:
        first = np.flatnonzero(history["rung"][1:, world] >= Rung.LIMITED_INCURSION)[0] + 1
        assert m.outcome_week[world] == first


@given(values=plausible_values(), seed=st.integers(0, 2**32 - 1))
def test_states_stay_in_bounds_and_every_world_ends_once_over_plausible_parameters(values, seed):
    m = CrisisModel(with_values(Params(), values), replications=R, seed=seed, horizon=HORIZON)
    check_invariants(m.run())


@given(
    values=plausible_values(),
    chosen=st.lists(levers(), max_size=6),
    horizon=st.integers(1, 30),
    seed=st.integers(0, 1000),
)
def test_states_stay_in_bounds_and_every_world_ends_once_with_any_levers(
    values, chosen, horizon, seed
):
    m = CrisisModel(
        with_values(Params(), values), replications=R, seed=seed, levers=chosen, horizon=horizon
    )
    check_invariants(m.run())


@given(data=st.data(), seed=st.integers(0, 1000))
def test_states_stay_in_bounds_with_per_world_sampled_parameters(data, seed):
    chosen = data.draw(st.lists(st.sampled_from(INFOS), unique=True, min_size=1, max_size=15))
    sampled = {
        info.path: data.draw(
            arrays(float, R, elements=st.floats(*info.plausible, allow_nan=False)),
            label=info.path,
        )
        for info in chosen
    }
    m = CrisisModel(replications=R, seed=seed, sampled=sampled)
    check_invariants(m.run())


@given(values=valid_values(), seed=st.integers(0, 1000))
def test_states_stay_in_bounds_anywhere_within_the_valid_parameter_bounds(values, seed):
    m = CrisisModel(with_values(Params(), values), replications=R, seed=seed)
    check_invariants(m.run())


@example(
    values={
        "russia.salience.inf_missiles": 0.0,
        "russia.salience.exercises": 0.0,
        "russia.salience.risk_reduction": 0.0,
    }
)
@given(
    values=st.fixed_dictionaries(
        {
            f"russia.salience.{key}": st.floats(0.0, 1.0)
            for key in ("inf_missiles", "exercises", "risk_reduction")
        }
    )
)
def test_russias_salience_on_the_reciprocal_issues_may_be_zero_anywhere_in_its_range(values):
    # Each of these saliences has plausible range 0-1, so all three may be 0 at once.
    offer = Lever(actor="west", kind="offer", issue="eastern_flank", level=0.5)
    m = CrisisModel(with_values(Params(), values), replications=R, seed=1, levers=[offer])
    check_invariants(m.run())
    assert np.isfinite(m.deal.reciprocity).all()


def test_sampled_parameters_equal_to_the_scenario_value_change_nothing():
    values = {"russia.resolve": 0.65, "alliance.solidarity": 0.55, "west.us_offer.exercises": 0.8}
    fixed = CrisisModel(with_values(Params(), values), replications=200, seed=4).run()
    sampled = CrisisModel(
        replications=200, seed=4, sampled={path: np.full(200, v) for path, v in values.items()}
    ).run()
    # The sampled table also lists each world's sampled values; the rest must agree.
    pd.testing.assert_frame_equal(fixed.outcomes(), sampled.outcomes().drop(columns=list(values)))
    for path, value in values.items():
        assert (sampled.outcomes()[path] == value).all()
    for name in fixed.history:
        np.testing.assert_array_equal(
            np.stack(fixed.history[name]), np.stack(sampled.history[name])
        )


def test_each_world_follows_its_own_sampled_parameter_value():
    # Worlds given Russia's lowest and highest plausible resolve run as in the
    # scenarios where everyone has that resolve.
    lo, hi = next(info.plausible for info in INFOS if info.path == "russia.resolve")
    resolve = np.where(np.arange(300) % 2 == 0, lo, hi)
    mixed = CrisisModel(replications=300, seed=9, sampled={"russia.resolve": resolve}).run()
    for value in (lo, hi):
        alone = CrisisModel(
            with_values(Params(), {"russia.resolve": value}), replications=300, seed=9
        ).run()
        mine = resolve == value
        pd.testing.assert_frame_equal(
            mixed.outcomes().drop(columns=["russia.resolve"])[mine].reset_index(drop=True),
            alone.outcomes()[mine].reset_index(drop=True),
        )
