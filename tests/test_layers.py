"""The layers of the package: every import points down or stays in its layer, in no circle.

From the bottom: the shared helpers (``version``, ``problems``, ``lazy``), the ``model``
(the crisis), ``scenario`` (files, and the posterior samples they draw from), ``ensemble``
(many worlds, results, folders) beside ``calibration`` (targets and ABC-SMC),
``analysis``, ``plots``, the EMA Workbench adapter (``ema``), and on top the command
line (and ``python -m crisis_sim``, its ``__main__``), the panel, the web app and the
package's own ``__init__``. Every import is read from the source, those inside
functions and ``TYPE_CHECKING`` blocks included, so a lazy import cannot hide an
upward one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "crisis_sim"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("crisis_sim.version", "crisis_sim.problems", "crisis_sim.lazy"),
    ("crisis_sim.model",),
    ("crisis_sim.scenario", "crisis_sim.calibration.posterior"),
    ("crisis_sim.ensemble", "crisis_sim.calibration"),
    ("crisis_sim.analysis",),
    ("crisis_sim.plots",),
    ("crisis_sim.ema",),
    ("crisis_sim.cli", "crisis_sim.__main__", "crisis_sim.panel", "crisis_sim.app", "crisis_sim"),
)
"""Layers from the bottom; a module belongs to the layer of its longest matching prefix."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    best, found = -1, None
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), index
    assert found is not None, f"{module} is in no layer"
    return found


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """Lines inside ``if TYPE_CHECKING:`` blocks (imports for annotations only)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            for inner in node.body:
                lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    return lines


def imports_of(path: Path, *, at_run_time: bool = False) -> list[tuple[str, int]]:
    """Every crisis_sim module ``path`` imports, with the line.

    With ``at_run_time``, imports for annotations only (``TYPE_CHECKING``) are left out.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree) if at_run_time else set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and node.lineno in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
            found += [(f"{node.module}.{alias.name}", node.lineno) for alias in node.names]
    modules = {module_name(p) for p in PACKAGE.rglob("*.py")}
    return [(name, line) for name, line in found if name in modules]


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_is_in_a_layer_and_the_tree_shows_them():
    names = {module_name(path) for path in MODULES}
    for name in names:
        layer_of(name)
    for folder in (
        "model",
        "scenario",
        "calibration",
        "ensemble",
        "analysis",
        "plots",
        "ema",
        "app",
    ):
        assert (PACKAGE / folder / "__init__.py").is_file()
    top_level = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert top_level == [
        "__init__.py",
        "__main__.py",
        "cli.py",
        "lazy.py",
        "panel.py",
        "problems.py",
        "version.py",
    ]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_point_down_or_stay_in_their_layer(path):
    importer = module_name(path)
    upward = [
        f"line {line}: {name}"
        for name, line in imports_of(path)
        if layer_of(name) > layer_of(importer)
    ]
    assert not upward, f"{importer} imports from a higher layer: {upward}"


def test_module_imports_run_in_no_circle():
    # An agent's annotations name its model and the model's its agents, as in Mesa:
    # such TYPE_CHECKING imports never run, so only imports that run are followed here.
    graph = {module_name(path): set() for path in MODULES}
    for path in MODULES:
        importer = module_name(path)
        for name, _ in imports_of(path, at_run_time=True):
            if name != importer and not importer.startswith(name + "."):
                graph[importer].add(name)
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycle = [*path[path.index(target) :], target]
                raise AssertionError(f"circular imports: {' -> '.join(cycle)}")
            if target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_the_layer_check_catches_an_upward_import(tmp_path):
    fake = PACKAGE / "model" / "domain.py"
    assert layer_of("crisis_sim.plots.figures") > layer_of(module_name(fake))
    assert layer_of("crisis_sim.ensemble.results") > layer_of("crisis_sim.model.crisis")
    assert layer_of("crisis_sim.version") < layer_of("crisis_sim.model.params")
