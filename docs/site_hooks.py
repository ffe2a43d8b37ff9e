"""MkDocs hooks of the documentation site (mkdocs.yml, ``hooks:``).

* The notebooks of ``notebooks/`` become the pages ``tutorials/NAME.ipynb``, which
  mkdocs-jupyter runs top to bottom at build time, with ``CRISIS_SIM_WORLDS`` worlds
  per ensemble: 500 unless the environment says otherwise, as the test suite runs them
  (``tests/test_notebooks.py``), so the build stays within a few minutes on two cores.
* The code blocks marked ``exec="on"`` (markdown-exec) run in a scratch folder made
  for the build and removed after it, holding a copy of ``scenarios/`` as a clone
  does, so an example that writes results writes them there, never into the checkout;
  the ``crisis-sim`` of this interpreter's environment comes first on their ``PATH``.
* ``CHANGELOG.md`` and ``CITATION.cff``, at the repository's root, become the pages
  ``changelog.md`` and ``citing.md``.
* A link from a generated page to its generator (``build_model_card.py``, a ``.py``
  file, which is not a page) becomes plain text: the link's words, which name the
  generator's path in the repository.
* Each page's build time (its examples or its notebook run) is logged at INFO level.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

ROOT = Path(__file__).resolve().parents[1]
"""The repository: mkdocs.yml, docs/, notebooks/ and scenarios/."""

NOTEBOOKS = ROOT / "notebooks"
"""Where the tutorials' notebooks live (stored without outputs)."""

TUTORIALS = "tutorials"
"""The site folder the notebooks are rendered into."""

WORLDS = "500"
"""Worlds per ensemble in the notebooks, unless ``CRISIS_SIM_WORLDS`` is set."""

_LINK_TO_SCRIPT = re.compile(r"\[([^\]]+)\]\(([\w./-]+\.py)\)")

_logger = logging.getLogger("mkdocs.hooks.crisis_sim")

_state: dict[str, Any] = {}


def notebook_pages() -> list[tuple[str, Path]]:
    """Each notebook's page path on the site and its file, in name order."""
    return [(f"{TUTORIALS}/{path.name}", path) for path in sorted(NOTEBOOKS.glob("*.ipynb"))]


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Set the examples' environment and move into a scratch folder for the build."""
    os.environ.setdefault("CRISIS_SIM_WORLDS", WORLDS)
    os.environ["MPLBACKEND"] = "Agg"
    bin_dir = str(Path(sys.executable).parent)
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    if "scratch" not in _state:
        _state["cwd"] = os.getcwd()
        _state["scratch"] = tempfile.mkdtemp(prefix="crisis-sim-docs-")
        shutil.copytree(ROOT / "scenarios", Path(_state["scratch"], "scenarios"))
        os.chdir(_state["scratch"])
    return config


def _leave_scratch() -> None:
    """Return to the folder the build started in and remove the scratch folder."""
    scratch = _state.pop("scratch", None)
    if scratch is not None:
        os.chdir(_state.pop("cwd"))
        shutil.rmtree(scratch, ignore_errors=True)


def on_post_build(config: MkDocsConfig) -> None:
    """Remove the scratch folder once the site is written."""
    _leave_scratch()


def on_build_error(error: Exception) -> None:
    """Remove the scratch folder when the build fails."""
    _leave_scratch()


def changelog_page() -> str:
    """``CHANGELOG.md`` as a page at the site's root: its links into docs/ made relative."""
    return (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").replace("](docs/", "](")


def citing_page() -> str:
    """How to cite the package: ``CITATION.cff`` as it stands, with how to use it."""
    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    return (
        "# Citing crisis_sim\n\n"
        "Cite the version you ran: it is in every result's `summary.json` (`versions`) "
        "and in `crisis-sim --version`. The repository's `CITATION.cff`, below as it "
        "stands, is what GitHub and Zenodo read; `cffconvert -f bibtex` turns it into "
        "BibTeX. What each release changed is in the [changelog](changelog.md).\n\n"
        f"```yaml\n{citation}```\n"
    )


@event_priority(100)  # before mkdocs-jupyter's on_files, which picks the notebooks up
def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the notebooks of notebooks/ as pages under tutorials/, the changelog and citing."""
    for src_uri, path in notebook_pages():
        files.append(File.generated(config, src_uri, abs_src_path=str(path)))
    files.append(File.generated(config, "changelog.md", content=changelog_page()))
    files.append(File.generated(config, "citing.md", content=citing_page()))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Turn a link to a generator script (not a page of the site) into its words."""
    _state[page.file.src_uri] = time.perf_counter()
    return _LINK_TO_SCRIPT.sub(r"\1", markdown)


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Log how long the page took to build, its examples or its notebook included."""
    started = _state.pop(page.file.src_uri, None)
    if started is not None:
        _logger.info("%s built in %.1f s", page.file.src_uri, time.perf_counter() - started)
    return html
