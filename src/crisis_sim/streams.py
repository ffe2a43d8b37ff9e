"""Random numbers: one numpy Generator per replication, fixed by (seed, replication) alone.

Replication ``k`` of scenario seed ``s`` draws from
``Generator(PCG64(SeedSequence(s, spawn_key=(k,))))``, the way numpy recommends
for independent parallel streams. Each world's draws are taken in one fixed
order at the start (its latent traits, one probability level for every model
parameter that a scenario may make uncertain, then a block of uniforms per week), so
replication ``k`` is the same world whether it runs alone, in a batch of 100,000,
on one process or many, and whatever the horizon: a longer horizon only appends
weeks to the block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crisis_sim.params import parameter_paths

MEMBER_SLOTS = 32
"""Normal draws reserved per world for the allies' threat perception (30 allies used)."""

WEEKLY_SLOTS = 4
"""Uniform draws per world and week: Russia's choice, clash, inadvertent escalation, spare."""

CHOICE, CLASH, INADVERTENT = 0, 1, 2
"""Indices of the weekly slots."""

PARAMETER_INDEX = {path: index for index, path in enumerate(parameter_paths())}
"""Row of each parameter path in :attr:`WorldDraws.param_uniform`."""


@dataclass(frozen=True, slots=True)
class WorldDraws:
    """All random numbers of a block of replications.

    Attributes:
        type_uniform: (R,) uniform deciding each world's latent Russian type.
        member_normal: (MEMBER_SLOTS, R) standard normals for allies' perceptions.
        param_uniform: (parameters, R) probability levels, one row per parameter path in
            the order of :func:`crisis_sim.params.parameter_paths`, so the same
            parameter gets the same level in every scenario (common random numbers).
        weekly: (weeks, WEEKLY_SLOTS, R) uniforms, one row of slots per week.
    """

    type_uniform: np.ndarray
    member_normal: np.ndarray
    param_uniform: np.ndarray
    weekly: np.ndarray

    def parameter_levels(self, path: str) -> np.ndarray:
        """The worlds' probability levels for the parameter at ``path``, shape (R,)."""
        return self.param_uniform[PARAMETER_INDEX[path]]


def replication_generator(seed: int, replication: int) -> np.random.Generator:
    """The Generator of one replication's stream."""
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(replication,)))
    )


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
    type_uniform = np.empty(count)
    member_normal = np.empty((MEMBER_SLOTS, count))
    param_uniform = np.empty((len(PARAMETER_INDEX), count))
    weekly = np.empty((weeks, WEEKLY_SLOTS, count))
    for j in range(count):
        gen = replication_generator(seed, first + j)
        type_uniform[j] = gen.random()
        member_normal[:, j] = gen.standard_normal(MEMBER_SLOTS)
        param_uniform[:, j] = gen.random(len(PARAMETER_INDEX))
        weekly[:, :, j] = gen.random((weeks, WEEKLY_SLOTS))
    return WorldDraws(type_uniform, member_normal, param_uniform, weekly)
