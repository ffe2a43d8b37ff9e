"""The JSON Schema of ``crisis-sim schema`` judges files as a standard validator does."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from crisis_sim.model.lever_catalogue import LEVER_DOCS
from crisis_sim.scenario.files import bundled_scenarios, json_schema

MALFORMED = Path(__file__).parent / "malformed"

BEYOND_A_SCHEMA = {
    "event_week_past_horizon": "a week compared with run.horizon, another key",
    "lever_week_past_horizon": "a week compared with run.horizon, another key",
    "extends_cycle_a": "extends is followed by the loader, not by the schema",
    "extends_cycle_b": "extends is followed by the loader, not by the schema",
    "extends_missing_file": "whether a file exists",
    "extends_self": "extends is followed by the loader, not by the schema",
    "uncertain_choice_mismatched_weights": "two arrays' lengths compared",
    "uncertain_duplicate_param": "uniqueness of a key across array items",
    "uncertain_fixed_nan": "NaN has no JSON form: an editor cannot pass it to the schema",
    "uncertain_triangular_mode_outside": "low <= mode <= high: keys compared",
    "uncertain_uniform_low_not_below_high": "low < high: keys compared",
    "lever_partial_agreement_on_ukraine": "an issue about Ukraine allowed by another key",
    "lever_ultimatum_deadline_past_horizon": "week + deadline compared with run.horizon",
}
"""Malformed files whose mistake is a relation or a file, which validate and load catch."""


def _as_json(value: Any) -> Any:
    """TOML data as an editor hands it to a JSON Schema validator: dates as ISO strings."""
    if isinstance(value, dict):
        return {key: _as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_json(item) for item in value]
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(validator, data: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message[:120]}"
        for error in validator.iter_errors(_as_json(data))
    ]


@pytest.mark.parametrize("path", bundled_scenarios(), ids=lambda path: path.stem)
def test_every_bundled_scenario_is_valid_under_the_schema(validator, path):
    assert _errors(validator, tomllib.loads(path.read_text(encoding="utf-8"))) == []


def _malformed() -> list[Path]:
    return sorted(path for path in MALFORMED.glob("*.toml") if path.name != "EXPECTED.toml")


def _parsed(path: Path) -> dict[str, Any] | None:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError:
        return None


@pytest.mark.parametrize(
    # A file that is not TOML at all is left out: an editor reports its syntax error itself.
    "path",
    [path for path in _malformed() if _parsed(path) is not None],
    ids=lambda path: path.stem,
)
def test_the_schema_rejects_each_malformed_file_it_can_judge(validator, path):
    errors = _errors(validator, _parsed(path))
    if path.stem in BEYOND_A_SCHEMA:
        assert errors == [], "now caught by the schema too: drop it from BEYOND_A_SCHEMA"
    else:
        assert errors, f"{path.name} passes the schema"


def test_the_schema_judges_most_of_the_catalogue_and_names_the_rest():
    parsed = [path for path in _malformed() if _parsed(path) is not None]
    assert set(BEYOND_A_SCHEMA) <= {path.stem for path in parsed}
    assert len(parsed) - len(BEYOND_A_SCHEMA) >= 40


@pytest.mark.parametrize("kind", list(LEVER_DOCS), ids=str)
def test_every_catalogue_example_lever_is_valid_under_the_schema(validator, kind):
    lever = tomllib.loads(LEVER_DOCS[kind].example)["levers"][0]
    data = {"title": "t", "question": "q?", "levers": [lever]}
    assert _errors(validator, data) == []


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"level": 7.0}, "levers/0/level"),
        ({"actor": "event"}, "levers/0/actor"),
        ({"issue": "exercises", "kind": "sanctions", "level": 1.0}, "levers/0"),
    ],
)
def test_the_schema_checks_each_kinds_level_actor_and_keys(validator, change, where):
    lever = {"actor": "west", "kind": "offer", "issue": "exercises", "level": 1.0, "week": 2}
    data = {"title": "t", "question": "q?", "levers": [{**lever, **change}]}
    errors = _errors(validator, data)
    assert errors and all(error.startswith(where) for error in errors), errors


def test_issues_and_rungs_go_by_name_or_number_and_params_by_override(validator):
    lever = {"actor": "west", "kind": "offer", "level": 1.0, "when_rung_at_least": "build_up"}
    data = {
        "title": "t",
        "question": "q?",
        "params": {"west": {"us_offer": {"exercises": 0.7}}},
        "levers": [{**lever, "issue": "exercises"}, {**lever, "issue": 4}],
        "run": {"start_date": dt.date(2022, 2, 1)},
    }
    assert _errors(validator, data) == []
    assert _errors(validator, {**data, "levers": [{**lever, "issue": "bases"}]})


def test_an_uncertain_parameter_must_exist_and_stay_in_its_bounds(validator):
    entry = {"param": "russia.resolve", "distribution": "uniform", "low": 0.2, "high": 0.8}
    data = {"title": "t", "question": "q?", "uncertain": [entry]}
    assert _errors(validator, data) == []
    assert _errors(validator, {**data, "uncertain": [{**entry, "high": 1.5}]})
    assert _errors(validator, {**data, "uncertain": [{**entry, "param": "russia.nerve"}]})
