"""``Results``: what an ensemble produced, and how it is saved and loaded.

A result folder holds everything needed to reproduce every table and figure:

- ``worlds.parquet``: one row per world (sampled parameters, outcome, week, end state);
- ``weekly.parquet``: week by week, the number of worlds in each state and the
  binned values of the fan charts' variables;
- ``trajectories.parquet``: the full week-by-week state of the worlds asked for;
- ``figures/``: the main figures as PNG and SVG, when the command line (or
  :func:`crisis_sim.plots.save_main_figures`) draws them: saving writes data only;
- ``summary.json``: the scenario (in full), its hash, the seed, the outcome table,
  package and dependency versions, the executor and timings; written last, so a
  folder without it is incomplete.

Results are written into a staging folder inside the output folder and moved into
place, ``summary.json`` last, so a crash never leaves a half-written folder that looks
complete. The package writes only into folders it owns and replaces only its own
files (:mod:`crisis_sim.ensemble.outputs`).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from crisis_sim.ensemble.outputs import OutputFolder
from crisis_sim.model.crisis import CrisisModel
from crisis_sim.model.domain import OUTCOMES, Rung
from crisis_sim.scenario.errors import ScenarioError
from crisis_sim.scenario.files import scenario_from_dict
from crisis_sim.scenario.schema import Scenario

STATE_LABELS: tuple[str, ...] = (
    *(o.key for o in OUTCOMES),
    *(f"ongoing_{rung.name.lower()}" for rung in Rung),
)
"""The state each world is in, week by week: an outcome, or still running at a rung."""


@dataclass(frozen=True)
class Variable:
    """A variable of the results: what it is, its unit, and its histogram if kept weekly."""

    title: str
    """What it is, in a few words (``"sanctions tier"``)."""
    unit: str
    """Its unit or scale (``"0-3"``)."""
    bins: tuple[float, float, int] | None = None
    """(low edge, high edge, bins) of its week-by-week histogram; None if not kept weekly."""

    @property
    def label(self) -> str:
        """Axis label with the unit: ``"sanctions tier (0-3)"``."""
        return f"{self.title} ({self.unit})"


VARIABLES: dict[str, Variable] = {
    "rung": Variable("escalation rung", "0 diplomacy - 4 invasion", (-0.5, 4.5, 5)),
    "sanctions": Variable("sanctions tier", "0-3", (0.0, 3.0, 120)),
    "posture": Variable("Eastern Flank posture", "0-2", (0.0, 2.0, 80)),
    "support": Variable("support to Ukraine", "0-2", (0.0, 2.0, 80)),
    "cohesion": Variable("alliance cohesion", "0-1", (0.0, 1.0, 100)),
    "resolve_belief": Variable("Russia's belief in Western resolve", "0-1", (0.0, 1.0, 100)),
    "end_rung": Variable("escalation rung at the end", "0 diplomacy - 4 invasion"),
    "max_rung": Variable("highest escalation rung reached", "0-4"),
    "type_belief": Variable("West's belief that Russia is revisionist", "0-1"),
    "concessions_granted": Variable("concessions granted", "sum over the six issues, 0-6"),
}
"""The per-variable table: each week-by-week variable and end-state column of
:attr:`Results.worlds` with its unit, and the histogram of those kept week by week.
Figures label their axes from it."""

BINNED: dict[str, tuple[float, float, int]] = {
    name: variable.bins for name, variable in VARIABLES.items() if variable.bins is not None
}
"""Week-by-week variables kept as histograms: (low edge, high edge, bins), from
:data:`VARIABLES`."""

FORMAT_VERSION = 1
"""Version of the result-folder layout."""

REQUIRED_SUMMARY_KEYS = ("format_version", "scenario", "seed", "runs", "sampling")
"""Keys ``summary.json`` must hold for a result folder to be read."""


class ResultsFolderError(ValueError):
    """A folder is not a readable result folder of this package; the message says why."""


def json_safe(value: Any) -> Any:
    """``value`` with every NaN or infinity replaced by None, so it dumps as strict JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, np.generic):
        return json_safe(value.item())
    return value


Z_95 = 1.959963984540054
"""The standard normal quantile of a two-sided 95% interval."""


def wilson_interval(
    successes: np.ndarray | int, trials: np.ndarray | int, z: float = Z_95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion.

    Args:
        successes: Number of worlds with the outcome.
        trials: Number of worlds (must be positive).
        z: Normal quantile (1.96 for 95%).

    Returns:
        The lower and upper bounds; exactly 0 when there are no successes and exactly
        1 when every trial succeeds.
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    if np.any(n <= 0):
        raise ValueError("a Wilson interval needs at least one trial")
    share = k / n
    denominator = 1.0 + z**2 / n
    centre = (share + z**2 / (2 * n)) / denominator
    half = z * np.sqrt(share * (1 - share) / n + z**2 / (4 * n**2)) / denominator
    low = np.where(k <= 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where(k >= n, 1.0, np.clip(centre + half, 0.0, 1.0))
    return low, high


def outcome_table(worlds: pd.DataFrame) -> pd.DataFrame:
    """Probability of each outcome with its 95% Wilson interval and median week.

    Args:
        worlds: A per-world table with ``outcome`` and ``week`` columns.

    Returns:
        One row per outcome class (all five, in order): ``worlds``, ``probability``,
        ``low``, ``high`` (the 95% interval) and ``median_week`` (NaN if none).
    """
    total = len(worlds)
    if total == 0:
        raise ValueError("no worlds to summarise")
    rows = []
    for outcome in OUTCOMES:
        mask = (worlds["outcome"] == outcome.key).to_numpy()
        count = int(mask.sum())
        low, high = wilson_interval(count, total)
        weeks = worlds["week"].to_numpy()[mask]
        rows.append(
            {
                "outcome": outcome.key,
                "worlds": count,
                "probability": count / total,
                "low": float(low),
                "high": float(high),
                "median_week": float(np.median(weeks)) if count else np.nan,
            }
        )
    return pd.DataFrame(rows).set_index("outcome")


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
        return outcome_table(self.worlds)

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

    def save(self, directory: str | Path, *, overwrite: bool = False) -> Path:
        """Write the result folder (see the module docstring).

        Raises:
            OutputExistsError: If ``directory`` holds files and ``overwrite`` is False, or
                holds files the package did not write.
        """
        folder = OutputFolder.claim(
            directory, overwrite=overwrite, kind="run", plan_hash=self.info.get("plan_hash")
        )
        self.write_into(folder)
        return folder.path

    def write_into(self, folder: OutputFolder) -> None:
        """Write the results into a folder the package owns, through a staging folder."""
        with folder.staging() as stage:
            self.worlds.to_parquet(stage / "worlds.parquet", index=False)
            write_weekly(stage / "weekly.parquet", self.state_counts, self.histograms)
            if len(self.trajectories):
                self.trajectories.to_parquet(stage / "trajectories.parquet", index=False)
            text = json.dumps(json_safe(self.summary()), indent=2, allow_nan=False, default=str)
            (stage / "summary.json").write_text(text + "\n", encoding="utf-8")

    @classmethod
    def load(cls, directory: str | Path) -> Results:
        """Read a result folder written by :meth:`save`.

        Raises:
            FileNotFoundError: Naming the missing file, if the folder is incomplete.
            ResultsFolderError: If a file is unreadable, lacks a key, or was written by
                an incompatible version.
        """
        folder = Path(directory)
        for name in ("summary.json", "worlds.parquet", "weekly.parquet"):
            if not (folder / name).is_file():
                raise FileNotFoundError(f"{folder} is not a crisis_sim result folder: no {name}")
        summary_file = folder / "summary.json"
        try:
            summary = json.loads(summary_file.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise ResultsFolderError(f"{summary_file} is not readable JSON: {error}") from None
        if not isinstance(summary, dict):
            raise ResultsFolderError(f"{summary_file} holds no table of results")
        if summary.get("format_version") != FORMAT_VERSION:
            raise ResultsFolderError(
                f"{summary_file} has format_version {summary.get('format_version')!r}; "
                f"this crisis_sim reads version {FORMAT_VERSION}"
            )
        missing = [key for key in REQUIRED_SUMMARY_KEYS if key not in summary]
        if missing:
            raise ResultsFolderError(f"{summary_file} lacks the key(s) {', '.join(missing)}")
        try:
            scenario = scenario_from_dict(summary["scenario"], file=str(summary_file))
        except ScenarioError as error:
            raise ResultsFolderError(
                f"{summary_file} holds a scenario that does not validate: "
                f"{str(error).splitlines()[0]}"
            ) from None
        try:
            worlds = read_worlds(folder / "worlds.parquet")
            state_counts, histograms = read_weekly(folder / "weekly.parquet")
            path = folder / "trajectories.parquet"
            trajectories = pd.read_parquet(path) if path.is_file() else pd.DataFrame()
        except (ValueError, KeyError, IndexError, pa.ArrowException) as error:
            raise ResultsFolderError(f"{folder} holds an unreadable table: {error}") from None
        if len(worlds) != summary["runs"]:
            raise ResultsFolderError(
                f"{folder}/worlds.parquet has {len(worlds)} worlds where summary.json says "
                f"{summary['runs']}"
            )
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
