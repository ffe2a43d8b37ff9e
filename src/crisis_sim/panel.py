"""An interactive panel for notebooks: pull the levers, set the judgements, see the outcomes.

:class:`Panel` shows sliders and checkboxes for the main levers (a week-2 U.S.
concession on exercises, the offers put on the table in week 1) and for a few
uncertain judgement parameters (Russia's prior of being revisionist, the credibility
of sanctions, allied solidarity). On every change it re-runs a modest ensemble of the
scenario on the same seed (so two settings differ only by what was changed) and
redraws the outcome-probability figure::

    from crisis_sim.panel import Panel

    panel = Panel("baseline", worlds=2000)
    panel.widget  # display it in a notebook cell

The judgement sliders are off by default: the parameters are then drawn per world
from the scenario's ranges, as in the scenario itself. Untick "draw judgements from
their ranges" to fix them at the sliders' values instead. A fixed parameter of the
scenario's calibrated posterior holds that coordinate of each parameter set's posterior
row, and the posterior's other parameters keep their calibrated joint draw
(:meth:`~crisis_sim.scenario.schema.Scenario.held_posterior`).

The figure is shown as an image widget holding its PNG, not printed into an output
area: an output area's first figure was missing under Solara until a control was
clicked, and a figure left open was shown twice in Jupyter and Voila.

It needs ipywidgets: ``pip install 'crisis-sim[notebooks]'``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

try:
    import ipywidgets as widgets
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "crisis_sim.panel needs ipywidgets: pip install 'crisis-sim[notebooks]'"
    ) from error

import numpy as np
from matplotlib.figure import Figure

from crisis_sim.ensemble import runner as ensemble
from crisis_sim.ensemble.results import Results
from crisis_sim.model.domain import Outcome
from crisis_sim.plots import figures as plots
from crisis_sim.scenario.files import load_scenario, scenario_from_dict
from crisis_sim.scenario.schema import Scenario

__all__ = ["JUDGEMENTS", "OFFERS", "Panel", "png_bytes"]

JUDGEMENTS: dict[str, str] = {
    "russia.revisionist_prior": "revisionist prior",
    "west.sanction_credibility": "sanction credibility",
    "alliance.solidarity": "allied solidarity",
}
"""Uncertain parameters the panel can fix, with their slider labels (all range 0-1)."""

OFFERS: dict[str, str] = {
    "inf_missiles": "offer: missile moratorium",
    "exercises": "offer: exercise limits",
    "risk_reduction": "offer: risk-reduction channels",
}
"""Issues the West can put on the table in week 1 (granted only in a deal)."""

CONCESSION_WEEK = 2
"""The week of the U.S. concession on exercises."""

OFFER_WEEK = 1
"""The week the offers go on the table."""


def png_bytes(figure: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes (what the panel's image shows)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


class Panel:
    """Sliders for levers and judgements over an ensemble, with its outcome figure.

    Attributes:
        scenario: The scenario the panel starts from (its levers are kept; the
            panel's levers are added to them).
        worlds: Worlds per ensemble.
        seed: The seed of every ensemble (the scenario's unless given), so that
            settings are compared on the same worlds.
        widget: The ipywidgets box to display.
        figure: The current outcome-probability figure.
        image: The widget that shows it, as PNG bytes: set when the figure is drawn, so
            the first figure shows as soon as the panel does (in Jupyter, Voila and
            Solara alike) and only once (no figure is left open in pyplot).
        results: The current ensemble's results.
        controls: Every control by name: ``concede``, ``concession_level``,
            ``offer_<issue>``, ``sampled`` and ``<parameter path>``.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path = "baseline",
        worlds: int = 2000,
        *,
        seed: int | None = None,
    ) -> None:
        """Build the controls, run the first ensemble and draw its figure.

        Args:
            scenario: A scenario, a bundled scenario's name or a file.
            worlds: Worlds per ensemble (each change re-runs them).
            seed: The seed; the scenario's if None.

        Raises:
            ValueError: If ``worlds`` is less than 1.
        """
        if worlds < 1:
            raise ValueError(f"worlds must be at least 1, not {worlds}")
        self.scenario = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self.worlds = int(worlds)
        self.seed = self.scenario.run.seed if seed is None else int(seed)
        self.controls: dict[str, widgets.ValueWidget] = self._build_controls()
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="760px"))
        self._status = widgets.HTML()
        self.figure: Figure | None = None
        self.results: Results | None = None
        levers = widgets.VBox(
            [
                widgets.HTML("<b>Levers</b>"),
                self.controls["concede"],
                self.controls["concession_level"],
                *(self.controls[f"offer_{issue}"] for issue in OFFERS),
            ]
        )
        judgements = widgets.VBox(
            [
                widgets.HTML("<b>Judgements</b>"),
                self.controls["sampled"],
                *(self.controls[name] for name in JUDGEMENTS),
            ]
        )
        self.widget = widgets.VBox([widgets.HBox([levers, judgements]), self._status, self.image])
        for control in self.controls.values():
            control.observe(self._changed, names="value")
        self.update()

    # -- building ----------------------------------------------------------------------

    def _median(self, name: str) -> float:
        """The median of a parameter's distribution in the scenario, else its default."""
        for dist in self.scenario.uncertain:
            if dist.param == name:
                return float(dist.quantile(np.array([0.5]))[0])
        sample = self.scenario.posterior_sample()
        if sample is not None and name in sample.paths:
            return sample.quantiles((0.5,))[name][0]
        section, _, field = name.partition(".")
        return float(getattr(getattr(self.scenario.params, section), field))

    def _build_controls(self) -> dict[str, widgets.ValueWidget]:
        style = {"description_width": "initial"}
        layout = widgets.Layout(width="340px")
        controls: dict[str, widgets.ValueWidget] = {
            "concede": widgets.Checkbox(
                value=False,
                description=f"U.S. concedes limits on exercises in week {CONCESSION_WEEK}",
                style=style,
                layout=layout,
            ),
            "concession_level": widgets.FloatSlider(
                value=1.0,
                min=0.05,
                max=1.0,
                step=0.05,
                description="concession level",
                continuous_update=False,
                style=style,
                layout=layout,
            ),
        }
        for issue, label in OFFERS.items():
            controls[f"offer_{issue}"] = widgets.Checkbox(
                value=False, description=f"{label} (week {OFFER_WEEK})", style=style, layout=layout
            )
        controls["sampled"] = widgets.Checkbox(
            value=True, description="draw judgements from their ranges", style=style, layout=layout
        )
        for name, label in JUDGEMENTS.items():
            controls[name] = widgets.FloatSlider(
                value=round(self._median(name), 2),
                min=0.0,
                max=1.0,
                step=0.05,
                description=label,
                continuous_update=False,
                disabled=True,
                style=style,
                layout=layout,
            )
        return controls

    # -- running -----------------------------------------------------------------------

    def _changed(self, change: dict[str, Any]) -> None:
        """Re-run on any change of a control."""
        self.update()

    def current_scenario(self) -> Scenario:
        """The scenario with the panel's levers added and, if asked, judgements fixed."""
        values = {name: control.value for name, control in self.controls.items()}
        data = self.scenario.model_dump(mode="json")
        levers = list(data["levers"])
        if values["concede"]:
            levers.append(
                {
                    "actor": "united_states",
                    "kind": "concede",
                    "issue": "exercises",
                    "level": float(values["concession_level"]),
                    "week": CONCESSION_WEEK,
                }
            )
        for issue in OFFERS:
            if values[f"offer_{issue}"]:
                levers.append(
                    {
                        "actor": "west",
                        "kind": "offer",
                        "issue": issue,
                        "level": 1.0,
                        "week": OFFER_WEEK,
                    }
                )
        data["levers"] = levers
        if not values["sampled"]:
            fixed = {name: float(values[name]) for name in JUDGEMENTS}
            # The posterior stays: a fixed posterior parameter holds that coordinate of
            # each set's row, the others drawn as calibrated (Scenario.held_posterior).
            data["uncertain"] = self.scenario.data_with_fixed(fixed)["uncertain"]
            listed = {entry["param"] for entry in data["uncertain"]}
            for name, value in fixed.items():
                if name not in listed:
                    section, _, field = name.partition(".")
                    data["params"][section][field] = value
        return scenario_from_dict(data, name=self.scenario.name or "panel")

    def describe(self) -> str:
        """One line on what the current settings are."""
        values = {name: control.value for name, control in self.controls.items()}
        parts = []
        if values["concede"]:
            parts.append(f"U.S. concession on exercises at {values['concession_level']:.2f}")
        parts += [label for issue, label in OFFERS.items() if values[f"offer_{issue}"]]
        if not values["sampled"]:
            parts += [f"{label} {values[name]:.2f}" for name, label in JUDGEMENTS.items()]
        return "; ".join(parts) or "the scenario as written"

    def update(self) -> Figure:
        """Re-run the ensemble with the current settings and redraw the figure.

        Returns:
            The new figure (also :attr:`figure`).
        """
        judgements_fixed = not self.controls["sampled"].value
        for name in JUDGEMENTS:
            self.controls[name].disabled = not judgements_fixed
        self.controls["concession_level"].disabled = not self.controls["concede"].value
        self.results = ensemble.run(
            self.current_scenario(), runs=self.worlds, seed=self.seed, progress=False
        )
        self.figure = plots.outcome_probabilities(self.results)
        self.image.value = png_bytes(self.figure)
        table = self.results.outcome_table()
        invasion = table.loc[Outcome.FULL_INVASION.key]
        deal = table.loc[Outcome.DE_ESCALATION.key]
        self._status.value = (
            f"{self.results.runs:,} worlds, seed {self.seed}: {self.describe()}. "
            f"{Outcome.FULL_INVASION.label} {invasion.probability:.1%} "
            f"({invasion.low:.1%}-{invasion.high:.1%}); {Outcome.DE_ESCALATION.label.lower()} "
            f"{deal.probability:.1%} ({deal.low:.1%}-{deal.high:.1%})."
        )
        return self.figure
