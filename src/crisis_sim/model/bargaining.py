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

from crisis_sim.model.compiled import (
    at_world,
    columns_of,
    helper,
    in_rows,
    kernel,
    larger,
    per_world,
    power,
)
from crisis_sim.model.domain import RECIPROCAL_ISSUES, UKRAINE_ISSUES, Issue
from crisis_sim.model.ukraine import consent_share, threat_faced

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


def issue_table(table: np.ndarray | float) -> np.ndarray:
    """An (issues, 1) or (issues, R) table as the kernels read it: C-contiguous writable floats.

    ``table`` itself when it is one already (no copy); a read-only view is copied.
    """
    array = np.ascontiguousarray(table, dtype=float)
    return array if array.flags.writeable else array.copy()


@helper
def at_issue(table: np.ndarray, issue: int, world: int) -> float:
    """An (issues, 1) or (issues, R) table's value on ``issue`` in ``world``."""
    return table[issue, 0] if table.shape[1] == 1 else table[issue, world]


@helper
def offered_at(us: float, nato: float, share: float, own: float) -> float:
    """One issue's term offered: NATO's, the U.S. share of a gap to the U.S. offer, Ukraine's.

    NATO's offer plus the U.S. share of any gap to the U.S. offer (never less than
    NATO's), and no less than what Ukraine offers itself.
    """
    return larger(nato + share * larger(us - nato, 0.0), own)


@helper(inline=False)
def package_at(us: float, nato: float, share: float, own: float, granted: float) -> float:
    """One issue's term on the table where Ukraine consents: :func:`offered_at`, >= ``granted``."""
    return larger(offered_at(us, nato, share, own), granted)


@helper
def distance_part(
    salience: np.ndarray, issue: int, world: int, gap: float, exponent: np.ndarray, plain: bool
) -> float:
    """One issue's part of ``sum (s gap)^p`` in :func:`issue_utility` (``s gap`` when ``plain``).

    Summed over the issues in their order from ``-0.0`` in each world, and divided by
    the same sum at ``gap = 1``, it gives the share :func:`utility_from_share` takes.
    """
    if plain:
        return at_issue(salience, issue, world) * gap
    return powered(at_issue(salience, issue, world) * gap, at_world(exponent, world))


@helper(inline=False)
def utility_from_share(share: np.ndarray, exponent: np.ndarray, plain: bool) -> None:
    """``1 - share^(1/p)`` in place, from (R,) ``share`` (``1 - share`` when ``plain``)."""
    if plain:
        for world in range(share.shape[0]):
            share[world] = 1.0 - share[world]
    else:
        for world in range(share.shape[0]):
            share[world] = 1.0 - powered(share[world], 1.0 / at_world(exponent, world))


@helper(inline=False)
def powered(base: float, exponent: float) -> float:
    """``base`` to the power ``exponent`` (the C library's ``pow``), called, not inlined.

    A call the compiler does not see into, so it does not compute the power in every
    world where a branch needs it in some only (as it may with a ``pow`` in sight).
    """
    return base**exponent


@kernel(
    "void(float64[:, ::1], float64[:, ::1], boolean[:, ::1], boolean[::1], float64[:, ::1],"
    " float64[::1], boolean, float64[::1])"
)
def _worth(
    terms: np.ndarray,
    raised: np.ndarray,
    raising: np.ndarray,
    whole: np.ndarray,
    salience: np.ndarray,
    exponent: np.ndarray,
    plain: bool,
    utility: np.ndarray,
) -> None:
    """What the (issues, R) ``terms`` are worth to Russia in each world (:func:`terms_worth`).

    :func:`issue_utility` of the gaps ``1 - term``, each term raised to ``raised`` where
    ``raising`` ((issues, 1) or (issues, R)) says so and each issue marked ``whole``
    held in full (a gap of 0), with the sums over the issues in order, as numpy's.
    """
    issues, size = terms.shape
    total, weight = np.full(size, -0.0), np.full(size, -0.0)
    for issue in range(issues):
        for world in range(size):
            term = terms[issue, world]
            if at_issue(raising, issue, world):
                term = larger(term, raised[issue, world])
            gap = 0.0 if whole[issue] else 1.0 - term
            total[world] += distance_part(salience, issue, world, gap, exponent, plain)
            weight[world] += distance_part(salience, issue, world, 1.0, exponent, plain)
    for world in range(size):
        utility[world] = total[world] / (weight[world] if weight[world] > 0.0 else 1.0)
    utility_from_share(utility, exponent, plain)


def terms_worth(
    terms: np.ndarray,
    salience: np.ndarray,
    exponent: np.ndarray | float,
    *,
    whole: np.ndarray | None = None,
    raised: np.ndarray | None = None,
    raising: np.ndarray | None = None,
) -> np.ndarray:
    """(R,) what the (issues, R) ``terms`` are worth to Russia: ``issue_utility(1 - terms)``.

    ``whole``, (issues,) or (issues, 1) booleans, marks issues counted as held in full
    whatever the terms say (the Ukrainian issues, for what war could take); ``raised``
    (issues, R) raises the terms to it where ``raising`` ((issues, 1) or (issues, R)
    booleans) says so (``np.maximum``: what agreeing to items on the table would hold).
    The rule is the compiled kernel :func:`_worth`, the same to the bit as
    :func:`issue_utility`.
    """
    issues, size = terms.shape
    utility = np.empty(size)
    marked = np.zeros(issues, dtype=bool) if whole is None else np.asarray(whole).reshape(issues)
    _worth(
        issue_table(terms),
        issue_table(terms if raised is None else raised),
        np.ascontiguousarray(np.zeros((issues, 1), dtype=bool) if raising is None else raising),
        np.ascontiguousarray(marked),
        issue_table(salience),
        per_world(exponent),
        bool(np.ndim(exponent) == 0 and exponent == 1.0),
        utility,
    )
    return utility


@kernel(
    "void(float64[:, ::1], float64[:, ::1], float64[:, ::1], float64[:, ::1], float64[:, ::1],"
    " boolean[:, ::1], boolean[::1], boolean[::1], float64[:, ::1], float64[::1], int64[::1],"
    " float64[::1], float64[:, ::1], float64[::1], boolean, float64[:, ::1], boolean[::1],"
    " float64[:, ::1], float64[::1], float64[::1], float64[::1], float64[::1])"
)
def _form(
    us: np.ndarray,
    nato: np.ndarray,
    us_share: np.ndarray,
    own: np.ndarray,
    granted: np.ndarray,
    bypass: np.ndarray,
    about_ukraine: np.ndarray,
    reciprocal: np.ndarray,
    ukraine_salience: np.ndarray,
    threat_weight: np.ndarray,
    rung: np.ndarray,
    resistance: np.ndarray,
    salience: np.ndarray,
    exponent: np.ndarray,
    plain: bool,
    conceded: np.ndarray,
    active: np.ndarray,
    terms: np.ndarray,
    consent: np.ndarray,
    utility: np.ndarray,
    reciprocity: np.ndarray,
    dispute: np.ndarray,
) -> None:
    """The week's package in each world, the rule of :meth:`Deal.form`.

    Per issue, the term offered (:func:`offered_at`). On the issues about Ukraine
    (``about_ukraine``), the excess of the offer over Ukraine's own, and its cost to
    Ukraine, ``sum of salience x excess``; Ukraine's consent share
    (:func:`crisis_sim.model.ukraine.consent_share`, against the threat it faces,
    :func:`crisis_sim.model.ukraine.threat_faced`); the term Ukraine accepts, its own
    offer + share x excess (other issues pass unchanged). The term on the table is the
    one offered where a lever set Ukraine's consent aside (``bypass``), else the one
    Ukraine accepts, never below what is ``granted``. In the worlds still active the
    terms, the consent share and the allies' dispute (mean ``|U.S. offer - NATO
    offer|`` + mean ``conceded``, RU-S1) follow; in every world, what the terms on the
    table are worth to Russia (:func:`issue_utility`: ``1 - (sum (s gap)^p / sum
    s^p)^(1/p)``) and their reciprocity (the salience-weighted share of the
    ``reciprocal`` package they hold). Sums run over the issues in order, as numpy's.
    ``terms``, ``consent`` and ``dispute`` hold last week's on entry.
    """
    issues, size = us.shape
    cost = np.full(size, -0.0)
    for issue in range(issues):
        if about_ukraine[issue]:
            for world in range(size):
                offered = offered_at(
                    us[issue, world],
                    nato[issue, world],
                    at_issue(us_share, issue, world),
                    own[issue, world],
                )
                excess = larger(offered - own[issue, world], 0.0)
                cost[world] += at_issue(ukraine_salience, issue, world) * excess
        else:
            # salience x 0 as numpy adds it (it turns a -0.0 sum into 0.0, inf into NaN)
            for world in range(size):
                cost[world] += at_issue(ukraine_salience, issue, world) * 0.0
    share = np.empty(size)
    for world in range(size):
        threat = threat_faced(at_world(threat_weight, world), rung[world], resistance[world])
        share[world] = consent_share(cost[world], threat)
    total, weight = np.full(size, -0.0), np.full(size, -0.0)
    held, whole = np.full(size, -0.0), np.full(size, -0.0)
    gaps, given = np.full(size, -0.0), np.full(size, -0.0)
    for issue in range(issues):
        for world in range(size):
            if active[world]:
                offered = offered_at(
                    us[issue, world],
                    nato[issue, world],
                    at_issue(us_share, issue, world),
                    own[issue, world],
                )
                term = offered
                if about_ukraine[issue] and not bypass[issue, world]:
                    excess = larger(offered - own[issue, world], 0.0)
                    term = own[issue, world] + share[world] * excess
                terms[issue, world] = larger(term, granted[issue, world])
                gaps[world] += abs(us[issue, world] - nato[issue, world])
                given[world] += conceded[issue, world]
            term = terms[issue, world]
            total[world] += distance_part(salience, issue, world, 1.0 - term, exponent, plain)
            weight[world] += distance_part(salience, issue, world, 1.0, exponent, plain)
            part = at_issue(salience, issue, world) if reciprocal[issue] else 0.0
            whole[world] += part
            held[world] += part * term
    for world in range(size):
        utility[world] = total[world] / (weight[world] if weight[world] > 0.0 else 1.0)
        reciprocity[world] = held[world] / (whole[world] if whole[world] > 0.0 else 1.0)
        if active[world]:
            consent[world] = share[world]
            dispute[world] = gaps[world] / issues + given[world] / issues
    utility_from_share(utility, exponent, plain)


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

    def partial_gain(self, model: CrisisModel, rows: np.ndarray | None = None) -> np.ndarray:
        """What agreeing to the reciprocal items on the table would add to Russia's status quo.

        The items are those of :attr:`partial_issues`: the reciprocal ones unless Russia
        proposed more (``propose_partial``). ``rows``: in those worlds only (None: all).
        """
        p = model.p.russia
        exponent = p.distance_exponent
        agreed = terms_worth(
            columns_of(model.concessions.granted, rows),
            columns_of(issue_table(p.salience), rows),
            exponent if np.ndim(exponent) == 0 else in_rows(exponent, rows),
            raised=columns_of(self.terms, rows),
            raising=columns_of(self.partial_issues, rows),
        )
        return agreed - columns_of(model.concessions.status_quo_utility, rows)

    def agree_partial(self, model: CrisisModel, mask: np.ndarray) -> None:
        """Agree to the reciprocal items on the table in the worlds ``mask``: they hold for good.

        The main demands stay in dispute; the deal on the table keeps its other terms.
        """
        model.concessions.agree(self.terms, mask, self.partial_issues)
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
        """Form this week's package from the offers, Ukraine's consent and what is granted.

        The rule is the compiled kernel :func:`_form`.
        """
        p = model.p
        size = model.replications
        exponent = p.russia.distance_exponent
        terms, consent = self.terms.copy(), self.ukraine_consent.copy()
        dispute = self.dispute.copy()
        self.utility_last_week = self.utility
        self.utility, self.reciprocity = np.empty(size), np.empty(size)
        _form(
            model.united_states.offer,
            model.nato.offer,
            issue_table(p.west.us_share),
            model.ukraine.own_offer,
            model.concessions.granted,
            np.ascontiguousarray(self.bypass_consent),
            UKRAINE_TERMS[:, 0],
            RECIPROCAL_TERMS[:, 0],
            issue_table(p.ukraine.salience),
            per_world(p.ukraine.threat_weight),
            np.ascontiguousarray(model.russia.rung, dtype=np.int64),
            model.ukraine.resistance,
            issue_table(p.russia.salience),
            per_world(exponent),
            bool(np.ndim(exponent) == 0 and exponent == 1.0),
            model.concessions.conceded,
            np.ascontiguousarray(model.active),
            terms,
            consent,
            self.utility,
            self.reciprocity,
            dispute,
        )
        self.terms, self.ukraine_consent, self.dispute = terms, consent, dispute
