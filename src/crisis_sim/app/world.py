"""One world of a scenario as a Mesa model, and what the web app shows of it each week.

:class:`OneWorld` is :class:`~crisis_sim.model.crisis.CrisisModel` with R = 1, built
from a scenario and a world index, so that Mesa's ``SolaraViz`` can rebuild it from
those two settings alone: its Reset reloads the scenario and the world, never the
model's defaults. World k here is world k of the scenario's ensemble (the same seed,
draws and judgement parameter set), so ``crisis-sim replay`` tells the same story.

The functions below read a model's state into plain values and figures; they know
nothing of Solara, so they are tested without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from crisis_sim.model.crisis import CrisisModel
from crisis_sim.model.domain import Action, Outcome, Rung
from crisis_sim.model.narration import Passage, drawn_parameters, story
from crisis_sim.scenario.files import load_scenario
from crisis_sim.scenario.schema import MAX_RUNS, Scenario

__all__ = [
    "LADDERS",
    "OneWorld",
    "WorldStatus",
    "allies_figure",
    "allies_table",
    "history_figure",
    "log_html",
    "log_passages",
    "world_status",
]

LADDERS: dict[str, tuple[str, float]] = {
    "sanctions": ("sanctions tier", 3.0),
    "posture": ("Eastern Flank posture", 2.0),
    "support": ("support to Ukraine", 2.0),
}
"""The West's response ladders: attribute of ``model.west``, label and top of the ladder."""

_FINALS = ("invade", "settle", "hold on")
"""How the page names the last move of Russia's best plan of holding."""


class OneWorld(CrisisModel):
    """World ``world`` of a scenario, alone (R = 1), with its event log kept.

    The parameter is not called ``scenario``: Mesa's models already have a
    ``scenario`` (Mesa's own parameter object), which SolaraViz's Reset passes on to
    any model that takes one.

    Args:
        scenario_name: A bundled scenario's name or a scenario file.
        world: The world's index in the scenario's ensemble (0 to MAX_RUNS - 1).

    Attributes:
        scenario_name: The scenario as given (to rebuild the same world).
        world: The world's index.
        crisis_scenario: The loaded scenario.
    """

    def __init__(self, scenario_name: str | Path = "baseline", world: int = 0) -> None:
        """Load the scenario and set up its world ``world`` at t0."""
        world = int(world)
        if not 0 <= world < MAX_RUNS:
            raise ValueError(f"world must be from 0 to {MAX_RUNS - 1:,}, not {world}")
        loaded = load_scenario(scenario_name)
        self.scenario_name = str(scenario_name)
        self.world = world
        self.crisis_scenario: Scenario = loaded
        run = loaded.run
        super().__init__(
            loaded.params,
            replications=1,
            seed=run.seed,
            first_replication=world,
            horizon=run.horizon,
            levers=loaded.all_levers(),
            uncertain=loaded.uncertain,
            sample_design=run.sampling,
            worlds_per_set=run.worlds_per_set,
            posterior=loaded.posterior_sample(),
            start_date=run.start_date,
            event_log=True,
            record_history=True,
        )


@dataclass(frozen=True)
class WorldStatus:
    """What one world looks like this week, in words and numbers.

    Attributes:
        week, date: The week (0 = t0) and its date (ISO).
        rung: Russia's rung, as ``2 (military technical)``.
        russia_type: ``revisionist`` or ``security-seeking`` (the model's latent type).
        last_move: Russia's choice this week (``""`` at t0).
        plan: Russia's best plan of holding: ``hold 3 weeks, then settle``.
        choices: Each action open to Russia with its value and probability.
        ladders: Each Western ladder's level, by label.
        resolve_belief: Russia's belief that the West will carry out its threats, 0-1.
        type_belief: The West's belief that Russia is revisionist, 0-1.
        war_risk: The chance the West sees that Russia plans to invade, 0-1.
        cohesion: The Alliance's cohesion, 0-1.
        resistance: Ukraine's resistance, 0-1.
        outcome: The outcome so far (``ongoing`` while the crisis runs).
        running: Whether Step can go on.
    """

    week: int
    date: str
    rung: str
    russia_type: str
    last_move: str
    plan: str
    choices: list[str]
    ladders: dict[str, float]
    resolve_belief: float
    type_belief: float
    war_risk: float
    cohesion: float
    resistance: float
    outcome: str
    running: bool

    def html(self) -> str:
        """The status as a short HTML page (the one-world view's first card)."""
        ladders = ", ".join(f"{label} {value:.2f}" for label, value in self.ladders.items())
        russia = f"<b>Russia</b> ({self.russia_type}) stands at rung {self.rung}."
        if self.last_move:
            russia += f" This week it {self.last_move}."
        if self.plan:
            russia += f" Its best plan of holding: {self.plan}."
        parts = [
            f"<h3>Week {self.week}: {self.date}</h3>",
            f"<p><b>Outcome:</b> {escape(self.outcome)}</p>",
            f"<p>{russia}</p>",
        ]
        if self.choices:
            parts.append(
                "<p>Its choices (value, probability): " + "; ".join(self.choices) + ".</p>"
            )
        parts += [
            f"<p><b>The West's ladders:</b> {ladders}.</p>",
            f"<p><b>Beliefs:</b> Russia's belief in Western resolve {self.resolve_belief:.2f}; "
            f"the West's belief that Russia is revisionist {self.type_belief:.2f}; "
            f"the war risk the West sees {self.war_risk:.2f}.</p>",
            f"<p><b>Alliance cohesion</b> {self.cohesion:.2f}. "
            f"<b>Ukraine's resistance</b> {self.resistance:.2f}.</p>",
        ]
        return "\n".join(parts)


def _rung_text(rung: int) -> str:
    return f"{rung} ({Rung(rung).name.lower().replace('_', ' ')})"


def world_status(model: CrisisModel, world: int = 0) -> WorldStatus:
    """World ``world`` of ``model`` (its index in the model) this week."""
    russia, west = model.russia, model.west
    action = int(russia.last_action[world])
    move, plan, choices = "", "", []
    if action >= 0:
        move = {
            Action.DE_ESCALATE: "stepped down",
            Action.HOLD: "held",
            Action.ESCALATE: "escalated",
            Action.INVADE: "invaded",
            Action.ACCEPT: "settled on the deal on the table",
            Action.ACCEPT_PARTIAL: "agreed to part of the package",
        }.get(Action(action), Action(action).name.lower())
    if russia.by_type is not None:
        own = russia.by_type[0] if russia.revisionist[world] else russia.by_type[1]
        weeks = int(own.best_wait[world])
        plan = (
            f"hold {weeks} week{'s' if weeks != 1 else ''}, then "
            + (_FINALS[int(own.best_final[world])])
        )
        choices = [
            f"{a.name.lower().replace('_', '-')} {russia.utilities[a, world]:+.3f} "
            f"(p {russia.probabilities[a, world]:.2f})"
            for a in Action
            if russia.probabilities[a, world] > 0
        ]
    code = int(model.outcome[world])
    outcome = (
        "ongoing" if code < 0 else f"{Outcome(code).label} in week {model.outcome_week[world]}"
    )
    if code == int(Outcome.FULL_INVASION) and model.war.at_war[world]:
        outcome += f"; the war goes on (front {model.war.front[world]:.2f})"
    return WorldStatus(
        week=model.week,
        date=model.date.isoformat(),
        rung=_rung_text(int(russia.rung[world])),
        russia_type="revisionist" if russia.revisionist[world] else "security-seeking",
        last_move=move,
        plan=plan,
        choices=choices,
        ladders={label: float(getattr(west, name)[world]) for name, (label, _) in LADDERS.items()},
        resolve_belief=float(russia.resolve_belief[world]),
        type_belief=float(west.type_belief[world]),
        war_risk=float(west.war_risk[world]),
        cohesion=float(model.nato.cohesion[world]),
        resistance=float(model.ukraine.resistance[world]),
        outcome=outcome,
        running=bool(model.running),
    )


def allies_table(model: CrisisModel, world: int = 0) -> pd.DataFrame:
    """Each of the 30 allies' willingness to punish Russia this week, highest first.

    Columns: ``iso3``, ``name``, ``willingness`` (0-1), ``frontline`` (a Bucharest
    Nine member or a land border with Russia, Belarus or Ukraine).
    """
    rows = [
        {
            "iso3": member.record.iso3,
            "name": member.record.name,
            "willingness": float(member.willingness[world]),
            "frontline": bool(member.record.frontline),
        }
        for member in model.nato.members
    ]
    table = pd.DataFrame(rows)
    return table.sort_values(["willingness", "iso3"], ascending=[False, True], ignore_index=True)


FRONTLINE_COLOUR = "#D55E00"
"""Okabe-Ito vermilion: frontline allies in the allies' chart."""

OTHER_ALLY_COLOUR = "#0072B2"
"""Okabe-Ito blue: the other allies."""


def allies_figure(model: CrisisModel, world: int = 0) -> Figure:
    """The 30 allies' willingness as sorted bars in two panels, named by country and ISO code.

    The highest half is on the left, the lowest on the right; frontline allies are
    vermilion, the others blue; the dashed line is the Alliance's consensus level.
    """
    table = allies_table(model, world)
    figure = Figure(figsize=(5.6, 3.5), layout="constrained")
    panels = figure.subplots(1, 2, sharex=True)
    half = (len(table) + 1) // 2
    consensus = float(model.nato.consensus[world])
    for ax, part in zip(panels, (table.iloc[:half], table.iloc[half:]), strict=True):
        positions = np.arange(len(part))[::-1]
        colours = np.where(part["frontline"], FRONTLINE_COLOUR, OTHER_ALLY_COLOUR)
        ax.barh(positions, part["willingness"], color=colours, height=0.72)
        labels = [f"{n} {c}" for n, c in zip(part["name"], part["iso3"], strict=True)]
        ax.set_yticks(positions, labels)
        ax.tick_params(axis="y", labelsize=6.5, length=0)
        ax.tick_params(axis="x", labelsize=7)
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.6, half - 0.4)
        ax.axvline(consensus, color="#444444", linestyle="--", linewidth=1)
        ax.set_xlabel("willingness (0-1)", fontsize=7)
    figure.suptitle(
        f"Allies' willingness to punish Russia, week {model.week} (dashed: consensus)",
        fontsize=8.5,
    )
    figure.legend(
        handles=[
            Patch(color=FRONTLINE_COLOUR, label="frontline: Bucharest Nine or a border"),
            Patch(color=OTHER_ALLY_COLOUR, label="other allies"),
        ],
        fontsize=6.5,
        frameon=False,
        loc="outside lower center",
        ncol=2,
    )
    return figure


def history_figure(model: CrisisModel, world: int = 0) -> Figure:
    """The world's path so far: Russia's rung, the West's ladders and both beliefs, by week."""
    history = model.history
    if history is None:
        raise RuntimeError("this model keeps no history: create it with record_history=True")
    weeks = np.arange(len(history["rung"]))

    def series(name: str) -> np.ndarray:
        return np.array([values[world] for values in history[name]], dtype=float)

    figure = Figure(figsize=(5.6, 3.5), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True)
    top.step(weeks, series("rung"), where="post", color="#000000", label="Russia's rung (0-4)")
    for (name, (label, highest)), colour in zip(
        LADDERS.items(), ("#E69F00", "#56B4E9", "#009E73"), strict=True
    ):
        top.step(weeks, series(name), where="post", color=colour, label=f"{label} (0-{highest:g})")
    top.set_ylim(-0.2, 4.2)
    top.set_ylabel("level", fontsize=7)
    top.legend(fontsize=6.5, frameon=False, loc="upper left", ncol=2)
    top.set_title(f"World {getattr(model, 'world', world)} so far", fontsize=8.5)
    top.tick_params(labelsize=7)
    bottom.tick_params(labelsize=7)
    bottom.plot(weeks, series("resolve_belief"), color="#CC79A7", label="Russia: West resolute")
    bottom.plot(weeks, series("type_belief"), color="#0072B2", label="West: Russia revisionist")
    bottom.plot(weeks, series("cohesion"), color="#555555", linestyle="--", label="cohesion")
    bottom.set_ylim(0, 1)
    bottom.set_ylabel("belief, cohesion (0-1)", fontsize=7)
    bottom.set_xlabel(f"week after {model.start_date.isoformat()}", fontsize=7)
    bottom.set_xlim(0, max(model.horizon, 1))
    bottom.legend(fontsize=6.5, frameon=False, loc="lower left", ncol=3)
    return figure


def log_passages(model: CrisisModel) -> list[Passage]:
    """The event log so far as a story (:func:`crisis_sim.model.narration.story`)."""
    return story(model.event_log())


def log_html(model: CrisisModel, limit: int = 200) -> str:
    """The event log so far as an HTML list, newest passage first (at most ``limit``).

    Below it, what the world drew before it began (Russia's type and each parameter
    drawn per world), as ``crisis-sim replay`` prints it.
    """
    passages = log_passages(model)[::-1][:limit]
    items = []
    for p in passages:
        weeks = f"week {p.first_week}" + (f"-{p.last_week}" if p.last_week != p.first_week else "")
        text = escape(p.headline + (f". {p.detail}" if p.detail else ""))
        items.append(f"<li><b>{p.first_date}</b> ({weeks}) <i>{escape(p.actor)}</i>: {text}</li>")
    world = getattr(model, "world", 0)
    head = f"<p><b>Event log</b> of world {world}: {len(passages)} passages, newest first.</p>"
    drew = "; ".join(escape(line) for line in drawn_parameters(model))
    return f"{head}<ul>{''.join(items)}</ul><p><b>Drawn before week 0:</b> {drew}.</p>"
