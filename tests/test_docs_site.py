"""The documentation site's configuration lists what exists, and every notebook.

The real check is the strict build in CI (`./dev docs`, which runs every example);
these are the cheap parts of it that a renamed file or a new notebook breaks first.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOKS = ROOT / "notebooks"


def _config() -> dict:
    return yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))


def _nav_paths(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [path for item in node for path in _nav_paths(item)]
    if isinstance(node, dict):
        return [path for value in node.values() for path in _nav_paths(value)]
    raise TypeError(f"unexpected nav entry {node!r}")


GENERATED = {"changelog.md": ROOT / "CHANGELOG.md", "citing.md": ROOT / "CITATION.cff"}
"""Pages site_hooks makes from files at the repository's root."""


def _source(page: str) -> Path:
    """The file a nav entry is built from: tutorials/ comes from notebooks/ (site_hooks)."""
    if page.startswith("tutorials/") and page.endswith(".ipynb"):
        return NOTEBOOKS / page.removeprefix("tutorials/")
    return GENERATED.get(page, DOCS / page)


def test_every_page_in_the_nav_exists() -> None:
    pages = _nav_paths(_config()["nav"])
    missing = [page for page in pages if not _source(page).is_file()]
    assert not missing, f"mkdocs.yml nav names files that do not exist: {missing}"
    assert len(pages) == len(set(pages)), "a page is in the nav twice"


def test_every_notebook_is_a_tutorial_in_the_nav_and_on_the_tutorials_page() -> None:
    pages = set(_nav_paths(_config()["nav"]))
    index = (DOCS / "tutorials" / "index.md").read_text(encoding="utf-8")
    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    assert notebooks
    for notebook in notebooks:
        assert f"tutorials/{notebook.name}" in pages, f"{notebook.name} is not in the nav"
        assert f"({notebook.name})" in index, f"{notebook.name} is not on tutorials/index.md"


def test_every_markdown_page_of_docs_is_in_the_nav() -> None:
    pages = set(_nav_paths(_config()["nav"]))
    written = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    assert written - pages == set(), (
        f"pages the site builds but no menu leads to: {written - pages}"
    )


def test_the_site_builds_strictly_runs_the_notebooks_and_leaves_out_the_generators() -> None:
    config = _config()
    assert config["strict"] is True
    assert "*.py" in config["exclude_docs"].split()
    jupyter = next(
        p["mkdocs-jupyter"]
        for p in config["plugins"]
        if isinstance(p, dict) and "mkdocs-jupyter" in p
    )
    assert jupyter["execute"] is True and jupyter["allow_errors"] is False
    assert "markdown-exec" in config["plugins"]


@pytest.mark.slow  # two models of 4,000 worlds: a few seconds
def test_the_model_cards_python_pattern_runs_as_written(capsys) -> None:
    """The card's Python block (section 11) is static on the site: this test runs it."""
    card = (DOCS / "MODEL.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", card, re.S)
    assert blocks, "the model card should show its Python pattern"
    for block in blocks:
        exec(compile(block, str(DOCS / "MODEL.md"), "exec"), {})
    printed = capsys.readouterr().out
    assert re.fullmatch(r"[+-]\d\.\d{3} \+/- \d\.\d{3}\n", printed), printed
