"""Calibration: targets as data, ABC-SMC that recovers a known truth, unmet targets said."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import pytest

from crisis_sim.calibration import abc
from crisis_sim.calibration.posterior import PosteriorError, load_posterior, shipped_posteriors
from crisis_sim.calibration.targets import T0_DATE, bundled_targets, load_targets
from crisis_sim.cli import main
from crisis_sim.scenario.errors import ScenarioError
from crisis_sim.scenario.files import load_scenario, scenario_from_dict

PLAIN = """
title = "Calibration test world"
question = "Can the calibration find what made the targets?"
[run]
horizon = 51
"""

PRIORS = """
[[priors]]
param = "russia.resolve"
distribution = "uniform"
low = 0.2
high = 0.8

[[priors]]
param = "russia.buildup_start"
distribution = "uniform"
low = 0.4
high = 0.8
"""


def _target(
    ident: str, quantity: str, by: str, value: float, sd: float, event: str | None = None
) -> str:
    line = f'event = "{event}"\n' if event else ""
    return f"""
[[targets]]
id = "{ident}"
quantity = "{quantity}"
{line}by = {by}
value = {value}
sd = {sd}
definition = "test"
source = "simulated at a known point"
known = 2022-01-01
"""


def _write(folder: Path, targets: str, priors: str = PRIORS) -> Path:
    (folder / "plain.toml").write_text(PLAIN, encoding="utf-8")
    file = folder / "targets.toml"
    scenario = (folder / "plain.toml").as_posix()
    file.write_text(f'title = "test"\nscenario = "{scenario}"\n{priors}{targets}', "utf-8")
    return file


def test_the_shipped_targets_are_all_known_before_t0_and_cite_their_sources() -> None:
    targets = load_targets(bundled_targets()["pre_t0"])
    assert len(targets.targets) >= 4
    for target in targets.targets:
        assert target.known < T0_DATE
        assert target.source.strip() and target.definition.strip()
    assert set(targets.paths()) >= {"russia.revisionist_prior", "russia.buildup_weeks"}


@pytest.mark.parametrize(
    ("change", "key", "expected"),
    [
        (("known = 2022-01-01", "known = 2022-02-24"), "targets[0].known", "before t0"),
        (('quantity = "massed_force"', 'quantity = "forecast"'), "targets[0].quantity", ""),
        (('param = "russia.resolve"', 'param = "russia.nerve"'), "priors[0].param", "parameter"),
        (('distribution = "uniform"', 'distribution = "fixed"'), "priors[0]", ""),
        (("sd = 0.05", "sd = 0"), "targets[0].sd", ""),
    ],
)
def test_a_malformed_targets_file_names_the_file_the_key_and_what_was_expected(
    tmp_path: Path, change: tuple[str, str], key: str, expected: str
) -> None:
    file = _write(tmp_path, _target("massed", "massed_force", "2022-01-13", 0.6, 0.05))
    file.write_text(file.read_text().replace(*change, 1), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_targets(file)
    message = str(caught.value)
    assert str(file) in message and key in message
    assert expected in message
    assert "Traceback" not in message


def test_a_probability_target_needs_its_event(tmp_path: Path) -> None:
    file = _write(tmp_path, _target("p", "probability_by", "2022-12-31", 0.3, 0.1))
    with pytest.raises(ScenarioError, match=r"targets\[0\]\.event"):
        load_targets(file)


def test_a_batch_of_particles_is_the_same_worlds_whatever_else_is_in_it(tmp_path: Path) -> None:
    file = _write(tmp_path, _target("cross", "probability_by", "2022-12-31", 0.3, 0.1, "crossing"))
    targets = load_targets(file)
    scenario = abc.calibration_scenario(targets)
    a = {"russia.resolve": 0.3, "russia.buildup_start": 0.5}
    b = {"russia.resolve": 0.7, "russia.buildup_start": 0.7}
    together = abc.simulate_batch(scenario, targets.targets, [a, b], seed=5, worlds=300)
    again = abc.simulate_batch(scenario, targets.targets, [a, b], seed=5, worlds=300)
    assert together == again
    assert together[0] != together[1]


def test_an_unmeetable_target_is_reported_not_silently_missed(tmp_path: Path, capsys) -> None:
    impossible = _target("cross_in_a_week", "probability_by", "2022-01-20", 0.95, 0.01, "crossing")
    file = _write(tmp_path, impossible + _target("massed", "massed_force", "2022-01-13", 0.6, 0.05))
    code = main(
        [
            "calibrate",
            str(file),
            "--population",
            "20",
            "--worlds",
            "40",
            "--generations",
            "2",
            "--chains",
            "1",
            "--workers",
            "1",
            "--predictive",
            "20",
            "--batch",
            "20",
            "--quiet",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 1
    assert "cross_in_a_week" in printed and "NOT MET" in printed
    sample = load_posterior(tmp_path / "out")
    assert sample.provenance["unmet_targets"] == ["cross_in_a_week"]
    assert sample.provenance["targets"][0]["known"] == "2022-01-01"
    for name in ("predictive_check.png", "posterior_marginals.png", "targets.toml"):
        assert (tmp_path / "out" / name).is_file()


@pytest.mark.slow
def test_the_calibration_recovers_known_parameters_within_its_stated_uncertainty(
    tmp_path: Path,
) -> None:
    truth = {"russia.resolve": 0.65, "russia.buildup_start": 0.5}
    plain = scenario_from_dict(
        {"title": "t", "question": "q", "run": {"horizon": 51}}, name="plain"
    )
    placeholder = _write(tmp_path, _target("x", "massed_force", "2022-01-13", 0.5, 0.1))
    scenario = abc.calibration_scenario(load_targets(placeholder))
    assert scenario.params == plain.params
    probe = load_targets(
        _write(
            tmp_path,
            _target("cross", "probability_by", "2022-12-31", 0.5, 0.1, "crossing")
            + _target("massed", "massed_force", "2022-01-13", 0.5, 0.1),
        )
    )
    measured = abc.simulate_batch(scenario, probe.targets, [truth], seed=11, worlds=20_000)[0]
    file = _write(
        tmp_path,
        _target(
            "cross", "probability_by", "2022-12-31", round(measured["cross"], 4), 0.03, "crossing"
        )
        + _target("massed", "massed_force", "2022-01-13", round(measured["massed"], 4), 0.02),
    )
    targets = load_targets(file)
    settings = abc.Settings(
        population=150,
        worlds=150,
        generations=5,
        max_simulations=8000,
        chains=1,
        workers=1,
        predictive=50,
        batch=75,
    )
    out = tmp_path / "out"
    out.mkdir()
    result = abc.calibrate(targets, settings, out)
    table = result.marginals.set_index("parameter")
    for path, value in truth.items():
        assert table.loc[path, "q05"] <= value <= table.loc[path, "q95"], (path, table)
    assert table.loc["russia.buildup_start", "sd_ratio"] < 0.5
    assert not result.unmet()
    assert result.provenance["reached_temperature_1"]


@pytest.mark.slow
def test_a_calibration_is_reproducible_from_its_seed(tmp_path: Path) -> None:
    file = _write(tmp_path, _target("cross", "probability_by", "2022-12-31", 0.3, 0.1, "crossing"))
    targets = load_targets(file)
    settings = abc.Settings(
        population=30, worlds=40, generations=2, chains=2, workers=2, predictive=10, batch=15
    )
    digests = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        abc.calibrate(targets, settings, folder)
        digests.append(hashlib.sha256((folder / "posterior.parquet").read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def test_the_baseline_draws_its_calibrated_parameters_from_the_shipped_posterior() -> None:
    assert "pre_t0" in shipped_posteriors()
    baseline = load_scenario("baseline")
    sample = baseline.posterior_sample()
    assert baseline.posterior == "pre_t0" and sample is not None
    assert not set(sample.paths) & {d.param for d in baseline.uncertain}
    provenance = sample.provenance
    assert all(dt.date.fromisoformat(t["known"]) < T0_DATE for t in provenance["targets"])
    assert provenance["reached_temperature_1"]
    from crisis_sim.model.crisis import CrisisModel

    model = CrisisModel.from_scenario(baseline, replications=200, seed=2)
    drawn = np.column_stack([model.sampled[path] for path in sample.paths])
    rows = {tuple(row) for row in sample.values}
    assert all(tuple(row) in rows for row in drawn)


def test_a_scenario_naming_a_missing_posterior_gets_a_one_line_error() -> None:
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict({"title": "t", "question": "q", "posterior": "no_such_posterior"})
    assert "posterior" in str(caught.value) and "calibrate" in str(caught.value)
    with pytest.raises(PosteriorError):
        load_posterior("no_such_posterior")


def test_a_users_scenario_draws_from_a_posterior_folder_named_relative_to_itself(
    tmp_path: Path,
) -> None:
    import shutil

    from crisis_sim.calibration.posterior import shipped_dir

    shutil.copytree(shipped_dir() / "pre_t0", tmp_path / "mine" / "posterior")
    (tmp_path / "mine" / "what_if.toml").write_text(
        'extends = "baseline"\ntitle = "t"\nquestion = "q"\nposterior = "posterior"\n',
        encoding="utf-8",
    )
    scenario = load_scenario(tmp_path / "mine" / "what_if.toml")
    sample = scenario.posterior_sample()
    assert sample is not None and sample.source == (tmp_path / "mine" / "posterior").resolve()
    assert sample.digest == load_posterior("pre_t0").digest


@pytest.mark.slow
def test_the_calibration_page_is_up_to_date() -> None:
    import subprocess
    import sys

    page = Path(__file__).resolve().parents[1] / "docs" / "build_calibration.py"
    done = subprocess.run([sys.executable, str(page), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
