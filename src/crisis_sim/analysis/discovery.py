"""Scenario discovery: the ranges of the uncertain parameters that lead to an outcome.

PRIM, the Patient Rule Induction Method (Friedman and Fisher 1999), as used for
scenario discovery (Bryant and Lempert 2010), searches the ensemble's worlds for a box
(a range on some parameters) inside which an outcome is common. It starts from the
box holding every world and peels, step by step, a thin slice (``peel_alpha`` of the
worlds left) off one side of one parameter, the slice whose removal raises the share
of worlds with the outcome the most, until the box holds only ``mass_min`` of the
worlds; then it pastes back slices that add cases without lowering that share. Each
step is a point of the *peeling trajectory*, a trade-off between

- coverage: the share of all worlds with the outcome that lie in the box, and
- density: the share of worlds in the box that have the outcome.

The algorithm is EMA Workbench's (``ema_workbench.analysis.prim``, Kwakkel 2017),
with its lenient objective (the gain in density per world removed) and its quasi-p
values (a one-sided binomial test of each restriction, Bryant and Lempert 2010).

:func:`discover` chooses, among the boxes on the trajectory whose density reaches
``threshold``, the one with the highest coverage (that is, along a trajectory of
rising density, the first box to reach it): the largest region where the outcome is
at least that common. :meth:`DiscoveryResult.select` chooses another point.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

import numpy as np
import pandas as pd

from crisis_sim.ensemble.results import Results
from crisis_sim.model.domain import OUTCOMES
from crisis_sim.model.params import parameter_paths

__all__ = ["BOX_COLUMNS", "TRAJECTORY_COLUMNS", "DiscoveryResult", "discover"]

TRAJECTORY_COLUMNS = (
    "box",
    "coverage",
    "density",
    "mass",
    "worlds",
    "cases",
    "n_restricted",
    "restricted",
)
"""Columns of :attr:`DiscoveryResult.trajectory`."""

BOX_COLUMNS = (
    "parameter",
    "low",
    "high",
    "range_low",
    "range_high",
    "restricted",
    "qp_low",
    "qp_high",
)
"""Columns of a box (:attr:`DiscoveryResult.box`)."""


@dataclass(frozen=True, eq=False)
class DiscoveryResult:
    """A PRIM peeling trajectory and the box chosen on it.

    Attributes:
        outcome: What was discovered (an outcome class, or a 0/1 column).
        parameters: The parameters PRIM could restrict.
        trajectory: One row per box on the peeling and pasting trajectory, in order:
            ``box`` (its index), ``coverage``, ``density``, ``mass`` (share of all
            worlds in the box), ``worlds`` and ``cases`` (worlds in the box, and those
            with the outcome), ``n_restricted`` and ``restricted`` (a tuple of the
            parameters the box restricts).
        boxes: For each point of the trajectory, its box (see :attr:`box`).
        selected: Index of the chosen box on the trajectory.
        threshold: The density the box was chosen to reach.
        base_rate: Share of all worlds with the outcome (the density of the whole space).
        n_worlds: Worlds analysed.
    """

    outcome: str
    parameters: tuple[str, ...]
    trajectory: pd.DataFrame
    boxes: tuple[pd.DataFrame, ...]
    selected: int
    threshold: float
    base_rate: float
    n_worlds: int

    @property
    def box(self) -> pd.DataFrame:
        """The chosen box, one row per parameter.

        Columns: ``parameter``; ``low`` and ``high``, the box's limits;
        ``range_low`` and ``range_high``, the parameter's full range (its
        distribution's support for a :class:`~crisis_sim.ensemble.results.Results`, else the
        range of the data); ``restricted``, whether the box limits it (an unrestricted
        side is set to the full range); ``qp_low`` and ``qp_high``, the quasi-p value
        of each restricted side (NaN where that side is not restricted).
        """
        return self.boxes[self.selected]

    @property
    def coverage(self) -> float:
        """Share of all worlds with the outcome that lie in the chosen box."""
        return float(self.trajectory["coverage"].iloc[self.selected])

    @property
    def density(self) -> float:
        """Share of the worlds in the chosen box that have the outcome."""
        return float(self.trajectory["density"].iloc[self.selected])

    @property
    def mass(self) -> float:
        """Share of all worlds in the chosen box."""
        return float(self.trajectory["mass"].iloc[self.selected])

    @property
    def restricted(self) -> list[str]:
        """The parameters the chosen box restricts."""
        return list(self.trajectory["restricted"].iloc[self.selected])

    @property
    def meets_threshold(self) -> bool:
        """Whether the chosen box's density reaches the threshold."""
        return self.density >= self.threshold

    def select(self, i: int) -> DiscoveryResult:
        """The same result with box ``i`` of the trajectory chosen (negative counts back).

        Raises:
            IndexError: If the trajectory has no box ``i``.
        """
        count = len(self.boxes)
        if not -count <= i < count:
            raise IndexError(f"no box {i}: the trajectory has boxes 0..{count - 1}")
        return dataclasses.replace(self, selected=i % count)

    def contains(self, data: pd.DataFrame | Results) -> np.ndarray:
        """Which rows (worlds) of a table lie in the chosen box (limits included)."""
        table = data.worlds if isinstance(data, Results) else data
        inside = np.ones(len(table), dtype=bool)
        for row in self.box.itertuples(index=False):
            if row.restricted:
                values = table[row.parameter].to_numpy(dtype=float)
                inside &= (values >= row.low) & (values <= row.high)
        return inside

    def summary(self) -> str:
        """The chosen box as a few lines of text."""
        lines = [
            f"{self.outcome}: box {self.selected} of {len(self.boxes) - 1}, coverage "
            f"{self.coverage:.2f}, density {self.density:.2f} (base rate "
            f"{self.base_rate:.2f}), mass {self.mass:.2f}, {self.n_worlds} worlds"
        ]
        for row in self.box.itertuples(index=False):
            if row.restricted:
                lines.append(
                    f"  {row.parameter}: {row.low:.3g} to {row.high:.3g} "
                    f"(of {row.range_low:.3g} to {row.range_high:.3g})"
                )
        return "\n".join(lines)


def _prim_module() -> ModuleType:
    """EMA Workbench's PRIM, imported quietly (it warns about optional extras)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim
    except ImportError:
        raise ImportError(
            "scenario discovery needs EMA Workbench: pip install 'ema_workbench>=3.0'"
        ) from None
    return prim


def _cases(table: pd.DataFrame, outcome: str) -> np.ndarray:
    """1 where a world has the outcome, else 0."""
    outcomes = [o.key for o in OUTCOMES]
    if outcome in outcomes and "outcome" in table.columns:
        return (table["outcome"] == outcome).to_numpy(dtype=np.int64)
    if outcome not in table.columns:
        raise KeyError(
            f"no outcome {outcome!r}: name an outcome class ({', '.join(outcomes)}) "
            "or a 0/1 column of the table"
        )
    values = table[outcome]
    if pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=np.int64)
    numbers = values.to_numpy(dtype=float)
    if not np.isin(numbers, (0.0, 1.0)).all():
        raise ValueError(f"column {outcome!r} must hold only 0 and 1 (or True and False)")
    return numbers.astype(np.int64)


def _full_ranges(
    data: pd.DataFrame | Results, table: pd.DataFrame, parameters: Sequence[str]
) -> dict[str, tuple[float, float]]:
    """Each parameter's full range: its distribution's support if known, else the data's."""
    ranges = {name: (float(table[name].min()), float(table[name].max())) for name in parameters}
    if isinstance(data, Results):
        for dist in data.scenario.with_posterior_as_ranges().uncertain:
            if dist.param in ranges:
                low, high = dist.support()
                ranges[dist.param] = (float(low), float(high))
    return ranges


def _box_table(
    limits: pd.DataFrame,
    initial: pd.DataFrame,
    quasi_p: dict[str, list[float]],
    ranges: dict[str, tuple[float, float]],
) -> pd.DataFrame:
    rows = []
    for name in initial.columns:
        low, high = float(limits.loc[0, name]), float(limits.loc[1, name])
        cut_low = low != float(initial.loc[0, name])
        cut_high = high != float(initial.loc[1, name])
        range_low, range_high = ranges[name]
        qp_low, qp_high = quasi_p.get(name, [-1.0, -1.0])
        rows.append(
            {
                "parameter": name,
                "low": low if cut_low else range_low,
                "high": high if cut_high else range_high,
                "range_low": range_low,
                "range_high": range_high,
                "restricted": cut_low or cut_high,
                "qp_low": float(qp_low) if cut_low and qp_low >= 0 else np.nan,
                "qp_high": float(qp_high) if cut_high and qp_high >= 0 else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=list(BOX_COLUMNS))


def _choose(trajectory: pd.DataFrame, threshold: float) -> int:
    """The box of highest coverage among those reaching the threshold, else the densest.

    Ties go to fewer restricted parameters, then to the earlier box.
    """
    reaching = trajectory[trajectory["density"] >= threshold]
    if len(reaching):
        order = reaching.sort_values(
            ["coverage", "n_restricted", "box"], ascending=[False, True, True], kind="stable"
        )
    else:
        order = trajectory.sort_values(
            ["density", "coverage", "box"], ascending=[False, False, True], kind="stable"
        )
    return int(order["box"].iloc[0])


def discover(
    results_or_worlds: Results | pd.DataFrame,
    outcome: str,
    parameters: Sequence[str] | None = None,
    threshold: float = 0.8,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
    paste_alpha: float = 0.05,
) -> DiscoveryResult:
    """Find a box of parameter ranges inside which an outcome is common (PRIM).

    Args:
        results_or_worlds: An ensemble's :class:`~crisis_sim.ensemble.results.Results`, or a
            per-world table (such as ``Results.worlds``) with one column per parameter.
        outcome: An outcome class (``"full_invasion"``), or a column of the table
            holding 0/1 or True/False.
        parameters: The columns PRIM may restrict. If None: the scenario's uncertain
            parameters for a ``Results``; for a table, its columns that are model
            parameter paths (``"russia.resolve"``).
        threshold: The density the chosen box should reach (see the module docstring).
        peel_alpha: Share of the worlds left in the box peeled at each step.
        mass_min: Smallest share of all worlds a box may keep.
        paste_alpha: Share added at each pasting step.

    Raises:
        ValueError: If no parameter is given or found, a parameter column is not
            finite, or no world (or every world) has the outcome.
        KeyError: If the outcome or a parameter names no column.
    """
    table = (
        results_or_worlds.worlds if isinstance(results_or_worlds, Results) else results_or_worlds
    )
    if parameters is None:
        if isinstance(results_or_worlds, Results):
            parameters = results_or_worlds.scenario.judgement_paths()
        else:
            known = set(parameter_paths())
            parameters = [name for name in table.columns if name in known]
    parameters = list(parameters)
    if not parameters:
        raise ValueError("no parameters to restrict: pass parameters=[...]")
    missing = [name for name in parameters if name not in table.columns]
    if missing:
        raise KeyError(f"no column for parameters: {', '.join(missing)}")
    if not 0.0 < peel_alpha < 1.0 or not 0.0 < paste_alpha < 1.0 or not 0.0 < mass_min < 1.0:
        raise ValueError("peel_alpha, paste_alpha and mass_min must be between 0 and 1")
    y = _cases(table, outcome)
    cases = int(y.sum())
    if cases == 0 or cases == len(y):
        raise ValueError(
            f"{'no' if cases == 0 else 'every'} world has {outcome!r}: there is nothing to discover"
        )
    x = table[parameters].astype(float).reset_index(drop=True)
    if not np.isfinite(x.to_numpy()).all():
        raise ValueError("parameter columns must be finite numbers")
    prim = _prim_module()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=r"ema_workbench(\.|$)")
        algorithm = prim.Prim(
            x, y.copy(), peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min
        )
        found = algorithm.find_box()
    initial = algorithm.box_init
    ranges = _full_ranges(results_or_worlds, table, parameters)
    boxes = tuple(
        _box_table(limits, initial, quasi_p, ranges)
        for limits, quasi_p in zip(found.box_lims, found.p_values, strict=True)
    )
    steps = found.peeling_trajectory
    trajectory = pd.DataFrame(
        {
            "box": np.arange(len(boxes)),
            "coverage": steps["coverage"].to_numpy(dtype=float),
            "density": steps["density"].to_numpy(dtype=float),
            "mass": steps["mass"].to_numpy(dtype=float),
            "worlds": steps["n"].to_numpy(dtype=np.int64),
            "cases": steps["k"].to_numpy(dtype=np.int64),
            "n_restricted": [int(box["restricted"].sum()) for box in boxes],
            "restricted": [tuple(box.loc[box["restricted"], "parameter"]) for box in boxes],
        },
        columns=list(TRAJECTORY_COLUMNS),
    )
    return DiscoveryResult(
        outcome=outcome,
        parameters=tuple(parameters),
        trajectory=trajectory,
        boxes=boxes,
        selected=_choose(trajectory, threshold),
        threshold=threshold,
        base_rate=cases / len(y),
        n_worlds=len(y),
    )
