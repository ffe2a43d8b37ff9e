"""The narrated event log: what happened in each world, week by week, and why.

Kept only when asked for (by default for R <= 20 worlds); the mechanisms report to
:class:`Narration` and it does nothing when it is off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from crisis_sim.model.domain import ISSUES, Action, InvasionReason, Rung

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
                f"best plan of holding: {weeks} week{'s' if weeks != 1 else ''} "
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
