"""The web app's state without a browser: one world, the explorer's settings, the command.

The pages themselves (Solara) are driven in a browser by tests/test_app_browser.py;
here are the functions they call, each cheap.
"""

from __future__ import annotations

import inspect
import re
import socket

import numpy as np
import pytest

from crisis_sim import app as web
from crisis_sim.app import explorer
from crisis_sim.app.world import (
    OneWorld,
    allies_figure,
    allies_table,
    log_html,
    world_status,
)
from crisis_sim.cli import main
from crisis_sim.ensemble import runner as ensemble
from crisis_sim.model.crisis import CrisisModel
from crisis_sim.scenario.files import load_scenario

# -- one world -------------------------------------------------------------------------


def test_one_world_is_world_k_of_the_scenarios_ensemble():
    ensemble_worlds = ensemble.run("us_exercise_limits", runs=6, progress=False).worlds
    for world in (0, 5):
        alone = OneWorld("us_exercise_limits", world).run().outcomes().iloc[0]
        row = ensemble_worlds.iloc[world]
        assert (alone["outcome"], alone["week"]) == (row["outcome"], row["week"])
        assert alone["replication"] == world


def test_reset_rebuilds_the_scenario_and_world_from_the_two_settings_alone():
    # SolaraViz's Reset calls type(model)(**model_parameters), and passes Mesa's own
    # `scenario` object to a model whose __init__ takes `scenario` or **kwargs.
    parameters = inspect.signature(OneWorld.__init__).parameters
    assert list(parameters) == ["self", "scenario_name", "world"]
    model = OneWorld("ukraine_neutrality", 3)
    for _ in range(4):
        model.step()
    again = type(model)(scenario_name=model.scenario_name, world=model.world)
    assert again.week == 0 and again.crisis_scenario == load_scenario("ukraine_neutrality")
    for _ in range(4):
        again.step()
    assert world_status(again) == world_status(model)


def test_one_world_refuses_a_world_outside_the_ensemble():
    with pytest.raises(ValueError, match="world must be from 0"):
        OneWorld("baseline", -1)


def test_the_status_reads_the_week_rung_ladders_beliefs_and_resistance():
    model = OneWorld("baseline", 2)
    start = world_status(model)
    assert (start.week, start.date, start.last_move, start.outcome) == (
        0,
        "2022-01-13",
        "",
        "ongoing",
    )
    for _ in range(3):
        model.step()
    status = world_status(model)
    assert status.week == 3 and status.date == "2022-02-03"
    assert status.rung.startswith(str(int(model.russia.rung[0])))
    assert status.ladders["sanctions tier"] == model.west.sanctions[0]
    assert status.ladders["support to Ukraine"] == model.west.support[0]
    assert status.resolve_belief == model.russia.resolve_belief[0]
    assert status.type_belief == model.west.type_belief[0]
    assert status.resistance == model.ukraine.resistance[0]
    assert status.last_move and "then" in status.plan and status.choices
    page = status.html()
    assert "<h3>Week 3: 2022-02-03</h3>" in page and "Ukraine's resistance" in page


def test_all_thirty_allies_sorted_by_willingness_and_named():
    model = OneWorld("baseline", 0)
    model.step()
    table = allies_table(model)
    assert len(table) == 30 and table["iso3"].is_unique
    assert np.all(np.diff(table["willingness"]) <= 0)
    by_code = {m.record.iso3: float(m.willingness[0]) for m in model.nato.members}
    assert dict(zip(table["iso3"], table["willingness"], strict=True)) == by_code
    figure = allies_figure(model)
    labels = [t.get_text() for ax in figure.axes for t in ax.get_yticklabels()]
    assert len(labels) == 30 and all(any(code in label for label in labels) for code in by_code)
    heights = sorted(p.get_width() for ax in figure.axes for p in ax.patches)
    np.testing.assert_allclose(heights, sorted(by_code.values()))


def test_the_event_log_grows_week_by_week_newest_first():
    model = OneWorld("baseline", 1)
    pages = [log_html(model)]
    for _ in range(3):
        model.step()
        pages.append(log_html(model))
    assert pages[0].count("<li>") == 0 and pages[-1].count("<li>") >= 2
    assert "Russia&#x27;s type: " in pages[0] and "alliance.solidarity = " in pages[0]
    assert "2022-01-20" in pages[1] and "2022-01-20" not in pages[0]
    dates = re.findall(r"<li><b>(\d{4}-\d\d-\d\d)</b>", pages[-1])
    assert dates == sorted(dates, reverse=True) and dates[0] > dates[-1]


# -- the explorer ----------------------------------------------------------------------


def test_controls_offer_every_judgement_and_the_scenarios_own_levers():
    scenario = load_scenario("us_exercise_limits")
    controls = explorer.controls_for(scenario)
    assert [c.path for c in controls.judgements] == scenario.judgement_paths()
    own = [c for c in controls.levers if c.key.startswith("lever_")]
    assert [c.lever for c in own] == scenario.levers and all(c.on for c in own)
    added = [c for c in controls.levers if c.key.startswith("add_")]
    assert added and not any(c.on for c in added)
    assert "add_concede_exercises" not in {c.key for c in added}  # the scenario concedes it
    for control in controls.judgements:
        assert control.low <= control.median <= control.high


def test_the_settings_as_written_give_the_scenario_as_written():
    controls = explorer.controls_of("us_exercise_limits")
    settings = controls.default_settings("us_exercise_limits")
    written = load_scenario("us_exercise_limits")
    made = explorer.scenario_for(settings, controls)
    assert made.name == "us_exercise_limits" and made.levers == written.levers
    assert made.posterior == written.posterior and made.uncertain == written.uncertain
    hash(settings)  # it keys the cache


def test_a_lever_pulled_is_added_and_one_dropped_is_gone():
    controls = explorer.controls_of("us_exercise_limits")
    settings = controls.default_settings("us_exercise_limits")
    offer = settings.with_lever("add_offer_inf_missiles", on=True)
    made = explorer.scenario_for(offer, controls)
    assert made.name == "us_exercise_limits_edited"
    assert [(lv.kind, lv.issue.key, lv.week) for lv in made.levers[1:]] == [
        ("offer", "inf_missiles", 1)
    ]
    dropped = explorer.scenario_for(settings.with_lever("lever_0", on=False), controls)
    assert dropped.levers == []
    weaker = explorer.scenario_for(settings.with_lever("lever_0", level=0.3, week=5), controls)
    assert (weaker.levers[0].level, weaker.levers[0].week) == (0.3, 5)


def test_fixing_a_judgement_fixes_it_and_a_posteriors_parameter_keeps_the_posterior():
    controls = explorer.controls_of("baseline")
    settings = controls.default_settings("baseline")
    own = settings.with_judgement("alliance.solidarity", fixed=True, value=0.7)
    made = explorer.scenario_for(own, controls)
    assert made.posterior == "pre_t0"  # not a posterior's parameter: the posterior stays
    fixed = {d.param: d for d in made.uncertain}["alliance.solidarity"]
    assert fixed.model_dump() == {
        "distribution": "fixed",
        "param": "alliance.solidarity",
        "value": 0.7,
    }
    calibrated = settings.with_judgement("russia.revisionist_prior", fixed=True, value=0.6)
    made = explorer.scenario_for(calibrated, controls)
    assert made.posterior == "pre_t0"  # the posterior stays, one coordinate held
    assert made.held_posterior() == {"russia.revisionist_prior": 0.6}
    drawn = {d.param: d for d in made.uncertain}
    assert drawn["russia.revisionist_prior"].model_dump()["value"] == 0.6
    assert "russia.resolve" not in drawn  # still drawn from the posterior, not a range
    base = load_scenario("baseline")
    free = CrisisModel.from_scenario(base, replications=100).sampled
    held = CrisisModel.from_scenario(made, replications=100).sampled
    assert set(free) == set(held)
    assert np.all(held["russia.revisionist_prior"] == 0.6)
    assert not np.all(free["russia.revisionist_prior"] == 0.6)
    for path in set(free) - {"russia.revisionist_prior"}:
        np.testing.assert_array_equal(held[path], free[path], err_msg=path)


def test_the_reference_is_the_parent_with_the_same_judgements_or_the_scenario_as_written():
    controls = explorer.controls_of("baseline")
    settings = controls.default_settings("baseline")
    assert explorer.reference_for(settings, controls) is None
    edited = settings.with_lever("add_offer_exercises", on=True)
    assert explorer.reference_for(edited, controls) == load_scenario("baseline")
    child = explorer.controls_of("us_exercise_limits")
    fixed = child.default_settings("us_exercise_limits").with_judgement(
        "alliance.solidarity", fixed=True, value=0.2
    )
    parent = explorer.reference_for(fixed, child)
    assert parent is not None and parent.name == "baseline" and parent.levers == []
    assert {d.param: d for d in parent.uncertain}["alliance.solidarity"].model_dump()[
        "value"
    ] == 0.2


def test_a_run_pairs_the_edit_with_its_reference_and_is_kept():
    controls = explorer.controls_of("baseline")
    settings = controls.default_settings("baseline", worlds=300)
    edited = settings.with_lever("add_concede_exercises", on=True)
    shares: list[float] = []
    first = explorer.run(edited, controls=controls, progress=shares.append)
    assert shares and shares[-1] == 1.0 and shares == sorted(shares)
    assert first.results.runs == 300 and first.reference is not None
    table = first.comparison
    assert table.attrs["reference"] == "baseline" and set(table["scenario"]) == {"baseline_edited"}
    reference = ensemble.run("baseline", runs=300, progress=False)
    assert first.reference.outcome_table()["worlds"].tolist() == (
        reference.outcome_table()["worlds"].tolist()
    )
    again: list[float] = []
    assert explorer.run(edited, controls=controls, progress=again.append) is first
    assert again == [] and explorer.cached_run(edited) is first
    assert explorer.cached_run(settings) is None


def test_the_outcome_table_shows_both_intervals():
    results = ensemble.run("baseline", runs=1000, progress=False)  # 20 parameter sets
    table = results.outcome_table()
    assert table["judgement_low"].notna().all()
    page = explorer.outcome_html(table)
    row = table.loc["full_invasion"]
    assert f"<td>Full-scale invasion</td><td>{100 * row.probability:.1f}%</td>" in page
    assert f"{100 * row.low:.1f}% - {100 * row.high:.1f}%" in page
    assert f"{100 * row.judgement_low:.1f}% - {100 * row.judgement_high:.1f}%" in page


# -- the command -----------------------------------------------------------------------


def test_offline_settings_point_solara_at_its_installed_assets_and_nowhere_else():
    environment = web.offline_environment()
    folder = web.assets_folder()
    assert environment["SOLARA_ASSETS_PROXY_CACHE_DIR"] == str(folder)
    assert any(folder.glob("@widgetti/solara-vuetify-app@*/dist/*.js"))
    assert environment["SOLARA_ASSETS_CDN"].startswith("http://127.0.0.1:")
    assert environment["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"


def test_a_missing_extra_is_one_line_naming_the_install(monkeypatch, capsys):
    monkeypatch.setattr(web, "_missing", lambda: ["solara-assets"])
    assert main(["app", "--port", "8999"]) == 1
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "pip install 'crisis-sim[app]'" in error
    assert "solara-assets" in error


def test_a_taken_port_and_a_bad_scenario_are_one_line(capsys, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["app", "--port", str(port)]) == 1
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and f"port {port}" in error and "--port" in error
    assert main(["app", str(tmp_path / "missing.toml")]) == 1
    assert "missing.toml" in capsys.readouterr().err
    assert main(["app", "--port", "0"]) == 2
