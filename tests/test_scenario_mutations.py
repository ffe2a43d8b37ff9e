"""Mutated scenarios: whatever an analyst gets wrong, the loader answers with a ScenarioError.

Hypothesis starts from the bundled scenarios (parsed with tomllib, ``extends``
resolved) and mutates them: deletes keys, sets values of random types at random
key paths, adds keys, pushes numbers out of range, inserts lists and tables. The
result must either validate into a usable scenario or raise a ScenarioError,
never anything else; and the same dict written as TOML text must get the same
answer from ``loads_scenario``.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crisis_sim.model.brief import BRIEF
from crisis_sim.model.domain import Issue, Rung
from crisis_sim.model.levers import Lever, LeverActor, LeverKind
from crisis_sim.model.params import Params, parameter_paths
from crisis_sim.scenario.errors import ScenarioError
from crisis_sim.scenario.files import bundled_scenarios, loads_scenario, scenario_from_dict
from crisis_sim.scenario.schema import DISTRIBUTION_TAGS, Event, RunSettings, Scenario


def _merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """The documented semantics of ``extends``: tables merge, everything else replaces."""
    merged = dict(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _resolved(path: Path) -> dict[str, Any]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    parent = data.pop("extends", None)
    return _merge(_resolved(path.parent / parent), data) if parent else data


BUNDLED = {path.stem: _resolved(path) for path in bundled_scenarios()}

KITCHEN_SINK: dict[str, Any] = {
    "title": "Every lever, event and distribution at once",
    "question": "Does every part of the format validate?",
    "description": "A valid scenario that uses every part of the format, to mutate.",
    "brief_ids": ["H1", "US-P1"],
    "run": {"start_date": dt.date(2022, 1, 13), "horizon": 30, "seed": 5, "runs": 100},
    "params": {
        "russia": {"resolve": 0.6, "salience": {"exercises": 0.5}},
        "west": {"nato_offer": {"exercises": 0.3}},
        "alliance": {"solidarity": 0.4},
        "ukraine": {"resistance": 0.5},
        "concessions": {"cross_type_weight": 0.2},
    },
    "uncertain": [
        {"param": "russia.war_cost", "distribution": "fixed", "value": 0.7},
        {"param": "russia.resolve", "distribution": "uniform", "low": 0.2, "high": 0.8},
        {
            "param": "ukraine.resistance",
            "distribution": "triangular",
            "low": 0.25,
            "mode": 0.45,
            "high": 0.7,
        },
        {
            "param": "west.sanctions_relief",
            "distribution": "normal",
            "mean": 0.5,
            "sd": 0.1,
            "low": 0.0,
            "high": 1.0,
        },
        {"param": "concessions.offramp_strength", "distribution": "beta", "alpha": 2, "beta": 3},
        {
            "param": "alliance.gas_effect",
            "distribution": "choice",
            "values": [0.1, 0.3, 0.5],
            "weights": [1, 2, 1],
        },
    ],
    "levers": [
        {"actor": "west", "kind": "offer", "issue": "inf_missiles", "level": 1.0, "week": 1},
        {
            "actor": "west",
            "kind": "offer",
            "issue": "enlargement",
            "level": 1.0,
            "week": 2,
            "bypass_ukraine_consent": True,
        },
        {"actor": "ukraine", "kind": "offer", "issue": "ukraine_cooperation", "level": 0.5},
        {"actor": "united_states", "kind": "concede", "issue": "exercises", "level": 1.0},
        {"actor": "nato", "kind": "sanctions", "level": 1.0, "when_rung_at_least": "build_up"},
        {"actor": "nato", "kind": "posture", "level": 1.0, "week": 3, "when_talking": True},
        {"actor": "west", "kind": "support", "level": 2.0, "label": "arms"},
        {"actor": "west", "kind": "commitment", "level": 0.5, "week": 4},
        {"actor": "event", "kind": "cohesion_shock", "level": -0.2, "week": 5},
        {"actor": "event", "kind": "incident", "level": 1.0, "week": 6},
    ],
    "events": [
        {"kind": "cohesion_shock", "week": 3, "level": -0.1, "label": "debate"},
        {"kind": "incident", "week": 8, "when_rung_at_least": "military_technical"},
    ],
}
STARTS = {**BUNDLED, "kitchen_sink": KITCHEN_SINK}

# -- what to mutate with ---------------------------------------------------------------

GROUPS = list(Params.model_fields)
KNOWN_KEYS = sorted(
    {
        "extends",
        *Scenario.model_fields,
        *RunSettings.model_fields,
        *Lever.model_fields,
        *Event.model_fields,
        "param",
        "distribution",
        "value",
        "low",
        "high",
        "mode",
        "mean",
        "sd",
        "alpha",
        "beta",
        "values",
        "weights",
        *GROUPS,
        *(path.split(".")[1] for path in parameter_paths()),
        *(issue.key for issue in Issue),
    }
)
MEANINGFUL_STRINGS = sorted(
    {
        *(issue.key for issue in Issue),
        *(kind.value for kind in LeverKind),
        *(actor.value for actor in LeverActor),
        *(rung.name.lower() for rung in Rung),
        *DISTRIBUTION_TAGS,
        *parameter_paths(),
        *list(BRIEF)[:10],
        "monte_carlo",
        "baseline.toml",
        "2022-01-13",
        "",
    }
)
TEXT = st.characters(codec="utf-8", exclude_categories=("Cs",))
KEYS = st.sampled_from(KNOWN_KEYS) | st.text(TEXT, min_size=0, max_size=8)
EDGE_NUMBERS = st.sampled_from(
    [
        -1,
        0,
        1,
        2,
        3,
        4,
        5,
        27,
        51,  # the default horizon, and one past it
        52,
        104,
        105,
        -(2**63),
        2**63,
        2**80,
        -0.5,
        1.5,
        1e9,
        -1e9,
        1e308,
        math.nan,
        math.inf,
        -math.inf,
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    EDGE_NUMBERS,
    st.text(TEXT, max_size=12),
    st.sampled_from(MEANINGFUL_STRINGS),
    st.dates(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=6,
)


def _slots(node: Any, path: tuple = ()) -> list[tuple[Any, Any]]:
    """Every (container, key-or-index) in the tree, depth first."""
    found = []
    if isinstance(node, dict):
        items = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        return found
    for key, value in items:
        found.append((node, key))
        found.extend(_slots(value, (*path, key)))
    return found


def _containers(node: Any) -> list[Any]:
    found = [node] if isinstance(node, dict | list) else []
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    for child in children:
        found.extend(_containers(child))
    return found


def _mutate(tree: dict[str, Any], data: st.DataObject) -> None:
    """Apply one random mutation to ``tree`` in place."""
    operation = data.draw(
        st.sampled_from(["delete", "set", "add", "out_of_range", "insert", "rename_string"])
    )
    slots = _slots(tree)
    if operation in ("add", "insert") or not slots:
        container = data.draw(st.sampled_from(_containers(tree)))
        value = data.draw(
            VALUES
            if operation == "add"
            else st.lists(VALUES, max_size=3) | st.dictionaries(KEYS, VALUES, max_size=3)
        )
        if isinstance(container, dict):
            container[data.draw(KEYS)] = value
        else:
            container.insert(data.draw(st.integers(0, len(container))), value)
        return
    if operation == "out_of_range":
        numeric = [s for s in slots if isinstance(s[0][s[1]], int | float)]
        slots = numeric or slots
    if operation == "rename_string":
        strings = [s for s in slots if isinstance(s[0][s[1]], str)]
        slots = strings or slots
    container, key = data.draw(st.sampled_from(slots))
    if operation == "delete":
        del container[key]
    elif operation == "set":
        container[key] = data.draw(VALUES)
    elif operation == "out_of_range":
        container[key] = data.draw(EDGE_NUMBERS | st.floats() | st.integers())
    else:
        container[key] = data.draw(st.sampled_from(MEANINGFUL_STRINGS))


# -- a tiny TOML writer ----------------------------------------------------------------


class Unwritable(Exception):
    """TOML has no way to write this value (None)."""


def _toml_string(text: str) -> str:
    out = []
    for char in text:
        if char in '"\\' or ord(char) < 0x20 or char == "\x7f":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{_toml_string(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    raise Unwritable(repr(value))


def to_toml(tree: dict[str, Any]) -> str:
    """Write a dict as TOML text: one ``"key" = value`` line per top-level key."""
    return "".join(f"{_toml_string(k)} = {_toml_value(v)}\n" for k, v in tree.items())


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


# -- the properties --------------------------------------------------------------------


def _outcome(validate) -> tuple[str, Any]:
    """("ok", scenario) or ("error", paths); anything else than ScenarioError propagates."""
    try:
        scenario = validate()
    except ScenarioError as error:
        assert error.problems, "a ScenarioError must name at least one problem"
        assert str(error), "a ScenarioError must have a message"
        return "error", sorted(error.paths)
    scenario.all_levers()  # a scenario that validates must also be usable by the model
    return "ok", scenario


@pytest.mark.parametrize("name", sorted(STARTS))
def test_every_starting_scenario_is_valid_and_the_toml_writer_round_trips_it(name):
    text = to_toml(STARTS[name])
    assert _same(tomllib.loads(text), STARTS[name])
    scenario = scenario_from_dict(STARTS[name], name=name)
    assert loads_scenario(text, name=name) == scenario
    assert len(scenario.all_levers()) == len(STARTS[name].get("levers", [])) + len(
        STARTS[name].get("events", [])
    )


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(name=st.sampled_from(sorted(STARTS)), data=st.data())
def test_a_mutated_scenario_validates_or_raises_only_scenario_error(name, data):
    tree = copy.deepcopy(STARTS[name])
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        _mutate(tree, data)
    before = copy.deepcopy(tree)

    verdict, detail = _outcome(lambda: scenario_from_dict(tree, name=name))
    assert _same(tree, before), "validation must not change the caller's data"

    try:
        text = to_toml(tree)
    except Unwritable:
        return
    assert _same(tomllib.loads(text), tree)
    text_verdict, text_detail = _outcome(lambda: loads_scenario(text, name=name))
    assert text_verdict == verdict
    if verdict == "error":
        assert text_detail == detail
    else:
        assert _same(text_detail.model_dump(), detail.model_dump())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(TEXT, max_size=200))
def test_arbitrary_text_validates_or_raises_only_scenario_error(text):
    _outcome(lambda: loads_scenario(text))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(bundled_scenarios()), cut=st.floats(min_value=0.0, max_value=1.0))
def test_a_truncated_scenario_file_validates_or_raises_only_scenario_error(path, cut):
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    text = "".join(line for line in lines if not line.startswith("extends"))
    _outcome(lambda: loads_scenario(text[: int(len(text) * cut)]))
