"""The robust policy search: specs, a known best policy, determinism, files run accepts."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ema_workbench")
pytest.importorskip("platypus")
pytest.importorskip("tomli_w")

from crisis_sim import cli
from crisis_sim.analysis.robustness import robustness_table
from crisis_sim.ema import search as robust
from crisis_sim.ema.adapter import WAR_OUTCOMES
from crisis_sim.ensemble import runner
from crisis_sim.ensemble.results import Results
from crisis_sim.model.levers import Lever
from crisis_sim.scenario.errors import ScenarioError
from crisis_sim.scenario.files import load_scenario

STAND_DOWN_WEEKS = (0, 20)


@pytest.fixture(scope="module")
def baseline():
    return load_scenario("baseline")


@pytest.fixture(scope="module")
def few(baseline):
    """The baseline with 10 worlds per parameter set, for small searches."""
    return baseline.model_copy(
        update={"run": baseline.run.model_copy(update={"worlds_per_set": 10})}
    )


@pytest.fixture(scope="module")
def short(few):
    """Also over 12 weeks only: the cheapest searches."""
    return few.model_copy(update={"run": few.run.model_copy(update={"horizon": 12})})


def _spec(levers: list[dict], **settings) -> robust.SearchSpec:
    return robust.SearchSpec.model_validate({"title": "test", "search": settings, "levers": levers})


def _write(tmp_path, text: str):
    path = tmp_path / "spec.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_bundled_spec_searches_western_levers(baseline):
    spec = robust.load_spec("concessions_vs_deterrence", baseline)
    assert {t.actor for t in spec.levers} <= {"united_states", "nato", "west"}
    assert len([p for t in spec.levers for p in t.levers()]) == 12


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[levers]]\nactor = "russia"\nkind = "stand_down"\nlevel = 1.0\nweek = [0, 5]\n',
            "levers[0].actor = 'russia': a Western actor",
        ),
        (
            '[[levers]]\nactor = "west"\nkind = "commitment"\nlevel = 1.0\nweek = [0, 60]\n',
            "levers[0].week = 60: a week from 0 to the scenario's horizon (51)",
        ),
        (
            '[search]\nnfe = 10\nspeed = 2\n[[levers]]\nactor = "west"\nkind = "commitment"\n'
            "level = [0.0, 1.0]\n",
            "search.speed = 2: an unknown key; expected one of: parameter_sets, held_out_sets, nfe",
        ),
        (
            '[[levers]]\nactor = "west"\nkind = "commitment"\nlevel = 1.0\nswitch = false\n',
            "levers = 1: at least one searched key",
        ),
        (
            '[[levers]]\nactor = "united_states"\nkind = "concede"\nissue = "exercises"\n'
            "level = [0.0, 1.5]\n",
            "levers[0].level = [0.0, 1.5]: a level from 0 to 1 for a concede",
        ),
    ],
)
def test_a_bad_spec_is_one_line_naming_the_file_and_key(tmp_path, baseline, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        robust.load_spec(path, baseline)
    lines = str(caught.value).splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}: ")
    assert message in lines[0]


def test_a_missing_spec_names_the_bundled_ones(baseline):
    with pytest.raises(ScenarioError, match="bundled specs are: concessions_vs_deterrence"):
        robust.load_spec("no_such_spec", baseline)


def test_regret_is_the_shortfall_from_the_best_policy_in_each_set():
    sets = np.arange(5)
    good = np.array([0.1, 0.3, 0.2, 0.0, 0.4])
    per_set = pd.concat(
        [
            pd.DataFrame(
                {"policy": "good", "parameter_set": sets, "p_war": good, "p_settlement": 1 - good}
            ),
            pd.DataFrame(
                {
                    "policy": "worse",
                    "parameter_set": sets,
                    "p_war": good + 0.1,
                    "p_settlement": 0.9 - good,
                }
            ),
        ]
    )
    table = robustness_table(per_set).set_index("policy")
    assert table.loc["good", "p_war_regret_max"] == 0.0
    assert table.loc["good", "p_settlement_regret_max"] == 0.0
    assert table.loc["worse", "p_war_regret_max"] == pytest.approx(0.1)
    assert table.loc["worse", "p_settlement_regret_mean"] == pytest.approx(0.1)
    assert table.loc["good", "p_war"] == pytest.approx(good.mean())
    assert (
        table.loc["good", "p_war_p10"]
        <= table.loc["good", "p_war"]
        <= table.loc["good", "p_war_p90"]
    )
    with pytest.raises(ValueError, match="same parameter sets"):
        robustness_table(per_set.iloc[:-1])


def _stand_down_problem(scenario):
    """A lever problem whose best policy is known by construction.

    Russia standing its forces down (a forced move) ends coercion in the week it fires,
    so a stand-down no later than the first war of the scenario's worlds leaves no war
    and every world settled: the best any policy can do on both objectives. A U.S.
    concession on exercises is a distractor. Both facts are read from the model here.
    """
    sets = 2
    as_is = runner.run(scenario, runs=sets * scenario.run.worlds_per_set, progress=False).worlds
    at_war = as_is[as_is["outcome"].astype(str).isin(WAR_OUTCOMES)]
    first_war = int(
        np.minimum(
            at_war["week"],
            at_war["crossing_week"].where(at_war["crossing_week"] >= 0, at_war["week"]),
        ).min()
    )
    assert STAND_DOWN_WEEKS[0] <= first_war <= STAND_DOWN_WEEKS[1]
    for week in (0, first_war):
        lever = Lever(actor="russia", kind="stand_down", level=1.0, week=week)
        worlds = runner.run(
            scenario.model_copy(update={"levers": [lever]}), runs=len(as_is), progress=False
        ).worlds
        assert (worlds["outcome"] == "de_escalation").all()
    spec = _spec(
        [
            {
                "name": "stand_down",
                "actor": "russia",
                "kind": "stand_down",
                "level": 1.0,
                "week": list(STAND_DOWN_WEEKS),
            },
            {
                "name": "exercises",
                "actor": "united_states",
                "kind": "concede",
                "issue": "exercises",
                "level": [0.0, 1.0],
                "week": [0, 10],
            },
        ],
        parameter_sets=sets,
        held_out_sets=2,
        nfe=24,
        population=8,
        seed=5,
    )
    return spec, first_war


@pytest.mark.slow  # about 25 policies of 20 worlds over 51 weeks
def test_the_search_finds_the_known_best_policy_of_a_synthetic_lever_problem(few):
    spec, first_war = _stand_down_problem(few)
    result = robust.search(few, spec, progress=False)
    found = result.pareto[result.pareto["policy"] != "scenario_as_is"]
    assert len(found) == 1  # it dominates every other policy
    best = found.iloc[0]
    assert best["stand_down_on"] == 1
    assert best["stand_down_week"] <= first_war
    assert (best["p_war"], best["p_settlement"]) == (0.0, 1.0)
    as_is = result.pareto.set_index("policy").loc["scenario_as_is"]
    assert as_is["p_war"] > 0  # the scenario as it is does have wars
    assert result.per_set.groupby(["policy", "sample"]).size().eq(2).all()


@pytest.mark.slow  # two searches
def test_the_same_seed_gives_the_same_pareto_set(few):
    spec = _spec(
        [
            {
                "name": "exercises",
                "actor": "united_states",
                "kind": "concede",
                "issue": "exercises",
                "level": [0.0, 1.0],
                "week": [0, 10],
            }
        ],
        parameter_sets=2,
        held_out_sets=2,
        nfe=12,
        population=6,
        seed=9,
    )
    first = robust.search(few, spec, progress=False).pareto
    again = robust.search(few, spec, progress=False).pareto
    pd.testing.assert_frame_equal(first, again)


EXERCISES = {
    "name": "exercises",
    "actor": "united_states",
    "kind": "concede",
    "issue": "exercises",
    "level": [0.0, 1.0],
    "week": [0, 10],
}


def test_a_policy_file_extends_the_scenario_and_run_reproduces_the_table(short, tmp_path):
    few = short
    sets, held = 2, 3
    spec = _spec([EXERCISES], parameter_sets=sets, held_out_sets=held, nfe=4, population=4, seed=2)
    result = robust.search(few, spec, progress=False)
    per_set = few.run.worlds_per_set
    assert (result.runs, result.held_out_runs) == (sets * per_set, held * per_set)
    robust.write_outputs(result, tmp_path, scenario_reference=None)
    base = load_scenario(tmp_path / "policies" / "base.toml")
    assert base.model_dump(exclude={"name"}) == few.model_dump(exclude={"name"})
    name = result.pareto["policy"].iloc[0]
    policy = load_scenario(tmp_path / "policies" / f"{name}.toml")
    assert policy.run.runs == result.runs
    row = result.pareto.set_index("policy").loc[name]
    # crisis-sim run FILE: the search's worlds, the in-sample figures exactly.
    worlds = runner.run(policy, progress=False).worlds
    war = worlds["outcome"].astype(str).isin(WAR_OUTCOMES).mean()
    assert war == pytest.approx(row["p_war"])
    assert (worlds["outcome"] == "de_escalation").mean() == pytest.approx(row["p_settlement"])
    # The held-out worlds are the ones after them: the held-out figures exactly.
    more = runner.run(policy, runs=result.runs + result.held_out_runs, progress=False).worlds
    tail = more[more["parameter_set"] >= sets]
    assert len(tail) == result.held_out_runs
    assert tail["outcome"].astype(str).isin(WAR_OUTCOMES).mean() == pytest.approx(
        row["p_war_held_out"]
    )
    assert (tail["outcome"] == "de_escalation").mean() == pytest.approx(
        row["p_settlement_held_out"]
    )
    # Disjoint from the search's: other sets, other worlds, other judgement values.
    blocks = result.per_set.groupby("sample")["parameter_set"].agg(lambda s: sorted(set(s)))
    assert blocks["search"] == list(range(sets))
    assert blocks["held_out"] == list(range(sets, sets + held))
    assert set(tail["replication"]).isdisjoint(set(worlds["replication"]))
    judged = few.with_posterior_as_ranges().uncertain[0].param
    assert set(tail[judged]).isdisjoint(set(worlds[judged]))
    summary = json.loads((tmp_path / "search.json").read_text(encoding="utf-8"))
    assert summary["held_out_worlds"]["worlds"] == [
        result.runs,
        result.runs + result.held_out_runs - 1,
    ]
    assert summary["policies"][name]["p_war"]["held_out"] == pytest.approx(row["p_war_held_out"])
    printed = robust.format_pareto(result)
    assert printed.splitlines()[0].split()[:4] == ["P(war),", "%", "search", "held-out"]
    war = printed.split("\n\n")[0].splitlines()
    assert war[1].split()[0] == name and max(map(len, war)) <= 88
    shown = [float(x) for x in war[1].split()[1:3]]
    assert shown == pytest.approx([100 * row["p_war"], 100 * row["p_war_held_out"]], abs=0.05)


def test_a_template_colliding_with_a_scenario_lever_is_refused_naming_both(tmp_path):
    # us_exercise_limits: the U.S. concedes on exercises at level 1 in week 2; the bundled
    # spec searches that lever's level over weeks 0-12, so a policy file could hold both.
    limits = load_scenario("us_exercise_limits")
    spec_file = robust.bundled_specs()["concessions_vs_deterrence"]
    with pytest.raises(ScenarioError) as caught:
        robust.load_spec(spec_file, limits)
    lines = str(caught.value).splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{spec_file}: levers[0] = 'concede_exercises': ")
    assert "its levers[0] (united_states concede exercises in week 2 at level 1)" in lines[0]
    spec = robust.load_spec(spec_file)
    with pytest.raises(ScenarioError, match=r"levers\[0\] = 'concede_exercises'"):
        robust.search(limits, spec, progress=False)
    # Weeks that leave week 2 out, or the scenario's own level, are accepted.
    later = _write(
        tmp_path,
        '[[levers]]\nactor = "united_states"\nkind = "concede"\nissue = "exercises"\n'
        "level = [0.0, 1.0]\nweek = [3, 10]\n",
    )
    robust.load_spec(later, limits)
    same = later.with_name("same.toml")
    same.write_text(
        '[[levers]]\nactor = "united_states"\nkind = "concede"\nissue = "exercises"\n'
        "level = 1.0\nweek = [0, 10]\n",
        encoding="utf-8",
    )
    robust.load_spec(same, limits)


def test_two_templates_of_one_lever_in_overlapping_weeks_are_refused(tmp_path, baseline):
    lever = 'actor = "united_states"\nkind = "concede"\nissue = "exercises"\nlevel = [0.0, 1.0]\n'
    path = _write(
        tmp_path,
        f'[[levers]]\nname = "early"\n{lever}week = [0, 6]\n'
        f'[[levers]]\nname = "late"\n{lever}week = [6, 12]\n'
        f'[[levers]]\nname = "later"\n{lever}week = [13, 20]\n'
        '[[levers]]\nactor = "russia"\nkind = "ultimatum"\nlevel = 1.0\ndeadline = 4\n'
        "week = [40, 50]\n",
    )
    with pytest.raises(ScenarioError) as caught:
        robust.load_spec(path, baseline, western=False)
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert "levers[1] = 'late': a lever of its own: levers[0] (early)" in lines[0]
    assert "levers[3].deadline = 4: at most 1 weeks" in lines[1]


def test_a_policy_file_run_would_refuse_is_never_written(short, tmp_path):
    limits = load_scenario("us_exercise_limits")
    limits = limits.model_copy(update={"run": short.run})
    spec = _spec([EXERCISES], parameter_sets=1, held_out_sets=0, nfe=4, population=4, seed=2)
    result = robust.search(short, spec, progress=False)
    pareto = result.pareto.copy()
    first = pareto.index[0]
    pareto.loc[first, ["exercises_on", "exercises_level", "exercises_week"]] = [1, 0.5, 2]
    # As if the up-front check had let it through: the scenario's lever at level 1 in week 2.
    clash = dataclasses.replace(result, scenario=limits, pareto=pareto)
    with pytest.raises(ScenarioError, match=r"levers\[1\]\.level = 0\.5"):
        robust.write_outputs(clash, tmp_path, scenario_reference=None)


@pytest.mark.slow  # a small search through the command line, then run and compare
def test_the_command_line_search_writes_policies_run_and_compare_accept(tmp_path, capsys):
    spec = _write(
        tmp_path,
        "[search]\nparameter_sets = 2\nheld_out_sets = 2\nnfe = 8\npopulation = 4\n[[levers]]\n"
        'name = "exercises"\nactor = "united_states"\nkind = "concede"\nissue = "exercises"\n'
        "level = [0.0, 1.0]\nweek = [0, 10]\n",
    )
    out = tmp_path / "found"
    code = cli.main(
        [
            "search",
            "baseline",
            "--levers",
            str(spec),
            "--out",
            str(out),
            "--quiet",
            "--workers",
            "1",
        ]
    )
    assert code == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert "policy_01" in printed and "scenario_as_is" in printed
    table = pd.read_csv(out / "pareto.csv")
    assert {"p_war_held_out", "p_settlement_regret_max_held_out"} <= set(table.columns)
    assert "held-out parameter sets" in printed and "search  held-out" in printed
    assert "Levers of each policy" in printed
    assert json.loads((out / "search.json").read_text(encoding="utf-8"))["held_out_worlds"]
    assert (out / "pareto.png").is_file() and not (out / "pareto.svg").exists()
    files = sorted((out / "policies").glob("*.toml"))
    assert [f.stem for f in files] == sorted(table["policy"])
    assert 'extends = "baseline"' in files[0].read_text(encoding="utf-8")
    assert (
        cli.main(["run", str(files[0]), "--out", str(tmp_path / "run"), "--quiet", "--no-figures"])
        == 0
    )
    results = Results.load(tmp_path / "run")
    row = table.set_index("policy").loc[files[0].stem]
    war = results.worlds["outcome"].astype(str).isin(WAR_OUTCOMES).mean()
    assert war == pytest.approx(row["p_war"])
    assert cli.main(["compare", *map(str, files), "--out", str(tmp_path / "cmp"), "--quiet"]) == 0
    assert (tmp_path / "cmp" / "comparison.csv").is_file()
    assert cli.main(["search", "baseline", "--levers", str(spec), "--out", str(out)]) == 1


def test_search_without_the_ema_extra_is_one_line_naming_the_extra(monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "tomli_w" else real(name, *a)
    )
    assert cli.main(["search", "baseline", "--levers", "concessions_vs_deterrence"]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "tomli_w missing" in error and "pip install 'crisis-sim[ema]'" in error
