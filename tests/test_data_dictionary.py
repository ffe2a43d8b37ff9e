"""The data dictionary: every column and summary key documented, in each folder and the docs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from crisis_sim.ensemble import runner as ensemble
from crisis_sim.ensemble.dictionary import OUTCOME_WEEK, SUMMARY_KEYS, WORLD_COLUMNS, format_check
from crisis_sim.ensemble.outputs import OutputExistsError
from crisis_sim.ensemble.results import (
    BINNED,
    DICTIONARY_FILE,
    FORMAT_VERSION,
    VARIABLES,
    Results,
    ResultsFolderError,
    data_dictionary,
)
from crisis_sim.model.domain import OUTCOMES
from crisis_sim.model.params import iter_params

DOCS = Path(__file__).resolve().parents[1] / "docs" / "DATA_DICTIONARY.md"


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dictionary") / "run"
    ensemble.run("allied_split", runs=30, out=out, progress=False)
    return out


def test_every_column_of_the_per_world_table_is_documented(saved):
    worlds = pd.read_parquet(saved / "worlds.parquet")
    params = {info.path for info in iter_params()}
    text = data_dictionary()
    for column in worlds.columns:
        assert column in WORLD_COLUMNS or column in VARIABLES or column in params, column
        assert f"`{column}`" in text, column


def test_every_summary_key_is_documented(saved):
    summary = json.loads((saved / "summary.json").read_text(encoding="utf-8"))
    assert set(summary) <= set(SUMMARY_KEYS), set(summary) - set(SUMMARY_KEYS)


def test_each_outcome_says_what_its_week_means_and_each_bin_its_range():
    text = data_dictionary()
    for outcome in OUTCOMES:
        assert f"`{outcome.key}`" in text and OUTCOME_WEEK[outcome] in text
    low, high, bins = BINNED["sanctions"]
    assert f"{bins} bins of width {(high - low) / bins:g} from {low:g} to {high:g}" in text
    assert "0 `de_escalation`" in text


def test_each_result_folder_holds_the_dictionary_recorded_as_the_packages(saved):
    assert (saved / DICTIONARY_FILE).read_text(encoding="utf-8") == data_dictionary()
    marker = json.loads((saved / ".crisis_sim.json").read_text(encoding="utf-8"))
    assert DICTIONARY_FILE in marker["files"]


def test_a_users_own_dictionary_file_is_never_overwritten(tmp_path):
    out = tmp_path / "run"
    results = ensemble.run("baseline", runs=10, progress=False)
    folder = results.save(out)
    mine = folder / DICTIONARY_FILE
    mine.write_text("my notes\n", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        results.save(out, overwrite=True)
    assert mine.read_text(encoding="utf-8") == "my notes\n"


def test_the_format_version_check_the_dictionary_gives_works_on_a_folder(saved, tmp_path):
    text = data_dictionary()
    assert f"format version **{FORMAT_VERSION}**" in text
    check = format_check(FORMAT_VERSION)
    assert f"`{check}`" in text
    # The expression the dictionary prints (the package's own text), run as a reader would.
    assert eval(check, {"json": json, "open": open, "folder": str(saved)}) is True
    # A folder of another version fails the same check, and Results.load names both.
    other = tmp_path / "other"
    shutil.copytree(saved, other)
    summary = json.loads((other / "summary.json").read_text(encoding="utf-8"))
    summary["format_version"] = FORMAT_VERSION + 1
    (other / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    assert eval(check, {"json": json, "open": open, "folder": str(other)}) is False
    with pytest.raises(
        ResultsFolderError,
        match=rf"format_version {FORMAT_VERSION + 1}.*"
        rf"reads version {FORMAT_VERSION}",
    ):
        Results.load(other)


def test_the_docs_copy_is_up_to_date():
    assert DOCS.read_text(encoding="utf-8") == data_dictionary(), (
        "run .venv/bin/python docs/build_data_dictionary.py"
    )
