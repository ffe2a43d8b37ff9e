"""Malformed scenario files: every mistake is a ScenarioError with its key path.

The catalogue lives in ``tests/malformed/``; ``tests/malformed/EXPECTED.toml`` says,
for each file, which key paths the error must name (and, for TOML syntax errors,
the line and column the message must give).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from crisis_sim.scenario.errors import ScenarioError
from crisis_sim.scenario.files import (
    bundled_scenarios,
    load_scenario,
    loads_scenario,
    scenario_from_dict,
)

MALFORMED = Path(__file__).parent / "malformed"
EXPECTED: dict[str, dict] = tomllib.loads((MALFORMED / "EXPECTED.toml").read_text("utf-8"))
CATALOGUE = sorted(p for p in MALFORMED.glob("*.toml") if p.name != "EXPECTED.toml")

VALID = 'title = "A scenario"\nquestion = "What happens?"\n'


def _load_error(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return caught.value


# -- the catalogue ---------------------------------------------------------------------


def test_the_catalogue_holds_at_least_25_malformed_files():
    assert len(CATALOGUE) >= 25


def test_every_malformed_file_has_an_expectation_and_every_expectation_a_file():
    stems = {path.stem for path in CATALOGUE}
    assert stems == set(EXPECTED)


@pytest.mark.parametrize("path", CATALOGUE, ids=lambda p: p.stem)
def test_a_malformed_file_gives_a_scenario_error_naming_the_file_and_its_key_path(path):
    expected = EXPECTED[path.stem]
    error = _load_error(path)
    message = str(error)
    assert path.name in message
    for wanted in expected["paths"]:
        alternatives = wanted if isinstance(wanted, list) else [wanted]
        assert any(a in error.paths for a in alternatives), (
            f"{path.name}: expected one of {alternatives} in {error.paths}\n{message}"
        )
    assert len(message.splitlines()) == len(error.problems) == len(error.paths)


@pytest.mark.parametrize(
    "path", [p for p in CATALOGUE if "shows" in EXPECTED[p.stem]], ids=lambda p: p.stem
)
def test_a_malformed_files_error_message_quotes_the_offending_value(path):
    error = _load_error(path)
    assert EXPECTED[path.stem]["shows"] in str(error)


@pytest.mark.parametrize(
    "path", [p for p in CATALOGUE if "line" in EXPECTED[p.stem]], ids=lambda p: p.stem
)
def test_a_toml_syntax_error_gives_line_and_column(path):
    expected = EXPECTED[path.stem]
    message = str(_load_error(path))
    assert "TOML syntax error" in message
    assert f"line {expected['line']}, column {expected['column']}" in message


def test_a_file_with_several_field_mistakes_reports_all_of_them_at_once():
    error = _load_error(MALFORMED / "several_field_mistakes.toml")
    assert len(error.problems) == len(EXPECTED["several_field_mistakes"]["paths"])


# -- the error itself ------------------------------------------------------------------


def test_scenario_error_is_a_value_error_carrying_file_and_problems():
    with pytest.raises(ValueError) as caught:
        loads_scenario(VALID + "[run]\nhorizon = 0\n")
    error = caught.value
    assert isinstance(error, ScenarioError)
    assert error.file == "<string>"
    assert error.paths == ["run.horizon"]
    problem = error.problems[0]
    assert problem.path == "run.horizon"
    assert problem.value == 0
    assert problem.expected


def test_a_toml_syntax_error_in_a_string_gives_line_and_column():
    with pytest.raises(ScenarioError) as caught:
        loads_scenario(VALID + "\n[run]\nhorizon = 2 6\n")
    message = str(caught.value)
    assert "<string>" in message
    assert "line 5, column 13" in message


def test_a_toml_syntax_error_at_the_end_of_the_text_gives_the_line():
    with pytest.raises(ScenarioError) as caught:
        loads_scenario(VALID + "\n\nlevers = [\n")
    message = str(caught.value)
    assert "TOML syntax error" in message
    assert re.search(r"line \d+", message)


def test_an_unknown_scenario_name_is_a_scenario_error_listing_the_bundled_names():
    with pytest.raises(ScenarioError) as caught:
        load_scenario("no_such_scenario")
    message = str(caught.value)
    assert "no_such_scenario" in message
    for path in bundled_scenarios():
        assert path.stem in message


def test_a_file_that_is_not_utf8_is_a_scenario_error_naming_it(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'title = "Caf\xe9"\nquestion = "q"\n')
    error = _load_error(path)
    assert path.name in str(error)


def test_extends_in_an_already_parsed_scenario_is_a_scenario_error_naming_extends():
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict({"extends": "baseline.toml", "title": "t", "question": "q"})
    assert "extends" in caught.value.paths


def test_a_scenario_that_is_not_a_table_is_a_scenario_error():
    """As when a summary.json holds a name where the scenario's table belongs."""
    with pytest.raises(ScenarioError):
        scenario_from_dict("baseline")  # type: ignore[arg-type]


def test_an_unknown_key_error_lists_the_keys_allowed_there():
    with pytest.raises(ScenarioError) as caught:
        loads_scenario(VALID + "[[levers]]\nactor='west'\nkind='support'\nlevel=1\nweeks=2\n")
    message = str(caught.value)
    assert "levers[0].weeks" in message
    assert "week" in message.split("levers[0].weeks", 1)[1]


def test_an_unknown_lever_kind_error_lists_the_kinds():
    with pytest.raises(ScenarioError) as caught:
        loads_scenario(VALID + "[[levers]]\nactor='west'\nkind='blockade'\nlevel=1\n")
    message = str(caught.value)
    for kind in ("offer", "concede", "sanctions", "posture", "support", "commitment"):
        assert kind in message


def test_an_unknown_parameter_in_uncertain_points_to_the_list_of_parameters():
    with pytest.raises(ScenarioError) as caught:
        loads_scenario(
            VALID + "[[uncertain]]\nparam='russia.resolv'\ndistribution='uniform'\n"
            "low=0.2\nhigh=0.8\n"
        )
    assert "crisis-sim params" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("[run]\nhorizon = 104\n", None),
        ("[run]\nhorizon = 1\n", None),
        ("[run]\nseed = 0\n", None),
        ("[run]\nruns = 1\n", None),
        ("[[levers]]\nactor='nato'\nkind='posture'\nlevel=2.0\nweek=51\n", None),
        ("[[levers]]\nactor='nato'\nkind='posture'\nlevel=2.0\nweek=52\n", "levers[0].week"),
        ("[[events]]\nkind='cohesion_shock'\nweek=0\nlevel=-1.0\n", None),
        ("[params.russia]\nresolve = 0.0\n", None),
        ("[params.russia]\nresolve = 1.0\n", None),
        ("[params.russia]\nresolve = -0.01\n", "params.russia.resolve"),
    ],
)
def test_limits_are_inclusive_and_one_step_beyond_is_an_error(text, path):
    if path is None:
        loads_scenario(VALID + text)
    else:
        with pytest.raises(ScenarioError) as caught:
            loads_scenario(VALID + text)
        assert path in caught.value.paths
