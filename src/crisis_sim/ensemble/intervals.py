"""Two kinds of uncertainty in an ensemble's probabilities: chance and judgement.

Worlds come in parameter sets (:mod:`crisis_sim.model.sampling`): the worlds of a set
share their judgement parameters and differ only by chance. So an outcome's
probability carries two intervals:

- **Monte Carlo (chance)**: how precisely the ensemble estimates the probability
  averaged over the judgement parameters' distribution. Worlds of one set are not
  independent, so the interval is Wilson's at the effective number of worlds, the
  number of worlds divided by the design effect of the sets (Kish 1965): the variance
  of the estimate between sets over its binomial variance, at least 1.
- **Judgement**: the 5-95% band of the probability across parameter sets, what the
  modeller does not know. A set's observed share adds binomial noise to its true
  probability, which would widen the band, so the band is the 5% and 95% quantiles of
  a beta distribution fitted by moments to the sets' shares with that noise removed
  (the beta-binomial method of moments: between-set variance = variance of the shares
  minus their mean binomial variance). The observed 5-95% quantiles of the shares are
  kept beside it. With fewer than :data:`MIN_SETS` sets, or one world per set, there is
  no band.

A paired comparison of two scenarios on the same worlds gets, per parameter set, the
effect of the change on each outcome; :func:`sign_agreement` says in what share of
parameter sets the effect has the sign of the overall effect, again with the paired
noise removed, and :func:`transition_table` where the worlds of each outcome under the
reference end under the scenario.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from crisis_sim.model.domain import OUTCOMES

MIN_SETS = 10
"""Fewest parameter sets that give a judgement band or a sign agreement."""

JUDGEMENT_LEVELS = (0.05, 0.95)
"""The quantiles of the judgement band."""

Z_95 = 1.959963984540054
"""The standard normal quantile of a two-sided 95% interval."""


def wilson_interval(
    successes: np.ndarray | float, trials: np.ndarray | float, z: float = Z_95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion.

    Args:
        successes: Number of worlds with the outcome.
        trials: Number of worlds (must be positive).
        z: Normal quantile (1.96 for 95%).

    Returns:
        The lower and upper bounds; exactly 0 when there are no successes and exactly
        1 when every trial succeeds.
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    if np.any(n <= 0):
        raise ValueError("a Wilson interval needs at least one trial")
    share = k / n
    denominator = 1.0 + z**2 / n
    centre = (share + z**2 / (2 * n)) / denominator
    half = z * np.sqrt(share * (1 - share) / n + z**2 / (4 * n**2)) / denominator
    low = np.where(k <= 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where(k >= n, 1.0, np.clip(centre + half, 0.0, 1.0))
    return low, high


def dense_sets(sets: np.ndarray) -> tuple[np.ndarray, int]:
    """Each world's set as an index 0..S-1, and S (sets in order need no sort)."""
    sets = np.asarray(sets)
    if sets.size and np.all(sets[1:] >= sets[:-1]):
        index = np.concatenate([[0], np.cumsum(sets[1:] != sets[:-1])])
        return index, int(index[-1]) + 1
    _, index = np.unique(sets, return_inverse=True)
    return index, int(index.max()) + 1 if index.size else 0


def set_counts(hit: np.ndarray, sets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per parameter set, the worlds with the outcome (the sum of ``hit``) and all its worlds.

    Args:
        hit: (worlds,) whether each world has the outcome, or any per-world value.
        sets: (worlds,) each world's parameter set.
    """
    index, count = dense_sets(sets)
    hit = np.asarray(hit, dtype=float)
    return (
        np.bincount(index, weights=hit, minlength=count),
        np.bincount(index, minlength=count).astype(float),
    )


def clustered_variance(k: np.ndarray, m: np.ndarray) -> np.ndarray:
    """The variance of each column's overall mean, estimated between the sets.

    A ratio estimator: ``S / (S - 1) * sum_j (k_j - mean * m_j)^2 / n^2``.

    Args:
        k: (sets, columns) per-set sums of a per-world value (or (sets,) for one column).
        m: (sets,) worlds per set; at least two sets.
    """
    k = np.asarray(k, dtype=float).reshape(len(m), -1)
    m = np.asarray(m, dtype=float)[:, None]
    total = m.sum()
    groups = len(m)
    mean = k.sum(axis=0) / total
    return groups / (groups - 1) * np.sum((k - mean * m) ** 2, axis=0) / total**2


def design_effects(k: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Kish's design effect of the sets, at least 1, for each column of counts.

    Args:
        k: (sets, columns) worlds with the outcome per set (or (sets,) for one column).
        m: (sets,) worlds per set.
    """
    k = np.asarray(k, dtype=float).reshape(len(m), -1)
    if len(m) < 2:
        return np.ones(k.shape[1])
    total = float(np.sum(m))
    share = k.sum(axis=0) / total
    binomial = share * (1 - share) / total
    clustered = clustered_variance(k, m)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(binomial > 0, clustered / binomial, 1.0)
    return np.maximum(1.0, ratio)


def design_effect(hit: np.ndarray, sets: np.ndarray) -> float:
    """Kish's design effect of the sets on the share of ``hit``: at least 1."""
    return float(design_effects(*set_counts(hit, sets))[0])


def chance_intervals(
    k: np.ndarray, m: np.ndarray, z: float = Z_95
) -> tuple[np.ndarray, np.ndarray]:
    """The Monte Carlo 95% interval of each column's share, the sets' clustering allowed for.

    Args:
        k: (sets, columns) worlds with the outcome per set.
        m: (sets,) worlds per set.
        z: Normal quantile.
    """
    k = np.asarray(k, dtype=float).reshape(len(m), -1)
    total = float(np.sum(m))
    effective = total / design_effects(k, m)
    return wilson_interval(k.sum(axis=0) / total * effective, effective, z)


def chance_interval(
    hit: np.ndarray, sets: np.ndarray | None = None, z: float = Z_95
) -> tuple[float, float]:
    """The Monte Carlo 95% interval of the share of ``hit``, the sets' clustering allowed for.

    Without ``sets`` (or with one world per set) it is Wilson's interval of the worlds.
    """
    hit = np.asarray(hit, dtype=bool)
    if hit.size == 0:
        raise ValueError("no worlds to summarise")
    if sets is None:
        low, high = wilson_interval(float(hit.sum()), float(hit.size), z)
        return float(low), float(high)
    low, high = chance_intervals(*set_counts(hit, sets), z)
    return float(low[0]), float(high[0])


@dataclass(frozen=True)
class Spread:
    """The judgement band of one probability across parameter sets.

    Attributes:
        low, high: The 5% and 95% quantiles of the probability across parameter sets,
            binomial noise removed (NaN when there is no band: see ``reason``).
        observed_low, observed_high: The 5% and 95% quantiles of the sets' observed
            shares (noise included).
        between_sd: The standard deviation of the probability across sets.
        sets: Number of parameter sets.
        worlds_per_set: Mean worlds per set.
        reason: Why there is no band, or "".
        detected: Whether the sets' shares spread beyond their binomial noise
            (:data:`DETECTION_LEVEL`); if not, the band cannot be told apart from chance.
    """

    low: float
    high: float
    observed_low: float
    observed_high: float
    between_sd: float
    sets: int
    worlds_per_set: float
    reason: str = ""
    detected: bool = False

    @property
    def available(self) -> bool:
        """Whether there is a band."""
        return not self.reason


DETECTION_LEVEL = 0.95
"""A spread across sets counts as detected when the sets' variance exceeds what chance
alone gives at this level (a chi-square test of homogeneity)."""


def _detected(observed: float, noise: float, sets: int) -> bool:
    """Whether ``sets`` estimates with sample variance ``observed`` spread beyond ``noise``.

    Under no spread, ``(sets - 1) * observed / noise`` follows a chi-square distribution
    with ``sets - 1`` degrees of freedom (approximately, for binomial noise).
    """
    if noise <= 0:
        return observed > 0
    # chdtri(df, 1 - q) is what scipy.stats.chi2.ppf(q, df) computes, to the bit.
    critical = special.chdtri(sets - 1, 1.0 - DETECTION_LEVEL)
    return bool((sets - 1) * observed / noise > critical)


def _none(reason: str, sets: int, size: float) -> Spread:
    nan = float("nan")
    return Spread(nan, nan, nan, nan, nan, sets, size, reason)


def judgement_spreads(k: np.ndarray, m: np.ndarray) -> list[Spread]:
    """The judgement band of each column of per-set counts (see :func:`judgement_spread`).

    Args:
        k: (sets, columns) worlds with the outcome per set.
        m: (sets,) worlds per set.
    """
    m = np.asarray(m, dtype=float)
    k = np.asarray(k, dtype=float).reshape(len(m), -1)
    size = float(m.mean()) if len(m) else 0.0
    full = m >= 2
    if full.sum() < MIN_SETS:
        reason = f"{int(full.sum())} parameter sets of two or more worlds: a band needs {MIN_SETS}"
        return [_none(reason, len(m), size)] * k.shape[1]
    k, m = k[full], m[full, None]
    shares = k / m
    mean = shares.mean(axis=0)
    observed = np.quantile(shares, JUDGEMENT_LEVELS, axis=0)
    noise = np.mean(shares * (1 - shares) / (m - 1), axis=0)
    variance = shares.var(axis=0, ddof=1)
    between = np.maximum(variance - noise, 0.0)
    point = (between <= 0.0) | (mean <= 0.0) | (mean >= 1.0)
    spread = np.minimum(between, mean * (1 - mean) * (1 - 1e-6))
    with np.errstate(divide="ignore", invalid="ignore"):
        concentration = np.where(point, 1.0, mean * (1 - mean) / spread - 1)
    a = np.where(point, 1.0, mean * concentration)
    b = np.where(point, 1.0, (1 - mean) * concentration)
    # betaincinv is scipy.stats.beta.ppf's own computation, to the bit.
    low = np.where(point, mean, special.betaincinv(a, b, JUDGEMENT_LEVELS[0]))
    high = np.where(point, mean, special.betaincinv(a, b, JUDGEMENT_LEVELS[1]))
    sets = len(m)
    return [
        Spread(
            float(low[i]),
            float(high[i]),
            float(observed[0, i]),
            float(observed[1, i]),
            float(np.sqrt(between[i])),
            sets,
            size,
            detected=_detected(float(variance[i]), float(noise[i]), sets),
        )
        for i in range(k.shape[1])
    ]


def judgement_spread(hit: np.ndarray, sets: np.ndarray | None) -> Spread:
    """The 5-95% band of the probability of ``hit`` across parameter sets.

    Args:
        hit: (worlds,) whether each world has the outcome.
        sets: (worlds,) each world's parameter set, or None if the scenario draws no
            judgement parameters.
    """
    if sets is None:
        return _none("the scenario draws no judgement parameters", 0, 0.0)
    return judgement_spreads(*set_counts(hit, sets))[0]


@dataclass(frozen=True)
class SignAgreement:
    """In how many parameter sets a paired effect has the sign of the overall effect.

    Attributes:
        same_sign: Share of parameter sets whose true effect has the overall effect's
            sign, from a normal distribution of the sets' effects fitted with the paired
            noise removed (NaN when unavailable: see ``reason``).
        low, high: The 5% and 95% quantiles of the effect across parameter sets under
            the same normal fit (NaN when unavailable).
        raised, lowered, unchanged: Sets whose observed effect (their own worlds only)
            was positive, negative or zero.
        sets: Number of parameter sets.
        reason: Why there is no ``same_sign``, or "".
        detected: Whether the effect spreads across sets beyond the paired noise
            (:data:`DETECTION_LEVEL`); if not, the spread, and so ``same_sign``, cannot be
            told apart from chance.
    """

    same_sign: float
    low: float
    high: float
    raised: int
    lowered: int
    unchanged: int
    sets: int
    reason: str = ""
    detected: bool = False


def sign_agreement(
    reference: np.ndarray, scenario: np.ndarray, sets: np.ndarray | None
) -> SignAgreement:
    """The share of parameter sets in which the paired effect has the overall effect's sign.

    Args:
        reference: (worlds,) whether each world has the outcome under the reference.
        scenario: (worlds,) the same under the scenario, the same worlds in the same order.
        sets: (worlds,) each world's parameter set; None if no judgement is drawn.
    """
    a = np.asarray(reference, dtype=float)
    s = np.asarray(scenario, dtype=float)
    if sets is None:
        nan = float("nan")
        return SignAgreement(nan, nan, nan, 0, 0, 0, 0, "the scenarios draw no judgement")
    index, _ = dense_sets(sets)
    m = np.bincount(index).astype(float)
    difference = s - a
    effect = np.bincount(index, weights=difference) / m
    raised, lowered = int(np.sum(effect > 0)), int(np.sum(effect < 0))
    unchanged = len(m) - raised - lowered
    full = m >= 2
    if full.sum() < MIN_SETS:
        return SignAgreement(
            float("nan"),
            float("nan"),
            float("nan"),
            raised,
            lowered,
            unchanged,
            len(m),
            f"{int(full.sum())} parameter sets of two or more worlds: this needs {MIN_SETS}",
        )
    square = np.bincount(index, weights=difference**2) / m
    noise = float(np.mean(((square - effect**2) / (m - 1))[full]))
    mean = float(effect[full].mean())
    variance = float(effect[full].var(ddof=1))
    between = max(variance - noise, 0.0)
    if mean == 0.0:
        same = float("nan") if between > 0 else 1.0
    elif between == 0.0:
        same = 1.0
    else:
        same = float(special.ndtr(abs(mean) / np.sqrt(between)))
    low, high = mean + special.ndtri(np.asarray(JUDGEMENT_LEVELS)) * np.sqrt(between)
    detected = _detected(variance, noise, int(full.sum()))
    return SignAgreement(
        same, float(low), float(high), raised, lowered, unchanged, len(m), "", detected
    )


def transition_table(reference: np.ndarray, scenario: np.ndarray) -> pd.DataFrame:
    """Where the worlds of each outcome under the reference end under the scenario.

    Args:
        reference: (worlds,) each world's outcome key under the reference.
        scenario: (worlds,) the same worlds' outcome keys under the scenario.

    Returns:
        Counts, one row per reference outcome and one column per scenario outcome (all
        five, in order); the diagonal holds the worlds the change left where they were.
    """
    keys = [outcome.key for outcome in OUTCOMES]
    table = pd.crosstab(
        pd.Categorical(np.asarray(reference), categories=keys),
        pd.Categorical(np.asarray(scenario), categories=keys),
        dropna=False,
    )
    table.index.name = "reference"
    table.columns.name = "scenario"
    return table.reindex(index=keys, columns=keys, fill_value=0)
