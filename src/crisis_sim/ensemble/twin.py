"""A second process for a run in this process: half of each chunk, on a core left idle.

A run of fewer chunks than a pool is started for (:data:`~crisis_sim.ensemble.pool.
POOL_MIN_CHUNKS`) runs in the calling process, and on a machine of two cores or more
that leaves a core idle while the worlds run. :class:`Twin` is a process forked from
this one once the model's kernels are loaded, so it starts with everything imported
and compiled (a fork takes milliseconds, where a pool's server imports the package
afresh for about 1.5 s of a core): the runner sends it the second half of each chunk
and runs the first half here, then joins the two (``runner._run_halves``). A chunk's
worlds do not depend on how it is cut (world k draws from the stream keyed by (seed,
k)), so the results are the same to the bit with or without it (tested).

A twin is forked only where that is safe and pays (:func:`twin_allowed`): on Linux, in
a process that is not itself a multiprocessing child, with two cores or more, and with
no other Python thread but those of :mod:`concurrent.futures` process pools (the
command line's figure helper has two: its manager, waiting in ``select`` for results,
and the feeder of its call queue). A lock such a thread holds at the fork stays held
in the child, but it is the pool's own, and the twin, which only runs chunks and exits
through ``os._exit``, never uses that pool. Any other Python thread (Dask's,
Jupyter's, tqdm's monitor) could hold a lock the child would inherit held, and then
there is no twin. Threads that :mod:`threading` does not list (native ones: numpy's
BLAS pool and pyarrow's, made anew in a forked child; one that pytest-xdist's execnet
starts itself) are not seen here; the twin touches none of their state.
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import process as futures_process
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import Any

from crisis_sim.ensemble import pool

TWIN_MIN_WORLDS = 4_000
"""The fewest worlds of a chunk that is cut in two for a twin; smaller ones run here.

Below it the fork, sending half a chunk's results back (about 2 MiB for 2,000 worlds)
and joining them cost more than half a chunk takes: a setting of speed, not of the
model (judgement, from the 10,000-world figures in ``benchmarks/README.md``).
"""


def _pool_thread(thread: threading.Thread) -> bool:
    """Whether ``thread`` is one of a :mod:`concurrent.futures` process pool's own.

    Its manager thread, or the thread feeding its call queue (multiprocessing names it
    ``QueueFeederThread``). Should a later Python name them otherwise, this says no,
    and a run goes without a twin.
    """
    manager = getattr(futures_process, "_ExecutorManagerThread", None)
    return (manager is not None and isinstance(thread, manager)) or (
        thread.name == "QueueFeederThread"
    )


def _quiet_threads() -> bool:
    """Whether every other Python thread is a process pool's own (:func:`_pool_thread`)."""
    main = threading.main_thread()
    return all(thread is main or _pool_thread(thread) for thread in threading.enumerate())


def twin_allowed() -> bool:
    """Whether this process may fork a :class:`Twin` (see the module's docstring)."""
    return (
        sys.platform.startswith("linux")
        and multiprocessing.parent_process() is None
        and threading.current_thread() is threading.main_thread()
        and pool.cores() > 1
        and _quiet_threads()
    )


def _serve(connection: Connection, function: Callable[..., Any], fixed: tuple[Any, ...]) -> None:
    """The twin's loop: ``function(*fixed, *arguments)`` for each message, until None.

    Each answer is ``(True, value)`` or ``(False, exception)``. Ctrl-C is ignored here
    (it reaches every process of the terminal's group): the parent is the one to stop,
    and it ends the twin.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        try:
            answer: tuple[bool, Any] = (True, function(*fixed, *message))
        except BaseException as error:  # sent to the parent, which raises it
            answer = (False, error)
        try:
            connection.send(answer)
        except Exception as error:  # an answer that cannot be pickled
            connection.send((False, RuntimeError(f"the twin's answer failed: {error!r}")))


class Twin:
    """A process forked from this one that calls ``function(*fixed, *arguments)`` on request.

    :meth:`start` sends it arguments, :meth:`result` waits for the answer (raising the
    twin's exception, or :class:`BrokenProcessPool` if it died), :meth:`close` ends it.
    It is a daemon: it ends with this process, and ends itself if this process dies
    (its end of the pipe closes). Use as a context manager.
    """

    def __init__(self, function: Callable[..., Any], *fixed: Any) -> None:
        """Fork the twin now (``function`` and ``fixed`` are inherited, not pickled)."""
        context = multiprocessing.get_context("fork")
        self._connection, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child, function, fixed), name="crisis_sim-twin", daemon=True
        )
        with pool.forking():
            self._process.start()
        child.close()

    def start(self, *arguments: Any) -> None:
        """Send the twin one call's ``arguments``; :meth:`result` collects its answer."""
        try:
            self._connection.send(arguments)
        except OSError:
            raise BrokenProcessPool("the run's second process has ended") from None

    def result(self) -> Any:
        """The answer to the last :meth:`start`; its exception raised here."""
        try:
            done, value = self._connection.recv()
        except (EOFError, OSError):
            raise BrokenProcessPool("the run's second process died") from None
        if not done:
            raise value
        return value

    def close(self, *, wait: bool = True) -> None:
        """End the twin: asked to stop and waited for (``wait``), else stopped at once."""
        if wait and self._process.is_alive():
            try:
                self._connection.send(None)
            except OSError:
                pass
            self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._connection.close()

    def __enter__(self) -> Twin:
        """The twin itself."""
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        """End the twin: waited for after a clean exit, stopped at once after an error."""
        self.close(wait=kind is None)
