"""Incidents and clashes (model card 5.9): tension by accident, and the NATO-Russia clash hazard.

Schelling's 'threat that leaves something to chance', without letting chance decide a
war: while Russia stands at the military-technical or incursion rung, a military
incident may occur; it raises the allies' willingness to punish Russia
(``alliance.incident_tension``) but never moves Russia up its ladder, so an invasion is
always Russia's choice. At rung 3 or above (and in a war) a direct NATO-Russia clash may
occur once the Eastern Flank is reinforced. Risk-reduction channels granted or agreed
(NATO-O2) cut both hazards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from crisis_sim.model import streams
from crisis_sim.model.domain import Issue, Rung
from crisis_sim.model.west import POSTURE_LEVELS

if TYPE_CHECKING:
    from crisis_sim.model.crisis import CrisisModel


def channels_factor(
    channels_effect: np.ndarray | float, channels_granted: np.ndarray
) -> np.ndarray:
    """How much of a hazard is left once risk-reduction channels are granted, 0-1."""
    return 1.0 - channels_effect * channels_granted


def clash_hazard(
    hazard: np.ndarray | float, rung: np.ndarray, posture: np.ndarray, channels: np.ndarray
) -> np.ndarray:
    """Weekly chance of a direct NATO-Russia clash.

    ``west.clash_hazard x max(rung - 2, 0) x posture / 2 x channels``: it needs both
    Russian force (rung 3 or above, twice as likely at rung 4) and Western
    reinforcement on the Eastern Flank (in proportion to its level, of 2).
    """
    above = np.maximum(rung - Rung.MILITARY_TECHNICAL, 0)
    return hazard * above * (posture / POSTURE_LEVELS) * channels


def raise_tension(model: CrisisModel, mask: np.ndarray) -> None:
    """An incident in the worlds ``mask``: every ally's willingness rises; the rung does not."""
    nato = model.nato
    nato.shock = nato.shock + mask * model.p.alliance.incident_tension
    model.narration.mask(
        mask, "incident", "a military incident raises tension; the allies draw closer"
    )


def incidents(model: CrisisModel) -> None:
    """Let a military incident occur where Russia stands at rung 2 or 3.

    With probability ``west.incident_hazard x channels`` a week; see :func:`raise_tension`.
    """
    p = model.p
    russia = model.russia
    channels = channels_factor(
        p.west.channels_effect, model.concessions.granted[Issue.RISK_REDUCTION]
    )
    exposed = (
        model.active
        & (russia.rung >= Rung.MILITARY_TECHNICAL)
        & (russia.rung <= Rung.LIMITED_INCURSION)
    )
    occurred = exposed & (
        model.weekly_uniform(streams.INCIDENT) < p.west.incident_hazard * channels
    )
    if occurred.any():
        raise_tension(model, occurred)


def clashes(model: CrisisModel) -> np.ndarray:
    """The worlds in crisis or at war in which a direct NATO-Russia clash occurs this week."""
    p = model.p
    channels = channels_factor(
        p.west.channels_effect, model.concessions.granted[Issue.RISK_REDUCTION]
    )
    hazard = clash_hazard(p.west.clash_hazard, model.russia.rung, model.west.posture, channels)
    exposed = model.active | model.war.at_war
    return exposed & (model.weekly_uniform(streams.CLASH) < hazard)
