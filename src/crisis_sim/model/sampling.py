"""Probability levels for a scenario's uncertain parameters, per world.

Two designs, both fixed by (seed, replication) alone, so that world k gets the same
parameter values whatever the number of worlds, chunks or workers:

- ``monte_carlo``: a parameter's level in world k comes from the parameter's own
  stream, keyed by the seed and its path (:func:`crisis_sim.model.streams.path_levels`),
  so it gets the same level in every scenario run with the same seed, whatever else is
  declared or uncertain: common random numbers for comparisons.
- ``latin_hypercube``: worlds are grouped in fixed blocks of :data:`LHS_BLOCK`
  replications; each block is one Latin hypercube (scipy's ``qmc.LatinHypercube``,
  seeded by the seed and the block's index) over the uncertain parameters, one column
  per path in alphabetical order. Every full block is stratified in every parameter. The
  design depends on the set of uncertain parameters, so two scenarios with different
  sets do not share levels: use ``monte_carlo`` for paired comparisons.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from scipy.stats import qmc

from crisis_sim.model.params import parameter_paths
from crisis_sim.model.streams import path_levels

Sampling = Literal["monte_carlo", "latin_hypercube"]
"""The sampling designs."""

SAMPLINGS: tuple[str, ...] = ("monte_carlo", "latin_hypercube")

LHS_BLOCK = 1024
"""Replications per Latin hypercube block."""

_LHS_STREAM = 0x4C48_5300
"""Tag that keeps the hypercube streams apart from the worlds' streams."""


def _lhs_block(seed: int, block: int, dimensions: int) -> np.ndarray:
    """The Latin hypercube of one block, shape (LHS_BLOCK, dimensions)."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, _LHS_STREAM, block])))
    return qmc.LatinHypercube(d=dimensions, rng=rng).random(LHS_BLOCK)


def parameter_levels(
    paths: Sequence[str],
    method: Sampling,
    *,
    seed: int,
    first: int,
    count: int,
) -> dict[str, np.ndarray]:
    """Probability levels in [0, 1) of ``paths`` for worlds ``first .. first + count - 1``.

    Args:
        paths: The uncertain parameters' dotted paths.
        method: ``monte_carlo`` or ``latin_hypercube``.
        seed: The scenario seed.
        first: Index of the first world.
        count: Number of worlds.

    Raises:
        ValueError: For an unknown method or parameter path.
    """
    known = set(parameter_paths())
    unknown = [path for path in paths if path not in known]
    if unknown:
        raise ValueError(f"not model parameters: {', '.join(unknown)}")
    if method == "monte_carlo":
        return {path: path_levels(seed, path, first, count) for path in paths}
    if method != "latin_hypercube":
        raise ValueError(f"unknown sampling {method!r}; choose one of {', '.join(SAMPLINGS)}")
    ordered = sorted(paths)
    if not ordered:
        return {}
    worlds = np.arange(first, first + count)
    blocks = worlds // LHS_BLOCK
    levels = np.empty((count, len(ordered)))
    for block in np.unique(blocks):
        inside = blocks == block
        design = _lhs_block(seed, int(block), len(ordered))
        levels[inside] = design[worlds[inside] % LHS_BLOCK]
    return {path: levels[:, column] for column, path in enumerate(ordered)}
