"""``Results``: what an ensemble produced, and how it is saved and loaded.

A result folder holds everything needed to reproduce every table and figure:

- ``worlds.parquet``: one row per world (sampled parameters, outcome, week, end state);
- ``weekly.parquet``: week by week, the number of worlds in each state and the
  binned values of the fan charts' variables;
- ``trajectories.parquet``: the full week-by-week state of the worlds asked for;
- ``figures/``: the main figures as PNG;
- ``summary.json``: the scenario (in full), its hash, the seed, the outcome table,
  package and dependency versions, the executor and timings; written last, so a
  folder without it is incomplete.

Folders are written atomically: into a temporary sibling first, then renamed, so a
crash never leaves a half-written folder that looks complete, and an existing
folder is replaced only when asked.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crisis_sim import analysis
from crisis_sim.domain import OUTCOMES, Rung
from crisis_sim.model import CrisisModel
from crisis_sim.scenario import Scenario, scenario_from_dict

STATE_LABELS: tuple[str, ...] = (
    *(o.key for o in OUTCOMES),
    *(f"ongoing_{rung.name.lower()}" for rung in Rung),
)
"""The state each world is in, week by week: an outcome, or still running at a rung."""

BINNED: dict[str, tuple[float, float, int]] = {
    "rung": (-0.5, 4.5, 5),
    "sanctions": (0.0, 3.0, 120),
    "posture": (0.0, 2.0, 80),
    "support": (0.0, 2.0, 80),
    "cohesion": (0.0, 1.0, 100),
    "resolve_belief": (0.0, 1.0, 100),
}
"""Week-by-week variables kept as histograms: (low edge, high edge, bins)."""

FORMAT_VERSION = 1
"""Version of the result-folder layout."""


class OutputExistsError(FileExistsError):
    """The output folder exists and is not empty, and overwriting was not asked for."""


def check_output_dir(directory: Path, overwrite: bool) -> None:
    """Refuse a non-empty ``directory`` unless ``overwrite``; say what to do instead.

    Raises:
        OutputExistsError: If the folder has files and ``overwrite`` is False.
        NotADirectoryError: If the path is a file.
    """
    if directory.is_file():
        raise NotADirectoryError(f"{directory} is a file, not a folder for results")
    if directory.is_dir() and any(directory.iterdir()) and not overwrite:
        raise OutputExistsError(
            f"{directory} already holds files; choose another --out folder, or pass "
            "--overwrite to replace it (its files are kept until the new results are "
            "complete)"
        )


def write_weekly(path: Path, state_counts: np.ndarray, histograms: dict[str, np.ndarray]) -> None:
    """Write week-by-week counts as one long Parquet table: variable, week, bin, count.

    The states are the variable ``state`` (bins in the order of ``STATE_LABELS``).
    """
    frames = []
    for name, counts in {"state": state_counts, **histograms}.items():
        week, bin_index = np.indices(counts.shape)
        frames.append(
            pd.DataFrame(
                {
                    "variable": name,
                    "week": week.ravel(),
                    "bin": bin_index.ravel(),
                    "count": counts.ravel(),
                }
            )
        )
    pd.concat(frames, ignore_index=True).to_parquet(path, index=False)


def read_weekly(path: Path) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Read a table written by :func:`write_weekly`: state counts and histograms."""
    table = pd.read_parquet(path)
    shapes = {"state": len(STATE_LABELS), **{name: bins for name, (_, _, bins) in BINNED.items()}}
    weeks = int(table["week"].max()) + 1
    arrays = {}
    for name, bins in shapes.items():
        part = table[table["variable"] == name]
        counts = np.zeros((weeks, bins), dtype=np.int64)
        counts[part["week"].to_numpy(), part["bin"].to_numpy()] = part["count"].to_numpy()
        arrays[name] = counts
    states = arrays.pop("state")
    return states, arrays


def read_worlds(path: Path) -> pd.DataFrame:
    """Read a per-world table written as Parquet, with its outcome as a category."""
    worlds = pd.read_parquet(path)
    worlds["outcome"] = pd.Categorical(worlds["outcome"], categories=[o.key for o in OUTCOMES])
    return worlds


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON: equal hashes, equal scenarios."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Results:
    """The result of an ensemble.

    Attributes:
        scenario: The scenario that ran.
        worlds: One row per world: sampled parameters, outcome, week, end state.
        state_counts: (weeks + 1, states) worlds in each state of ``STATE_LABELS``.
        histograms: For each variable of ``BINNED``, (weeks + 1, bins) counts.
        info: Seed, number of worlds, executor, timings, versions.
        trajectories: Week-by-week state of the worlds asked for (long table).
    """

    scenario: Scenario
    worlds: pd.DataFrame
    state_counts: np.ndarray
    histograms: dict[str, np.ndarray]
    info: dict[str, Any] = field(default_factory=dict)
    trajectories: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def runs(self) -> int:
        """Number of worlds."""
        return len(self.worlds)

    def outcome_table(self) -> pd.DataFrame:
        """Probability of each outcome with a 95% Wilson interval and median week."""
        return analysis.outcome_table(self.worlds)

    def state_shares(self) -> pd.DataFrame:
        """Share of worlds in each state (outcome reached, or rung), week by week."""
        counts = self.state_counts
        shares = counts / counts.sum(axis=1, keepdims=True)
        return pd.DataFrame(shares, columns=list(STATE_LABELS)).rename_axis("week")

    def weekly_quantiles(
        self, variable: str, quantiles: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
    ) -> pd.DataFrame:
        """Quantiles of a binned variable week by week (to the bin's width).

        Args:
            variable: One of ``BINNED`` (rung, sanctions, posture, support, cohesion,
                resolve_belief).
            quantiles: Probability levels.
        """
        if variable not in BINNED:
            raise KeyError(f"no weekly variable {variable!r}; choose from {', '.join(BINNED)}")
        low, high, bins = BINNED[variable]
        centres = low + (np.arange(bins) + 0.5) * (high - low) / bins
        counts = self.histograms[variable]
        cumulative = np.cumsum(counts, axis=1) / counts.sum(axis=1, keepdims=True)
        table = {
            f"q{round(100 * q):02d}": centres[np.argmax(cumulative >= q - 1e-12, axis=1)]
            for q in quantiles
        }
        return pd.DataFrame(table).rename_axis("week")

    def replay(self, replication: int) -> CrisisModel:
        """Re-run world ``replication`` alone, with its narrated event log.

        The world is rebuilt from the scenario, the seed and the sampling design, so
        its outcome equals row ``replication`` of :attr:`worlds`.

        Raises:
            IndexError: If there is no such world in this result.
        """
        if not 0 <= replication < self.runs:
            raise IndexError(f"no world {replication}: this result has worlds 0..{self.runs - 1}")
        model = CrisisModel.from_scenario(
            self.scenario,
            seed=int(self.info["seed"]),
            first_replication=replication,
            sample_design=self.info.get("sampling", "monte_carlo"),
            event_log=True,
            record_history=True,
        )
        return model.run()

    def summary(self) -> dict[str, Any]:
        """What ``summary.json`` holds."""
        return {
            **self.info,
            "format_version": FORMAT_VERSION,
            "scenario_name": self.scenario.name,
            "title": self.scenario.title,
            "question": self.scenario.question,
            "scenario_hash": scenario_hash(self.scenario),
            "scenario": self.scenario.model_dump(mode="json"),
            "outcomes": self.outcome_table().reset_index().to_dict(orient="records"),
        }

    def save(self, directory: str | Path, *, overwrite: bool = False, figures: bool = True) -> Path:
        """Write the result folder atomically (see the module docstring).

        Raises:
            OutputExistsError: If ``directory`` holds files and ``overwrite`` is False.
        """
        target = Path(directory)
        check_output_dir(target, overwrite)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            self._write(staging, figures)
            if target.exists():
                backup = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
                os.replace(target, backup / target.name)
                os.replace(staging, target)
                shutil.rmtree(backup)
            else:
                os.replace(staging, target)
        finally:
            if staging.exists():
                shutil.rmtree(staging)
        return target

    def _write(self, folder: Path, figures: bool) -> None:
        self.worlds.to_parquet(folder / "worlds.parquet", index=False)
        write_weekly(folder / "weekly.parquet", self.state_counts, self.histograms)
        if len(self.trajectories):
            self.trajectories.to_parquet(folder / "trajectories.parquet", index=False)
        if figures:
            from crisis_sim import plots

            plots.save_main_figures(self, folder / "figures")
        (folder / "summary.json").write_text(
            json.dumps(self.summary(), indent=2, default=str) + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, directory: str | Path) -> Results:
        """Read a result folder written by :meth:`save`.

        Raises:
            FileNotFoundError: Naming the missing file, if the folder is incomplete.
            ValueError: If the folder was written by an incompatible version.
        """
        folder = Path(directory)
        for name in ("summary.json", "worlds.parquet", "weekly.parquet"):
            if not (folder / name).is_file():
                raise FileNotFoundError(f"{folder} is not a crisis_sim result folder: no {name}")
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        if summary.get("format_version") != FORMAT_VERSION:
            raise ValueError(
                f"{folder}/summary.json has format_version {summary.get('format_version')!r}; "
                f"this crisis_sim reads version {FORMAT_VERSION}"
            )
        scenario = scenario_from_dict(summary["scenario"], file=str(folder / "summary.json"))
        worlds = read_worlds(folder / "worlds.parquet")
        state_counts, histograms = read_weekly(folder / "weekly.parquet")
        path = folder / "trajectories.parquet"
        trajectories = pd.read_parquet(path) if path.is_file() else pd.DataFrame()
        info_keys = set(summary) - {
            "format_version",
            "scenario_name",
            "title",
            "question",
            "scenario_hash",
            "scenario",
            "outcomes",
        }
        info = {key: summary[key] for key in info_keys}
        return cls(scenario, worlds, state_counts, histograms, info, trajectories)
