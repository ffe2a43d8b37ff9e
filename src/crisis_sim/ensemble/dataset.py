"""A result as an xarray Dataset with named dimensions, units and meanings, and as NetCDF.

For readers outside the package (xarray, netCDF tools, R, Julia, MATLAB): one
Dataset holds the per-world table (dimension ``world``), when each lever fired
(``world`` x ``lever``), the week-by-week counts of worlds in each state (``week`` x
``state``) and the binned variables (``week`` x ``<variable>_bin``). The per-world
columns keep their names, but for ``week`` and ``date`` (an outcome's week and its
date), ``outcome_week`` and ``outcome_date`` here, as ``week`` names the dimension of
the weekly counts. Every variable
carries ``units`` and ``long_name`` from the data dictionary
(:mod:`crisis_sim.ensemble.dictionary`); the Dataset's attributes say the scenario
(name, title, question, hash and the scenario itself as JSON), the seed, the worlds,
the sampling, the horizon, the start date, the result folder's ``format_version`` and
the crisis_sim version that made it.

xarray and h5netcdf are an optional extra (``pip install 'crisis-sim[xarray]'``);
without them :class:`MissingXarray` says so in one line. The functions here take the
result's parts, not a :class:`~crisis_sim.ensemble.results.Results`, so this module
stays below ``results`` (which calls it from :meth:`Results.to_xarray`).
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from crisis_sim.ensemble.dictionary import INVASION_ONLY, WORLD_COLUMNS, VariableLike
from crisis_sim.model.domain import OUTCOMES
from crisis_sim.model.params import iter_params
from crisis_sim.version import __version__

if TYPE_CHECKING:
    import xarray

EXTRA_HINT = "pip install 'crisis-sim[xarray]' (xarray, h5netcdf and h5py)"
"""What to install for :func:`to_dataset` and NetCDF files."""

NETCDF_ENGINE: Literal["h5netcdf"] = "h5netcdf"
"""The NetCDF-4 engine xarray writes and reads with (h5py ships its HDF5 library)."""

RENAMED = {"week": "outcome_week", "date": "outcome_date"}
"""Per-world columns named otherwise in the Dataset: ``week`` is its dimension there."""

CATEGORY_COLUMNS = ("outcome", "invasion_reason")
"""Per-world columns held as text: a category's name, "" where there is none."""


class MissingXarray(ImportError):
    """xarray or h5netcdf is not installed; the message says what to run."""


def _xarray() -> Any:
    """The xarray module, or :class:`MissingXarray` naming the extra."""
    try:
        import xarray
    except ImportError:
        raise MissingXarray(f"results as xarray need xarray: {EXTRA_HINT}") from None
    return xarray


def require_netcdf() -> None:
    """Check that xarray and the NetCDF engine are installed, before any work is done.

    Raises:
        MissingXarray: Naming the missing package and the extra to install.
    """
    for module in ("xarray", "h5netcdf", "h5py"):
        if importlib.util.find_spec(module) is None:
            raise MissingXarray(f"NetCDF files need {module}: {EXTRA_HINT}")


_OUTCOME_TABLE = "(see the table of outcomes below)"
_OUTCOME_TABLE_ELSEWHERE = "(see the data dictionary's table of outcomes, docs/DATA_DICTIONARY.md)"
"""The data dictionary's pointer to its table of outcomes, and the same read from a file."""


def _column_attrs(name: str, variables: Mapping[str, VariableLike]) -> dict[str, Any]:
    """``units`` and ``long_name`` (and a "did not happen" value) of a per-world column."""
    if name in WORLD_COLUMNS:
        unit, text = WORLD_COLUMNS[name]
        described = {
            "units": unit,
            "long_name": text.replace(_OUTCOME_TABLE, _OUTCOME_TABLE_ELSEWHERE),
        }
        if name == "outcome":
            described["classes"] = "; ".join(f"{o.key}: {o.label}" for o in OUTCOMES)
        return described
    if name in variables:
        variable = variables[name]
        attrs: dict[str, Any] = {"units": variable.unit, "long_name": variable.title}
        if variable.none is not None:
            attrs["did_not_happen"] = variable.none
        if name in INVASION_ONLY:
            attrs["note"] = "only in worlds Russia invaded (NaN, or -1 for a week, elsewhere)"
        return attrs
    units = {info.path: info.unit for info in iter_params()}
    if name in units:
        return {
            "units": units[name],
            "long_name": f"the value of parameter {name} this world drew",
        }
    return {}


def _centres(low: float, high: float, bins: int) -> np.ndarray:
    return low + (np.arange(bins) + 0.5) * (high - low) / bins


def to_dataset(
    worlds: pd.DataFrame,
    state_counts: np.ndarray,
    histograms: Mapping[str, np.ndarray],
    *,
    variables: Mapping[str, VariableLike],
    state_labels: Sequence[str],
    start_date: str,
    lever_weeks: pd.DataFrame | None = None,
    lever_labels: Sequence[str] = (),
    attrs: Mapping[str, Any] | None = None,
) -> xarray.Dataset:
    """The parts of a result as one xarray Dataset (see the module docstring).

    Args:
        worlds: The per-world table (one row per world, ``replication`` its number).
        state_counts: (weeks + 1, states) worlds in each state, week by week.
        histograms: For each binned variable, (weeks + 1, bins) counts.
        variables: The variables' titles, units and bins
            (:data:`~crisis_sim.ensemble.results.VARIABLES`).
        state_labels: The states, in the order of ``state_counts``' columns.
        start_date: The ISO date of week 0.
        lever_weeks: ``replication`` and one column per lever: the week it fired, -1
            if never; None to leave the levers out.
        lever_labels: What each lever of ``lever_weeks`` does, in its column order.
        attrs: The Dataset's attributes (the scenario, seed, ...): each a string or a
            number; None values are left out.

    Raises:
        MissingXarray: If xarray is not installed.
    """
    xr = _xarray()
    weeks = np.arange(state_counts.shape[0])
    start = np.datetime64(start_date, "D")
    coords: dict[str, Any] = {
        "world": ("world", worlds["replication"].to_numpy(dtype=np.int64)),
        "week": ("week", weeks),
        "week_date": ("week", (start + 7 * weeks).astype("datetime64[ns]")),
        "state": ("state", np.array(list(state_labels), dtype=object)),
    }
    data: dict[str, Any] = {}
    for name in worlds.columns:
        if name == "replication":
            continue
        column = worlds[name]
        if name in CATEGORY_COLUMNS:
            values = column.astype(object).where(column.notna(), "").astype(str)
            array = values.to_numpy(dtype=object)
        elif name == "date":
            array = pd.to_datetime(column).to_numpy(dtype="datetime64[ns]")
        else:
            array = column.to_numpy()
        column_attrs = _column_attrs(name, variables)
        if array.dtype.kind == "M":  # NetCDF's time encoding writes a date's units itself
            column_attrs.pop("units", None)
        if name in RENAMED:
            column_attrs["column"] = f"{name} of worlds.parquet"
        data[RENAMED.get(name, name)] = xr.Variable("world", array, attrs=column_attrs)
    data["state_count"] = xr.Variable(
        ("week", "state"),
        np.asarray(state_counts, dtype=np.int64),
        attrs={
            "units": "worlds",
            "long_name": "worlds in each state that week (an outcome reached, or "
            "ongoing_<rung>: still in crisis at that rung); a world that ended stays in "
            "its last state, so each week's counts sum to the number of worlds",
        },
    )
    for name, counts in histograms.items():
        variable = variables[name]
        if variable.bins is None:
            continue
        low, high, bins = variable.bins
        dim = f"{name}_bin"
        coords[dim] = (
            dim,
            _centres(low, high, bins),
            {
                "units": variable.unit,
                "long_name": f"centre of the bin of {variable.title}",
                "bin_low_edge": low,
                "bin_high_edge": high,
                "bins": bins,
            },
        )
        data[f"{name}_count"] = xr.Variable(
            ("week", dim),
            np.asarray(counts, dtype=np.int64),
            attrs={
                "units": "worlds",
                "long_name": f"worlds whose {variable.title} ({variable.unit}) lay in each "
                f"bin that week: {bins} equal bins from {low:g} to {high:g}, the last bin "
                "its upper edge too",
            },
        )
    if lever_weeks is not None and len(lever_weeks.columns) > 1:
        paths = [column for column in lever_weeks.columns if column != "replication"]
        coords["lever"] = ("lever", np.array(paths, dtype=object))
        coords["lever_label"] = ("lever", np.array(list(lever_labels), dtype=object))
        data["lever_week"] = xr.Variable(
            ("world", "lever"),
            lever_weeks[paths].to_numpy(dtype=np.int64),
            attrs={
                "units": "weeks after t0",
                "long_name": "the week the lever fired in that world, -1 if it never did",
                "did_not_happen": -1,
            },
        )
    dataset = xr.Dataset(data, coords=coords)
    dataset["world"].attrs.update(_column_attrs("replication", variables))
    dataset["week"].attrs.update({"units": "weeks after t0", "long_name": "week (t0 is week 0)"})
    dataset["week_date"].attrs["long_name"] = "the date of the week: the start date plus 7 x week"
    dataset.attrs.update({key: value for key, value in (attrs or {}).items() if value is not None})
    return dataset


def dataset_attrs(
    summary: Mapping[str, Any], scenario: Mapping[str, Any], format_version: int
) -> dict[str, Any]:
    """The Dataset's attributes from a result's summary: strings and numbers only.

    Args:
        summary: The result's ``info`` (seed, runs, sampling, horizon, versions...).
        scenario: The scenario as JSON-ready data (``model_dump(mode="json")``).
        format_version: The result folder's format version.
    """
    versions = summary.get("versions") or {}
    return {
        "title": f"crisis_sim result: {scenario.get('title', '')}",
        "scenario_name": scenario.get("name"),
        "question": " ".join(str(scenario.get("question", "")).split()),
        "scenario": json.dumps(scenario, sort_keys=True),
        "seed": summary.get("seed"),
        "runs": summary.get("runs"),
        "sampling": summary.get("sampling"),
        "horizon": summary.get("horizon"),
        "worlds_per_set": scenario.get("run", {}).get("worlds_per_set"),
        "format_version": format_version,
        "crisis_sim_version": versions.get("crisis_sim", __version__),
        "made_with": f"crisis_sim {__version__} (Results.to_xarray)",
    }


def write_netcdf(dataset: xarray.Dataset, path: str | os.PathLike[str]) -> None:
    """Write ``dataset`` to ``path`` as NetCDF-4 (through h5netcdf), numbers compressed.

    Raises:
        MissingXarray: If h5netcdf is not installed.
    """
    require_netcdf()
    encoding: dict[Any, dict[str, Any]] = {
        name: {"compression": "gzip", "compression_opts": 4}
        for name, variable in dataset.variables.items()
        if variable.dtype.kind in "iuf" and variable.ndim
    }
    dataset.to_netcdf(path, engine=NETCDF_ENGINE, encoding=encoding, invalid_netcdf=False)


def read_netcdf(path: str | os.PathLike[str]) -> xarray.Dataset:
    """Read a file written by :func:`write_netcdf` into memory (the file is closed after).

    Raises:
        MissingXarray: If xarray or h5netcdf is not installed.
    """
    xr = _xarray()
    require_netcdf()
    with xr.open_dataset(path, engine=NETCDF_ENGINE) as opened:
        return opened.load()
