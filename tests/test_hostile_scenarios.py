"""Hostile scenario files: loading them is safe, and every mistake is a ScenarioError.

A scenario file may come from anyone. ``extends`` stays in the file's own folder or
the bundled library unless the caller allows more; an error never shows a value
another file set (extending a credentials file must not print its token), never
prints a control character raw, and never shows a long value; a file cannot name the
scenario (the name steers output folders); and values that validate one by one but
make no sense together (weights that overflow, shapes SciPy cannot invert, parameters
out of order, levers that contradict each other or can never fire) are refused.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from crisis_sim.problems import MISSING, Problem, show
from crisis_sim.scenario.errors import ScenarioError
from crisis_sim.scenario.files import (
    bundled_dir,
    json_schema,
    load_scenario,
    loads_scenario,
    scenario_from_dict,
)
from crisis_sim.scenario.schema import (
    MAX_BETA_SHAPE,
    MAX_EXTENDS,
    NAME_PATTERN,
    Beta,
    Choice,
    cross_problems,
    safe_name,
)

VALID = 'title = "A scenario"\nquestion = "What happens?"\n'
SECRET = "s3cr3t-XYZ"


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _load_error(path: Path, **options: bool) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, **options)
    return caught.value


def _text_error(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        loads_scenario(text)
    return caught.value


def _controls(text: str) -> list[str]:
    return [c for c in text if unicodedata.category(c) == "Cc" and c != "\n"]


# -- extends stays in the file's folder or the bundled library -------------------------


def test_extends_into_a_subfolder_is_followed(tmp_path):
    _write(tmp_path / "parents" / "deep", "p.toml", VALID + 'description = "from below"\n')
    child = _write(tmp_path, "child.toml", 'extends = "parents/deep/p.toml"\n')
    assert load_scenario(child).description == "from below"


def test_extends_up_out_of_the_folder_is_refused_and_says_how_to_allow_it(tmp_path):
    _write(tmp_path, "parent.toml", VALID)
    child = _write(tmp_path / "variants", "child.toml", 'extends = "../parent.toml"\n')
    error = _load_error(child)
    assert error.paths == ["extends"]
    message = str(error)
    assert "this file's folder" in message
    assert "bundled scenario" in message
    assert "allow_outside=True" in message
    assert "--allow-extends-outside" in message
    assert load_scenario(child, allow_outside=True).title == "A scenario"


def test_extends_to_an_absolute_path_elsewhere_is_refused(tmp_path):
    elsewhere = _write(tmp_path / "elsewhere", "parent.toml", VALID)
    child = _write(tmp_path / "mine", "child.toml", f'extends = "{elsewhere.as_posix()}"\n')
    assert _load_error(child).paths == ["extends"]
    assert load_scenario(child, allow_outside=True).title == "A scenario"


def test_extends_to_an_absolute_path_inside_the_folder_is_followed(tmp_path):
    parent = _write(tmp_path / "sub", "parent.toml", VALID)
    child = _write(tmp_path, "child.toml", f'extends = "{parent.resolve().as_posix()}"\n')
    assert load_scenario(child).title == "A scenario"


def test_a_parent_may_not_reach_out_of_its_own_folder_either(tmp_path):
    """Each file of a chain is confined to its own folder, not to the first file's."""
    _write(tmp_path, "root.toml", VALID)
    _write(tmp_path / "sub", "middle.toml", 'extends = "../root.toml"\n')
    child = _write(tmp_path, "child.toml", 'extends = "sub/middle.toml"\n')
    error = _load_error(child)
    assert error.paths == ["extends"]
    assert "middle.toml" in str(error)
    assert load_scenario(child, allow_outside=True).title == "A scenario"


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges")
def test_a_symlink_in_the_folder_that_points_outside_is_refused(tmp_path):
    outside = _write(tmp_path / "outside", "secret.toml", f'token = "{SECRET}"\n' + VALID)
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "parent.toml").symlink_to(outside)
    child = _write(folder, "child.toml", 'extends = "parent.toml"\n')
    error = _load_error(child)
    assert error.paths == ["extends"]
    assert SECRET not in str(error)


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges")
def test_a_symlink_loop_is_a_scenario_error_at_extends(tmp_path):
    (tmp_path / "a.toml").symlink_to(tmp_path / "b.toml")
    (tmp_path / "b.toml").symlink_to(tmp_path / "a.toml")
    child = _write(tmp_path, "child.toml", 'extends = "a.toml"\n' + VALID)
    assert _load_error(child).paths == ["extends"]


def test_a_bundled_scenario_by_its_absolute_path_is_followed(tmp_path):
    bundled = (bundled_dir() / "baseline.toml").resolve()
    child = _write(tmp_path, "mine.toml", f'extends = "{bundled.as_posix()}"\n')
    assert load_scenario(child).uncertain == load_scenario("baseline").uncertain


@pytest.mark.parametrize("parent", ["baseline", "baseline.toml"])
def test_a_bare_name_with_no_file_next_to_the_child_is_the_bundled_scenario(tmp_path, parent):
    baseline = load_scenario("baseline")
    child = _write(tmp_path, "mine.toml", f'extends = "{parent}"\ntitle = "Mine"\n')
    scenario = load_scenario(child)
    assert scenario.title == "Mine"
    assert scenario.question == baseline.question
    assert scenario.uncertain == baseline.uncertain
    assert scenario.name == "mine"


@pytest.mark.parametrize("parent", ["baseline", "baseline.toml"])
def test_a_file_next_to_the_child_wins_over_the_bundled_scenario(tmp_path, parent):
    _write(tmp_path, "baseline.toml", 'title = "My own baseline"\nquestion = "Mine?"\n')
    child = _write(tmp_path, "child.toml", f'extends = "{parent}"\n')
    scenario = load_scenario(child)
    assert scenario.title == "My own baseline"
    assert scenario.uncertain == []


def test_a_bare_name_that_is_no_bundled_scenario_is_missing(tmp_path):
    child = _write(tmp_path, "child.toml", 'extends = "no_such_parent"\n' + VALID)
    error = _load_error(child)
    assert error.paths == ["extends"]
    assert "no_such_parent" in str(error)


def test_a_folder_name_is_not_looked_up_in_the_bundled_library(tmp_path):
    child = _write(tmp_path, "child.toml", 'extends = "sub/baseline.toml"\n' + VALID)
    assert _load_error(child).paths == ["extends"]


@pytest.mark.parametrize(
    "parent", ["a\\u0000b.toml", "x" * 5000 + ".toml", "", ".", "..", "/"], ids=repr
)
def test_an_extends_the_system_cannot_follow_is_a_scenario_error_at_extends(tmp_path, parent):
    child = _write(tmp_path, "child.toml", f'extends = "{parent}"\n' + VALID)
    error = _load_error(child, allow_outside=True)
    assert error.paths == ["extends"]
    assert "Traceback" not in str(error)
    assert "x" * 81 not in str(error)


def test_a_chain_longer_than_the_limit_is_refused(tmp_path):
    _write(tmp_path, "f0.toml", VALID)
    for index in range(1, MAX_EXTENDS + 2):
        _write(tmp_path, f"f{index}.toml", f'extends = "f{index - 1}.toml"\n')
    assert load_scenario(tmp_path / f"f{MAX_EXTENDS - 1}.toml").title == "A scenario"
    error = _load_error(tmp_path / f"f{MAX_EXTENDS + 1}.toml")
    assert error.paths == ["extends"]
    assert f"at most {MAX_EXTENDS}" in str(error)


# -- errors never show a value from another file ---------------------------------------


def test_extending_a_credentials_file_does_not_print_its_token(tmp_path):
    _write(tmp_path, "credentials.toml", f'token = "{SECRET}"\n')
    child = _write(tmp_path, "child.toml", 'extends = "credentials.toml"\n' + VALID)
    error = _load_error(child)
    assert error.paths == ["token"]
    message = str(error)
    assert SECRET not in message
    assert "credentials.toml" in message
    assert error.problems[0].value is MISSING


@pytest.mark.parametrize(
    "parent",
    [
        f'[aws]\nsecret = "{SECRET}"\n',
        f'"dotted.key" = "{SECRET}"\n',
        f'"function-after" = "{SECRET}"\n',
        f'[run]\nhorizon = "{SECRET}"\n',
        f'[params.russia]\nresolve = "{SECRET}"\n',
        f'[[levers]]\nactor = "{SECRET}"\nkind = "offer"\nlevel = 1.0\n',
        f'brief_ids = ["{SECRET}"]\n',
        f'title = "\\u001b{SECRET}"\n',
    ],
    ids=["table", "dotted", "function-key", "run", "params", "lever", "brief_id", "title"],
)
def test_no_value_set_in_a_parent_is_shown_in_the_childs_error(tmp_path, parent):
    _write(tmp_path, "parent.toml", parent)
    child = _write(tmp_path, "child.toml", 'extends = "parent.toml"\nquestion = "q?"\n')
    message = str(_load_error(child))
    assert SECRET not in message
    assert "(set in " in message


def test_a_parents_bad_value_is_named_with_the_parent_and_without_the_value(tmp_path):
    _write(tmp_path, "bad_parent.toml", VALID + "[run]\nhorizon = 105\n")
    child = _write(tmp_path, "child.toml", 'extends = "bad_parent.toml"\ntitle = "Child"\n')
    error = _load_error(child)
    assert error.paths == ["run.horizon"]
    line = str(error.problems[0])
    assert line.startswith("run.horizon: a value of at most 104 (set in ")
    assert line.endswith("bad_parent.toml)")
    assert "105" not in line


def test_the_childs_own_bad_value_is_still_shown(tmp_path):
    _write(tmp_path, "parent.toml", VALID)
    child = _write(tmp_path, "child.toml", 'extends = "parent.toml"\n[run]\nhorizon = 105\n')
    message = str(_load_error(child))
    assert "run.horizon = 105" in message
    assert "set in" not in message


# -- a scenario file cannot name the scenario -------------------------------------------


@pytest.mark.parametrize("name", ["other", "../../outside", ""])
def test_a_scenario_file_may_not_set_name(tmp_path, name):
    path = _write(tmp_path, "mine.toml", f'name = "{name}"\n' + VALID)
    error = _load_error(path)
    assert error.paths == ["name"]
    assert "an unknown key" in str(error)
    assert _text_error(f'name = "{name}"\n' + VALID).paths == ["name"]


def test_a_name_in_a_parent_is_refused_without_its_value(tmp_path):
    _write(tmp_path, "parent.toml", f'name = "{SECRET}"\n' + VALID)
    child = _write(tmp_path, "child.toml", 'extends = "parent.toml"\n')
    error = _load_error(child)
    assert error.paths == ["name"]
    assert SECRET not in str(error)


def test_a_name_is_reported_with_the_files_other_mistakes():
    error = _text_error('name = "x"\ntitle = ""\nquestion = "q?"\n')
    assert sorted(error.paths) == ["name", "title"]


@pytest.mark.parametrize("name", ["baseline", "deterrence_only"])
def test_a_dump_with_its_name_still_validates(name):
    scenario = load_scenario(name)
    dumped = scenario.model_dump(mode="json")
    assert dumped["name"] == name
    assert scenario_from_dict(dumped) == scenario


@pytest.mark.parametrize("name", ["../escape", "a/b", "-rf", ".hidden", "a b", "x" * 101, "é"])
def test_a_name_that_is_not_path_safe_is_refused_from_any_source(name):
    data = {"title": "t", "question": "q"}
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict({**data, "name": name})
    assert caught.value.paths == ["name"]
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(data, name=name)
    assert caught.value.paths == ["name"]
    with pytest.raises(ScenarioError) as caught:
        loads_scenario(VALID, name=name)
    assert caught.value.paths == ["name"]


def test_the_json_schema_for_editors_offers_extends_but_not_name():
    properties = json_schema()["properties"]
    assert "extends" in properties
    assert "name" not in properties
    assert "title" in properties


def test_a_file_whose_stem_is_not_path_safe_loads_under_a_safe_name(tmp_path):
    path = _write(tmp_path, "my scenario$.toml", VALID)
    assert load_scenario(path).name == "my_scenario_"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("baseline", "baseline"),
        ("my scenario$", "my_scenario_"),
        ("../../etc/passwd", "etc_passwd"),
        ("-rf", "rf"),
        (".hidden", "hidden"),
        ("Café 2022", "Caf__2022"),
        ("\x1b[2J", "2J"),
        ("", "scenario"),
        ("...", "scenario"),
        ("a" * 150, "a" * 100),
        ("v1.2-final_b", "v1.2-final_b"),
    ],
)
def test_safe_name_maps_text_to_a_path_safe_slug(text, expected):
    assert safe_name(text) == expected


@given(st.text())
def test_safe_name_always_gives_a_valid_name_and_keeps_a_valid_one(text):
    slug = safe_name(text)
    assert NAME_PATTERN.fullmatch(slug)
    assert safe_name(slug) == slug
    scenario_from_dict({"title": "t", "question": "q"}, name=slug)


# -- choice weights and beta shapes -----------------------------------------------------


def _choice(weights: list[float]) -> Choice:
    return Choice(distribution="choice", param="russia.resolve", values=[0.2, 0.8], weights=weights)


@pytest.mark.parametrize("weights", [[1.0, 1.0], [1e300, 1e300], [5e-324, 5e-324]], ids=str)
def test_equal_weights_give_both_values_about_equally(weights):
    u = np.random.default_rng(7).random(100_000)
    drawn = _choice(weights).quantile(u)
    assert set(np.unique(drawn)) == {0.2, 0.8}
    assert abs(np.mean(drawn == 0.2) - 0.5) < 0.01


def test_unequal_weights_keep_their_ratio_and_a_zero_weight_is_never_drawn():
    u = np.random.default_rng(8).random(100_000)
    drawn = Choice(
        distribution="choice", param="russia.resolve", values=[0.1, 0.5, 0.9], weights=[3, 0, 1]
    ).quantile(u)
    assert not np.any(drawn == 0.5)
    assert abs(np.mean(drawn == 0.1) - 0.75) < 0.01


@pytest.mark.parametrize("weights", ["[1e308, 1e308]", "[1.7e308, 0.2e308]"])
def test_weights_whose_sum_overflows_are_refused(weights):
    error = _text_error(
        VALID + "[[uncertain]]\nparam = 'russia.resolve'\ndistribution = 'choice'\n"
        f"values = [0.2, 0.8]\nweights = {weights}\n"
    )
    assert error.paths == ["uncertain[0].weights"]
    assert "finite sum" in str(error)


@pytest.mark.parametrize(
    ("alpha", "beta", "path"),
    [
        ("1e308", "1e308", "uncertain[0].alpha"),
        ("2.0", f"{MAX_BETA_SHAPE * 1.000001}", "uncertain[0].beta"),
        (f"{MAX_BETA_SHAPE * 2}", "2.0", "uncertain[0].alpha"),
    ],
)
def test_beta_shapes_above_the_bound_are_refused(alpha, beta, path):
    error = _text_error(
        VALID + "[[uncertain]]\nparam = 'russia.resolve'\ndistribution = 'beta'\n"
        f"alpha = {alpha}\nbeta = {beta}\n"
    )
    assert path in error.paths
    assert f"{path} = " in str(error)  # the value is shown, though "beta" is also a tag


SHAPES = [1e-300, 1e-6, 0.5, 1.0, 2.0, 1e3, MAX_BETA_SHAPE]


@pytest.mark.filterwarnings("ignore:Error in function boost:RuntimeWarning")
@pytest.mark.parametrize("alpha", SHAPES)
@pytest.mark.parametrize("beta", SHAPES)
def test_scipy_inverts_every_beta_the_bound_allows(alpha, beta):
    u = np.concatenate([np.linspace(1e-9, 1 - 1e-9, 501), [1e-300, 0.5, 1 - 2**-53]])
    assert np.isfinite(stats.beta.ppf(u, alpha, beta)).all()
    dist = Beta(distribution="beta", param="russia.resolve", alpha=alpha, beta=beta, low=0.2)
    values = dist.quantile(u)
    assert np.isfinite(values).all()
    assert ((values >= 0.2) & (values <= 1.0)).all()


def test_a_beta_at_the_bound_loads_and_samples_finite_values():
    scenario = loads_scenario(
        VALID + "[[uncertain]]\nparam = 'russia.resolve'\ndistribution = 'beta'\n"
        f"alpha = {MAX_BETA_SHAPE}\nbeta = {MAX_BETA_SHAPE}\n"
    )
    values = scenario.uncertain[0].quantile(np.linspace(0.01, 0.99, 99))
    assert np.isfinite(values).all()
    assert np.allclose(values, 0.5, atol=0.01)


# -- parameters out of order ------------------------------------------------------------


def test_a_consensus_quantile_low_above_the_high_one_is_refused():
    error = _text_error(
        VALID + "[params.alliance]\nconsensus_quantile_low = 0.6\nconsensus_quantile_high = 0.4\n"
    )
    assert error.paths == ["params.alliance.consensus_quantile_low"]
    assert "at most alliance.consensus_quantile_high" in str(error)


def test_a_consensus_quantile_high_set_below_the_default_low_is_reported_at_high():
    error = _text_error(VALID + "[params.alliance]\nconsensus_quantile_high = 0.05\n")
    assert error.paths == ["params.alliance.consensus_quantile_high"]
    assert "at least alliance.consensus_quantile_low" in str(error)


def test_equal_consensus_quantiles_are_allowed():
    scenario = loads_scenario(
        VALID + "[params.alliance]\nconsensus_quantile_low = 0.4\nconsensus_quantile_high = 0.4\n"
    )
    assert scenario.params.alliance.consensus_quantile_low == 0.4


def test_a_sanctions_tier_for_incursion_above_the_one_for_invasion_is_refused():
    error = _text_error(
        VALID
        + "[params.west]\nsanctions_tier_at_incursion = 2.5\nsanctions_tier_at_invasion = 2.0\n"
    )
    assert error.paths == ["params.west.sanctions_tier_at_incursion"]
    assert "limited incursion" in str(error)


def test_a_sanctions_tier_for_invasion_below_the_default_for_incursion_is_reported_there():
    error = _text_error(VALID + "[params.west]\nsanctions_tier_at_invasion = 0.5\n")
    assert error.paths == ["params.west.sanctions_tier_at_invasion"]


UNCERTAIN_LOW = "[[uncertain]]\nparam = 'alliance.consensus_quantile_low'\n"


@pytest.mark.parametrize(
    "distribution",
    [
        "distribution = 'uniform'\nlow = 0.6\nhigh = 0.9\n",  # above the high in every world
        "distribution = 'uniform'\nlow = 0.2\nhigh = 0.7\n",  # above it in some worlds
        "distribution = 'choice'\nvalues = [0.1, 0.55]\n",
    ],
)
def test_an_uncertain_low_that_can_exceed_a_fixed_high_is_refused(distribution):
    error = _text_error(VALID + UNCERTAIN_LOW + distribution)
    assert error.paths == ["uncertain[0]"]
    assert "at most alliance.consensus_quantile_high in every world" in str(error)


def test_an_uncertain_low_that_stays_below_the_high_is_allowed():
    scenario = loads_scenario(
        VALID + UNCERTAIN_LOW + "distribution = 'uniform'\nlow = 0.0\nhigh = 0.5\n"
    )
    assert len(scenario.uncertain) == 1


def test_an_uncertain_high_that_can_fall_below_a_fixed_low_is_refused():
    error = _text_error(
        VALID + "[params.alliance]\nconsensus_quantile_low = 0.3\n"
        "[[uncertain]]\nparam = 'alliance.consensus_quantile_high'\n"
        "distribution = 'uniform'\nlow = 0.2\nhigh = 0.6\n"
    )
    assert error.paths == ["uncertain[0]"]
    assert "at least alliance.consensus_quantile_low" in str(error)


def test_an_out_of_order_pair_is_reported_beside_other_mistakes():
    """cross_problems also runs on raw data, when other keys fail validation."""
    error = _text_error(
        'title = ""\nquestion = "q?"\n[params.west]\nsanctions_tier_at_incursion = 3.0\n'
        "sanctions_tier_at_invasion = 2.0\n"
    )
    assert sorted(error.paths) == ["params.west.sanctions_tier_at_incursion", "title"]


def test_an_out_of_bounds_value_is_reported_once_not_also_as_out_of_order():
    error = _text_error(VALID + "[params.alliance]\nconsensus_quantile_low = 1.5\n")
    assert error.paths == ["params.alliance.consensus_quantile_low"]
    assert "at most 1" in str(error)


# -- levers that contradict each other or can never fire --------------------------------


def _levers(*tables: str) -> str:
    return VALID + "".join(f"[[levers]]\n{table}\n" for table in tables)


SANCTIONS = "actor = 'west'\nkind = 'sanctions'\nweek = 3\n"


def test_two_levers_at_different_levels_in_one_week_are_refused():
    error = _text_error(_levers(SANCTIONS + "level = 1.0", SANCTIONS + "level = 2.0"))
    assert error.paths == ["levers[1].level"]
    assert "levers[0] (1)" in str(error)


def test_two_offers_on_one_issue_at_different_levels_are_refused_whatever_the_rung_spelling():
    offer = "actor = 'nato'\nkind = 'offer'\nissue = 'exercises'\n"
    error = _text_error(
        _levers(
            offer + "level = 0.5\nwhen_rung_at_least = 'military_technical'",
            offer + "level = 1.0\nwhen_rung_at_least = 2",
        )
    )
    assert error.paths == ["levers[1].level"]


@pytest.mark.parametrize(
    "second",
    [
        SANCTIONS + "level = 1.0",  # the same level: redundant, not contradictory
        SANCTIONS.replace("week = 3", "week = 4") + "level = 2.0",
        SANCTIONS.replace("'west'", "'nato'") + "level = 2.0",
        SANCTIONS + "level = 2.0\nwhen_rung_at_least = 'military_technical'",
        SANCTIONS + "level = 2.0\nwhen_talking = true",
        "actor = 'west'\nkind = 'posture'\nweek = 3\nlevel = 2.0",
    ],
    ids=["same-level", "other-week", "other-actor", "other-rung", "talking", "other-kind"],
)
def test_levers_that_differ_in_more_than_their_level_are_allowed(second):
    scenario = loads_scenario(_levers(SANCTIONS + "level = 1.0", second))
    assert len(scenario.levers) == 2


def test_offers_on_different_issues_are_allowed():
    offer = "actor = 'west'\nkind = 'offer'\nlevel = {}\nissue = '{}'"
    scenario = loads_scenario(
        _levers(offer.format(0.5, "exercises"), offer.format(1.0, "inf_missiles"))
    )
    assert len(scenario.levers) == 2


def test_commitments_at_different_levels_in_one_week_add_up_and_are_allowed():
    commitment = "actor = 'west'\nkind = 'commitment'\nweek = 2\n"
    scenario = loads_scenario(_levers(commitment + "level = 0.5", commitment + "level = 0.3"))
    assert [lever.level for lever in scenario.levers] == [0.5, 0.3]


@pytest.mark.parametrize("rung", ["'limited_incursion'", "'full_invasion'", "3", "4"])
def test_a_lever_waiting_for_talks_at_a_rung_where_russia_never_talks_is_refused(rung):
    error = _text_error(
        _levers(SANCTIONS + f"level = 1.0\nwhen_talking = true\nwhen_rung_at_least = {rung}")
    )
    assert error.paths == ["levers[0].when_rung_at_least"]
    assert "could never fire" in str(error)
    assert "military_technical" in str(error)


@pytest.mark.parametrize(
    "condition",
    [
        "when_talking = true\nwhen_rung_at_least = 'military_technical'",
        "when_talking = false\nwhen_rung_at_least = 'full_invasion'",
        "when_rung_at_least = 'limited_incursion'",
    ],
)
def test_a_lever_whose_condition_can_hold_is_allowed(condition):
    assert len(loads_scenario(_levers(SANCTIONS + f"level = 1.0\n{condition}")).levers) == 1


HOSTILE_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([2**2000, -(2**2000), 10**400, 0.5, 3])
    | st.floats()
    | st.text(max_size=5)
    | st.sampled_from(["west", "sanctions", "offer", "exercises", "limited_incursion"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)
ORDERED = ["alliance.consensus_quantile_low", "alliance.consensus_quantile_high"]
LEVER_ENTRIES = st.fixed_dictionaries(
    {"actor": st.sampled_from(["west", "nato"]), "kind": st.sampled_from(["sanctions", "offer"])},
    optional={
        key: HOSTILE_VALUES
        for key in ("issue", "level", "week", "when_talking", "when_rung_at_least")
    },
)
UNCERTAIN_ENTRIES = st.fixed_dictionaries(
    {
        "param": st.sampled_from([*ORDERED, "russia.resolve"]),
        "distribution": st.sampled_from(["fixed", "uniform", "beta", "choice"]),
    },
    optional={key: HOSTILE_VALUES for key in ("low", "high", "value", "values")},
)


@given(
    levers=st.lists(LEVER_ENTRIES | HOSTILE_VALUES, max_size=4),
    uncertain=st.lists(UNCERTAIN_ENTRIES | HOSTILE_VALUES, max_size=3),
    params=HOSTILE_VALUES
    | st.fixed_dictionaries(
        {"alliance": st.dictionaries(st.sampled_from(ORDERED), HOSTILE_VALUES)}
    ),
    run=HOSTILE_VALUES,
)
def test_cross_problems_on_malformed_data_return_problems_and_raise_nothing(
    levers, uncertain, params, run
):
    data = {"levers": levers, "uncertain": uncertain, "params": params, "run": run}
    problems = cross_problems(data)
    assert all(isinstance(problem, Problem) for problem in problems)
    assert all(len(show(problem.value)) <= 80 for problem in problems)


# -- control characters and long values -------------------------------------------------

ESCAPE = "\x1b[2J"


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('title = "\\u001b[2J"\nquestion = "q?"\n', "title"),
        (VALID + 'description = "clear \\u001b[2J screen"\n', "description"),
        ('title = "t"\nquestion = "what\\u0007?"\n', "question"),
        (_levers(SANCTIONS + 'level = 1.0\nlabel = "\\u001b]0;pwned\\u0007"'), "levers[0].label"),
        (
            VALID + '[[events]]\nkind = "incident"\nweek = 1\nlabel = "\\u009b2J"\n',
            "events[0].label",
        ),
        (VALID + 'description = "delete\\u007f"\n', "description"),
        (VALID + 'description = "carriage\\rreturn"\n', "description"),
    ],
    ids=["title", "description", "question", "lever-label", "event-label", "del", "cr"],
)
def test_a_control_character_in_a_text_is_refused_and_never_printed_raw(text, path):
    error = _text_error(text)
    assert error.paths == [path]
    message = str(error)
    assert "a text without control characters" in message
    assert not _controls(message)
    assert "\\x" in message or "\\r" in message


def test_newlines_and_tabs_in_a_text_are_allowed():
    scenario = loads_scenario(VALID + 'description = """\nOne line,\n\tand an indented one.\n"""\n')
    assert "\t" in scenario.description


def test_an_unknown_key_made_of_control_characters_is_not_printed_raw():
    message = str(_text_error(VALID + '"\\u001b[2J" = 1\n[run]\n"\\u001b[31m" = 2\n'))
    assert len(message.splitlines()) == 2
    assert not _controls(message)


@pytest.mark.skipif(sys.platform == "win32", reason="such file names are not allowed")
def test_a_file_name_with_control_characters_is_not_printed_raw(tmp_path):
    path = _write(tmp_path, f"evil{ESCAPE}.toml", 'title = ""\nquestion = "q?"\n')
    error = _load_error(path)
    assert error.file == str(path)
    assert ESCAPE not in str(error)
    assert "evil\\x1b[2J.toml" in str(error)


@given(
    st.recursive(
        st.text() | st.integers() | st.floats() | st.booleans() | st.none(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    )
)
def test_show_never_prints_a_control_character_or_more_than_80_characters(value):
    shown = show(value)
    assert len(shown) <= 80
    assert all(c.isprintable() for c in shown)


def test_show_renders_a_huge_integer_without_failing():
    assert len(show(10**5000)) <= 80
    assert len(show([2**20000])) <= 80


@pytest.mark.parametrize(
    "text",
    [
        VALID + f'oops = "{"x" * 10_000}"\n',
        f"{'x' * 500} = 1\n" + VALID,
        'title = "' + "x" * 10_000 + '\\u0000"\nquestion = "q?"\n',
        VALID + "[run]\nhorizon = " + "1" * 5000 + "\n",
        VALID + "nested = " + "[" * 5000 + "]" * 5000 + "\n",
        VALID + "[[levers]]\nactor = 'west'\nkind = 'sanctions'\nlevel = 1.0\n"
        f"when_rung_at_least = '{'x' * 5000}'\n",
        VALID + "[[uncertain]]\nparam = 'russia.resolve'\ndistribution = 'uniform'\n"
        f"low = {'9' * 400}\nhigh = 1.0\n",
    ],
    ids=["long-value", "long-key", "long-text", "huge-int", "deep", "long-rung", "huge-bound"],
)
def test_no_error_message_holds_a_traceback_or_a_long_value(text):
    message = str(_text_error(text))
    assert "Traceback" not in message
    assert not re.search(r"[x9]{81}|1{81}", message)
    assert not _controls(message)


def test_a_huge_integer_in_data_is_a_scenario_error_with_a_short_message():
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict({"title": "t", "question": "q", "run": {"horizon": 10**5000}})
    assert caught.value.paths == ["run.horizon"]
    assert len(str(caught.value)) < 200


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_extends_to_something_that_is_not_a_regular_file_is_missing(tmp_path):
    os.mkfifo(tmp_path / "pipe.toml")
    child = _write(tmp_path, "child.toml", 'extends = "pipe.toml"\n' + VALID)
    assert _load_error(child).paths == ["extends"]
