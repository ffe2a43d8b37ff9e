"""The analysis commands: compare, sensitivity, discover and plot."""

import json

import pandas as pd
import pytest

from crisis_sim import cli
from crisis_sim.analysis import statistics as analysis
from crisis_sim.ensemble import runner as ensemble


def test_compare_prints_the_paired_table_and_writes_it_with_the_forest_plot(tmp_path, capsys):
    out = tmp_path / "cmp"
    code = cli.main(
        [
            "compare",
            "baseline",
            "us_exercise_limits",
            "--runs",
            "400",
            "--out",
            str(out),
            "--quiet",
            "--formats",
            "png,svg",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "Against baseline (400 paired worlds)" in printed
    assert "us_exercise_limits" in printed
    table = pd.read_csv(out / "comparison.csv")
    results = [
        ensemble.run(n, runs=400, progress=False) for n in ("baseline", "us_exercise_limits")
    ]
    expected = analysis.paired_comparison(results)
    assert table["difference"].to_numpy() == pytest.approx(expected["difference"].to_numpy())
    for name in ("forest", "outcome_probabilities"):
        assert (out / f"{name}.png").stat().st_size > 0
        assert (out / f"{name}.svg").stat().st_size > 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["reference"] == "baseline" and summary["runs"] == 400


def test_compare_with_an_unknown_reference_is_a_usage_error(tmp_path, capsys):
    code = cli.main(
        ["compare", "baseline", "deterrence_only", "--reference", "nope", "--out", str(tmp_path)]
    )
    assert code == 2
    assert "--reference nope" in capsys.readouterr().err


def test_sensitivity_prints_one_row_per_uncertain_parameter_and_writes_its_figure(tmp_path, capsys):
    out = tmp_path / "sens"
    argv = ["sensitivity", "baseline", "--method", "morris", "--n", "8", "--worlds-per-point", "2"]
    code = cli.main([*argv, "--out", str(out), "--quiet"])
    assert code == 0
    indices = pd.read_csv(out / "indices.csv")
    baseline = ensemble.load_scenario("baseline")
    assert indices["parameter"].tolist() == baseline.judgement_paths()
    assert {"mu_star", "mu_star_conf", "sigma"} <= set(indices.columns)
    assert (out / "morris_indices.png").is_file()
    assert not (out / "morris_indices.svg").exists(), "PNG alone unless SVG is asked for"
    assert "morris indices of full_invasion" in capsys.readouterr().out


def test_sobol_needs_a_power_of_two(tmp_path):
    assert cli.main(["sensitivity", "baseline", "--n", "100", "--out", str(tmp_path / "s")]) == 2


@pytest.mark.slow  # 4 s; test_discovery holds PRIM on the baseline's worlds, faster
def test_discover_prints_the_box_and_writes_its_figures(tmp_path, capsys):
    out = tmp_path / "disc"
    argv = ["discover", "baseline", "--runs", "1500", "--formats", "svg,png"]
    code = cli.main([*argv, "--out", str(out), "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "full_invasion: box" in printed and "coverage" in printed
    box = pd.read_csv(out / "box.csv")
    assert set(box["parameter"]) == set(ensemble.load_scenario("baseline").judgement_paths())
    assert (out / "prim_tradeoff.png").is_file() and (out / "prim_box.svg").is_file()


def test_plot_draws_every_figure_again_from_a_saved_result(tmp_path):
    folder = tmp_path / "run"
    ensemble.run("baseline", runs=300, out=folder, progress=False)
    assert not (folder / "figures").exists()
    assert cli.main(["plot", str(folder)]) == 0
    drawn = sorted(p.name for p in (folder / "figures").iterdir())
    figures = (
        "convergence",
        "cumulative_incidence",
        "fan_charts",
        "outcome_probabilities",
        "outcomes_over_time",
    )
    assert drawn == sorted(f"{name}.png" for name in figures), "PNG unless SVG is asked for"
