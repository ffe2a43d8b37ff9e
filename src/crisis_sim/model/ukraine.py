"""Ukraine (model card 5.8): its resistance, its mobilisation, its own offer and its consent.

Ukraine chooses. It mobilises once the chance of invasion it sees (the West's estimate,
shared intelligence) passes ``ukraine.mobilisation_threshold``, and always at war; once
Russia has used force (rung 3) it offers a moratorium on its own NATO membership if
that chance passes ``ukraine.neutrality_threshold`` (judgement: before force is used its
stated course, UA-2, is membership); and it consents, in part, to terms about it that others
put on the table (US-P1, UA-3), weighing their cost against the threat it faces. Its
resistance closes each week on what its support and mobilisation allow
(``ukraine.adjustment_rate``): the shifting power Russia sees coming.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from crisis_sim.model.compiled import helper
from crisis_sim.model.domain import Issue, Rung

if TYPE_CHECKING:
    from crisis_sim.model.crisis import CrisisModel

THREAT_SCALE = float(Rung.FULL_INVASION)
"""Structural: the threat Ukraine weighs is ``ukraine.threat_weight`` at the invasion rung."""


@helper
def threat_faced(weight: float, rung: int, resistance: float) -> float:
    """The threat Ukraine faces without a deal: ``threat_weight x rung / 4 x (1 - resistance)``."""
    return weight * rung / THREAT_SCALE * (1.0 - resistance)


@helper
def consent_share(cost: float, threat: float) -> float:
    """Share of the terms about it beyond its own offer that Ukraine accepts (US-P1, UA-3).

    Terms it offered itself it always accepts. Beyond them, it accepts terms on the
    Ukrainian issues up to the point where their cost to it (its salience x how far they
    go beyond its own offer, summed over those issues) equals the threat it faces
    (:func:`threat_faced`): 1 if they cost no more, ``threat / cost`` if they cost more,
    that share of the excess standing on each Ukrainian issue (judgement: a partial term
    stands for a time-limited or conditional commitment). For one world; the deal's
    kernel (:func:`crisis_sim.model.bargaining._form`) applies it.
    """
    return threat / cost if cost > threat else 1.0


def resistance_allowed(
    base: np.ndarray | float,
    support_effect: np.ndarray | float,
    support: np.ndarray,
    mobilisation_effect: np.ndarray | float,
    mobilised: np.ndarray,
) -> np.ndarray:
    """The resistance support and mobilisation allow: ``base + a support + b mobilised``, 0-1."""
    return np.clip(base + support_effect * support + mobilisation_effect * mobilised, 0.0, 1.0)


class Ukraine(mesa.Agent):
    """Ukraine: its resistance, its mobilisation, its own offer and its consent to terms about it.

    Attributes:
        resistance: (R,) its resistance capacity, 0-1.
        mobilised: (R,) how far it has mobilised, 0-1.
        mobilising: (R,) whether it mobilises this week.
        own_offer: (issues, R) terms it puts on the table itself (a moratorium on
            membership).
    """

    def __init__(self, model: CrisisModel) -> None:
        """Start at the t0 resistance, not mobilised, offering nothing on its own initiative."""
        super().__init__(model)
        size = model.replications
        self.resistance = np.broadcast_to(model.p.ukraine.resistance, (size,)).astype(float)
        self.mobilised = np.zeros(size)
        self.mobilising = np.zeros(size, dtype=bool)
        self.own_offer = np.zeros((len(Issue), size))
        """Terms Ukraine itself puts on the table (e.g. neutrality)."""

    @property
    def resistance_in_prospect(self) -> np.ndarray:
        """The resistance Ukraine heads for: its support now, full mobilisation if mobilising."""
        p = self.model.p.ukraine
        mobilised = np.where(self.mobilising, 1.0, self.mobilised)
        return resistance_allowed(
            p.resistance,
            p.support_effect,
            self.model.west.support,
            p.mobilisation_effect,
            mobilised,
        )

    def step(self) -> None:
        """Choose mobilisation and an own offer, then close on the resistance they allow.

        Runs on in the worlds at war.
        """
        model = self.model
        p = model.p.ukraine
        live = model.live
        risk = model.west.war_risk
        at_war = model.war.at_war
        self.mobilising = live & (at_war | (risk > p.mobilisation_threshold))
        self.mobilised = np.where(
            self.mobilising, np.minimum(self.mobilised + p.mobilisation_rate, 1.0), self.mobilised
        )
        used_force = model.russia.max_rung >= Rung.LIMITED_INCURSION
        offering = model.active & ~at_war & used_force & (risk > p.neutrality_threshold)
        row = int(Issue.ENLARGEMENT)
        newly = offering & (self.own_offer[row] < p.neutrality_level)
        self.own_offer[row] = np.where(
            offering, np.maximum(self.own_offer[row], p.neutrality_level), self.own_offer[row]
        )
        model.narration.mask(
            newly,
            "ukraine",
            "Ukraine offers a moratorium on its NATO membership itself, fearing invasion",
        )
        allowed = resistance_allowed(
            p.resistance,
            p.support_effect,
            model.west.support,
            p.mobilisation_effect,
            self.mobilised,
        )
        resistance = self.resistance + p.adjustment_rate * (allowed - self.resistance)
        self.resistance = np.where(live, resistance, self.resistance)
