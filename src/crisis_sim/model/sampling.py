"""Probability levels for a scenario's uncertain parameters, per parameter set.

Worlds come in parameter sets of ``worlds_per_set`` consecutive worlds (the scenario's
``run.worlds_per_set``): world k belongs to set ``k // worlds_per_set``, and every world
of a set takes the same values of the judgement parameters, while each world keeps its
own chance (:mod:`crisis_sim.model.streams`). The spread of an outcome's probability
across sets is the judgement uncertainty; the spread within a set is chance
(:mod:`crisis_sim.ensemble.intervals`). Two designs, both fixed by (seed, set) alone, so
that world k gets the same parameter values whatever the number of worlds, chunks or
workers:

- ``monte_carlo``: a parameter's level in set j comes from the parameter's own
  stream, keyed by the seed and its path (:func:`crisis_sim.model.streams.path_levels`),
  so it gets the same level in every scenario run with the same seed and set size,
  whatever else is declared or uncertain: common random numbers for comparisons.
- ``latin_hypercube``: sets are grouped in fixed blocks of :data:`LHS_BLOCK`; each
  block is one Latin hypercube (scipy's ``qmc.LatinHypercube``, seeded by the seed and
  the block's index) over the uncertain parameters, one column per path in alphabetical
  order. Every full block is stratified in every parameter. The design depends on the
  set of uncertain parameters, so two scenarios with different sets do not share levels:
  use ``monte_carlo`` for paired comparisons.

A calibrated posterior (:mod:`crisis_sim.calibration`) is drawn the same way: set j
takes the posterior's row at the level of the stream :data:`POSTERIOR_STREAM`, by the
rows' weights (:func:`posterior_rows`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from crisis_sim.model.domain import SAMPLINGS, Sampling
from crisis_sim.model.params import parameter_paths
from crisis_sim.model.streams import path_levels

LHS_BLOCK = 1024
"""Parameter sets per Latin hypercube block."""

POSTERIOR_STREAM = "posterior"
"""The name whose stream picks each parameter set's row of a posterior sample."""

_LHS_STREAM = 0x4C48_5300
"""Tag that keeps the hypercube streams apart from the worlds' streams."""


def _lhs_block(seed: int, block: int, dimensions: int) -> np.ndarray:
    """The Latin hypercube of one block, shape (LHS_BLOCK, dimensions)."""
    from scipy.stats import qmc  # here: scipy.stats costs half a second, and only LHS needs it

    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, _LHS_STREAM, block])))
    return qmc.LatinHypercube(d=dimensions, rng=rng).random(LHS_BLOCK)


def set_span(first: int, count: int, worlds_per_set: int) -> tuple[np.ndarray, int, int]:
    """Each world's parameter set, and the first set and number of sets they span.

    Args:
        first: Index of the first world.
        count: Number of worlds.
        worlds_per_set: Worlds per parameter set (1 = every world its own set).
    """
    if worlds_per_set < 1:
        raise ValueError(f"worlds_per_set must be at least 1, got {worlds_per_set}")
    sets = np.arange(first, first + count) // worlds_per_set
    return sets, int(sets[0]), int(sets[-1] - sets[0] + 1)


def parameter_levels(
    paths: Sequence[str],
    method: Sampling,
    *,
    seed: int,
    first: int,
    count: int,
    worlds_per_set: int = 1,
) -> dict[str, np.ndarray]:
    """Probability levels in [0, 1) of ``paths`` for worlds ``first .. first + count - 1``.

    Args:
        paths: The uncertain parameters' dotted paths.
        method: ``monte_carlo`` or ``latin_hypercube``.
        seed: The scenario seed.
        first: Index of the first world.
        count: Number of worlds.
        worlds_per_set: Worlds per parameter set: the worlds of a set share their levels.

    Raises:
        ValueError: For an unknown method or parameter path.
    """
    known = set(parameter_paths())
    unknown = [path for path in paths if path not in known]
    if unknown:
        raise ValueError(f"not model parameters: {', '.join(unknown)}")
    if method not in SAMPLINGS:
        raise ValueError(f"unknown sampling {method!r}; choose one of {', '.join(SAMPLINGS)}")
    if not paths or count < 1:
        return {path: np.empty(0) for path in paths}
    sets, first_set, set_count = set_span(first, count, worlds_per_set)
    offset = sets - first_set
    if method == "monte_carlo":
        return {path: path_levels(seed, path, first_set, set_count)[offset] for path in paths}
    ordered = sorted(paths)
    set_index = np.arange(first_set, first_set + set_count)
    blocks = set_index // LHS_BLOCK
    levels = np.empty((set_count, len(ordered)))
    for block in np.unique(blocks):
        inside = blocks == block
        design = _lhs_block(seed, int(block), len(ordered))
        levels[inside] = design[set_index[inside] % LHS_BLOCK]
    return {path: levels[offset, column] for column, path in enumerate(ordered)}


def posterior_rows(
    weights: np.ndarray, *, seed: int, first: int, count: int, worlds_per_set: int = 1
) -> np.ndarray:
    """The posterior row each world's parameter set takes, drawn by the rows' weights.

    Set j's row is the weighted quantile, at the level of set j in the stream of
    :data:`POSTERIOR_STREAM`, of the rows in their stored order: fixed by (seed, set)
    and the sample alone.

    Args:
        weights: The posterior rows' weights (non-negative, not all zero).
        seed: The scenario seed.
        first: Index of the first world.
        count: Number of worlds.
        worlds_per_set: Worlds per parameter set.
    """
    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 1 or weights.size == 0 or np.any(weights < 0) or weights.sum() <= 0:
        raise ValueError("posterior weights must be non-negative, not all zero")
    sets, first_set, set_count = set_span(first, count, worlds_per_set)
    levels = path_levels(seed, POSTERIOR_STREAM, first_set, set_count)[sets - first_set]
    cumulative = np.cumsum(weights) / weights.sum()
    return np.minimum(np.searchsorted(cumulative, levels, side="right"), weights.size - 1)
