"""Results outside the package: ``Results.to_xarray()``, NetCDF files and ``run --netcdf``."""

from __future__ import annotations

import contextlib
import io
import json
import sys

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from crisis_sim.cli import main
from crisis_sim.ensemble import dataset
from crisis_sim.ensemble.dictionary import WORLD_COLUMNS
from crisis_sim.ensemble.outputs import MARKER, OutputExistsError
from crisis_sim.ensemble.results import BINNED, FORMAT_VERSION, STATE_LABELS, VARIABLES, Results
from crisis_sim.model.params import iter_params
from crisis_sim.version import __version__


@pytest.fixture(scope="module")
def table(baseline_500) -> xr.Dataset:
    return baseline_500.to_xarray()


def test_the_dataset_has_named_dimensions_and_the_result_s_numbers(baseline_500, table):
    results = baseline_500
    horizon = results.scenario.run.horizon
    assert dict(table.sizes) == {
        "world": results.runs,
        "week": horizon + 1,
        "state": len(STATE_LABELS),
        **{f"{name}_bin": bins for name, (_, _, bins) in BINNED.items()},
    }
    assert list(table["state"].values) == list(STATE_LABELS)
    np.testing.assert_array_equal(table["world"], results.worlds["replication"])
    np.testing.assert_array_equal(table["outcome"], results.worlds["outcome"].astype(str))
    np.testing.assert_array_equal(table["outcome_week"], results.worlds["week"])
    np.testing.assert_array_equal(table["state_count"], results.state_counts)
    for name, counts in results.histograms.items():
        np.testing.assert_array_equal(table[f"{name}_count"], counts)
    assert "lever_week" not in table, "the baseline pulls no lever"
    # Every week's counts hold every world, as the data dictionary says.
    assert (table["state_count"].sum("state") == results.runs).all()
    # The rung's bins are centred on the rungs 0..4.
    np.testing.assert_allclose(table["rung_bin"], np.arange(5))
    first = pd.Timestamp(results.scenario.run.start_date)
    assert pd.Timestamp(table["week_date"].values[0]) == first
    assert pd.Timestamp(table["week_date"].values[-1]) == first + pd.Timedelta(weeks=horizon)


def test_each_lever_s_firing_week_per_world_is_on_the_lever_dimension(bundled_ensemble):
    results = bundled_ensemble("arms_control_package", 500)
    table = results.to_xarray()
    levers = results.scenario.all_levers()
    assert table.sizes["lever"] == len(levers) > 0
    assert list(table["lever"].values) == list(results.lever_weeks.columns[1:])
    assert list(table["lever_label"].values) == [lever.describe() for lever in levers]
    np.testing.assert_array_equal(
        table["lever_week"], results.lever_weeks.drop(columns="replication")
    )
    fired = (table["lever_week"] >= 0).sum("world").values
    np.testing.assert_array_equal(fired, results.lever_firing()["worlds"].to_numpy())


def test_each_variable_carries_its_unit_and_meaning_from_the_data_dictionary(table):
    for name, variable in table.data_vars.items():
        assert variable.attrs.get("long_name"), f"{name} has no long_name"
    assert table["sanctions"].attrs["units"] == VARIABLES["sanctions"].unit
    assert table["sanctions"].attrs["long_name"] == VARIABLES["sanctions"].title
    assert table["partial_week"].attrs["did_not_happen"] == -1
    # A file has no "table below": the outcome's meanings are in the file, and the
    # outcome week points to the data dictionary.
    assert not any("below" in str(v.attrs.get("long_name")) for v in table.data_vars.values())
    assert "docs/DATA_DICTIONARY.md" in table["outcome_week"].attrs["long_name"]
    classes = table["outcome"].attrs["classes"]
    assert set(np.unique(table["outcome"].values)) <= {
        entry.split(":")[0] for entry in classes.split("; ")
    }
    assert "full_invasion: Full-scale invasion" in classes
    assert table["crossing_week"].attrs["units"] == WORLD_COLUMNS["crossing_week"][0]
    units = {info.path: info.unit for info in iter_params()}
    drawn = [name for name in table.data_vars if name in units]
    assert drawn, "the baseline draws judgement parameters"
    for name in drawn:
        assert table[name].attrs["units"] == units[name]
    assert table["state_count"].attrs["units"] == "worlds"


def test_the_dataset_says_its_scenario_seed_and_versions(baseline_500, table):
    results = baseline_500
    assert table.attrs["scenario_name"] == "baseline"
    assert table.attrs["seed"] == results.info["seed"]
    assert table.attrs["runs"] == results.runs
    assert table.attrs["sampling"] == results.info["sampling"]
    assert table.attrs["format_version"] == FORMAT_VERSION
    assert table.attrs["crisis_sim_version"] == __version__
    assert json.loads(table.attrs["scenario"]) == results.scenario.model_dump(mode="json")
    for value in table.attrs.values():
        assert isinstance(value, str | int | float), value  # what NetCDF attributes hold


def test_netcdf_round_trip_gives_the_same_numbers(baseline_500, table, tmp_path):
    path = baseline_500.to_netcdf(tmp_path / "out" / "results.nc")
    back = xr.open_dataset(path)
    try:
        xr.testing.assert_identical(back.load(), table)
        worlds = baseline_500.worlds
        for column in worlds.select_dtypes("number").columns.drop("replication"):
            name = dataset.RENAMED.get(column, column)
            np.testing.assert_array_equal(back[name].values, worlds[column].to_numpy())
        assert back["revisionist"].dtype == bool
    finally:
        back.close()
    assert dataset.read_netcdf(path).equals(table)


def test_a_saved_and_loaded_result_gives_the_same_dataset(baseline_500, table, tmp_path):
    folder = baseline_500.save(tmp_path / "saved")
    loaded = Results.load(folder).to_xarray()
    xr.testing.assert_identical(loaded, table)
    # Beside the result's own files, in the folder the package owns.
    path = Results.load(folder).to_netcdf(folder / "results.nc")
    assert "results.nc" in json.loads((folder / MARKER).read_text())["files"]
    assert path.is_file()


def test_netcdf_never_replaces_a_file_the_package_did_not_write(baseline_500, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "results.nc").write_bytes(b"my own data")
    with pytest.raises(OutputExistsError):
        baseline_500.to_netcdf(mine / "results.nc", overwrite=True)
    assert (mine / "results.nc").read_bytes() == b"my own data"
    with pytest.raises(ValueError, match=r"ends in \.nc"):
        baseline_500.to_netcdf(tmp_path / "new" / "results.parquet")


def test_netcdf_replaces_its_own_file_only_when_asked(baseline_500, tmp_path):
    path = baseline_500.to_netcdf(tmp_path / "out" / "results.nc")
    written = path.read_bytes()
    with pytest.raises(OutputExistsError, match="overwrite=True"):
        baseline_500.to_netcdf(path)
    assert path.read_bytes() == written
    assert baseline_500.to_netcdf(path, overwrite=True) == path
    assert xr.open_dataset(path).load().equals(baseline_500.to_xarray())


def test_without_xarray_the_error_is_one_line_naming_the_extra(baseline_500, monkeypatch):
    monkeypatch.setitem(sys.modules, "xarray", None)
    with pytest.raises(dataset.MissingXarray, match=r"pip install 'crisis-sim\[xarray\]'"):
        baseline_500.to_xarray()


def test_run_netcdf_writes_results_nc_beside_the_tables(tmp_path):
    out = tmp_path / "run"
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        code = main(
            [
                *("run", "baseline", "--runs", "100", "--out", str(out)),
                *("--netcdf", "--no-figures", "--quiet"),
            ]
        )
    assert code == 0
    assert f"NetCDF written to {out / 'results.nc'}" in printed.getvalue()
    with xr.open_dataset(out / "results.nc") as written:
        loaded = Results.load(out)
        np.testing.assert_array_equal(written["state_count"], loaded.state_counts)
        np.testing.assert_array_equal(written["outcome"], loaded.worlds["outcome"].astype(str))


def test_run_netcdf_without_the_extra_stops_before_running(tmp_path, monkeypatch, capsys):
    real = dataset.importlib.util.find_spec
    monkeypatch.setattr(
        dataset.importlib.util,
        "find_spec",
        lambda name, *rest: None if name == "h5netcdf" else real(name, *rest),
    )
    out = tmp_path / "run"
    code = main(["run", "baseline", "--runs", "100", "--out", str(out), "--netcdf", "--quiet"])
    assert code == 1
    error = capsys.readouterr().err
    assert error.strip().splitlines() == [
        "crisis-sim: error: --netcdf: NetCDF files need h5netcdf: pip install "
        "'crisis-sim[xarray]' (xarray, h5netcdf and h5py)"
    ]
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "target", "failed", "again"),
    [
        (
            "--netcdf",
            "crisis_sim.ensemble.dataset.write_netcdf",
            "results.nc could not be written",
            "to_netcdf(DIR / 'results.nc')",
        ),
        (
            None,
            "crisis_sim.plots.save_main_figures",
            "the figures could not be drawn",
            "draw them with crisis-sim plot",
        ),
    ],
)
def test_output_written_after_the_results_fails_alone_and_says_how_to_write_it_again(
    tmp_path, monkeypatch, capsys, option, target, failed, again
):
    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(target, fail)
    out = tmp_path / "run"
    extra = [option, "--no-figures"] if option else []
    code = main(["run", "baseline", "--runs", "100", "--out", str(out), "--quiet", *extra])
    assert code == 1
    message = capsys.readouterr().err
    assert f"the results are saved in {out}, but {failed}" in message
    assert again in message and "the disk is full" in message
    assert len(Results.load(out).worlds) == 100, "the saved results are kept"
