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

Everything here is a pure function. Each rule of numbers is written once, as a helper
the compiled kernels call (:func:`force_of`, :func:`victory_of`,
:func:`resistance_after`, :func:`deal_after`, :func:`powers_into`; Russia's outlook,
:func:`crisis_sim.model.russia._outlook`, applies them world by world), and applied to
each element of numpy arrays by the same code (:func:`crisis_sim.model.compiled.elementwise`)
for numpy callers (:func:`force`, :func:`victory_chance`, and over the plans' wait axis
first, shape (waits, R), :func:`projected_resistance` and :func:`expected_deal`).
"""

from __future__ import annotations

import datetime as dt
import functools
import math

import numpy as np

from crisis_sim.model.compiled import elementwise, helper, kernel, larger, smaller

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


@helper
def force_of(
    weeks_massed: float,
    buildup_start: float,
    buildup_weeks: float,
    readiness_weeks: float,
    readiness_decline: float,
) -> float:
    """Russia's massed force, 0-1, after ``weeks_massed`` weeks: the rule of :func:`force`.

    ``min(1, start + (1 - start) m / buildup_weeks) x exp(-decline x max(m - readiness_weeks, 0))``:
    the build-up completes, then readiness decays (Slantchev 2005). ``exp`` is the C
    library's (see :mod:`crisis_sim.model.compiled`), and not called before readiness
    declines, where it would give ``exp(0) = 1`` exactly.
    """
    built = smaller(1.0, buildup_start + (1.0 - buildup_start) * weeks_massed / buildup_weeks)
    exponent = -readiness_decline * larger(weeks_massed - readiness_weeks, 0.0)
    return built * (1.0 if exponent == 0.0 else math.exp(exponent))


force = elementwise("float64(float64, float64, float64, float64, float64)")(force_of)
"""Russia's massed force (:func:`force_of`) over arrays that broadcast (elementwise)."""


@helper
def victory_of(force_now: float, resistance: float, slope: float) -> float:
    """Russia's chance of winning a war: ``clip(force x (1 - slope x resistance), 0, 1)``."""
    return smaller(larger(force_now * (1.0 - slope * resistance), 0.0), 1.0)


victory_chance = elementwise("float64(float64, float64, float64)")(victory_of)
"""Russia's chance of winning (:func:`victory_of`) over arrays that broadcast (elementwise)."""


@functools.cache
def _power_plan(waits: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`power_plan` for a tuple of waits (cached: the plans' waits are fixed)."""
    if min(waits) < 1:
        raise ValueError(f"waits must be whole weeks, 1 or more; got {min(waits)}")
    closure: set[int] = set()
    waiting = list(waits)
    while waiting:
        k = waiting.pop()
        if k not in closure:
            closure.add(k)
            if k > 1:
                waiting += [k // 2, k - k // 2]
    order = sorted(closure)
    row = {k: index for index, k in enumerate(order)}
    first = np.array([-1 if k == 1 else row[k // 2] for k in order], dtype=np.int64)
    second = np.array([-1 if k == 1 else row[k - k // 2] for k in order], dtype=np.int64)
    return first, second, np.array([row[k] for k in waits], dtype=np.int64)


def power_plan(waits: np.ndarray = WAITS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How :func:`powers_into` builds ``base ** k`` for each wait ``k`` by products.

    The powers needed are the waits and, for each, ``k // 2`` and ``k - k // 2``, in
    rising order (1 first); returns, for each such power, the rows of the two smaller
    powers whose product it is (-1 for the power 1, the base itself), and the row of
    each wait. For the plans' waits these are the waits themselves: 8 products for 9
    waits.
    """
    return _power_plan(tuple(int(k) for k in waits))


@helper(inline=False)
def powers_into(base: np.ndarray, first: np.ndarray, second: np.ndarray, out: np.ndarray) -> None:
    """``out[row, world]``: ``base[world]`` to each power of :func:`power_plan`, by products.

    ``base^k = base^(k // 2) x base^(k - k // 2)``, each power once from smaller ones,
    not by ``pow``: within a few ulps of ``pow`` and, made of IEEE multiplications alone,
    the same on every machine; also several times cheaper than ``pow``.
    """
    size = base.shape[0]
    for row in range(first.shape[0]):
        low, high = first[row], second[row]
        if low < 0:
            for world in range(size):
                out[row, world] = base[world]
        else:
            for world in range(size):
                out[row, world] = out[low, world] * out[high, world]


@kernel("void(float64[::1], int64[::1], int64[::1], int64[::1], float64[:, ::1])")
def _wait_powers(
    base: np.ndarray, first: np.ndarray, second: np.ndarray, rows: np.ndarray, out: np.ndarray
) -> None:
    """``out[i, world] = base[world] ** waits[i]``, by the products of :func:`powers_into`."""
    powers = np.empty((first.shape[0], base.shape[0]))
    powers_into(base, first, second, powers)
    for index in range(rows.shape[0]):
        for world in range(base.shape[0]):
            out[index, world] = powers[rows[index], world]


def wait_powers(base: np.ndarray | float, waits: np.ndarray = WAITS) -> np.ndarray:
    """``base ** k`` for each wait ``k``: shape (waits, R), or (waits, 1) for a number.

    The compiled kernel :func:`_wait_powers`, by the products of :func:`power_plan`.
    """
    base = np.asarray(base, dtype=float)
    flat = np.ascontiguousarray(base.reshape(-1))
    out = np.empty((len(waits), flat.shape[0]))
    _wait_powers(flat, *power_plan(waits), out)
    return out.reshape(len(waits), *(base.shape or (1,)))


@helper
def resistance_after(now: float, target: float, remaining: float) -> float:
    """Ukraine's resistance after some weeks: ``target + (now - target) x remaining``.

    ``remaining`` is the share of the gap left, ``(1 - rate)^k`` after ``k`` weeks.
    """
    return target + (now - target) * remaining


_resistance_after = elementwise("float64(float64, float64, float64)")(resistance_after)


def projected_resistance(
    now: np.ndarray, target: np.ndarray, rate: np.ndarray | float, waits: np.ndarray
) -> np.ndarray:
    """Ukraine's resistance ``k`` weeks on, shape (waits, R).

    It closes the gap to ``target`` (what its support and mobilisation allow) by ``rate``
    each week: ``target + (now - target) (1 - rate)^k`` (:func:`resistance_after`).
    """
    return _resistance_after(now, target, wait_powers(1.0 - np.asarray(rate), waits))


@helper
def deal_after(deal_now: float, remaining: float) -> float:
    """The deal's utility Russia expects later: ``1 - (1 - deal_now) x remaining``.

    ``remaining`` is the share of the gap to its full demands (utility 1) left,
    ``(1 - weekly_rate)^k`` after ``k`` weeks of coercion.
    """
    return 1.0 - (1.0 - deal_now) * remaining


_deal_after = elementwise("float64(float64, float64)")(deal_after)


def expected_deal(deal_now: np.ndarray, weekly_rate: np.ndarray, waits: np.ndarray) -> np.ndarray:
    """The deal's utility Russia expects after ``k`` more weeks of coercion, (waits, R).

    The remaining gap to its full demands (utility 1) shrinks by ``weekly_rate`` a week
    (:func:`deal_after`).
    """
    return _deal_after(deal_now, wait_powers(1.0 - weekly_rate, waits))


def hold_then(
    flow: np.ndarray, final: np.ndarray, discount: np.ndarray | float, waits: np.ndarray
) -> np.ndarray:
    """Value of holding ``k`` weeks at a weekly ``flow``, then a final move worth ``final``.

    ``(1 - delta^k) flow + delta^k final``, computed as ``flow + delta^k (final - flow)``;
    ``flow`` and ``final`` broadcast to (waits, R).
    """
    weight = wait_powers(discount, waits)
    return flow + weight * (final - flow)
