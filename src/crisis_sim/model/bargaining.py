"""Bargaining and the deal (model card 5.1): Russia's utility of terms and the package on the table.

Russia values a set of terms by its salience-weighted distance to its demands
(:func:`issue_utility`). Each week the deal on the table is NATO's offer plus the U.S.
share of any gap to the U.S. offer, and what Ukraine offers itself; terms about
Ukraine stand only as far as Ukraine consents (US-P1), and never below what the
West has granted (:class:`Deal`). The offers themselves are chosen in
:mod:`crisis_sim.model.west`.

A deal need not be all or nothing: Russia can agree to the reciprocal arms-control
items on the table (missiles, exercises, risk reduction) and keep coercing on the
rest (:meth:`Deal.agree_partial`). What is agreed stays agreed and becomes part of the
status quo; the issues of the main demands stay in dispute. Levers can widen the
issues Russia may agree on in part (:meth:`Deal.open_partial`), have Russia agree to
what the table holds on named issues (:meth:`Deal.agree_on_table`), or have a Western
actor and Russia agree named terms (:meth:`Deal.agree_terms`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from crisis_sim.model.compiled import power
from crisis_sim.model.domain import RECIPROCAL_ISSUES, UKRAINE_ISSUES, Issue

if TYPE_CHECKING:
    from crisis_sim.model.crisis import CrisisModel

UKRAINE_TERMS = np.isin(np.arange(len(Issue)), [int(i) for i in UKRAINE_ISSUES])[:, None]
"""(issues, 1) True on the issues about Ukraine, which war can take and Ukraine must consent to."""

RECIPROCAL_TERMS = np.isin(np.arange(len(Issue)), [int(i) for i in RECIPROCAL_ISSUES])[:, None]
"""(issues, 1) True on the reciprocal arms-control issues, the face-saving part of a deal."""


def issue_rows(issues: Sequence[Issue]) -> np.ndarray:
    """(issues, 1) True on the rows of ``issues``."""
    return np.isin(np.arange(len(Issue)), [int(i) for i in issues])[:, None]


def issue_utility(
    gap: np.ndarray, salience: np.ndarray, exponent: np.ndarray | float = 1.0
) -> np.ndarray:
    """Utility of a set of outcomes, from its salience-weighted distance to the ideal.

    ``d = (sum_i (s_i * gap_i)^p / sum_i s_i^p)^(1/p)`` and ``u = 1 - d``. With
    ``p = 2`` this is the distance of KTAB's Spatial Model of Politics; with ``p = 1``
    it is the salience-weighted city-block distance of Bueno de Mesquita's models,
    under which issues are separable: a gain on one issue does not change what the
    others are worth. ``gap`` and ``salience`` have the issue axis first, shape
    (issues, R) or (issues, 1); ``exponent`` is a number or shape (R,).
    """
    return utility_of_distance(*distance_terms(gap, salience, exponent), exponent)


def distance_terms(
    gap: np.ndarray, salience: np.ndarray, exponent: np.ndarray | float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """The two sums of :func:`issue_utility` over the issue axis: ``sum (s gap)^p`` and ``sum s^p``.

    Sums over disjoint sets of issues add up, so a utility can be formed from a part that
    varies (one row per candidate) and a part that does not. At ``p = 1`` the powers are
    skipped (they are the identity, so the result is the same to the bit).
    """
    if np.ndim(exponent) == 0 and exponent == 1.0:
        return np.sum(salience * gap, axis=0), np.sum(salience, axis=0)
    weighted = power(salience * gap, exponent)
    return np.sum(weighted, axis=0), np.sum(power(salience, exponent), axis=0)


def utility_of_distance(
    total: np.ndarray, weight: np.ndarray, exponent: np.ndarray | float = 1.0
) -> np.ndarray:
    """``1 - (total / weight)^(1/p)``: the utility from the sums of :func:`distance_terms`."""
    share = total / np.where(weight > 0, weight, 1.0)
    if np.ndim(exponent) == 0 and exponent == 1.0:
        return 1.0 - share
    return 1.0 - power(share, 1.0 / exponent)


def effective_offer(
    us_offer: np.ndarray, nato_offer: np.ndarray, us_share: np.ndarray, own_offer: np.ndarray
) -> np.ndarray:
    """NATO's offer plus the U.S. share of any gap to the U.S. offer, and Ukraine's own terms."""
    effective = nato_offer + us_share * np.maximum(us_offer - nato_offer, 0.0)
    return np.maximum(effective, own_offer)


def reciprocity(terms: np.ndarray, salience: np.ndarray) -> np.ndarray:
    """Share of the full reciprocal arms-control package the terms hold, 0-1 (salience-weighted)."""
    reciprocal = np.where(RECIPROCAL_TERMS, salience, 0.0)
    weight = np.sum(reciprocal, axis=0)
    return np.sum(reciprocal * terms, axis=0) / np.where(weight > 0, weight, 1.0)


def dispute(us_offer: np.ndarray, nato_offer: np.ndarray, conceded: np.ndarray) -> np.ndarray:
    """The debate the offers spark among the allies (RU-S1): mean U.S.-NATO gap + mean conceded.

    What was agreed reciprocally in part is not a concession and sparks no debate.
    """
    return np.abs(us_offer - nato_offer).mean(axis=0) + conceded.mean(axis=0)


class Deal:
    """The package on the table in each world, re-formed every week before Russia chooses.

    Attributes:
        terms: (issues, R) the terms Russia can accept.
        utility: (R,) what the terms are worth to Russia.
        reciprocity: (R,) share of the reciprocal arms-control package in the terms.
        ukraine_consent: (R,) share of the terms about it beyond its own offer that
            Ukraine accepts (1 = all).
        bypass_consent: (issues, R) issues on which a lever set Ukraine's consent aside.
        dispute: (R,) the debate among the allies the offers spark.
        partial_issues: (issues, R) the issues Russia may agree on in part: the reciprocal
            items (:data:`RECIPROCAL_TERMS`), and those a ``propose_partial`` lever added.

    Ended worlds keep the deal they ended with.
    """

    def __init__(self, replications: int) -> None:
        """Start with nothing on the table and no debate."""
        size = (len(Issue), replications)
        self.terms = np.zeros(size)
        self.ukraine_consent = np.ones(replications)
        self.bypass_consent = np.zeros(size, dtype=bool)
        self.dispute = np.zeros(replications)
        self.utility = np.zeros(replications)
        self.utility_last_week = np.zeros(replications)
        """The deal's utility to Russia a week before: a rise is the West giving way."""
        self.reciprocity = np.zeros(replications)
        self.partial_issues: np.ndarray = RECIPROCAL_TERMS
        self._proposed = False

    def partial_gain(self, model: CrisisModel) -> np.ndarray:
        """What agreeing to the reciprocal items on the table would add to Russia's status quo.

        The items are those of :attr:`partial_issues`: the reciprocal ones unless Russia
        proposed more (``propose_partial``).
        """
        granted = model.concessions.granted
        agreed = np.where(self.partial_issues, np.maximum(granted, self.terms), granted)
        p = model.p.russia
        return issue_utility(1.0 - agreed, p.salience, p.distance_exponent) - (
            model.concessions.status_quo_utility
        )

    def agree_partial(self, model: CrisisModel, mask: np.ndarray) -> None:
        """Agree to the reciprocal items on the table in the worlds ``mask``: they hold for good.

        The main demands stay in dispute; the deal on the table keeps its other terms.
        """
        model.concessions.agree(np.where(self.partial_issues, self.terms, 0.0), mask)
        items = (
            "the items on the table it proposed to agree on"
            if self._proposed
            else "the reciprocal items on the table (missiles, exercises, risk reduction)"
        )
        model.narration.mask(mask, "russia", f"agrees to {items} and keeps coercing on the rest")

    def open_partial(self, issues: Sequence[Issue], mask: np.ndarray) -> None:
        """Russia proposes to agree in part on ``issues`` too, in the worlds ``mask``.

        A change in what Russia values: its agree-in-part option (5.10) now covers these
        issues, and Russia still chooses whether to take it.
        """
        wider = np.broadcast_to(self.partial_issues, self.terms.shape) | (issue_rows(issues) & mask)
        self.partial_issues = wider
        self._proposed = True

    def agree_on_table(
        self, model: CrisisModel, issues: Sequence[Issue], mask: np.ndarray, least: float
    ) -> None:
        """Forced move: Russia agrees now to what the table holds on ``issues``.

        Only an item on the table at ``least`` or more of Russia's demand is agreed; the
        table is last week's (at week 0, nothing yet). The items hold for good; the crisis
        continues on the rest.
        """
        taken = issue_rows(issues) & (self.terms >= least) & (self.terms > 0.0)
        self.agree_terms(model, np.where(taken, self.terms, 0.0), mask)

    def agree_terms(self, model: CrisisModel, terms: np.ndarray, mask: np.ndarray) -> None:
        """Make ``terms`` (issues, R or 1) an agreement between the West and Russia in ``mask``.

        As a partial agreement of Russia's own choosing (5.10): the terms hold for good,
        are no concession (neither reading of 5.5 moves), and walk back RU-A2.
        """
        model.concessions.agree(np.broadcast_to(terms, self.terms.shape), mask)
        model.russia.record_partial(mask)

    def form(self, model: CrisisModel) -> None:
        """Form this week's package from the offers, Ukraine's consent and what is granted."""
        p = model.p
        us, nato = model.united_states.offer, model.nato.offer
        effective = effective_offer(us, nato, p.west.us_share, model.ukraine.own_offer)
        accepted, consent_share = model.ukraine.accepted_terms(effective)
        granted = model.concessions.granted
        terms = np.maximum(np.where(self.bypass_consent, effective, accepted), granted)
        active = model.active
        self.terms = np.where(active, terms, self.terms)
        self.ukraine_consent = np.where(active, consent_share, self.ukraine_consent)
        salience = p.russia.salience
        self.utility_last_week = self.utility
        self.utility = issue_utility(1.0 - self.terms, salience, p.russia.distance_exponent)
        self.reciprocity = reciprocity(self.terms, salience)
        conceded = model.concessions.conceded
        self.dispute = np.where(active, dispute(us, nato, conceded), self.dispute)
