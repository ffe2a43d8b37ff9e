"""The model card (docs/MODEL.md) cannot drift from the code.

The parameter table must equal ``crisis_sim.model.params.parameter_table()`` exactly; the other
sections generated from the code alone (no simulation) must be current too. When a test
here fails, refresh the card with ``.venv/bin/python docs/build_model_card.py``.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from crisis_sim.model.params import parameter_table
from model_card_builder import load_builder

DOCS = Path(__file__).resolve().parents[1] / "docs"
MODEL_MD = DOCS / "MODEL.md"
REFRESH = "refresh it with: .venv/bin/python docs/build_model_card.py"


@pytest.fixture(scope="module")
def card() -> ModuleType:
    return load_builder()


@pytest.fixture(scope="module")
def model_md() -> str:
    return MODEL_MD.read_text(encoding="utf-8")


def _between(text: str, name: str) -> str:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    assert text.count(start) == 1, f"MODEL.md needs exactly one {start}"
    assert text.count(end) == 1, f"MODEL.md needs exactly one {end}"
    body = text.split(start, 1)[1].split(end, 1)[0]
    return body.strip("\n")


def test_parameter_table_in_model_card_equals_parameter_table_exactly(model_md: str) -> None:
    documented = _between(model_md, "params")
    assert documented == parameter_table(), f"the parameter table in MODEL.md is stale; {REFRESH}"


def test_parameter_table_lists_every_parameter_once(model_md: str) -> None:
    from crisis_sim.model.params import parameter_paths

    documented = _between(model_md, "params")
    for path in parameter_paths():
        assert documented.count(f"| `{path}` |") == 1, path


STATIC = ["constants", "issues", "ladder", "randomness", "brief-ids", "members", "t0", "weekly"]
STATIC += ["params-plans", "params-west", "params-ukraine", "params-incidents", "params-partial"]
STATIC += ["params-war", "levers"]
SIMULATED = ["stakes", "baseline", "baseline-scenario", "h1", "sunk-sanctions", "drivers", "timing"]


def test_the_builder_makes_exactly_the_static_sections_listed_here(card: ModuleType) -> None:
    assert sorted(card.static_sections()) == sorted(["params", *STATIC])


@pytest.mark.parametrize("name", STATIC)
def test_sections_read_from_the_code_are_current(
    card: ModuleType, model_md: str, name: str
) -> None:
    expected = card.static_sections()[name]
    assert _between(model_md, name) == expected, f"section {name!r} of MODEL.md is stale; {REFRESH}"


def test_every_generated_section_has_its_markers(model_md: str) -> None:
    for name in ["params", *STATIC, *SIMULATED]:
        assert _between(model_md, name), f"section {name!r} of MODEL.md is empty; {REFRESH}"


def test_the_card_states_no_removed_rule(model_md: str) -> None:
    # Rules the strategic core removed: rung plan values over the ladder, an incident
    # slipping a rung, offers revised by flexibility and urgency.
    for gone in ("inadvertent", "revised_offer", "west.flexibility", "urgency_rungs"):
        assert gone not in model_md, f"MODEL.md still mentions {gone!r}"
    for gone in ("ladder_plan_values", "rung_values", "action_utilities", "rung_prospects"):
        assert gone not in model_md, f"MODEL.md still mentions {gone!r}"


def test_the_tempo_sweep_and_the_sobol_analysis_use_known_parameters(card: ModuleType) -> None:
    from crisis_sim.model.params import parameter_paths

    known = set(parameter_paths())
    assert set(card.TEMPO_PARAMS) <= known
    for paths in card.MECHANISM_PARAMS.values():
        assert set(paths) <= known
    assert card.SOBOL_N >= 2 and card.SOBOL_N & (card.SOBOL_N - 1) == 0


def test_timing_reads_invasion_weeks_and_the_thaw(card: ModuleType) -> None:
    import numpy as np

    from crisis_sim.model.domain import Outcome

    invade, deal = int(Outcome.FULL_INVASION), int(Outcome.DE_ESCALATION)
    ends = card.Ends(
        outcome=np.array([invade, invade, deal, invade]),
        week=np.array([6, 16, 30, 20]),
        incursion=np.array([False, True, False, True]),
    )
    timing = card.Timing.of(ends)
    assert timing.share == 0.75
    assert timing.median == 16 and timing.mean == 14
    assert card._thaw_week() == 7  # 3 March 2022, the first week on or after 1 March
    assert timing.before_thaw == pytest.approx(1 / 3)


def test_wilson_interval_matches_known_values(card: ModuleType) -> None:
    # Brown, Cai and DasGupta (2001): 0 of 10 gives (0, 0.2775); 5 of 10 gives (0.2366, 0.7634).
    low, high = card.wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(0.2775, abs=1e-4)
    low, high = card.wilson_interval(5, 10)
    assert (low, high) == (pytest.approx(0.2366, abs=1e-4), pytest.approx(0.7634, abs=1e-4))


def test_replace_section_rewrites_only_between_the_markers(card: ModuleType) -> None:
    text = "before\n<!-- x:start -->\nold\n<!-- x:end -->\nafter\n"
    updated = card.replace_section(text, "x", "new\nlines")
    assert updated == "before\n<!-- x:start -->\nnew\nlines\n<!-- x:end -->\nafter\n"
    assert card.read_section(updated, "x") == "new\nlines"
    with pytest.raises(ValueError, match="exactly one"):
        card.replace_section("no markers here", "x", "body")


@pytest.mark.slow  # a process pool of two workers, started for 80 worlds: about 6 s
def test_the_simulations_do_not_depend_on_the_number_of_workers(card: ModuleType) -> None:
    import numpy as np

    tasks = [
        card.Task((), runs=40, seed=7),
        card.Task((("russia.discount", 0.95),), runs=40, seed=7, first=40),
    ]
    here = card.SERIAL.run(tasks)
    with card.Simulator(2) as sim:
        spread = sim.run(tasks)
    for a, b in zip(here, spread, strict=True):
        assert np.array_equal(a.outcome, b.outcome)
        assert np.array_equal(a.week, b.week)
        assert np.array_equal(a.incursion, b.incursion)
