"""The model's decision rules as pure, vectorised functions over replications.

Every function takes and returns numpy arrays whose last axis runs over the R
worlds of a model (scalars broadcast), and none draws random numbers or keeps
state: the agents in :mod:`crisis_sim.model.actors` hold the state and call these. Each
rule cites where it comes from; ``docs/MODEL.md`` gives the equations.
"""

from __future__ import annotations

import numpy as np

from crisis_sim.model.domain import Action, Rung

RUNGS = len(Rung)
ACTIONS = len(Action)

COST_SENSITIVITY_SLOPE = 0.6
"""Judgement: cost sensitivity is ``1 - 0.6 x resolve``, so 0.4-1 over resolve 0-1."""

VICTORY_SLOPE = 0.6
"""Judgement (range 0.4-0.8): Russia's chance of winning a war is ``1 - 0.6 x resistance``."""

INCURSION_WAR_SHARE = 0.3
"""Judgement (range 0.2-0.5): share of the cost of full war that a limited incursion carries."""

POSTURE_THREATENED = np.array([0.0, 0.0, 1.0, 2.0, 2.0])
"""Eastern Flank reinforcement level triggered at each rung (US-T2: 'may further strengthen')."""

SUPPORT_TRIGGERED = np.array([0.0, 0.0, 1.0, 2.0, 2.0])
"""Level of Western support to Ukraine triggered at each rung (judgement)."""

MOBILISATION_BY_RUNG = np.array([0.0, 0.0, 0.2, 1.0, 1.7])
"""Multiplier of ``alliance.aggression_mobilisation`` at the highest rung reached (H4)."""

WEDGE_BUILD_RATE = 0.25
"""Judgement (range 0.1-0.5): share of the way to full effect Russia's wedge builds each week."""

WEDGE_COLLAPSE_RATE = 0.5
"""Judgement: share of the wedge's effect lost each week once Russia uses force (H4)."""


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
    weight = np.sum(salience**exponent, axis=0)
    total = np.sum((salience * gap) ** exponent, axis=0) / np.where(weight > 0, weight, 1.0)
    return 1.0 - total ** (1.0 / exponent)


def cost_sensitivity(resolve: np.ndarray | float) -> np.ndarray | float:
    """How heavily Russia weighs costs: ``1 - 0.6 x resolve`` (judgement)."""
    return 1.0 - COST_SENSITIVITY_SLOPE * resolve


def expected_level(now: np.ndarray, threatened: np.ndarray, belief: np.ndarray) -> np.ndarray:
    """Level Russia expects: what is in force, plus the threatened rise times its belief."""
    return now + belief * np.maximum(threatened - now, 0.0)


def ladder_plan_values(values: np.ndarray, threshold: np.ndarray | float) -> np.ndarray:
    """Value of the best plan starting at each rung, shape (rungs, R).

    Russia looks up the whole ladder (judgement: a planning horizon in rungs, not in
    weeks): the plan value of rung L is the better of standing at L and climbing on,
    paying ``threshold`` for each rung crossed: ``C(4) = V(4)``,
    ``C(L) = max(V(L), C(L + 1) - threshold)``.
    """
    plans = np.array(values, dtype=float, copy=True)
    for rung in range(plans.shape[0] - 2, -1, -1):
        plans[rung] = np.maximum(plans[rung], plans[rung + 1] - threshold)
    return plans


def logit_choice_probabilities(
    utilities: np.ndarray, available: np.ndarray, precision: np.ndarray | float
) -> np.ndarray:
    """Quantal-response (logit) choice probabilities (Signorino 1999).

    ``P(a) = exp(lambda EU(a)) / sum_b exp(lambda EU(b))`` over the available actions.

    Args:
        utilities: (actions, R) expected utilities.
        available: (actions, R) boolean; each world needs at least one.
        precision: lambda, scalar or (R,); ``np.inf`` gives the best reply (ties split).
    """
    scaled = np.where(available, utilities, -np.inf)
    best = scaled.max(axis=0)
    precision = np.broadcast_to(np.asarray(precision, dtype=float), best.shape)
    finite = np.isfinite(precision)
    with np.errstate(invalid="ignore", over="ignore"):
        smooth = np.exp(np.where(finite, precision, 0.0) * (scaled - best))
    weights = np.where(available, np.where(finite, smooth, scaled == best), 0.0)
    return weights / weights.sum(axis=0)


def draw_choice(probabilities: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Pick one action per world by inverse CDF: the first whose cumulative share exceeds u."""
    cumulative = np.cumsum(probabilities, axis=0)
    return np.argmax(cumulative > uniform * cumulative[-1], axis=0)


def beta_mean(successes: np.ndarray, failures: np.ndarray) -> np.ndarray:
    """Mean of a Beta(successes, failures) belief."""
    return successes / (successes + failures)


def bayes_type_update(
    prior: np.ndarray, likelihood_if_type: np.ndarray, likelihood_otherwise: np.ndarray
) -> np.ndarray:
    """Posterior that Russia is of a type, after an action with the given likelihoods."""
    numerator = prior * likelihood_if_type
    denominator = numerator + (1.0 - prior) * likelihood_otherwise
    return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), prior)


def column_quantile(values: np.ndarray, quantile: np.ndarray) -> np.ndarray:
    """The ``quantile[r]`` quantile of ``values[:, r]`` for each world r (linear interpolation)."""
    ordered = np.sort(values, axis=0)
    position = quantile * (values.shape[0] - 1)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, values.shape[0] - 1)
    frac = position - low
    columns = np.arange(values.shape[1])
    return ordered[low, columns] * (1.0 - frac) + ordered[high, columns] * frac


def alliance_cohesion(willingness: np.ndarray) -> np.ndarray:
    """Cohesion 0-1 from the spread of members' willingness: ``1 - 2 x std`` (judgement).

    The standard deviation of numbers in [0, 1] is at most 0.5, so cohesion is 1 when
    all allies agree and 0 when they split into two equal camps at 0 and 1.
    """
    members = willingness.shape[0]
    mean = willingness.sum(axis=0) / members
    variance = (willingness * willingness).sum(axis=0) / members - mean**2
    return np.clip(1.0 - 2.0 * np.sqrt(np.maximum(variance, 0.0)), 0.0, 1.0)


def consensus_level(
    willingness: np.ndarray, cohesion: np.ndarray, quantile_low: float, quantile_high: float
) -> np.ndarray:
    """Level of punishment the Alliance agrees on (Snyder 1984; THEORY.md 'Alliances').

    A collective decision passes at the willingness of a low quantile of members, one
    ally one voice; the more cohesive the Alliance, the higher that quantile (from
    ``quantile_low`` at cohesion 0 to ``quantile_high`` at cohesion 1).
    """
    quantile = quantile_low + (quantile_high - quantile_low) * cohesion
    return column_quantile(willingness, np.clip(quantile, 0.0, 1.0))


def ratchet(current: np.ndarray, triggered: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """A response ladder that never steps down: ``max(current, min(triggered, cap))``."""
    return np.maximum(current, np.minimum(triggered, cap))
