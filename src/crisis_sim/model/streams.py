"""Random numbers: one stream per replication, fixed by (seed, replication) alone.

Replication ``k`` of scenario seed ``s`` draws from numpy's counter-based Philox
bit generator keyed by ``(s, k)`` (Philox4x64-10; Salmon et al. 2011, "Parallel
random numbers: as easy as 1, 2, 3"): distinct keys give independent streams, and
re-keying one generator object is far cheaper than seeding a new one per world.
Each world's numbers are taken in one fixed layout at the start (its latent type,
its allies' perceptions, one probability level for every model parameter a scenario
may make uncertain, then a block of uniforms per week), so replication ``k`` is the
same world whether it runs alone, in a batch of 100,000, on one process or many, and
whatever the horizon: a longer horizon only appends weeks to the block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from crisis_sim.model.params import parameter_paths

MEMBER_SLOTS = 32
"""Normal draws reserved per world for the allies' threat perception (30 allies used)."""

PARAMETER_SLOTS = 128
"""Probability levels reserved per world for uncertain parameters (one per parameter path;
room to add parameters without moving the weekly draws)."""

WEEKLY_SLOTS = 4
"""Uniform draws per world and week: Russia's choice, clash, inadvertent escalation, spare."""

CHOICE, CLASH, INADVERTENT = 0, 1, 2
"""Indices of the weekly slots."""

FIRST_LAYOUT_PARAMETERS = 103
"""Parameters of the first stream layout: they hold rows 0-102, in declaration order."""

ADDED_PARAMETERS = (
    "russia.cost_sensitivity_slope",
    "russia.upkeep_doubling_weeks",
    "russia.incursion_war_share",
    "russia.victory_slope",
    "russia.evidence_per_level",
    "russia.wedge_build_rate",
    "russia.wedge_collapse_rate",
    "west.urgency_rungs",
    "west.posture_at_military_technical",
    "west.posture_at_incursion",
    "west.posture_at_invasion",
    "west.support_at_military_technical",
    "west.support_at_incursion",
    "alliance.mobilisation_at_military_technical",
    "alliance.mobilisation_at_invasion",
)
"""Parameters declared after the first layout, in the order they were added.

They take the rows after the first layout's, so adding a parameter never moves the
draws of another: a new parameter goes at the end of this tuple.
"""

_PATHS = parameter_paths()
if len(_PATHS) != FIRST_LAYOUT_PARAMETERS + len(ADDED_PARAMETERS):
    raise RuntimeError("a parameter has no row of draws: append its path to ADDED_PARAMETERS")

PARAMETER_INDEX = {
    path: index
    for index, path in enumerate(
        [*(path for path in _PATHS if path not in ADDED_PARAMETERS), *ADDED_PARAMETERS]
    )
}
"""Row of each parameter path in :attr:`WorldDraws.param_uniform`."""

if len(PARAMETER_INDEX) > PARAMETER_SLOTS:
    raise RuntimeError("more model parameters than PARAMETER_SLOTS: raise it")

_HEAD = 1 + MEMBER_SLOTS + PARAMETER_SLOTS

_TINY = 2.0**-53
"""Keeps the inverse normal CDF finite at a uniform draw of exactly 0."""


@dataclass(frozen=True, slots=True)
class WorldDraws:
    """All random numbers of a block of replications.

    Attributes:
        type_uniform: (R,) uniform deciding each world's latent Russian type.
        member_normal: (MEMBER_SLOTS, R) standard normals for allies' perceptions
            (inverse-CDF transforms of the world's uniforms).
        param_uniform: (parameters, R) probability levels, one row per parameter path in
            the order of :func:`crisis_sim.model.params.parameter_paths`, so the same
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
        param_uniform=columns[1 + MEMBER_SLOTS : _HEAD].copy(),
        weekly=columns[_HEAD:].reshape(weeks, WEEKLY_SLOTS, count).copy(),
    )
