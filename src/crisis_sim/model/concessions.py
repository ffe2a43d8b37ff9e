"""Two readings of a concession (model card 5.5): what the West has granted, and what it does.

A ``concede`` lever grants terms unilaterally, now and for good. What was granted
lives in one place, :class:`Concessions`: per issue (``granted``), as the utility it
is worth to Russia (``granted_utility``, and ``granted_this_week``), and as the
status quo and war utilities Russia compares every option with. How Russia reads a
concession, as appeasement (H1) or as an off-ramp, is the pure rules below; the
type decides which reading weighs more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from crisis_sim.model.bargaining import UKRAINE_TERMS, at_issue, issue_table, terms_worth
from crisis_sim.model.compiled import columns_of, in_rows, kernel, larger, with_rows
from crisis_sim.model.domain import Issue

if TYPE_CHECKING:
    from crisis_sim.model.crisis import CrisisModel


def reading_weights(
    revisionist: np.ndarray, cross_type_weight: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray]:
    """Weights of the appeasement (H1) and off-ramp readings of a concession.

    Both readings are present in every world; the type decides which weighs more:
    full weight for its own reading, ``cross_type_weight`` for the other.
    """
    return (
        np.where(revisionist, 1.0, cross_type_weight),
        np.where(revisionist, cross_type_weight, 1.0),
    )


def aspiration(
    revisionist: np.ndarray,
    revisionist_premium: np.ndarray | float,
    appeasement: np.ndarray,
    offramp: np.ndarray,
    granted_utility: np.ndarray,
) -> np.ndarray:
    """How much Russia values coercive gains: ``max(1 + premium x rev + shift, 0)``.

    ``shift = (appeasement - offramp) x granted_utility``, with ``appeasement`` and
    ``offramp`` each a reading's strength times its weight: it rises with concessions
    read as appeasement (H1) and falls with concessions read as reassurance.
    """
    shift = (appeasement - offramp) * granted_utility
    return np.maximum(1.0 + revisionist_premium * revisionist + shift, 0.0)


def face_saving(
    offramp_strength: np.ndarray | float, offramp_weight: np.ndarray, reciprocity: np.ndarray
) -> np.ndarray:
    """Share of the backing-down cost of accepting that a reciprocal deal saves, 0-1."""
    return np.clip(offramp_strength * offramp_weight * reciprocity, 0.0, 1.0)


def appeasement_evidence(
    appeasement_strength: np.ndarray | float,
    appeasement_weight: np.ndarray,
    utility_gain: np.ndarray,
    prior_strength: np.ndarray | float,
) -> np.ndarray:
    """Pseudo-observations that the West gives way (and is weaker than it sounds), per grant."""
    return appeasement_strength * appeasement_weight * utility_gain * prior_strength


@kernel(
    "void(float64[:, ::1], float64[:, ::1], float64[:, ::1], boolean[:, ::1], boolean[::1],"
    " float64[:, ::1], float64[:, ::1])"
)
def _agreed(
    agreed: np.ndarray,
    granted: np.ndarray,
    terms: np.ndarray,
    items: np.ndarray,
    mask: np.ndarray,
    new_agreed: np.ndarray,
    new_granted: np.ndarray,
) -> None:
    """What is agreed and granted once ``terms`` on the ``items`` hold in the worlds ``mask``.

    Per issue and world ((issues, R) tables; ``items`` (issues, 1) or (issues, R)): the
    agreed level rises to the term where the world agrees and the issue is an item (it
    never falls), and what is granted to what is agreed (:meth:`Concessions.agree`).
    """
    issues, size = agreed.shape
    for issue in range(issues):
        for world in range(size):
            level = agreed[issue, world]
            if mask[world]:
                term = terms[issue, world] if at_issue(items, issue, world) else 0.0
                level = larger(level, term)
            new_agreed[issue, world] = level
            new_granted[issue, world] = larger(granted[issue, world], level)


class Concessions:
    """What the West has granted Russia unilaterally in each world, and what it is worth.

    Attributes:
        granted: (issues, R) the level granted on each issue, what was agreed included.
        granted_utility: (R,) the utility to Russia of all that was granted so far
            (the sum of each concession's rise in the status quo).
        granted_this_week: (R,) the utility granted this week (0 in a week of none).
        status_quo_utility: (R,) Russia's utility of the status quo, what was granted included.
        war_utility: (R,) Russia's utility of what war could take: the Ukrainian issues
            in full, what was granted elsewhere.
    """

    def __init__(self, model: CrisisModel) -> None:
        """Start with nothing granted."""
        self._russia = model.p.russia
        replications = model.replications
        self.granted = np.zeros((len(Issue), replications))
        self.granted_utility = np.zeros(replications)
        self.granted_this_week = np.zeros(replications)
        self.conceded = np.zeros((len(Issue), replications))
        """(issues, R) what the West granted unilaterally (what the allies debate)."""
        self.agreed = np.zeros((len(Issue), replications))
        """(issues, R) what Russia and the West agreed in part (a reciprocal agreement)."""
        self._value()

    def _value(self, changed: np.ndarray | None = None) -> None:
        """Value what is granted: in every world, or only in the worlds ``changed`` (a mask).

        Elsewhere the grants, and so their values, are as they were.
        """
        salience, exponent = self._russia.salience, self._russia.distance_exponent
        if changed is None:
            self.status_quo_utility = terms_worth(self.granted, salience, exponent)
            self.war_utility = terms_worth(self.granted, salience, exponent, whole=UKRAINE_TERMS)
            return
        rows = np.flatnonzero(changed)
        granted = columns_of(self.granted, rows)
        salience = columns_of(issue_table(salience), rows)
        exponent = exponent if np.ndim(exponent) == 0 else in_rows(exponent, rows)
        quo = terms_worth(granted, salience, exponent)
        war = terms_worth(granted, salience, exponent, whole=UKRAINE_TERMS)
        self.status_quo_utility = with_rows(self.status_quo_utility, rows, quo)
        self.war_utility = with_rows(self.war_utility, rows, war)

    def start_week(self) -> None:
        """Begin a week in which nothing has been granted yet."""
        self.granted_this_week = np.zeros_like(self.granted_this_week)

    def grant(self, issue: Issue, due: np.ndarray, level: np.ndarray | float) -> np.ndarray:
        """Grant ``level`` on ``issue`` in the worlds ``due``; return the utility Russia gains.

        A grant never lowers what was granted before.
        """
        row = int(issue)
        before = self.status_quo_utility
        self.granted[row] = np.where(due, np.maximum(self.granted[row], level), self.granted[row])
        self.conceded[row] = np.where(
            due, np.maximum(self.conceded[row], level), self.conceded[row]
        )
        self._value(due)
        gain = self.status_quo_utility - before
        self.granted_this_week = self.granted_this_week + gain
        self.granted_utility = self.granted_utility + gain
        return gain

    def agree(self, terms: np.ndarray, mask: np.ndarray, items: np.ndarray | None = None) -> None:
        """Make ``terms`` (issues, R) hold for good in the worlds ``mask``, as an agreement.

        Only the issues ``items`` ((issues, 1) or (issues, R) booleans; all if None) are
        agreed. Unlike a grant, an agreement is reciprocal: Russia does not read it as
        the West giving way, so it moves neither of the readings of a concession. The
        rule is the compiled kernel :func:`_agreed`.
        """
        every = np.ones((len(Issue), 1), dtype=bool)
        agreed, granted = np.empty_like(self.agreed), np.empty_like(self.granted)
        _agreed(
            self.agreed,
            self.granted,
            issue_table(terms),
            np.ascontiguousarray(every if items is None else items),
            np.ascontiguousarray(mask),
            agreed,
            granted,
        )
        self.agreed, self.granted = agreed, granted
        self._value(np.asarray(mask, dtype=bool))
