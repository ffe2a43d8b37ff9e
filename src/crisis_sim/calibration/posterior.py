"""Posterior samples of judgement parameters: what a calibration leaves, what a scenario draws.

A posterior is a folder written by ``crisis-sim calibrate`` (:mod:`crisis_sim.calibration.abc`):
``posterior.parquet`` holds one row per particle, a column per calibrated parameter
(its dotted path) and ``weight``; ``provenance.json`` says how it was made (targets,
priors, seed, package version, populations, acceptance). A scenario names one with
``posterior = "NAME"`` (a posterior shipped in this package, :func:`shipped_posteriors`)
or with the path of such a folder, and then each of its parameter sets takes one
row of the sample, drawn by weight (:func:`crisis_sim.model.sampling.posterior_rows`).
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from crisis_sim.model.params import parameter_paths

POSTERIOR_FILE = "posterior.parquet"
"""The sample's file in a posterior folder."""

PROVENANCE_FILE = "provenance.json"
"""How the sample was made, in a posterior folder."""

WEIGHT = "weight"
"""The column of the particles' weights."""


class PosteriorError(ValueError):
    """A posterior that cannot be found or read, with what was expected."""


def shipped_dir() -> Path:
    """The folder of the posteriors shipped with the package."""
    return Path(str(resources.files("crisis_sim.calibration").joinpath("posteriors")))


def shipped_posteriors() -> list[str]:
    """The names of the shipped posteriors."""
    return sorted(p.name for p in shipped_dir().iterdir() if (p / POSTERIOR_FILE).is_file())


def resolve(reference: str | Path) -> Path:
    """The folder a posterior reference names: a shipped posterior's name, or a folder.

    Raises:
        PosteriorError: If there is no such posterior, naming the shipped ones.
    """
    text = str(reference)
    shipped = shipped_dir() / text
    if "/" not in text and (shipped / POSTERIOR_FILE).is_file():
        return shipped
    folder = Path(text).expanduser()
    if (folder / POSTERIOR_FILE).is_file():
        return folder.resolve()
    names = ", ".join(shipped_posteriors()) or "none"
    raise PosteriorError(
        f"a shipped posterior ({names}) or a folder written by crisis-sim calibrate "
        f"(holding {POSTERIOR_FILE})"
    )


def weighted_quantiles(
    values: np.ndarray, weights: np.ndarray, levels: tuple[float, ...]
) -> list[float]:
    """The weighted quantiles of ``values`` at ``levels``.

    Each is the smallest value whose cumulative share of the weight reaches the level.
    """
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order]) / np.sum(weights)
    picks = np.minimum(np.searchsorted(cumulative, np.asarray(levels) - 1e-12), len(order) - 1)
    return [float(values[order[j]]) for j in picks]


def effective_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of normalised weights, 1 / sum(w^2)."""
    return float(1.0 / np.sum(np.asarray(weights) ** 2))


@dataclass(frozen=True)
class Posterior:
    """A weighted sample of parameter sets.

    Attributes:
        paths: The calibrated parameters' dotted paths, in column order.
        values: (particles, parameters) values.
        weights: (particles,) non-negative weights, summing to 1.
        provenance: How it was made (``provenance.json``).
        source: The folder it was read from.
        digest: SHA-256 of the sample file: results record which sample they drew from.
    """

    paths: tuple[str, ...]
    values: np.ndarray
    weights: np.ndarray
    provenance: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None
    digest: str = ""

    def __post_init__(self) -> None:
        """Check shapes and weights."""
        if self.values.ndim != 2 or self.values.shape != (len(self.weights), len(self.paths)):
            raise PosteriorError("a table of one row per particle and one column per parameter")
        if len(self.weights) == 0 or not np.all(np.isfinite(self.values)):
            raise PosteriorError("at least one particle and finite values")
        if np.any(self.weights < 0) or not np.isclose(self.weights.sum(), 1.0):
            raise PosteriorError("non-negative weights that sum to 1")

    def draw(
        self, *, seed: int, first: int, count: int, worlds_per_set: int = 1
    ) -> dict[str, np.ndarray]:
        """Values of worlds ``first .. first + count - 1``: one row per parameter set."""
        from crisis_sim.model import sampling  # here: the scenario files import this module

        rows = sampling.posterior_rows(
            self.weights, seed=seed, first=first, count=count, worlds_per_set=worlds_per_set
        )
        return {path: self.values[rows, column] for column, path in enumerate(self.paths)}

    def ranges(self) -> dict[str, tuple[float, float]]:
        """Each parameter's smallest and largest value in the sample."""
        return {
            path: (float(self.values[:, i].min()), float(self.values[:, i].max()))
            for i, path in enumerate(self.paths)
        }

    def quantiles(self, levels: tuple[float, ...] = (0.05, 0.5, 0.95)) -> dict[str, list[float]]:
        """Each parameter's weighted quantiles at ``levels``."""
        return {
            path: weighted_quantiles(self.values[:, i], self.weights, levels)
            for i, path in enumerate(self.paths)
        }

    def effective_size(self) -> float:
        """Kish's effective sample size of the weights (:func:`effective_size`)."""
        return effective_size(self.weights)


def write_posterior(
    folder: Path, paths: list[str], values: np.ndarray, weights: np.ndarray
) -> None:
    """Write ``posterior.parquet`` into ``folder`` (a staging folder the package owns)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {path: np.asarray(values[:, i], dtype=float) for i, path in enumerate(paths)}
    columns[WEIGHT] = np.asarray(weights, dtype=float)
    pq.write_table(pa.table(columns), folder / POSTERIOR_FILE)


def load_posterior(reference: str | Path) -> Posterior:
    """Read a posterior folder (or a shipped posterior by name).

    Raises:
        PosteriorError: If it cannot be found or read, or holds other than model
            parameters and their weights.
    """
    folder = resolve(reference)
    sample = folder / POSTERIOR_FILE
    return _read(sample, sample.stat().st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _read(sample: Path, _mtime: int) -> Posterior:
    """The posterior in ``sample``, cached by file and modification time."""
    import pyarrow.parquet as pq  # here: the scenario files import this module

    data = sample.read_bytes()
    try:
        table = pq.ParquetFile(sample).read().to_pydict()  # read_table would import pandas
    except Exception as error:  # pyarrow raises several types for a damaged file
        raise PosteriorError(f"a readable parquet file ({sample}: {error})") from None
    if WEIGHT not in table:
        raise PosteriorError(f"a {WEIGHT!r} column in {sample}")
    known = set(parameter_paths())
    paths = tuple(column for column in table if column != WEIGHT)
    unknown = [path for path in paths if path not in known]
    if unknown or not paths:
        raise PosteriorError(
            f"columns that are model parameters in {sample}, not {', '.join(unknown) or 'none'}"
        )
    weights = np.asarray(table[WEIGHT], dtype=float)
    values = np.column_stack([np.asarray(table[path], dtype=float) for path in paths])
    provenance_file = sample.with_name(PROVENANCE_FILE)
    provenance = (
        json.loads(provenance_file.read_text(encoding="utf-8")) if provenance_file.is_file() else {}
    )
    return Posterior(
        paths=paths,
        values=values,
        weights=weights / weights.sum() if weights.sum() > 0 else weights,
        provenance=provenance,
        source=sample.parent,
        digest=hashlib.sha256(data).hexdigest(),
    )
