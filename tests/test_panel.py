"""The notebook panel re-runs its ensemble and redraws its figure when a control changes."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from crisis_sim.panel import JUDGEMENTS, Panel


def bar_heights(panel: Panel) -> np.ndarray:
    assert panel.figure is not None
    return np.array([patch.get_height() for patch in panel.figure.axes[0].patches])


@pytest.fixture(scope="module")
def panel() -> Panel:
    return Panel("baseline", worlds=300)


def test_panel_starts_with_the_scenario(panel: Panel) -> None:
    assert panel.results is not None and panel.results.runs == 300
    assert len(bar_heights(panel)) == 5
    assert panel.widget.children
    assert all(panel.controls[name].disabled for name in JUDGEMENTS)


def test_a_lever_changes_the_results_and_the_figure(panel: Panel) -> None:
    before_figure, before_results = panel.figure, panel.results
    heights = bar_heights(panel)
    panel.controls["offer_inf_missiles"].value = True  # the observer re-runs the panel
    assert panel.results is not before_results
    assert panel.figure is not before_figure
    assert not panel.results.worlds["outcome"].equals(before_results.worlds["outcome"])
    assert not np.allclose(bar_heights(panel), heights)
    panel.controls["offer_inf_missiles"].value = False
    np.testing.assert_allclose(bar_heights(panel), heights)


def test_fixing_a_judgement_changes_the_figure(panel: Panel) -> None:
    panel.controls["sampled"].value = False
    assert not panel.controls["russia.revisionist_prior"].disabled
    heights = bar_heights(panel)
    panel.controls["west.sanction_credibility"].value = 0.95
    assert "sanction credibility 0.95" in panel.describe()
    assert not np.allclose(bar_heights(panel), heights)
    uncertain = {d.param: d for d in panel.current_scenario().uncertain}
    assert uncertain["west.sanction_credibility"].distribution == "fixed"
    panel.controls["sampled"].value = True


def test_the_concession_slider(panel: Panel) -> None:
    panel.controls["concede"].value = True
    levers = panel.current_scenario().levers
    assert levers[-1].kind == "concede" and levers[-1].level == 1.0
    heights = bar_heights(panel)
    panel.controls["concession_level"].value = 0.3
    assert panel.current_scenario().levers[-1].level == pytest.approx(0.3)
    assert not np.allclose(bar_heights(panel), heights)
    panel.controls["concede"].value = False


def test_worlds_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Panel("baseline", worlds=0)
