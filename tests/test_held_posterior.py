"""A posterior parameter held fixed: that column replaced, the rest drawn as calibrated.

An ``uncertain`` entry with ``distribution = "fixed"`` on a parameter of the scenario's
posterior holds that coordinate of every parameter set's row (an intervention, not
conditioning: ``Scenario.held_posterior``); any other distribution there is refused.
"""

from __future__ import annotations

import numpy as np
import pytest

from crisis_sim.model.crisis import CrisisModel
from crisis_sim.scenario.describe import describe_scenario, summary_line
from crisis_sim.scenario.errors import ScenarioError
from crisis_sim.scenario.files import load_scenario, scenario_from_dict
from crisis_sim.scenario.schema import Fixed, Scenario

PATH = "russia.revisionist_prior"
VALUE = 0.8


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario("baseline")


@pytest.fixture(scope="module")
def held(baseline: Scenario) -> Scenario:
    return scenario_from_dict(baseline.data_with_fixed({PATH: VALUE}), name="held")


@pytest.mark.parametrize("design", ["monte_carlo", "latin_hypercube"])
def test_the_fixed_column_is_held_and_every_other_value_is_as_without_it(
    baseline: Scenario, held: Scenario, design: str
) -> None:
    options = {"replications": 300, "first_replication": 50, "sample_design": design}
    free = CrisisModel.from_scenario(baseline, **options).sampled
    fixed = CrisisModel.from_scenario(held, **options).sampled
    assert set(fixed) == set(free)
    assert np.all(fixed[PATH] == VALUE)
    assert np.unique(free[PATH]).size > 1  # the posterior spreads it when not held
    others = set(free) - {PATH}
    assert set(baseline.posterior_sample().paths) - {PATH} <= others
    for path in others:
        np.testing.assert_array_equal(fixed[path], free[path], err_msg=path)


def test_another_distribution_on_a_posterior_parameter_is_refused_in_one_line(
    baseline: Scenario, tmp_path
) -> None:
    text = (
        'title = "t"\nquestion = "q?"\nposterior = "pre_t0"\n'
        f'[[uncertain]]\nparam = "{PATH}"\ndistribution = "uniform"\nlow = 0.2\nhigh = 0.9\n'
    )
    path = tmp_path / "ranged.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert len(message.splitlines()) == 1
    assert "ranged.toml" in message and "posterior" in caught.value.paths
    assert f"({PATH} is both)" in message and "'fixed'" in message
    held_text = text.replace('"uniform"\nlow = 0.2\nhigh = 0.9', '"fixed"\nvalue = 0.8')
    path.write_text(held_text, encoding="utf-8")
    assert load_scenario(path).held_posterior() == {PATH: VALUE}


def test_a_held_value_outside_the_bounds_is_refused_at_its_entry(tmp_path) -> None:
    path = tmp_path / "outside.toml"
    path.write_text(
        'title = "t"\nquestion = "q?"\nposterior = "pre_t0"\n'
        f'[[uncertain]]\nparam = "{PATH}"\ndistribution = "fixed"\nvalue = 1.5\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.paths == ["uncertain[0]"] and len(str(caught.value).splitlines()) == 1


def test_the_bookkeeping_lists_a_held_parameter_once_as_fixed(
    baseline: Scenario, held: Scenario
) -> None:
    paths = held.judgement_paths()
    assert sorted(paths) == sorted(baseline.judgement_paths()) and len(set(paths)) == len(paths)
    assert held.held_posterior() == {PATH: VALUE} and baseline.held_posterior() == {}
    ranged = {dist.param: dist for dist in held.with_posterior_as_ranges().uncertain}
    assert isinstance(ranged[PATH], Fixed) and ranged[PATH].value == VALUE
    assert ranged["russia.resolve"].distribution == "uniform"
    assert len(held.with_posterior_as_ranges().uncertain) == len(paths)
    words = describe_scenario(held)
    assert f"{PATH}: held at 0.8" in words and "russia.resolve: 5-95%" in words
    assert "(and 1 of its held fixed)" in summary_line(held)
