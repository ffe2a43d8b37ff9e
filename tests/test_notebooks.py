"""Every notebook runs top to bottom, small, and is stored without outputs."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
WORLDS = "500"
CELL_TIMEOUT = 180


def test_there_are_notebooks() -> None:
    assert [path.name[:2] for path in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_stored_without_outputs(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a cell has outputs"
            assert cell.execution_count is None, f"{path.name}: a cell has an execution count"
    first_code = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert 'WORLDS = int(os.environ.get("CRISIS_SIM_WORLDS", "10000"))' in first_code.source


@pytest.mark.slow  # 4-10 s each: a Jupyter kernel starts and runs every cell
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_runs_top_to_bottom(path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CRISIS_SIM_WORLDS", WORLDS)
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError on the first failing cell
    elapsed = time.perf_counter() - start
    last = notebook.cells[-1]
    assert last.cell_type == "code"
    answer = "".join(out.get("text", "") for out in last.outputs if out.output_type == "stream")
    assert len(answer.split()) > 20, f"{path.name}: the last cell prints no answer"
    assert not any(
        out.output_type == "error" for cell in notebook.cells for out in cell.get("outputs", [])
    )
    print(f"{path.name}: {elapsed:.1f} s with CRISIS_SIM_WORLDS={os.environ['CRISIS_SIM_WORLDS']}")
