"""A catalogue of hostile and careless uses of output folders, resume and the command line.

Each case is something a user did (or a machine did to them): a mistyped ``--out``,
a file dropped into a result folder mid-run, a chunk copied from another run, a full
disk, a killed process. Each asserts that the user's files are intact, that the
message is one line naming the problem, and that no traceback reaches the user.
Scenario-file cases are in ``test_hostile_scenarios.py``; the private Dask cluster in
``test_dask_private.py``.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from crisis_sim import plots
from crisis_sim.cli import main
from crisis_sim.ensemble import results as results_module
from crisis_sim.ensemble import runner as ensemble
from crisis_sim.ensemble.outputs import MARKER, PARTIAL, OutputExistsError, OutputFolder
from crisis_sim.ensemble.results import Results

RUNS = 200
CHUNK = 100
RUN = ["run", "baseline", "--runs", str(RUNS), "--chunk-size", str(CHUNK), "--quiet"]
FAST = [*RUN, "--no-figures"]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (links are not followed)."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def one_line(err: str, *needles: str) -> str:
    """The error message, checked: no traceback, one line, naming each needle."""
    assert "Traceback" not in err
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert lines, "a message is printed"
    if lines[0].startswith("usage:"):
        lines = [line for line in lines if "error:" in line]
    assert len(lines) == 1, lines
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def user_folder(root: Path) -> Path:
    """A folder of a user's work, with a file in a sub-folder."""
    folder = root / "work"
    (folder / "thesis").mkdir(parents=True)
    (folder / "thesis" / "ch1.tex").write_text("\\chapter{One}", encoding="utf-8")
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    return folder


def edit_json(path: Path, **changes: object) -> None:
    """Change keys of a JSON file, as a user with an editor would."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf-8")


def fast_run(**kwargs) -> Results:
    return ensemble.run("baseline", runs=RUNS, chunk_size=CHUNK, progress=False, **kwargs)


def stop_after(n: int):
    seen = []

    def on_chunk(chunk: ensemble.Chunk) -> None:
        seen.append(chunk.first)
        if len(seen) == n:
            raise KeyboardInterrupt

    return on_chunk


@pytest.fixture(scope="module")
def reference() -> Results:
    return fast_run()


def same_worlds(results: Results, reference: Results) -> None:
    pd.testing.assert_frame_equal(results.worlds, reference.worlds, check_exact=True)
    assert (results.state_counts == reference.state_counts).all()


# -- output folders --------------------------------------------------------------------


def test_overwrite_refuses_a_folder_crisis_sim_did_not_write(tmp_path, capsys):
    work = user_folder(tmp_path)
    before = snapshot(work)
    assert main([*FAST, "--out", str(work), "--overwrite"]) == 1
    one_line(capsys.readouterr().err, str(work), "not written by crisis_sim")
    assert snapshot(work) == before
    assert sorted(p.name for p in work.iterdir()) == ["notes.txt", "thesis"]


def test_a_non_empty_folder_is_refused_without_overwrite(tmp_path, capsys):
    work = user_folder(tmp_path)
    before = snapshot(work)
    assert main([*FAST, "--out", str(work)]) == 1
    one_line(capsys.readouterr().err, str(work), "--overwrite")
    assert snapshot(work) == before


@pytest.mark.parametrize("overwrite", [False, True], ids=["plain", "overwrite"])
def test_the_current_folder_is_refused(tmp_path, monkeypatch, capsys, overwrite):
    project = user_folder(tmp_path)
    monkeypatch.chdir(project)
    before = snapshot(project)
    args = [*FAST, "--out", "."] + (["--overwrite"] if overwrite else [])
    assert main(args) == 1
    one_line(capsys.readouterr().err, "current folder")
    assert snapshot(project) == before


def test_an_empty_current_folder_is_refused_too(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main([*FAST, "--out", str(tmp_path)]) == 1
    one_line(capsys.readouterr().err, "current folder")
    assert list(tmp_path.iterdir()) == []


def test_the_home_folder_is_refused(tmp_path, monkeypatch, capsys):
    home = user_folder(tmp_path)
    (home / ".ssh").mkdir()
    (home / ".ssh" / "id_ed25519").write_text("key", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    before = snapshot(home)
    assert main([*FAST, "--out", str(home), "--overwrite"]) == 1
    one_line(capsys.readouterr().err, "home folder")
    assert snapshot(home) == before


def test_the_root_of_the_file_system_is_refused(capsys):
    assert main([*FAST, "--out", "/", "--overwrite"]) == 1
    one_line(capsys.readouterr().err, "root of the file system")


def test_a_version_control_checkout_is_refused_even_if_crisis_sim_wrote_there(tmp_path, capsys):
    out = tmp_path / "out"
    fast_run(out=out)
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    before = snapshot(out)
    assert main([*FAST, "--out", str(out), "--overwrite"]) == 1
    one_line(capsys.readouterr().err, "version-control checkout")
    assert snapshot(out) == before


def test_overwrite_refuses_when_a_user_file_was_added_to_a_result_folder(tmp_path, capsys):
    out = tmp_path / "out"
    fast_run(out=out)
    (out / "my_analysis.R").write_text("plot(x)", encoding="utf-8")
    before = snapshot(out)
    assert main([*FAST, "--out", str(out), "--overwrite", "--seed", "5"]) == 1
    one_line(capsys.readouterr().err, "my_analysis.R", "did not write")
    assert snapshot(out) == before


def test_overwrite_refuses_when_a_result_file_was_edited_by_the_user(tmp_path, capsys):
    out = tmp_path / "out"
    fast_run(out=out)
    summary = out / "summary.json"
    summary.write_text(summary.read_text(encoding="utf-8") + " ", encoding="utf-8")
    before = snapshot(out)
    assert main([*FAST, "--out", str(out), "--overwrite"]) == 1
    one_line(capsys.readouterr().err, "summary.json")
    assert snapshot(out) == before


def test_overwrite_replaces_a_clean_result_folder_and_drops_only_its_own_old_files(
    tmp_path, capsys
):
    out = tmp_path / "out"
    fast_run(out=out, trajectories=(0, 1))
    assert main([*FAST, "--out", str(out), "--overwrite", "--seed", "9"]) == 0
    capsys.readouterr()
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["seed"] == 9
    assert not (out / "trajectories.parquet").exists()
    assert sorted(OutputFolder.read(out).files) == [
        "DATA_DICTIONARY.md",
        "levers.parquet",
        "summary.json",
        "weekly.parquet",
        "worlds.parquet",
    ]


def test_a_symlink_inside_a_result_folder_stops_overwrite_and_its_target_is_untouched(
    tmp_path, capsys
):
    out = tmp_path / "out"
    fast_run(out=out)
    work = user_folder(tmp_path)
    (out / "figures").symlink_to(work, target_is_directory=True)
    before = snapshot(work)
    assert main([*FAST, "--out", str(out), "--overwrite"]) == 1
    one_line(capsys.readouterr().err, "figures")
    assert snapshot(work) == before


def test_a_file_dropped_into_the_folder_during_a_run_is_kept(tmp_path):
    out = tmp_path / "out"

    def drop(chunk: ensemble.Chunk) -> None:
        (out / "draft.md").write_text("written while the run went on", encoding="utf-8")

    results = fast_run(out=out, on_chunk=drop)
    assert (out / "draft.md").read_text(encoding="utf-8") == "written while the run went on"
    same_worlds(Results.load(out), results)


def test_a_file_with_a_result_name_appearing_mid_run_stops_the_save_and_keeps_the_chunks(
    tmp_path, reference
):
    out = tmp_path / "out"

    def squat(chunk: ensemble.Chunk) -> None:
        (out / "summary.json").write_text('{"mine": true}', encoding="utf-8")

    with pytest.raises(ensemble.InterruptedRun) as caught:
        fast_run(out=out, on_chunk=squat)
    message = str(caught.value)
    assert "summary.json" in message
    assert f"crisis-sim run --resume {out}" in message
    assert "\n" not in message
    assert (out / "summary.json").read_text(encoding="utf-8") == '{"mine": true}'
    assert len(list((out / PARTIAL).glob("chunk-*.json"))) == RUNS // CHUNK
    (out / "summary.json").rename(tmp_path / "moved.json")
    same_worlds(ensemble.resume(out, progress=False), reference)


def test_a_file_dropped_in_between_an_interruption_and_resume_is_kept(tmp_path, reference):
    out = tmp_path / "out"
    with pytest.raises(ensemble.InterruptedRun):
        fast_run(out=out, on_chunk=stop_after(1))
    (out / "note.txt").write_text("while it was stopped", encoding="utf-8")
    same_worlds(ensemble.resume(out, progress=False), reference)
    assert (out / "note.txt").read_text(encoding="utf-8") == "while it was stopped"
    assert not (out / PARTIAL).exists()


def test_two_runs_in_the_same_second_get_two_folders(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(FAST) == 0
    assert main(FAST) == 0
    capsys.readouterr()
    folders = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert len(folders) == 2
    assert all((tmp_path / "runs" / name / "summary.json").is_file() for name in folders)


def test_a_dollar_in_the_scenario_file_name_neither_breaks_the_figures_nor_the_path(
    tmp_path, monkeypatch, capsys
):
    scenario = tmp_path / "cost$of$war.toml"
    scenario.write_text(
        'extends = "baseline"\ntitle = "Costs"\nquestion = "What if?"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(scenario), "--runs", "50", "--quiet"]) == 0
    printed = capsys.readouterr().out
    (folder,) = (tmp_path / "runs").iterdir()
    assert f"Figures drawn in {Path('runs') / folder.name / 'figures'}/" in printed
    assert "$" not in folder.name
    assert folder.name.startswith("cost_of_war-")
    assert (folder / "figures" / "outcome_probabilities.png").is_file()


def test_folders_and_files_follow_the_umask(tmp_path):
    previous = os.umask(0o002)
    try:
        out = tmp_path / "out"
        fast_run(out=out)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o775
    for path in [out / "summary.json", out / "worlds.parquet", out / MARKER]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o664, path


def test_summary_json_is_strict_json_when_an_outcome_has_no_worlds(tmp_path):
    out = tmp_path / "out"
    results = ensemble.run("baseline", runs=3, progress=False, out=out)
    assert (results.outcome_table()["worlds"] == 0).any(), "three worlds leave an outcome empty"

    def refuse(constant: str) -> None:
        raise AssertionError(f"non-standard JSON constant {constant}")

    json.loads((out / "summary.json").read_text(encoding="utf-8"), parse_constant=refuse)


# -- resume ----------------------------------------------------------------------------


def interrupted(tmp_path: Path, name: str = "out", **kwargs) -> Path:
    out = tmp_path / name
    with pytest.raises(ensemble.InterruptedRun):
        fast_run(out=out, on_chunk=stop_after(1), **kwargs)
    return out


def test_resume_refuses_a_chunk_from_a_run_with_another_seed(tmp_path, capsys):
    out = interrupted(tmp_path)
    other = tmp_path / "other"
    with pytest.raises(ensemble.InterruptedRun):
        fast_run(out=other, seed=7, on_chunk=stop_after(2))
    for path in (other / PARTIAL).glob("chunk-000000000100.*"):
        shutil.copy(path, out / PARTIAL / path.name)
    assert main(["run", "--resume", str(out), "--quiet", "--no-figures"]) == 1
    one_line(capsys.readouterr().err, "chunk-000000000100.json", "seed")
    assert not (out / "summary.json").exists()


def test_resume_refuses_a_chunk_from_a_run_with_another_chunk_size(tmp_path, capsys):
    out = interrupted(tmp_path)
    other = tmp_path / "other"
    with pytest.raises(ensemble.InterruptedRun):
        ensemble.run(
            "baseline",
            runs=RUNS,
            chunk_size=50,
            out=other,
            progress=False,
            on_chunk=stop_after(3),
        )
    for path in (other / PARTIAL).glob("chunk-000000000100.*"):
        shutil.copy(path, out / PARTIAL / path.name)
    assert main(["run", "--resume", str(out), "--quiet", "--no-figures"]) == 1
    one_line(capsys.readouterr().err, "chunk_size")


def test_resume_refuses_a_chunk_whose_record_claims_other_worlds(tmp_path, capsys):
    out = interrupted(tmp_path)
    edit_json(out / PARTIAL / "chunk-000000000000.json", count=50)
    assert main(["run", "--resume", str(out), "--quiet", "--no-figures"]) == 1
    one_line(capsys.readouterr().err, "worlds 0 to 49")


@pytest.mark.parametrize("part", ["worlds", "weekly", "trajectories"])
def test_resume_recomputes_a_truncated_chunk_and_says_so(tmp_path, capsys, reference, part):
    out = interrupted(tmp_path)
    table = out / PARTIAL / f"chunk-000000000000.{part}.parquet"
    table.write_bytes(table.read_bytes()[: table.stat().st_size // 2])
    assert main(["run", "--resume", str(out), "--quiet", "--no-figures"]) == 0
    err = capsys.readouterr().err
    assert "truncated or corrupt" in err
    assert "running that chunk again" in err
    same_worlds(Results.load(out), reference)


def test_resume_recomputes_a_chunk_whose_record_is_garbage(tmp_path, reference):
    out = interrupted(tmp_path)
    (out / PARTIAL / "chunk-000000000000.json").write_text("{not json", encoding="utf-8")
    with pytest.warns(RuntimeWarning, match="unreadable"):
        resumed = ensemble.resume(out, progress=False)
    same_worlds(resumed, reference)


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [
        ("--seed", "5", "seed"),
        ("--runs", "400", "runs"),
        ("--chunk-size", "50", "chunk_size"),
        ("--sampling", "latin_hypercube", "sampling"),
    ],
)
def test_resume_refuses_an_option_that_contradicts_the_plan(tmp_path, capsys, option, value, field):
    out = interrupted(tmp_path)
    before = snapshot(out)
    assert main(["run", "--resume", str(out), option, value, "--quiet"]) == 1
    one_line(capsys.readouterr().err, field, value)
    assert snapshot(out) == before


def test_resume_accepts_options_that_agree_with_the_plan(tmp_path, capsys, reference):
    out = interrupted(tmp_path)
    args = ["run", "--resume", str(out), "--seed", "20220113", "--runs", str(RUNS)]
    assert main([*args, "--chunk-size", str(CHUNK), "--quiet", "--no-figures"]) == 0
    capsys.readouterr()
    same_worlds(Results.load(out), reference)


def test_resume_refuses_a_plan_edited_after_the_run_started(tmp_path, capsys):
    out = interrupted(tmp_path)
    edit_json(out / PARTIAL / "plan.json", seed=1)
    assert main(["run", "--resume", str(out), "--quiet"]) == 1
    one_line(capsys.readouterr().err, "plan.json", "changed")


def test_resume_refuses_a_folder_without_the_marker(tmp_path, capsys):
    out = interrupted(tmp_path)
    (out / MARKER).unlink()
    assert main(["run", "--resume", str(out), "--quiet"]) == 1
    one_line(capsys.readouterr().err, MARKER)


def test_a_partial_folder_that_is_a_symlink_is_refused_and_its_target_kept(tmp_path, capsys):
    out = interrupted(tmp_path)
    work = user_folder(tmp_path)
    shutil.copytree(out / PARTIAL, work / "copied")
    shutil.rmtree(out / PARTIAL)
    (out / PARTIAL).symlink_to(work / "copied", target_is_directory=True)
    (work / "copied" / "keep.txt").write_text("mine", encoding="utf-8")
    before = snapshot(work)
    assert main(["run", "--resume", str(out), "--quiet"]) == 1
    one_line(capsys.readouterr().err, PARTIAL)
    assert main([*FAST, "--out", str(out), "--overwrite"]) == 1
    one_line(capsys.readouterr().err, PARTIAL)
    assert snapshot(work) == before


def test_a_foreign_file_in_the_partial_folder_is_never_deleted(tmp_path, reference):
    out = interrupted(tmp_path)
    (out / PARTIAL / "keep.txt").write_text("mine", encoding="utf-8")
    same_worlds(ensemble.resume(out, progress=False), reference)
    assert (out / PARTIAL / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in (out / PARTIAL).iterdir()) == ["keep.txt"]


def test_resume_with_out_or_overwrite_is_a_usage_error(tmp_path, capsys):
    out = interrupted(tmp_path)
    assert main(["run", "--resume", str(out), "--out", str(tmp_path / "x")]) == 2
    one_line(capsys.readouterr().err, "--resume")
    assert not (tmp_path / "x").exists()


# -- operating-system errors -----------------------------------------------------------


def test_a_too_long_out_path_is_one_line(tmp_path, capsys):
    out = tmp_path / ("x" * 300)
    assert main([*FAST, "--out", str(out)]) == 1
    one_line(capsys.readouterr().err, "too long")


def test_an_out_folder_under_a_file_is_one_line(tmp_path, capsys):
    (tmp_path / "a_file").write_text("x", encoding="utf-8")
    assert main([*FAST, "--out", str(tmp_path / "a_file" / "out")]) == 1
    one_line(capsys.readouterr().err, "a_file")
    assert (tmp_path / "a_file").read_text(encoding="utf-8") == "x"


def test_a_read_only_out_folder_is_one_line(tmp_path, monkeypatch, capsys):
    def read_only(self, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", read_only)
    assert main([*FAST, "--out", str(tmp_path / "ro" / "out")]) == 1
    one_line(capsys.readouterr().err, "permission denied", str(tmp_path / "ro"))


def _in_own_mounts(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run a shell script in a mount namespace of its own (nothing leaks to the host)."""
    command = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]
    return subprocess.run(
        [*command, "sh", "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHON": sys.executable},
        cwd=tmp_path,
    )


def _can_mount(tmp_path: Path) -> bool:
    if shutil.which("unshare") is None:
        return False
    (tmp_path / "probe").mkdir()
    return _in_own_mounts("mount -t tmpfs -o size=64k tmpfs probe", tmp_path).returncode == 0


@pytest.mark.slow
def test_a_really_read_only_file_system_is_one_line(tmp_path):
    if not _can_mount(tmp_path):
        pytest.skip("this machine lets no process mount a file system (unshare -m)")
    (tmp_path / "ro").mkdir()
    script = (
        "mount -t tmpfs -o size=1m tmpfs ro && mount -o remount,ro ro && "
        '"$PYTHON" -m crisis_sim.cli run baseline --runs 50 --out ro/out --quiet --no-figures'
    )
    done = _in_own_mounts(script, tmp_path)
    assert done.returncode == 1
    one_line(done.stderr, "read-only", "ro/out")


@pytest.mark.slow
def test_a_really_full_disk_keeps_the_saved_chunks_and_names_resume(tmp_path):
    if not _can_mount(tmp_path):
        pytest.skip("this machine lets no process mount a file system (unshare -m)")
    (tmp_path / "small").mkdir()
    runs, chunk = 4_000, 1_000
    script = (
        "mount -t tmpfs -o size=256k tmpfs small; "
        f'"$PYTHON" -m crisis_sim.cli run baseline --runs {runs} --chunk-size {chunk} '
        "--out small/out --quiet --no-figures; echo $? > rc; cp -a small/out copy"
    )
    done = _in_own_mounts(script, tmp_path)
    assert (tmp_path / "rc").read_text().strip() == "1"
    line = one_line(done.stderr, "disk is full", "crisis-sim run --resume small/out")
    assert "chunks are saved" in line
    copy = tmp_path / "copy"
    assert len(list((copy / PARTIAL).glob("chunk-*.json"))) >= 1
    resumed = ensemble.resume(copy, progress=False)
    same_worlds(resumed, ensemble.run("baseline", runs=runs, progress=False))


def test_a_full_disk_while_saving_a_chunk_keeps_the_finished_ones_and_names_resume(
    tmp_path, monkeypatch, capsys, reference
):
    out = tmp_path / "out"
    real = ensemble.atomic_write
    written = []

    def fill_up(path, write):
        if path.name.endswith(".parquet") and "000000000100" in path.name:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        written.append(path.name)
        real(path, write)

    monkeypatch.setattr(ensemble, "atomic_write", fill_up)
    assert main([*FAST, "--out", str(out)]) == 1
    line = one_line(capsys.readouterr().err, "disk is full", f"crisis-sim run --resume {out}")
    assert "1 of 2 chunks" in line
    monkeypatch.setattr(ensemble, "atomic_write", real)
    assert main(["run", "--resume", str(out), "--quiet", "--no-figures"]) == 0
    capsys.readouterr()
    same_worlds(Results.load(out), reference)


def test_a_full_disk_during_the_final_save_names_the_resume_command(
    tmp_path, monkeypatch, capsys, reference
):
    out = tmp_path / "out"

    def full(path, state_counts, histograms):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(results_module, "write_weekly", full)
    assert main([*FAST, "--out", str(out)]) == 1
    one_line(capsys.readouterr().err, "saving the results failed", "disk is full", "--resume")
    assert not (out / "summary.json").exists()
    assert not list(out.glob(".crisis_sim-staging-*")), "no staging folder is left"
    monkeypatch.undo()
    assert main(["run", "--resume", str(out), "--quiet", "--no-figures"]) == 0
    capsys.readouterr()
    same_worlds(Results.load(out), reference)


def test_ctrl_c_while_the_figures_are_drawn_keeps_the_saved_results(
    tmp_path, monkeypatch, capsys, reference
):
    out = tmp_path / "out"

    def interrupted_drawing(results, folder, formats):
        raise KeyboardInterrupt

    monkeypatch.setattr(plots, "save_main_figures", interrupted_drawing)
    assert main([*RUN, "--out", str(out)]) == 1
    one_line(capsys.readouterr().err, "results are saved", f"crisis-sim plot {out}")
    same_worlds(Results.load(out), reference)
    assert not (out / "figures").exists()
    assert not list(out.glob(".crisis_sim-staging-*")), "no staging folder is left"


def test_a_full_disk_while_drawing_the_figures_keeps_the_saved_results(
    tmp_path, monkeypatch, capsys, reference
):
    out = tmp_path / "out"

    def full(results, folder, formats, helper=None):
        raise OSError(errno.ENOSPC, "No space left on device", str(folder))

    monkeypatch.setattr(plots, "save_main_figures", full)
    assert main([*RUN, "--out", str(out)]) == 1
    one_line(capsys.readouterr().err, "disk is full", "crisis-sim plot")
    same_worlds(Results.load(out), reference)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--seed", str(2**64)], "seed"),
        (["--seed", "-1"], "seed"),
        (["--runs", str(10**12)], "worlds"),
        (["--runs", "0"], "worlds"),
        (["--workers", "0"], "workers"),
        (["--workers", str(10**6)], "workers"),
        (["--chunk-size", str(10**12)], "worlds"),
    ],
)
def test_out_of_range_numbers_are_usage_errors(tmp_path, capsys, args, needle):
    assert main([*FAST, "--out", str(tmp_path / "out"), *args]) == 2
    one_line(capsys.readouterr().err, needle)
    assert not (tmp_path / "out").exists()


def test_a_discovery_threshold_outside_0_1_is_a_usage_error(capsys):
    assert main(["discover", "baseline", "--threshold", "1.5"]) == 2
    one_line(capsys.readouterr().err, "threshold")


@pytest.mark.parametrize("command", ["discover", "sensitivity"])
def test_an_unknown_outcome_is_refused_before_any_work(tmp_path, capsys, command):
    # The output folder is claimed just before the work starts: none, no work.
    out = tmp_path / "out"
    assert main([command, "baseline", "--outcome", "bogus", "--out", str(out), "--quiet"]) == 2
    one_line(capsys.readouterr().err, "bogus", "full_invasion")
    assert not out.exists()


def test_plot_into_a_file_is_one_line(tmp_path, capsys):
    out = tmp_path / "out"
    fast_run(out=out)
    target = tmp_path / "figure.png"
    target.write_bytes(b"a picture of mine")
    assert main(["plot", str(out), "--out", str(target)]) == 1
    one_line(capsys.readouterr().err, "figure.png")
    assert target.read_bytes() == b"a picture of mine"


def test_plot_redraws_into_its_own_result_folder_only(tmp_path, capsys):
    out = tmp_path / "out"
    fast_run(out=out)
    assert main(["plot", str(out)]) == 0
    capsys.readouterr()
    assert (out / "figures" / "fan_charts.png").is_file()
    owned = OutputFolder.read(out)
    assert "figures/fan_charts.png" in owned.files
    assert "worlds.parquet" in owned.files, "redrawing keeps the data"
    assert Results.load(out).runs == RUNS


def test_schema_into_a_folder_or_over_a_file_is_refused(tmp_path, capsys):
    assert main(["schema", "--out", str(tmp_path)]) == 1
    one_line(capsys.readouterr().err, "folder")
    mine = tmp_path / "schema.json"
    mine.write_text("mine", encoding="utf-8")
    assert main(["schema", "--out", str(mine)]) == 1
    one_line(capsys.readouterr().err, "--overwrite")
    assert mine.read_text(encoding="utf-8") == "mine"
    assert main(["schema", "--out", str(mine), "--overwrite"]) == 0
    assert json.loads(mine.read_text(encoding="utf-8"))["title"] == "crisis_sim scenario"


@pytest.mark.parametrize("key", ["seed", "scenario", "runs"])
def test_a_summary_missing_a_key_is_one_line(tmp_path, capsys, key):
    out = tmp_path / "out"
    fast_run(out=out)
    summary = out / "summary.json"
    data = json.loads(summary.read_text(encoding="utf-8"))
    del data[key]
    summary.write_text(json.dumps(data), encoding="utf-8")
    assert main(["replay", str(out), "0"]) == 1
    one_line(capsys.readouterr().err, "summary.json", key)


def test_a_garbage_summary_is_one_line(tmp_path, capsys):
    out = tmp_path / "out"
    fast_run(out=out)
    (out / "summary.json").write_text("{{{", encoding="utf-8")
    assert main(["plot", str(out)]) == 1
    one_line(capsys.readouterr().err, "summary.json", "JSON")


def test_a_truncated_worlds_table_is_one_line(tmp_path, capsys):
    out = tmp_path / "out"
    fast_run(out=out)
    table = out / "worlds.parquet"
    table.write_bytes(table.read_bytes()[:100])
    assert main(["replay", str(out), "0"]) == 1
    one_line(capsys.readouterr().err, "unreadable")


def test_params_shows_plausible_ranges_and_valid_bounds(capsys):
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    header, *rows = out.splitlines()
    assert "plausible" in header
    assert "valid" in header
    resolve = next(row for row in rows if row.startswith("russia.resolve "))
    assert resolve.count("[") == 2, resolve


# -- processes -------------------------------------------------------------------------


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "crisis_sim.cli", *args]


def _wait_for_chunks(folder: Path, count: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(list((folder / PARTIAL).glob("chunk-*.json"))) >= count:
            return
        time.sleep(0.1)
    raise AssertionError(f"no {count} chunks in {folder} after {timeout} s")


def _descendants(pid: int) -> list[psutil.Process]:
    return psutil.Process(pid).children(recursive=True)


def _gone(processes: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    return [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_killing_the_main_process_leaves_no_orphans_and_resume_is_exact(tmp_path, how):
    out = tmp_path / "out"
    runs, chunk = 4_000, 250
    main_process = subprocess.Popen(
        _cli(
            "run",
            "baseline",
            "--runs",
            str(runs),
            "--chunk-size",
            str(chunk),
            "--workers",
            "2",
            "--out",
            str(out),
            "--quiet",
            "--no-figures",
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for_chunks(out, 2)
    children = _descendants(main_process.pid)
    assert len(children) >= 2, "a pool server and workers run"
    if how == "SIGKILL":
        main_process.kill()
    else:
        main_process.terminate()
    _, err = main_process.communicate(timeout=60)
    assert _gone(children, timeout=20) == [], "no worker outlives the main process"
    if how == "SIGTERM":
        assert main_process.returncode == 1
        one_line(err, "interrupted", "--resume")
    resumed = ensemble.resume(out, progress=False)
    whole = ensemble.run("baseline", runs=runs, chunk_size=1_000, progress=False)
    same_worlds(resumed, whole)


@pytest.mark.slow
def test_replay_into_a_closed_pipe_prints_no_traceback(tmp_path):
    out = tmp_path / "out"
    fast_run(out=out)
    shell = f"{' '.join(_cli('replay', str(out), '0'))} | head -n 1"
    done = subprocess.run(shell, shell=True, capture_output=True, text=True, timeout=120)
    assert done.stdout.startswith("World 0")
    assert "Traceback" not in done.stderr
    assert "BrokenPipe" not in done.stderr


def test_claim_refuses_before_writing_anything_into_a_foreign_folder(tmp_path):
    work = user_folder(tmp_path)
    before = snapshot(work)
    with pytest.raises(OutputExistsError):
        OutputFolder.claim(work, overwrite=True, kind="run")
    assert snapshot(work) == before
    assert not (work / MARKER).exists()


@pytest.mark.slow
def test_a_scheduler_at_a_closed_port_is_one_line(tmp_path, capsys):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = tmp_path / "out"
    started = time.perf_counter()
    args = [*FAST, "--out", str(out), "--scheduler", f"tcp://127.0.0.1:{port}"]
    assert main(args) == 1
    assert time.perf_counter() - started < 60, "the run gives up instead of hanging"
    one_line(capsys.readouterr().err, f"127.0.0.1:{port}", "start the scheduler")
