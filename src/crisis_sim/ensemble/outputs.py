"""Output folders: the package writes only into folders it owns and deletes only its own files.

A folder is the package's when it holds the marker file ``.crisis_sim.json``, which
the package writes first, before anything else, when it makes a new folder or takes
an empty one. The marker records the plan's hash and every file the package has
placed in the folder, with its SHA-256. From then on:

- a folder without the marker, or holding anything the package did not write (a
  file not in the marker, a recorded file since changed, a symbolic link), is never
  overwritten: the refusal names what was found;
- ``/``, the home folder, the current folder and a folder holding a version-control
  checkout are refused outright;
- results are written into a staging folder inside the output folder and moved into
  place file by file; files that appeared meanwhile are kept, and if one of them has
  the name of a result file the save stops, saying so, with the run's chunks kept;
- the package's working files (the ``.partial/`` chunks of a run and its staging
  folders) are recognised by their names, and only those are ever removed there.

Folders and files follow the user's umask (``tempfile`` alone would make them
private to the user).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shlex
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crisis_sim.version import __version__

MARKER = ".crisis_sim.json"
"""The file that makes a folder the package's."""

PARTIAL = ".partial"
"""Sub-folder of a run's output folder holding its plan and finished chunks."""

STAGING_PREFIX = ".crisis_sim-staging-"
"""Prefix of the staging folders results are written into before they are moved."""

MARKER_FORMAT = 1
"""Version of the marker file's layout."""

VCS_DIRS = (".git", ".hg", ".svn", ".bzr", "_darcs", ".jj", "CVS")
"""Entries that show a folder holds a version-control checkout."""

_PARTIAL_NAME = re.compile(
    r"^(plan\.json|chunk-\d{12}\.(json|worlds\.parquet|weekly\.parquet|trajectories\.parquet|levers\.parquet))$"
)
_TEMPORARY_NAME = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")


class InterruptedRun(RuntimeError):
    """A run stopped before all chunks finished; the finished ones are on disk.

    Attributes:
        directory: The output folder to resume from, or None if there was none.
        done: Chunks finished.
        total: Chunks in the plan.
    """

    def __init__(self, directory: Path | None, done: int, total: int, reason: str) -> None:
        """Say what happened and how to go on."""
        self.directory, self.done, self.total = directory, done, total
        if directory is None:
            hint = "no output folder was given, so nothing was kept"
        else:
            saved = f"all {total}" if done == total else f"{done} of {total}"
            hint = (
                f"{saved} chunks are saved in {directory}; finish with "
                f"crisis-sim run --resume {shlex.quote(str(directory))}"
            )
        super().__init__(f"{reason}: {hint}")


class OutputExistsError(FileExistsError):
    """An output folder cannot be used: it exists with files, or is not the package's."""


class OutputConflictError(OutputExistsError):
    """A file the package did not write stands where a result file must go."""


def umask() -> int:
    """The process's file-creation mask."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def chmod_as_umask(path: Path, *, directory: bool) -> None:
    """Give ``path`` the mode a plain ``mkdir`` or ``open`` would have given it."""
    os.chmod(path, (0o777 if directory else 0o666) & ~umask())


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file in the same folder, then rename it into place.

    The temporary file is named ``.NAME.RANDOM.tmp``, so a crash leaves nothing that
    could pass for a finished file.
    """
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        write(Path(temporary))
        chmod_as_umask(Path(temporary), directory=False)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def write_json(path: Path, data: Any) -> None:
    """Write strict JSON (no NaN or infinity) atomically."""
    text = json.dumps(data, indent=2, allow_nan=False) + "\n"
    atomic_write(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _protected_reason(path: Path) -> str | None:
    """Why ``path`` may never be an output folder, or None."""
    resolved = path.resolve()
    if resolved == Path(resolved.anchor):
        return "it is the root of the file system"
    if resolved == Path.home().resolve():
        return "it is your home folder"
    if resolved == Path.cwd().resolve():
        return "it is the current folder"
    if path.is_dir():
        for name in VCS_DIRS:
            if os.path.lexists(path / name):
                return f"it holds a version-control checkout ({name})"
    return None


@dataclass
class OutputFolder:
    """A folder the package owns, with the record of what it wrote there.

    Attributes:
        path: The folder.
        kind: What wrote it (``run``, ``compare``, ``sensitivity``, ...).
        plan_hash: Hash of the plan of the run writing to it, if any.
        files: Every file the package placed here (relative path to SHA-256).
        dirs: Every folder the package made inside it.
    """

    path: Path
    kind: str
    plan_hash: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    dirs: list[str] = field(default_factory=list)

    # -- claiming a folder ------------------------------------------------------------

    @classmethod
    def claim(
        cls,
        path: str | Path,
        *,
        overwrite: bool,
        kind: str,
        plan_hash: str | None = None,
        fresh: bool = False,
    ) -> OutputFolder:
        """Make or take ``path`` as an output folder and write its marker first.

        Args:
            path: The folder.
            overwrite: Accept a folder holding the package's own earlier results
                (they are replaced once the new ones are complete).
            kind: What is writing (recorded in the marker).
            plan_hash: The plan's hash, recorded in the marker.
            fresh: The folder must not exist yet (for default, timestamped folders).

        Raises:
            OutputExistsError: The folder is protected, holds files and ``overwrite``
                was not given, or holds anything the package did not write.
            NotADirectoryError: The path is a file.
        """
        folder = Path(path)
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(f"{folder} is a file, not a folder for results")
        reason = _protected_reason(folder)
        if reason is not None:
            raise OutputExistsError(
                f"{folder} cannot be an output folder: {reason}; choose a new sub-folder "
                "for the results"
            )
        if fresh:
            folder.parent.mkdir(parents=True, exist_ok=True)
            folder.mkdir()
            owned = cls(folder, kind, plan_hash)
            owned.save_marker()
            return owned
        folder.mkdir(parents=True, exist_ok=True)
        entries = sorted(entry.name for entry in folder.iterdir())
        if not entries:
            owned = cls(folder, kind, plan_hash)
            owned.save_marker()
            return owned
        existing = cls.read(folder)
        if not overwrite:
            raise OutputExistsError(
                f"{folder} already holds files; choose another --out folder, or pass "
                "--overwrite to replace earlier results of crisis_sim there (only the "
                "files crisis_sim wrote, once the new results are complete)"
            )
        if existing is None:
            shown = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
            raise OutputExistsError(
                f"{folder} was not written by crisis_sim (no {MARKER}; it holds {shown}); "
                "--overwrite replaces only folders crisis_sim wrote: choose another --out "
                "folder"
            )
        foreign = existing.foreign()
        if foreign:
            raise OutputExistsError(
                f"{folder} holds files crisis_sim did not write ({_listing(foreign)}); "
                "--overwrite never deletes those: move them away or choose another --out "
                "folder"
            )
        existing.kind, existing.plan_hash = kind, plan_hash
        existing.save_marker()
        return existing

    @classmethod
    def read(cls, folder: Path) -> OutputFolder | None:
        """The folder's record, or None if it holds no readable marker of the package."""
        marker = folder / MARKER
        if marker.is_symlink() or not marker.is_file():
            return None
        try:
            data = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("written_by") != "crisis_sim":
            return None
        files = data.get("files", {})
        dirs = data.get("dirs", [])
        if not isinstance(files, dict) or not isinstance(dirs, list):
            return None
        return cls(
            folder,
            str(data.get("kind", "")),
            data.get("plan_hash"),
            {str(name): str(digest) for name, digest in files.items()},
            [str(name) for name in dirs],
        )

    def save_marker(self) -> None:
        """Write the marker with the current record (atomically)."""
        write_json(
            self.path / MARKER,
            {
                "written_by": "crisis_sim",
                "marker_format": MARKER_FORMAT,
                "version": __version__,
                "kind": self.kind,
                "plan_hash": self.plan_hash,
                "files": dict(sorted(self.files.items())),
                "dirs": sorted(self.dirs),
                "note": "This folder was written by crisis_sim. crisis_sim replaces only "
                "the files listed here, and only while they are unchanged.",
            },
        )

    # -- what is whose ----------------------------------------------------------------

    def _owned_file(self, relative: str, path: Path) -> bool:
        return (
            relative in self.files
            and path.is_file()
            and not path.is_symlink()
            and sha256(path) == self.files[relative]
        )

    def foreign(self) -> list[str]:
        """Entries in the folder the package did not write (relative paths), sorted."""
        found: list[str] = []
        self._scan(self.path, "", found)
        return sorted(found)

    def _scan(self, folder: Path, prefix: str, found: list[str]) -> None:
        for entry in sorted(folder.iterdir()):
            relative = f"{prefix}{entry.name}"
            if not prefix and (entry.name == MARKER or _TEMPORARY_NAME.match(entry.name)):
                continue
            if not prefix and entry.name == PARTIAL:
                found.extend(f"{PARTIAL}/{name}" for name in foreign_partial(entry))
                continue
            if not prefix and entry.name.startswith(STAGING_PREFIX) and _is_real_dir(entry):
                continue
            if entry.is_symlink():
                found.append(relative)
            elif entry.is_dir():
                if relative not in self.dirs:
                    found.append(relative + "/")
                else:
                    self._scan(entry, relative + "/", found)
            elif not self._owned_file(relative, entry):
                found.append(relative)

    # -- writing results --------------------------------------------------------------

    @contextlib.contextmanager
    def staging(self, *, replace: bool = True) -> Iterator[Path]:
        """A fresh staging folder inside the output folder; committed when the block ends.

        Write every result file into the yielded folder. When the block ends without
        an error, :meth:`commit` moves them into place; on an error the staging folder
        (the package's own) is removed and the folder is as it was.

        Args:
            replace: The new files are the folder's whole result: the package's earlier
                files that they do not replace are removed (else they are kept).
        """
        stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.path))
        chmod_as_umask(stage, directory=True)
        try:
            yield stage
            self.commit(stage, replace=replace)
        finally:
            if stage.exists():
                shutil.rmtree(stage)

    def commit(self, stage: Path, *, replace: bool = True) -> list[str]:
        """Move the files written into ``stage`` into the folder; return their paths.

        ``summary.json`` (the sign of a complete result) is removed first and moved
        last, so a crash in between leaves a folder that reads as incomplete. With
        ``replace``, earlier files of the package that the new results do not replace
        are removed afterwards, if unchanged; files the package did not write are
        never touched.

        Raises:
            OutputConflictError: A file the package did not write has the name of one
                of the new result files (nothing is moved then).
        """
        new = sorted(
            path.relative_to(stage).as_posix() for path in stage.rglob("*") if path.is_file()
        )
        conflicts = [
            name
            for name in new
            if os.path.lexists(self.path / name) and not self._owned_file(name, self.path / name)
        ]
        parents = sorted({str(Path(name).parent) for name in new} - {"."})
        conflicts += [
            parent + "/"
            for parent in parents
            if os.path.lexists(self.path / parent)
            and not (_is_real_dir(self.path / parent) and parent in self.dirs)
        ]
        if conflicts:
            raise OutputConflictError(
                f"{self.path} now holds {_listing(sorted(conflicts))}, which crisis_sim did not "
                "write, where its results must go; move them away"
            )
        old = dict(self.files)
        digests = {name: sha256(stage / name) for name in new}
        last = [name for name in new if name == "summary.json"]
        if last and "summary.json" in old and self._owned_file("summary.json", self.path / last[0]):
            os.remove(self.path / "summary.json")
            del self.files["summary.json"]
        for name in [name for name in new if name not in last] + last:
            target = self.path / name
            parent = str(Path(name).parent)
            if parent != "." and not target.parent.is_dir():
                target.parent.mkdir(parents=True)
                chmod_as_umask(target.parent, directory=True)
            if parent != "." and parent not in self.dirs:
                self.dirs.append(parent)
            self.files[name] = digests[name]
            if name in last:
                self.save_marker()
            os.replace(stage / name, target)
        for name, digest in old.items() if replace else ():
            if name not in digests:
                path = self.path / name
                if path.is_file() and not path.is_symlink() and sha256(path) == digest:
                    os.remove(path)
                self.files.pop(name, None)
        for name in sorted(self.dirs, key=len, reverse=True):
            path = self.path / name
            if not any(file.startswith(name + "/") for file in self.files):
                with contextlib.suppress(OSError):
                    path.rmdir()
                if not path.exists():
                    self.dirs.remove(name)
        self.save_marker()
        return new

    # -- a run's working folder -------------------------------------------------------

    def partial(self, *, create: bool) -> Path:
        """The run's ``.partial`` working folder; made (or emptied of old chunks) if asked.

        Raises:
            OutputExistsError: If ``.partial`` is not a real folder (a link or a file),
                or holds files the package did not write.
        """
        folder = self.path / PARTIAL
        if os.path.lexists(folder) and not _is_real_dir(folder):
            raise OutputExistsError(
                f"{folder} is not a folder crisis_sim made (a link or a file); remove it "
                "or choose another --out folder"
            )
        if create:
            if folder.is_dir():
                clear_partial(folder)
            else:
                folder.mkdir()
                chmod_as_umask(folder, directory=True)
        return folder

    def finish_partial(self) -> None:
        """Remove the run's working files once its results are in place."""
        folder = self.path / PARTIAL
        if _is_real_dir(folder):
            clear_partial(folder)
            with contextlib.suppress(OSError):
                folder.rmdir()


def _is_real_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def foreign_partial(folder: Path) -> list[str]:
    """Entries of a ``.partial`` folder that are not the package's working files."""
    if not _is_real_dir(folder):
        return [""]
    return sorted(
        entry.name + ("/" if entry.is_dir() else "")
        for entry in folder.iterdir()
        if entry.is_symlink()
        or not entry.is_file()
        or not (_PARTIAL_NAME.match(entry.name) or _TEMPORARY_NAME.match(entry.name))
    )


def clear_partial(folder: Path) -> None:
    """Remove the package's working files from a ``.partial`` folder, and nothing else."""
    for entry in folder.iterdir():
        if (
            entry.is_file()
            and not entry.is_symlink()
            and (_PARTIAL_NAME.match(entry.name) or _TEMPORARY_NAME.match(entry.name))
        ):
            entry.unlink()


def _listing(names: list[str], most: int = 3) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def describe_os_error(error: OSError) -> str:
    """One line saying what failed, on which path, and what to do."""
    path = error.filename
    where = f" {path}" if path else ""
    advice = {
        errno.ENOSPC: "the disk is full: free some space",
        errno.EDQUOT: "the disk quota is exceeded: free some space",
        errno.EACCES: "permission denied: choose a folder you may write to",
        errno.EPERM: "not permitted: choose a folder you may write to",
        errno.EROFS: "the file system is read-only: choose another folder",
        errno.ENAMETOOLONG: "the path is too long: choose a shorter one",
        errno.ENOENT: "no such file or folder",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.EISDIR: "it is a folder; give a file name",
        errno.EEXIST: "it exists already",
        errno.ECONNREFUSED: "the connection was refused",
    }.get(error.errno or 0, error.strerror or type(error).__name__)
    return f"cannot use{where}: {advice}"


def describe_failure(error: BaseException) -> str:
    """One line on why something stopped: Ctrl-C, an OS error with what to do, or the message."""
    if isinstance(error, KeyboardInterrupt):
        return "interrupted"
    if isinstance(error, OSError) and error.errno:
        return describe_os_error(error)
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 400 else text[:397] + "..."
