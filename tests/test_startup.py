"""Start-up: ``import crisis_sim`` is cheap, and each command imports only what it needs.

The public names of the package are imported on first use (PEP 562), so a notebook's
``import crisis_sim`` or ``crisis-sim --help`` does not pay for the model, scipy or
matplotlib before it uses them.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

import crisis_sim

HEAVY = (
    "numpy",
    "pandas",
    "scipy",
    "matplotlib",
    "mesa",
    "numba",
    "pyarrow",
    "SALib",
    "ema_workbench",
)
"""Libraries that take a tenth of a second or more to import."""

PROBE = """
import contextlib, io, json, sys
import crisis_sim
found = {"import": sorted(m for m in sys.modules if m.split(".")[0] in HEAVY or
                          m.startswith("crisis_sim."))}
from crisis_sim.cli import main
for command in (["--help"], ["list"], ["validate", "baseline"], ["params"]):
    with contextlib.redirect_stdout(io.StringIO()):
        main(command)
    found[command[0]] = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)
import crisis_sim.model.crisis
found["model"] = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def imported() -> dict[str, list[str]]:
    """The heavy libraries loaded by ``import crisis_sim``, then by each command, then the model."""
    code = f"HEAVY = {HEAVY!r}\n{PROBE}"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_import_crisis_sim_loads_no_heavy_library_and_only_its_version_and_lazy_names(
    imported,
):
    assert imported["import"] == ["crisis_sim.lazy", "crisis_sim.version"]


def test_a_command_without_figures_or_analysis_imports_neither_matplotlib_nor_salib(imported):
    loaded = {name.split(".")[0] for name in imported["params"]}
    assert "numpy" in loaded, "the probe ran the command (it needs the model's parameters)"
    assert not loaded & {"matplotlib", "SALib", "ema_workbench"}


@pytest.mark.parametrize("command", ["--help", "list", "validate", "params"])
def test_commands_that_run_no_world_import_neither_the_model_nor_pandas(imported, command):
    # The scenario files and the parameters are light; Mesa (with pandas, scipy.spatial
    # and networkx), numba and the runner come with the model, for the commands that
    # step worlds. --help, list and validate took 1.7-1.9 s when they imported it.
    loaded = {name.split(".")[0] for name in imported[command]}
    assert not loaded & {"mesa", "pandas", "numba", "scipy", "matplotlib"}, command


def test_every_public_name_is_the_object_of_its_module():
    for name in crisis_sim.__all__:
        if name == "__version__":
            continue
        module = importlib.import_module(crisis_sim._PUBLIC[name])
        assert getattr(crisis_sim, name) is getattr(module, name), name
    assert sorted(crisis_sim.__all__) == sorted([*crisis_sim._PUBLIC, "__version__"])
    assert set(crisis_sim.__all__) <= set(dir(crisis_sim))


def test_an_unknown_name_is_an_attribute_error_and_submodules_still_import():
    with pytest.raises(AttributeError, match="no attribute 'nonesuch'"):
        crisis_sim.nonesuch  # noqa: B018
    from crisis_sim import plots

    assert callable(plots.save_figure)


def test_the_model_leaves_scipy_stats_to_the_latin_hypercube_that_needs_it(imported):
    # The model imports scipy.special (its streams' normal quantiles); scipy.stats (half a
    # second to import) is loaded only where a Latin hypercube is drawn or an interval
    # computed.
    assert "scipy.special" in imported["model"], "the probe loaded the model's streams"
    assert "scipy.stats" not in imported["model"]


def test_a_run_with_figures_leaves_matplotlib_to_its_helper(tmp_path):
    # Where the helper can be forked (Linux, two cores or more), the process that runs
    # the worlds never imports matplotlib: the helper's two processes draw every figure.
    out = str(tmp_path / "run")
    code = (
        "import sys; from crisis_sim import cli; from crisis_sim.ensemble import pool; "
        f"code = cli.main(['run', 'baseline', '--runs', '20', '--quiet', '--out', {out!r}]); "
        "helped = pool.cores() > 1 and sys.platform.startswith('linux'); "
        "print(code, helped, 'matplotlib' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    code, helped, imported = done.stdout.split()[-3:]
    assert code == "0"
    assert imported == str(helped == "False"), "matplotlib only where no helper drew"
    assert len(list((tmp_path / "run" / "figures").glob("*.png"))) == 5


SCRIPT = """
import atexit, pathlib, sys, threading, time
from crisis_sim.cli import _is_the_program, script
mark = pathlib.Path(sys.argv[1])
atexit.register(lambda: mark.write_text("handlers ran"))
if sys.argv[2] == "thread":
    threading.Thread(target=lambda: (time.sleep(0.3), print("thread done"))).start()
sys.argv = ["crisis-sim", *sys.argv[3:]]
print(f"program {_is_the_program()};", "printed before the exit", end="")
script()
"""


@pytest.mark.parametrize(
    ("arguments", "expected"), [(["list"], 0), (["validate", "no_such_scenario"], 1)]
)
@pytest.mark.parametrize("thread", ["none", "thread"])
def test_the_script_exits_with_mains_code_after_its_exit_handlers_and_any_thread(
    tmp_path, arguments, expected, thread
):
    # The command's script (here this process's program, as the console script would
    # be) skips the interpreter's teardown, never what an exit must do: the exit
    # handlers run, buffered output is written, a running thread ends.
    mark = tmp_path / "mark"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(mark), thread, *arguments],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == expected
    assert mark.read_text() == "handlers ran"
    assert done.stdout.startswith("program True; printed before the exit")
    assert ("thread done" in done.stdout) == (thread == "thread")
