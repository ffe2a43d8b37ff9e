"""Random numbers: a stream per world and a stream per uncertain parameter, fixed by the seed.

Replication ``k`` of scenario seed ``s`` draws from numpy's counter-based Philox
bit generator keyed by ``(s, k)`` (Philox4x64-10; Salmon et al. 2011, "Parallel
random numbers: as easy as 1, 2, 3"): distinct keys give independent streams. A
counter-based generator needs no state carried from number to number, so a compiled
kernel (:func:`_uniforms`) computes every world's stream at once, to the bit what
numpy's ``Generator(Philox(key=[s, k]))`` gives (numpy has no call that draws from
many keys at once; re-keying one generator per world cost twice as much).
Each world's numbers are taken in one fixed layout at the start (its latent type,
its allies' perceptions, then a block of uniforms per week), so replication ``k`` is
the same world whether it runs alone, in a batch of 100,000, on one process or many,
and whatever the horizon: a longer horizon only appends weeks to the block.

The probability level of an uncertain parameter comes from a stream of its own, keyed
by the seed and the parameter's path: Philox keyed by ``(s, h)``, where ``h`` is the
first eight bytes of the SHA-256 of the path with the top bit set (so it is never a
world's index, which stays below 2**63), read at position ``k`` for world ``k``. A
level thus depends on the seed, the world and the path alone: declaring, removing or
reordering parameters moves no other parameter's levels, and two scenarios that make
the same parameter uncertain share its levels (common random numbers).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from scipy import special

from crisis_sim.model.compiled import helper, kernel, wide_product

MEMBER_SLOTS = 32
"""Normal draws reserved per world for the allies' threat perception (30 allies used)."""

WEEKLY_SLOTS = 6
"""Uniform draws per world and week: choice, clash, incident, collapse, ceasefire, spare."""

CHOICE, CLASH, INCIDENT, COLLAPSE, CEASEFIRE = 0, 1, 2, 3, 4
"""Indices of the weekly slots."""

_HEAD = 1 + MEMBER_SLOTS

_PATH_KEY_BIT = 1 << 63
"""Set in every parameter stream's key: world indices stay below it, so no key is shared."""

_TINY = 2.0**-53
"""Keeps the inverse normal CDF finite at a uniform draw of exactly 0."""

_UNIT = 2.0**-53
"""The spacing of numpy's doubles in [0, 1): a 53-bit integer times it is one."""


@dataclass(frozen=True, slots=True)
class WorldDraws:
    """All random numbers of a block of replications.

    Attributes:
        type_uniform: (R,) uniform deciding each world's latent Russian type.
        member_normal: (MEMBER_SLOTS, R) standard normals for allies' perceptions
            (inverse-CDF transforms of the world's uniforms).
        weekly: (weeks, WEEKLY_SLOTS, R) uniforms, one row of slots per week.
    """

    type_uniform: np.ndarray
    member_normal: np.ndarray
    weekly: np.ndarray


def replication_generator(seed: int, replication: int) -> np.random.Generator:
    """A fresh Generator positioned at the start of one replication's stream."""
    key = np.array([seed, replication], dtype=np.uint64)
    return np.random.Generator(np.random.Philox(key=key))


_M0, _M1 = np.uint64(0xD2E7470EE14C6C93), np.uint64(0xCA5A826395121157)
"""Philox4x64's two multipliers (Salmon et al. 2011, table 2; numpy's ``philox.h``)."""

_W0, _W1 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBB67AE8584CAA73B)
"""Philox4x64's key increments per round (the golden ratio and sqrt(3) - 1, as 64-bit fractions)."""

# A shift as a 64-bit unsigned number: mixed with a signed integer, numba would turn a
# uint64 into a float.
_SHIFT11 = np.uint64(11)


@helper
def _philox(
    counter: np.uint64, key0: np.uint64, key1: np.uint64
) -> tuple[np.uint64, np.uint64, np.uint64, np.uint64]:
    """Philox4x64-10 of the counter ``(counter, 0, 0, 0)`` under the key ``(key0, key1)``."""
    c0, c1, c2, c3 = counter, np.uint64(0), np.uint64(0), np.uint64(0)
    for round_ in range(10):
        if round_ > 0:
            key0 += _W0
            key1 += _W1
        high0, low0 = wide_product(_M0, c0)
        high1, low1 = wide_product(_M1, c2)
        c0, c1, c2, c3 = high1 ^ c1 ^ key0, low1, high0 ^ c3 ^ key1, low0
    return c0, c1, c2, c3


@kernel("void(uint64, uint64, float64[:, ::1])")
def _uniforms(seed: np.uint64, first: np.uint64, block: np.ndarray) -> None:
    """Fill column ``j`` of ``block`` (width, count) with world ``first + j``'s uniforms.

    Its first ``width`` doubles in [0, 1) from numpy's
    ``Generator(Philox(key=[seed, first + j])).random()``, to the bit: Philox4x64-10
    of the counters 1, 2, 3, ... (numpy steps the counter before each block of four
    64-bit words), each word ``x`` giving the double ``(x >> 11) * 2**-53``. The worlds
    are the inner loop, so that each row of ``block`` is written in order (the compiler
    does not vectorise it: the CPU's vector units have no 128-bit product).
    """
    width, count = block.shape
    full = width // 4
    for step in range(full):
        counter = np.uint64(step + 1)
        row = 4 * step
        for world in range(count):
            w0, w1, w2, w3 = _philox(counter, seed, first + np.uint64(world))
            block[row, world] = (w0 >> _SHIFT11) * _UNIT
            block[row + 1, world] = (w1 >> _SHIFT11) * _UNIT
            block[row + 2, world] = (w2 >> _SHIFT11) * _UNIT
            block[row + 3, world] = (w3 >> _SHIFT11) * _UNIT
    if width > 4 * full:
        counter = np.uint64(full + 1)
        for world in range(count):
            words = _philox(counter, seed, first + np.uint64(world))
            for offset in range(width - 4 * full):
                block[4 * full + offset, world] = (words[offset] >> _SHIFT11) * _UNIT


def draw_worlds(seed: int, first: int, count: int, weeks: int) -> WorldDraws:
    """Draw the random numbers of replications ``first .. first + count - 1``.

    World ``k``'s numbers are the first ``1 + MEMBER_SLOTS + weeks * WEEKLY_SLOTS``
    doubles of :func:`replication_generator` ``(seed, k)``, drawn for all the worlds
    at once by the compiled :func:`_uniforms`.

    Args:
        seed: The scenario seed (a non-negative integer).
        first: Index of the first replication.
        count: Number of replications.
        weeks: Number of weeks to draw for.
    """
    if seed < 0 or first < 0 or count < 1 or weeks < 0:
        raise ValueError(
            f"need seed >= 0, first >= 0, count >= 1, weeks >= 0; got {seed}, {first}, "
            f"{count}, {weeks}"
        )
    columns = np.empty((_HEAD + weeks * WEEKLY_SLOTS, count))
    _uniforms(np.uint64(seed), np.uint64(first), columns)
    return WorldDraws(
        type_uniform=columns[0],
        member_normal=special.ndtri(np.clip(columns[1:_HEAD], _TINY, 1 - _TINY)),
        weekly=columns[_HEAD:].reshape(weeks, WEEKLY_SLOTS, count),
    )


def path_key(path: str) -> int:
    """The key word of a parameter's stream: 8 bytes of SHA-256 of its path, top bit set."""
    digest = hashlib.sha256(path.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little") | _PATH_KEY_BIT


def path_levels(seed: int, path: str, first: int, count: int) -> np.ndarray:
    """Probability levels in [0, 1) of the parameter at ``path`` for worlds ``first ..``.

    World ``k``'s level is the ``k``-th double of the stream keyed by ``(seed,
    path_key(path))``, so it does not depend on how the worlds are chunked.

    Args:
        seed: The scenario seed.
        path: The parameter's dotted path.
        first: Index of the first world.
        count: Number of worlds.
    """
    if seed < 0 or first < 0 or count < 1:
        raise ValueError(f"need seed >= 0, first >= 0, count >= 1; got {seed}, {first}, {count}")
    bit_generator = np.random.Philox(key=np.array([seed, path_key(path)], dtype=np.uint64))
    bit_generator.advance(first // 4)  # Philox gives four 64-bit words per counter step
    skip = first % 4
    return np.random.Generator(bit_generator).random(skip + count)[skip:]
