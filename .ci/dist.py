"""Build the sdist and the wheel, check them with twine, and check what the wheel holds.

Run by ``./dev dist`` (and so by CI). The sdist is built first and the wheel from it
(``python -m build``'s default), so a file missing from the sdist fails the wheel too.
They are built from a copy of the files a build reads (no leftovers of an editable
install), in a temporary folder that is removed afterwards; nothing in the checkout is
written. Then:

- ``twine check --strict`` on both (metadata, and the README renders as PyPI shows it);
- the wheel holds every file of ``src/crisis_sim`` (modules, ``py.typed``, the scenario
  library, the calibrated posteriors, the model's data tables...), and nothing else of
  the package;
- the wheel's version is the one in ``src/crisis_sim/version.py``;
- the sdist holds ``CITATION.cff``, ``CHANGELOG.md``, ``LICENSE`` and ``README.md``.

Exits 1, naming what is wrong, if any check fails.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "crisis_sim"
SDIST_FILES = ("CITATION.cff", "CHANGELOG.md", "LICENSE", "README.md", "pyproject.toml")


def source_version() -> str:
    """The ``__version__`` written in ``src/crisis_sim/version.py``, read without importing."""
    tree = ast.parse((PACKAGE / "version.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__version__" for target in node.targets
        ):
            return str(ast.literal_eval(node.value))
    raise SystemExit("src/crisis_sim/version.py sets no __version__")


def package_files() -> set[str]:
    """Every file of the package in the source tree, as the wheel names it."""
    found = set()
    for path in PACKAGE.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            found.add(path.relative_to(PACKAGE.parent).as_posix())
    return found


def clean_copy(into: Path) -> Path:
    """The files a build reads, copied to ``into``: ``src/`` without build leftovers.

    An editable install leaves ``src/crisis_sim.egg-info/SOURCES.txt``, and setuptools
    puts every file listed there into the sdist, whatever ``pyproject.toml`` says: built
    from the checkout, a file dropped from the package data would still ship.
    """
    leftovers = shutil.ignore_patterns("*.egg-info", "__pycache__", "*.pyc")
    shutil.copytree(ROOT / "src", into / "src", ignore=leftovers)
    for name in (*SDIST_FILES, "MANIFEST.in"):
        shutil.copy2(ROOT / name, into / name)
    return into


def main() -> int:
    """Build, check and report; 0 if every check passes."""
    problems: list[str] = []
    version = source_version()
    with tempfile.TemporaryDirectory(prefix="crisis_sim_dist_") as scratch:
        out = Path(scratch)
        print(f"== building the sdist and the wheel of crisis-sim {version}", flush=True)
        tree = clean_copy(out / "tree")
        built = subprocess.run(
            [sys.executable, "-m", "build", "--outdir", str(out), str(tree)],
            capture_output=True,
            text=True,
        )
        if built.returncode:
            print(built.stdout + built.stderr, file=sys.stderr)
            print("dist: python -m build failed (its output above)", file=sys.stderr)
            return 1
        wheels = sorted(out.glob("*.whl"))
        sdists = sorted(out.glob("*.tar.gz"))
        if len(wheels) != 1 or len(sdists) != 1:
            print(f"dist: expected one wheel and one sdist, got {wheels + sdists}", file=sys.stderr)
            return 1
        wheel, sdist = wheels[0], sdists[0]
        print(f"== twine check --strict {wheel.name} {sdist.name}", flush=True)
        checked = subprocess.run(
            [sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)]
        )
        if checked.returncode:
            problems.append("twine check failed (above)")
        if f"-{version}-" not in wheel.name or not sdist.name.endswith(f"-{version}.tar.gz"):
            problems.append(f"{wheel.name} / {sdist.name} do not carry version {version}")
        with zipfile.ZipFile(wheel) as archive:
            names = set(archive.namelist())
        held = {name for name in names if name.startswith("crisis_sim/")}
        expected = package_files()
        missing = sorted(expected - held)
        extra = sorted(held - expected)
        if missing:
            problems.append(f"the wheel lacks {len(missing)} file(s): {', '.join(missing)}")
        if extra:
            problems.append(f"the wheel holds file(s) not in src/: {', '.join(extra)}")
        with tarfile.open(sdist) as archive:
            top = {
                Path(member.name).relative_to(Path(member.name).parts[0]).as_posix()
                for member in archive.getmembers()
                if len(Path(member.name).parts) > 1
            }
        absent = [name for name in SDIST_FILES if name not in top]
        if absent:
            problems.append(f"the sdist lacks {', '.join(absent)}")
        kinds = Counter(Path(name).suffix or Path(name).name for name in held)
        print(
            f"{wheel.name}: {len(held)} files of crisis_sim ("
            + ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
            + ")"
        )
    for problem in problems:
        print(f"dist: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
