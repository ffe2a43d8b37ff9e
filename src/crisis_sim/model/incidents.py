"""Incidents and clashes (model card 5.9): inadvertent escalation and the NATO-Russia clash hazard.

Schelling's 'threat that leaves something to chance': a hold at rung 2 or 3 may slip
one rung up, unchosen, and at rung 3 or above a direct NATO-Russia clash may occur
once the Eastern Flank is reinforced. Risk-reduction channels granted unilaterally
(NATO-O2) cut both hazards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from crisis_sim.model import streams
from crisis_sim.model.domain import Action, Issue, Rung
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


def inadvertent_escalation(model: CrisisModel) -> None:
    """Let a hold slip one rung up by accident.

    At rung 2-3 a hold may slip one rung up with probability
    ``west.inadvertent_escalation x channels``; an escalation, a de-escalation or a
    hold at rung 1 never does.
    """
    p = model.p
    russia = model.russia
    channels = channels_factor(
        p.west.channels_effect, model.concessions.granted[Issue.RISK_REDUCTION]
    )
    exposed = (
        model.active
        & (russia.last_action == Action.HOLD)
        & (russia.rung >= Rung.MILITARY_TECHNICAL)
        & (russia.rung <= Rung.LIMITED_INCURSION)
    )
    slipped = exposed & (
        model.weekly_uniform(streams.INADVERTENT) < p.west.inadvertent_escalation * channels
    )
    russia.rung = russia.rung + slipped
    model.narration.mask(slipped, "incident", "an incident pushes Russia one rung up, unchosen")


def clashes(model: CrisisModel) -> np.ndarray:
    """The running worlds in which a direct NATO-Russia clash occurs this week."""
    p = model.p
    channels = channels_factor(
        p.west.channels_effect, model.concessions.granted[Issue.RISK_REDUCTION]
    )
    hazard = clash_hazard(p.west.clash_hazard, model.russia.rung, model.west.posture, channels)
    return model.active & (model.weekly_uniform(streams.CLASH) < hazard)
