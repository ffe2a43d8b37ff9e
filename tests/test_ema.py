"""The EMA Workbench adapter: uncertainties, levers, outcomes, and the batched evaluator."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("ema_workbench")
pytest.importorskip("platypus")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from ema_workbench import SequentialEvaluator, perform_experiments
    from ema_workbench.analysis import prim
    from ema_workbench.em_framework.points import Sample
    from ema_workbench.em_framework.samplers import LHSSampler
    from platypus import EpsNSGAII

from crisis_sim.ema import (
    BatchedEvaluator,
    LeverTemplate,
    experiment_model,
    identifier,
    parameter_path,
    policy_model,
    uncertainties,
    world_outcomes,
)
from crisis_sim.ema.adapter import WAR_OUTCOMES, world_block
from crisis_sim.ensemble import runner
from crisis_sim.model.params import parameter_paths
from crisis_sim.scenario.files import load_scenario

EXERCISES = LeverTemplate(
    name="concede_exercises",
    actor="united_states",
    kind="concede",
    issue="exercises",
    level=(0.0, 1.0),
    week=(0, 10),
)


@pytest.fixture(scope="module")
def baseline():
    return load_scenario("baseline")


@pytest.fixture(scope="module")
def short(baseline):
    """The baseline over 20 weeks: cheap models for the plumbing."""
    return baseline.model_copy(update={"run": baseline.run.model_copy(update={"horizon": 20})})


def _design(model, scenarios: int, policies: int):
    scenario_samples = list(
        LHSSampler().generate_samples(list(model.uncertainties), scenarios, rng=11)
    )
    policy_samples = list(LHSSampler().generate_samples(list(model.levers), policies, rng=12))
    # Name the scenarios 0..n-1: scenario j runs the worlds of block j.
    named = [Sample(j, **dict(sample.items())) for j, sample in enumerate(scenario_samples)]
    return named, policy_samples


def test_every_parameter_path_has_an_identifier_and_back():
    for path in parameter_paths():
        name = identifier(path)
        assert name.isidentifier()
        assert parameter_path(name) == path
    with pytest.raises(KeyError):
        parameter_path("russia__no_such_thing")


def test_world_blocks_follow_whole_number_names_and_hash_the_rest():
    assert world_block(0) == 0
    assert world_block(np.int64(7)) == 7
    assert world_block("12") == 12
    assert world_block("reference") == world_block("reference") >= 2**40
    assert world_block("reference") != world_block("other")


def test_uncertainties_are_the_judgement_parameters_over_their_ranges(baseline):
    found = {u.name: (u.lower_bound, u.upper_bound) for u in uncertainties(baseline)}
    ranged = baseline.with_posterior_as_ranges().uncertain
    assert sorted(found) == sorted(identifier(d.param) for d in ranged)
    for dist in ranged:
        assert found[identifier(dist.param)] == pytest.approx(dist.support())
    by_law = {u.name: u for u in uncertainties(baseline, "distribution")}
    wedge = by_law["russia__wedge_strength"]  # triangular 0-0.3, mode 0.1
    assert wedge.dist.ppf(0.0) == pytest.approx(0.0)
    assert wedge.dist.ppf(1.0) == pytest.approx(0.3)
    assert wedge.dist.cdf(0.1) == pytest.approx(1 / 3)


def test_a_template_gives_on_level_and_week_levers_and_the_lever_they_choose():
    names = [(p.name, type(p).__name__) for p in EXERCISES.levers()]
    assert names == [
        ("concede_exercises_on", "IntegerParameter"),
        ("concede_exercises_level", "RealParameter"),
        ("concede_exercises_week", "IntegerParameter"),
    ]
    lever = EXERCISES.lever(
        {"concede_exercises_on": 1, "concede_exercises_level": 0.4, "concede_exercises_week": 3}
    )
    assert (lever.kind.value, lever.issue.key, lever.level, lever.week) == (
        "concede",
        "exercises",
        0.4,
        3,
    )
    assert EXERCISES.lever({"concede_exercises_on": 0, "concede_exercises_level": 0.4}) is None
    fixed = LeverTemplate(actor="west", kind="commitment", level=1.0, week=2, switch=False)
    assert fixed.name == "west_commitment"
    assert fixed.levers() == []


@pytest.mark.parametrize(
    ("data", "path", "words"),
    [
        (
            {"actor": "united_states", "kind": "concede", "issue": "exercises", "level": [0, 2]},
            "level",
            "a level from 0 to 1",
        ),
        ({"actor": "united_states", "kind": "concede", "level": 1.0}, "issue", "an issue"),
        (
            {"actor": "russia", "kind": "concede", "issue": "exercises", "level": 1.0},
            "actor",
            "one of nato, united_states, west",
        ),
        ({"actor": "west", "kind": "commitment", "level": [0.5, 0.2]}, "level", "low below high"),
    ],
)
def test_a_bad_template_names_the_key_and_what_was_expected(data, path, words):
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as caught:
        LeverTemplate.model_validate(data)
    problems = caught.value.errors()[0]["ctx"]["error"].problems
    assert problems[0].path == path
    assert words in str(problems[0])


def test_the_batched_evaluator_gives_the_plain_path_s_outcomes_on_the_same_worlds(short):
    baseline = short
    model = experiment_model(baseline, [EXERCISES], worlds=6)
    scenarios, policies = _design(model, 4, 2)
    plain_experiments, plain = perform_experiments(
        model,
        scenarios=scenarios,
        policies=policies,
        evaluator=SequentialEvaluator(model),
        log_progress=True,
    )
    with BatchedEvaluator(model) as evaluator:
        batched_experiments, batched = evaluator.perform_experiments(
            scenarios=scenarios, policies=policies, log_progress=True
        )
        assert evaluator.groups_run == 2  # one vectorised model per policy
    pd.testing.assert_frame_equal(plain_experiments, batched_experiments)
    assert sorted(plain) == sorted(batched)
    for name in plain:
        np.testing.assert_array_equal(plain[name], batched[name])
    # Scenario j runs worlds 6j..6j+5 at its values, whatever ran beside it.
    j, policy = 2, policies[1]
    values = {
        d.param: np.full(6, scenarios[j][identifier(d.param)])
        for d in baseline.with_posterior_as_ranges().uncertain
    }
    changed = baseline.model_copy(update={"levers": [EXERCISES.lever(policy)]})
    worlds = pd.concat(runner.run_worlds(changed, values, first=6 * j), ignore_index=True)
    expected = world_outcomes(worlds, baseline.run.horizon)
    row = 1 * 4 + j  # policy-major order
    assert plain["p_war"][row] == expected["p_war"]
    np.testing.assert_array_equal(plain["war_by_week"][row], expected["war_by_week"])


def test_outcomes_of_a_group_of_worlds_add_up(baseline):
    worlds = runner.run(baseline, runs=200, progress=False).worlds
    found = world_outcomes(worlds, baseline.run.horizon)
    shares = [found[f"p_{key}"] for key in worlds["outcome"].cat.categories]
    assert sum(shares) == pytest.approx(1.0)
    assert found["p_war"] == pytest.approx(sum(found[f"p_{key}"] for key in WAR_OUTCOMES))
    war = found["war_by_week"]
    assert np.all(np.diff(war) >= 0) and war[-1] == pytest.approx(found["p_war"])
    settled = found["settlement_by_week"]
    assert settled[-1] == pytest.approx(found["p_de_escalation"])
    invaded = worlds.loc[worlds["outcome"] == "full_invasion", "week"]
    assert found["median_week_full_invasion"] == float(np.median(invaded))


def test_ema_prim_runs_on_the_batched_evaluator_s_results(baseline):
    model = experiment_model(baseline, worlds=10)
    scenarios, _ = _design(model, 40, 1)
    with BatchedEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(
            scenarios=scenarios, log_progress=True
        )
    x = experiments[[u.name for u in model.uncertainties]]
    y = outcomes["p_war"] > np.median(outcomes["p_war"])
    assert 0 < y.sum() < len(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = prim.Prim(x, y.astype(int)).find_box()
    assert box.peeling_trajectory["density"].iloc[-1] > y.mean()


def test_ema_optimize_runs_on_the_batched_evaluator_over_policies(short, tmp_path):
    few = short.model_copy(update={"run": short.run.model_copy(update={"worlds_per_set": 5})})
    model = policy_model(few, [EXERCISES], sets=2)
    assert [o.name for o in model.outcomes if o.kind != o.INFO] == ["p_war", "p_settlement"]
    with BatchedEvaluator(model) as evaluator, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found, _convergence = evaluator.optimize(
            algorithm=EpsNSGAII,
            nfe=8,
            searchover="levers",
            reference=Sample("reference"),
            epsilons=[0.05, 0.05],
            population_size=4,
            rng=3,
            filename="archive.tar.gz",
            directory=str(tmp_path),
        )
        assert evaluator.groups_run >= 8
    assert len(found) >= 1
    assert set(found.columns) >= {"concede_exercises_on", "p_war", "p_settlement"}
    assert found["p_war"].between(0, 1).all()


@pytest.mark.slow  # starts a pool of worker processes
def test_the_process_pool_gives_the_in_process_outcomes(short):
    model = experiment_model(short, [EXERCISES], worlds=5)
    scenarios, policies = _design(model, 3, 3)
    with BatchedEvaluator(model) as evaluator:
        _, local = evaluator.perform_experiments(scenarios=scenarios, policies=policies)
    with BatchedEvaluator(model, executor="processes", workers=2) as evaluator:
        _, pooled = evaluator.perform_experiments(scenarios=scenarios, policies=policies)
    for name in local:
        np.testing.assert_array_equal(local[name], pooled[name])


def test_the_batched_evaluator_runs_only_crisis_sim_models():
    from ema_workbench import Model

    with pytest.raises(TypeError, match="CrisisSimModel"):
        BatchedEvaluator(Model("other", function=lambda **kw: {}))


def test_by_distribution_a_clipped_normal_is_refused_naming_the_parameter(baseline):
    from crisis_sim.scenario.schema import Normal

    normal = Normal(
        distribution="normal", param="alliance.solidarity", mean=0.3, sd=0.1, low=0.0, high=0.8
    )
    scenario = baseline.model_copy(update={"uncertain": [normal], "posterior": None})
    with pytest.raises(ValueError, match=r"alliance\.solidarity: EMA has no parameter"):
        uncertainties(scenario, "distribution")
    assert [u.name for u in uncertainties(scenario)] == ["alliance__solidarity"]


@pytest.mark.slow  # starts a private Dask cluster
def test_the_dask_executor_gives_the_in_process_outcomes(short):
    pytest.importorskip("distributed")
    model = experiment_model(short, [EXERCISES], worlds=4)
    scenarios, policies = _design(model, 2, 2)
    with BatchedEvaluator(model) as evaluator:
        _, local = evaluator.perform_experiments(scenarios=scenarios, policies=policies)
    with BatchedEvaluator(model, executor="dask", workers=1) as evaluator:
        _, remote = evaluator.perform_experiments(scenarios=scenarios, policies=policies)
    for name in local:
        np.testing.assert_array_equal(local[name], remote[name])


def test_sampled_scenarios_are_named_0_to_n_1_whatever_ran_before(short):
    from crisis_sim.ema import scenario_design

    model = experiment_model(short, worlds=3)

    def sampled():
        with BatchedEvaluator(model) as evaluator:
            return evaluator.perform_experiments(
                scenarios=3, uncertainty_sampling_kwargs={"rng": 4}, log_progress=True
            )

    first, first_outcomes = sampled()
    # Anything sampled in between moves EMA's name counter on.
    list(LHSSampler().generate_samples(list(model.uncertainties), 5, rng=1))
    again, again_outcomes = sampled()
    assert list(first["scenario"]) == list(again["scenario"]) == [0, 1, 2]
    np.testing.assert_array_equal(first_outcomes["p_war"], again_outcomes["p_war"])
    np.testing.assert_array_equal(first_outcomes["war_by_week"], again_outcomes["war_by_week"])
    design = scenario_design(model.uncertainties, 3, rng=4)
    assert [s.name for s in design] == [0, 1, 2]
    names = [u.name for u in model.uncertainties]
    np.testing.assert_array_equal(
        first[names].to_numpy(dtype=float),
        np.array([[s[name] for name in names] for s in design], dtype=float),
    )
