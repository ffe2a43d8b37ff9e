"""The lever catalogue: every kind is documented, and every example is a valid lever."""

from __future__ import annotations

import tomllib

import pytest

from crisis_sim.model.lever_catalogue import LEVER_DOCS, LeverDoc
from crisis_sim.model.levers import ACTORS_BY_KIND, LEVEL_BOUNDS, LeverKind
from crisis_sim.scenario.files import bundled_dir, loads_scenario

KINDS = list(LeverKind)


def test_every_lever_kind_has_a_documentation_entry_and_no_entry_is_stray():
    assert set(LEVER_DOCS) == set(LeverKind)
    assert set(LEVEL_BOUNDS) == set(LeverKind) == set(ACTORS_BY_KIND)


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_every_entry_says_something_in_each_field(kind):
    doc = LEVER_DOCS[kind]
    assert isinstance(doc, LeverDoc)
    for text in (doc.meaning, doc.level_meaning, doc.example, doc.effect):
        assert text.strip()


def _with_baseline(example: str) -> str:
    """The baseline's TOML with the example's lever appended (loads_scenario has no extends)."""
    baseline = (bundled_dir() / "baseline.toml").read_text(encoding="utf-8")
    return f"{baseline}\n{example}"


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_every_example_loads_as_one_lever_of_its_kind_on_top_of_the_baseline(kind):
    example = LEVER_DOCS[kind].example
    parsed = tomllib.loads(example)
    assert list(parsed) == ["levers"] and len(parsed["levers"]) == 1
    scenario = loads_scenario(_with_baseline(example), name="example")
    assert len(scenario.levers) == 1
    lever = scenario.levers[0]
    assert lever.kind is kind
    assert lever.actor in ACTORS_BY_KIND[kind]
    lo, hi = LEVEL_BOUNDS[kind]
    assert lo <= lever.level <= hi
