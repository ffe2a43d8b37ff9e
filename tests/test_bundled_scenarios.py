"""The bundled scenarios: each validates, runs, and tells its story."""

from __future__ import annotations

from pathlib import Path

import pytest

from crisis_sim.cli import main
from crisis_sim.ensemble import runner as ensemble
from crisis_sim.model.brief import BRIEF
from crisis_sim.model.domain import OUTCOMES
from crisis_sim.scenario.files import bundled_dir, bundled_scenarios, load_scenario

REPO_SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
BUNDLED = bundled_scenarios()
NAMES = [path.stem for path in BUNDLED]


def test_the_package_ships_the_scenarios_the_issue_asks_for():
    assert NAMES == [
        "allied_split",
        "ally_blocks_sanctions",
        "arms_control_package",
        "baseline",
        "belarus_and_china",
        "deterrence_only",
        "enlargement_moratorium",
        "enlargement_moratorium_no_consent",
        "missile_moratorium",
        "partial_arms_control_agreement",
        "russian_ultimatum",
        "ukraine_neutrality",
        "us_exercise_limits",
    ]


def test_the_repository_scenarios_folder_is_the_bundled_one():
    assert REPO_SCENARIOS.is_dir()
    assert sorted(p.name for p in REPO_SCENARIOS.glob("*.toml")) == [p.name for p in BUNDLED]
    assert REPO_SCENARIOS.resolve() == bundled_dir().resolve()


def test_crisis_sim_validate_accepts_every_bundled_scenario(capsys):
    files = [str(path) for path in sorted(REPO_SCENARIOS.glob("*.toml"))]
    assert main(["validate", *files]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    for name in NAMES:
        assert f"{name}.toml: ok" in out.out


@pytest.mark.parametrize("name", NAMES)
def test_a_bundled_scenario_loads_by_name_and_by_path_alike(name):
    by_name = load_scenario(name)
    by_path = load_scenario(REPO_SCENARIOS / f"{name}.toml")
    assert by_name == by_path
    assert by_name.name == name


@pytest.mark.parametrize("name", NAMES)
def test_a_bundled_scenario_tells_its_story(name):
    scenario = load_scenario(name)
    assert scenario.title.strip()
    assert scenario.question.strip()
    assert scenario.description.strip()
    assert scenario.brief_ids
    assert all(item in BRIEF for item in scenario.brief_ids)
    assert len(set(scenario.brief_ids)) == len(scenario.brief_ids), "a brief id listed twice"


def test_bundled_scenarios_have_distinct_titles_and_questions():
    scenarios = [load_scenario(path) for path in BUNDLED]
    assert len({s.title for s in scenarios}) == len(scenarios)
    assert len({" ".join(s.question.split()) for s in scenarios}) == len(scenarios)


@pytest.mark.parametrize("name", NAMES)
def test_a_bundled_scenario_runs_a_small_ensemble(name, bundled_ensemble):
    results = bundled_ensemble(name, 500)
    assert results.runs == 500
    assert results.info["seed"] == load_scenario(name).run.seed
    table = results.outcome_table()
    assert list(table.index) == [o.key for o in OUTCOMES]
    assert table["worlds"].sum() == 500
    assert table["probability"].sum() == pytest.approx(1.0)
    assert results.worlds["outcome"].notna().all()


@pytest.mark.parametrize("name", NAMES)
def test_a_bundled_scenarios_uncertain_parameters_vary_across_worlds(name):
    scenario = load_scenario(name)
    worlds = ensemble.run(scenario, runs=200, progress=False).worlds
    for dist in scenario.uncertain:
        assert dist.param in worlds.columns
        assert worlds[dist.param].nunique() > 1 or dist.distribution == "fixed"
