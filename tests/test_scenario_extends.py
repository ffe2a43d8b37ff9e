"""``extends``: a scenario starts from another; tables deep-merge, arrays replace."""

from __future__ import annotations

from pathlib import Path

import pytest

from crisis_sim.model.domain import Issue, Rung
from crisis_sim.model.levers import LeverKind
from crisis_sim.model.params import Params
from crisis_sim.scenario.errors import ScenarioError
from crisis_sim.scenario.files import bundled_dir, load_scenario, loads_scenario

DEFAULTS = Params()

PARENT = """
title = "Parent"
question = "What does the parent ask?"
description = "The parent's story."
brief_ids = ["RU-D1", "US-O1"]

[run]
horizon = 20
seed = 7
runs = 500

[params.russia]
resolve = 0.3
war_cost = 0.6

[params.west.us_offer]
inf_missiles = 0.4
exercises = 0.3

[[uncertain]]
param = "russia.revisionist_prior"
distribution = "uniform"
low = 0.3
high = 0.7

[[levers]]
actor = "west"
kind = "offer"
issue = "inf_missiles"
level = 1.0
week = 1

[[levers]]
actor = "nato"
kind = "posture"
level = 1.0
week = 2

[[events]]
kind = "incident"
week = 5
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def parent(tmp_path: Path) -> Path:
    return _write(tmp_path, "parent.toml", PARENT)


def _child(tmp_path: Path, body: str, name: str = "child.toml") -> Path:
    return _write(tmp_path, name, 'extends = "parent.toml"\n' + body)


def test_a_child_that_only_extends_equals_its_parent_but_for_its_name(tmp_path, parent):
    child = load_scenario(_child(tmp_path, ""))
    mother = load_scenario(parent)
    assert child.name == "child"
    assert child.model_dump(exclude={"name"}) == mother.model_dump(exclude={"name"})


def test_a_child_overrides_a_scalar(tmp_path, parent):
    child = load_scenario(_child(tmp_path, 'title = "Child"\n'))
    assert child.title == "Child"
    assert child.question == "What does the parent ask?"
    assert child.description == "The parent's story."


def test_a_child_sets_one_key_of_a_table_and_the_others_keep_the_parents(tmp_path, parent):
    child = load_scenario(_child(tmp_path, "[params.russia]\nresolve = 0.9\n"))
    russia = child.params.russia
    assert russia.resolve == 0.9
    assert russia.war_cost == 0.6  # the parent's
    assert russia.audience_cost == DEFAULTS.russia.audience_cost  # the model's default
    assert child.params.west.us_offer.inf_missiles == 0.4  # another table: untouched


def test_a_child_changes_one_issue_of_a_per_issue_vector_and_the_others_keep_theirs(
    tmp_path, parent
):
    child = load_scenario(_child(tmp_path, "[params.west.us_offer]\nexercises = 0.9\n"))
    offer = child.params.west.us_offer
    assert offer.exercises == 0.9
    assert offer.inf_missiles == 0.4  # the parent's
    for issue in (Issue.ENLARGEMENT, Issue.EASTERN_FLANK, Issue.RISK_REDUCTION):
        assert getattr(offer, issue.key) == getattr(DEFAULTS.west.us_offer, issue.key)
    assert child.params.russia.resolve == 0.3


def test_a_child_sets_one_run_setting_and_the_others_keep_the_parents(tmp_path, parent):
    child = load_scenario(_child(tmp_path, "[run]\nseed = 99\n"))
    assert child.run.seed == 99
    assert child.run.horizon == 20
    assert child.run.runs == 500


def test_a_childs_levers_replace_the_parents(tmp_path, parent):
    child = load_scenario(
        _child(tmp_path, "[[levers]]\nactor = 'west'\nkind = 'sanctions'\nlevel = 2.0\nweek = 3\n")
    )
    assert len(child.levers) == 1
    assert child.levers[0].kind is LeverKind.SANCTIONS
    assert len(child.events) == 1  # not given by the child: the parent's


def test_an_empty_array_in_a_child_removes_the_parents_entries(tmp_path, parent):
    child = load_scenario(_child(tmp_path, "levers = []\nuncertain = []\nbrief_ids = []\n"))
    assert child.levers == []
    assert child.uncertain == []
    assert child.brief_ids == []
    assert len(child.events) == 1


def test_a_childs_uncertain_and_brief_ids_replace_the_parents(tmp_path, parent):
    child = load_scenario(
        _child(
            tmp_path,
            'brief_ids = ["H1"]\n[[uncertain]]\nparam = "russia.resolve"\n'
            'distribution = "fixed"\nvalue = 0.5\n',
        )
    )
    assert child.brief_ids == ["H1"]
    assert [dist.param for dist in child.uncertain] == ["russia.resolve"]


def test_a_chain_of_three_files_merges_in_order_the_nearest_winning(tmp_path, parent):
    _write(
        tmp_path,
        "middle.toml",
        'extends = "parent.toml"\ntitle = "Middle"\n[params.russia]\nresolve = 0.5\n'
        "[run]\nhorizon = 15\n",
    )
    leaf = _write(
        tmp_path,
        "leaf.toml",
        'extends = "middle.toml"\n[params.russia]\nwar_cost = 0.9\n'
        "[params.west.us_offer]\nexercises = 0.6\n",
    )
    scenario = load_scenario(leaf)
    assert scenario.name == "leaf"
    assert scenario.title == "Middle"  # from the middle
    assert scenario.question == "What does the parent ask?"  # from the root
    assert scenario.params.russia.resolve == 0.5  # the middle overrides the root
    assert scenario.params.russia.war_cost == 0.9  # the leaf overrides the root
    assert scenario.params.west.us_offer.inf_missiles == 0.4  # the root's
    assert scenario.params.west.us_offer.exercises == 0.6  # the leaf's
    assert scenario.run.horizon == 15
    assert scenario.run.seed == 7
    assert len(scenario.levers) == 2


def test_extends_is_relative_to_the_file_that_says_it(tmp_path, parent):
    """Outside the file's own folder only when the caller allows it (see test_hostile_scenarios)."""
    nested = _write(tmp_path / "variants" / "deep", "v.toml", 'extends = "../../parent.toml"\n')
    assert load_scenario(nested, allow_outside=True).title == "Parent"


def test_a_child_of_a_bundled_scenario_inherits_its_uncertain_parameters(tmp_path):
    baseline = load_scenario("baseline")
    bundled = bundled_dir() / "baseline.toml"
    child = _write(
        tmp_path,
        "mine.toml",
        f'extends = "{bundled.resolve().as_posix()}"\ntitle = "Mine"\n'
        "[params.russia]\nresolve = 0.6\n",
    )
    scenario = load_scenario(child)
    assert scenario.uncertain == baseline.uncertain
    assert scenario.params.russia.resolve == 0.6
    assert scenario.params.russia.war_cost == baseline.params.russia.war_cost


def test_a_child_can_set_a_rung_condition_the_parent_lacked(tmp_path, parent):
    child = load_scenario(
        _child(
            tmp_path,
            "[[levers]]\nactor = 'west'\nkind = 'sanctions'\nlevel = 1.0\n"
            "when_rung_at_least = 'military_technical'\n",
        )
    )
    assert child.levers[0].when_rung_at_least is Rung.MILITARY_TECHNICAL


# -- mistakes --------------------------------------------------------------------------


def _error(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return caught.value


def test_extending_a_missing_file_is_a_scenario_error_naming_extends_and_the_file(tmp_path):
    path = _write(
        tmp_path, "orphan.toml", 'extends = "nowhere.toml"\ntitle = "t"\nquestion = "q"\n'
    )
    error = _error(path)
    assert error.paths == ["extends"]
    assert "orphan.toml" in str(error)
    assert "nowhere.toml" in str(error)


def test_a_file_extending_itself_is_a_scenario_error_naming_extends(tmp_path):
    path = _write(tmp_path, "me.toml", 'extends = "me.toml"\ntitle = "t"\nquestion = "q"\n')
    error = _error(path)
    assert error.paths == ["extends"]
    assert "me.toml" in str(error)


def test_two_files_extending_each_other_are_a_scenario_error_naming_extends(tmp_path):
    a = _write(tmp_path, "a.toml", 'extends = "b.toml"\ntitle = "t"\nquestion = "q"\n')
    _write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    error = _error(a)
    assert error.paths == ["extends"]
    assert "a.toml" in str(error)
    assert "b.toml" in str(error)


def test_a_cycle_of_three_files_is_a_scenario_error_naming_extends(tmp_path):
    a = _write(tmp_path, "a.toml", 'extends = "b.toml"\ntitle = "t"\nquestion = "q"\n')
    _write(tmp_path, "b.toml", 'extends = "c.toml"\n')
    _write(tmp_path, "c.toml", 'extends = "a.toml"\n')
    assert _error(a).paths == ["extends"]


def test_a_file_reached_twice_without_a_cycle_is_not_a_cycle(tmp_path, parent):
    """Two variants of one parent, one extending the other: a chain, not a cycle."""
    _child(tmp_path, 'title = "First"\n', name="first.toml")
    second = _write(tmp_path, "second.toml", 'extends = "first.toml"\n')
    assert load_scenario(second).title == "First"


def test_a_syntax_error_in_a_parent_names_the_parent(tmp_path):
    _write(tmp_path, "broken.toml", 'title = "t\n')
    child = _write(tmp_path, "child.toml", 'extends = "broken.toml"\nquestion = "q"\n')
    error = _error(child)
    assert "broken.toml" in str(error)
    assert "line 1" in str(error)


def test_a_mistake_inherited_from_a_parent_names_the_parent(tmp_path):
    """The analyst must be told which file holds the bad value."""
    _write(tmp_path, "bad_parent.toml", 'title = "t"\nquestion = "q"\n[run]\nhorizon = 0\n')
    child = _write(tmp_path, "child.toml", 'extends = "bad_parent.toml"\ntitle = "Child"\n')
    error = _error(child)
    assert "run.horizon" in error.paths
    assert "bad_parent.toml" in str(error)


def test_a_child_may_fix_a_mistake_of_its_parent(tmp_path):
    """Validation happens after merging: only the merged scenario must be valid."""
    _write(tmp_path, "draft.toml", 'title = "t"\nquestion = "q"\n[run]\nhorizon = 0\n')
    child = _write(tmp_path, "fixed.toml", 'extends = "draft.toml"\n[run]\nhorizon = 10\n')
    assert load_scenario(child).run.horizon == 10


def test_a_childs_mistake_is_reported_with_the_childs_name(tmp_path, parent):
    error = _error(_child(tmp_path, "[params.russia]\nresolve = 2.0\n"))
    assert error.paths == ["params.russia.resolve"]
    assert "child.toml" in str(error)


def test_extends_is_not_available_in_toml_text():
    with pytest.raises(ScenarioError) as caught:
        loads_scenario('extends = "baseline.toml"\ntitle = "t"\nquestion = "q"\n')
    assert caught.value.paths == ["extends"]
