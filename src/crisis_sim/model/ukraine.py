"""Ukraine (model card 5.8): its resistance, and its consent, in part, to terms about it.

Resistance follows Western support with no lag; terms about Ukraine beyond what it
offers itself stand only as far as it consents (US-P1, UA-3), weighing their cost
against the threat it faces without a deal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from crisis_sim.model.bargaining import UKRAINE_TERMS
from crisis_sim.model.domain import Issue, Rung

if TYPE_CHECKING:
    from crisis_sim.model.crisis import CrisisModel

THREAT_SCALE = float(Rung.FULL_INVASION)
"""Structural: the threat Ukraine weighs is ``ukraine.threat_weight`` at the invasion rung."""


def consent_share(cost: np.ndarray, threat: np.ndarray) -> np.ndarray:
    """Share of the terms beyond its own offer Ukraine accepts: 1, or threat / cost if costlier."""
    over = cost > threat
    return np.divide(threat, cost, out=np.ones_like(cost), where=over)


class Ukraine(mesa.Agent):
    """Ukraine: its resistance capacity and its consent to terms about it.

    Resistance rises with Western support; terms about Ukraine need its consent
    (US-P1, UA-3).
    """

    def __init__(self, model: CrisisModel) -> None:
        """Start at the t0 resistance, with no terms offered on its own initiative."""
        super().__init__(model)
        self.resistance = np.broadcast_to(model.p.ukraine.resistance, (model.replications,)).astype(
            float
        )
        self.own_offer = np.zeros((len(Issue), model.replications))
        """Terms Ukraine itself puts on the table (e.g. neutrality)."""

    def accepted_terms(self, terms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The terms about Ukraine that Ukraine accepts, and its consent share, per world.

        Terms it offered itself it always accepts. Beyond them, it accepts terms on the
        Ukrainian issues up to the point where their cost to it (salience x how far they
        go beyond its own offer) equals the threat it faces without a deal, threat
        weight x rung / 4 x (1 - resistance): if the terms cost more, it consents to
        that share of them on each Ukrainian issue (judgement: a partial term stands
        for a time-limited or conditional commitment). Other issues pass unchanged.

        Returns:
            The terms (issues, R) and the share of the excess Ukraine accepts (R,),
            1 when it accepts them all.
        """
        model = self.model
        p = model.p.ukraine
        excess = np.where(UKRAINE_TERMS, np.maximum(terms - self.own_offer, 0.0), 0.0)
        cost = np.sum(p.salience * excess, axis=0)
        threat = p.threat_weight * model.russia.rung / THREAT_SCALE * (1.0 - self.resistance)
        share = consent_share(cost, threat)
        accepted = np.where(UKRAINE_TERMS, self.own_offer + share * excess, terms)
        return accepted, share

    def step(self) -> None:
        """Resistance follows Western support (judgement: no lag)."""
        p = self.model.p.ukraine
        resistance = np.clip(p.resistance + p.support_effect * self.model.west.support, 0.0, 1.0)
        self.resistance = np.where(self.model.active, resistance, self.resistance)
