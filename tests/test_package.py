"""The conventions of a released package: one version, a valid citation, ``python -m``.

The version is written once (``src/crisis_sim/version.py``); the installed metadata,
``CITATION.cff`` and the newest release in ``CHANGELOG.md`` must say the same, and
``CITATION.cff`` must be valid Citation File Format 1.2.0 (its schema is kept in
``tests/citation/``, so no network is needed).
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import re
import runpy
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

import crisis_sim
from crisis_sim.version import __version__

ROOT = Path(__file__).resolve().parents[1]
CFF_SCHEMA = Path(__file__).parent / "citation" / "cff-1.2.0.schema.json"
RELEASE = re.compile(r"^## \[(?P<version>[^\]]+)\] - (?P<date>\d{4}-\d{2}-\d{2})$", re.M)


def _citation() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def _releases() -> list[tuple[str, str]]:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    return [(m["version"], m["date"]) for m in RELEASE.finditer(text)]


def _cff_validator() -> jsonschema.Draft7Validator:
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


def test_the_version_is_one_string_in_the_package_its_metadata_citation_and_changelog():
    newest_version, newest_date = _releases()[0]
    citation = _citation()
    assert crisis_sim.__version__ == __version__
    assert importlib.metadata.version("crisis-sim") == __version__
    assert citation["version"] == __version__
    assert newest_version == __version__
    assert citation["date-released"] == newest_date


def test_changelog_releases_run_newest_first_with_real_dates():
    releases = _releases()
    assert releases, "CHANGELOG.md names no release as '## [X.Y.Z] - YYYY-MM-DD'"
    dates = [dt.date.fromisoformat(date) for _, date in releases]
    assert dates == sorted(dates, reverse=True)
    versions = [tuple(int(part) for part in version.split(".")) for version, _ in releases]
    assert versions == sorted(versions, reverse=True)
    assert len(set(versions)) == len(versions)


def test_citation_cff_is_valid_citation_file_format_1_2():
    citation = _citation()
    errors = sorted(_cff_validator().iter_errors(citation), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors)
    assert citation["cff-version"] == "1.2.0"
    assert citation["license"] == importlib.metadata.metadata("crisis-sim")["License-Expression"]


@pytest.mark.parametrize(
    ("change", "mistake"),
    [
        (lambda c: c.pop("authors"), "'authors' is a required property"),
        (lambda c: c.update({"date-released": "1 December 2026"}), "is not a 'date'"),
        (lambda c: c.update({"licence": "MIT"}), "Additional properties"),
    ],
)
def test_the_citation_schema_refuses_a_broken_citation(change, mistake):
    citation = _citation()
    change(citation)
    messages = [error.message for error in _cff_validator().iter_errors(citation)]
    assert any(mistake in message for message in messages), messages


def test_python_dash_m_crisis_sim_is_the_command_line():
    # One process (about 2 s: the command line's imports); its exit code is main()'s.
    listed = subprocess.run(
        [sys.executable, "-m", "crisis_sim", "list"], capture_output=True, text=True, timeout=120
    )
    assert listed.returncode == 0, listed.stderr
    assert "baseline" in listed.stdout


def test_the_main_module_passes_main_s_exit_code_on(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["crisis_sim", "no-such-command"])
    with pytest.raises(SystemExit) as stop:
        runpy.run_module("crisis_sim", run_name="__main__")
    assert stop.value.code == 2
    assert capsys.readouterr().err.startswith("usage: crisis-sim")
