"""The narrated event log: what happened in each world, week by week, and why.

Kept only when asked for (by default for R <= 20 worlds); the mechanisms report to
:class:`Narration` and it does nothing when it is off. :func:`story` tells one world's
log as a story (runs of weeks in which an actor did the same collapsed into one line),
and :func:`drawn_parameters` says what the world drew before it began.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from crisis_sim.model.domain import ISSUES, Action, InvasionReason, Rung
from crisis_sim.model.params import iter_params

if TYPE_CHECKING:
    from crisis_sim.model.crisis import CrisisModel
    from crisis_sim.model.russia import Russia

_VERBS = {
    Action.DE_ESCALATE: "steps down to",
    Action.HOLD: "holds at",
    Action.ESCALATE: "escalates to",
    Action.ACCEPT_PARTIAL: "agrees in part and holds at",
}

RISE_SHOWN = 0.005
"""Smallest rise of a Western ladder the log reports (smaller drifts of consensus are noise)."""

_FINALS = ("then invade", "then settle", "and hold on")

_PLAN = "best plan of holding"
"""The words that begin the reasons of Russia's choice, after its move."""
"""How the narration names the final move of Russia's best plan of holding."""


class Narration:
    """The event log of a model's worlds: one entry per event, with its week and date.

    Attributes:
        enabled: Whether events are kept.
        events: The entries so far (replication, week, date, actor, event).
    """

    def __init__(self, model: CrisisModel, enabled: bool) -> None:
        """Start an empty log, kept only if ``enabled``."""
        self.model = model
        self.enabled = enabled
        self.events: list[dict[str, Any]] = []

    def log(self, world: int, actor: str, text: str) -> None:
        """Add one event of world ``world`` (this model's index) this week."""
        model = self.model
        self.events.append(
            {
                "replication": model.first_replication + world,
                "week": model.week,
                "date": model.date.isoformat(),
                "actor": actor,
                "event": text,
            }
        )

    def mask(self, mask: np.ndarray, actor: str, text: str) -> None:
        """Add the same event to every world in ``mask``."""
        if not self.enabled:
            return
        for world in np.flatnonzero(mask):
            self.log(int(world), actor, text)

    def rises(self, what: str, before: np.ndarray, after: np.ndarray, source: str) -> None:
        """Add an event for each world in which a Western ladder rose."""
        if not self.enabled:
            return
        for world in np.flatnonzero(after > before + RISE_SHOWN):
            if f"{before[world]:.2f}" == f"{after[world]:.2f}":
                continue  # a rise too small to show at two decimals is no news
            self.log(
                int(world),
                "west",
                f"{what} rises from {before[world]:.2f} to {after[world]:.2f} ({source})",
            )

    def choices(self, russia: Russia, terms: np.ndarray) -> None:
        """Add Russia's choice this week, with the plans it weighed and why.

        The entry names the action, where it leads (the ``terms`` accepted, for a
        settlement), the best plan of holding (how many weeks, then what), the value
        and probability of every action available, and Russia's belief in Western
        resolve; for an invasion, whether it was the best reply and the chance of
        winning Russia saw.
        """
        if not self.enabled or russia.by_type is None:
            return
        rev, sec = russia.by_type
        for world in np.flatnonzero(russia.last_action >= 0):
            action = Action(int(russia.last_action[world]))
            rung = Rung(int(russia.rung[world]))
            where = f"rung {int(rung)} ({rung.name.lower().replace('_', ' ')})"
            if action is Action.ACCEPT:
                accepted = ", ".join(
                    f"{issue.key} {terms[issue, world]:.2f}"
                    for issue in ISSUES
                    if terms[issue, world] > 0
                )
                what = f"settles on the deal on the table ({accepted or 'nothing'})"
            elif action is Action.INVADE:
                reason = InvasionReason(int(russia.invasion_reason[world]))
                what = (
                    f"invades ({reason.key.replace('_', ' ')}, "
                    f"{russia.invasion_margin[world]:.3f} below the best plan; chance of "
                    f"winning it sees {russia.invasion_victory[world]:.2f})"
                )
            else:
                what = f"{_VERBS[action]} {where}"
            own = rev if russia.revisionist[world] else sec
            weeks = int(own.best_wait[world])
            plan = (
                f"{_PLAN}: {weeks} week{'s' if weeks != 1 else ''} "
                f"{_FINALS[int(own.best_final[world])]}"
            )
            reasons = ", ".join(
                f"{a.name.lower().replace('_', '-')} {russia.utilities[a, world]:+.3f} "
                f"(p {russia.probabilities[a, world]:.2f})"
                for a in Action
                if russia.probabilities[a, world] > 0
            )
            self.log(
                int(world),
                "russia",
                f"{what}. {plan}. Values: {reasons}; belief in Western resolve "
                f"{russia.resolve_belief[world]:.2f}",
            )


@dataclass(frozen=True)
class Passage:
    """One line of a world's story: an event, or a run of weeks of the same event.

    Attributes:
        first_week, last_week: The weeks it covers (equal for a single week).
        first_date, last_date: Their dates (ISO).
        actor: Who acted.
        headline: What the actor did (the event's first sentence).
        detail: The rest of the event's text, in its last week ("" if none).
    """

    first_week: int
    last_week: int
    first_date: str
    last_date: str
    actor: str
    headline: str
    detail: str

    def __str__(self) -> str:
        """``week 5  2022-02-17  russia  holds ...``, or ``weeks 5-11 ...`` for a run."""
        if self.first_week == self.last_week:
            when = f"week {self.first_week}"
            what = self.headline + (f". {self.detail}" if self.detail else "")
        else:
            when = f"weeks {self.first_week}-{self.last_week}"
            span = self.last_week - self.first_week + 1
            what = f"{self.headline} ({span} weeks)"
            what += f"; in week {self.last_week}, {self.detail}" if self.detail else ""
        return f"{when:<11} {self.first_date}  {self.actor:<16} {what}"


def _split(text: str) -> tuple[str, str]:
    """An event's move and the rest: Russia's choice is split before its plans and values."""
    head, found, rest = text.partition(f". {_PLAN}")
    return head, f"{_PLAN}{rest}" if found else ""


def story(log: pd.DataFrame) -> list[Passage]:
    """One world's event log as a story: an actor's same move in consecutive weeks is one line.

    Args:
        log: The event log of one world (columns ``week``, ``date``, ``actor``,
            ``event``), as :meth:`~crisis_sim.model.crisis.CrisisModel.event_log` gives it.

    Returns:
        The passages in order of their first week (events of one week in the log's
        order); a run holds an actor's events of consecutive weeks whose first
        sentences are the same, with the detail of its last week.
    """
    passages: list[Passage] = []
    open_run: dict[str, int] = {}
    for event in log.itertuples(index=False):
        week, date, actor = int(event.week), str(event.date), str(event.actor)
        headline, detail = _split(str(event.event))
        index = open_run.get(actor)
        if index is not None:
            last = passages[index]
            if last.headline == headline and last.last_week == week - 1:
                passages[index] = Passage(
                    last.first_week, week, last.first_date, date, actor, headline, detail
                )
                continue
        open_run[actor] = len(passages)
        passages.append(Passage(week, week, date, date, actor, headline, detail))
    return passages


def drawn_parameters(model: CrisisModel, world: int = 0) -> list[str]:
    """What world ``world`` of a model drew before it began: Russia's type and each draw.

    One line each: Russia's latent type, then every parameter drawn per world (the
    scenario's uncertain parameters) with its value and unit.
    """
    units = {info.path: info.unit for info in iter_params()}
    kind = "revisionist" if model.russia.revisionist[world] else "security-seeking"
    lines = [f"Russia's type: {kind}"]
    for path, values in sorted(model.sampled.items()):
        unit = f" ({units[path]})" if units.get(path) else ""
        lines.append(f"{path} = {float(values[world]):.4g}{unit}")
    return lines
