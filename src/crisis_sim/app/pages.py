"""The web app's pages (Solara): one world as a Mesa model, and the ensemble explorer.

``solara run crisis_sim.app.pages`` serves them, as ``crisis-sim app`` does with the
settings that keep it offline (:func:`crisis_sim.app.serve`). The scenario given on
the command line comes in through the ``CRISIS_SIM_APP_SCENARIO`` environment variable.

- **One world** (``/``): Mesa's ``SolaraViz`` around :class:`~crisis_sim.app.world.OneWorld`,
  with Step, Play and Reset; its model parameters are the scenario and the world, so
  Reset rebuilds that world of that scenario.
- **Ensemble explorer** (``/explorer``): the scenario's levers and judgements
  (:mod:`crisis_sim.app.explorer`), a run of the edited scenario and its reference on
  common random numbers, and the package's figures of both.

Every figure is a matplotlib figure from :mod:`crisis_sim.plots.figures` or
:mod:`crisis_sim.app.world`, sent as PNG: no Altair or Vega chart, so nothing the
page needs lies outside the installed assets.
"""

from __future__ import annotations

import dataclasses
import io
import os
from html import escape
from typing import Any

import solara
import solara.lab
from mesa.visualization import SolaraViz

from crisis_sim.app import SCENARIO_VARIABLE, explorer
from crisis_sim.app.world import OneWorld, allies_figure, history_figure, log_html, world_status
from crisis_sim.plots import figures as plots

DEFAULT_SCENARIO = os.environ.get(SCENARIO_VARIABLE) or "baseline"
"""The scenario both pages start with: the command line's, else the baseline."""

SCENARIOS = explorer.source_names(None if DEFAULT_SCENARIO == "baseline" else DEFAULT_SCENARIO)
"""The scenarios the pages offer: the one given on the command line, then the bundled ones."""

WORLDS_OFFERED = 200
"""Worlds the one-world page offers (0-199): any world of the scenario's first 200."""

LOG_SHOWN = 200
"""Passages of the event log shown (newest first); a year of one world has fewer."""


def _image(figure: Any) -> solara.Element:
    """A matplotlib figure as a PNG image (the figure is not kept by pyplot)."""
    return solara.FigureMatplotlib(figure, format="png", dpi=100)


# -- one world ---------------------------------------------------------------------------

_SCROLL = {"max-height": "330px", "overflow-y": "auto", "font-size": "13px"}
"""The style of a grid card's text: it scrolls inside its card."""


def _html(content: str, name: str, style: dict[str, str] | None = None) -> solara.Element:
    """HTML the package wrote (every user text in it escaped), in a div of class ``name``.

    Not ``solara.Markdown``: it loads KaTeX from the CDN folder, which solara-assets
    does not hold, so it would fail with no network.
    """
    return solara.HTML(tag="div", unsafe_innerHTML=content, classes=[name], style=style or {})


def WorldState(model: OneWorld) -> solara.Element:
    """The week, Russia's rung and plans, the West's ladders, beliefs and Ukraine's resistance."""
    return _html(world_status(model).html(), "world-status", _SCROLL)


def WorldPath(model: OneWorld) -> solara.Element:
    """The world's path so far: rung, ladders and beliefs by week."""
    return _image(history_figure(model))


def Allies(model: OneWorld) -> solara.Element:
    """Every ally's willingness, sorted."""
    return _image(allies_figure(model))


def EventLog(model: OneWorld) -> solara.Element:
    """The event log so far as a story, newest first."""
    return _html(log_html(model, LOG_SHOWN), "event-log", _SCROLL)


@solara.component
def OneWorldPage() -> None:
    """Mesa's SolaraViz around one world of a scenario: Step, Play, Reset."""
    model = solara.use_memo(lambda: OneWorld(DEFAULT_SCENARIO, 0), [])
    solara.Style(CSS)
    SolaraViz(
        model,
        components=[(WorldState, 0), (WorldPath, 0), (EventLog, 0), (Allies, 0)],
        model_params={
            "scenario_name": {
                "type": "Select",
                "value": DEFAULT_SCENARIO,
                "values": SCENARIOS,
                "label": "scenario (Reset loads it)",
            },
            "world": {
                "type": "SliderInt",
                "value": 0,
                "min": 0,
                "max": WORLDS_OFFERED - 1,
                "step": 1,
                "label": "world (Reset loads it)",
            },
        },
        play_interval=400,
        name="crisis_sim: one world",
    )


# -- the ensemble explorer ---------------------------------------------------------------


@solara.component
def LeverInputs(
    controls: explorer.Controls, settings: explorer.Settings, set_settings: Any, horizon: int
) -> None:
    """A checkbox, a level slider and a week slider for each lever."""
    rows = {row[0]: row for row in settings.levers}
    for control in controls.levers:
        _, on, level, week = rows[control.key]
        key = control.key

        def switched(value: bool, key: str = key) -> None:
            set_settings(settings.with_lever(key, on=value))

        solara.Checkbox(label=control.label, value=on, on_value=switched)
        low, high = control.level_range
        if on and high > low:
            step = (high - low) / 20

            def moved(new: float, key: str = key, old: float = level, step: float = step) -> None:
                if abs(new - old) > step / 2:  # the slider also reports a value it only snapped
                    set_settings(settings.with_lever(key, level=new))

            solara.SliderFloat("level", value=level, min=low, max=high, step=step, on_value=moved)
        if on:

            def rescheduled(value: int, key: str = key) -> None:
                set_settings(settings.with_lever(key, week=value))

            solara.SliderInt("week", value=week, min=0, max=horizon, on_value=rescheduled)


@solara.component
def JudgementInputs(controls: explorer.Controls, settings: explorer.Settings, set_settings: Any):
    """A slider for each judgement parameter: moving it fixes it; untick to draw it again."""
    rows = {row[0]: row for row in settings.judgements}
    for control in controls.judgements:
        path = control.path
        _, fixed, value = rows[path]
        source = "posterior 5-95%" if control.from_posterior else "range"

        def fixed_or_drawn(on: bool, path: str = path) -> None:
            set_settings(settings.with_judgement(path, fixed=on))

        solara.Checkbox(
            label=f"fix {path}" if fixed else f"{path}: drawn from its {source}",
            value=fixed,
            on_value=fixed_or_drawn,
        )
        step = control.step

        def moved(new: float, path: str = path, old: float = value, step: float = step) -> None:
            if abs(new - old) > step / 2:  # the slider also reports a value it only snapped
                set_settings(settings.with_judgement(path, fixed=True, value=new))

        solara.SliderFloat(
            "value" if fixed else "move to fix",
            value=value,
            min=control.low,
            max=control.high,
            step=step,
            on_value=moved,
        )


class Superseded(Exception):
    """A run whose settings were changed while it ran."""


CSS = """
.outcome-table table, .comparison-table table { border-collapse: collapse; margin: 8px 0 16px; }
.outcome-table th, .outcome-table td, .comparison-table th, .comparison-table td {
    padding: 3px 12px; border-bottom: 1px solid #ddd; text-align: right; }
.outcome-table td:first-child, .comparison-table td:first-child { text-align: left; }
.v-navigation-drawer .v-input--checkbox { margin-top: 0; padding-top: 0; }
.v-navigation-drawer .v-input--checkbox .v-messages { display: none; }
.v-navigation-drawer .v-input--checkbox label { font-size: 13px; }
.v-navigation-drawer .v-input__slot { margin-bottom: 0; }
.world-status h3 { margin-bottom: 6px; }
.event-log ul { padding-left: 18px; }
"""
"""The app's few styles: tables with lines, denser controls in the sidebar."""


@solara.component
def ExplorerPage() -> None:
    """Pull a scenario's levers and judgements and see its ensemble, paired with its reference."""
    source, set_source = solara.use_state(DEFAULT_SCENARIO)
    controls = explorer.controls_of(source)
    settings, set_settings = solara.use_state(controls.default_settings(source))

    def choose_scenario(name: str) -> None:
        set_source(name)
        set_settings(explorer.controls_of(name).default_settings(name, settings.worlds))

    def choose_worlds(worlds: int) -> None:
        set_settings(dataclasses.replace(settings, worlds=int(worlds)))

    def work() -> explorer.ExplorerRun:
        found = explorer.cached_run(settings)
        if found is not None:
            return found

        def progress(share: float) -> None:
            if not task.is_current():
                raise Superseded  # the settings changed: stop this run, keep no result
            task.progress = 100 * share

        return explorer.run(settings, controls=controls, progress=progress)

    task = solara.lab.use_task(work, dependencies=[settings], prefer_threaded=True)
    scenario = controls.scenario

    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle("crisis_sim: ensemble explorer")
    with solara.Sidebar():
        with solara.Card("Scenario"):
            solara.Select("scenario", value=source, values=SCENARIOS, on_value=choose_scenario)
            solara.Select(
                "worlds per scenario",
                value=settings.worlds,
                values=list(explorer.WORLD_CHOICES),
                on_value=choose_worlds,
            )
            solara.Text(f"seed {settings.seed} (the scenario's), the same for the reference")
            solara.Button(
                "Reset to the scenario as written",
                on_click=lambda: set_settings(controls.default_settings(source, settings.worlds)),
                text=True,
            )
        with solara.Card("Levers"):
            LeverInputs(controls, settings, set_settings, scenario.run.horizon)
        with solara.Card("Judgements"):
            JudgementInputs(controls, settings, set_settings)

    _html(f"<h2>{escape(scenario.title)}</h2><p>{escape(scenario.question)}</p>", "scenario")
    if task.pending:
        solara.ProgressLinear(task.progress if task.progress is not None else True)
        solara.Text(f"Running {settings.worlds:,} worlds...")
    if task.error:
        solara.Error(f"The run failed: {task.exception}")
    if task.latest is not None:
        RunView(task.latest)


def _png(figure: Any) -> bytes:
    """A figure as PNG bytes, drawn once."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


@solara.component
def RunView(outcome: explorer.ExplorerRun) -> None:
    """One run's outcomes, paired difference and outcomes over time, in three tabs.

    The figures are drawn once per run (``use_memo``), not at every progress update
    of the next run.
    """
    results = outcome.results
    images = solara.use_memo(
        lambda: {
            "outcomes": _png(plots.outcome_probabilities(results)),
            "forest": None if outcome.reference is None else _png(plots.forest(outcome.comparison)),
            "over_time": _png(plots.outcomes_over_time(results)),
            "incidence": _png(plots.cumulative_incidence(results)),
        },
        [outcome],
    )
    tab, set_tab = solara.use_state(0)
    with solara.Row(classes=["run-status"]):
        solara.Text(
            f"{results.runs:,} worlds of {results.scenario.name}, seed {outcome.settings.seed}; "
            f"run in {outcome.seconds:.1f} s (kept: returning to these settings is instant)."
        )
    with solara.lab.Tabs(value=tab, on_value=set_tab, lazy=True):
        with solara.lab.Tab("Outcomes"):
            solara.Image(images["outcomes"])
            _html(explorer.outcome_html(results.outcome_table()), "outcome-table")
        with solara.lab.Tab("Paired difference"):
            if outcome.reference is None:
                solara.Info(
                    f"{results.scenario.name} extends no other scenario: pull a lever or fix a "
                    "judgement to compare the edited scenario with it as written."
                )
            else:
                solara.Image(images["forest"])
                _html(explorer.comparison_html(outcome.comparison), "comparison-table")
        with solara.lab.Tab("Over time"):
            with solara.Columns([1, 1]):
                solara.Image(images["over_time"])
                solara.Image(images["incidence"])


PAGES = {"/": "One world", "explorer": "Ensemble explorer"}
"""The pages by path, with the names the app bar gives them."""


@solara.component
def Layout(children: list[solara.Element] | None = None) -> None:
    """Solara's app layout, with the two pages named in the app bar."""
    route, routes = solara.use_route()
    with solara.AppLayout(children=children or [], navigation=False):
        with solara.AppBar():
            for each in routes:
                with solara.Link(solara.resolve_path(each)):
                    solara.Button(
                        PAGES.get(each.path, each.path),
                        text=True,
                        dark=True,
                        outlined=each is route,
                        classes=[f"page-{'explorer' if each.path == 'explorer' else 'world'}"],
                    )


routes = [
    solara.Route(path="/", component=OneWorldPage, label="One world", layout=Layout),
    solara.Route(path="explorer", component=ExplorerPage, label="Ensemble explorer"),
]
"""The app's pages, for ``solara run``."""
