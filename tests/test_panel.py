"""The notebook panel re-runs its ensemble and redraws its figure when a control changes."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from crisis_sim.ensemble import runner as ensemble
from crisis_sim.panel import JUDGEMENTS, Panel
from crisis_sim.scenario.files import load_scenario, scenario_from_dict
from crisis_sim.scenario.schema import Scenario


def bar_heights(panel: Panel) -> np.ndarray:
    assert panel.figure is not None
    return np.array([patch.get_height() for patch in panel.figure.axes[0].patches])


def heights_of(scenario: Scenario, panel: Panel) -> np.ndarray:
    """The bars a scenario should have: its outcome probabilities, in percent."""
    results = ensemble.run(scenario, runs=panel.worlds, seed=panel.seed, progress=False)
    return 100 * results.outcome_table()["probability"].to_numpy()


@pytest.fixture(scope="module")
def panel() -> Panel:
    return Panel("baseline", worlds=300)


def test_panel_starts_with_the_scenario(panel: Panel) -> None:
    assert panel.results is not None and panel.results.runs == 300
    np.testing.assert_allclose(bar_heights(panel), heights_of(load_scenario("baseline"), panel))
    assert panel.widget.children
    assert all(panel.controls[name].disabled for name in JUDGEMENTS)
    table = panel.results.outcome_table()
    invasion, deal = table.loc["full_invasion"], table.loc["de_escalation"]
    assert (
        f"Full-scale invasion {invasion.probability:.1%} "
        f"({invasion.low:.1%}-{invasion.high:.1%}); negotiated de-escalation "
        f"{deal.probability:.1%} ({deal.low:.1%}-{deal.high:.1%})."
    ) in panel._status.value


def test_a_lever_changes_the_results_and_the_figure(panel: Panel) -> None:
    before_figure = panel.figure
    heights = bar_heights(panel)
    data = load_scenario("baseline").model_dump(mode="json")
    offer = {"actor": "west", "kind": "offer", "issue": "inf_missiles", "level": 1.0, "week": 1}
    data["levers"] = [*data["levers"], offer]
    offered = heights_of(scenario_from_dict(data, name="baseline"), panel)
    assert not np.allclose(offered, heights)  # the offer moves the outcomes at all
    panel.controls["offer_inf_missiles"].value = True  # the observer re-runs the panel
    assert panel.figure is not before_figure
    np.testing.assert_allclose(bar_heights(panel), offered)
    panel.controls["offer_inf_missiles"].value = False
    np.testing.assert_allclose(bar_heights(panel), heights)


def test_fixing_a_judgement_changes_the_figure(panel: Panel) -> None:
    panel.controls["sampled"].value = False
    assert not panel.controls["russia.revisionist_prior"].disabled
    panel.controls["west.sanction_credibility"].value = 0.95
    assert "sanction credibility 0.95" in panel.describe()
    uncertain = {d.param: d for d in panel.current_scenario().uncertain}
    assert uncertain["west.sanction_credibility"].model_dump() == {
        "distribution": "fixed",
        "param": "west.sanction_credibility",
        "value": 0.95,
    }
    # The posterior stays: its fixed parameters are held, the others drawn from it.
    made = panel.current_scenario()
    assert made.posterior == "pre_t0" and "russia.resolve" not in uncertain
    held = made.held_posterior()
    assert held["west.sanction_credibility"] == 0.95 and "russia.revisionist_prior" in held
    np.testing.assert_allclose(bar_heights(panel), heights_of(panel.current_scenario(), panel))
    panel.controls["sampled"].value = True


def test_the_concession_slider(panel: Panel) -> None:
    panel.controls["concede"].value = True
    levers = panel.current_scenario().levers
    assert levers[-1].kind == "concede" and levers[-1].level == 1.0
    panel.controls["concession_level"].value = 0.3
    assert panel.current_scenario().levers[-1].level == pytest.approx(0.3)
    np.testing.assert_allclose(bar_heights(panel), heights_of(panel.current_scenario(), panel))
    panel.controls["concede"].value = False


def test_worlds_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Panel("baseline", worlds=0)


def test_the_figure_shows_once_as_an_image_from_the_start(panel: Panel) -> None:
    import matplotlib.pyplot as plt

    # Shown as the image widget's PNG from the first draw (no output area to miss it),
    # and no figure is left open in pyplot to be shown a second time.
    assert panel.image in panel.widget.children
    png = bytes(panel.image.value)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == tuple(round(100 * side) for side in panel.figure.get_size_inches())
    assert plt.get_fignums() == []
    before = bytes(panel.image.value)
    panel.controls["offer_exercises"].value = True
    assert bytes(panel.image.value) != before and plt.get_fignums() == []
    panel.controls["offer_exercises"].value = False
