"""The war after an invasion (model card 5.11): the front, an early collapse, a ceasefire.

An invasion does not end a world. From the week after it, the war runs to the horizon
as a simple contest, documented as judgement throughout: Russia's real chance of
winning (:func:`crisis_sim.model.plans.victory_chance` of its force, with the season,
against Ukraine's real resistance, which mobilisation and Western support raise) moves
the front, the share of Ukraine beyond the 2021 line of contact Russia holds; in the
first weeks Ukraine's defence may collapse; once the front stalls a ceasefire may come
(Slantchev 2003: wars end as expectations converge; Reiter 2009: not at once). The
West's response and the allies' cohesion keep evolving in
:mod:`crisis_sim.model.west` and :mod:`crisis_sim.model.alliance`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from crisis_sim.model import plans, streams
from crisis_sim.model.compiled import exp, in_rows, spread, with_rows

if TYPE_CHECKING:
    from crisis_sim.model.crisis import CrisisModel


def front_movement(
    front: np.ndarray,
    victory: np.ndarray,
    advance_rate: np.ndarray | float,
    stalemate_victory: np.ndarray | float,
) -> np.ndarray:
    """Return this week's change of the front, 0-1 of Ukraine beyond the line of contact.

    ``rate x (victory - stalemate)`` of the ground still open if Russia is winning, of
    the ground it holds if it is not.
    """
    push = advance_rate * (victory - stalemate_victory)
    return np.where(push > 0, push * (1.0 - front), push * front)


def ceasefire_chance(
    movement: np.ndarray, hazard: np.ndarray | float, scale: np.ndarray | float
) -> np.ndarray:
    """Weekly chance of a ceasefire, ``hazard x exp(-|movement| / scale)``: likelier if stalled."""
    return hazard * exp(-np.abs(movement) / scale)


class War:
    """The war in each world Russia invaded.

    Attributes:
        at_war: (R,) the war is being fought.
        start_week: (R,) the week of the invasion, -1 if none.
        front: (R,) the share of Ukraine beyond the 2021 line of contact Russia holds.
        collapse_week: (R,) the week Ukraine's defence collapsed, -1 if it did not.
        ceasefire_week: (R,) the week a ceasefire came, -1 if none.
        clash_week: (R,) the week of a direct NATO-Russia clash during the war, -1 if none.
    """

    def __init__(self, replications: int) -> None:
        """No war anywhere."""
        self.at_war = np.zeros(replications, dtype=bool)
        self.start_week = np.full(replications, -1)
        self.front = np.zeros(replications)
        self.collapse_week = np.full(replications, -1)
        self.ceasefire_week = np.full(replications, -1)
        self.clash_week = np.full(replications, -1)

    def begin(self, mask: np.ndarray, week: int) -> None:
        """Start the war in the worlds ``mask`` this week."""
        self.at_war = self.at_war | mask
        self.start_week = np.where(mask, week, self.start_week)

    def step(self, model: CrisisModel) -> None:
        """Fight one week in the worlds at war since an earlier week (computed there alone)."""
        fighting = self.at_war & (self.start_week < model.week)
        rows = np.flatnonzero(fighting)
        if not rows.size:
            return
        p = model.p
        russia, ukraine = model.russia, model.ukraine
        size, week = fighting.shape[0], model.week

        def pick(value: np.ndarray | float) -> np.ndarray:
            return in_rows(value, rows)

        force = russia.massed_force(rows=rows) * pick(model.ground[week])
        victory = plans.victory_chance(
            force, pick(ukraine.resistance), pick(p.russia.victory_slope)
        )
        weeks = week - self.start_week[rows]
        early = weeks <= pick(p.war.collapse_weeks)
        draws = model.weekly_uniform(streams.COLLAPSE)[rows]
        fought_collapse = early & (draws < pick(p.war.collapse_hazard) * victory)
        movement = front_movement(
            self.front[rows], victory, pick(p.war.advance_rate), pick(p.war.stalemate_victory)
        )
        front = np.clip(self.front[rows] + movement, 0.0, 1.0)
        front = np.where(fought_collapse, np.maximum(front, pick(p.war.collapse_control)), front)
        self.front = with_rows(self.front, rows, front)
        talks = ~fought_collapse & (weeks >= pick(p.war.ceasefire_min_weeks))
        chance = ceasefire_chance(
            movement, pick(p.war.ceasefire_hazard), pick(p.war.stalemate_scale)
        )
        fought_ceasefire = talks & (model.weekly_uniform(streams.CEASEFIRE)[rows] < chance)
        collapse = spread(fought_collapse, rows, size, False)
        ceasefire = spread(fought_ceasefire, rows, size, False)
        self.collapse_week = np.where(collapse, week, self.collapse_week)
        ended = collapse | ceasefire
        self.ceasefire_week = np.where(ended, week, self.ceasefire_week)
        self.at_war = self.at_war & ~ended
        model.narration.mask(
            collapse, "war", "Ukraine's defence collapses; a ceasefire on Russia's terms follows"
        )
        model.narration.mask(ceasefire, "war", "the front has stalled; a ceasefire is agreed")
