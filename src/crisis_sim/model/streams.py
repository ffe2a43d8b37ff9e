"""Random numbers: a stream per world and a stream per uncertain parameter, fixed by the seed.

Replication ``k`` of scenario seed ``s`` draws from numpy's counter-based Philox
bit generator keyed by ``(s, k)`` (Philox4x64-10; Salmon et al. 2011, "Parallel
random numbers: as easy as 1, 2, 3"): distinct keys give independent streams, and
re-keying one generator object is far cheaper than seeding a new one per world.
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


def draw_worlds(seed: int, first: int, count: int, weeks: int) -> WorldDraws:
    """Draw the random numbers of replications ``first .. first + count - 1``.

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
    width = _HEAD + weeks * WEEKLY_SLOTS
    block = np.empty((count, width))
    bit_generator = np.random.Philox(key=np.array([seed, first], dtype=np.uint64))
    generator = np.random.Generator(bit_generator)
    state = bit_generator.state
    zeros = np.zeros(4, dtype=np.uint64)
    for j in range(count):
        state["state"]["key"] = np.array([seed, first + j], dtype=np.uint64)
        state["state"]["counter"] = zeros
        state["buffer_pos"] = 4
        state["has_uint32"] = 0
        bit_generator.state = state
        generator.random(out=block[j])
    columns = block.T
    return WorldDraws(
        type_uniform=columns[0].copy(),
        member_normal=special.ndtri(np.clip(columns[1 : 1 + MEMBER_SLOTS], _TINY, 1 - _TINY)),
        weekly=columns[_HEAD:].reshape(weeks, WEEKLY_SLOTS, count).copy(),
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
