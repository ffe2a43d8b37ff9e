"""The main figures of a result, drawn here or by helper processes at the same time.

:func:`save_main_figures` draws the five main figures of a result. Given a helper
(:func:`figure_helper`: two processes, the first forked from this one before a run,
the second from the first once it has imported matplotlib), it sends them there, the
week-by-week figures to one process and the others to the other, each with only the
part of the result it reads (:meth:`~crisis_sim.ensemble.results.Results.reduced`),
and this process imports no plotting library at all. The module imports
no matplotlib itself: the command line uses it without paying for the import (about
0.45 s) in the process that runs the worlds.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.util
import os
import signal
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING

from crisis_sim.ensemble.pool import exit_with, forking
from crisis_sim.plots.formats import DEFAULT_FORMATS, figure_formats

if TYPE_CHECKING:
    from crisis_sim.ensemble.results import Results

MAIN_FIGURES: tuple[str, ...] = (
    "outcome_probabilities",
    "outcomes_over_time",
    "cumulative_incidence",
    "fan_charts",
    "convergence",
)
"""The main figures of a result (:func:`save_main_figures`), by function name, in order."""

WEEKLY_FIGURES: tuple[str, ...] = ("outcomes_over_time", "fan_charts")
"""The main figures drawn from the week-by-week counts alone."""

WORLD_COLUMNS: tuple[str, ...] = ("replication", "outcome", "week", "parameter_set")
"""The columns of the per-world table the other main figures read (those a result has)."""

_SECOND: ProcessPoolExecutor | None = None
"""In a figure helper's first process, its second process (see :func:`_import_figures`)."""


def _forks() -> bool:
    """Whether this process can fork a figure helper.

    On Linux only (elsewhere system libraries may not survive a fork), and only a
    process without other Python threads (one could hold a lock that the child would
    copy held); the native thread pools of numpy's BLAS and of pyarrow are made anew in
    a forked child.
    """
    return sys.platform.startswith("linux") and threading.active_count() == 1


def figure_helper() -> ProcessPoolExecutor | None:
    """Two processes to draw the main figures while this one goes on, or None.

    For a caller with a core to spare (a run in one process on a machine of two cores
    or more), started before the run; pass it to :func:`save_main_figures` as
    ``helper``, and shut it down after (it is a context manager). Its processes are
    forks of this one, made at once: they import matplotlib and the figures while this
    process runs the worlds, and draw with matplotlib's settings as they are now, so
    their figures are the same bytes as drawn here. None where this process cannot
    fork them (:func:`_forks`: not Linux, or other threads running): fresh processes
    would first spend about a second of a core each importing the package.

    Started from the main thread, the helper ignores Ctrl-C (the signal reaches every
    process of the terminal's group): this process is the one to stop, and it shuts
    the helper down.

    Of the two, only the first is forked from this process; it imports matplotlib, then
    forks the second, which starts with it imported: the import, about 0.45 s of a core,
    is paid once, and the helper takes one core from this process while it loads the
    model's kernels, not two.
    """
    if not _forks():
        return None
    helper = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if in_main_thread else None
    try:
        # An executor forks all its processes on the first task: fork them now, before
        # this process starts threads or fills more memory. They keep the ignored
        # Ctrl-C.
        with forking():
            helper.submit(_import_figures)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)
    return helper


def _import_figures() -> None:
    """Import matplotlib and the figures, then fork the helper's second process.

    Run in a helper's first process, while the run goes on. The second process is a
    pool of one of this process's own, shut down as this process ends, and it ends
    itself if this process is killed (:func:`~crisis_sim.ensemble.pool.exit_with`).
    """
    global _SECOND
    import crisis_sim.plots.figures  # noqa: F401

    second = ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("fork"),
        initializer=exit_with,
        initargs=(os.getpid(),),
    )
    with forking():
        second.submit(int).result()
    multiprocessing.util.Finalize(second, second.shutdown, exitpriority=10)
    _SECOND = second


def _draw_shared(
    parts: Sequence[tuple[Results, Sequence[str]]], folder: Path, formats: Sequence[str]
) -> dict[str, list[Path]]:
    """Draw each part's figures, the first here and the others in the helper's second process.

    Run in a helper's first process. A part the second process cannot draw (it has
    died, or is not there) is drawn here.
    """
    sent: list[Future[dict[str, list[Path]]]] = []
    if _SECOND is not None:
        with contextlib.suppress(BrokenProcessPool):
            for results, names in parts[1:]:
                sent.append(_SECOND.submit(_draw, results, names, folder, formats))
    first, names = parts[0]
    drawn = _draw(first, names, folder, formats)
    for future in sent:
        with contextlib.suppress(BrokenProcessPool):
            drawn |= future.result()
    for results, names in parts[1:]:
        left = [name for name in names if name not in drawn]
        if left:
            drawn |= _draw(results, left, folder, formats)
    return drawn


def _draw(
    results: Results, names: Sequence[str], folder: Path, formats: Sequence[str]
) -> dict[str, list[Path]]:
    """Draw the main figures ``names`` into ``folder`` (here, or in a helper)."""
    from crisis_sim.plots.figures import save_drawings

    return save_drawings(results, names, folder, formats)


def save_main_figures(
    results: Results,
    folder: Path,
    formats: Sequence[str] = DEFAULT_FORMATS,
    *,
    helper: Executor | None = None,
) -> list[Path]:
    """Draw the main figures into ``folder`` in ``formats`` (PNG alone by default).

    The figures (:data:`MAIN_FIGURES`): outcome probabilities, outcomes over time,
    cumulative incidence of the outcomes, the fan charts and the convergence of the
    estimates. With a ``helper`` (:func:`figure_helper`) they are drawn there, the
    week-by-week ones (:data:`WEEKLY_FIGURES`) and the others at the same time, each
    from the part of the result it reads; if the helper has died, here. Returns the
    paths written, in the order of the figures.

    Raises:
        ValueError: For a format not in
            :data:`~crisis_sim.plots.formats.FIGURE_FORMATS` (before anything is drawn).
    """
    chosen = figure_formats(formats)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    others = tuple(name for name in MAIN_FIGURES if name not in WEEKLY_FIGURES)
    columns = {WEEKLY_FIGURES: [], others: [c for c in WORLD_COLUMNS if c in results.worlds]}
    drawn: dict[str, list[Path]] = {}
    if helper is not None:
        parts = [(results.reduced(read), names) for names, read in columns.items()]
        with contextlib.suppress(BrokenProcessPool):
            drawn = helper.submit(_draw_shared, parts, folder, chosen).result()
    left = [name for name in MAIN_FIGURES if name not in drawn]
    if left:
        drawn |= _draw(results, left, folder, chosen)
    return [path for name in MAIN_FIGURES for path in drawn[name]]
