"""The brief's items, the parameters' metadata, the allies' table, and that every
parameter does something.

Each parameter names its source (a brief id, "judgement", or a literature reference
with its year), has its default within its plausible range and its plausible range
within its valid bounds, and changes what the model does when moved to the far end
of its plausible range.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from crisis_sim import CrisisModel, Lever, Params
from crisis_sim.analysis.reference import actor_positions, weighted_mean_positions
from crisis_sim.model.brief import BRIEF, cite
from crisis_sim.model.members import load_members
from crisis_sim.model.params import iter_params, parameter_paths, with_values
from crisis_sim.scenario.files import load_scenario

INFOS = list(iter_params())
SEED_POSITION_IDS = (
    *(f"RU-{i}" for i in ("D1", "D2", "D3", "P1", "T1", "A1", "A2", "A3", "S1", "S2")),
    *(f"US-{i}" for i in ("R1", "D1", "O1", "O2", "T1", "T2", "P1", "S1")),
    *(f"NATO-{i}" for i in ("R1", "O1", "O2", "T1", "C1", "F1")),
    "UA-1",
    "UA-2",
    "UA-3",
    *(f"H{i}" for i in range(1, 7)),
)
"""Every id of shared/design/SEED-POSITIONS.md."""

BRIEF_ID = re.compile(r"\b(?:RU|US|NATO|UA)-[A-Z]?\d+\b|\bH\d+\b")
LITERATURE = re.compile(r"\([^()]*\b(?:1[89]|20)\d\d\b[^()]*\)")
BUCHAREST_NINE = {"BGR", "CZE", "EST", "HUN", "LVA", "LTU", "POL", "ROU", "SVK"}

FIXED_BY_BRIEF = frozenset(
    {"west.us_reservation.risk_reduction", "west.nato_reservation.risk_reduction"}
)
"""Parameters whose plausible range is the single point [1, 1]: a reservation point is
never below the t0 offer, and the t0 offer on risk reduction is already all of it
(NATO-O2)."""


# -- the brief --------------------------------------------------------------------------------


def test_the_brief_holds_every_id_of_the_seed_positions_with_its_words():
    assert set(SEED_POSITION_IDS) <= set(BRIEF)
    for item_id in SEED_POSITION_IDS:
        item = cite(item_id)
        assert item.id == item_id
        assert item.summary.strip() and item.quote.strip()


def test_citing_an_unknown_brief_id_names_the_known_ones():
    with pytest.raises(KeyError, match="RU-D1"):
        cite("RU-X9")


# -- the parameters' metadata ---------------------------------------------------------------


@pytest.mark.parametrize("info", INFOS, ids=lambda info: info.path)
def test_every_parameter_source_names_a_brief_item_or_judgement_or_literature(info):
    cited = BRIEF_ID.findall(info.source)
    unknown = [item_id for item_id in cited if item_id not in BRIEF]
    assert not unknown, f"{info.path} cites unknown brief ids {unknown}: {info.source!r}"
    assert cited or "judgement" in info.source or LITERATURE.search(info.source), (
        f"{info.path} has no brief id, 'judgement' or literature year: {info.source!r}"
    )


@pytest.mark.parametrize("info", INFOS, ids=lambda info: info.path)
def test_every_default_lies_in_its_plausible_range_and_its_valid_bounds(info):
    lo, hi = info.plausible
    low_bound, high_bound = info.bounds
    assert low_bound is not None and high_bound is not None
    assert low_bound <= lo <= info.default <= hi <= high_bound
    assert lo < hi or info.path in FIXED_BY_BRIEF, f"{info.path} has a one-point plausible range"
    assert info.unit.strip() and info.doc.strip()


@pytest.mark.parametrize("actor", ["us", "nato"])
def test_reservation_points_are_never_below_the_t0_offer(actor):
    params = Params()
    for info in INFOS:
        prefix = f"west.{actor}_reservation."
        if not info.path.startswith(prefix):
            continue
        issue = info.path.removeprefix(prefix)
        offer = getattr(getattr(params.west, f"{actor}_offer"), issue)
        assert info.plausible[0] >= offer, f"{info.path} may fall below the t0 offer {offer:g}"
        if info.path in FIXED_BY_BRIEF:
            assert info.plausible == (offer, offer) == (1.0, 1.0)


def test_parameter_paths_are_unique_and_name_every_scalar_parameter():
    paths = parameter_paths()
    assert len(paths) == len(set(paths)) == len(INFOS)
    for info in INFOS:
        assert with_values(Params(), {info.path: info.default}) == Params()


def test_values_outside_the_valid_bounds_or_unknown_paths_are_refused():
    with pytest.raises(ValidationError):
        with_values(Params(), {"russia.resolve": 1.5})
    with pytest.raises(ValidationError):
        with_values(Params(), {"west.us_offer.exercises": -0.1})
    with pytest.raises(KeyError, match=r"russia\.resolv"):
        with_values(Params(), {"russia.resolv": 0.5})


def test_a_sampled_parameter_outside_its_bounds_is_refused_by_name():
    with pytest.raises(ValueError, match=r"russia\.resolve"):
        CrisisModel(replications=3, sampled={"russia.resolve": [0.2, 0.5, 1.2]})
    with pytest.raises(ValueError, match=r"russia\.resolve"):
        CrisisModel(replications=3, sampled={"russia.resolve": [0.2, 0.5]})


# -- the allies ----------------------------------------------------------------------------------


def test_the_members_table_has_the_30_allies_with_the_bucharest_nine():
    members = load_members()
    codes = [member.iso3 for member in members]
    assert len(members) == 30 == len(set(codes))
    assert {member.iso3 for member in members if member.bucharest_nine} == BUCHAREST_NINE
    assert {"USA", "DEU", "FRA", "GBR", "TUR", "MKD", "MNE"} <= set(codes)
    for member in members:
        assert 0.0 <= member.gas_share <= 1.0, member.iso3
        assert member.gdp_usd_bn > 0 and member.population_millions > 0, member.iso3
        assert member.defence_spending >= 0, member.iso3
        assert member.sources, member.iso3
    border = {member.iso3 for member in members if member.border}
    assert {"POL", "LTU", "LVA", "EST", "NOR", "ROU", "SVK", "HUN"} <= border
    assert not {"USA", "DEU", "FRA", "GBR", "PRT"} & border


def test_the_model_seats_one_nato_member_agent_per_ally():
    m = CrisisModel(replications=2)
    assert [member.iso3 for member in m.nato.members] == [r.iso3 for r in load_members()]
    assert m.nato.willingness.shape == (30, 2)
    np.testing.assert_allclose(m.nato.traits.gdp_weight.sum(), 1.0)


# -- every parameter changes something -------------------------------------------------------

REFERENCE_ONLY = (
    "ukraine.position.",
    "west.us_salience.",
    # Ukraine's consent counts only the two issues about Ukraine (enlargement and
    # cooperation); its salience on the other issues feeds only the reference.
    "ukraine.salience.eastern_flank",
    "ukraine.salience.inf_missiles",
    "ukraine.salience.exercises",
    "ukraine.salience.risk_reduction",
)
"""Parameters that only feed the weighted-mean reference (crisis_sim.analysis.reference)."""

SALIENCE_ON_RISK_REDUCTION = ("west.us_salience.risk_reduction", "ukraine.salience.risk_reduction")
"""Reference parameters that cannot change the reference: every actor's position on risk
reduction is 1 (the brief: NATO-O2, Russia's drafts), and no weighting moves a mean of
equal positions. The reference test leaves them out; the test that all actors agree on
risk reduction keeps that justified, and another shows they count once positions differ."""

R = 2000
SEED = 99
ALLIED_SPLIT = load_scenario("allied_split")
SCENARIOS: dict[str, tuple[Lever, ...]] = {
    "baseline": (),
    "us_concession_on_exercises": (
        Lever(actor="united_states", kind="concede", issue="exercises", level=1.0, week=2),
    ),
    "us_concession_on_risk_reduction": (
        Lever(actor="united_states", kind="concede", issue="risk_reduction", level=1.0, week=1),
    ),
    "offers_on_enlargement": (
        Lever(actor="west", kind="offer", issue="enlargement", level=0.2),
        Lever(actor="united_states", kind="offer", issue="enlargement", level=0.4),
    ),
    "us_offer_on_ukraine_cooperation": (
        Lever(actor="united_states", kind="offer", issue="ukraine_cooperation", level=0.3),
    ),
    # Large enough that Ukraine's consent binds: at 0.3 its salience on cooperation moves
    # no outcome and no state by more than 4e-6.
    "west_offer_on_ukraine_cooperation": (
        Lever(actor="west", kind="offer", issue="ukraine_cooperation", level=1.0),
    ),
    "us_offer_on_the_eastern_flank": (
        Lever(actor="united_states", kind="offer", issue="eastern_flank", level=0.3),
    ),
    "allied_split_without_solidarity": tuple(ALLIED_SPLIT.all_levers()),
    "belarus_hosts_russian_forces": (
        Lever(actor="third_country", kind="host_forces", level=1.0, country="BLR"),
    ),
}
"""A parameter changes something if it changes any of these fixed-seed ensembles: the
baseline, or a scenario whose levers engage a mechanism the baseline leaves idle
(concessions, channels, offers about Ukraine that need its consent, U.S. offers beyond
NATO's, an Alliance too divided to impose what the U.S. imposes alone, a third country
hosting Russia's forces)."""

BASE_PARAMS: dict[str, Params] = {
    # The bundled allied_split scenario's parameters and its cohesion shock, with
    # solidarity at the low end of the scenario's uncertain range: the Alliance's
    # consensus falls below the U.S. unilateral sanctions tier in some worlds, so
    # west.us_unilateral_sanctions binds (at the defaults the consensus exceeds it).
    "allied_split_without_solidarity": with_values(
        ALLIED_SPLIT.params, {"alliance.solidarity": 0.0}
    ),
}
"""Parameters other than the defaults that a scenario of SCENARIOS starts from."""


def far_end(info) -> float:
    """The end of the plausible range farther from the default (the upper one on a tie)."""
    lo, hi = info.plausible
    return hi if hi - info.default >= info.default - lo else lo


@cache
def signature(values: tuple[tuple[str, float], ...], scenario: str):
    m = CrisisModel(
        with_values(BASE_PARAMS.get(scenario, Params()), dict(values)),
        replications=R,
        seed=SEED,
        levers=SCENARIOS[scenario],
        record_history=True,
    ).run()
    assert m.history is not None
    return m.outcomes(), {name: np.stack(v) for name, v in m.history.items()}


MEANINGFUL = 1e-3
"""A change counts when some state of some world in some week moves by more than this
(a tenth of a point on the 0-1 scales; an outcome or rung moves by 1), not by rounding."""


def largest_change(a, b) -> float:
    """The largest change of any world's outcome-table value or weekly state."""
    (table_a, history_a), (table_b, history_b) = a, b
    numeric = table_a.select_dtypes(include=["number", "bool"]).columns
    values_a = table_a[numeric].to_numpy(float)
    values_b = table_b[numeric].to_numpy(float)
    # Columns such as invasion_margin are NaN where there was no invasion: NaN in both
    # is no change, NaN in one only is a change (a max over NaNs would hide every change).
    nan_a, nan_b = np.isnan(values_a), np.isnan(values_b)
    difference = np.where(nan_a | nan_b, np.where(nan_a == nan_b, 0.0, np.inf), 0.0)
    both = ~(nan_a | nan_b)
    difference[both] = np.abs(values_a[both] - values_b[both])
    changes = [
        float((table_a["outcome"] != table_b["outcome"]).any()),
        float(difference.max()),
    ]
    for name, values in history_a.items():
        other = history_b[name]
        if values.shape != other.shape:  # the worlds ended in other weeks
            return np.inf
        changes.append(float(np.abs(values.astype(float) - other.astype(float)).max()))
    return max(changes)


# A parameter whose plausible range is a single point (FIXED_BY_BRIEF) cannot be moved,
# so it cannot be asked to change anything.
MODEL_PARAMETERS = [
    info
    for info in INFOS
    if not info.path.startswith(REFERENCE_ONLY) and info.plausible[0] < info.plausible[1]
]
REFERENCE_PARAMETERS = [
    info
    for info in INFOS
    if info.path.startswith(REFERENCE_ONLY) and info.path not in SALIENCE_ON_RISK_REDUCTION
]


@pytest.mark.slow  # a run of 51 weeks per parameter, about a minute in all: CI runs it
@pytest.mark.parametrize("info", MODEL_PARAMETERS, ids=lambda info: info.path)
def test_moving_each_parameter_to_the_far_end_of_its_plausible_range_changes_the_model(info):
    value = far_end(info)
    assert value != info.default
    for scenario in SCENARIOS:
        moved = largest_change(signature((), scenario), signature(((info.path, value),), scenario))
        if moved > MEANINGFUL:
            return
    pytest.fail(
        f"{info.path}: moving it from {info.default:g} to {value:g} changes no outcome and "
        f"no state by more than {MEANINGFUL:g} in any of {', '.join(SCENARIOS)} ({R} worlds, "
        f"seed {SEED})"
    )


def test_largest_change_sees_a_change_in_a_column_that_is_nan_in_some_worlds():
    # invasion_margin is NaN where no invasion came: a plain max over NaN hid every change
    table = pd.DataFrame({"outcome": ["standoff", "full_invasion"], "margin": [np.nan, 0.1]})
    history = {"rung": np.zeros((2, 2))}
    moved = table.assign(margin=[np.nan, 0.3])
    assert largest_change((table, history), (moved, history)) == pytest.approx(0.2)
    assert largest_change((table, history), (table.copy(), history)) == 0.0
    appeared = table.assign(margin=[0.5, 0.1])
    assert largest_change((table, history), (appeared, history)) == np.inf


def test_the_baseline_signature_has_early_collapses_for_the_war_parameters_to_act_on():
    # war.collapse_control acts only in an early collapse, war.advance_rate only in a war:
    # the fixed-seed baseline must hold both, or their test above would prove nothing
    table, _ = signature((), "baseline")
    assert (table["outcome"] == "full_invasion").sum() >= 100
    assert (table["war_collapse_week"] >= 0).sum() >= 10


@pytest.mark.parametrize("info", REFERENCE_PARAMETERS, ids=lambda info: info.path)
def test_moving_each_reference_parameter_to_the_far_end_changes_the_weighted_mean_reference(info):
    value = far_end(info)
    before = weighted_mean_positions(Params())
    after = weighted_mean_positions(with_values(Params(), {info.path: value}))
    # At least a tenth of a point on some issue (the smallest move, ukraine.salience.exercises,
    # is 0.0015), not a rounding difference.
    assert np.abs(after.to_numpy() - before.to_numpy()).max() > MEANINGFUL, (
        f"{info.path}: {info.default:g} -> {value:g} leaves the reference at {before.to_dict()}"
    )


def test_every_actor_takes_the_same_position_on_risk_reduction():
    # Keeps SALIENCE_ON_RISK_REDUCTION out of the reference test for a reason.
    table = actor_positions(Params())
    positions = table.loc[table["issue"] == "risk_reduction", "position"]
    assert len(positions) == 4
    np.testing.assert_array_equal(positions, 1.0)


@pytest.mark.parametrize("path", SALIENCE_ON_RISK_REDUCTION)
def test_saliences_on_risk_reduction_weigh_in_once_positions_on_it_differ(path):
    info = next(info for info in INFOS if info.path == path)
    apart = with_values(Params(), {"ukraine.position.risk_reduction": 0.0})
    before = weighted_mean_positions(apart)["risk_reduction"]
    after = weighted_mean_positions(with_values(apart, {path: far_end(info)}))["risk_reduction"]
    assert abs(after - before) > 0.01  # 0.017 and 0.055 at the time of writing


def test_the_weighted_mean_reference_lies_between_the_actors_positions():
    reference = weighted_mean_positions(Params())
    assert isinstance(reference, pd.Series)
    assert ((reference >= 0.0) & (reference <= 1.0)).all()
    # Russia demands 1 on every issue; the West's red lines are 0, so the reference
    # on enlargement lies strictly between.
    assert 0.0 < reference["enlargement"] < 1.0
