"""Russia's plans in time (model card 5.2): force, season, shifting power and plan values.

Russia does not value a rung as if next week were the last. Each week it compares
plans that unfold over weeks: strike now; hold (at this rung, one above or one below)
for ``k`` weeks and then strike; hold ``k`` weeks and then settle; hold to the end of
its planning horizon; settle now. A plan's value is normalised so that a state held
for ever is worth its weekly flow:

``V = (1 - delta) sum_j delta^j u_j - sum_j delta^j c_j``

with ``u`` the weekly flows (the status quo less the upkeep and expected sanctions of
coercion, or the value of a settlement) and ``c`` the one-off costs (thresholds
crossed, audience costs, the war). With holds of ``k`` weeks at a constant flow and a
final move worth ``F_k``: ``V = (1 - delta^k) u + delta^k F_k``.

What moves the values over time, and so sets the tempo:

- the force: the build-up completes over ``russia.buildup_weeks``, then readiness
  decays after ``russia.readiness_weeks`` (:func:`force`);
- the season: the spring thaw and the autumn mud cut an offensive's force
  (:func:`ground`);
- shifting power (Powell 2006; Levy 1987): Ukraine's resistance closes on what its
  support and mobilisation allow (:func:`projected_resistance`), so a window can close;
- coercion's expected pay-off: the table is expected to improve by a share of the
  remaining gap each week, in proportion to Russia's belief that the West gives way
  (:func:`expected_deal`); the belief falls in weeks the West does not give way.

Everything here is a pure function over arrays with the plans' wait axis first,
shape (waits, R); :class:`crisis_sim.model.russia.Russia` applies them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from crisis_sim.model.compiled import exp

WAITS = np.array([1, 2, 3, 4, 6, 8, 12, 16, 24])
"""Weeks of holding before a plan's final move (structural: a grid dense where plans differ).

Strike now and settle now are the plans of no wait. The last wait, 24 weeks, is also the
planning horizon of 'hold to the end'.
"""

THAW = ((3, 1), (4, 30))
"""The spring thaw (rasputitsa), month and day it starts and ends (judgement; THEORY.md)."""

AUTUMN_MUD = ((10, 15), (11, 15))
"""The autumn mud season, month and day (judgement; half the thaw's effect)."""


def _within(dates: np.ndarray, season: tuple[tuple[int, int], tuple[int, int]]) -> np.ndarray:
    (m0, d0), (m1, d1) = season
    months = dates.astype("datetime64[M]").astype(int) % 12 + 1
    days = (dates - dates.astype("datetime64[M]")).astype(int) + 1
    key = months * 100 + days
    return (key >= m0 * 100 + d0) & (key <= m1 * 100 + d1)


def ground(start: dt.date, weeks: int, thaw_penalty: np.ndarray | float) -> np.ndarray:
    """The ground's effect on an offensive in weeks ``0 .. weeks - 1`` from ``start``, 0-1.

    ``1 - thaw_penalty`` in the spring thaw (1 March to 30 April), ``1 - thaw_penalty / 2``
    in the autumn mud (15 October to 15 November), 1 otherwise (frozen or dry ground).
    Shape (weeks,) for a scalar penalty, (weeks, R) for a penalty per world.
    """
    dates = np.datetime64(start.isoformat()) + 7 * np.arange(weeks).astype("timedelta64[D]")
    thaw = _within(dates, THAW).astype(float)
    mud = _within(dates, AUTUMN_MUD).astype(float)
    penalty = np.asarray(thaw_penalty, dtype=float)
    loss = (thaw + 0.5 * mud).reshape((weeks,) + (1,) * penalty.ndim)
    return 1.0 - loss * penalty


def force(
    weeks_massed: np.ndarray,
    buildup_start: np.ndarray | float,
    buildup_weeks: np.ndarray | float,
    readiness_weeks: np.ndarray | float,
    readiness_decline: np.ndarray | float,
) -> np.ndarray:
    """Russia's massed force, 0-1, after ``weeks_massed`` weeks (any shape).

    ``min(1, start + (1 - start) m / buildup_weeks) x exp(-decline x max(m - readiness_weeks, 0))``:
    the build-up completes, then readiness decays (Slantchev 2005). ``exp`` is the C
    library's (:func:`crisis_sim.model.compiled.exp`).
    """
    built = np.minimum(1.0, buildup_start + (1.0 - buildup_start) * weeks_massed / buildup_weeks)
    return built * exp(-readiness_decline * np.maximum(weeks_massed - readiness_weeks, 0.0))


def victory_chance(
    force_now: np.ndarray, resistance: np.ndarray, slope: np.ndarray | float
) -> np.ndarray:
    """Russia's chance of winning a war: ``clip(force x (1 - slope x resistance), 0, 1)``."""
    return np.clip(force_now * (1.0 - slope * resistance), 0.0, 1.0)


def wait_powers(base: np.ndarray | float, waits: np.ndarray = WAITS) -> np.ndarray:
    """``base ** k`` for each wait ``k``: shape (waits, R), or (waits, 1) for a number.

    Built by multiplication, ``base^k = base^(k // 2) x base^(k - k // 2)``, each power
    once from smaller ones (8 multiplications for the 9 waits), not by ``pow``: the
    result is within a few ulps of ``pow``, and, made of IEEE multiplications alone, the
    same on every machine; it is also several times cheaper than ``pow`` for each wait.
    """
    base = np.asarray(base, dtype=float)
    powers: dict[int, np.ndarray] = {0: np.ones_like(base), 1: base}
    found = [_power(powers, int(k)) for k in waits]
    return np.stack(found).reshape(len(waits), *(base.shape or (1,)))


def _power(powers: dict[int, np.ndarray], k: int) -> np.ndarray:
    """``base ** k`` from the ``powers`` found so far (``powers[1]`` is the base), kept there.

    A function of the module, not a closure calling itself: such a closure is a
    reference cycle, which held each call's arrays until Python's collector ran (31 MiB
    in a 10,000-world chunk).
    """
    if k not in powers:
        powers[k] = _power(powers, k // 2) * _power(powers, k - k // 2)
    return powers[k]


def projected_resistance(
    now: np.ndarray, target: np.ndarray, rate: np.ndarray | float, waits: np.ndarray
) -> np.ndarray:
    """Ukraine's resistance ``k`` weeks on, shape (waits, R).

    It closes the gap to ``target`` (what its support and mobilisation allow) by ``rate``
    each week: ``target + (now - target) (1 - rate)^k``.
    """
    return target + (now - target) * wait_powers(1.0 - np.asarray(rate), waits)


def expected_deal(deal_now: np.ndarray, weekly_rate: np.ndarray, waits: np.ndarray) -> np.ndarray:
    """The deal's utility Russia expects after ``k`` more weeks of coercion, (waits, R).

    The remaining gap to its full demands (utility 1) shrinks by ``weekly_rate`` a week.
    """
    return 1.0 - (1.0 - deal_now) * wait_powers(1.0 - weekly_rate, waits)


def hold_then(
    flow: np.ndarray, final: np.ndarray, discount: np.ndarray | float, waits: np.ndarray
) -> np.ndarray:
    """Value of holding ``k`` weeks at a weekly ``flow``, then a final move worth ``final``.

    ``(1 - delta^k) flow + delta^k final``, computed as ``flow + delta^k (final - flow)``;
    ``flow`` and ``final`` broadcast to (waits, R).
    """
    weight = wait_powers(discount, waits)
    return flow + weight * (final - flow)
